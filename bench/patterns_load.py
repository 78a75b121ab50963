# SPDX-License-Identifier: EUPL-1.2
"""Speed of the patterns app at scale: theme screens under load, and assignment latency.

Run from the repository root (it drops and recreates the bench database)::

    .venv/bin/python bench/patterns_load.py \
        [--database-url postgres://postgres@127.0.0.1:5432/leerlus_patterns_bench] \
        [--items 1000000] [--duration 30] [--connections 4] [--skip-setup]

What it does, in order:

1. set-up (``--skip-setup`` reuses the database as it is): drops and creates the bench
   database, ``leerlus migrate``, ``leerlus demo`` (local settings, ``LEERLUS_DEMO=true``:
   the demo organisation "voorbeeldstad", its accounts and two years of signals), then tops
   the organisation up to ``--items`` signals with PostgreSQL ``COPY`` straight into
   ``feedback_feedback``: texts from :mod:`leerlus.demo.feedback_generator` with other seeds
   and a higher daily volume over the same two years (so the built-in events scale along),
   redacted and language-tagged as intake does, ``--jobs`` processes in parallel. Then the
   real jobs of :mod:`leerlus.patterns.services` run in a child process with the production
   settings (discovery on every signal, routing training, assignment, daily counts, alert
   detection), each timed, with the child's peak memory; then ``VACUUM ANALYZE``;
2. screens: the WSGI server (granian, as ``leerlus serve`` runs it; production settings),
   a real log-in as the analyst (``analist``, password and CSRF token, as a browser does),
   every URL fetched once (all must answer 200), then ``wrk`` from a second process, one
   closed-loop phase per page kind, cycling through its URLs for ``--duration`` seconds at
   ``--connections`` connections: the overview (no filter, every channel with signals,
   periods, services, a department, searches, every sort order, page 2) and the theme
   detail (the 30 largest and 30 random themes). The request latency is measured on
   loopback and counts only the server's answer (nothing of the browser);
3. assignment latency: a real Celery worker (production settings, Redis broker
   ``--broker-url``, shared cache ``--cache-url``; both Redis databases are flushed first)
   and the server; ``bench/loadgen.py`` sends single creates to ``POST /api/v1/feedback``
   at a fixed ``--assign-rate`` (open loop) for ``--warmup`` seconds, then for
   ``--assign-duration`` seconds. A watcher polls the assignments every 0.1 s; per new
   signal the delay from its ``created_at`` to the moment its ``ThemeAssignment`` was
   visible (committed), and to its ``assigned_at`` (set just before the batch's commit), and
   how many took more than 10 s.

Results go to ``bench/results/patterns_load.json`` (or ``--output``); markdown tables are
printed. The load generator, the server, the worker and PostgreSQL share the machine's CPUs;
the CPU time of each is recorded per phase.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.metadata
import json
import math
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlencode, urlparse

from api_load import request_bodies, run_loadgen
from common import (
    ROOT,
    DatabasePoller,
    background_cores,
    bench_arguments,
    bench_parser,
    child_pids,
    cores_used,
    db_connect,
    environments,
    free_port,
    leerlus,
    logged_process,
    markdown_row,
    measure_cpu,
    postmaster_pid,
    recreate_database,
    run_captured,
    run_facts,
    run_wrk,
    unexpected_answers,
    write_result,
    wsgi_server,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/leerlus_patterns_bench"
RESULT = ROOT / "bench" / "results" / "patterns_load.json"
DEMO_SLUG = "voorbeeldstad"
DEMO_PASSWORD = "voorbeeldstad-demo"  # noqa: S105 - the demo's published password
ANALYST = "analist"
TOPUP_SOURCE = "bench"
TARGET_SCREEN_P95_MS = 300.0
TARGET_ASSIGN_P95_S = 1.0
# the latency figures of a screens phase, in this order
LATENCY = ("mean", "p50", "p90", "p95", "p99", "max")
ASSIGN_LIMIT_S = 10.0
DETAIL_LARGEST = 30
DETAIL_RANDOM = 30
COPY_CHUNK = 20_000
COPY_COLUMNS = (
    "organisation_id",
    "reference",
    "fingerprint",
    "channel",
    "service_id",
    "department_id",
    "text",
    "language",
    "received_at",
    "reporter_kind",
    "rating",
    "location",
    "confidential",
    "external_id",
    "source",
    "case_url",
    "redactions",
    "created_at",
)


def patterns_missing(message: str) -> None:
    sys.exit(
        f"{message}\nThe patterns app (leerlus/patterns/) is not complete yet: this part of the "
        "benchmark cannot run."
    )


# ---------------------------------------------------------------------------------------------
# Top-up: more demo-like signals with COPY, in parallel processes


def _topup_init(settings: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import warnings

    warnings.simplefilter("ignore")
    import django

    django.setup()


def topup_part(task: dict[str, Any]) -> dict[str, Any]:
    """One seed's signals over the demo's period, redacted and tagged as intake does,
    written with COPY in chunks. Runs in a worker process (Django set up for the helpers)."""
    import psycopg

    from leerlus.demo.feedback_generator import generate_feedback
    from leerlus.engine.language import detect_language
    from leerlus.feedback.redaction import redact_with_counts
    from leerlus.feedback.services import SignalInput, fingerprint_of, reference_of

    started = time.perf_counter()
    org_id: int = task["organisation_id"]
    services: dict[str, int] = task["services"]
    departments: dict[str, int] = task["departments"]
    until = datetime.fromisoformat(task["until"])
    seed: int = task["seed"]
    columns = ", ".join(COPY_COLUMNS)
    inserted = generated = fallback_skipped = 0
    rows: list[tuple[Any, ...]] = []

    def flush(conn: Any) -> None:
        nonlocal inserted, fallback_skipped
        if not rows:
            return
        try:
            with (
                conn.transaction(),
                conn.cursor() as cur,
                cur.copy(f"COPY feedback_feedback ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            inserted += len(rows)
        except psycopg.errors.UniqueViolation:
            # a reference (52 bits of the fingerprint) shared with another signal: rare at
            # a million; this chunk goes in row by row, skipping the clash
            marks = ", ".join(["%s"] * len(COPY_COLUMNS))
            with conn.transaction(), conn.cursor() as cur:
                for row in rows:
                    cur.execute(
                        f"INSERT INTO feedback_feedback ({columns}) VALUES ({marks}) "  # noqa: S608
                        "ON CONFLICT DO NOTHING",
                        row,
                    )
                    inserted += cur.rowcount
                    fallback_skipped += 1 - cur.rowcount
        rows.clear()

    with db_connect(task["url"]) as conn:
        for s in generate_feedback(
            seed=seed,
            start=date.fromisoformat(task["start"]),
            days=task["days"],
            mean_per_day=task["mean_per_day"],
        ):
            if s.received_at > until:
                break
            generated += 1
            external_id = f"s{seed}-{s.external_id.rsplit('-', 1)[-1]}"
            fingerprint = fingerprint_of(
                org_id,
                SignalInput(
                    text=s.text,
                    channel=s.channel,
                    received_at=s.received_at,
                    external_id=external_id,
                    source=TOPUP_SOURCE,
                ),
            )
            redacted = redact_with_counts(s.text)
            rows.append(
                (
                    org_id,
                    reference_of(fingerprint),
                    fingerprint,
                    s.channel,
                    services.get(s.service),
                    departments.get(s.department),
                    redacted.text,
                    detect_language(redacted.text),
                    s.received_at,
                    s.reporter_kind,
                    s.rating,
                    "",
                    False,
                    external_id,
                    TOPUP_SOURCE,
                    "",
                    json.dumps(redacted.counts),
                    # stored a few seconds to minutes after it was received, as intake does
                    s.received_at + timedelta(seconds=(generated * 7919) % 600),
                )
            )
            if len(rows) >= COPY_CHUNK:
                flush(conn)
        flush(conn)
    return {
        "seed": seed,
        "generated": generated,
        "inserted": inserted,
        "reference_clashes_skipped": fallback_skipped,
        "seconds": round(time.perf_counter() - started, 1),
    }


def check_copy_columns(url: str) -> None:
    """Every NOT NULL column without a default must be among the COPY columns."""
    with db_connect(url) as conn:
        required = [
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'feedback_feedback' AND is_nullable = 'NO' "
                "AND column_default IS NULL AND is_identity = 'NO'"
            ).fetchall()
        ]
    missing = [c for c in required if c not in COPY_COLUMNS]
    if missing:
        sys.exit(f"feedback_feedback has NOT NULL columns the top-up does not fill: {missing}")


def topup(url: str, items: int, jobs: int) -> dict[str, Any]:
    """Adds signals until the demo organisation has ``items``; returns what it did."""
    started = time.perf_counter()
    check_copy_columns(url)
    with db_connect(url) as conn:
        row = conn.execute(
            "SELECT id FROM organisations_organisation WHERE slug = %s", [DEMO_SLUG]
        ).fetchone()
        if row is None:
            sys.exit(f"no organisation {DEMO_SLUG!r}: did `leerlus demo` run?")
        org_id = row[0]
        existing, demo_rows, first = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE source = 'demo'), min(received_at) "
            "FROM feedback_feedback WHERE organisation_id = %s",
            [org_id],
        ).fetchone()
        services = dict(
            conn.execute(
                "SELECT slug, id FROM organisations_service WHERE organisation_id = %s", [org_id]
            ).fetchall()
        )
        departments = dict(
            conn.execute(
                "SELECT slug, id FROM organisations_department WHERE organisation_id = %s",
                [org_id],
            ).fetchall()
        )
    facts: dict[str, Any] = {"before": existing, "target": items, "processes": jobs, "parts": []}
    needed = items - existing
    if needed <= 0:
        print(f"  the demo has {existing:,} signals already: no top-up", flush=True)
        facts.update(after=existing, added=0, seconds=0.0)
        return facts
    if not demo_rows:
        sys.exit("the demo organisation has no demo signals: its period is unknown")
    # Over the demo's period (from its first signal until now), how many signals one unit of
    # mean_per_day gives: counted on a run of the generator (pure Python, about a second).
    from itertools import takewhile

    from leerlus.demo.feedback_generator import generate_feedback

    start = first.astimezone(UTC).date()
    now = datetime.now(UTC)
    days = (now.date() - start).days + 1
    calibration = 30.0
    per_unit_mean = (
        sum(
            1
            for _ in takewhile(
                lambda s: s.received_at <= now,
                generate_feedback(seed=999, start=start, days=days, mean_per_day=calibration),
            )
        )
        / calibration
    )
    seed = 1000
    rounds = 0
    while needed > 0 and rounds < 4:
        rounds += 1
        # a little more than needed (the count is random); the surplus is removed below
        parts = max(jobs, math.ceil(needed / 250_000))
        mean = needed * 1.03 / parts / per_unit_mean
        tasks = []
        for _ in range(parts):
            seed += 1
            tasks.append(
                {
                    "url": url,
                    "organisation_id": org_id,
                    "services": services,
                    "departments": departments,
                    "seed": seed,
                    "start": start.isoformat(),
                    "days": days,
                    "until": now.isoformat(),
                    "mean_per_day": mean,
                }
            )
        print(
            f"  top-up: {needed:,} signals in {parts} parts ({jobs} processes), "
            f"{mean:.0f} a day each",
            flush=True,
        )
        with ProcessPoolExecutor(
            max_workers=jobs,
            initializer=_topup_init,
            initargs=("leerlus.settings.local",),
        ) as pool:
            for part in pool.map(topup_part, tasks):
                facts["parts"].append(part)
                needed -= part["inserted"]
    surplus = -needed
    if surplus > 0:
        with db_connect(url) as conn:
            conn.execute(
                "DELETE FROM feedback_feedback WHERE id IN (SELECT id FROM feedback_feedback "
                "WHERE organisation_id = %s AND source = %s ORDER BY md5(reference) LIMIT %s)",
                [org_id, TOPUP_SOURCE, surplus],
            )
    with db_connect(url) as conn:
        after = conn.execute(
            "SELECT count(*) FROM feedback_feedback WHERE organisation_id = %s", [org_id]
        ).fetchone()[0]
    seconds = time.perf_counter() - started
    facts.update(
        after=after,
        added=after - existing,
        surplus_removed=max(surplus, 0),
        seconds=round(seconds, 1),
        rows_per_s=round((after - existing) / seconds),
        period=f"{start.isoformat()} .. {now.date().isoformat()}",
    )
    return facts


# ---------------------------------------------------------------------------------------------
# The patterns jobs, run through the app in a child process


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
    done = run_captured([sys.executable, __file__, "--analyse-child"], env)
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


def database_facts(url: str) -> dict[str, Any]:
    with db_connect(url) as conn:
        org_id = conn.execute(
            "SELECT id FROM organisations_organisation WHERE slug = %s", [DEMO_SLUG]
        ).fetchone()[0]

        def one(sql: str) -> Any:
            return conn.execute(sql, [org_id]).fetchone()[0]

        facts = {
            "signals": one("SELECT count(*) FROM feedback_feedback WHERE organisation_id = %s"),
            "themes": one("SELECT count(*) FROM patterns_theme WHERE organisation_id = %s"),
            "themes_shown": one(
                "SELECT count(*) FROM patterns_theme WHERE organisation_id = %s "
                "AND merged_into_id IS NULL AND NOT retired AND NOT hidden"
            ),
            "assignments": one(
                "SELECT count(*) FROM patterns_themeassignment WHERE organisation_id = %s"
            ),
            "daily_counts": one(
                "SELECT count(*) FROM patterns_dailycount WHERE organisation_id = %s"
            ),
            "first_signal": str(
                one("SELECT min(received_at) FROM feedback_feedback WHERE organisation_id = %s")
            ),
        }
        sizes = {}
        for table in ("feedback_feedback", "patterns_themeassignment", "patterns_dailycount"):
            sizes[table] = conn.execute(
                "SELECT pg_size_pretty(pg_total_relation_size(%s::regclass))", [table]
            ).fetchone()[0]
        facts["table_sizes"] = sizes
        facts["database_size"] = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]
    return facts


# ---------------------------------------------------------------------------------------------
# Log-in and the URLs of the screens


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def log_in(port: int, username: str, password: str) -> str:
    """A browser's log-in: the form with its CSRF token, then the POST; the Cookie header."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login", headers={"Accept": "text/html"})
    response = conn.getresponse()
    page = response.read().decode(errors="replace")
    _cookies(response, jar)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or match is None:
        sys.exit(f"GET /accounts/login: {response.status}, no CSRF token in the form")
    body = urlencode(
        {
            "csrfmiddlewaretoken": match.group(1),
            "username": username,
            "password": password,
            "next": "/patterns/themes/",
        }
    )
    conn.request(
        "POST",
        "/accounts/login",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Accept": "text/html",
        },
    )
    response = conn.getresponse()
    response.read()
    _cookies(response, jar)
    conn.close()
    if response.status != 302 or "sessionid" not in jar:
        sys.exit(
            f"log-in as {username} failed: {response.status} "
            f"{response.getheader('Location')} (a second factor? a lock-out by axes?)"
        )
    return f"sessionid={jar['sessionid']}"


