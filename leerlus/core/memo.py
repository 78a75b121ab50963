# SPDX-License-Identifier: EUPL-1.2
"""A small per-process cache with an expiry, for lookups on the API's hot path.

The intake API answers hundreds of calls a second; looking up the same token, roles and
service for each of them was half of a create's cost (docs/benchmarks.md, Intake API). What
is kept here is kept for seconds, in this process only: a change (a revoked token, a
withdrawn role, a renamed service) takes effect everywhere within that time.
"""

import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class ExpiringCache(Generic[K, V]):
    def __init__(self, seconds: float, *, max_entries: int = 10_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[K, tuple[float, V]] = {}
        _every_cache.append(self)

    def get_or_load(self, key: K, load: Callable[[], V | None]) -> V | None:
        """The cached value, else ``load()``'s; ``None`` (not found) is never kept."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        if value is not None and self.seconds > 0:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (now + self.seconds, value)
        return value

    def clear(self) -> None:
        self._entries.clear()


_every_cache: list[ExpiringCache[Any, Any]] = []


def forget_everything() -> None:
    """Empties every cache of this process (between tests: a rolled-back row's id comes
    back on SQLite)."""
    for cache in _every_cache:
        cache.clear()
