# SPDX-License-Identifier: EUPL-1.2
"""The in-process profile of ``api_load.py``: ``--profile-requests`` creates through the real
WSGI handler in a child process (``api_load.py --profile-child N``), timers around the steps of
the view (:data:`PROFILED_STEPS`) and around each query."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from api_clients import PATH, request_bodies
from common import run_captured

# the script whose main() hands ``--profile-child N`` to profile_child()
SCRIPT = Path(__file__).with_name("api_load.py")

# Profile of the request path, in process (no load generator, no HTTP server): the real WSGI
# handler and middleware on the bench database, with timers around the steps of the view.

PROFILED_STEPS = (
    # name, module path, attribute path
    ("view dispatch (DRF, all of the view)", "leerlus.feedback.api", "FeedbackListCreate.dispatch"),
    ("token authentication", "rest_framework.authentication", "TokenAuthentication.authenticate"),
    ("capability check (User.can)", "leerlus.organisations.models", "User.can"),
    ("_context: services + departments", "leerlus.feedback.api", "_context"),
    ("input validation (is_valid)", "leerlus.feedback.api", "FeedbackInputSerializer.is_valid"),
    ("feedback_create (service)", "leerlus.feedback.services", "feedback_create"),
    ("redaction (redact_with_counts)", "leerlus.feedback.services", "redact_with_counts"),
    ("language detection", "leerlus.feedback.services", "detect_language"),
    ("Feedback.full_clean", "leerlus.feedback.models", "Feedback.full_clean"),
    ("Feedback.save (INSERT)", "leerlus.feedback.models", "Feedback.save"),
    ("INSERTs compiled once (newrows.insert)", "leerlus.core.fastpath.newrows", "insert"),
    ("contact details / originals", "leerlus.feedback.services", "_keep_apart"),
    ("audit entry (audit.record)", "leerlus.organisations.audit", "record"),
    ("output serializer", "leerlus.feedback.api", "FeedbackSerializer.to_representation"),
    ("idempotency record INSERT", "leerlus.feedback.api", "IdempotencyRecord.objects.create"),
    ("COMMIT", "django.db.backends.base.base", "BaseDatabaseWrapper.commit"),
    ("JSON rendering", "rest_framework.renderers", "JSONRenderer.render"),
)


def profile_child(requests: int) -> None:
    """Runs in a child process with the production settings; prints JSON."""
    import functools
    import importlib
    import io
    import re
    import warnings
    from collections import Counter, defaultdict

    warnings.simplefilter("ignore")
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    app: Any = get_wsgi_application()
    token = os.environ["BENCH_TOKEN"]
    bodies = [b.encode() for b in request_bodies(2000)[0]]
    timers: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    active = [False]

    def timed(name: str, func: Any) -> Any:
        @functools.wraps(func)
        def wrapper(*a: Any, **k: Any) -> Any:
            if not active[0]:
                return func(*a, **k)
            t, c = time.perf_counter(), time.thread_time()
            try:
                return func(*a, **k)
            finally:
                s = timers[name]
                s[0] += 1
                s[1] += time.perf_counter() - t
                s[2] += time.thread_time() - c

        return wrapper

    for name, module, attr in PROFILED_STEPS:
        owner: Any = importlib.import_module(module)
        *path, last = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, last, timed(name, getattr(owner, last)))

    statuses: Counter[str] = Counter()
    counter = [0]

    def environ(path: str = PATH, method: str = "POST") -> dict[str, Any]:
        counter[0] += 1
        n = counter[0]
        body = bodies[(n * 7919) % len(bodies)] if method == "POST" else b""
        env = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Token {token}",
            "HTTP_ACCEPT": "application/json",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if method == "POST" and n % 2 == 0:
            env["HTTP_IDEMPOTENCY_KEY"] = f"profile-{time.time_ns()}-{n}"
        return env

    def one(path: str = PATH, method: str = "POST") -> None:
        seen: list[str] = []
        response = app(environ(path, method), lambda s, h, e=None: seen.append(s))
        b"".join(response)
        response.close()
        statuses[seen[0][:3]] += 1

    queries: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def kind(sql: str) -> str:
        s = sql.lstrip()
        if s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")):
            return s.split(' "')[0]
        table_match = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', s)
        suffix = " (exists check)" if s.startswith("SELECT 1 AS") else ""
        return f"{s.split()[0]} {table_match.group(1) if table_match else '?'}{suffix}"

    def execute(run: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t = time.perf_counter()
        try:
            return run(sql, params, many, context)
        finally:
            q = queries[kind(sql)]
            q[0] += 1
            q[1] += time.perf_counter() - t

    def loop(n: int, path: str = PATH, method: str = "POST") -> tuple[float, float]:
        t, c = time.perf_counter(), time.thread_time()
        for _ in range(n):
            one(path, method)
        return time.perf_counter() - t, time.thread_time() - c

    loop(300)  # warm: imports, caches, connection
    loop(100, "/health", "GET")
    health_wall, health_cpu = loop(requests // 2, "/health", "GET")
    statuses.clear()
    active[0] = True
    with connection.execute_wrapper(execute):
        wall, cpu = loop(requests)
    active[0] = False
    n = requests
    steps = {
        name: {
            "calls_per_request": round(timers[name][0] / n, 2),
            "wall_us": round(timers[name][1] / n * 1e6),
            "cpu_us": round(timers[name][2] / n * 1e6),
        }
        for name, _, _ in PROFILED_STEPS
    }
    dispatch = timers[PROFILED_STEPS[0][0]]
    steps["outside the view: WSGI + 13 middleware + URL resolving"] = {
        "calls_per_request": 1,
        "wall_us": round((wall - dispatch[1]) / n * 1e6),
        "cpu_us": round((cpu - dispatch[2]) / n * 1e6),
    }
    result = {
        "requests": n,
        "statuses": dict(statuses),
        "serial_wall_ms_per_request": round(wall / n * 1e3, 3),
        "serial_cpu_ms_per_request": round(cpu / n * 1e3, 3),
        "health_get_wall_ms": round(health_wall / (requests // 2) * 1e3, 3),
        "health_get_cpu_ms": round(health_cpu / (requests // 2) * 1e3, 3),
        "queries_per_request": round(sum(q[0] for q in queries.values()) / n, 2),
        "query_wall_ms_per_request": round(sum(q[1] for q in queries.values()) / n * 1e3, 3),
        "queries": {
            k: {"per_request": round(q[0] / n, 2), "wall_us_each": round(q[1] / q[0] * 1e6)}
            for k, q in sorted(queries.items(), key=lambda kv: -kv[1][1])
        },
        "steps": steps,
        "note": "one process, requests one after another through the WSGI handler; wall and "
        "CPU (thread_time) per request, inclusive of nested steps; COMMIT is part of "
        "feedback_create without an Idempotency-Key, of the idempotency transaction with one",
    }
    print(json.dumps(result))


def run_profile(env: dict[str, str], token: str, requests: int) -> dict[str, Any]:
    done = run_captured(
        [sys.executable, str(SCRIPT), "--profile-child", str(requests)],
        {**env, "BENCH_TOKEN": token},
    )
    if done.returncode != 0:
        sys.exit(f"profile failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])
