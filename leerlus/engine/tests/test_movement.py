# SPDX-License-Identifier: EUPL-1.2
"""Movement of counts: rising, the week's rhythm taken out, moving together, rate changes."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerlus.engine.movement import (
    compare_rates,
    correlations,
    is_rising,
    weekly,
    without_weekdays,
)

MONDAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("volume", "previous", "rising"),
    [
        (4, [0, 0, 0, 0], False),  # too few signals to say anything
        (5, [0, 0, 0, 0], True),
        (60, [50, 50, 50, 50], False),  # +20 %, within the usual wander
        (120, [50, 50, 50, 50], True),
        (120, [10, 110, 20, 100], False),  # the earlier periods wander a lot
        (30, [], False),
    ],
)
def test_rising_needs_a_significant_and_large_enough_rise(volume, previous, rising):
    assert is_rising(volume, previous) is rising


def test_a_pure_weekday_rhythm_leaves_no_movement():
    week = [10, 8, 8, 7, 6, 2, 1]
    values = np.array([week * 4, [3.0] * 28])

    movement = without_weekdays(values, MONDAY)

    assert np.allclose(movement, 0)


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=14, max_size=60))
def test_movement_has_no_weekday_mean_left(counts):
    values = np.array([counts], dtype=float)

    movement = without_weekdays(values, MONDAY)[0]

    for day in range(7):
        assert abs(movement[day::7].mean()) < 1e-9


def test_correlations_of_series_that_move_together_apart_or_not_at_all():
    own = np.array([1.0, 3.0, 2.0, 5.0, 4.0])
    others = np.array([own * 2 + 1, -own, np.full(5, 3.0)])

    found = correlations(own, others)

    assert found[0] == pytest.approx(1.0)
    assert found[1] == pytest.approx(-1.0)
    assert np.isnan(found[2])  # a flat series moves with nothing


def test_weekly_buckets_end_on_the_last_day():
    assert weekly([1] * 14) == [7, 7]
    assert weekly([1] * 16) == [2, 7, 7]
    assert weekly([]) == []


@given(st.lists(st.integers(min_value=0, max_value=1000), max_size=400))
def test_weekly_buckets_keep_every_signal(values):
    assert sum(weekly(values)) == sum(values)


def test_a_doubled_rate_is_a_change_and_a_steady_one_is_not():
    counts = {1: 60, 2: 30, 3: 5}
    history = {1: 90, 2: 90, 4: 12}  # three times as long a history

    changes = {c.key: c for c in compare_rates(counts, history, days=30, history_days=90)}

    assert changes[1].ratio == pytest.approx(2.0)
    assert changes[1].expected == pytest.approx(30.0)
    assert changes[1].q_value < 0.05
    assert changes[2].ratio == pytest.approx(1.0)
    assert changes[2].q_value > 0.5
    assert changes[3].ratio is None  # nothing before: no rate to compare with
    assert changes[4].count == 0
    assert list(changes) == [1, 2, 3, 4]


def test_no_series_no_changes():
    assert compare_rates({}, {5: 0}, days=30, history_days=90) == []
