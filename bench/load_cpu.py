# SPDX-License-Identifier: EUPL-1.2
"""The CPU time of the parts of a measured phase of the load benchmarks: the server and other
processes, the PostgreSQL backends of the bench database, the load generator and the rest of
the machine; and :class:`DatabasePoller`, a thread that reads the database during a phase."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

from common import CLK_TCK, cpu_seconds, db_connect, machine_busy, proc_stat


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
            if (fields := proc_stat(pid)) is not None:
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
