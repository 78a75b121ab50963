# SPDX-License-Identifier: EUPL-1.2
"""The intake hooks: who is told when new signals are stored, and when an import finished.

Intake knows nothing of what analyses its signals. The apps above it register a listener in
their ``AppConfig.ready()`` (the patterns app queues the theme assignment after an intake, and
the routing's training after an import that brought signals with a service) and are called
with an :class:`Intake` or :class:`Imported` once the signals are committed, never on a
rollback. A listener that
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


@dataclass(frozen=True)
class Imported:
    """An import finished: whose, which batch, and how many of its signals came with a
    service (confirmed examples for the routing)."""

    organisation_id: int
    batch_id: int
    with_service: int


_imported: AfterCommitListeners[Imported] = AfterCommitListeners("import")
# Called after every finished import (usable as a decorator), and their removal.
register_import_listener = _imported.register
unregister_import_listener = _imported.unregister


def import_finished(*, organisation_id: int, batch_id: int, with_service: int) -> None:
    """Tell the listeners, once the current transaction commits (at once outside one)."""
    _imported.send(
        Imported(organisation_id=organisation_id, batch_id=batch_id, with_service=with_service)
    )
