# SPDX-License-Identifier: EUPL-1.2
"""The expected level of a daily series: profile, level, season and dispersion, day by day.

``level x profile x season`` (see :mod:`leerlus.engine.trends`): the weekday and calendar
profile by a penalised Poisson regression on the series' own past (:func:`fit_profile`),
refitted every quarter; the level from the previous 28 days; last year's movement as the
season; and the negative binomial dispersion of the one-step residuals. Everything on day
*t* is computed from the days before it, so the detector never looks ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from leerlus.engine.trends import TrendSettings

__all__ = ["ExpectedLevel", "cumsum", "fit_profile", "level_of", "profiles", "window_sum"]


def fit_profile(
    y: np.ndarray,
    x: np.ndarray,
    prior: np.ndarray,
    prior_weight: float,
    block_days: int = 28,
    smooth: float = 2.0,
) -> np.ndarray:
    """Profile coefficients by penalised Poisson regression with a smooth block level.

    log E[y_t] = a[block(t)] + x_t · b; the block levels are tied by a random-walk penalty
    and b is pulled toward ``prior`` with weight ``prior_weight`` (in units of counts).
    """
    n, p = x.shape
    if n == 0:
        return prior.copy()
    blocks = np.arange(n) // block_days
    n_blocks = int(blocks[-1]) + 1
    block_sum = np.bincount(blocks, weights=y, minlength=n_blocks)
    block_len = np.bincount(blocks, minlength=n_blocks)
    a = np.log((block_sum + 0.5) / block_len)
    b = prior.copy()
    diff = np.diff(np.eye(n_blocks), axis=0)
    rw = smooth * diff.T @ diff + 1e-4 * np.eye(n_blocks)
    a0 = a.copy()
    lam = prior_weight

    def objective(a_: np.ndarray, b_: np.ndarray) -> float:
        eta = a_[blocks] + x @ b_
        mu = np.exp(np.minimum(eta, 30.0))
        pen = 0.5 * (a_ - a0) @ rw @ (a_ - a0)
        return float(np.sum(mu - y * eta) + pen + 0.5 * lam * np.sum((b_ - prior) ** 2))

    current = objective(a, b)
    for _ in range(30):
        eta = a[blocks] + x @ b
        mu = np.exp(np.minimum(eta, 30.0))
        r = mu - y
        grad_a = np.bincount(blocks, weights=r, minlength=n_blocks) + rw @ (a - a0)
        grad_b = x.T @ r + lam * (b - prior)
        h_aa = np.diag(np.bincount(blocks, weights=mu, minlength=n_blocks)) + rw
        xm = x * mu[:, None]
        h_ab = np.zeros((n_blocks, p))
        np.add.at(h_ab, blocks, xm)
        h_bb = x.T @ xm + lam * np.eye(p)
        hess = np.block([[h_aa, h_ab], [h_ab.T, h_bb]])
        grad = np.concatenate([grad_a, grad_b])
        try:
            step = np.linalg.solve(hess + 1e-9 * np.eye(n_blocks + p), grad)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while t > 1e-4:
            a_new, b_new = a - t * step[:n_blocks], b - t * step[n_blocks:]
            value = objective(a_new, b_new)
            if value <= current:
                break
            t /= 2
        else:
            break
        a, b = a_new, b_new
        improvement = current - value
        current = value
        if improvement < 1e-7 * (1.0 + abs(current)):
            break
    return b


@dataclass
class ExpectedLevel:
    """One series' expected level per day, as the online detector saw it (no look-ahead)."""

    expected: np.ndarray  # μ_t: level x profile x season
    profile: np.ndarray  # P_t (season included)
    level: np.ndarray  # L_t from the window before t
    level_count: np.ndarray  # counts in that window (how sure the level is)
    dispersion: np.ndarray  # negative binomial alpha per day (overdispersion beyond the level)


