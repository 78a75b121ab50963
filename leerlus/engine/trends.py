"""Daily series per theme x channel x service, their expected level, alerts and before/after.

The expected level of a series on day *t* is ``level x profile x season``:

* **profile**: weekday, public holiday, bridge day, school holiday share and Christmas
  factors from a penalised Poisson regression on the series' own past (the last year, with a
  smooth 28-day level absorbing drift), shrunk toward the profile of its channel's total, so
  a sparse series borrows the weekday pattern of its channel. Refitted every quarter on the
  past only: the detector never looks ahead.
* **level**: the series' rate per unit of profile over the previous 28 days, leaving out days
  that were part of an alert (for at most 14 days, after which a new level is accepted).
* **season**: with a year of history, last year's movement from the level window to the
  same day (spring passport rush, WOZ objections in February), shrunk toward no change when
  last year's counts were few.

Alerts, each with a controlled false-alarm rate per series-year:

* ``spike``: the count of the last 1, 2, 3 or 7 days is improbably high under a negative
  binomial whose dispersion is estimated from the series' own one-step residuals of the past
  year (days beyond six standard deviations winsorised, the estimate inflated by 1.3 because
  an underestimate costs false alarms), plus the uncertainty of the level. The per-day
  threshold is 80 % of ``false_alarms_per_year / 365``, split over the windows; alert days
  within two days of each other make one alert.
* ``level_shift``: the last 14 days differ from the 56 before them by more than the series'
  own window-to-window wander (estimated from its past half year) allows, for three days
  running, and an upward shift still holds without its largest day: up or down. It gets the
  other 20 % of the false-alarm budget.
* ``new_theme``: a theme with (almost) nothing in the 56 days before and at least
  ``min_new`` signals in the last 14.

:func:`compare_around` is the before/after around an event (a release, a campaign, an
experiment) over every series at once, with Benjamini-Hochberg control of false discoveries,
so it lists "what changed elsewhere".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

import numpy as np
from scipy import stats  # type: ignore[import-untyped]  # scipy ships no stubs

from leerlus.engine.calendar_nl import DAY_FEATURES, DayCalendar, DutchCalendar

__all__ = [
    "ALL",
    "Alert",
    "Change",
    "ExpectedLevel",
    "SeriesKey",
    "SeriesSet",
    "TrendSettings",
    "build_series",
    "compare_around",
    "design_matrix",
    "detect",
    "expected_level",
    "scan",
]

ALL: Final = "*"
Progress = Callable[[int, int], None]


@dataclass(frozen=True, order=True)
class SeriesKey:
    """Which signals a series counts: a theme, a channel, a service, or ``ALL`` of them."""

    theme: str = ALL
    channel: str = ALL
    service: str = ALL

    @property
    def label(self) -> str:
        parts = [p for p in (self.theme, self.channel, self.service) if p != ALL]
        return " · ".join(parts) if parts else "all signals"

    @property
    def depth(self) -> int:
        return sum(p != ALL for p in (self.theme, self.channel, self.service))

    def as_dict(self) -> dict[str, str | None]:
        return {
            "theme": None if self.theme == ALL else self.theme,
            "channel": None if self.channel == ALL else self.channel,
            "service": None if self.service == ALL else self.service,
        }


@dataclass(frozen=True)
class TrendSettings:
    """Detector settings; the defaults are the ones benchmarked in ``docs/benchmarks.md``."""

    false_alarms_per_year: float = 1.0  # target per series-year, all alert kinds together
    warmup_days: int = 28
    level_window: int = 28
    spike_windows: tuple[int, ...] = (1, 2, 3, 7)
    min_count: int = 3
    min_ratio: float = 1.5
    merge_gap_days: int = 2
    exclude_alert_days: int = 14
    dispersion_window: int = 364
    # The dispersion estimate is noisy and an underestimate costs more false alarms than an
    # overestimate costs power: it is inflated by this factor (benchmarked).
    dispersion_safety: float = 1.3
    refit_every: int = 91
    profile_history: int = 364
    prior_weight: float = 30.0
    shift_window: int = 14
    shift_reference: int = 56
    shift_min_ratio: float = 1.3
    shift_min_count: int = 10
    new_window: int = 14
    new_reference: int = 56
    min_new: int = 5
    season: bool = True
    # Share of the false-alarm budget spent on spikes; the rest goes to level shifts.
    spike_share: float = 0.8


@dataclass(frozen=True)
class Alert:
    key: SeriesKey
    kind: str  # "spike", "level_shift" or "new_theme"
    start: date
    end: date
    raised: date  # the first day on which the detector would have raised it
    observed: int
    expected: float
    p_value: float
    direction: str = "up"

    @property
    def ratio(self) -> float:
        return (self.observed + 0.5) / (self.expected + 0.5)

    @property
    def score(self) -> float:
        """Surprise: -log10 of the p-value (3 is one in a thousand)."""
        return -math.log10(max(self.p_value, 1e-300))


@dataclass
class SeriesSet:
    """Daily counts for many series over one run of consecutive days, plus item membership.

    ``counts[k, d]`` is the number of items of ``keys[k]`` on ``days[d]``. The item arrays
    (day index, theme, channel, service per item) let :meth:`items` say which items make up
    an alert.
    """

    days: list[date]
    keys: list[SeriesKey]
    counts: np.ndarray
    item_day: np.ndarray
    item_theme: np.ndarray
    item_channel: np.ndarray
    item_service: np.ndarray
    index: dict[SeriesKey, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {key: i for i, key in enumerate(self.keys)}

    def day_index(self, day: date) -> int:
        return (day - self.days[0]).days

    def series(self, key: SeriesKey) -> np.ndarray:
        return self.counts[self.index[key]]

    def items(self, key: SeriesKey, first: date, last: date) -> np.ndarray:
        """Indices (in input order) of the items of ``key`` from ``first`` to ``last``."""
        lo, hi = self.day_index(first), self.day_index(last)
        mask = (self.item_day >= lo) & (self.item_day <= hi)
        if key.theme != ALL:
            mask &= self.item_theme == key.theme
        if key.channel != ALL:
            mask &= self.item_channel == key.channel
        if key.service != ALL:
            mask &= self.item_service == key.service
        return np.flatnonzero(mask)


def build_series(
    days: Sequence[date],
    themes: Sequence[str],
    channels: Sequence[str] | None = None,
    services: Sequence[str] | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    min_items: int = 10,
    totals: bool = True,
) -> SeriesSet:
    """Daily series from item-level data (one date and theme per item).

    Series: every theme; theme x channel and theme x service (and theme x channel x service)
    where those are given; with ``totals``, every channel and service over all themes and the
    grand total. Series with fewer than ``min_items`` items are left out (themes never are).
    Days run from ``start`` (default: the first item) to ``end`` (default: the last).
    """
    n = len(days)
    if len(themes) != n or (channels is not None and len(channels) != n):
        raise ValueError("days, themes and channels must have the same length")
    if services is not None and len(services) != n:
        raise ValueError("days, themes and services must have the same length")
    if n == 0 and (start is None or end is None):
        raise ValueError("no items and no period")
    first = start or min(days)
    last = end or max(days)
    if last < first:
        raise ValueError("the period ends before it starts")
    n_days = (last - first).days + 1
    item_day = np.array([(d - first).days for d in days], dtype=np.int64)
    inside = (item_day >= 0) & (item_day < n_days)
    item_theme = np.array([str(t) for t in themes], dtype=object)
    item_channel = np.array(
        [str(c) for c in channels] if channels is not None else [ALL] * n, dtype=object
    )
    item_service = np.array(
        [str(s) for s in services] if services is not None else [ALL] * n, dtype=object
    )
    groups: dict[SeriesKey, list[int]] = {}

    def add(key: SeriesKey, i: int) -> None:
        groups.setdefault(key, []).append(i)

    for i in map(int, np.flatnonzero(inside)):
        t, c, s = item_theme[i], item_channel[i], item_service[i]
        add(SeriesKey(t), i)
        if channels is not None:
            add(SeriesKey(t, c), i)
        if services is not None:
            add(SeriesKey(t, ALL, s), i)
        if channels is not None and services is not None:
            add(SeriesKey(t, c, s), i)
        if totals:
            add(SeriesKey(), i)
            if channels is not None:
                add(SeriesKey(ALL, c), i)
            if services is not None:
                add(SeriesKey(ALL, ALL, s), i)
    keys = sorted(k for k, members in groups.items() if len(members) >= min_items or k.depth <= 1)
    counts = np.zeros((len(keys), n_days), dtype=np.int64)
    for k, key in enumerate(keys):
        counts[k] = np.bincount(item_day[groups[key]], minlength=n_days)
    return SeriesSet(
        days=[first + timedelta(days=i) for i in range(n_days)],
        keys=keys,
        counts=counts,
        item_day=np.where(inside, item_day, -1),
        item_theme=item_theme,
        item_channel=item_channel,
        item_service=item_service,
    )


# --- the expected level ----------------------------------------------------------------------

N_PROFILE: Final = 6 + len(DAY_FEATURES)  # weekday dummies (Tuesday..Sunday) + calendar


def design_matrix(days: Sequence[date], calendar: DayCalendar | None = None) -> np.ndarray:
    """Profile features per day: weekday dummies (Monday is the base) and calendar features."""
    calendar = calendar or DutchCalendar()
    weekday = np.array([d.weekday() for d in days], dtype=np.int64)
    dummies = (weekday[:, None] == np.arange(1, 7)[None, :]).astype(np.float64)
    return np.hstack([dummies, calendar.features(days)])


def _fit_profile(
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


def _profiles(
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
            b = _fit_profile(counts[lo:at].astype(np.float64), x[lo:at], coef_prior, prior_weight)
        profile[at:until] = np.exp(np.clip(x[at:until] @ b, -12.0, 5.0))
    return profile


def _window_sum(cum: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sums over [lo, hi) from a cumulative array with a leading zero (indices clipped)."""
    n = len(cum) - 1
    return cum[np.clip(hi, 0, n)] - cum[np.clip(lo, 0, n)]


