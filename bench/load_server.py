# SPDX-License-Identifier: EUPL-1.2
"""The WSGI server of the load benchmarks (granian or gunicorn) with the environments it and
the set-up commands run with, and a logged child process (the server, the Celery worker)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from common import ROOT


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