def profiles(
    counts: np.ndarray,
    x: np.ndarray,
    settings: TrendSettings,
    prior: np.ndarray | None,
    prior_weight: float,
) -> np.ndarray:
    """Profile P_t per day, each fitted on the past only (refitted on a schedule)."""
    n = len(counts)
    refits = [0, settings.warmup_days, 2 * settings.warmup_days]
    point = settings.refit_every
    while point < n:
        refits.append(point)
        point += settings.refit_every
    refits = sorted({r for r in refits if r < n})
    coef_prior = prior if prior is not None else np.zeros(x.shape[1])
    profile = np.ones(n)
    for j, at in enumerate(refits):
        until = refits[j + 1] if j + 1 < len(refits) else n
        # The first stretch (before any history) uses the prior; fits use the past year only.
        if at == 0:
            b = coef_prior
        else:
            lo = max(0, at - settings.profile_history)
            b = fit_profile(counts[lo:at].astype(np.float64), x[lo:at], coef_prior, prior_weight)
        profile[at:until] = np.exp(np.clip(x[at:until] @ b, -12.0, 5.0))
    return profile


def window_sum(cum: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sums over [lo, hi) from a cumulative array with a leading zero (indices clipped)."""
    n = len(cum) - 1
    return cum[np.clip(hi, 0, n)] - cum[np.clip(lo, 0, n)]


def cumsum(values: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])


def level_of(
    y: np.ndarray,
    x: np.ndarray,
    settings: TrendSettings,
    prior: np.ndarray | None,
    excluded: np.ndarray | None,
) -> ExpectedLevel:
    """:func:`leerlus.engine.trends.expected_level` of the counts ``y`` with day features
    ``x`` (:func:`~leerlus.engine.trends.design_matrix`)."""
    n = len(y)
    weight = settings.prior_weight if prior is not None else 1.0
    profile = profiles(y, x, settings, prior, weight)
    keep = np.ones(n) if excluded is None else (~excluded).astype(np.float64)
    cy, cp = cumsum(y * keep), cumsum(profile * keep)
    t = np.arange(n)
    w = settings.level_window
    win_y = window_sum(cy, t - w, t)
    win_p = window_sum(cp, t - w, t)
    # The window's rate, steadied by two signals' worth of the longer past's rate, so a sparse
    # series with an empty window does not expect nothing at all.
    long_y = window_sum(cy, t - settings.dispersion_window, t)
    long_p = window_sum(cp, t - settings.dispersion_window, t)
    long_rate = (long_y + 0.5) / np.maximum(long_p, 1.0)
    level = (win_y + 2.0) / (win_p + 2.0 / long_rate)
    season = np.ones(n)
    if settings.season and n > 364 + w:
        lag = 364
        # Last year's movement from its level window to a fortnight around the same day.
        now_y = window_sum(cy, t - lag - 7, t - lag + 7)
        now_p = window_sum(cp, t - lag - 7, t - lag + 7)
        then_y = window_sum(cy, t - lag - w, t - lag)
        then_p = window_sum(cp, t - lag - w, t - lag)
        ok = (t - lag - w >= 0) & (now_p > 1.0) & (then_p > 1.0)
        ratio = ((now_y + 0.5) / np.maximum(now_p, 1e-9)) / (
            (then_y + 0.5) / np.maximum(then_p, 1e-9)
        )
        credibility = np.minimum(now_y, then_y) / (np.minimum(now_y, then_y) + 20.0)
        season = np.where(ok, np.exp(credibility * np.log(ratio)), 1.0)
        season = np.clip(season, 0.2, 5.0)
    expected = level * profile * season
    # Dispersion from the one-step residuals of the last half year (alert days left out).
    # Days far beyond even very bursty noise (a real burst the alerts did not cover) are
    # winsorised at six standard deviations of a negative binomial with alpha 1, so that one
    # burst does not blind the detector for half a year.
    capped = np.minimum(y, expected + 6.0 * np.sqrt(expected + expected**2))
    resid = ((capped - expected) ** 2 - capped) * keep
    cr, cm = cumsum(resid), cumsum(expected**2 * keep)
    d = settings.dispersion_window
    num = window_sum(cr, t - d, t)
    den = window_sum(cm, t - d, t)
    # Shrunk toward a mild 0.02 with the weight of 10 squared counts.
    raw = (num + 0.02 * 10.0) / (den + 10.0)
    level_error = 1.0 / (win_y + 3.0)
    dispersion = np.maximum(raw * settings.dispersion_safety - level_error, 0.0)
    return ExpectedLevel(
        expected=expected,
        profile=profile * season,
        level=level,
        level_count=win_y,
        dispersion=dispersion,
    )
