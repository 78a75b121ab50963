# SPDX-License-Identifier: EUPL-1.2
"""Assignment latency for ``patterns_load.py``: a real Celery worker, creates through the
intake API at a fixed rate, and per new signal the delay until its ``ThemeAssignment`` was
visible and until its ``assigned_at``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api_clients import run_loadgen
from common import db_connect
from load_cpu import DatabasePoller
from load_server import logged_process

ASSIGN_LIMIT_S = 10.0


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
