# SPDX-License-Identifier: EUPL-1.2
"""The effect of an intervention on a theme's volume, with an honest interval.

Two estimators on weekly counts, weeks aligned so that week 0 starts on the event day (every
week holds each weekday once):

* **difference in differences** (with comparison series): the target's share of
  target + comparison is modelled as ``logit share_w = a (+ b·week) + δ·after_w``, a binomial
  model conditional on the weekly total. Anything that moves all themes together (holidays,
  a quiet summer, a new channel) cancels; ``exp(δ) - 1`` is the relative change of the target
  against the comparison.
* **interrupted time series** (no comparison): ``log E[target_w] = a + b·week + δ·after_w``
  plus the number of closed days in the week, a Poisson model.

Both use quasi-likelihood: the variance is the model's times a dispersion estimated from the
Pearson residuals, inflated for the residuals' week-to-week autocorrelation (AR(1),
``(1 + rho) / (1 - rho)``) and for shifts nobody recorded: the same estimator run at placebo
events inside the before-period says how far such shifts carry it. The interval uses
Student's t and is widened by ``interval_scale`` (1.2), the factor that brought the coverage
of placebo events on real CFPB series to 95 %. A trend term is included when the
before-period is long enough to estimate one (``trend_min_weeks``).

"Not enough data" is answered — with the reason — when the before- or after-period is too
short, the target too rare, or the interval so wide that it cannot tell a halving from a
doubling (``max_interval_ratio``): an estimate that cannot support any claim is not shown as
one. The estimator's coverage and bias on series with injected effects are in
``docs/benchmarks.md`` (``bench/effects_bench.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
from scipy import stats  # type: ignore[import-untyped]  # scipy ships no stubs

from leerlus.engine.calendar_nl import DayCalendar, DutchCalendar

__all__ = [
    "NOT_ENOUGH_DATA",
    "OK",
    "EffectEstimate",
    "EffectSettings",
    "estimate_effect",
    "weekly",
]

OK: Final = "ok"
NOT_ENOUGH_DATA: Final = "not_enough_data"


@dataclass(frozen=True)
class EffectSettings:
    confidence: float = 0.95
    max_pre_weeks: int = 52
    max_post_weeks: int = 26
    min_pre_weeks: int = 8
    min_post_weeks: int = 3
    min_pre_count: int = 20
    min_post_expected: float = 5.0
    trend_min_weeks: int = 16
    # An interval whose upper end is more than this times its lower end (on the ratio scale)
    # says nothing useful: 4 cannot tell a halving from a doubling.
    max_interval_ratio: float = 4.0
    # Real series shift more than any model of them says; benchmarked on CFPB placebo events
    # and checked on the generator (docs/benchmarks.md).
    interval_scale: float = 1.2


@dataclass(frozen=True)
class EffectEstimate:
    status: str  # OK or NOT_ENOUGH_DATA
    method: str  # "difference_in_differences" or "interrupted_time_series"
    event: date
    pre_weeks: int
    post_weeks: int
    pre_count: int
    post_count: int
    reason: str = ""
    effect: float | None = None  # relative change: 0.25 is +25 %
    low: float | None = None
    high: float | None = None
    p_value: float | None = None
    per_week: float | None = None  # change in signals per week after the event
    expected_per_week: float | None = None  # without the event (counterfactual)
    confidence: float = 0.95
    trend: bool = False

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["event"] = self.event.isoformat()
        return data


def weekly(
    counts: np.ndarray, first_day: date, event: date
) -> tuple[np.ndarray, np.ndarray, list[date]]:
    """Sums over whole 7-day blocks aligned on ``event``: (sums, week numbers, block starts).

    Week 0 starts on the event day; week -1 is the seven days before it. Blocks cut off by
    the ends of the series are dropped.
    """
    y = np.asarray(counts, dtype=np.float64)
    if y.ndim == 1:
        y = y[None, :]
    offset = (event - first_day).days
    first_week = -(offset // 7)
    last_week = (y.shape[1] - offset) // 7 - 1
    weeks = np.arange(first_week, last_week + 1)
    sums = np.zeros((y.shape[0], len(weeks)))
    starts: list[date] = []
    for j, w in enumerate(weeks):
        lo = offset + 7 * int(w)
        sums[:, j] = y[:, lo : lo + 7].sum(axis=1)
        starts.append(first_day + timedelta(days=lo))
    return sums, weeks, starts


def _quasi_fit(
    y: np.ndarray, x: np.ndarray, *, total: np.ndarray | None, offset: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Binomial (``total`` given) or Poisson GLM by Newton: (coefficients, covariance, fitted).

    The covariance is the model's (not yet scaled by the dispersion).
    """
    n, k = x.shape
    beta = np.zeros(k)
    off = offset if offset is not None else np.zeros(n)
    if total is not None:
        share = (y.sum() + 0.5) / (total.sum() + 1.0)
        beta[0] = math.log(share / (1 - share))
    else:
        beta[0] = math.log((y.sum() + 0.5) / n) - float(off.mean())
    ridge = 1e-6 * np.eye(k)
    for _ in range(50):
        eta = np.clip(x @ beta + off, -30, 30)
        if total is not None:
            p = 1.0 / (1.0 + np.exp(-eta))
            mean = total * p
            weight = total * p * (1 - p)
        else:
            mean = np.exp(eta)
            weight = mean
        grad = x.T @ (y - mean)
        info = x.T @ (x * weight[:, None]) + ridge
        step = np.linalg.solve(info, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-9:
            break
    eta = np.clip(x @ beta + off, -30, 30)
    if total is not None:
        p = 1.0 / (1.0 + np.exp(-eta))
        fitted = total * p
        weight = total * p * (1 - p)
    else:
        fitted = np.exp(eta)
        weight = fitted
    info = x.T @ (x * weight[:, None]) + ridge
    return beta, np.linalg.inv(info), fitted


def _lag1(r: np.ndarray) -> float:
    if len(r) < 4:
        return 0.0
    r = r - r.mean()
    den = float(r @ r)
    return float(r[1:] @ r[:-1]) / den if den > 0 else 0.0


@dataclass
class _Fit:
    delta: float
    variance: float
    df: int
    trend: bool
    x: np.ndarray
    beta: np.ndarray


def _fit(
    y: np.ndarray,
    c: np.ndarray | None,
    closed: np.ndarray | None,
    weeks: np.ndarray,
    settings: EffectSettings,
) -> _Fit:
    """The event term and its quasi-likelihood variance (dispersion and AR(1) included)."""
    pre_weeks = int((weeks < 0).sum())
    after = (weeks >= 0).astype(np.float64)
    trend = pre_weeks >= settings.trend_min_weeks
    t = weeks / 52.0
    columns = [np.ones_like(t)]
    if trend:
        columns.append(t)
    if closed is not None and closed.any() and not np.all(closed == closed[0]):
        columns.append(closed)
    columns.append(after)
    total = None if c is None else y + c
    x = np.column_stack(columns)
    beta, cov, fitted = _quasi_fit(y, x, total=total)
    if total is not None:
        p = fitted / np.maximum(total, 1e-12)
        var = np.maximum(total * p * (1 - p), 1e-9)
    else:
        var = np.maximum(fitted, 1e-9)
    pearson = (y - fitted) / np.sqrt(var)
    df = max(1, len(y) - x.shape[1])
    dispersion = max(1.0, float(pearson @ pearson) / df)
    # Week-to-week dependence: lag-1 autocorrelation of the residuals before and after.
    rho = float(np.mean([_lag1(pearson[weeks < 0]), _lag1(pearson[weeks >= 0])]))
    inflation = (1 + max(rho, 0.0)) / (1 - min(max(rho, 0.0), 0.8))
    variance = float(cov[-1, -1]) * dispersion * inflation
    return _Fit(float(beta[-1]), variance, df, trend, x, beta)


def _placebo_inflation(
    y: np.ndarray,
    c: np.ndarray | None,
    closed: np.ndarray | None,
    weeks: np.ndarray,
    settings: EffectSettings,
) -> float:
    """How much more the before-period moves than the model says: placebo events in it.

    Real series shift for reasons nobody recorded (a news item, a changed form). The same
    estimator, run at fake events inside the before-period, shows how far such shifts carry
    it; the mean squared z-score of those placebos (shrunk toward 1) scales the variance.
    """
    pre = weeks < 0
    yp, wp = y[pre], weeks[pre]
    cp = None if c is None else c[pre]
    kp = None if closed is None else closed[pre]
    n = len(yp)
    post_len = min(int((weeks >= 0).sum()), 12)
    z2: list[float] = []
    for cut in range(settings.min_pre_weeks, n - max(settings.min_post_weeks, 2) + 1, 4):
        hi = min(n, cut + post_len)
        sel = slice(0, hi)
        w = wp[sel] - wp[cut]
        fit = _fit(
            yp[sel],
            None if cp is None else cp[sel],
            None if kp is None else kp[sel],
            w,
            settings,
        )
        if fit.variance > 0:
            z2.append(fit.delta**2 / fit.variance)
    prior = 4.0
    return max(1.0, (sum(z2) + prior) / (len(z2) + prior))


def estimate_effect(
    target: Sequence[float] | np.ndarray,
    first_day: date,
    event: date,
    comparison: Sequence[float] | np.ndarray | None = None,
    *,
    settings: EffectSettings | None = None,
    calendar: DayCalendar | None = None,
) -> EffectEstimate:
    """The relative effect of ``event`` on the daily series ``target`` (days from ``first_day``).

    ``comparison`` is a daily series (or several, rows summed) of themes the event should not
    touch: with it the estimate is a difference in differences, without it an interrupted
    time series (weaker: anything else that changed at the same time is attributed to the
    event).
    """
    settings = settings or EffectSettings()
    y_day = np.asarray(target, dtype=np.float64)
    if y_day.ndim != 1:
        raise ValueError("target must be one daily series")
    if not np.isfinite(y_day).all() or (y_day < 0).any():
        raise ValueError("counts must be finite and not negative")
    c_day: np.ndarray | None = None
    if comparison is not None:
        c_day = np.asarray(comparison, dtype=np.float64)
        if c_day.ndim == 2:
            c_day = c_day.sum(axis=0)
        if c_day.shape != y_day.shape:
            raise ValueError("comparison must cover the same days as the target")
        if not np.isfinite(c_day).all() or (c_day < 0).any():
            raise ValueError("counts must be finite and not negative")
    method = "difference_in_differences" if c_day is not None else "interrupted_time_series"
    sums, weeks, starts = weekly(y_day, first_day, event)
    keep = (weeks >= -settings.max_pre_weeks) & (weeks < settings.max_post_weeks)
    y = sums[0, keep]
    weeks = weeks[keep]
    starts = [s for s, k in zip(starts, keep, strict=True) if k]
    pre_weeks, post_weeks = int((weeks < 0).sum()), int((weeks >= 0).sum())
    pre_count, post_count = int(y[weeks < 0].sum()), int(y[weeks >= 0].sum())
    base: dict[str, Any] = {
        "method": method,
        "event": event,
        "pre_weeks": pre_weeks,
        "post_weeks": post_weeks,
        "pre_count": pre_count,
        "post_count": post_count,
        "confidence": settings.confidence,
    }

    def refuse(reason: str, **extra: Any) -> EffectEstimate:
        return EffectEstimate(status=NOT_ENOUGH_DATA, reason=reason, **base, **extra)

    if pre_weeks < settings.min_pre_weeks:
        return refuse(
            f"{pre_weeks} whole weeks before the event; at least {settings.min_pre_weeks} needed"
        )
    if post_weeks < settings.min_post_weeks:
        return refuse(
            f"{post_weeks} whole weeks after the event; at least {settings.min_post_weeks} needed"
        )
    if pre_count < settings.min_pre_count:
        return refuse(
            f"{pre_count} signals before the event; at least {settings.min_pre_count} needed"
        )
    pre_rate = pre_count / pre_weeks
    if pre_rate * post_weeks < settings.min_post_expected:
        return refuse(
            f"about {pre_rate * post_weeks:.1f} signals expected after the event; at least "
            f"{settings.min_post_expected:g} needed"
        )
    c: np.ndarray | None = None
    if c_day is not None:
        c = weekly(c_day, first_day, event)[0][0, keep]
        if c[weeks < 0].sum() < settings.min_pre_count:
            return refuse("the comparison series are too small before the event")
    closed: np.ndarray | None = None
    if c is None:
        calendar = calendar or DutchCalendar()
        closed = np.array(
            [
                calendar.features([s + timedelta(days=i) for i in range(7)])[:, 0].sum()
                for s in starts
            ]
        )
    fit = _fit(y, c, closed, weeks, settings)
    df = fit.df
    delta = fit.delta
    variance = fit.variance
    variance *= _placebo_inflation(y, c, closed, weeks, settings)
    se = math.sqrt(variance) * settings.interval_scale
    trend, x, beta = fit.trend, fit.x, fit.beta
    total = None if c is None else y + c
    if not (math.isfinite(delta) and math.isfinite(se)) or abs(delta) > 30.0:
        return refuse("the model cannot be fitted to these counts (too few or degenerate)")
    crit = float(stats.t.isf((1 - settings.confidence) / 2, df))
    # Clipped so that a degenerate fit cannot overflow exp(); such an interval is refused.
    low, high = max(delta - crit * se, -30.0), min(delta + crit * se, 30.0)
    p_value = float(2 * stats.t.sf(abs(delta) / se, df)) if se > 0 else 1.0
    # Counterfactual after-weeks: the fitted model without the event term.
    without = x.copy()
    without[:, -1] = 0.0
    eta0 = without @ beta
    post = weeks >= 0
    if total is not None:
        share0 = 1.0 / (1.0 + np.exp(-eta0[post]))
        # The comparison's own count carries the level: target = comparison x odds.
        counter = float(np.sum(share0 / (1 - share0) * (total[post] - y[post])))
    else:
        counter = float(np.exp(eta0[post]).sum())
    expected_per_week = counter / post_weeks
    per_week = (post_count - counter) / post_weeks
    if high - low > math.log(settings.max_interval_ratio):
        return refuse(
            f"the {settings.confidence:.0%} interval runs from {math.exp(low) - 1:+.0%} to "
            f"{math.exp(high) - 1:+.0%}: too wide to tell a halving from a doubling",
            trend=trend,
        )
    return EffectEstimate(
        status=OK,
        effect=math.exp(delta) - 1,
        low=math.exp(low) - 1,
        high=math.exp(high) - 1,
        p_value=p_value,
        per_week=per_week,
        expected_per_week=expected_per_week,
        trend=trend,
        **base,
    )
