# SPDX-License-Identifier: EUPL-1.2
"""The clients of ``faults.py``: a paced stream of unique creates from a few threads, each
retrying a failed request as a real client would (the same body and Idempotency-Key, after
Retry-After or a doubling pause), and a prober that asks ``/health`` ten times a second."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

PATH = "/api/v1/feedback"
SOURCE = "faults-bench"
RETRIED = {429, 500, 502, 503, 504}


@dataclass
class Attempt:
    started: float  # seconds since the stream started
    ended: float
    outcome: str  # the status ("201") or the transport error ("ConnectionResetError")


@dataclass
class Create:
    external_id: str
    attempts: list[Attempt] = field(default_factory=list)
    status: int = 0  # the final answer; 0: none after every attempt
    replayed: bool = False


def _send(
    connection: http.client.HTTPConnection, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, str]]:
    connection.request("POST", PATH, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}


class Stream:
    """``bodies`` (JSON) sent as unique creates at ``rate`` a second by ``clients`` threads."""

    def __init__(
        self,
        bodies: list[str],
        *,
        port: int,
        token: str,
        run_id: str,
        clients: int,
        rate: float,
        attempts: int,
    ) -> None:
        self.creates = []
        self.bodies = []
        for i, text in enumerate(bodies):
            external_id = f"{run_id}-{i}"
            body = {**json.loads(text), "externalId": external_id, "source": SOURCE}
            body.pop("service", None)  # the demo's services: not in the bench organisation
            self.creates.append(Create(external_id))
            self.bodies.append(json.dumps(body, ensure_ascii=False).encode())
        self.port, self.token, self.clients = port, token, clients
        self.interval, self.max_attempts = 1 / rate, attempts
        self._lock = threading.Lock()
        self._next = 0
        self._next_due = 0.0
        self.started = 0.0
        self.done = 0
        self._threads: list[threading.Thread] = []

    def now(self) -> float:
        return time.monotonic() - self.started

    def start(self) -> None:
        self.started = time.monotonic()
        self._threads = [threading.Thread(target=self._client) for _ in range(self.clients)]
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join()

    def _take(self) -> int | None:
        """The next create and its due time (open loop: paced from the start)."""
        with self._lock:
            if self._next >= len(self.creates):
                return None
            index, self._next = self._next, self._next + 1
            due = max(self._next_due, self.now())
            self._next_due = due + self.interval
        if (wait := due - self.now()) > 0:
            time.sleep(wait)
        return index

    def _client(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while (index := self._take()) is not None:
            connection = self._create(connection, index)
            with self._lock:
                self.done += 1
        connection.close()

    def _create(
        self, connection: http.client.HTTPConnection, index: int
    ) -> http.client.HTTPConnection:
        create = self.creates[index]
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Token {self.token}",
            "Idempotency-Key": create.external_id,
        }
        for attempt in range(self.max_attempts):
            started = self.now()
            pause = min(0.5 * 2**attempt, 5.0)
            try:
                status, answer = _send(connection, self.bodies[index], headers)
            except (OSError, http.client.HTTPException) as error:
                create.attempts.append(Attempt(started, self.now(), type(error).__name__))
                connection.close()  # a new connection for the retry, as a client library would
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            else:
                create.attempts.append(Attempt(started, self.now(), str(status)))
                create.status = status
                create.replayed = answer.get("idempotency-replayed") == "true"
                if status not in RETRIED:
                    return connection
                if answer.get("retry-after", "").isdigit():
                    pause = min(float(answer["retry-after"]), 5.0)
            if attempt + 1 < self.max_attempts:
                time.sleep(pause)
        return connection

    def succeeded(self) -> list[Create]:
        return [c for c in self.creates if 200 <= c.status < 300]

    def failed_attempts(self, since: float = 0.0, until: float = float("inf")) -> Counter[str]:
        """Attempts not answered 2xx that ended in ``[since, until)`` (a request in flight on
        a worker that is killed fails then), by status or error."""
        return Counter(
            a.outcome
            for c in self.creates
            for a in c.attempts
            if since <= a.ended < until and not a.outcome.startswith("2")
        )


class Prober:
    """``GET /health`` every 0.1 s on a fresh connection: (seconds, status or 0) samples."""

    def __init__(self, port: int, clock: Any) -> None:
        self.port, self.clock = port, clock
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", "/health")
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
            finally:
                connection.close()
            self.samples.append((self.clock(), status))

    def answered_again_after(self, since: float, until: float) -> float | None:
        """Seconds from ``since`` until /health answered 200 again for good (before
        ``until``): 0.0 when it never failed, None when it did not answer again."""
        window = [(t, s) for t, s in self.samples if since <= t < until]
        failures = [t for t, s in window if s != 200]
        if not failures:
            return 0.0
        after = [t for t, s in window if s == 200 and t > failures[-1]]
        return round(after[0] - since, 2) if after else None

    def healthy_for(self, seconds: float) -> bool:
        """/health answered 200 to every probe of the last ``seconds``."""
        now = self.clock()
        recent = [(t, s) for t, s in list(self.samples) if t >= now - seconds]
        return len(recent) >= seconds * 2 and all(s == 200 for _, s in recent)

    def failures(self, since: float, until: float) -> int:
        return sum(1 for t, s in self.samples if since <= t < until and s != 200)
