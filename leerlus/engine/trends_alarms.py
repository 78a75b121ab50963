# SPDX-License-Identifier: EUPL-1.2
"""Alarm days in one daily series: spikes, their episodes, and level shifts.

:func:`spike_days` flags days whose last 1, 2, 3 or 7 days are improbably high under a
negative binomial around the expected level; :func:`episodes` joins alarm days into alerts;
:func:`excluded_days` says which alert days to keep out of the level; :func:`shift_alerts`
finds lasting moves of the level up or down. :func:`leerlus.engine.trends.detect` turns
them into alerts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats  # type: ignore[import-untyped]  # scipy ships no stubs

from leerlus.engine.trends_level import ExpectedLevel, cumsum, window_sum

if TYPE_CHECKING:
    from leerlus.engine.trends import TrendSettings

__all__ = ["SpikeDays", "episodes", "excluded_days", "nb_sf", "shift_alerts", "spike_days"]


def nb_sf(observed: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """P(X >= observed) for a negative binomial with this mean and variance (Poisson if equal)."""
    mean = np.maximum(mean, 1e-12)
    extra = np.maximum(variance - mean, 1e-12 * mean)
    size = mean**2 / extra
    prob = size / (size + mean)
    out = stats.nbinom.sf(observed - 1, size, prob)
    poisson = extra < 1e-9 * mean
    if poisson.any():
        out = np.where(poisson, stats.poisson.sf(observed - 1, mean), out)
    return np.asarray(out, dtype=np.float64)


@dataclass
class SpikeDays:
    alarm: np.ndarray  # bool per day
    p_value: np.ndarray
    window: np.ndarray  # which window length triggered
    observed: np.ndarray
    expected: np.ndarray


def spike_days(
    y: np.ndarray, fit: ExpectedLevel, settings: TrendSettings, first_day: int
) -> SpikeDays:
    n = len(y)
    windows = settings.spike_windows
    alpha_day = settings.false_alarms_per_year * settings.spike_share / 365.0 / len(windows)
    best_p = np.ones(n)
    best_w = np.ones(n, dtype=np.int64)
    best_o = np.zeros(n)
    best_e = np.zeros(n)
    alarm = np.zeros(n, dtype=bool)
    cy = cumsum(y)
    t = np.arange(n)
    cp = cumsum(fit.profile)
    cp2 = cumsum(fit.profile**2)
    for m in windows:
        start = t - m + 1
        valid = start >= first_day
        s = np.clip(start, 0, n - 1)
        # The level as it stood before the window began, so a burst cannot hide itself.
        level, disp = fit.level[s], fit.dispersion[s]
        level_error = 1.0 / (fit.level_count[s] + 3.0)
        mean = level * window_sum(cp, start, t + 1)
        sq = level**2 * window_sum(cp2, start, t + 1)
        variance = mean + level_error * mean**2 + disp * sq
        observed = window_sum(cy, start, t + 1)
        p = nb_sf(observed, mean, variance)
        ok = (
            valid
            & (observed >= settings.min_count)
            & ((observed + 0.5) >= settings.min_ratio * (mean + 0.5))
        )
        p = np.where(ok, p, 1.0)
        better = p < best_p
        best_p = np.where(better, p, best_p)
        best_w = np.where(better, m, best_w)
        best_o = np.where(better, observed, best_o)
        best_e = np.where(better, mean, best_e)
        alarm |= p < alpha_day
    return SpikeDays(alarm, best_p, best_w, best_o, best_e)


def episodes(alarm: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of alarm days, merging runs separated by at most ``gap`` quiet days."""
    days = np.flatnonzero(alarm)
    if len(days) == 0:
        return []
    out: list[tuple[int, int]] = []
    lo = hi = int(days[0])
    for d in days[1:]:
        if d - hi <= gap + 1:
            hi = int(d)
        else:
            out.append((lo, hi))
            lo = hi = int(d)
    out.append((lo, hi))
    return out


def excluded_days(alarm: np.ndarray, settings: TrendSettings) -> np.ndarray:
    """Alert days to keep out of the level: the first ``exclude_alert_days`` of each alert."""
    out = np.zeros(len(alarm), dtype=bool)
    for lo, hi in episodes(alarm, settings.merge_gap_days):
        # The window that triggered may have begun up to two days before the first alarm.
        first = max(0, lo - max(settings.spike_windows) + 1)
        out[first : min(hi, first + settings.exclude_alert_days) + 1] = True
    return out