def _cumsum(values: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])


def expected_level(
    counts: np.ndarray,
    days: Sequence[date],
    *,
    settings: TrendSettings | None = None,
    calendar: DayCalendar | None = None,
    prior: np.ndarray | None = None,
    excluded: np.ndarray | None = None,
    design: np.ndarray | None = None,
) -> ExpectedLevel:
    """The expected level of one daily series, day by day, from its past only.

    ``prior`` is the profile coefficients to shrink toward (a channel total's), ``excluded``
    marks days to leave out of level and dispersion estimates (alert days).
    """
    settings = settings or TrendSettings()
    y = np.asarray(counts, dtype=np.float64)
    n = len(y)
    x = design if design is not None else design_matrix(days, calendar)
    weight = settings.prior_weight if prior is not None else 1.0
    profile = _profiles(y, x, settings, prior, weight)
    keep = np.ones(n) if excluded is None else (~excluded).astype(np.float64)
    cy, cp = _cumsum(y * keep), _cumsum(profile * keep)
    t = np.arange(n)
    w = settings.level_window
    win_y = _window_sum(cy, t - w, t)
    win_p = _window_sum(cp, t - w, t)
    # The window's rate, steadied by two signals' worth of the longer past's rate, so a sparse
    # series with an empty window does not expect nothing at all.
    long_y = _window_sum(cy, t - settings.dispersion_window, t)
    long_p = _window_sum(cp, t - settings.dispersion_window, t)
    long_rate = (long_y + 0.5) / np.maximum(long_p, 1.0)
    level = (win_y + 2.0) / (win_p + 2.0 / long_rate)
    season = np.ones(n)
    if settings.season and n > 364 + w:
        lag = 364
        # Last year's movement from its level window to a fortnight around the same day.
        now_y = _window_sum(cy, t - lag - 7, t - lag + 7)
        now_p = _window_sum(cp, t - lag - 7, t - lag + 7)
        then_y = _window_sum(cy, t - lag - w, t - lag)
        then_p = _window_sum(cp, t - lag - w, t - lag)
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
    cr, cm = _cumsum(resid), _cumsum(expected**2 * keep)
    d = settings.dispersion_window
    num = _window_sum(cr, t - d, t)
    den = _window_sum(cm, t - d, t)
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


