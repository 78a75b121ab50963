# SPDX-License-Identifier: EUPL-1.2
"""Listeners to an app's events, called once the transaction that caused the event commits.

An app that others build on announces what happened (intake stored signals; later: an
experiment ended, a lesson was published) without knowing who acts on it: the apps above it
register their listeners in their ``AppConfig.ready()``. See docs/adr/0002-intake-listeners.md.

A listener runs after the commit, never inside the transaction, and its failure never reaches
the code that caused the event: it is logged, and the other listeners still run. A rolled-back
transaction calls nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, transaction

logger = logging.getLogger(__name__)

Event = TypeVar("Event")
Listener = Callable[[Event], None]


class AfterCommitListeners(Generic[Event]):
    """The listeners to one kind of event. ``send`` inside a transaction calls them after
    its commit (none on a rollback); outside one, at once."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Listener[Event]] = []

    def register(self, listener: Listener[Event]) -> Listener[Event]:
        """Add ``listener`` (once: registering it again changes nothing); usable as a decorator."""
        if listener not in self._listeners:
            self._listeners.append(listener)
        return listener

    def unregister(self, listener: Listener[Event]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    @property
    def listeners(self) -> tuple[Listener[Event], ...]:
        return tuple(self._listeners)

    def send(self, event: Event, *, using: str = DEFAULT_DB_ALIAS) -> None:
        if self._listeners:  # nobody listening: not even a commit hook
            transaction.on_commit(lambda: self.call(event), using=using)

    def call(self, event: Event) -> None:
        """Call every listener now; one that raises is logged and the others still run."""
        for listener in tuple(self._listeners):
            try:
                listener(event)
            except Exception:  # a listener's failure is its own, never the sender's
                logger.exception(
                    "%s listener %s failed on %r",
                    self.name,
                    getattr(listener, "__qualname__", listener),
                    event,
                )
