# SPDX-License-Identifier: EUPL-1.2
"""Before and after an event, for one series: the rate ratio, its interval and p-value.

:func:`leerlus.engine.trends.compare_around` fits each series' weekday and calendar profile on
the days before the event and calls :func:`change_of`, which carries the before-level forward
into the after-window and allows for the series' extra week-to-week variation;
:func:`benjamini_hochberg` then controls false discoveries over all the series compared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats  # type: ignore[import-untyped]  # scipy ships no stubs

if TYPE_CHECKING:
    from leerlus.engine.trends import SeriesKey

__all__ = ["Change", "benjamini_hochberg", "change_of"]


@dataclass(frozen=True)
class Change:
    """How one series moved after an event, against its expected level from before."""

    key: SeriesKey
    before: int
    after: int
    expected_after: float
    ratio: float
    low: float
    high: float
    p_value: float
    q_value: float = 1.0  # Benjamini-Hochberg over all series compared

    @property
    def significant(self) -> bool:
        return self.q_value < 0.05

    @property
    def direction(self) -> str:
        return "up" if self.ratio > 1 else "down"


def change_of(
    key: SeriesKey,
    y: np.ndarray,
    profile: np.ndarray,
    before_window: slice,
    after_window: slice,
    z_crit: float,
) -> Change:
    """How ``y`` moved from ``before_window`` to ``after_window``, with its fitted ``profile``
    carrying the before-level forward (the rate ratio, its interval and p-value)."""
    b_lo, b_hi = before_window.start, before_window.stop
    a_lo, a_hi = after_window.start, after_window.stop
    before_days, after_days = b_hi - b_lo, a_hi - a_lo
    before = int(y[b_lo:b_hi].sum())
    after = int(y[a_lo:a_hi].sum())
    p_before = float(profile[b_lo:b_hi].sum())
    p_after = float(profile[a_lo:a_hi].sum())
    rate = (before + 0.5) / max(p_before, 1e-9)
    expected = rate * p_after
    # Extra variation between weeks of the before-window, beyond Poisson.
    weeks = [(b_lo + 7 * k, b_lo + 7 * k + 7) for k in range(before_days // 7)]
    logs, pois = [], []
    for w_lo, w_hi in weeks:
        wy, wp = float(y[w_lo:w_hi].sum()), float(profile[w_lo:w_hi].sum())
        if wp > 0.1:
            logs.append(math.log((wy + 0.5) / (rate * wp + 0.5)))
            pois.append(1.0 / (rate * wp + 0.5))
    tau2 = 0.0
    if len(logs) >= 3:
        tau2 = max(0.0, float(np.var(logs, ddof=1)) - float(np.mean(pois)))
    n_after_weeks = max(1.0, after_days / 7)
    n_before_weeks = max(1.0, before_days / 7)
    var = 1 / (after + 0.5) + 1 / (before + 0.5) + tau2 * (1 / n_after_weeks + 1 / n_before_weeks)
    log_rr = math.log((after + 0.5) / (expected + 0.5))
    z = log_rr / math.sqrt(var)
    return Change(
        key=key,
        before=before,
        after=after,
        expected_after=expected,
        ratio=math.exp(log_rr),
        low=math.exp(log_rr - z_crit * math.sqrt(var)),
        high=math.exp(log_rr + z_crit * math.sqrt(var)),
        p_value=float(2 * stats.norm.sf(abs(z))),
    )


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out
