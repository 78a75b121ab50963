# SPDX-License-Identifier: EUPL-1.2
"""How a theme's counts move: above its usual level, with the week's rhythm taken out,
together with another theme's, and from one period's rate to the next.

Pure functions over counts (lists and NumPy arrays); the patterns app's selectors feed them
from the daily counts and show the answers. Nothing here knows a database or a theme row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Generic, TypeVar

import numpy as np
from scipy import stats  # type: ignore[import-untyped]  # scipy ships no stubs

# "Rising": at least this many signals, this many times the usual level and this many
# standard deviations above it (about one chance in a thousand under the usual level).
RISING_MIN_SIGNALS: Final = 5
RISING_MIN_RATIO: Final = 1.2
RISING_MIN_Z: Final = 3.0

Key = TypeVar("Key", int, str)


def is_rising(volume: int, previous: Sequence[int]) -> bool:
    """Significantly above the usual level (the mean of ``previous``).

    The spread is the larger of the Poisson spread and the wander between the earlier
    periods, plus the uncertainty of the usual level itself.
    """
    if volume < RISING_MIN_SIGNALS or not previous:
        return False
    usual = sum(previous) / len(previous)
    if volume < RISING_MIN_RATIO * usual:
        return False
    wander = float(np.var(previous, ddof=1)) if len(previous) > 1 else 0.0
    spread = max(usual, wander, 1.0) + usual / len(previous)
    return (volume - usual) / math.sqrt(spread) >= RISING_MIN_Z


def without_weekdays(values: np.ndarray, first: date) -> np.ndarray:
    """Each series (a row of daily counts from ``first``) minus its weekday means: what is
    left is movement, not the week's rhythm."""
    weekday = (np.arange(values.shape[1]) + first.weekday()) % 7
    means = np.zeros((values.shape[0], 7))
    for day in range(7):
        if (weekday == day).any():
            means[:, day] = values[:, weekday == day].mean(axis=1)
    return np.asarray(values - means[:, weekday])


def correlations(own: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Pearson correlation of ``own`` with each row of ``others``; NaN where one is flat."""
    own_centred = own - own.mean()
    centred = others - others.mean(axis=1, keepdims=True)
    norms = np.sqrt((centred**2).sum(axis=1) * (own_centred**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(norms > 0, centred @ own_centred / norms, np.nan))


def weekly(values: Sequence[int]) -> list[int]:
    """Daily counts summed per whole week, the last week ending on the last day (a shorter
    first bucket holds the days before the first whole week)."""
    start = len(values) % 7
    head = [sum(values[:start])] if start else []
    return head + [sum(values[i : i + 7]) for i in range(start, len(values), 7)]


@dataclass(frozen=True)
class RateChange(Generic[Key]):
    """One series' count in a period against its rate over a history before it.

    ``expected``: the history's daily rate times the period's days; ``ratio``: the period's
    daily rate over the history's (None without history); ``q_value``: the p-value of an
    exact conditional test of the two Poisson rates after Benjamini-Hochberg over every
    series compared.
    """

    key: Key
    count: int
    before: int
    expected: float
    ratio: float | None
    p_value: float
    q_value: float


def compare_rates(
    counts: Mapping[Key, int], history: Mapping[Key, int], *, days: int, history_days: int
) -> list[RateChange[Key]]:
    """Every series with a signal in either window, in the order of its key.

    Given ``n + before`` signals in all, how surprising is the split between the windows if
    the rate stayed the same? Many series are tested at once, so the false-discovery control
    keeps a few from "changing" by chance every time.
    """
    keys = sorted(k for k in set(counts) | set(history) if counts.get(k, 0) + history.get(k, 0))
    share = days / (days + history_days)
    p_values = [
        float(stats.binomtest(counts.get(k, 0), counts.get(k, 0) + history.get(k, 0), share).pvalue)
        for k in keys
    ]
    q_values = stats.false_discovery_control(p_values) if p_values else []
    changes = []
    for key, p, q in zip(keys, p_values, q_values, strict=True):
        n, before = counts.get(key, 0), history.get(key, 0)
        rate_before = before / history_days
        changes.append(
            RateChange(
                key=key,
                count=n,
                before=before,
                expected=rate_before * days,
                ratio=(n / days) / rate_before if before else None,
                p_value=p,
                q_value=float(q),
            )
        )
    return changes
