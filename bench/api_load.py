# SPDX-License-Identifier: EUPL-1.2
"""Load test of the intake API: single creates on ``POST /api/v1/feedback``.

Run from the repository root (it drops and recreates the bench database)::

    .venv/bin/python bench/api_load.py \
        [--database-url postgres://postgres@127.0.0.1:5432/leerlus_api_bench] \
        [--duration 30] [--connections 16] [--workers 4] [--threads 1] [--rate 500]

What it does, in order:

1. drops and creates the bench database, ``leerlus migrate``, ``leerlus demo`` (local settings
   with ``LEERLUS_DEMO=true``: the demo cannot be loaded in production) and
   ``leerlus token create kcc`` (the front-office demo account);
2. starts the WSGI server (granian, as ``leerlus serve`` does; ``--server gunicorn`` to
   compare) with the production settings (``leerlus.settings.production``, access log
   off, ``LOG_LEVEL=WARNING``), ``--workers`` processes with ``--threads`` threads each;
3. warms up, then runs the load generator in a separate process for ``--duration`` seconds:
   ``wrk`` (closed loop, ``--connections`` connections) when installed, else
   ``bench/loadgen.py``. Bodies are demo signals from
   ``leerlus.demo.feedback_generator`` (all channels and services, about 3 % with personal
   data); every second request carries a unique ``Idempotency-Key``;
4. with ``--rate`` > 0 open-loop phases at a fixed rate (``bench/loadgen.py``), latency
   counted from the moment a request was due, queueing included: at ``--rate`` when the
   closed loop reached it, otherwise at 50 % and 80 % of the capacity it measured;
5. after each phase checks in the database that every 201 is exactly one stored signal (no
   loss, no duplicate) with one audit entry, and one idempotency record per keyed 201;
6. stops the server and profiles ``--profile-requests`` creates in one process through the WSGI
   handler, with a timer (wall and CPU) around each step of the view and each query.

Results go to ``bench/results/api_load.json`` (or ``--output``); markdown tables are printed.
The load generator runs on the same machine as the server and PostgreSQL and shares its CPUs;
the CPU time of each (the server, the PostgreSQL backends of the bench database, the client) and
of the rest of the machine is recorded per phase, with the CPU time per stored signal.
``--skip-setup`` reuses the bench database (for comparing server settings).

The parts: ``api_clients.py`` (the request bodies, ``wrk`` and ``bench/loadgen.py``),
``api_profile.py`` (the in-process profile), ``api_report.py`` (the verdict and the tables).
"""

from __future__ import annotations

import functools
import importlib.metadata
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from api_clients import request_bodies, run_loadgen, run_wrk_creates
from api_profile import profile_child, run_profile
from api_report import TARGET_P99_MS, TARGET_RPS, report, verdict_of
from common import (
    ROOT,
    background_cores,
    bench_arguments,
    bench_parser,
    db_connect,
    leerlus,
    postmaster_pid,
    recreate_database,
    run_facts,
)
from load_cpu import measure_cpu
from load_server import environments, free_port, worker_class, wsgi_server

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/leerlus_api_bench"
RESULT = ROOT / "bench" / "results" / "api_load.json"


# ---------------------------------------------------------------------------------------------
# Measuring one phase


def max_ids(url: str) -> dict[str, int]:
    with db_connect(url) as conn:
        return {
            table: conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]  # noqa: S608
            for table in (
                "feedback_feedback",
                "organisations_auditentry",
                "feedback_idempotencyrecord",
            )
        }


def verify(url: str, before: dict[str, int], load: dict[str, Any]) -> dict[str, Any]:
    """Every 201 is one stored signal; nothing stored without an answer beyond what was in
    flight when the client stopped; one audit entry per signal; one record per keyed 201."""
    time.sleep(1.0)  # answers wrk stopped waiting for are finished by now
    refs = load.pop("references")
    created = int(load["statuses"].get("201", 0))
    with db_connect(url) as conn:
        rows = conn.execute(
            "SELECT count(*), count(DISTINCT reference) FROM feedback_feedback WHERE id > %s",
            [before["feedback_feedback"]],
        ).fetchone()
        matched = conn.execute(
            "SELECT count(*) FROM feedback_feedback WHERE id > %s AND reference = ANY(%s)",
            [before["feedback_feedback"], refs],
        ).fetchone()[0]
        audits = conn.execute(
            "SELECT count(*) FROM organisations_auditentry WHERE id > %s "
            "AND action = 'feedback.create'",
            [before["organisations_auditentry"]],
        ).fetchone()[0]
        keyed = conn.execute(
            "SELECT count(*), count(DISTINCT key) FROM feedback_idempotencyrecord WHERE id > %s",
            [before["feedback_idempotencyrecord"]],
        ).fetchone()
    extra = rows[0] - created
    ok = (
        len(refs) == created
        and len(set(refs)) == created
        and matched == created
        and rows[0] == rows[1]
        and 0 <= extra <= load["in_flight_at_stop"]
        and audits == rows[0]
        and keyed[0] == keyed[1]
    )
    return {
        "responses_201": created,
        "distinct_references_in_201s": len(set(refs)),
        "rows_stored": rows[0],
        "rows_matching_a_201": matched,
        "rows_without_answer": extra,
        "answers_outstanding_at_stop": load["in_flight_at_stop"],
        "audit_entries": audits,
        "idempotency_records": keyed[0],
        "ok": ok,
    }