def screen_urls(url: str, seed: int = 7) -> dict[str, list[str]]:
    """The overview with its filters and sort orders; the detail of the largest themes and
    of random ones."""
    with db_connect(url) as conn:
        org_id = conn.execute(
            "SELECT id FROM organisations_organisation WHERE slug = %s", [DEMO_SLUG]
        ).fetchone()[0]
        themes = conn.execute(
            "SELECT id, key_terms FROM patterns_theme WHERE organisation_id = %s "
            "AND merged_into_id IS NULL AND NOT retired ORDER BY size DESC, id",
            [org_id],
        ).fetchall()
        channels = [
            c
            for (c,) in conn.execute(
                "SELECT DISTINCT channel FROM patterns_dailycount WHERE organisation_id = %s "
                "ORDER BY channel",
                [org_id],
            ).fetchall()
        ]
        services = [
            s
            for (s,) in conn.execute(
                "SELECT s.slug FROM organisations_service s WHERE s.organisation_id = %s "
                "ORDER BY (SELECT count(*) FROM patterns_dailycount d WHERE d.service_id = s.id) "
                "DESC, s.slug LIMIT 2",
                [org_id],
            ).fetchall()
        ]
        department = conn.execute(
            "SELECT slug FROM organisations_department WHERE organisation_id = %s "
            "ORDER BY id LIMIT 1",
            [org_id],
        ).fetchone()
    if not themes:
        patterns_missing("no themes in the bench database: discovery found none")
    base = "/patterns/themes/"

    def q(**params: Any) -> str:
        return f"{base}?{urlencode(params)}"

    terms = [str(t[1][0]) for t in themes[:3] if t[1]] + ["paspoort", "afval", "geenthemazzz"]
    overview = [base]
    overview += [q(channel=c) for c in channels]
    overview += [q(period=p) for p in (7, 91, 365)]
    overview += [q(q=term) for term in terms]
    overview += [q(sort=s) for s in ("change", "name", "newest")]
    overview += [q(service=s) for s in services]
    if department:
        overview.append(q(department=department[0]))
    overview += [
        q(period=365, channel=channels[0] if channels else "", sort="change"),
        q(page=2),
        q(hidden="on", sort="volume"),
    ]
    largest = [t[0] for t in themes[:DETAIL_LARGEST]]
    rest = [t[0] for t in themes[DETAIL_LARGEST:]]
    others = random.Random(seed).sample(  # noqa: S311 - a fixed sample, not a secret
        rest, min(DETAIL_RANDOM, len(rest))
    )
    detail = [f"{base}{pk}/" for pk in largest + others]
    return {"overview": overview, "detail": detail}


