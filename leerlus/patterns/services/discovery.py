# SPDX-License-Identifier: EUPL-1.2
"""Discovery: the engine's themes found again in all of an organisation's signals.

A job (:func:`leerlus.patterns.tasks.rediscover_themes`), never in a request. The caller
hands in the active curation (:func:`leerlus.patterns.selectors.curation.engine_curation`),
so the engine honours every decision of the analysts, and this module never reaches back into
the curation's writes: the curation asks for a discovery through the jobs, the jobs run it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from leerlus.engine import themes as engine_themes
from leerlus.feedback.models import Feedback
from leerlus.organisations.models import Organisation

from ..models import CurationAction, DailyCount, DiscoveryRun, Theme, ThemeAssignment, ThemeState
from ..selectors.curation import curation_active
from .counts import daily_counts_rebuild
from .state import READ_CHUNK, WRITE_CHUNK, state_lock

# Below this many signals themes are not worth finding: every group would be a handful.
MIN_SIGNALS_FOR_DISCOVERY: Final = 50

Progress = Callable[[str, int], None]


def _run_update(run: DiscoveryRun, **fields: Any) -> None:
    """Progress is written with an UPDATE outside the discovery's transaction, so the
    progress page sees it while the job runs."""
    for name, value in fields.items():
        setattr(run, name, value)
    DiscoveryRun.objects.filter(pk=run.pk).update(**fields)


def _texts_of(organisation: Organisation) -> tuple[list[str], list[str], int]:
    """Ids (as str) and redacted texts of all signals, streamed in id order."""
    ids: list[str] = []
    texts: list[str] = []
    rows = (
        Feedback.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list("pk", "text")
        .iterator(chunk_size=READ_CHUNK)
    )
    last = 0
    for pk, text in rows:
        ids.append(str(pk))
        texts.append(text)
        last = pk
    return ids, texts, last


def _previous_model(
    organisation: Organisation, curation: engine_themes.Curation
) -> engine_themes.ThemeModel | None:
    """The stored model with the analyst's flags as they are now.

    The engine keeps a theme's name, pin and hide from the previous model when the curation
    does not mention it; an undone rename or pin must not survive that way, so the flags
    are reset to what the active curation says.
    """
    text = (
        ThemeState.objects.filter(organisation=organisation)
        .values_list("model_json", flat=True)
        .first()
    )
    if not text:
        return None
    model = engine_themes.ThemeModel.from_json(text)
    for theme in model.themes:
        theme.name = curation.names.get(theme.id, "")
        theme.pinned = theme.id in curation.pinned
        theme.hidden = theme.id in curation.hidden
    return model


def themes_discover(
    *,
    organisation: Organisation,
    curation: engine_themes.Curation,
    run: DiscoveryRun | None = None,
    progress: Progress | None = None,
) -> DiscoveryRun:
    """(Re)discover the organisation's themes from all its signals and store them.

    Keeps each earlier theme's identity (the stored model is the starting point) and
    honours ``curation``, the organisation's active curation actions. Writes the themes,
    every signal's assignment (signals moved by hand keep theirs), the daily counts, the new
    watermark and the parts each split produced, all in one transaction, so screens never
    see half a discovery. ``run`` shows the progress.
    """
    run = run or DiscoveryRun.objects.create(organisation=organisation)
    if run.organisation_id != organisation.pk:
        raise PermissionDenied("discovery run of another organisation")

    def say(message: str, percent: int) -> None:
        _run_update(run, progress=message[:200], percent=percent)
        if progress is not None:
            progress(message, percent)

    engine_step = [10]

    def engine_progress(message: str) -> None:
        # The engine says what it does but not how far it is: creep from 10 to 70 %.
        engine_step[0] = min(70, engine_step[0] + 8)
        say(message, engine_step[0])

    _run_update(run, status=DiscoveryRun.Status.RUNNING, error="")
    try:
        say("reading signals", 2)
        ids, texts, last_id = _texts_of(organisation)
        if len(texts) < MIN_SIGNALS_FOR_DISCOVERY:
            _run_update(
                run,
                status=DiscoveryRun.Status.DONE,
                items=len(texts),
                themes=0,
                percent=100,
                progress=f"too few signals ({len(texts)}) to find themes",
                finished_at=timezone.now(),
            )
            return run
        previous = _previous_model(organisation, curation)
        say(f"finding themes in {len(texts):,} signals", 5)
        discovery = engine_themes.discover(
            texts, ids=ids, previous=previous, curation=curation, progress=engine_progress
        )
        del texts
        say("saving themes", 75)
        with transaction.atomic():
            state = state_lock(organisation)
            theme_pks = _themes_store(organisation, discovery.model)
            say("saving assignments", 80)
            _assignments_store(organisation, ids, discovery, theme_pks)
            say("counting per day", 95)
            ThemeState.objects.filter(pk=state.pk).update(
                model_json=discovery.model.to_json(),
                discovered_at=timezone.now(),
                retained_share=discovery.retained_share,
                unassigned_share=discovery.unassigned_share,
                assigned_up_to=max(state.assigned_up_to, last_id),
            )
            daily_counts_rebuild(organisation=organisation)
            _first_seen_fill(organisation)
            _split_parts_record(organisation, discovery.model)
        _run_update(
            run,
            status=DiscoveryRun.Status.DONE,
            items=len(ids),
            themes=len(discovery.model.themes),
            percent=100,
            progress="done",
            finished_at=timezone.now(),
        )
    except Exception as error:
        _run_update(
            run,
            status=DiscoveryRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    return run


def _themes_store(organisation: Organisation, model: engine_themes.ThemeModel) -> dict[int, int]:
    """Upsert one Theme row per engine theme; retire the rows the engine no longer finds.

    Name, pin and hide are the analyst's and are written by :mod:`.curation` at once, so
    they are only copied for a theme that is new here (a split part).
    """
    existing = {t.engine_id: t for t in Theme.objects.filter(organisation=organisation)}
    fresh: list[Theme] = []
    changed: list[Theme] = []
    for found in model.themes:
        example_ids = [int(x) for x in found.example_ids]
        row = existing.pop(found.id, None)
        if row is None:
            fresh.append(
                Theme(
                    organisation=organisation,
                    engine_id=found.id,
                    label=found.label[:200],
                    name=found.name[:200],
                    key_terms=found.key_terms,
                    size=found.size,
                    example_ids=example_ids,
                    pinned=found.pinned,
                    hidden=found.hidden,
                )
            )
            continue
        row.label = found.label[:200]
        row.key_terms = found.key_terms
        row.size = found.size
        row.example_ids = example_ids
        row.retired = False
        changed.append(row)
    for row in existing.values():
        if not row.retired or row.size:
            row.retired = True
            row.size = 0
            changed.append(row)
    Theme.objects.bulk_create(fresh, batch_size=WRITE_CHUNK)
    Theme.objects.bulk_update(
        changed,
        ["label", "key_terms", "size", "example_ids", "retired", "updated_at"],
        batch_size=1000,
    )
    return dict(Theme.objects.filter(organisation=organisation).values_list("engine_id", "pk"))


def _assignments_store(
    organisation: Organisation,
    ids: list[str],
    discovery: engine_themes.Discovery,
    theme_pks: dict[int, int],
) -> None:
    """Every signal's theme, upserted in chunks (signals moved by hand are left alone)."""
    moved = set(
        ThemeAssignment.objects.filter(organisation=organisation, moved_by_hand=True).values_list(
            "feedback_id", flat=True
        )
    )
    now = timezone.now()
    assignments = discovery.assignments.tolist()
    similarity = discovery.similarity.tolist()
    for start in range(0, len(ids), WRITE_CHUNK):
        rows = []
        for i in range(start, min(start + WRITE_CHUNK, len(ids))):
            pk = int(ids[i])
            if pk in moved:
                continue
            rows.append(
                ThemeAssignment(
                    feedback_id=pk,
                    organisation=organisation,
                    theme_id=theme_pks.get(assignments[i]),
                    similarity=float(similarity[i]),
                    assigned_at=now,
                )
            )
        ThemeAssignment.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["feedback"],
            update_fields=["theme", "similarity", "assigned_at"],
        )