def measure(
    name: str,
    url: str,
    postmaster: int | None,
    server: subprocess.Popen[bytes],
    run: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    before = max_ids(url)
    measured = measure_cpu(url, postmaster, {"server": server}, run)
    load = measured.result
    load["cpu_cores_used"] = {
        k: (round(v, 2) if v is not None else None) for k, v in measured.cores.items()
    }
    load["wall_s"] = round(measured.wall, 2)
    load["verification"] = verify(url, before, load)
    created = load["verification"]["responses_201"]
    load["created_per_s"] = round(created / load["duration_s"], 1) if load["duration_s"] else 0
    # CPU per stored signal: less sensitive than throughput to other work on the machine
    stored = max(load["verification"]["rows_stored"], 1)
    load["cpu_ms_per_create"] = {k: round(v / stored * 1000, 2) for k, v in measured.cpu.items()}
    load["phase"] = name
    return load


# ---------------------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--profile-child":
        profile_child(int(sys.argv[2]))
        return
    parser = bench_parser(__doc__, DEFAULT_DB)
    parser.add_argument("--duration", type=int, default=30, help="seconds per measured phase")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--server",
        choices=("granian", "gunicorn"),
        default="granian",
        help="granian: what leerlus serve runs; gunicorn (bench extra): for comparison",
    )
    parser.add_argument("--workers", type=int, default=4, help="server worker processes")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (> 1: gthread workers)"
    )
    parser.add_argument(
        "--conn-max-age", type=int, default=60, help="DATABASE_CONN_MAX_AGE for the server"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=TARGET_RPS,
        help="requests/s of the open-loop phase; below capacity 50 %% and 80 %% of it (0: skip)",
    )
    parser.add_argument("--rate-connections", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=5, help="seconds")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/1")
    parser.add_argument(
        "--profile-requests",
        type=int,
        default=2000,
        help="requests of the in-process profile of the request path (0: skip it)",
    )
    args = bench_arguments(parser, RESULT)

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    if client == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk), use --client python")

    url = args.database_url
    local_env, prod_env = environments(url, args.cache_url, args.conn_max_age)

    t0 = time.perf_counter()
    if not args.skip_setup:
        print(f"Recreating {urlparse(url).path.lstrip('/')}, migrate, demo ...", flush=True)
        recreate_database(url)
        leerlus(["migrate", "--verbosity", "0"], local_env)
        leerlus(["demo"], local_env)
    token = leerlus(["token", "create", "kcc"], local_env).strip().splitlines()[-1]
    with db_connect(url) as conn:
        conn.execute("VACUUM ANALYZE")
        demo_rows = conn.execute("SELECT count(*) FROM feedback_feedback").fetchone()[0]
    setup_s = time.perf_counter() - t0
    bodies, body_facts = request_bodies(4000)
    background = background_cores()
    postmaster = postmaster_pid()
    port = free_port()
    run_id = f"bench-{int(time.time())}"

    phases = []
    with wsgi_server(
        args.server, prod_env, port, args.workers, args.threads, backlog=2048
    ) as server:
        print(f"{args.server} on :{port}, {args.workers} workers x {args.threads} threads")

        def closed(duration: int, prefix: str) -> dict[str, Any]:
            if client == "wrk":
                return run_wrk_creates(bodies, token, port, duration, args.connections, prefix)
            return run_loadgen(bodies, token, port, duration, args.connections, prefix)

        warm = measure(
            "warm-up", url, postmaster, server, lambda: closed(args.warmup, f"{run_id}-w")
        )
        print(f"warm-up: {warm['created_per_s']}/s", flush=True)
        phases.append(
            measure(
                "saturation",
                url,
                postmaster,
                server,
                lambda: closed(args.duration, f"{run_id}-s"),
            )
        )
        if args.rate:
            # At the target rate when the server can take it; otherwise an open loop at that
            # rate would only measure a growing queue, so at 50 % and 80 % of the measured
            # capacity instead: the latency at loads this server does sustain.
            capacity = phases[0]["created_per_s"]
            if capacity >= args.rate:
                rates = [(args.rate, "")]
            else:
                rates = [
                    (max(1.0, round(capacity * share)), f" ({share:.0%} of capacity)")
                    for share in (0.5, 0.8)
                ]
            for rate, note in rates:
                time.sleep(2)
                phases.append(
                    measure(
                        f"fixed rate {rate:g}/s{note}",
                        url,
                        postmaster,
                        server,
                        functools.partial(
                            run_loadgen,
                            bodies,
                            token,
                            port,
                            args.duration,
                            args.rate_connections,
                            f"{run_id}-r{rate:g}",
                            rate=rate,
                        ),
                    )
                )

    profile = None
    if args.profile_requests:
        print("Profiling the request path in process ...", flush=True)
        profile = run_profile(prod_env, token, args.profile_requests)

    import django

    result: dict[str, Any] = {
        **run_facts(
            "intake API, single creates (POST /api/v1/feedback)",
            url,
            {"created_per_s": TARGET_RPS, "p99_ms": TARGET_P99_MS},
        ),
        "server": {
            "wsgi": f"{args.server} {importlib.metadata.version(args.server)}",
            "worker_class": worker_class(args.server, args.threads),
            "workers": args.workers,
            "threads": args.threads,
            "settings": "leerlus.settings.production",
            "database_conn_max_age": args.conn_max_age,
            "cache": args.cache_url,
            "access_log": False,
            "log_level": "WARNING",
            "django": django.get_version(),
        },
        "load": {
            "closed_loop_client": client,
            "same_machine": True,
            "note": "the load generator, the server and PostgreSQL share the same CPUs",
            "bodies": body_facts,
        },
        "database": {"demo_signals_before": demo_rows, "setup_s": round(setup_s, 1)},
        "background_cores_busy_before_run": background,
        "phases": phases,
        "profile": profile,
    }
    result["verdict"] = verdict_of(phases)
    report(result, args.output, args.workers, args.threads)


if __name__ == "__main__":
    main()