def fetch_each(port: int, cookie: str, urls: list[str]) -> list[dict[str, Any]]:
    """Every URL once, one after another: status, time (the first, cold hit) and size."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    out = []
    for path in urls:
        t = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie, "Accept": "text/html"})
        response = conn.getresponse()
        body = response.read()
        out.append(
            {
                "path": path,
                "status": response.status,
                "ms": round((time.perf_counter() - t) * 1000, 1),
                "bytes": len(body),
                "location": response.getheader("Location"),
            }
        )
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.close()
    return out


# ---------------------------------------------------------------------------------------------
# wrk over a list of GET paths

WRK_GET_SCRIPT = Template(r"""
local paths = {
$paths
}
local npaths = #paths
local cookie = "$cookie"

function init(args)
  counter = 0
  sent = 0
  statuses = {}
end

function request()
  counter = counter + 1
  sent = sent + 1
  local path = paths[((counter + tid * 7) % npaths) + 1]
  return wrk.format("GET", path, {["Cookie"] = cookie, ["Accept"] = "text/html"})
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  write_result(summary, latency)
end
""")


def run_wrk_get(
    paths: list[str], cookie: str, port: int, duration: int, connections: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        wrk = run_wrk(
            WRK_GET_SCRIPT.substitute(
                paths=",\n".join(json.dumps(p) for p in paths), cookie=cookie
            ),
            Path(tmp),
            url=f"http://127.0.0.1:{port}/",
            connections=connections,
            duration=duration,
            timeout="30s",
        )
    answered, duration_s = wrk.answered, wrk.duration_s
    return wrk.load(
        LATENCY,
        1,
        before={"urls": len(paths)},
        after={
            "requests_per_s": round(answered / duration_s, 1) if duration_s else 0.0,
            "mean_kib": round(wrk.raw["bytes"] / max(answered, 1) / 1024, 1),
        },
    )


# ---------------------------------------------------------------------------------------------
# CPU of the parts of a phase


def peak_rss_mib(root: int) -> dict[str, float]:
    """Peak resident memory (VmHWM) of a process tree: the largest process and the sum."""
    tree = child_pids()
    peaks = []
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
        stack.extend(tree.get(pid, []))
    return {"largest": round(max(peaks, default=0.0), 1), "sum": round(sum(peaks), 1)}


def measure(
    url: str,
    postmaster: int | None,
    processes: dict[str, subprocess.Popen[bytes]],
    run: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    measured = measure_cpu(url, postmaster, processes, run)
    result = measured.result
    # postgres_cluster only where the postmaster was found
    result["cpu_cores_used"] = {k: round(v, 2) for k, v in measured.cores.items() if v is not None}
    result["cpu_seconds"] = {k: round(v, 2) for k, v in measured.cpu.items()}
    result["wall_s"] = round(measured.wall, 2)
    return result


# ---------------------------------------------------------------------------------------------
# Assignment latency: Celery worker + intake API at a fixed rate


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def jobs_since(self, offset: int) -> dict[str, Any]:
        """The jobs the worker finished since ``offset`` in its log: count and run times."""
        with self.log.open("rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
        runs: dict[str, list[float]] = {}
        for name, seconds in re.findall(
            r"Task leerlus\.patterns\.tasks\.(\w+)\[[^\]]+\] succeeded in ([0-9.eE+-]+)s", text
        ):
            runs.setdefault(name, []).append(float(seconds))
        failed = len(re.findall(r"Task leerlus\.[\w.]+\[[^\]]+\] (?:raised|failed)", text))
        return {
            "failed": failed,
            **{
                name: {"runs": len(times), "run_time_s": percentiles(times)}
                for name, times in runs.items()
            },
        }

    def log_size(self) -> int:
        return self.log.stat().st_size


@contextmanager
def celery_worker(env: dict[str, str], concurrency: int) -> Iterator[Worker]:
    command = [
        *(sys.executable, "-m", "celery", "-A", "leerlus.celery", "worker"),
        *("--loglevel", "INFO", "--concurrency", str(concurrency), "--pool", "prefork"),
        *("--hostname", f"patterns-bench-{os.getpid()}@%h"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    with logged_process(
        command,
        env,
        name="Celery worker",
        problem=lambda line: "ERROR" in line or "Traceback" in line or "CRITICAL" in line,
        stop_timeout=60,  # SIGTERM is a warm shutdown: running jobs finish
        own_group=True,  # the worker's prefork children are killed with it
    ) as (process, log):
        deadline = time.monotonic() + 90
        while True:
            log.seek(0)
            text = log.read().decode(errors="replace")
            if process.poll() is not None:
                sys.exit(f"the Celery worker stopped:\n{text[-4000:]}")
            if " ready." in text:
                break
            if time.monotonic() > deadline:
                sys.exit(f"the Celery worker was not ready within 90 s:\n{text[-4000:]}")
            time.sleep(0.3)
        yield Worker(process, Path(log.name))


class AssignmentWatcher(DatabasePoller):
    """When each new signal's assignment became visible: polls every ``interval`` s."""

    def __init__(self, url: str, after_id: int, interval: float = 0.1) -> None:
        super().__init__(url)
        self.after_id = after_id
        self.interval = interval
        self.seen: dict[int, float] = {}

    def _run(self) -> None:
        with db_connect(self.url) as conn:
            while True:
                rows = conn.execute(
                    "SELECT feedback_id FROM patterns_themeassignment WHERE feedback_id > %s",
                    [self.after_id],
                ).fetchall()
                now = time.time()
                for (pk,) in rows:
                    self.seen.setdefault(pk, now)
                if self.stop.wait(self.interval):
                    return


