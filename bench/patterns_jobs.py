# SPDX-License-Identifier: EUPL-1.2
"""The real jobs of :mod:`leerlus.patterns.services` on the bench database of
``patterns_load.py`` (discovery on every signal, routing training, assignment, daily counts,
alert detection), in a child process with the production settings
(``patterns_load.py --analyse-child``), each timed with the child's peak memory."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import run_captured
from patterns_setup import DEMO_SLUG, patterns_missing

# the script whose main() hands ``--analyse-child`` to analyse_child()
SCRIPT = Path(__file__).with_name("patterns_load.py")


def analyse_child() -> None:
    """Runs in a child process with the production settings; prints JSON."""
    import warnings

    warnings.simplefilter("ignore")
    import django

    django.setup()
    try:
        from leerlus.organisations.models import Organisation
        from leerlus.patterns.models import DailyCount, Theme, ThemeAssignment
        from leerlus.patterns.selectors.curation import engine_curation
        from leerlus.patterns.services.alerts import alerts_detect
        from leerlus.patterns.services.counts import daily_counts_rebuild
        from leerlus.patterns.services.discovery import themes_discover
        from leerlus.patterns.services.routing import routing_train
        from leerlus.patterns.services.themes import themes_assign_new
    except ImportError as error:
        print(json.dumps({"error": f"cannot import the patterns app: {error}"}))
        sys.exit(3)

    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    progress: list[dict[str, Any]] = []
    t0 = time.perf_counter()

    def on_progress(message: str, percent: int) -> None:
        progress.append(
            {"s": round(time.perf_counter() - t0, 2), "percent": percent, "message": message}
        )

    def peak_mib() -> float:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    steps: dict[str, Any] = {}

    def step(name: str, call: Callable[[], Any]) -> Any:
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t = time.perf_counter()
        value = call()
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        steps[name] = {
            "wall_s": round(time.perf_counter() - t, 2),
            "cpu_s": round(cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime, 2),
            "peak_rss_mib_so_far": peak_mib(),
        }
        return value

    rss_before = peak_mib()
    run = step(
        "themes_discover",
        lambda: themes_discover(
            organisation=organisation,
            curation=engine_curation(organisation=organisation),
            progress=on_progress,
        ),
    )
    step("routing_train", lambda: routing_train(organisation=organisation))
    steps["themes_assign_new_count"] = step(
        "themes_assign_new", lambda: themes_assign_new(organisation=organisation)
    )
    step("daily_counts_rebuild", lambda: daily_counts_rebuild(organisation=organisation))
    step("alerts_detect", lambda: alerts_detect(organisation=organisation))
    result = {
        "items": getattr(run, "items", None),
        "themes_found": getattr(run, "themes", None),
        "status": str(getattr(run, "status", "")),
        "steps": steps,
        "discovery_progress": progress,
        "peak_rss_mib": peak_mib(),
        "rss_mib_before_discovery": rss_before,
        "themes": Theme.objects.filter(organisation=organisation).count(),
        "assignments": ThemeAssignment.objects.filter(organisation=organisation).count(),
        "unassigned_share": ThemeAssignment.objects.filter(
            organisation=organisation, theme__isnull=True
        ).count()
        / max(1, ThemeAssignment.objects.filter(organisation=organisation).count()),
        "daily_counts": DailyCount.objects.filter(organisation=organisation).count(),
    }
    print(json.dumps(result))


def run_analysis(env: dict[str, str]) -> dict[str, Any]:
    done = run_captured([sys.executable, str(SCRIPT), "--analyse-child"], env)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
    try:
        result = json.loads(last)
    except json.JSONDecodeError:
        result = {}
    if done.returncode == 3:
        patterns_missing(result.get("error", done.stderr))
    if done.returncode != 0:
        sys.exit(f"the patterns jobs failed:\n{done.stdout[-4000:]}\n{done.stderr[-6000:]}")
    return result