def shift_alerts(
    y: np.ndarray,
    fit: ExpectedLevel,
    settings: TrendSettings,
    first_day: int,
    excluded: np.ndarray,
) -> list[tuple[int, int, float, float, float, str]]:
    """(start, raised, observed, expected, p, direction) of level shifts in one series."""
    n = len(y)
    r, ref = settings.shift_window, settings.shift_reference
    if n < first_day + r + ref:
        return []
    t = np.arange(n)
    keep = (~excluded).astype(np.float64)
    cy, cp = cumsum(y), cumsum(fit.profile)
    cyk, cpk = cumsum(y * keep), cumsum(fit.profile * keep)
    obs = window_sum(cy, t - r + 1, t + 1)
    prof = window_sum(cp, t - r + 1, t + 1)
    ref_y = window_sum(cyk, t - r + 1 - ref, t - r + 1)
    ref_p = window_sum(cpk, t - r + 1 - ref, t - r + 1)
    rate = (ref_y + 0.5) / np.maximum(ref_p, 1e-9)
    expected = rate * prof
    log_ratio = np.log((obs + 0.5) / (expected + 0.5))
    # Under no change: Poisson noise of both windows plus the series' daily overdispersion.
    sq = window_sum(cumsum(fit.profile**2), t - r + 1, t + 1) * rate**2
    null_var = (
        1.0 / (expected + 0.5) + 1.0 / (ref_y + 0.5) + fit.dispersion * sq / (expected + 0.5) ** 2
    )
    valid = (t - r + 1 - ref >= first_day) & (ref_p > 1.0) & (prof > 0.5)
    # The series' own wander between windows: the spread of the statistic in its past half
    # year (values clipped, so a past burst counts once, not as its size), less the noise.
    clipped = np.where(valid, np.clip(log_ratio, -0.7, 0.7), 0.0)
    excess = np.where(valid, clipped**2 - null_var, 0.0)
    c_n, c_e = cumsum(valid.astype(np.float64)), cumsum(excess)
    past_n = window_sum(c_n, t - settings.dispersion_window, t - r + 1)
    past_e = window_sum(c_e, t - settings.dispersion_window, t - r + 1)
    # Shrunk toward a ±15 % wander with the weight of 28 days of history.
    wander = np.maximum((past_e + 0.02 * 28.0) / (past_n + 28.0), 0.0)
    z = log_ratio / np.sqrt(null_var + wander)
    alpha = settings.false_alarms_per_year * (1 - settings.spike_share) / 365.0 * 3.0
    crit = stats.norm.isf(alpha / 2)
    big = np.abs(log_ratio) >= math.log(settings.shift_min_ratio)
    enough = np.maximum(obs, expected) >= settings.shift_min_count
    # Persistence: an upward shift must hold without its largest day (not one spike), and
    # any shift must hold for three days running.
    for i in map(int, np.flatnonzero(valid & big & enough & (z > crit))):
        share = fit.profile[max(0, i - r + 1) : i + 1]
        trimmed = obs[i] - y[max(0, i - r + 1) : i + 1].max()
        trimmed_expected = expected[i] * (1 - share.max() / max(share.sum(), 1e-9))
        if (trimmed + 0.5) / (trimmed_expected + 0.5) < settings.shift_min_ratio:
            z[i] = 0.0
    hold = (np.abs(z) > crit) & big & enough & valid
    up, down = hold & (z > 0), hold & (z < 0)
    up3 = up & np.roll(up, 1) & np.roll(up, 2)
    down3 = down & np.roll(down, 1) & np.roll(down, 2)
    up3[:2] = down3[:2] = False
    fire = up3 | down3
    out: list[tuple[int, int, float, float, float, str]] = []
    quiet_until = -1
    for i in map(int, np.flatnonzero(fire)):
        if i <= quiet_until:
            continue
        direction = "up" if z[i] > 0 else "down"
        p = float(2 * stats.norm.sf(abs(z[i])))
        out.append((int(i - r + 1), int(i), float(obs[i]), float(expected[i]), p, direction))
        quiet_until = int(i + r + ref)  # until the reference window has moved past it
    return out
