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

The parts: ``patterns_setup.py`` (the top-up, the database facts), ``patterns_jobs.py`` (the
jobs in a child process), ``patterns_screens.py`` (log-in, URLs, ``wrk``),
``patterns_assign.py`` (the worker and the assignment delays), ``patterns_report.py`` (the
verdict and the tables).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from api_clients import request_bodies
from common import (
    ROOT,
    background_cores,
    bench_arguments,
    bench_parser,
    child_pids,
    db_connect,
    leerlus,
    postmaster_pid,
    recreate_database,
    run_facts,
)
from load_cpu import measure_cpu
from load_server import environments, free_port, wsgi_server
from patterns_assign import assignment_phase, celery_worker, percentiles
from patterns_jobs import analyse_child, run_analysis
from patterns_report import TARGET_ASSIGN_P95_S, TARGET_SCREEN_P95_MS, report, verdict_of
from patterns_screens import ANALYST, DEMO_PASSWORD, fetch_each, log_in, run_wrk_get, screen_urls
from patterns_setup import database_facts, patterns_missing, topup

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/leerlus_patterns_bench"
RESULT = ROOT / "bench" / "results" / "patterns_load.json"


# ---------------------------------------------------------------------------------------------
# CPU and memory of the parts of a phase


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
# The parts of a run: set-up, screens, assignment latency


def run_setup(
    args: argparse.Namespace,
    url: str,
    local_env: dict[str, str],
    prod_env: dict[str, str],
) -> dict[str, Any]:
    """Part 1 (nothing with ``--skip-setup``): the database, the top-up, the patterns jobs;
    what each took."""
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
    return setup


def run_screens(
    args: argparse.Namespace, url: str, prod_env: dict[str, str], postmaster: int | None
) -> dict[str, Any]:
    """Part 2: every URL once, then ``wrk`` per page kind."""
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
    return {
        "urls": urls,
        "first_hit": {
            kind: percentiles([f["ms"] for f in first if f["path"] in urls[kind]])
            for kind in ("overview", "detail")
        },
        "slowest_first_hits": [{k: f[k] for k in ("path", "ms", "bytes")} for f in slowest],
        "phases": phases,
        "server_peak_rss_mib": server_memory,
    }


def run_assignment(
    args: argparse.Namespace,
    url: str,
    local_env: dict[str, str],
    prod_env: dict[str, str],
    postmaster: int | None,
) -> dict[str, Any]:
    """Part 3: the worker and creates at ``--assign-rate``, a warm-up and the measured phase."""
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
    return {
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
    setup = run_setup(args, url, local_env, prod_env)
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

    screens = None if args.skip_screens else run_screens(args, url, prod_env, postmaster)
    assignment = (
        run_assignment(args, url, local_env, prod_env, postmaster) if args.assign_rate else None
    )

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
    result["verdict"] = verdict_of(database, screens, assignment)
    report(result, args.output, args.workers, args.threads)


if __name__ == "__main__":
    main()