# --- detection -----------------------------------------------------------------------------


def _nb_sf(observed: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
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


def _nb_cdf(observed: np.ndarray, mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
    mean = np.maximum(mean, 1e-12)
    extra = np.maximum(variance - mean, 1e-12 * mean)
    size = mean**2 / extra
    prob = size / (size + mean)
    return np.asarray(stats.nbinom.cdf(observed, size, prob), dtype=np.float64)


@dataclass
class _SpikeDays:
    alarm: np.ndarray  # bool per day
    p_value: np.ndarray
    window: np.ndarray  # which window length triggered
    observed: np.ndarray
    expected: np.ndarray


def _spike_days(
    y: np.ndarray, fit: ExpectedLevel, settings: TrendSettings, first_day: int
) -> _SpikeDays:
    n = len(y)
    windows = settings.spike_windows
    alpha_day = settings.false_alarms_per_year * settings.spike_share / 365.0 / len(windows)
    best_p = np.ones(n)
    best_w = np.ones(n, dtype=np.int64)
    best_o = np.zeros(n)
    best_e = np.zeros(n)
    alarm = np.zeros(n, dtype=bool)
    cy = _cumsum(y)
    t = np.arange(n)
    cp = _cumsum(fit.profile)
    cp2 = _cumsum(fit.profile**2)
    for m in windows:
        start = t - m + 1
        valid = start >= first_day
        s = np.clip(start, 0, n - 1)
        # The level as it stood before the window began, so a burst cannot hide itself.
        level, disp = fit.level[s], fit.dispersion[s]
        level_error = 1.0 / (fit.level_count[s] + 3.0)
        mean = level * _window_sum(cp, start, t + 1)
        sq = level**2 * _window_sum(cp2, start, t + 1)
        variance = mean + level_error * mean**2 + disp * sq
        observed = _window_sum(cy, start, t + 1)
        p = _nb_sf(observed, mean, variance)
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
    return _SpikeDays(alarm, best_p, best_w, best_o, best_e)


def _episodes(alarm: np.ndarray, gap: int) -> list[tuple[int, int]]:
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


def _excluded_days(alarm: np.ndarray, settings: TrendSettings) -> np.ndarray:
    """Alert days to keep out of the level: the first ``exclude_alert_days`` of each alert."""
    out = np.zeros(len(alarm), dtype=bool)
    for lo, hi in _episodes(alarm, settings.merge_gap_days):
        # The window that triggered may have begun up to two days before the first alarm.
        first = max(0, lo - max(settings.spike_windows) + 1)
        out[first : min(hi, first + settings.exclude_alert_days) + 1] = True
    return out


def _shift_alerts(
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
    cy, cp = _cumsum(y), _cumsum(fit.profile)
    cyk, cpk = _cumsum(y * keep), _cumsum(fit.profile * keep)
    obs = _window_sum(cy, t - r + 1, t + 1)
    prof = _window_sum(cp, t - r + 1, t + 1)
    ref_y = _window_sum(cyk, t - r + 1 - ref, t - r + 1)
    ref_p = _window_sum(cpk, t - r + 1 - ref, t - r + 1)
    rate = (ref_y + 0.5) / np.maximum(ref_p, 1e-9)
    expected = rate * prof
    log_ratio = np.log((obs + 0.5) / (expected + 0.5))
    # Under no change: Poisson noise of both windows plus the series' daily overdispersion.
    sq = _window_sum(_cumsum(fit.profile**2), t - r + 1, t + 1) * rate**2
    null_var = (
        1.0 / (expected + 0.5) + 1.0 / (ref_y + 0.5) + fit.dispersion * sq / (expected + 0.5) ** 2
    )
    valid = (t - r + 1 - ref >= first_day) & (ref_p > 1.0) & (prof > 0.5)
    # The series' own wander between windows: the spread of the statistic in its past half
    # year (values clipped, so a past burst counts once, not as its size), less the noise.
    clipped = np.where(valid, np.clip(log_ratio, -0.7, 0.7), 0.0)
    excess = np.where(valid, clipped**2 - null_var, 0.0)
    c_n, c_e = _cumsum(valid.astype(np.float64)), _cumsum(excess)
    past_n = _window_sum(c_n, t - settings.dispersion_window, t - r + 1)
    past_e = _window_sum(c_e, t - settings.dispersion_window, t - r + 1)
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


def detect(
    counts: np.ndarray,
    days: Sequence[date],
    key: SeriesKey | None = None,
    *,
    settings: TrendSettings | None = None,
    calendar: DayCalendar | None = None,
    prior: np.ndarray | None = None,
    design: np.ndarray | None = None,
    first_day: int = 0,
) -> list[Alert]:
    """Spikes and level shifts in one daily series, as an online detector would raise them.

    ``first_day`` is the first day the series could have had signals (its start of data);
    nothing is raised in the ``warmup_days`` after it.
    """
    settings = settings or TrendSettings()
    key = key or SeriesKey()
    y = np.asarray(counts, dtype=np.float64)
    n = len(y)
    if n == 0 or not np.isfinite(y).all() or (y < 0).any():
        if n and (not np.isfinite(y).all() or (y < 0).any()):
            raise ValueError("counts must be finite and not negative")
        return []
    x = design if design is not None else design_matrix(days, calendar)
    begin = first_day + settings.warmup_days
    excluded = np.zeros(n, dtype=bool)
    fit = expected_level(y, days, settings=settings, prior=prior, design=x)
    spikes = _spike_days(y, fit, settings, begin)
    # Alert days must not raise the level that judges the next days: refit without them.
    for _ in range(3):
        new_excluded = _excluded_days(spikes.alarm, settings)
        if np.array_equal(new_excluded, excluded):
            break
        excluded = new_excluded
        fit = expected_level(y, days, settings=settings, prior=prior, excluded=excluded, design=x)
        spikes = _spike_days(y, fit, settings, begin)
    alerts: list[Alert] = []
    for lo, hi in _episodes(spikes.alarm, settings.merge_gap_days):
        trigger = lo
        m = int(spikes.window[trigger])
        window_start = max(0, trigger - m + 1)
        above = [d for d in range(window_start, hi + 1) if y[d] > fit.expected[d]]
        start = above[0] if above else lo
        peak = lo + int(np.argmin(spikes.p_value[lo : hi + 1]))
        observed = int(y[start : hi + 1].sum())
        level = fit.level[start]
        expected = float(level * fit.profile[start : hi + 1].sum())
        alerts.append(
            Alert(
                key=key,
                kind="spike",
                start=days[start],
                end=days[hi],
                raised=days[trigger],
                observed=observed,
                expected=expected,
                p_value=float(spikes.p_value[peak]),
            )
        )
    for start, raised, obs, exp, p, direction in _shift_alerts(y, fit, settings, begin, excluded):
        alerts.append(
            Alert(
                key=key,
                kind="level_shift",
                start=days[start],
                end=days[raised],
                raised=days[raised],
                observed=int(obs),
                expected=exp,
                p_value=p,
                direction=direction,
            )
        )
    return sorted(alerts, key=lambda a: (a.raised, a.kind))


def _new_theme_alerts(
    y: np.ndarray, days: Sequence[date], key: SeriesKey, settings: TrendSettings
) -> list[Alert]:
    """A theme that was (almost) absent for ``new_reference`` days and now is not."""
    n = len(y)
    w, ref = settings.new_window, settings.new_reference
    cy = _cumsum(y)
    overall = max(float(y.sum()) / max(n, 1), 1e-3)
    alpha = settings.false_alarms_per_year * 0.1 / 365.0
    for i in range(ref + w - 1, n):
        recent = _window_sum(cy, np.array([i - w + 1]), np.array([i + 1]))[0]
        if recent < settings.min_new:
            continue
        before = _window_sum(cy, np.array([i - w + 1 - ref]), np.array([i - w + 1]))[0]
        # "New": the reference window held at most one signal in ten of what came now.
        if before > max(1.0, 0.1 * recent * ref / w):
            continue
        rate = max((before + 0.5) / ref, 0.05 * overall)
        p = float(stats.poisson.sf(recent - 1, rate * w))
        if p < alpha:
            first = i - w + 1 + int(np.flatnonzero(y[i - w + 1 : i + 1] > 0)[0])
            return [
                Alert(
                    key=key,
                    kind="new_theme",
                    start=days[first],
                    end=days[i],
                    raised=days[i],
                    observed=int(recent),
                    expected=float(rate * w),
                    p_value=p,
                )
            ]
    return []


def _priors(
    series: SeriesSet, design: np.ndarray, settings: TrendSettings
) -> dict[str, np.ndarray]:
    """Profile coefficients of every channel's total (and the grand total under ``ALL``)."""
    priors: dict[str, np.ndarray] = {}
    totals: dict[str, np.ndarray] = {}
    for key, row in zip(series.keys, series.counts, strict=True):
        if key.theme == ALL and key.service == ALL:
            totals[key.channel] = row
    if ALL not in totals:
        totals[ALL] = series.counts[[k.depth == 1 and k.theme != ALL for k in series.keys]].sum(
            axis=0
        )
    n = len(series.days)
    for channel, row in totals.items():
        lo = max(0, n - settings.profile_history)
        priors[channel] = _fit_profile(
            row[lo:].astype(np.float64), design[lo:], np.zeros(design.shape[1]), 1.0
        )
    return priors


def scan(
    series: SeriesSet,
    *,
    settings: TrendSettings | None = None,
    calendar: DayCalendar | None = None,
    keys: Sequence[SeriesKey] | None = None,
    progress: Progress | None = None,
) -> list[Alert]:
    """Alerts over every series of ``series`` (or ``keys``), in the order they were raised.

    A theme's new-theme alert replaces its spikes and upward shifts in the same weeks, on the
    theme and on its channel and service series.
    """
    settings = settings or TrendSettings()
    design = design_matrix(series.days, calendar)
    # The channel totals' profiles are fitted on the last year of the whole run: a weekday
    # pattern, not a level, so borrowing it from later data leaks nothing about a spike.
    priors = _priors(series, design, settings)
    todo = list(keys) if keys is not None else list(series.keys)
    alerts: list[Alert] = []
    new_since: dict[str, date] = {}
    for key in todo:
        if key.theme != ALL and key.depth == 1:
            y = series.series(key)
            for alert in _new_theme_alerts(y.astype(np.float64), series.days, key, settings):
                alerts.append(alert)
                new_since[key.theme] = alert.start
    for done, key in enumerate(todo):
        y = series.series(key)
        prior = priors.get(key.channel, priors.get(ALL))
        found = detect(
            y, series.days, key, settings=settings, prior=prior, design=design, first_day=0
        )
        for alert in found:
            since = new_since.get(key.theme)
            if (
                since is not None
                and alert.direction == "up"
                and alert.start <= since + timedelta(days=settings.new_reference)
            ):
                continue
            alerts.append(alert)
        if progress is not None:
            progress(done + 1, len(todo))
    return sorted(alerts, key=lambda a: (a.raised, a.key, a.kind))


# --- before and after ----------------------------------------------------------------------


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


def compare_around(
    series: SeriesSet,
    event: date,
    *,
    before_days: int = 56,
    after_days: int = 21,
    gap_days: int = 0,
    calendar: DayCalendar | None = None,
    confidence: float = 0.95,
    min_count: int = 5,
) -> list[Change]:
    """Before/after around ``event`` for every series, most significant change first.

    After = ``after_days`` from the event day; before = the ``before_days`` ending
    ``gap_days`` before it. The expected after-count carries the before-level forward with the
    weekday and calendar profile (an after-window with a holiday is not a drop). The interval
    of the rate ratio allows for the series' extra week-to-week variation, estimated from the
    before-window's weeks. Series with fewer than ``min_count`` signals in both windows
    together are left out.
    """
    e = series.day_index(event)
    b_hi = e - gap_days
    b_lo = b_hi - before_days
    a_lo, a_hi = e, e + after_days
    if b_lo < 0 or a_hi > len(series.days):
        raise ValueError(
            f"not enough days around {event.isoformat()}: need {before_days + gap_days} before "
            f"and {after_days} from it"
        )
    design = design_matrix(series.days, calendar)
    settings = TrendSettings()
    priors = _priors(series, design, settings)
    z_crit = stats.norm.isf((1 - confidence) / 2)
    rows: list[Change] = []
    for key, y in zip(series.keys, series.counts, strict=True):
        before = int(y[b_lo:b_hi].sum())
        after = int(y[a_lo:a_hi].sum())
        if before + after < min_count:
            continue
        prior = priors.get(key.channel, priors[ALL])
        lo = max(0, b_hi - settings.profile_history)
        coef = _fit_profile(
            y[lo:b_hi].astype(np.float64), design[lo:b_hi], prior, settings.prior_weight
        )
        profile = np.exp(np.clip(design @ coef, -12.0, 5.0))
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
        var = (
            1 / (after + 0.5) + 1 / (before + 0.5) + tau2 * (1 / n_after_weeks + 1 / n_before_weeks)
        )
        log_rr = math.log((after + 0.5) / (expected + 0.5))
        z = log_rr / math.sqrt(var)
        rows.append(
            Change(
                key=key,
                before=before,
                after=after,
                expected_after=expected,
                ratio=math.exp(log_rr),
                low=math.exp(log_rr - z_crit * math.sqrt(var)),
                high=math.exp(log_rr + z_crit * math.sqrt(var)),
                p_value=float(2 * stats.norm.sf(abs(z))),
            )
        )
    q = _benjamini_hochberg(np.array([r.p_value for r in rows]))
    rows = [Change(**{**r.__dict__, "q_value": float(qv)}) for r, qv in zip(rows, q, strict=True)]
    return sorted(rows, key=lambda r: (r.p_value, -abs(math.log(r.ratio)), r.key))


def _benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out
