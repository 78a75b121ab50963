# SPDX-License-Identifier: EUPL-1.2
"""The analyst's curation of themes: rename, merge, split, pin, hide, move an example, undo.

Every decision is one :class:`~leerlus.patterns.models.CurationAction` (append-only; undo
stamps ``undone_at``) plus an audit line. Its effect is written to the database at once, so
screens show it straight away, and :func:`engine_curation` replays every active action into
the engine's :class:`~leerlus.engine.themes.Curation` on each re-discovery, so the engine
honours it from then on.

The current state is always *derived* from the active actions (the last active rename of a
theme is its name; pinned when the last active pin/unpin is a pin; ...), so undoing any
action, also one that is not the latest, leaves the state the remaining actions imply.

* merge: the others get ``merged_into = target`` at once (screens count a theme together
  with the themes merged into it); the next discovery folds their signals into the target.
  Undo clears ``merged_into``; where a discovery had already folded the theme away, its
  centre is put back into the stored model from the signals remembered at merge time and a
  re-discovery is queued, so the theme comes back with its identity.
* split: takes effect at the next discovery, which is queued at once. Undo after it took
  effect merges the parts back into the original theme (and queues a re-discovery).
* move: the signal's assignment changes at once (and its daily count with it); the engine
  keeps it there on every re-run.

A re-discovery is asked for here (:func:`discovery_request`) and run by the jobs, which read
the active curation (:mod:`leerlus.patterns.selectors.curation`) and hand it to the
discovery: the discovery never imports this module, and this module only queues the job.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from leerlus.engine import themes as engine_themes
from leerlus.feedback.models import Feedback
from leerlus.organisations import audit
from leerlus.organisations.models import Organisation, User
from leerlus.organisations.roles import Capability

from .. import tasks
from ..models import CurationAction, DiscoveryRun, Theme, ThemeAssignment, ThemeState
from ..selectors.curation import curation_active
from .themes import assignment_move

Kind = CurationAction.Kind
MAX_SPLIT_PARTS: Final = 10
# Signals remembered per merged theme, to rebuild its centre should the merge be undone
# after a discovery folded it away.
REMEMBERED_MEMBERS: Final = 300
_FLAG_KINDS: Final = {
    "pinned": (Kind.PIN, Kind.UNPIN),
    "hidden": (Kind.HIDE, Kind.SHOW),
}


# --- guards -----------------------------------------------------------------------------------


def _check(actor: User, *themes: Theme) -> None:
    """The actor may curate, and every theme is of the actor's organisation."""
    if not actor.can(Capability.CURATE_THEMES):
        raise PermissionDenied("curating themes is not among this person's capabilities")
    for theme in themes:
        if theme.organisation_id != actor.organisation_id:
            raise PermissionDenied("theme of another organisation")


def _record(
    *, kind: str, theme: Theme, actor: User, payload: dict[str, Any] | None = None
) -> CurationAction:
    action = CurationAction.objects.create(
        organisation_id=theme.organisation_id,
        kind=kind,
        theme=theme,
        payload=payload or {},
        actor=actor,
    )
    audit.record(
        action=f"theme.{kind}",
        actor=actor,
        obj=theme,
        organisation=theme.organisation,
        details={"curation": action.pk, **_audit_details(payload or {})},
    )
    return action


def _audit_details(payload: dict[str, Any]) -> dict[str, Any]:
    """What the audit line says about an action: ids and counts, never signal texts."""
    return {k: v for k, v in payload.items() if k != "members"}


def _flags_refresh(theme: Theme) -> None:
    """Name, pinned and hidden as the theme's active actions imply them."""
    name = ""
    flags = {"pinned": False, "hidden": False}
    for kind, payload in (
        curation_active(organisation=theme.organisation)
        .filter(theme=theme)
        .values_list("kind", "payload")
    ):
        if kind == Kind.RENAME:
            name = payload.get("name", "")
        for flag, (on, off) in _FLAG_KINDS.items():
            if kind in (on, off):
                flags[flag] = kind == on
    theme.name = name
    theme.pinned = flags["pinned"]
    theme.hidden = flags["hidden"]
    theme.save(update_fields=["name", "pinned", "hidden", "updated_at"])