def _first_seen_fill(organisation: Organisation) -> None:
    """A theme's first day with signals, for themes that have none recorded yet."""
    missing = {
        t.pk: t for t in Theme.objects.filter(organisation=organisation, first_seen__isnull=True)
    }
    if not missing:
        return
    firsts = (
        DailyCount.objects.filter(organisation=organisation, theme_id__in=list(missing))
        .values("theme_id")
        .annotate(first=Min("day"))
    )
    changed = []
    for row in firsts:
        theme = missing[row["theme_id"]]
        theme.first_seen = row["first"]
        changed.append(theme)
    Theme.objects.bulk_update(changed, ["first_seen"], batch_size=1000)


def _split_parts_record(organisation: Organisation, model: engine_themes.ThemeModel) -> None:
    """Remember which themes each active split produced, so that undoing it can merge them
    back (the split's action keeps them in its ``result``)."""
    by_origin: dict[int, list[int]] = {}
    for theme in model.themes:
        if theme.split_from is not None:
            by_origin.setdefault(int(theme.split_from), []).append(theme.id)
    if not by_origin:
        return
    splits = curation_active(organisation=organisation).filter(kind=CurationAction.Kind.SPLIT)
    for action in splits.select_related("theme"):
        parts = by_origin.get(action.theme.engine_id)
        if parts:
            result = sorted(set(action.payload.get("result", [])) | set(parts))
            if result != action.payload.get("result"):
                action.payload = {**action.payload, "result": result}
                action.save(update_fields=["payload"])
