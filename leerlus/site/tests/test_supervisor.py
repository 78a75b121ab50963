# SPDX-License-Identifier: EUPL-1.2
"""The supervisor of ``leerlus serve`` on real short-lived processes; its clock is ours."""

import logging
import signal
import sys
from pathlib import Path

import pytest

from leerlus.site.supervisor import Backoff, Supervisor

from .processes import alive, eventually


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _exited(supervisor: Supervisor) -> None:
    """Waits for the (only) child to end and lets the supervisor notice."""
    process = supervisor.children[0].process
    assert process is not None
    process.wait()
    supervisor.check()


def test_backoff_doubles_from_one_second_up_to_thirty():
    assert [Backoff().delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_child_that_exits_is_started_again_later_each_time(clock, caplog):
    caplog.set_level(logging.WARNING, logger="leerlus.site.supervisor")
    supervisor = Supervisor({"flaky": ["sh", "-c", "exit 3"]}, clock=clock)
    supervisor.start()
    child = supervisor.children[0]

    waits = []
    for _ in range(7):
        _exited(supervisor)
        assert child.process is None
        assert child.restart_at is not None
        waits.append(child.restart_at - clock.now)
        clock.now = child.restart_at - 0.1
        supervisor.check()
        assert child.process is None, "started again before its back-off was over"
        clock.now += 0.1
        supervisor.check()
        assert child.process is not None

    assert waits == [1, 2, 4, 8, 16, 30, 30]
    assert child.exit_codes == [3] * 7
    assert "flaky stopped with exit code 3; starting it again in 1 s" in caplog.messages
    assert "flaky stopped with exit code 3; starting it again in 30 s" in caplog.messages
    assert any(m.startswith("flaky started again (pid ") for m in caplog.messages)
    supervisor.stop()


def test_a_child_that_stayed_up_a_minute_starts_again_after_one_second(clock):
    supervisor = Supervisor({"flaky": ["sh", "-c", "exit 0"]}, clock=clock)
    supervisor.start()
    child = supervisor.children[0]
    for _ in range(3):  # 1, 2, 4 s
        _exited(supervisor)
        assert child.restart_at is not None
        clock.now = child.restart_at
        supervisor.check()

    clock.now += Backoff().stable_after_s
    _exited(supervisor)

    assert child.restart_at == clock.now + 1
    supervisor.stop()


def test_a_killed_child_takes_what_it_left_behind_with_it(clock, tmp_path: Path):
    """As a Celery worker killed with SIGKILL leaves its pool processes: they go first."""
    pidfile = tmp_path / "left-behind"
    script = f"sleep 300 & echo $! > {pidfile}.tmp && mv {pidfile}.tmp {pidfile}; wait"
    supervisor = Supervisor({"worker": ["sh", "-c", script]}, clock=clock)
    supervisor.start()
    eventually(pidfile.exists, 30, "the child starting its own child")
    left_behind = int(pidfile.read_text())
    process = supervisor.children[0].process
    assert process is not None

    process.send_signal(signal.SIGKILL)
    _exited(supervisor)

    eventually(lambda: not alive(left_behind), 30, "the orphan ending")
    assert supervisor.children[0].exit_codes == [-signal.SIGKILL]
    supervisor.stop()


def test_stop_ends_every_child_and_kills_one_that_ignores_sigterm(clock, tmp_path, caplog):
    # The logger's own level: a test before this one (an in-process Celery worker) may have
    # left the root logger at a level above WARNING.
    caplog.set_level(logging.WARNING, logger="leerlus.site.supervisor")
    ready = tmp_path / "ignoring"
    stubborn = (
        "import pathlib, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"pathlib.Path({str(ready)!r}).touch(); time.sleep(300)"
    )
    supervisor = Supervisor(
        {"polite": ["sleep", "300"], "stubborn": [sys.executable, "-c", stubborn]},
        clock=clock,
        stop_timeout_s=0.5,
    )
    supervisor.start()
    eventually(ready.exists, 30, "the stubborn child ignoring SIGTERM")
    polite, ignoring = (child.process for child in supervisor.children)

    supervisor.stop()
    clock.now += 60
    supervisor.check()

    assert polite is not None
    assert ignoring is not None
    assert polite.returncode == -signal.SIGTERM
    assert ignoring.returncode == -signal.SIGKILL
    assert "stubborn did not stop within 0.5 s: killed" in caplog.messages
    assert all(child.restart_at is None for child in supervisor.children), "restarted on stop"
