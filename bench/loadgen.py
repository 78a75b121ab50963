# SPDX-License-Identifier: EUPL-1.2
"""A small HTTP/1.1 load generator for ``bench/api_load.py`` (standard library only).

Used when ``wrk`` is not installed, and for the fixed-rate (open-loop) phase, which ``wrk``
cannot do. It runs as its own process::

    python bench/loadgen.py CONFIG.json RESULT.json

CONFIG holds the target, the token, the request bodies and the mode:

- closed loop (``rate`` 0): every connection sends its next request as soon as the previous
  answer is in; latency is measured from sending to the last byte of the answer.
- open loop (``rate`` > 0): requests are due at a fixed rate whatever the server does; a request
  that waits for a free connection counts that wait in its latency (no coordinated omission).

At the end no new request is sent and every request already sent is waited for, so the counts
are exact: each request either has an answer (a status) or a transport error.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any


class Target:
    def __init__(self, config: dict[str, Any]) -> None:
        self.host: str = config["host"]
        self.port: int = config["port"]
        self.path: str = config["path"]
        self.token: str = config["token"]
        self.bodies = [b.encode() for b in config["bodies"]]
        self.key_every: int = config.get("key_every", 2)
        self.key_prefix: str = config["key_prefix"]
        self.counter = 0

    def next_request(self) -> bytes:
        """The next request: bodies in turn, an Idempotency-Key on every ``key_every``-th."""
        self.counter += 1
        n = self.counter
        body = self.bodies[(n * 7919) % len(self.bodies)]
        key = ""
        if self.key_every and n % self.key_every == 0:
            key = f"Idempotency-Key: {self.key_prefix}-{n}\r\n"
        head = (
            f"POST {self.path} HTTP/1.1\r\n"
            f"Host: {self.host}:{self.port}\r\n"
            f"Authorization: Token {self.token}\r\n"
            "Content-Type: application/json\r\n"
            "Accept: application/json\r\n"
            f"{key}"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """Status, whether the server closes the connection, body."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:
        body = await reader.read()
        return status, True, body
    close = headers.get("connection", "").lower() == "close"
    return status, close, body


class Run:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.target = Target(config)
        self.statuses: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.references: list[str] = []
        self.sent = 0
        self.overloaded = False
        self.connects = 0
        self.first_sent = 0.0
        self.last_done = 0.0

    def _record(self, status: int, body: bytes, latency: float) -> None:
        self.statuses[status] += 1
        self.latencies.append(latency)
        self.last_done = time.perf_counter()
        if status == 201:
            start = body.find(b'"reference":"')
            if start >= 0:
                start += len(b'"reference":"')
                self.references.append(body[start : body.find(b'"', start)].decode())

    async def _exchange(self, conn: list[Any], request: bytes) -> tuple[int, bytes] | None:
        """One request on the connection ``conn`` ([reader, writer]), reconnecting as needed."""
        for attempt in (1, 2):
            if conn[0] is None:
                conn[0], conn[1] = await asyncio.open_connection(self.target.host, self.target.port)
                self.connects += 1
            reader, writer = conn
            try:
                writer.write(request)
                await writer.drain()
                status, close, body = await read_response(reader)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                writer.close()
                conn[0] = conn[1] = None
                if attempt == 2:
                    self.errors[type(exc).__name__] += 1
                    return None
                # A kept-alive connection the server had just closed: resend once. The
                # request cannot have been processed (nothing of it was read).
                if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                    self.errors["IncompleteRead"] += 1
                    return None
                continue
            if close:
                writer.close()
                conn[0] = conn[1] = None
            return status, body
        return None

    async def closed_loop(self, deadline: float) -> None:
        conn: list[Any] = [None, None]
        while time.perf_counter() < deadline:
            request = self.target.next_request()
            self.sent += 1
            started = time.perf_counter()
            self.first_sent = self.first_sent or started
            answer = await self._exchange(conn, request)
            if answer is not None:
                self._record(answer[0], answer[1], time.perf_counter() - started)
        if conn[1] is not None:
            conn[1].close()

    async def open_loop_worker(self, queue: asyncio.Queue[float | None]) -> None:
        conn: list[Any] = [None, None]
        while (due := await queue.get()) is not None:
            request = self.target.next_request()
            self.sent += 1
            self.first_sent = self.first_sent or time.perf_counter()
            answer = await self._exchange(conn, request)
            if answer is not None:
                self._record(answer[0], answer[1], time.perf_counter() - due)
        if conn[1] is not None:
            conn[1].close()

    async def open_loop(self, rate: float, duration: float, connections: int) -> None:
        queue: asyncio.Queue[float | None] = asyncio.Queue()
        workers = [asyncio.create_task(self.open_loop_worker(queue)) for _ in range(connections)]
        start = time.perf_counter()
        total = int(rate * duration)
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if queue.qsize() > rate * 5:
                # more than five seconds of requests waiting for a connection: the server
                # does not keep up; stop rather than measure an ever longer queue
                self.overloaded = True
                break
            queue.put_nowait(due)
        for _ in workers:
            queue.put_nowait(None)
        await asyncio.gather(*workers)

    async def main(self) -> None:
        c = self.config
        if c.get("rate"):
            await self.open_loop(c["rate"], c["duration"], c["connections"])
        else:
            deadline = time.perf_counter() + c["duration"]
            await asyncio.gather(*(self.closed_loop(deadline) for _ in range(c["connections"])))

    def result(self) -> dict[str, Any]:
        lat = sorted(self.latencies)

        def pct(p: float) -> float | None:
            if not lat:
                return None
            return round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000, 2)

        elapsed = (self.last_done - self.first_sent) if self.latencies else 0.0
        return {
            "client": "python-asyncio (bench/loadgen.py)",
            "mode": f"open loop, {self.config['rate']}/s"
            if self.config.get("rate")
            else "closed loop",
            "connections": self.config["connections"],
            "duration_s": round(elapsed, 3),
            "sent": self.sent,
            "answered": sum(self.statuses.values()),
            "in_flight_at_stop": 0,
            "stopped_overloaded": self.overloaded,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "transport_errors": dict(self.errors),
            "connects": self.connects,
            "latency_ms": {
                "mean": round(sum(lat) / len(lat) * 1000, 2) if lat else None,
                "p50": pct(50),
                "p90": pct(90),
                "p99": pct(99),
                "p99_9": pct(99.9),
                "max": round(lat[-1] * 1000, 2) if lat else None,
            },
            "references": self.references,
        }


def main() -> None:
    config = json.loads(open(sys.argv[1], encoding="utf-8").read())  # noqa: SIM115
    run = Run(config)
    asyncio.run(run.main())
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        json.dump(run.result(), out)


if __name__ == "__main__":
    main()
