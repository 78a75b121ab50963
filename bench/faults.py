# SPDX-License-Identifier: EUPL-1.2
"""Faults under load: no accepted signal lost, recovery without a manual restart.

Run from the repository root (it drops and recreates the bench database, flushes the Redis
database of ``--broker-url`` and, with the ``postgres`` fault, RESTARTS the PostgreSQL server
of this machine: every other database on it is cut off for a few seconds)::

    .venv/bin/python bench/faults.py \
        [--database-url postgres://postgres@127.0.0.1:5432/leerlus_faults_bench] \
        [--broker-url redis://127.0.0.1:6379/13] [--creates 2000] [--clients 4] [--rate 40] \
        [--faults worker,web,postgres]

What it does, in order:

1. drops and creates the bench database, ``leerlus migrate``, an organisation with one
   front-office account and its API token;
2. starts ``leerlus serve`` as a user would (the production settings, ``--web-workers`` granian
   workers, a Celery worker and beat on Redis), and waits until it answers ``/health`` and
   the worker answers a ping;
3. sends ``--creates`` unique creates (``POST /api/v1/feedback``, demo texts, each with its own
   ``externalId`` and ``Idempotency-Key``) from ``--clients`` threads at ``--rate`` a second.
   A client retries a request that failed (no answer, 429, 5xx) up to ``--attempts`` times in
   all with the same body and key, after ``Retry-After`` or 0.5 s doubling to 5 s;
4. meanwhile, at 15 %, 45 % and 75 % of the stream (or later: the next fault waits until the
   last was repaired and ``/health`` answered 200 for 5 s on end), one fault each: ``worker``
   (SIGKILL to the Celery worker), ``web`` (SIGKILL to one granian worker), ``postgres``
   (``pg_ctlcluster ... restart``). Nobody repairs anything: ``serve`` and granian must. Per
   fault: the seconds until a new process ran and until it answered (a new worker answers a
   ping; granian's new worker loaded the application; PostgreSQL accepts
   connections), until ``/health``, asked ten times a second, answered 200 again for good,
   and the attempts that failed before the next fault;
5. checks the database: every create answered 2xx is stored exactly once (2xx missing from the
   database must be 0), and counts what was stored although every answer was lost; then stops
   ``serve`` with SIGTERM, which must end with exit code 0.

Results go to ``bench/results/faults.json`` (or ``--output``); a markdown table is printed.
The parts: ``faults_clients.py`` (the stream and the prober).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api_clients import request_bodies
from common import (
    ROOT,
    bench_arguments,
    bench_parser,
    child_pids,
    db_connect,
    leerlus,
    markdown_row,
    recreate_database,
    run_facts,
    write_result,
)
from faults_clients import SOURCE, Prober, Stream
from load_server import environments, free_port, logged_process

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/leerlus_faults_bench"
RESULT = ROOT / "bench" / "results" / "faults.json"
FAULTS = ("worker", "web", "postgres")
AT_SHARE = (0.15, 0.45, 0.75)  # of the stream, one fault each
REPAIR_LIMIT_S = 120.0
CALM_S = 5.0

SETUP = """
from leerlus.organisations.services import api_token_create, organisation_create, person_create
organisation = organisation_create(name="Gemeente Storingsdorp", slug="storingsdorp")
person = person_create(
    organisation=organisation, username="balie", password=None, roles=["front_office"]
)
print(api_token_create(user=person))
"""


# ---------------------------------------------------------------------------------------------
# The processes of leerlus serve


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def serve_child(serve: int, *words: str) -> int | None:
    """The child of ``serve`` whose command line holds all ``words``."""
    for pid in child_pids().get(serve, []):
        if all(word in _cmdline(pid) for word in words):
            return pid
    return None


def web_workers(serve: int) -> set[int]:
    granian = serve_child(serve, "granian")
    return set(child_pids().get(granian, [])) if granian else set()


def wait_for(check: Callable[[], bool], within: float = REPAIR_LIMIT_S) -> float | None:
    """Seconds until ``check`` held (polled every 0.1 s); None if not within ``within``."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if check():
            return round(time.monotonic() - started, 2)
        time.sleep(0.1)
    return None