# --- the actions ------------------------------------------------------------------------------


@transaction.atomic
def theme_rename(*, theme: Theme, name: str, actor: User) -> CurationAction:
    """Show ``name`` instead of the generated label (an empty name goes back to it)."""
    _check(actor, theme)
    name = " ".join(name.split())
    if len(name) > 200:
        raise ValidationError({"name": "At most 200 characters."})
    action = _record(
        kind=Kind.RENAME, theme=theme, actor=actor, payload={"name": name, "before": theme.name}
    )
    _flags_refresh(theme)
    return action


def _simple_flag(kind: str, theme: Theme, actor: User) -> CurationAction:
    with transaction.atomic():
        _check(actor, theme)
        action = _record(kind=kind, theme=theme, actor=actor)
        _flags_refresh(theme)
    return action


def theme_pin(*, theme: Theme, actor: User) -> CurationAction:
    """Keep the theme and its label: the engine never dissolves or relabels it."""
    return _simple_flag(Kind.PIN, theme, actor)


def theme_unpin(*, theme: Theme, actor: User) -> CurationAction:
    return _simple_flag(Kind.UNPIN, theme, actor)


def theme_hide(*, theme: Theme, actor: User) -> CurationAction:
    """Leave the theme out of overviews and alerts; its signals stay assigned to it."""
    return _simple_flag(Kind.HIDE, theme, actor)


def theme_show(*, theme: Theme, actor: User) -> CurationAction:
    return _simple_flag(Kind.SHOW, theme, actor)


@transaction.atomic
def themes_merge(*, target: Theme, others: list[Theme], actor: User) -> CurationAction:
    """Fold ``others`` into ``target``: one theme from now on, under the target's name."""
    others = [t for t in others if t.pk != target.pk]
    _check(actor, target, *others)
    if not others:
        raise ValidationError({"others": "Choose at least one other theme to merge."})
    if target.merged_into_id is not None:
        raise ValidationError({"target": "This theme is already merged into another."})
    if any(t.merged_into_id is not None for t in others):
        raise ValidationError({"others": "One of these themes is already merged."})
    # Themes merged into one of the others earlier now count with the target too.
    carried = list(Theme.objects.filter(merged_into__in=others).values_list("pk", flat=True))
    members = {
        str(t.engine_id): list(
            ThemeAssignment.objects.filter(theme=t)
            .order_by("-similarity")
            .values_list("feedback_id", flat=True)[:REMEMBERED_MEMBERS]
        )
        for t in others
    }
    action = _record(
        kind=Kind.MERGE,
        theme=target,
        actor=actor,
        payload={
            "others": [t.pk for t in others],
            "other_engine_ids": [t.engine_id for t in others],
            "carried": carried,
            "members": members,
        },
    )
    Theme.objects.filter(pk__in=[t.pk for t in others] + carried).update(
        merged_into=target, updated_at=timezone.now()
    )
    for theme in others:
        theme.merged_into = target
    return action


@transaction.atomic
def theme_split(*, theme: Theme, parts: int = 0, actor: User) -> CurationAction:
    """Split the theme into ``parts`` (0: as many as the data shows) at the next discovery,
    which is queued now."""
    _check(actor, theme)
    if parts != 0 and not 2 <= parts <= MAX_SPLIT_PARTS:
        raise ValidationError({"parts": f"Choose 0 (automatic) or 2 to {MAX_SPLIT_PARTS}."})
    if theme.merged_into_id is not None or theme.retired:
        raise ValidationError({"theme": "Only a current theme that is not merged can be split."})
    action = _record(
        kind=Kind.SPLIT, theme=theme, actor=actor, payload={"parts": parts, "result": []}
    )
    discovery_request(organisation=theme.organisation, actor=actor)
    return action


