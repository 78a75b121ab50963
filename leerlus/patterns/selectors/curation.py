# SPDX-License-Identifier: EUPL-1.2
"""Reads of the analyst's curation: the active actions, a theme's history, and the active
actions as the engine's :class:`~leerlus.engine.themes.Curation`.

The engine's curation is read here and handed to the discovery by its caller (the jobs),
so the discovery never reaches back into the curation's writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from django.db.models import QuerySet
from django.http import Http404

from leerlus.engine import themes as engine_themes
from leerlus.feedback.models import Feedback
from leerlus.organisations.models import Organisation

from ..models import CurationAction, Theme
from .counts import theme_groups

Kind = CurationAction.Kind
HISTORY_SHOWN: Final = 50


def curation_active(*, organisation: Organisation) -> QuerySet[CurationAction]:
    """The actions that were not undone, in the order they were taken."""
    return CurationAction.objects.filter(
        organisation=organisation, undone_at__isnull=True
    ).order_by("created_at", "id")


def curation_history(*, organisation: Organisation, theme: Theme) -> QuerySet[CurationAction]:
    """What analysts did to ``theme`` and the themes merged into it, newest first."""
    members = theme_groups(organisation=organisation).members([theme.pk])
    return (
        CurationAction.objects.filter(organisation=organisation, theme_id__in=members)
        .select_related("actor", "undone_by", "theme")
        .order_by("-created_at", "-id")[:HISTORY_SHOWN]
    )


@dataclass(frozen=True)
class CurationNames:
    """What curation actions refer to by id: theme titles and signal references."""

    themes: dict[int, str]
    signals: dict[int, str]


def curation_names(
    *, organisation: Organisation, actions: Iterable[CurationAction]
) -> CurationNames:
    """Titles and references only, never a signal's text."""
    theme_ids: set[int] = set()
    signal_ids: set[int] = set()
    for action in actions:
        payload = action.payload or {}
        theme_ids.update(int(pk) for pk in payload.get("others", []))
        theme_ids.update(int(payload[k]) for k in ("from", "to") if payload.get(k) is not None)
        if payload.get("feedback") is not None:
            signal_ids.add(int(payload["feedback"]))
    themes = Theme.objects.filter(organisation=organisation, pk__in=theme_ids)
    signals = Feedback.objects.filter(organisation=organisation, pk__in=signal_ids)
    return CurationNames(
        themes={theme.pk: theme.title for theme in themes},
        signals=dict(signals.values_list("pk", "reference")),
    )


def curation_action_get(*, organisation: Organisation, pk: int) -> CurationAction:
    action = (
        CurationAction.objects.filter(organisation=organisation, pk=pk)
        .select_related("theme")
        .first()
    )
    if action is None:
        raise Http404
    return action


def curation_done_get(*, organisation: Organisation, pk: int) -> CurationAction | None:
    """An action that is still active (offered for undo once after it was taken)."""
    return curation_active(organisation=organisation).filter(pk=pk).first()


def engine_curation(*, organisation: Organisation) -> engine_themes.Curation:
    """The active actions as the engine's :class:`~leerlus.engine.themes.Curation`
    (theme ids are engine ids, signal ids are ``str(pk)``), in the order they were taken.

    A split that was undone after it took effect becomes a merge of its parts back into
    the theme: the engine has no "unsplit", and a merge of themes that no longer exist
    changes nothing, so this stays harmless later on.
    """
    curation = engine_themes.Curation()
    actions = CurationAction.objects.filter(organisation=organisation).select_related("theme")
    for action in actions.order_by("created_at", "id"):
        engine_id = action.theme.engine_id
        payload = action.payload
        if action.undone_at is not None:
            if action.kind == Kind.SPLIT and payload.get("result"):
                curation.merges.append([engine_id, *payload["result"]])
            continue
        if action.kind == Kind.RENAME:
            if payload.get("name"):
                curation.names[engine_id] = payload["name"]
            else:
                curation.names.pop(engine_id, None)
        elif action.kind in (Kind.PIN, Kind.UNPIN):
            (curation.pinned.add if action.kind == Kind.PIN else curation.pinned.discard)(engine_id)
        elif action.kind in (Kind.HIDE, Kind.SHOW):
            (curation.hidden.add if action.kind == Kind.HIDE else curation.hidden.discard)(
                engine_id
            )
        elif action.kind == Kind.MERGE:
            curation.merges.append([engine_id, *payload.get("other_engine_ids", [])])
        elif action.kind == Kind.SPLIT:
            curation.splits[engine_id] = int(payload.get("parts", 0))
        elif action.kind == Kind.MOVE:
            curation.moves[str(payload["feedback"])] = int(payload["to_engine_id"])
    return curation
