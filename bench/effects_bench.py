# SPDX-License-Identifier: EUPL-1.2
"""Effect estimates: coverage, bias and "not enough data" on injected effects.

Run from the repository root:

    .venv/bin/python bench/effects_bench.py [--runs 200]

Writes ``bench/results/effects.json``. A known effect (-30 %, 0, +30 %, +100 %) is injected
into a real or generated daily series from a random date on (binomial thinning for a drop,
extra Poisson counts for a rise); the estimator sees the target and its comparison series
(the other themes, untouched) and answers an interval or "not enough data". Reported:
coverage of the 95 % interval (answered runs), bias of the estimate (mean of estimate - truth
on the ratio scale, and on the log scale), median interval width (high/low of the ratio),
and the share of "not enough data" answers.

Series: CFPB credit-reporting complaints per sub-issue (12 series of at least 0.5 a day),
the demo generator's themes (27), and short or sparse versions of both (a before-period of 4
to 26 weeks, an after-period of 2 to 12 weeks, counts thinned to a tenth). Finally the
generator's built-in events, including a maintenance release that changed nothing.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leerlus.demo.feedback_generator import demo_events, generate_feedback
from leerlus.engine.calendar_nl import PlainCalendar
from leerlus.engine.effects import OK, EffectSettings, estimate_effect
from leerlus.engine.trends import build_series

DATA = Path(os.environ.get("LEERLUS_BENCH_DATA", "/work/shared/data"))
CFPB = DATA / "cfpb-credit-reporting-en" / "cfpb_credit_reporting_sample_2015-03_2017-04.csv.gz"
RESULTS = Path(__file__).resolve().parent / "results"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
EFFECTS = (-0.3, 0.0, 0.3, 1.0)

csv.field_size_limit(1 << 30)

Panel = tuple[list[date], dict[str, np.ndarray]]


def cfpb_panel() -> Panel:
    with gzip.open(CFPB, "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    days = [date.fromisoformat(r["Date received"]) for r in rows]
    themes = [r["Sub-issue"] or r["Issue"] for r in rows]
    series = build_series(days, themes, totals=False)
    return series.days, {k.theme: series.series(k) for k in series.keys}


def generator_panel() -> Panel:
    signals = list(generate_feedback(start=date(2024, 1, 1), days=730))
    days = [s.received_at.astimezone(AMSTERDAM).date() for s in signals]
    series = build_series(days, [s.theme for s in signals], totals=False)
    return series.days, {k.theme: series.series(k) for k in series.keys}


def inject(y: np.ndarray, start: int, effect: float, rng: np.random.Generator) -> np.ndarray:
    out = y.copy()
    if effect < 0:
        out[start:] = rng.binomial(out[start:], 1 + effect)
    elif effect > 0:
        out[start:] = out[start:] + rng.poisson(effect * out[start:])
    return out


def trial_runs(
    panel: Panel,
    *,
    runs: int,
    rng: np.random.Generator,
    pre_weeks: int = 52,
    post_weeks: int = 12,
    thin: float = 1.0,
    comparison: bool = True,
    min_mean: float = 0.5,
    calendar: PlainCalendar | None = None,
    avoid: Callable[[date], bool] | None = None,
) -> dict[str, dict[str, float | None]]:
    days, series = panel
    eligible = [t for t, y in series.items() if y.mean() >= min_mean]
    n = len(days)
    settings = EffectSettings(max_pre_weeks=pre_weeks, max_post_weeks=post_weeks)
    out: dict[str, dict[str, float | None]] = {}
    for effect in EFFECTS:
        covered: list[bool] = []
        bias: list[float] = []
        log_bias: list[float] = []
        widths: list[float] = []
        refused = 0
        for _ in range(runs):
            theme = eligible[int(rng.integers(len(eligible)))]
            lo = 7 * pre_weeks
            for _attempt in range(50):
                event = int(rng.integers(lo, n - 7 * post_weeks))
                if avoid is None or not avoid(days[event]):
                    break
            first = event - 7 * pre_weeks
            last = event + 7 * post_weeks
            y = series[theme][first:last]
            if thin < 1.0:
                y = rng.binomial(y, thin)
            y = inject(y, event - first, effect, rng)
            others = [s[first:last] for t, s in series.items() if t != theme]
            c = np.sum(others, axis=0) if comparison else None
            estimate = estimate_effect(
                y, days[first], days[event], c, settings=settings, calendar=calendar
            )
            if estimate.status != OK:
                refused += 1
                continue
            assert estimate.effect is not None
            assert estimate.low is not None
            assert estimate.high is not None
            covered.append(estimate.low <= effect <= estimate.high)
            bias.append(estimate.effect - effect)
            log_bias.append(math.log1p(estimate.effect) - math.log1p(effect))
            widths.append((1 + estimate.high) / (1 + estimate.low))
        out[f"{effect:+.0%}"] = {
            "coverage": round(float(np.mean(covered)), 3) if covered else None,
            "bias": round(float(np.mean(bias)), 3) if bias else None,
            "log_bias": round(float(np.mean(log_bias)), 3) if log_bias else None,
            "median_width": round(float(np.median(widths)), 2) if widths else None,
            "not_enough_data": round(refused / runs, 3),
            "answered": len(covered),
        }
    return out


def built_in_events(panel: Panel) -> list[dict[str, object]]:
    days, series = panel
    start = days[0]
    out: list[dict[str, object]] = []
    cases = [
        ("release-mijn-gemeente-portaal", "upload-mislukt", 6, "x4 on web/phone/chat for 3 weeks"),
        ("release-zaaksysteem-onderhoud", None, 8, "placebo: nothing changed"),
        ("pilot-chatbot", "chatbot-begrijpt-niet", 8, "new theme: no before-period"),
        ("nieuw-afvalschema", "container-niet-geleegd", 3, "x1.8 for 2 of the 3 weeks: +53 %"),
    ]
    events = {e.slug: e.occurred_on for e in demo_events(start)}
    for slug, theme, post, truth in cases:
        event = events[slug]
        targets = [theme] if theme else sorted(series)
        significant = 0
        rows = []
        for target in targets:
            y = series[target]
            c = np.sum([s for t, s in series.items() if t != target], axis=0)
            estimate = estimate_effect(
                y, start, event, c, settings=EffectSettings(max_post_weeks=post)
            )
            if estimate.status == OK and estimate.low is not None and estimate.high is not None:
                significant += estimate.low > 0 or estimate.high < 0
            rows.append(estimate)
        if theme:
            e = rows[0]
            out.append(
                {
                    "event": slug,
                    "theme": theme,
                    "truth": truth,
                    "status": e.status,
                    "effect": None if e.effect is None else round(e.effect, 3),
                    "low": None if e.low is None else round(e.low, 3),
                    "high": None if e.high is None else round(e.high, 3),
                    "reason": e.reason,
                }
            )
        else:
            answered = sum(r.status == OK for r in rows)
            out.append(
                {
                    "event": slug,
                    "theme": "every theme",
                    "truth": truth,
                    "answered": answered,
                    "significant": significant,
                }
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="injections per effect size")
    parser.add_argument("--output", default=str(RESULTS / "effects.json"))
    args = parser.parse_args()
    rng = np.random.default_rng(20260102)
    started = time.perf_counter()
    cfpb = cfpb_panel()
    generator = generator_panel()
    plain = PlainCalendar()
    events = [e.occurred_on for e in demo_events(generator[0][0])]

    def near_event(d: date) -> bool:
        return any(-84 <= (d - e).days <= 42 for e in events)

    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "command": f"python bench/effects_bench.py --runs {args.runs}",
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "settings": EffectSettings().__dict__,
    }
    scenarios: dict[str, Callable[[], dict[str, dict[str, float | None]]]] = {
        "cfpb did 52w/12w": lambda: trial_runs(cfpb, runs=args.runs, rng=rng, calendar=plain),
        "cfpb its 52w/12w": lambda: trial_runs(
            cfpb, runs=args.runs, rng=rng, calendar=plain, comparison=False
        ),
        "generator did 52w/12w": lambda: trial_runs(generator, runs=args.runs, rng=rng),
        "generator did 52w/12w away from built-in events": lambda: trial_runs(
            generator, runs=args.runs, rng=rng, avoid=near_event
        ),
        "cfpb did 26w/4w": lambda: trial_runs(
            cfpb, runs=args.runs, rng=rng, calendar=plain, pre_weeks=26, post_weeks=4
        ),
        "cfpb did 8w/4w": lambda: trial_runs(
            cfpb, runs=args.runs, rng=rng, calendar=plain, pre_weeks=8, post_weeks=4
        ),
        "cfpb did 4w/2w (too short)": lambda: trial_runs(
            cfpb, runs=args.runs, rng=rng, calendar=plain, pre_weeks=4, post_weeks=2
        ),
        "cfpb did 52w/12w thinned to 10 %": lambda: trial_runs(
            cfpb, runs=args.runs, rng=rng, calendar=plain, thin=0.1
        ),
        "generator did 8w/4w thinned to 10 %": lambda: trial_runs(
            generator, runs=args.runs, rng=rng, pre_weeks=8, post_weeks=4, thin=0.1
        ),
    }
    table: dict[str, object] = {}
    for name, run in scenarios.items():
        table[name] = run()
        print(f"== {name}: {json.dumps(table[name])}", file=sys.stderr)
    results["scenarios"] = table
    results["generator_events"] = built_in_events(generator)
    results["seconds"] = round(time.perf_counter() - started, 1)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