def percentiles(values: list[float]) -> dict[str, float | None]:
    data = sorted(values)

    def pct(p: float) -> float | None:
        if not data:
            return None
        return round(data[min(len(data) - 1, int(p / 100 * len(data)))], 3)

    return {
        "p50": pct(50),
        "p90": pct(90),
        "p95": pct(95),
        "p99": pct(99),
        "max": round(data[-1], 3) if data else None,
    }


def max_feedback_id(url: str) -> int:
    with db_connect(url) as conn:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM feedback_feedback").fetchone()[0])


def assignment_phase(
    url: str,
    bodies: list[str],
    token: str,
    port: int,
    rate: float,
    duration: int,
    connections: int,
    prefix: str,
    worker: Worker,
) -> dict[str, Any]:
    """Creates at ``rate`` for ``duration`` s; then waits for their assignments (at most
    ``ASSIGN_LIMIT_S`` + 5 s after the last) and reads both times per signal."""
    before = max_feedback_id(url)
    log_offset = worker.log_size()
    with AssignmentWatcher(url, before) as watcher:
        load = run_loadgen(bodies, token, port, duration, connections, prefix, rate=rate)
        load.pop("references", None)
        load_done = time.time()
        while time.time() < load_done + ASSIGN_LIMIT_S + 5:
            with db_connect(url) as conn:
                waiting = conn.execute(
                    "SELECT count(*) FROM feedback_feedback f WHERE f.id > %s AND NOT EXISTS "
                    "(SELECT 1 FROM patterns_themeassignment a WHERE a.feedback_id = f.id)",
                    [before],
                ).fetchone()[0]
            if not waiting:
                break
            time.sleep(0.5)
        time.sleep(watcher.interval * 2)
    with db_connect(url) as conn:
        rows = conn.execute(
            "SELECT f.id, extract(epoch FROM f.created_at)::float8, "
            "extract(epoch FROM a.assigned_at)::float8, a.theme_id IS NOT NULL "
            "FROM feedback_feedback f "
            "LEFT JOIN patterns_themeassignment a ON a.feedback_id = f.id "
            "WHERE f.id > %s ORDER BY f.id",
            [before],
        ).fetchall()
    visible = []
    stamped = []
    late = 0
    never = 0
    with_theme = 0
    for pk, created, assigned, has_theme in rows:
        seen = watcher.seen.get(pk)
        if assigned is None:
            never += 1
            late += 1
            continue
        with_theme += bool(has_theme)
        stamped.append(assigned - created)
        delay = (seen if seen is not None else assigned) - created
        visible.append(delay)
        if delay > ASSIGN_LIMIT_S:
            late += 1
    load["signals_created"] = len(rows)
    load["assignment"] = {
        "assigned": len(stamped),
        "with_a_theme": with_theme,
        "not_assigned_within_10_s": late,
        "never_assigned_before_the_end": never,
        "jobs": worker.jobs_since(log_offset),
        "delay_to_visible_s": percentiles(visible),
        "delay_to_assigned_at_s": percentiles(stamped),
        "poll_interval_s": watcher.interval,
    }
    return load