@transaction.atomic
def example_move(*, feedback: Feedback, theme: Theme | None, actor: User) -> CurationAction:
    """Put one signal in ``theme`` (None: in no theme); the engine keeps it there."""
    _check(actor, *([theme] if theme else []))
    if feedback.organisation_id != actor.organisation_id:
        raise PermissionDenied("signal of another organisation")
    if feedback.confidential and not actor.can(Capability.VIEW_CONFIDENTIAL_FEEDBACK):
        raise PermissionDenied("a confidential signal this person may not see")
    assignment = ThemeAssignment.objects.select_related("theme").filter(feedback=feedback).first()
    if assignment is None:
        assignment = ThemeAssignment(feedback=feedback, organisation_id=feedback.organisation_id)
    before = assignment.theme
    if before == theme and assignment.moved_by_hand:
        raise ValidationError({"theme": "The signal is in this theme already."})
    anchor = theme or before
    if anchor is None:
        raise ValidationError({"theme": "The signal is in no theme already."})
    action = _record(
        kind=Kind.MOVE,
        theme=anchor,
        actor=actor,
        payload={
            "feedback": feedback.pk,
            "from": before.pk if before else None,
            "to": theme.pk if theme else None,
            "to_engine_id": theme.engine_id if theme else engine_themes.UNASSIGNED,
            "was_moved": bool(assignment.moved_by_hand),
            "was_new": assignment._state.adding,
        },
    )
    assignment.feedback = feedback
    assignment_move(assignment=assignment, theme=theme, moved_by_hand=True)
    return action


# --- undo -------------------------------------------------------------------------------------


@transaction.atomic
def curation_undo(*, action: CurationAction, actor: User) -> CurationAction:
    """Take back one action, of any kind; the state becomes what the remaining actions
    imply, on screen at once and in the engine at its next run."""
    action = CurationAction.objects.select_for_update().select_related("theme").get(pk=action.pk)
    if action.organisation_id != actor.organisation_id:
        raise PermissionDenied("curation of another organisation")
    _check(actor, action.theme)
    if action.undone_at is not None:
        raise ValidationError("This action has been undone already.")
    action.undone_at = timezone.now()
    action.undone_by = actor
    action.save(update_fields=["undone_at", "undone_by"])
    theme = action.theme
    if action.kind == Kind.MERGE:
        _merge_undo(action)
    elif action.kind == Kind.SPLIT:
        _split_undo(action, actor)
    elif action.kind == Kind.MOVE:
        _move_undo(action)
    else:
        _flags_refresh(theme)
    audit.record(
        action="theme.curation_undo",
        actor=actor,
        obj=theme,
        organisation=theme.organisation,
        details={"curation": action.pk, "kind": action.kind},
    )
    return action


def _merge_undo(action: CurationAction) -> None:
    payload = action.payload
    others = list(Theme.objects.filter(pk__in=payload.get("others", []), merged_into=action.theme))
    carried = payload.get("carried", [])
    Theme.objects.filter(pk__in=[t.pk for t in others], merged_into=action.theme).update(
        merged_into=None, updated_at=timezone.now()
    )
    _carried_restore(action, carried)
    folded = [t for t in others if t.retired]
    if folded:
        _model_restore(action, folded)
        discovery_request(organisation=action.theme.organisation, actor=action.undone_by)


def _carried_restore(action: CurationAction, carried: list[int]) -> None:
    """Point themes that had been merged into one of the others back at that other."""
    if not carried:
        return
    for earlier in curation_active(organisation=action.organisation).filter(kind=Kind.MERGE):
        inner = [pk for pk in earlier.payload.get("others", []) if pk in carried]
        if inner:
            Theme.objects.filter(pk__in=inner, merged_into=action.theme).update(
                merged_into=earlier.theme_id, updated_at=timezone.now()
            )


