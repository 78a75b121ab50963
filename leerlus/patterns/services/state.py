# SPDX-License-Identifier: EUPL-1.2
"""The organisation's theme state row: its lock, and its engine models parsed once per
process.

Concurrency: every write to an organisation's assignments and daily counts first locks its
:class:`~leerlus.patterns.models.ThemeState` row (``SELECT ... FOR UPDATE``; SQLite serialises
writers anyway), so the increment of a count and the advance of the watermark cannot
interleave with another job.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from leerlus.engine import routing as engine_routing
from leerlus.engine import themes as engine_themes
from leerlus.organisations.models import Organisation

from ..models import ThemeState

# Rows per bulk write: large enough to amortise the round trip, small enough for SQLite's
# limit on query parameters and for a bounded memory peak at a million signals.
WRITE_CHUNK: Final = 5_000
READ_CHUNK: Final = 10_000


class _ModelCache:
    """Parsed engine models per organisation, keyed by when they were written.

    Parsing a theme model takes tens of milliseconds and the JSON is megabytes: the
    quick-entry screen asks per keystroke and the assignment job per batch, so each process
    parses a model once and asks the database only for its timestamp.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[str, int], tuple[datetime, Any]] = {}

    def get(self, kind: str, organisation_id: int, stamp: datetime, load: Callable[[], Any]) -> Any:
        key = (kind, organisation_id)
        with self._lock:
            cached = self._items.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        value = load()
        with self._lock:
            self._items[key] = (stamp, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


model_cache = _ModelCache()


def theme_model(state: ThemeState) -> engine_themes.ThemeModel | None:
    """The organisation's stored theme model, parsed once per discovery and process."""
    if state.discovered_at is None:
        return None

    def load() -> engine_themes.ThemeModel | None:
        text = ThemeState.objects.filter(pk=state.pk).values_list("model_json", flat=True).first()
        return engine_themes.ThemeModel.from_json(text) if text else None

    model: engine_themes.ThemeModel | None = model_cache.get(
        "themes", state.organisation_id, state.discovered_at, load
    )
    return model


def routing_model(state: ThemeState) -> engine_routing.RoutingModel | None:
    """The organisation's stored routing model, parsed once per training and process."""
    if state.routing_trained_at is None:
        return None

    def load() -> engine_routing.RoutingModel | None:
        text = ThemeState.objects.filter(pk=state.pk).values_list("routing_json", flat=True).first()
        if not text:
            return None
        return engine_routing.RoutingModel.from_bytes(base64.b64decode(text))

    model: engine_routing.RoutingModel | None = model_cache.get(
        "routing", state.organisation_id, state.routing_trained_at, load
    )
    return model


def state_stamps(organisation: Organisation) -> ThemeState:
    """The state row without its (large) model columns, created when missing."""
    state = (
        ThemeState.objects.filter(organisation=organisation)
        .defer("model_json", "routing_json")
        .first()
    )
    if state is None:
        ThemeState.objects.get_or_create(organisation=organisation)
        state = ThemeState.objects.defer("model_json", "routing_json").get(
            organisation=organisation
        )
    return state


def state_lock(organisation: Organisation) -> ThemeState:
    """Lock the organisation's state row for the rest of the transaction (see module doc).

    Never reads the model columns (megabytes: reading them took 40 ms of every assignment
    pass at a million signals)."""
    locked = ThemeState.objects.select_for_update().defer("model_json", "routing_json")
    state = locked.filter(organisation=organisation).first()
    if state is None:
        state_stamps(organisation)  # creates the row
        state = locked.get(organisation=organisation)
    return state
