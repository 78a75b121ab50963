# SPDX-License-Identifier: EUPL-1.2
"""The intake hook: who is told when new signals are stored.

Intake knows nothing of what analyses its signals. The apps above it register a listener in
their ``AppConfig.ready()`` (the patterns app queues the theme assignment) and are called
with an :class:`Intake` once the signals are committed, never on a rollback. A listener that
fails (a broker that is down) is logged and never fails intake: the signals are stored.
See docs/adr/0002-intake-listeners.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from leerlus.core.listeners import AfterCommitListeners, Listener


@dataclass(frozen=True)
class Intake:
    """New signals, committed: whose, and how many (a frozen value, so a field can be added
    without changing any listener)."""

    organisation_id: int
    stored: int


_intake: AfterCommitListeners[Intake] = AfterCommitListeners("intake")


def register_intake_listener(listener: Listener[Intake]) -> Listener[Intake]:
    """Call ``listener`` after every intake that stored signals; usable as a decorator."""
    return _intake.register(listener)


def unregister_intake_listener(listener: Listener[Intake]) -> None:
    _intake.unregister(listener)


def intake_listeners() -> tuple[Listener[Intake], ...]:
    return _intake.listeners


def signals_stored(*, organisation_id: int, stored: int) -> None:
    """Tell the listeners, once the current transaction commits (at once outside one)."""
    if stored:
        _intake.send(Intake(organisation_id=organisation_id, stored=stored))
