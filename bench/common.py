# SPDX-License-Identifier: EUPL-1.2
"""What the load benchmarks (``api_load.py``, ``patterns_load.py``) share: facts about the
machine and its processes, the bench database, the WSGI server, ``wrk`` and the CPU time of
the parts of a measured phase.

Importing it puts the repository root on ``sys.path``, so that the scripts can import
``leerlus``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import IO, Any, Self
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


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2 :].split()


def child_pids() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def cpu_seconds(root: int) -> float:
    """CPU time of ``root`` and its descendants, including reaped children (cutime/cstime)."""
    tree = child_pids()
    total = 0.0
    stack = [root]
    while stack:
        pid = stack.pop()
        fields = _stat(pid)
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
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
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
# Server


def environments(
    url: str, cache_url: str, conn_max_age: int, **extra: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The environment for set-up commands (local settings, demo allowed) and the one the
    server runs with (production settings)."""
    base = {
        **os.environ,
        "DATABASE_URL": url,
        "CACHE_URL": cache_url,
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        **extra,
    }
    local = {**base, "DJANGO_SETTINGS_MODULE": "leerlus.settings.local", "LEERLUS_DEMO": "true"}
    production = {
        **base,
        "DJANGO_SETTINGS_MODULE": "leerlus.settings.production",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or os.urandom(32).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_CONN_MAX_AGE": str(conn_max_age),
        "LEERLUS_DEMO": "false",
    }
    return local, production


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(
    server: str, port: int, workers: int, threads: int, backlog: int, *, balanced: bool = False
) -> list[str]:
    """gunicorn (pure-Python HTTP, sync or gthread workers) or granian (Rust HTTP with
    keep-alive, Python only for the application). ``balanced``: as docs/deployment.md runs
    granian behind the proxy, a worker takes no more connections than it has threads (only
    for clients with no more connections than the workers have threads: the rest would wait
    unaccepted, unmeasured by a closed-loop client)."""
    if server == "granian":
        return [
            *(sys.executable, "-m", "granian", "--interface", "wsgi"),
            *("--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(workers), "--blocking-threads", str(threads)),
            *(("--backpressure", str(threads)) if balanced else ()),
            *("--runtime-threads", "1", "--backlog", str(backlog), "--log-level", "warning"),
            *("--no-ws", "leerlus.wsgi:application"),
        ]
    return [
        *(sys.executable, "-m", "gunicorn", "leerlus.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
        *("--worker-class", "gthread" if threads > 1 else "sync", "--threads", str(threads)),
        *("--backlog", str(backlog), "--log-level", "warning", "--timeout", "60"),
    ]


def worker_class(server: str, threads: int) -> str:
    if server == "granian":
        return f"{threads} blocking thread{'s' if threads > 1 else ''}"
    return "gthread" if threads > 1 else "sync"


@contextmanager
def logged_process(
    command: list[str],
    env: dict[str, str],
    *,
    name: str,
    problem: Callable[[str], bool],
    stop_timeout: float,
    own_group: bool = False,
) -> Iterator[tuple[subprocess.Popen[bytes], IO[bytes]]]:
    """``command`` in the repository root, its output in a temporary log. At the end of the
    block SIGTERM, SIGKILL after ``stop_timeout`` s (to its own process group with
    ``own_group``: its children too); then the log's lines that ``problem`` picks out are
    printed as the ``name``'s errors."""
    log = tempfile.NamedTemporaryFile("w+b", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        command, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=own_group
    )
    try:
        yield process, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            if own_group:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
            process.wait()
        log.seek(0)
        text = log.read().decode(errors="replace")
        problems = [line for line in text.splitlines() if problem(line)]
        if problems:
            print(f"{name} log (errors):\n" + "\n".join(problems[:20]), file=sys.stderr)
        log.close()
        os.unlink(log.name)


def _server_problem(line: str) -> bool:
    lowered = line.lower()
    return ("error" in lowered or "exception" in lowered) and "UserWarning" not in line


@contextmanager
def wsgi_server(
    server: str,
    env: dict[str, str],
    port: int,
    workers: int,
    threads: int,
    backlog: int,
    *,
    balanced: bool = False,
) -> Iterator[subprocess.Popen[bytes]]:
    command = server_command(server, port, workers, threads, backlog, balanced=balanced)
    logged = logged_process(command, env, name=server, problem=_server_problem, stop_timeout=30)
    with logged as (process, log):
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                sys.exit(f"{server} stopped:\n{log.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit(f"{server} did not answer /health within 60 s")
            time.sleep(0.2)
        yield process


# ---------------------------------------------------------------------------------------------
# Measuring one phase


class DatabasePoller:
    """A thread that reads the bench database while the ``with`` block runs: ``_run`` polls
    until ``stop`` is set."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


class BackendSampler(DatabasePoller):
    """CPU seconds of the PostgreSQL backends serving the bench database, sampled twice a
    second so that a backend that ends during a phase (a connection older than
    DATABASE_CONN_MAX_AGE is replaced) still counts up to its last sample."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def _sample(self, conn: Any) -> None:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchall()
        for (pid,) in rows:
            if (fields := _stat(pid)) is not None:
                self.last[pid] = sum(int(x) for x in fields[11:13]) / CLK_TCK

    def _run(self) -> None:
        with db_connect(self.url) as conn:
            while not self.stop.wait(0.5):
                self._sample(conn)
            self._sample(conn)

    def __enter__(self) -> Self:
        with db_connect(self.url) as conn:
            self._sample(conn)
        self.first = dict(self.last)
        return super().__enter__()

    def seconds(self) -> float:
        return sum(v - self.first.get(pid, 0.0) for pid, v in self.last.items())


@dataclass
class Measured:
    """One phase and what it cost: CPU seconds of each part, the cores each kept busy."""

    result: dict[str, Any]
    cpu: dict[str, float]
    cores: dict[str, float | None]
    wall: float


def measure_cpu(
    url: str,
    postmaster: int | None,
    processes: dict[str, subprocess.Popen[bytes]],
    run: Callable[[], dict[str, Any]],
) -> Measured:
    """Runs ``run`` (the load generator, a child of this process) and takes the CPU time of
    each of ``processes`` (with its descendants), of the PostgreSQL backends serving the bench
    database, of the load generator and of the rest of the machine meanwhile."""
    cpu0 = {name: cpu_seconds(p.pid) for name, p in processes.items()}
    cluster0 = cpu_seconds(postmaster) if postmaster else 0.0
    with BackendSampler(url) as sampler:
        busy0, total0 = machine_busy()
        client0 = os.times()
        started = time.perf_counter()
        result = run()
        wall = time.perf_counter() - started
        client1 = os.times()
        busy1, total1 = machine_busy()
    cpu = {name: cpu_seconds(p.pid) - cpu0[name] for name, p in processes.items()}
    # the backends serving the bench database (with DATABASE_CONN_MAX_AGE=0 most backends
    # live shorter than a sample: see postgres_cluster then)
    cpu["postgres"] = sampler.seconds()
    cpu["load_generator"] = (client1.children_user + client1.children_system) - (
        client0.children_user + client0.children_system
    )
    cores: dict[str, float | None] = {k: v / wall for k, v in cpu.items()}
    machine_cores = (busy1 - busy0) / (total1 - total0) * (os.cpu_count() or 1)
    # kernel work not charged to a process (softirq of loopback traffic, WAL writer), and
    # whatever else ran on the machine meanwhile
    cores["rest_of_machine"] = machine_cores - sum(v for v in cores.values() if v is not None)
    cores["machine_busy"] = machine_cores
    # all of PostgreSQL: other databases' work and the WAL writer/checkpointer included
    cores["postgres_cluster"] = (cpu_seconds(postmaster) - cluster0) / wall if postmaster else None
    return Measured(result, cpu, cores, wall)


# ---------------------------------------------------------------------------------------------
# wrk: a closed loop of requests. Each script adds its own init(), request(), response() and
# done() to WRK_RESULT: init() sets the thread's ``sent = 0`` and ``statuses = {}``, request()
# counts ``sent``, response() counts ``statuses[status]``, done() calls write_result().

WRK_RESULT = Template(r"""
local threads = {}
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("tid", thread_no)
  table.insert(threads, thread)
end

-- called from the script's done(): what its threads sent and counted in response(), with
-- wrk's summary, as JSON for the Python side
function write_result(summary, latency)
  local total_sent = 0
  local all_statuses = {}
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    for code, n in pairs(thread:get("statuses")) do
      all_statuses[code] = (all_statuses[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(all_statuses) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  local e = summary.errors
  local f = io.open($result_file, "w")
  f:write(string.format(
    '{"duration_us": %d, "requests": %d, "sent": %d, "bytes": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p95": %d, "p99": %d, ' ..
    '"p99_9": %d, "max": %d}}',
    summary.duration, summary.requests, total_sent, summary.bytes, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9), latency.max))
  f:close()
end
""")


@dataclass
class WrkRun:
    """What ``write_result`` wrote, and the client that sent it."""

    raw: dict[str, Any]
    client: str
    connections: int

    @property
    def answered(self) -> int:
        return int(sum(self.raw["statuses"].values()))

    @property
    def duration_s(self) -> float:
        return float(self.raw["duration_us"]) / 1e6

    @property
    def transport_errors(self) -> dict[str, int]:
        return {k: v for k, v in self.raw["errors"].items() if v and k != "status"}

    def load(
        self,
        latency: tuple[str, ...],
        digits: int,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The phase's result: ``latency`` in ms rounded to ``digits``; ``before`` goes
        before the duration, ``after`` after the answered count."""
        return {
            "client": self.client,
            "mode": "closed loop",
            "connections": self.connections,
            **(before or {}),
            "duration_s": round(self.duration_s, 3),
            "sent": self.raw["sent"],
            "answered": self.answered,
            **(after or {}),
            "statuses": self.raw["statuses"],
            "transport_errors": self.transport_errors,
            "latency_ms": {k: round(self.raw["latency_us"][k] / 1000, digits) for k in latency},
        }


def run_wrk(
    script: str, directory: Path, *, url: str, connections: int, duration: int, timeout: str
) -> WrkRun:
    """Runs ``wrk`` against ``url`` with ``script`` (its ``done()`` calls ``write_result``),
    its files in ``directory``."""
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    result_file = directory / "result.json"
    lua = directory / "load.lua"
    lua.write_text(
        WRK_RESULT.substitute(result_file=json.dumps(str(result_file))) + script,
        encoding="utf-8",
    )
    threads = min(2, connections)
    done = subprocess.run(  # noqa: S603
        [
            *(wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s"),
            *("--timeout", timeout, "-s", str(lua), url),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not result_file.exists():
        sys.exit(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(result_file.read_text(encoding="utf-8"))
    return WrkRun(raw, f"wrk ({wrk}, {threads} threads)", connections)


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
