# SPDX-License-Identifier: EUPL-1.2
"""Keeps the processes of ``leerlus serve`` running: one that dies is started again.

Each child runs in a process group of its own, so that what a dead child leaves behind (the
pool processes of a Celery worker, the workers of a granian main process) is ended with it
before it starts again, and Ctrl-C in a terminal reaches only ``serve``, which stops the
children in order. A child that exits is started again after a back-off: 1 s, doubling up to
30 s for a child that keeps failing, back to 1 s once it stayed up a minute. Every exit is
logged with its exit code. Only :meth:`Supervisor.stop` ends the children: SIGTERM to each,
SIGKILL to what is left of its group after a timeout.
"""

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    first_s: float = 1.0
    longest_s: float = 30.0
    # A child that ran this long before it exited starts again after first_s.
    stable_after_s: float = 60.0

    def delay(self, failures: int) -> float:
        """The wait before the next start after ``failures`` exits in a row (1, 2, ...)."""
        return float(min(self.first_s * 2 ** (failures - 1), self.longest_s))


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0  # exits in a row, each before the child was stable
    restart_at: float | None = None
    exit_codes: list[int] = field(default_factory=list)


def exit_description(code: int) -> str:
    """``exit code 3``, or for a child ended by a signal ``exit code -9 (SIGKILL)``."""
    if code < 0:
        try:
            return f"exit code {code} ({signal.Signals(-code).name})"
        except ValueError:
            pass
    return f"exit code {code}"


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
        os.killpg(pgid, signal.SIGKILL)


class Supervisor:
    """Starts ``commands`` (name → command line) and keeps them running until :meth:`stop`.

    :meth:`check` does one round (note exits, start what is due) and never sleeps; the caller
    calls it every fraction of a second. ``clock`` (seconds, monotonic) times the back-off.
    """

    def __init__(
        self,
        commands: dict[str, list[str]],
        *,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        stop_timeout_s: float = 15.0,
    ) -> None:
        self.children = [Child(name, command) for name, command in commands.items()]
        self.backoff = backoff or Backoff()
        self._clock = clock
        self.stop_timeout_s = stop_timeout_s
        self._stopping = False

    def start(self) -> None:
        for child in self.children:
            self._start(child, self._clock())

    def check(self) -> None:
        if self._stopping:
            return
        now = self._clock()
        for child in self.children:
            if child.process is not None and (code := child.process.poll()) is not None:
                self._exited(child, code, now)
            if child.restart_at is not None and now >= child.restart_at:
                self._start(child, now)

    def stop(self) -> None:
        """SIGTERM to every child, then SIGKILL to each group still there after the timeout
        (and to what a child that stopped in time left in its group)."""
        self._stopping = True
        running = [c for c in self.children if c.process and c.process.poll() is None]
        for child in running:
            assert child.process is not None
            child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout_s
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                logger.warning(
                    "%s did not stop within %g s: killed", child.name, self.stop_timeout_s
                )
            _kill_group(child.process.pid)
            child.process.wait()

    def _start(self, child: Child, now: float) -> None:
        # process_group=0: a group of its own, led by the child (see the module docstring)
        child.process = subprocess.Popen(child.command, process_group=0)  # noqa: S603
        child.started_at = now
        if child.restart_at is not None:
            logger.warning("%s started again (pid %s)", child.name, child.process.pid)
        child.restart_at = None

    def _exited(self, child: Child, code: int, now: float) -> None:
        assert child.process is not None
        _kill_group(child.process.pid)  # what it left behind
        child.process = None
        child.exit_codes.append(code)
        if now - child.started_at >= self.backoff.stable_after_s:
            child.failures = 0
        child.failures += 1
        delay = self.backoff.delay(child.failures)
        child.restart_at = now + delay
        logger.warning(
            "%s stopped with %s; starting it again in %g s",
            child.name,
            exit_description(code),
            delay,
        )
