# SPDX-License-Identifier: EUPL-1.2
"""What the load benchmarks (``api_load.py``, ``patterns_load.py``) share: facts about the
machine and its processes, the bench database and the command line and results. The rest of
what they share: :mod:`load_server` (the WSGI server), :mod:`load_cpu` (the CPU time of the
parts of a measured phase) and :mod:`load_wrk` (``wrk``).

Importing it puts the repository root on ``sys.path``, so that the scripts can import
``leerlus``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# Machine and process facts


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        mem_kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    return {
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "speed_reference_s": speed_reference(),
    }


def speed_reference() -> float:
    """CPU seconds for a fixed pure-Python loop: this VM's speed drifts by up to 2x between
    runs, so every result says how fast the machine was when it was taken."""
    started = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return round(time.process_time() - started, 3)


def proc_stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name; None once it has ended."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2 :].split()


def child_pids() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := proc_stat(int(entry))) is not None:
            tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def cpu_seconds(root: int) -> float:
    """CPU time of ``root`` and its descendants, including reaped children (cutime/cstime)."""
    tree = child_pids()
    total = 0.0
    stack = [root]
    while stack:
        pid = stack.pop()
        fields = proc_stat(pid)
        if fields is None:
            continue
        # utime, stime, cutime, cstime are fields 14-17 of /proc/pid/stat (index 11-14 here)
        total += sum(int(x) for x in fields[11:15]) / CLK_TCK
        stack.extend(tree.get(pid, []))
    return total


def machine_busy() -> tuple[float, float]:
    with open("/proc/stat", encoding="utf-8") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLK_TCK, sum(values) / CLK_TCK


def background_cores() -> float:
    """The cores other processes keep busy over 3 s before a run; warns above 0.2."""
    busy0, total0 = machine_busy()
    time.sleep(3)
    busy1, total1 = machine_busy()
    background = round((busy1 - busy0) / (total1 - total0) * (os.cpu_count() or 1), 2)
    if background > 0.2:
        print(f"WARNING: other processes keep {background} cores busy before the run", flush=True)
    return background


def postmaster_pid() -> int | None:
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := proc_stat(int(entry))) is not None:
            try:
                with open(f"/proc/{entry}/comm", encoding="utf-8") as f:
                    comm = f.read().strip()
            except OSError:
                continue
            if comm in ("postgres", "postmaster") and fields[1] == "1":
                return int(entry)
    return None


# ---------------------------------------------------------------------------------------------
# Database set-up


def db_connect(url: str, dbname: str | None = None) -> Any:
    import psycopg

    parts = urlparse(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname=dbname or parts.path.lstrip("/"),
        autocommit=True,
    )


def recreate_database(url: str) -> None:
    from psycopg import sql

    name = urlparse(url).path.lstrip("/")
    if not name.endswith("bench"):
        sys.exit(f"Refusing to drop {name!r}: the bench database name must end in 'bench'.")
    with db_connect(url, "postgres") as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def postgres_facts(url: str) -> dict[str, Any]:
    with db_connect(url) as conn:
        facts = {"version": conn.execute("SHOW server_version").fetchone()[0]}
        for name in (
            "synchronous_commit",
            "fsync",
            "wal_sync_method",
            "shared_buffers",
            "max_connections",
        ):
            facts[name] = conn.execute(f"SHOW {name}").fetchone()[0]
    return facts


def run_captured(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A command in the repository root, its output captured as text; the caller checks it."""
    return subprocess.run(  # noqa: S603
        command, env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )


def leerlus(args: list[str], env: dict[str, str]) -> str:
    done = run_captured([str(Path(sys.executable).with_name("leerlus")), *args], env)
    if done.returncode != 0:
        sys.exit(f"leerlus {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# ---------------------------------------------------------------------------------------------
# Command line and results


def bench_parser(doc: str, database_url: str) -> argparse.ArgumentParser:
    """The script's parser, the first line of its docstring as description."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--database-url", default=database_url)
    return parser


def bench_arguments(parser: argparse.ArgumentParser, output: Path) -> argparse.Namespace:
    """Adds ``--output`` and ``--skip-setup`` and parses the command line."""
    parser.add_argument("--output", type=Path, default=output)
    parser.add_argument(
        "--skip-setup", action="store_true", help="reuse the bench database as it is"
    )
    args = parser.parse_args()
    # a stopped run still stops its server and worker (the finally blocks run on SystemExit)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    return args


def markdown_row(*cells: object) -> str:
    return f"| {' | '.join(str(cell) for cell in cells)} |"


def unexpected_answers(phase: dict[str, Any], expected: str) -> str:
    """A phase's statuses other than ``expected`` and its transport errors, for a table."""
    other = {k: v for k, v in phase["statuses"].items() if k != expected}
    other.update(phase["transport_errors"])
    return ", ".join(f"{k}: {v}" for k, v in other.items()) or "none"


def cores_used(phase: dict[str, Any], *parts: str) -> str:
    """The cores each of ``parts`` kept busy in a phase, for a table: ``1.2 / 0.4``."""
    return " / ".join(str(phase["cpu_cores_used"][part]) for part in parts)


def run_facts(benchmark: str, url: str, target: dict[str, Any]) -> dict[str, Any]:
    """The start of a result: what ran, when, on which machine and PostgreSQL."""
    return {
        "benchmark": benchmark,
        "command": " ".join(["python", *sys.argv]),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "target": target,
        "machine": machine(),
        "postgres": postgres_facts(url),
    }


def write_result(result: dict[str, Any], path: Path) -> Path:
    """Writes ``result`` as JSON; the path to show (relative to the repository root)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