# ---------------------------------------------------------------------------------------------
# Output


def screens_table(result: dict[str, Any]) -> str:
    lines = [
        "| page | URLs | conns | req/s | p50 ms | p90 ms | p95 ms | p99 ms | max ms | non-200 "
        "| KiB | cores: server / PG / wrk / rest |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for phase in result["screens"]["phases"]:
        lines.append(
            markdown_row(
                phase["phase"],
                phase["urls"],
                phase["connections"],
                f"{phase['requests_per_s']:.0f}",
                *(phase["latency_ms"][k] for k in ("p50", "p90", "p95", "p99", "max")),
                unexpected_answers(phase, "200"),
                phase["mean_kib"],
                cores_used(phase, "server", "postgres", "load_generator", "rest_of_machine"),
            )
        )
    return "\n".join(lines)


def assignment_table(result: dict[str, Any]) -> str:
    lines = [
        "| phase | creates/s | signals | API p50 / p99 ms | delay to visible p50 / p95 / max s "
        "| to assigned_at p50 / p95 / max s | > 10 s | assignment jobs (p95 s) "
        "| cores: server / worker / PG / rest |",
        "|---|---:|---:|---|---|---|---:|---:|---|",
    ]
    for phase in result["assignment"]["phases"]:
        a = phase["assignment"]
        v, s = a["delay_to_visible_s"], a["delay_to_assigned_at_s"]
        jobs = a["jobs"].get("assign_new_feedback", {})
        rate = phase["signals_created"] / phase["duration_s"] if phase["duration_s"] else 0
        lines.append(
            f"| {phase['phase']} | {rate:.1f} | {phase['signals_created']} "
            f"| {phase['latency_ms']['p50']} / {phase['latency_ms']['p99']} "
            f"| {v['p50']} / {v['p95']} / {v['max']} | {s['p50']} / {s['p95']} / {s['max']} "
            f"| {a['not_assigned_within_10_s']} | {jobs.get('runs', 0)} "
            f"({jobs.get('run_time_s', {}).get('p95')}) "
            f"| {cores_used(phase, 'server', 'worker', 'postgres', 'rest_of_machine')} |"
        )
    return "\n".join(lines)


def setup_table(setup: dict[str, Any]) -> str:
    lines = ["| set-up step | wall s | CPU s | peak RSS MiB |", "|---|---:|---:|---:|"]
    for name in ("recreate_database", "migrate", "demo", "topup", "vacuum_analyze"):
        if name in setup:
            lines.append(f"| {name} | {setup[name]['seconds']} | | |")
    for name, step in (setup.get("jobs") or {}).get("steps", {}).items():
        if isinstance(step, dict):
            lines.append(
                f"| patterns: {name} | {step['wall_s']} | {step['cpu_s']} "
                f"| {step['peak_rss_mib_so_far']} |"
            )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) == 2 and sys.argv[1] == "--analyse-child":
        analyse_child()
        return
    parser = bench_parser(__doc__, DEFAULT_DB)
    parser.add_argument("--items", type=int, default=1_000_000, help="signals of the demo org")
    parser.add_argument("--duration", type=int, default=30, help="seconds per screens phase")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--workers", type=int, default=4, help="server worker processes")
    parser.add_argument("--threads", type=int, default=1, help="blocking threads per worker")
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="top-up processes")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of each warm-up")
    parser.add_argument("--assign-rate", type=float, default=50.0, help="creates/s (0: skip)")
    parser.add_argument("--assign-duration", type=int, default=60, help="seconds")
    parser.add_argument("--assign-connections", type=int, default=16)
    parser.add_argument("--worker-concurrency", type=int, default=2, help="Celery processes")
    parser.add_argument(
        "--broker-url", default="redis://127.0.0.1:6379/14", help="flushed before phase 3"
    )
    parser.add_argument(
        "--cache-url", default="redis://127.0.0.1:6379/15", help="flushed before phase 3"
    )
    parser.add_argument("--skip-screens", action="store_true")
    args = bench_arguments(parser, RESULT)

    url = args.database_url
    local_env, prod_env = environments(
        url, args.cache_url, args.conn_max_age, CELERY_BROKER_URL=args.broker_url
    )
    # the top-up's worker processes read the database URL from the environment
    os.environ["DATABASE_URL"] = url
    # production serves static files through the manifest: collected once, into a
    # directory of this run (not the installation's var/static)
    static_root = tempfile.mkdtemp(prefix="leerlus-patterns-bench-static-")
    prod_env["STATIC_ROOT"] = static_root
    try:
        run_bench(args, url, local_env, prod_env)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


