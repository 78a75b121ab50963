# SPDX-License-Identifier: EUPL-1.2
"""Trends: series, expected level, alerts and before/after (statistical tests use fixed seeds)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leerlus.demo.feedback_generator import demo_events, generate_feedback
from leerlus.engine.calendar_nl import (
    DAY_FEATURES,
    PlainCalendar,
    day_features,
    easter_sunday,
    public_holidays,
    school_holiday_share,
)
from leerlus.engine.trends import (
    ALL,
    SeriesKey,
    TrendSettings,
    build_series,
    compare_around,
    design_matrix,
    detect,
    expected_level,
    scan,
)

START = date(2024, 1, 1)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PLAIN = PlainCalendar()


def _days(n: int, start: date = START) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def _weekday_series(rng: np.random.Generator, n: int, base: float) -> np.ndarray:
    profile = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.4, 0.4])
    days = _days(n)
    return rng.poisson(base * profile[[d.weekday() for d in days]])


# --- calendar ------------------------------------------------------------------------------


def test_easter_and_holidays_of_known_years() -> None:
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    days = {h.slug: h.day for h in public_holidays(2025)}
    assert days["koningsdag"] == date(2025, 4, 26)  # 27 April 2025 is a Sunday
    assert days["hemelvaartsdag"] == date(2025, 5, 29)
    assert days["tweede-pinksterdag"] == date(2025, 6, 9)
    liberation = {h.day.year: h.closed for h in public_holidays(2025) if h.slug == "bevrijdingsdag"}
    assert liberation == {2025: True}  # a lustrum year


def test_day_features_mark_holidays_bridges_and_school() -> None:
    days = [date(2025, 5, 29), date(2025, 5, 30), date(2025, 8, 1), date(2025, 3, 12)]
    features = day_features(days)
    column = {name: i for i, name in enumerate(DAY_FEATURES)}
    assert features[0, column["holiday"]] == 1  # Ascension Day
    assert features[1, column["bridge"]] == 1  # the Friday after it
    assert features[2, column["summer"]] == 1  # the whole country is on summer holiday
    assert features[3].sum() == 0  # an ordinary Wednesday
    assert school_holiday_share(date(2025, 12, 29)) == 1.0


# --- series --------------------------------------------------------------------------------


def test_build_series_counts_every_level_and_finds_items() -> None:
    days = [START, START, START + timedelta(days=2), START + timedelta(days=2)]
    series = build_series(
        days, ["a", "a", "b", "a"], ["phone", "web", "phone", "phone"], min_items=1
    )
    assert series.days == _days(3)
    assert list(series.series(SeriesKey("a"))) == [2, 0, 1]
    assert list(series.series(SeriesKey("a", "phone"))) == [1, 0, 1]
    assert list(series.series(SeriesKey(ALL, "phone"))) == [1, 0, 2]
    assert list(series.series(SeriesKey())) == [2, 0, 2]
    assert list(series.items(SeriesKey("a", "phone"), START, START + timedelta(days=2))) == [0, 3]


def test_build_series_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        build_series([START], ["a", "b"])


# --- expected level ------------------------------------------------------------------------


def test_expected_level_learns_the_weekday_pattern() -> None:
    rng = np.random.default_rng(1)
    days = _days(240)
    y = _weekday_series(rng, 240, 20.0)
    fit = expected_level(y, days, calendar=PLAIN)
    late = np.arange(120, 240)
    weekend = np.array([days[i].weekday() >= 5 for i in late])
    ratio = fit.expected[late][weekend].mean() / fit.expected[late][~weekend].mean()
    assert 0.3 < ratio < 0.5  # the true weekend/weekday ratio is 0.4 / 1.04


def test_expected_level_knows_that_the_counter_is_closed_on_holidays() -> None:
    rng = np.random.default_rng(2)
    days = _days(560)
    y = _weekday_series(rng, 560, 10.0)
    features = day_features(days)
    y[features[:, 0] == 1] = 0  # closed on public holidays
    fit = expected_level(y, days)
    # Ascension Day and Easter Monday 2025, after a year of history.
    for day in (date(2025, 5, 29), date(2025, 4, 21)):
        i = (day - START).days
        assert fit.expected[i] < 0.35 * fit.level[i]


# --- detection -----------------------------------------------------------------------------


def test_a_threefold_burst_on_a_busy_series_is_found_within_two_days() -> None:
    rng = np.random.default_rng(3)
    days = _days(300)
    y = _weekday_series(rng, 300, 12.0)
    burst = 200
    y[burst : burst + 7] += rng.poisson(2 * 12.0 * 1.0, size=7)
    alerts = detect(y, days, calendar=PLAIN)
    found = [a for a in alerts if burst <= (a.raised - START).days <= burst + 6]
    assert found
    assert (found[0].raised - days[burst]).days <= 1
    assert found[0].kind in ("spike", "level_shift")


def test_pure_poisson_noise_rarely_alarms() -> None:
    rng = np.random.default_rng(4)
    days = _days(730)
    design = design_matrix(days, PLAIN)
    alarms = 0
    for _ in range(10):
        y = _weekday_series(rng, 730, 5.0)
        alarms += len(detect(y, days, design=design))
    # Target: one false alarm per series-year; 10 series of two years each.
    assert alarms <= 20


def test_a_level_shift_down_is_reported_as_down() -> None:
    rng = np.random.default_rng(5)
    days = _days(400)
    y = _weekday_series(rng, 400, 20.0)
    y[250:] = rng.binomial(y[250:], 0.5)
    alerts = [a for a in detect(y, days, calendar=PLAIN) if a.kind == "level_shift"]
    assert alerts
    assert alerts[0].direction == "down"
    assert 250 <= (alerts[0].raised - START).days <= 270


def test_detect_rejects_negative_counts() -> None:
    with pytest.raises(ValueError, match="not negative"):
        detect(np.array([1, -1, 2]), _days(3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=0, max_size=120))
def test_detect_never_crashes_on_any_count_series(counts: list[int]) -> None:
    y = np.array(counts, dtype=np.int64)
    alerts = detect(y, _days(len(counts)), calendar=PLAIN)
    for alert in alerts:
        assert alert.start <= alert.end
        assert alert.kind in ("spike", "level_shift")
        assert 0.0 <= alert.p_value <= 1.0


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=400))
def test_all_zeros_never_alarm(n: int) -> None:
    assert detect(np.zeros(n, dtype=np.int64), _days(n), calendar=PLAIN) == []


# --- the demo data: the portal release ---------------------------------------------------------


@cache
def _demo() -> tuple[list[date], list[str], list[str], list[str]]:
    signals = list(generate_feedback(start=START, days=730, mean_per_day=30.0))
    days = [s.received_at.astimezone(AMSTERDAM).date() for s in signals]
    return (
        days,
        [s.theme for s in signals],
        [s.channel for s in signals],
        [s.service for s in signals],
    )


def test_portal_release_spikes_on_web_form_and_phone_but_not_at_the_counter() -> None:
    days, themes, channels, _ = _demo()
    series = build_series(days, themes, channels, totals=False)
    release = next(e.occurred_on for e in demo_events(START) if e.slug.startswith("release-mijn"))
    keys = [SeriesKey("upload-mislukt", c) for c in ("web_form", "phone", "counter")]
    alerts = scan(series, keys=keys)

    def near(channel: str) -> list[str]:
        return [
            a.kind
            for a in alerts
            if a.key.channel == channel
            and a.direction == "up"
            and 0 <= (a.raised - release).days <= 7
        ]

    assert "spike" in near("web_form")
    assert "spike" in near("phone")
    assert near("counter") == []


def test_before_after_lists_the_release_theme_first() -> None:
    days, themes, channels, _ = _demo()
    series = build_series(days, themes, channels, totals=False)
    release = next(e.occurred_on for e in demo_events(START) if e.slug.startswith("release-mijn"))
    changes = compare_around(series, release)
    top = [c for c in changes if c.significant]
    assert top
    assert top[0].key.theme == "upload-mislukt"
    assert top[0].ratio > 2
    counter = next(c for c in changes if c.key == SeriesKey("upload-mislukt", "counter"))
    assert not counter.significant


def test_the_chatbot_theme_is_reported_as_new() -> None:
    days, themes, _, _ = _demo()
    series = build_series(days, themes, totals=False)
    pilot = next(e.occurred_on for e in demo_events(START) if e.slug == "pilot-chatbot")
    alerts = scan(series, keys=[SeriesKey("chatbot-begrijpt-niet")])
    new = [a for a in alerts if a.kind == "new_theme"]
    assert len(new) == 1
    assert 0 <= (new[0].raised - pilot).days <= 7


def test_compare_around_needs_days_on_both_sides() -> None:
    series = build_series(_days(30), ["a"] * 30, min_items=1)
    with pytest.raises(ValueError, match="not enough days"):
        compare_around(series, START + timedelta(days=10))


def test_settings_are_plain_values() -> None:
    assert TrendSettings().false_alarms_per_year == 1.0
