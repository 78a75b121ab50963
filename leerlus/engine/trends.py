# SPDX-License-Identifier: EUPL-1.2
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

The parts live beside this module: :mod:`~leerlus.engine.trends_level` (the expected level),
:mod:`~leerlus.engine.trends_alarms` (spike and shift days) and
:mod:`~leerlus.engine.trends_compare` (one series before and after).
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
from leerlus.engine.trends_alarms import episodes, excluded_days, shift_alerts, spike_days
from leerlus.engine.trends_compare import Change, benjamini_hochberg, change_of
from leerlus.engine.trends_level import ExpectedLevel, cumsum, fit_profile, level_of, window_sum

__all__ = [
    "ALL",
    "Alert",
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
    x = design if design is not None else design_matrix(days, calendar)
    return level_of(y, x, settings, prior, excluded)


# --- detection -----------------------------------------------------------------------------


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
    spikes = spike_days(y, fit, settings, begin)
    # Alert days must not raise the level that judges the next days: refit without them.
    for _ in range(3):
        new_excluded = excluded_days(spikes.alarm, settings)
        if np.array_equal(new_excluded, excluded):
            break
        excluded = new_excluded
        fit = expected_level(y, days, settings=settings, prior=prior, excluded=excluded, design=x)
        spikes = spike_days(y, fit, settings, begin)
    alerts: list[Alert] = []
    for lo, hi in episodes(spikes.alarm, settings.merge_gap_days):
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
    for start, raised, obs, exp, p, direction in shift_alerts(y, fit, settings, begin, excluded):
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
    cy = cumsum(y)
    overall = max(float(y.sum()) / max(n, 1), 1e-3)
    alpha = settings.false_alarms_per_year * 0.1 / 365.0
    for i in range(ref + w - 1, n):
        recent = window_sum(cy, np.array([i - w + 1]), np.array([i + 1]))[0]
        if recent < settings.min_new:
            continue
        before = window_sum(cy, np.array([i - w + 1 - ref]), np.array([i - w + 1]))[0]
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
        priors[channel] = fit_profile(
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
        coef = fit_profile(
            y[lo:b_hi].astype(np.float64), design[lo:b_hi], prior, settings.prior_weight
        )
        profile = np.exp(np.clip(design @ coef, -12.0, 5.0))
        rows.append(change_of(key, y, profile, slice(b_lo, b_hi), slice(a_lo, a_hi), z_crit))
    q = benjamini_hochberg(np.array([r.p_value for r in rows]))
    rows = [Change(**{**r.__dict__, "q_value": float(qv)}) for r, qv in zip(rows, q, strict=True)]
    return sorted(rows, key=lambda r: (r.p_value, -abs(math.log(r.ratio)), r.key))