def run_bench(
    args: argparse.Namespace,
    url: str,
    local_env: dict[str, str],
    prod_env: dict[str, str],
) -> None:

    setup: dict[str, Any] = {}

    def timed(name: str, call: Callable[[], Any]) -> Any:
        t = time.perf_counter()
        value = call()
        setup[name] = {"seconds": round(time.perf_counter() - t, 1)}
        print(f"  {name}: {setup[name]['seconds']} s", flush=True)
        return value

    if not args.skip_setup:
        print(f"Recreating {urlparse(url).path.lstrip('/')}, migrate, demo ...", flush=True)
        timed("recreate_database", lambda: recreate_database(url))
        timed("migrate", lambda: leerlus(["migrate", "--verbosity", "0"], local_env))
        timed("demo", lambda: leerlus(["demo"], local_env))
        facts = timed("topup", lambda: topup(url, args.items, args.jobs))
        setup["topup"].update(facts)
        print("Running the patterns jobs on every signal ...", flush=True)
        setup["jobs"] = run_analysis(prod_env)
        for name, step in setup["jobs"]["steps"].items():
            if isinstance(step, dict):
                print(f"  {name}: {step['wall_s']} s, peak {step['peak_rss_mib_so_far']} MiB")

        def vacuum() -> None:
            with db_connect(url) as conn:
                conn.execute("VACUUM ANALYZE")

        timed("vacuum_analyze", vacuum)
    database = database_facts(url)
    print(
        f"{database['signals']:,} signals, {database['themes']} themes, "
        f"{database['daily_counts']:,} daily counts; database {database['database_size']}",
        flush=True,
    )
    if not database["assignments"]:
        patterns_missing("no theme assignments in the bench database")
    if database["signals"] > database["assignments"]:
        print(
            f"WARNING: {database['signals'] - database['assignments']:,} signals have no "
            "assignment yet: the worker assigns those first in phase 3",
            flush=True,
        )

    background = background_cores()
    postmaster = postmaster_pid()
    t = time.perf_counter()
    leerlus(["collectstatic", "--noinput", "--verbosity", "0"], prod_env)
    static_s = round(time.perf_counter() - t, 1)

    screens: dict[str, Any] | None = None
    if not args.skip_screens:
        port = free_port()
        with wsgi_server(
            "granian", prod_env, port, args.workers, args.threads, 2048, balanced=True
        ) as server:
            print(f"granian on :{port}, {args.workers} workers x {args.threads} threads")
            cookie = log_in(port, ANALYST, DEMO_PASSWORD)
            urls = screen_urls(url)
            first = fetch_each(port, cookie, urls["overview"] + urls["detail"])
            bad = [f for f in first if f["status"] != 200]
            if bad:
                if first[0]["status"] == 404:
                    patterns_missing("/patterns/themes/ answers 404")
                sys.exit(f"not every page answers 200: {bad[:10]}")
            print(
                f"every page once: {len(first)} URLs, all 200, slowest "
                f"{max(f['ms'] for f in first)} ms",
                flush=True,
            )
            phases = []
            for kind in ("overview", "detail"):
                run_wrk_get(urls[kind], cookie, port, args.warmup, args.connections)
                phase = measure(
                    url,
                    postmaster,
                    {"server": server},
                    lambda kind=kind: run_wrk_get(
                        urls[kind], cookie, port, args.duration, args.connections
                    ),
                )
                phase["phase"] = kind
                lat = phase["latency_ms"]
                print(
                    f"{kind}: {phase['requests_per_s']}/s, p50 {lat['p50']} ms, "
                    f"p95 {lat['p95']} ms, p99 {lat['p99']} ms, statuses {phase['statuses']}",
                    flush=True,
                )
                phases.append(phase)
            server_memory = peak_rss_mib(server.pid)
        slowest = sorted(first, key=lambda f: -f["ms"])[:10]
        screens = {
            "urls": urls,
            "first_hit": {
                kind: percentiles([f["ms"] for f in first if f["path"] in urls[kind]])
                for kind in ("overview", "detail")
            },
            "slowest_first_hits": [{k: f[k] for k in ("path", "ms", "bytes")} for f in slowest],
            "phases": phases,
            "server_peak_rss_mib": server_memory,
        }

    assignment: dict[str, Any] | None = None
    if args.assign_rate:
        import redis

        for redis_url in (args.broker_url, args.cache_url):
            redis.Redis.from_url(redis_url).flushdb()
        token = leerlus(["token", "create", "kcc"], local_env).strip().splitlines()[-1]
        # intake as it is live: no receivedAt, so the signals arrive now
        bodies = []
        for body in request_bodies(4000)[0]:
            data = json.loads(body)
            data.pop("receivedAt", None)
            bodies.append(json.dumps(data, ensure_ascii=False))
        run_id = f"patterns-bench-{int(time.time())}"
        port = free_port()
        with (
            wsgi_server(
                "granian", prod_env, port, args.workers, args.threads, 2048, balanced=True
            ) as server,
            celery_worker(prod_env, args.worker_concurrency) as worker,
        ):
            print(
                f"Celery worker ({args.worker_concurrency} processes) and granian on :{port}; "
                f"creates at {args.assign_rate:g}/s",
                flush=True,
            )
            phases = []
            for name, duration in (("warm-up", args.warmup), ("measured", args.assign_duration)):
                phase = measure(
                    url,
                    postmaster,
                    {"server": server, "worker": worker.process},
                    lambda name=name, duration=duration: assignment_phase(
                        url,
                        bodies,
                        token,
                        port,
                        args.assign_rate,
                        duration,
                        args.assign_connections,
                        f"{run_id}-{name}",
                        worker,
                    ),
                )
                phase["phase"] = f"{name} {args.assign_rate:g}/s x {duration} s"
                a = phase["assignment"]
                print(
                    f"{name}: {phase['signals_created']} created, statuses {phase['statuses']}; "
                    f"delay p50 {a['delay_to_visible_s']['p50']} s, "
                    f"p95 {a['delay_to_visible_s']['p95']} s, "
                    f"max {a['delay_to_visible_s']['max']} s; "
                    f"{a['not_assigned_within_10_s']} over 10 s",
                    flush=True,
                )
                phases.append(phase)
            worker_memory = peak_rss_mib(worker.process.pid)
        assignment = {
            "rate": args.assign_rate,
            "duration_s": args.assign_duration,
            "connections": args.assign_connections,
            "worker_concurrency": args.worker_concurrency,
            "broker": args.broker_url,
            "cache": args.cache_url,
            "note": "delay_to_visible: from the signal's created_at to the first poll (every "
            "0.1 s) that saw its ThemeAssignment committed; delay_to_assigned_at: to its "
            "assigned_at (auto_now: when the row was written, before the batch's commit); jobs: "
            "the worker's finished jobs in the phase, from its log",
            "phases": phases,
            "worker_peak_rss_mib": worker_memory,
        }

    import django

    result: dict[str, Any] = {
        **run_facts(
            "patterns: theme screens under load and assignment latency",
            url,
            {
                "screens_p95_ms": TARGET_SCREEN_P95_MS,
                "assignment_p95_s": TARGET_ASSIGN_P95_S,
                "items": 1_000_000,
            },
        ),
        "server": {
            "wsgi": f"granian {importlib.metadata.version('granian')}",
            "workers": args.workers,
            "threads": args.threads,
            "settings": "leerlus.settings.production",
            "database_conn_max_age": args.conn_max_age,
            "celery": importlib.metadata.version("celery"),
            "django": django.get_version(),
            "static_files": f"collectstatic into a temporary STATIC_ROOT ({static_s} s)",
        },
        "load": {
            "same_machine": True,
            "note": "the load generator, the server, the worker and PostgreSQL share the CPUs",
        },
        "database": database,
        "setup": setup or None,
        "background_cores_busy_before_run": background,
        "screens": screens,
        "assignment": assignment,
    }
    verdict: dict[str, Any] = {"items": database["signals"]}
    if screens:
        for phase in screens["phases"]:
            verdict[f"{phase['phase']}_p95_ms"] = phase["latency_ms"]["p95"]
            verdict[f"{phase['phase']}_all_200"] = (
                set(phase["statuses"]) == {"200"} and not phase["transport_errors"]
            )
        verdict["screens_meet_target"] = all(
            p["latency_ms"]["p95"] < TARGET_SCREEN_P95_MS for p in screens["phases"]
        ) and all(verdict[f"{p['phase']}_all_200"] for p in screens["phases"])
    if assignment:
        measured = assignment["phases"][-1]
        a = measured["assignment"]
        verdict["assignment_p95_s"] = a["delay_to_visible_s"]["p95"]
        verdict["assignment_not_within_10_s"] = a["not_assigned_within_10_s"]
        verdict["assignment_meets_target"] = (
            a["delay_to_visible_s"]["p95"] is not None
            and a["delay_to_visible_s"]["p95"] < TARGET_ASSIGN_P95_S
            and set(measured["statuses"]) == {"201"}
            and not a["never_assigned_before_the_end"]
        )
    result["verdict"] = verdict
    shown = write_result(result, args.output)
    m, pg = result["machine"], result["postgres"]
    print(
        f"\n{m['cpu']}, {m['nproc']} CPUs, {m['ram_gib']} GiB; PostgreSQL {pg['version']}; "
        f"{result['server']['wsgi']} {args.workers} x {args.threads}; "
        f"{database['signals']:,} signals, {database['themes']} themes\n"
    )
    if setup:
        print(setup_table(setup) + "\n")
    if screens:
        print(screens_table(result))
        hits = screens["first_hit"]
        print(
            "\nEvery URL once, one after another (cold): overview p50 "
            f"{hits['overview']['p50']} ms, max {hits['overview']['max']} ms; detail p50 "
            f"{hits['detail']['p50']} ms, max {hits['detail']['max']} ms\n"
        )
    if assignment:
        print(assignment_table(result) + "\n")
    print(f"Written to {shown}")


if __name__ == "__main__":
    main()
