# SPDX-License-Identifier: EUPL-1.2
"""Effects: difference in differences and interrupted time series (fixed seeds)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leerlus.engine.calendar_nl import PlainCalendar
from leerlus.engine.effects import NOT_ENOUGH_DATA, OK, estimate_effect, weekly

START = date(2024, 1, 1)
PLAIN = PlainCalendar()


def _pair(
    rng: np.random.Generator, days: int, target: float, comparison: float
) -> tuple[np.ndarray, np.ndarray]:
    """Target and comparison sharing one day-to-day rhythm (weekdays and a common wobble)."""
    weekday = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 0.4])
    shared = weekday[np.arange(days) % 7] * rng.gamma(20.0, 1 / 20.0, size=days)
    return rng.poisson(target * shared), rng.poisson(comparison * shared)


def test_weekly_aligns_weeks_on_the_event() -> None:
    counts = np.arange(30)
    sums, weeks, starts = weekly(counts, START, START + timedelta(days=10))
    assert list(weeks) == [-1, 0, 1]
    assert starts[1] == START + timedelta(days=10)
    assert sums[0, 1] == sum(range(10, 17))


def test_difference_in_differences_recovers_an_injected_effect() -> None:
    rng = np.random.default_rng(11)
    y, c = _pair(rng, 280, 8.0, 60.0)
    event = 196
    y[event:] = rng.binomial(y[event:], 0.6)  # -40 %
    estimate = estimate_effect(y, START, START + timedelta(days=event), c, calendar=PLAIN)
    assert estimate.status == OK
    assert estimate.method == "difference_in_differences"
    assert estimate.low is not None
    assert estimate.high is not None
    assert estimate.low < -0.4 < estimate.high
    assert estimate.high < 0  # the drop is clear
    assert estimate.per_week is not None
    assert estimate.per_week < 0


def test_interrupted_time_series_without_comparison() -> None:
    rng = np.random.default_rng(12)
    y, _ = _pair(rng, 280, 10.0, 1.0)
    event = 196
    y[event:] += rng.poisson(10.0, size=280 - event)  # about +100 %
    estimate = estimate_effect(y, START, START + timedelta(days=event), calendar=PLAIN)
    assert estimate.status == OK
    assert estimate.method == "interrupted_time_series"
    assert estimate.low is not None
    assert estimate.low > 0.3


def test_the_interval_covers_the_truth_about_95_times_in_100() -> None:
    rng = np.random.default_rng(13)
    covered = 0
    runs = 120
    for _ in range(runs):
        y, c = _pair(rng, 252, 6.0, 50.0)
        event = 168
        y[event:] = y[event:] + rng.poisson(0.3 * y[event:])  # +30 %
        estimate = estimate_effect(y, START, START + timedelta(days=event), c, calendar=PLAIN)
        if estimate.status == OK:
            assert estimate.low is not None
            assert estimate.high is not None
            covered += estimate.low <= 0.3 <= estimate.high
        else:
            covered += 1  # refusing to answer is never a wrong interval
    assert covered / runs >= 0.88


def test_a_short_series_gets_not_enough_data_with_the_reason() -> None:
    rng = np.random.default_rng(14)
    y, c = _pair(rng, 60, 5.0, 50.0)
    estimate = estimate_effect(y, START, START + timedelta(days=35), c)
    assert estimate.status == NOT_ENOUGH_DATA
    assert "weeks before the event" in estimate.reason
    assert estimate.effect is None
    assert estimate.low is None


def test_a_rare_theme_gets_not_enough_data() -> None:
    rng = np.random.default_rng(15)
    y, c = _pair(rng, 280, 0.05, 50.0)
    estimate = estimate_effect(y, START, START + timedelta(days=196), c)
    assert estimate.status == NOT_ENOUGH_DATA
    assert "signals" in estimate.reason


def test_a_hopelessly_wide_interval_is_not_an_answer() -> None:
    rng = np.random.default_rng(16)
    y, c = _pair(rng, 140, 0.6, 50.0)
    estimate = estimate_effect(y, START, START + timedelta(days=112), c)
    assert estimate.status == NOT_ENOUGH_DATA
    assert "too wide" in estimate.reason or "signals" in estimate.reason


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="not negative"):
        estimate_effect(np.array([1.0, -1.0]), START, START)
    with pytest.raises(ValueError, match="same days"):
        estimate_effect(np.ones(10), START, START, np.ones(9))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=500), min_size=0, max_size=200),
    st.integers(min_value=0, max_value=220),
    st.booleans(),
)
def test_estimate_effect_never_crashes(
    counts: list[int], event: int, with_comparison: bool
) -> None:
    y = np.array(counts, dtype=np.float64)
    comparison = y[::-1] + 3 if with_comparison else None
    estimate = estimate_effect(y, START, START + timedelta(days=event), comparison)
    assert estimate.status in (OK, NOT_ENOUGH_DATA)
    if estimate.status == OK:
        assert estimate.low is not None
        assert estimate.high is not None
        assert estimate.effect is not None
        assert estimate.low <= estimate.effect <= estimate.high
        assert math.isfinite(estimate.low)
        assert math.isfinite(estimate.high)