def _model_restore(action: CurationAction, folded: list[Theme]) -> None:
    """Put a folded-away theme's centre back into the stored model, from the signals it
    held at merge time, so the next discovery finds it again under its own id."""
    state = ThemeState.objects.filter(organisation_id=action.organisation_id).first()
    if state is None or not state.model_json:
        return
    model = engine_themes.ThemeModel.from_json(state.model_json)
    present = {t.id for t in model.themes}
    members = action.payload.get("members", {})
    changed = False
    for theme in folded:
        if theme.engine_id in present:
            continue
        ids = members.get(str(theme.engine_id), [])
        texts = list(Feedback.objects.filter(pk__in=ids).values_list("text", flat=True))
        vectors = model.embed(texts) if texts else np.zeros((0, model.dimensions))
        centre = vectors.sum(axis=0) if len(vectors) else np.zeros(model.dimensions)
        norm = float(np.linalg.norm(centre))
        if norm == 0.0:
            continue
        model.themes.append(
            engine_themes.Theme(
                id=theme.engine_id,
                label=theme.label,
                key_terms=list(theme.key_terms),
                size=0,
                examples=[],
                example_ids=[str(x) for x in theme.example_ids],
            )
        )
        model.centroids = np.vstack([model.centroids, (centre / norm)[None, :]]).astype(np.float32)
        changed = True
    if changed:
        # Same discovered_at: the assignment cache keeps the old model until the re-run.
        ThemeState.objects.filter(pk=state.pk).update(model_json=model.to_json())


def _split_undo(action: CurationAction, actor: User) -> None:
    parts = action.payload.get("result", [])
    if not parts:
        return  # not yet taken effect: nothing to take back but the action itself
    theme = action.theme
    Theme.objects.filter(organisation_id=theme.organisation_id, engine_id__in=parts).update(
        merged_into=theme, updated_at=timezone.now()
    )
    Theme.objects.filter(pk=theme.pk).update(retired=False, updated_at=timezone.now())
    discovery_request(organisation=theme.organisation, actor=actor)


def _move_undo(action: CurationAction) -> None:
    payload = action.payload
    assignment = (
        ThemeAssignment.objects.select_related("feedback", "theme")
        .filter(feedback_id=payload["feedback"])
        .first()
    )
    if assignment is None or assignment.theme_id != payload.get("to"):
        return  # moved on since (by hand or by a discovery): nothing of this move is left
    later = (
        curation_active(organisation=action.organisation)
        .filter(kind=Kind.MOVE, payload__feedback=payload["feedback"])
        .exclude(pk=action.pk)
        .exists()
    )
    before = Theme.objects.filter(pk=payload.get("from")).first()
    assignment_move(
        assignment=assignment,
        theme=before,
        moved_by_hand=later or bool(payload.get("was_moved")),
    )


# --- re-discovery ----------------------------------------------------------------------------


def discovery_request(*, organisation: Organisation, actor: User | None) -> DiscoveryRun:
    """Ask for a re-discovery (the button, a split, an undo): the job runs it once this
    is committed, and the run shows its progress.

    A run that is still waiting or running is returned instead of starting a second one.
    """
    if actor is not None and actor.organisation_id != organisation.pk:
        raise PermissionDenied("not a member of this organisation")
    pending = DiscoveryRun.objects.filter(
        organisation=organisation,
        status__in=[DiscoveryRun.Status.QUEUED, DiscoveryRun.Status.RUNNING],
        created_at__gte=timezone.now() - timedelta(hours=6),  # older ones died with a worker
    ).first()
    if pending is not None:
        return pending
    run = DiscoveryRun.objects.create(organisation=organisation, requested_by=actor)
    audit.record(
        action="themes.discover",
        actor=actor,
        obj=run,
        organisation=organisation,
        actor_label="" if actor else "system",
    )
    tasks.enqueue(tasks.rediscover_themes, organisation.pk, run.pk)
    return run
