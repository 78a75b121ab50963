# SPDX-License-Identifier: EUPL-1.2
"""Trend alerts: detection delay and false alarms on real and generated series.

Run from the repository root:

    .venv/bin/python bench/trends_bench.py [--runs 60] [--null-runs 20]

Writes ``bench/results/trends.json``. What it measures:

1. **Injected bursts on real series.** CFPB credit-reporting complaints, daily counts per
   issue (5 themes, 2015-03-19 .. 2017-04-22). A burst of 3x the usual level (the centred
   29-day mean times the weekday share; extra counts Poisson) is added for 7 days at a random
   date after the first 120 days; the detector runs as it would have online. Reported per
   theme: share of bursts found within the burst, found with a delay of at most 1 day (by the
   end of the burst's 2nd day) and at most 2 days, median delay.
2. **False alarms.** (a) On synthetic null series that copy each real theme's level, weekday
   pattern and overdispersion but hold no events: every alert is false. (b) On the real
   series, alerts outside the injected burst: an upper bound, since real waves (the
   October 2015 breach complaints) count too.
3. **What it finds in the real data**: the alerts on the real CFPB series, and on the
   narratives that mention a breach or hack.
4. **The demo generator**: the portal release spike per channel of ``upload-mislukt``
   (web form and phone should alert, the counter not), and scan speed over all series.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import re
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leerlus.demo.feedback_generator import demo_events, generate_feedback
from leerlus.engine.calendar_nl import PlainCalendar
from leerlus.engine.trends import (
    SeriesKey,
    TrendSettings,
    build_series,
    design_matrix,
    detect,
    scan,
)

DATA = Path(os.environ.get("LEERLUS_BENCH_DATA", "/work/shared/data"))
CFPB = DATA / "cfpb-credit-reporting-en" / "cfpb_credit_reporting_sample_2015-03_2017-04.csv.gz"
RESULTS = Path(__file__).resolve().parent / "results"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BREACH = re.compile(r"\b(breach|breached|hack|hacked|hacking|hackers?)\b", re.IGNORECASE)

csv.field_size_limit(1 << 30)


def us_federal_holidays(years: range) -> frozenset[date]:
    """US federal holidays (the CFPB data is American), observed dates."""

    def nth(year: int, month: int, weekday: int, n: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    def last(year: int, month: int, weekday: int) -> date:
        d = date(year, month + 1, 1) - timedelta(days=1)
        return d - timedelta(days=(d.weekday() - weekday) % 7)

    def observed(d: date) -> date:
        return d - timedelta(days=1) if d.weekday() == 5 else d + timedelta(days=d.weekday() == 6)

    out: set[date] = set()
    for y in years:
        out |= {
            observed(date(y, 1, 1)),
            nth(y, 1, 0, 3),
            nth(y, 2, 0, 3),
            last(y, 5, 0),
            observed(date(y, 7, 4)),
            nth(y, 9, 0, 1),
            nth(y, 10, 0, 2),
            observed(date(y, 11, 11)),
            nth(y, 11, 3, 4),
            observed(date(y, 12, 25)),
        }
    return frozenset(out)


def load_cfpb() -> list[dict[str, str]]:
    with gzip.open(CFPB, "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def usual_level(y: np.ndarray, days: list[date]) -> np.ndarray:
    """Centred 29-day mean times the weekday share: "the usual level" a burst multiplies."""
    weekday = np.array([d.weekday() for d in days])
    share = np.array([y[weekday == k].mean() for k in range(7)])
    share = share / max(share.mean(), 1e-9)
    kernel = np.ones(29) / 29
    padded = np.pad(y.astype(np.float64), 14, mode="edge")
    smooth = np.convolve(padded, kernel, mode="valid")
    return np.asarray(smooth * share[weekday])


def null_series(
    y: np.ndarray, days: list[date], dispersion: float, rng: np.random.Generator
) -> np.ndarray:
    """A series like ``y`` (level, weekday pattern, overdispersion) without any event."""
    weekday = np.array([d.weekday() for d in days])
    share = np.array([y[weekday == k].mean() for k in range(7)])
    share = share / max(share.mean(), 1e-9)
    # A slow level: the centred 91-day mean of the counts clipped at their 97.5th
    # percentile, so that the real waves hardly carry over.
    clipped = np.minimum(y, np.quantile(y, 0.975)).astype(np.float64)
    padded = np.pad(clipped, 45, mode="edge")
    level = np.convolve(padded, np.ones(91) / 91, mode="valid")
    mu = level * share[weekday]
    lam = rng.gamma(1 / dispersion, dispersion * mu) if dispersion > 0 else mu
    return rng.poisson(lam)


def null_dispersion(y: np.ndarray, days: list[date]) -> float:
    """Overdispersion around the usual level (method of moments), the top 1 % of days left
    out: fixed per theme, so every detector setting is judged on the same null series."""
    mu = usual_level(y, days)
    keep = y <= np.quantile(y, 0.99)
    num = float((((y - mu) ** 2 - y)[keep]).sum())
    return max(0.0, num / float((mu[keep] ** 2).sum()))


def injected_bursts(
    series: dict[str, np.ndarray],
    days: list[date],
    design: np.ndarray,
    runs: int,
    rng: np.random.Generator,
    factor: float = 3.0,
    length: int = 7,
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    n = len(days)
    for theme, y in series.items():
        usual = usual_level(y, days)
        delays: list[int] = []
        found = 0
        other = 0
        for _ in range(runs):
            b = int(rng.integers(120, n - length))
            yb = y.copy()
            yb[b : b + length] += rng.poisson((factor - 1) * usual[b : b + length])
            alerts = detect(yb, days, design=design)
            hit = [
                (a.raised - days[b]).days
                for a in alerts
                if a.direction == "up" and 0 <= (a.raised - days[b]).days < length
            ]
            if hit:
                found += 1
                delays.append(min(hit))
            other += sum(1 for a in alerts if not 0 <= (a.raised - days[b]).days < length + 7)
        years = runs * (n - 28) / 365.25
        out[theme] = {
            "mean_per_day": round(float(y.mean()), 2),
            "bursts": runs,
            "found": round(found / runs, 3),
            "delay_at_most_1_day": round(sum(d <= 1 for d in delays) / runs, 3),
            "delay_at_most_2_days": round(sum(d <= 2 for d in delays) / runs, 3),
            "median_delay_days": float(np.median(delays)) if delays else None,  # type: ignore[dict-item]
            "other_alerts_per_theme_year": round(other / years, 2),
        }
        print(f"   burst {theme[:40]:40s} {out[theme]}", file=sys.stderr)
    return out


def null_false_alarms(
    series: dict[str, np.ndarray],
    days: list[date],
    design: np.ndarray,
    runs: int,
    rng: np.random.Generator,
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    n = len(days)
    for theme, y in series.items():
        dispersion = null_dispersion(y, days)
        counts: dict[str, int] = defaultdict(int)
        for _ in range(runs):
            for alert in detect(null_series(y, days, dispersion, rng), days, design=design):
                counts[alert.kind] += 1
        years = runs * (n - 28) / 365.25
        out[theme] = {
            "dispersion": round(dispersion, 3),
            "false_alarms_per_theme_year": round(sum(counts.values()) / years, 2),
            "spikes": round(counts["spike"] / years, 2),
            "level_shifts": round(counts["level_shift"] / years, 2),
        }
        print(f"   null  {theme[:40]:40s} {out[theme]}", file=sys.stderr)
    return out


def real_alerts(rows: list[dict[str, str]], calendar: PlainCalendar) -> list[dict[str, object]]:
    days = [date.fromisoformat(r["Date received"]) for r in rows]
    themes = [r["Issue"] for r in rows]
    breach_days = [d for d, r in zip(days, rows, strict=True) if BREACH.search(r["narrative"])]
    series = build_series(
        days + breach_days,
        themes + ["(narratives mentioning a breach or hack)"] * len(breach_days),
        totals=False,
    )
    out = []
    for alert in scan(series, calendar=calendar):
        out.append(
            {
                "theme": alert.key.theme,
                "kind": alert.kind,
                "direction": alert.direction,
                "start": alert.start.isoformat(),
                "raised": alert.raised.isoformat(),
                "end": alert.end.isoformat(),
                "observed": alert.observed,
                "expected": round(alert.expected, 1),
                "score": round(alert.score, 1),
            }
        )
    return out


def generator_release() -> dict[str, object]:
    start = date(2024, 1, 1)
    signals = list(generate_feedback(start=start, days=730))
    days = [s.received_at.astimezone(AMSTERDAM).date() for s in signals]
    series = build_series(
        days, [s.theme for s in signals], [s.channel for s in signals], [s.service for s in signals]
    )
    started = time.perf_counter()
    alerts = scan(series)
    elapsed = time.perf_counter() - started
    release = next(e.occurred_on for e in demo_events(start) if e.slug.startswith("release-mijn"))
    per_channel: dict[str, object] = {}
    for channel in ("web_form", "phone", "chat", "email", "social_media", "counter"):
        key = SeriesKey("upload-mislukt", channel)
        near = [
            a
            for a in alerts
            if a.key == key and a.direction == "up" and 0 <= (a.raised - release).days <= 14
        ]
        per_channel[channel] = [
            {
                "kind": a.kind,
                "raised": a.raised.isoformat(),
                "delay_days": (a.raised - release).days,
            }
            for a in near
        ]
    event_days = {e.occurred_on for e in demo_events(start)}

    def near_event(d: date) -> bool:
        return any(-14 <= (d - e).days <= 42 for e in event_days)

    quiet = [a for a in alerts if not near_event(a.raised)]
    years = (len(series.days) - 28) / 365.25
    return {
        "signals": len(signals),
        "series": len(series.keys),
        "scan_seconds": round(elapsed, 2),
        "release": release.isoformat(),
        "upload_mislukt_alerts_by_channel": per_channel,
        "alerts": len(alerts),
        "alerts_away_from_events_per_series_year": round(len(quiet) / len(series.keys) / years, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60, help="injected bursts per theme")
    parser.add_argument("--null-runs", type=int, default=20, help="null series per theme")
    parser.add_argument("--output", default=str(RESULTS / "trends.json"))
    args = parser.parse_args()
    rng = np.random.default_rng(20260101)
    rows = load_cfpb()
    days_all = [date.fromisoformat(r["Date received"]) for r in rows]
    series_set = build_series(days_all, [r["Issue"] for r in rows], totals=False)
    calendar = PlainCalendar(holidays=us_federal_holidays(range(2015, 2018)))
    design = design_matrix(series_set.days, calendar)
    series = {k.theme: series_set.series(k) for k in series_set.keys}
    started = time.perf_counter()
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "command": f"python bench/trends_bench.py --runs {args.runs} --null-runs {args.null_runs}",
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "settings": TrendSettings().__dict__,
    }
    print("== CFPB: injected 3x bursts of 7 days", file=sys.stderr)
    results["cfpb_bursts"] = injected_bursts(series, series_set.days, design, args.runs, rng)
    print("== CFPB-like null series", file=sys.stderr)
    results["cfpb_null"] = null_false_alarms(series, series_set.days, design, args.null_runs, rng)
    print("== CFPB: alerts in the real data", file=sys.stderr)
    results["cfpb_real_alerts"] = real_alerts(rows, calendar)
    print("== generator: portal release", file=sys.stderr)
    results["generator"] = generator_release()
    results["seconds"] = round(time.perf_counter() - started, 1)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2, default=str) + "\n", "utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "cfpb_real_alerts"}, indent=2))


if __name__ == "__main__":
    main()
