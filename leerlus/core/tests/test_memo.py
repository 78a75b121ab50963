# SPDX-License-Identifier: EUPL-1.2
from leerlus.core.memo import ExpiringCache, forget_everything


def test_a_kept_value_is_reused_until_it_expires(monkeypatch):
    now = [0.0]
    monkeypatch.setattr("leerlus.core.memo.time.monotonic", lambda: now[0])
    cache: ExpiringCache[str, int] = ExpiringCache(5)
    loads = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    first = cache.get_or_load("a", load)
    now[0] = 4.9
    again = cache.get_or_load("a", load)
    now[0] = 5.1
    reloaded = cache.get_or_load("a", load)

    assert (first, again, reloaded) == (1, 1, 2)


def test_not_found_is_never_kept():
    cache: ExpiringCache[str, int] = ExpiringCache(60)
    answers = iter([None, 7])

    assert cache.get_or_load("a", lambda: next(answers)) is None
    assert cache.get_or_load("a", lambda: next(answers)) == 7


def test_zero_seconds_keeps_nothing_and_a_full_cache_starts_over():
    off: ExpiringCache[str, int] = ExpiringCache(0)
    small: ExpiringCache[int, int] = ExpiringCache(60, max_entries=2)
    calls: list[str] = []

    def load() -> int:
        calls.append("load")
        return 1

    off.get_or_load("a", load)
    off.get_or_load("a", load)
    for key in range(3):
        small.get_or_load(key, lambda: 1)

    assert len(calls) == 2
    assert small.get_or_load(0, lambda: 99) == 99  # dropped when the third came in


def test_forget_everything_empties_every_cache():
    cache: ExpiringCache[str, int] = ExpiringCache(60)
    cache.get_or_load("a", lambda: 1)

    forget_everything()

    assert cache.get_or_load("a", lambda: 2) == 2