def worker_answers(broker_url: str) -> bool:
    from celery import Celery

    app = Celery(broker=broker_url)
    try:
        return bool(app.control.ping(timeout=0.5))
    except Exception:  # the broker is what is measured: any failure is "no"
        return False
    finally:
        app.close()


def postgres_accepts(url: str) -> bool:
    try:
        with db_connect(url) as conn:
            conn.execute("SELECT 1")
    except Exception:  # down or starting up, whichever the driver raises
        return False
    return True


# ---------------------------------------------------------------------------------------------
# The faults: each does its harm and returns when what it broke is back (or gives up)


def kill_worker(serve: int, args: Any) -> dict[str, Any]:
    killed = serve_child(serve, "celery", "worker")
    if killed is None:
        sys.exit("no Celery worker under leerlus serve")
    os.kill(killed, signal.SIGKILL)
    started = time.monotonic()
    new = wait_for(lambda: serve_child(serve, "celery", "worker") not in (None, killed))
    answers = wait_for(lambda: worker_answers(args.broker_url))
    return {
        "killed_pid": killed,
        "new_process_after_s": new,
        "restored_after_s": round(time.monotonic() - started, 2) if answers is not None else None,
        "restored": "a new worker answers a ping",
    }


def _packages(pid: int) -> set[str]:
    """The installed packages whose shared libraries the process has mapped."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return set()
    return {
        line.split("site-packages/")[1].split("/")[0]
        for line in maps.splitlines()
        if "site-packages/" in line
    }


def kill_web_worker(serve: int, args: Any) -> dict[str, Any]:
    workers = web_workers(serve)
    if len(workers) != args.web_workers:
        sys.exit(f"expected {args.web_workers} granian workers, found {sorted(workers)}")
    killed = min(workers)
    # granian's main process maps only granian; a worker that loaded the application maps the
    # libraries it brings (psycopg, NumPy, SciPy ...), as the one beside it does.
    loaded = set.intersection(*(_packages(pid) for pid in workers))
    os.kill(killed, signal.SIGKILL)
    started = time.monotonic()
    new = wait_for(
        lambda: len(current := web_workers(serve)) == args.web_workers and killed not in current
    )
    serving = wait_for(
        lambda: all(loaded <= _packages(pid) for pid in web_workers(serve) - workers)
    )
    return {
        "killed_pid": killed,
        "new_process_after_s": new,
        "restored_after_s": round(time.monotonic() - started, 2) if serving is not None else None,
        "restored": "granian's new worker loaded the application (it maps the libraries the "
        "worker beside it maps); meanwhile the others serve",
    }


def restart_postgres(serve: int, args: Any) -> dict[str, Any]:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]
    print(f"{time.strftime('%H:%M:%S')} restarting PostgreSQL: {' '.join(command)}", flush=True)
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    took = round(time.monotonic() - started, 2)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    back = wait_for(lambda: postgres_accepts(args.database_url))
    return {
        "command": " ".join(command),
        "restart_command_s": took,
        "new_process_after_s": took,
        "restored_after_s": round(took + back, 2) if back is not None else None,
        "restored": "PostgreSQL accepts connections",
    }


HARM: dict[str, Callable[[int, Any], dict[str, Any]]] = {
    "worker": kill_worker,
    "web": kill_web_worker,
    "postgres": restart_postgres,
}


# ---------------------------------------------------------------------------------------------
# Set-up, checks and the report


def setup(url: str, env: dict[str, str], skip: bool) -> str:
    if skip:
        return leerlus(["token", "create", "balie"], env).strip().splitlines()[-1]
    print("Recreating the bench database, migrate, organisation and token ...", flush=True)
    recreate_database(url)
    leerlus(["migrate", "--verbosity", "0"], env)
    return leerlus(["shell", "--command", SETUP], env).strip().splitlines()[-1]


def wait_until_serving(port: int, process: subprocess.Popen[bytes], broker_url: str) -> None:
    def health() -> bool:
        if process.poll() is not None:
            sys.exit(f"leerlus serve stopped at start with exit code {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    if wait_for(health, 300) is None or wait_for(lambda: worker_answers(broker_url), 120) is None:
        sys.exit("leerlus serve did not answer /health and a worker ping in time")


def stored(url: str, run_id: str) -> tuple[Counter[str], int]:
    """How often each external id of this run is stored, and the idempotency records."""
    with db_connect(url) as conn:
        rows = conn.execute(
            "SELECT external_id FROM feedback_feedback WHERE source = %s AND external_id LIKE %s",
            [SOURCE, f"{run_id}-%"],
        ).fetchall()
        keys = conn.execute(
            "SELECT count(*) FROM feedback_idempotencyrecord WHERE key LIKE %s", [f"{run_id}-%"]
        ).fetchone()[0]
    return Counter(row[0] for row in rows), keys


def serve_log(log_text: str) -> dict[str, Any]:
    """What the supervisor logged, and the exceptions in the log (the line that ends each
    traceback, or a JSON event's exception), counted."""
    supervisor, exceptions = [], Counter[str]()
    lines = log_text.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("{"):
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("logger") == "leerlus.site.supervisor":
                supervisor.append(event["event"])
            if "exception" in event:  # rendered by structlog
                exceptions[str(event["exception"]).strip().splitlines()[-1][:160]] += 1
            elif isinstance(event.get("exc_info"), list):  # as repr: (type, error, traceback)
                exceptions[str(event["exc_info"][1])[:160]] += 1
        elif line.startswith("Traceback"):
            end = next((x for x in lines[number + 1 :] if x and not x[0].isspace()), "?")
            exceptions[end[:160]] += 1
    return {"supervisor": supervisor, "exceptions": dict(exceptions.most_common())}


def verification(stream: Stream, url: str, run_id: str) -> dict[str, Any]:
    counts, keys = stored(url, run_id)
    answered = {c.external_id for c in stream.succeeded()}
    missing = sorted(answered - set(counts))
    return {
        "creates": len(stream.creates),
        "attempts": sum(len(c.attempts) for c in stream.creates),
        "answered_2xx": len(answered),
        "replayed_answers": sum(1 for c in stream.succeeded() if c.replayed),
        "never_answered_2xx": len(stream.creates) - len(answered),
        "rows_stored": sum(counts.values()),
        "missing_2xx_in_database": len(missing),
        "missing_examples": missing[:10],
        "stored_more_than_once": sum(1 for n in counts.values() if n > 1),
        "stored_without_a_2xx": len(set(counts) - answered),
        "idempotency_records": keys,
        "failed_attempts": dict(stream.failed_attempts().most_common()),
    }


def report(result: dict[str, Any], path: Path) -> None:
    shown = write_result(result, path)
    v = result["verification"]
    print(f"\n{v['creates']} creates, {v['attempts']} attempts; written to {shown}\n")
    print(
        markdown_row(
            "answered 2xx",
            "rows stored",
            "2xx missing from the database",
            "stored twice",
            "never answered 2xx",
            "failed attempts",
        )
    )
    print(markdown_row(*["---"] * 6))
    failed = ", ".join(f"{k}: {n}" for k, n in v["failed_attempts"].items()) or "none"
    print(
        markdown_row(
            v["answered_2xx"],
            v["rows_stored"],
            v["missing_2xx_in_database"],
            v["stored_more_than_once"],
            v["never_answered_2xx"],
            failed,
        )
    )
    print()
    print(
        markdown_row(
            "fault",
            "at (s)",
            "new process after (s)",
            "answering after (s)",
            "/health 200 again after (s)",
            "/health failures",
            "failed attempts until the next fault",
        )
    )
    print(markdown_row(*["---"] * 7))
    for f in result["faults"]:
        attempts = ", ".join(f"{k}: {n}" for k, n in f["failed_attempts"].items()) or "none"
        print(
            markdown_row(
                f["fault"],
                f["at_s"],
                f["new_process_after_s"],
                f["restored_after_s"],
                f["health_answered_again_after_s"],
                f["health_failures"],
                attempts,
            )
        )
    print(
        f"\nserve kept running: {result['serve']['kept_running']}, "
        f"exit code after SIGTERM: {result['serve']['exit_code']}; verdict: {result['ok']}"
    )


def main() -> None:
    parser = bench_parser(__doc__, DEFAULT_DB)
    parser.add_argument(
        "--broker-url",
        default="redis://127.0.0.1:6379/13",
        help="Celery broker and cache; this Redis database is flushed",
    )
    parser.add_argument("--creates", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=40, help="new creates a second")
    parser.add_argument("--attempts", type=int, default=6, help="per create, retries included")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument(
        "--faults",
        default=",".join(FAULTS),
        help=f"comma-separated, in this order: {', '.join(FAULTS)}",
    )
    args = bench_arguments(parser, RESULT)
    faults = [name for name in args.faults.split(",") if name]
    if unknown := set(faults) - set(FAULTS):
        sys.exit(f"unknown faults: {', '.join(sorted(unknown))}")

    import redis

    var = tempfile.mkdtemp(prefix="leerlus-faults-")
    local_env, prod_env = environments(
        args.database_url,
        args.broker_url,
        60,
        CELERY_BROKER_URL=args.broker_url,
        LEERLUS_VAR_DIR=var,
    )
    token = setup(args.database_url, local_env, args.skip_setup)
    redis.Redis.from_url(args.broker_url).flushdb()
    bodies, body_facts = request_bodies(args.creates)
    # each create here has its own key and no service (faults_clients.Stream)
    body_facts.pop("services")
    body_facts["idempotency_key_share"] = 1.0
    run_id = f"faults-{int(time.time())}"
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("leerlus")),
        "serve",
        "--port",
        str(port),
        "--web-workers",
        str(args.web_workers),
    ]
    stream = Stream(
        bodies,
        port=port,
        token=token,
        run_id=run_id,
        clients=args.clients,
        rate=args.rate,
        attempts=args.attempts,
    )
    prober = Prober(port, stream.now)
    done_faults: list[dict[str, Any]] = []
    serving = logged_process(
        command,
        prod_env,
        name="leerlus serve",
        stop_timeout=60,
        own_group=True,
        problem=lambda line: "leerlus.site.supervisor" in line,
    )
    with serving as (process, log):
        print(f"leerlus serve on :{port}, waiting for it to answer ...", flush=True)
        wait_until_serving(port, process, args.broker_url)
        stream.start()
        prober.start()
        for name, share in zip(faults, AT_SHARE, strict=False):
            while stream.done < share * args.creates:
                time.sleep(0.05)
            at = stream.now()
            print(f"{time.strftime('%H:%M:%S')} fault {name} at {at:.1f} s", flush=True)
            done_faults.append(
                {"fault": name, "at_s": round(at, 2), **HARM[name](process.pid, args)}
            )
            # the next fault on a service that recovered: /health 200 for CALM_S on end
            wait_for(lambda: prober.healthy_for(CALM_S))
        stream.join()
        time.sleep(1)
        prober.stop()
        kept_running = process.poll() is None
        log.seek(0)
        logged = serve_log(log.read().decode(errors="replace"))
    ends = [f["at_s"] for f in done_faults[1:]] + [stream.now()]
    for fault, until in zip(done_faults, ends, strict=True):
        fault["health_answered_again_after_s"] = prober.answered_again_after(fault["at_s"], until)
        fault["health_failures"] = prober.failures(fault["at_s"], until)
        fault["failed_attempts"] = dict(stream.failed_attempts(fault["at_s"], until))
    checked = verification(stream, args.database_url, run_id)
    serve = {
        "kept_running": kept_running,
        "exit_code": process.returncode,
        "supervisor_log": logged["supervisor"],
        "log_exceptions": logged["exceptions"],
        "web_workers": args.web_workers,
    }
    result = {
        **run_facts(
            "faults under load (leerlus serve, POST /api/v1/feedback)",
            args.database_url,
            {"missing_2xx_in_database": 0},
        ),
        "load": {
            "creates": args.creates,
            "clients": args.clients,
            "rate_per_s": args.rate,
            "attempts_per_create": args.attempts,
            "bodies": body_facts,
            "duration_s": round(stream.now(), 1),
        },
        "serve": serve,
        "faults": done_faults,
        "verification": checked,
    }
    result["ok"] = (
        checked["missing_2xx_in_database"] == 0
        and checked["stored_more_than_once"] == 0
        and checked["never_answered_2xx"] == 0
        and all(f["new_process_after_s"] is not None for f in done_faults)
        and all(
            f["health_failures"] == 0 or f["health_answered_again_after_s"] for f in done_faults
        )
        and kept_running
        and process.returncode == 0
    )
    report(result, args.output)


if __name__ == "__main__":
    main()
