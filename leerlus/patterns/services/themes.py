# SPDX-License-Identifier: EUPL-1.2
"""Writes of themes' assignments: every new signal placed in its theme, a signal moved by
hand, and the themes suggested while a front-office member types.

The two fast engine calls (assignment, suggestions) reuse a model parsed once per process
(:mod:`.state`); each signal that gets an assignment is added to the daily counts at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Final

import numpy as np
from django.db import transaction
from django.utils import timezone

from leerlus.engine import themes as engine_themes
from leerlus.feedback.models import Feedback
from leerlus.organisations.models import Organisation

from ..models import Theme, ThemeAssignment, ThemeState
from ..selectors.counts import local_day
from ..selectors.curation import engine_curation
from .counts import CountKey, daily_counts_add
from .discovery import MIN_SIGNALS_FOR_DISCOVERY, themes_discover
from .routing import routing_suggest
from .state import WRITE_CHUNK, state_lock, state_stamps, theme_model

# Signals assigned per transaction by the incremental job.
ASSIGN_BATCH: Final = 2_000
# Ids are handed out before their transaction commits, so a signal may become visible after
# one with a higher id was already assigned; the job looks back this far for such stragglers
# (anything older is picked up by the next discovery).
STRAGGLER_WINDOW: Final = 10_000


def themes_assign_new(*, organisation: Organisation) -> int:
    """Give every signal that arrived since the last run its theme (and category
    suggestion); returns how many were assigned. Idempotent: a signal that has an
    assignment is never counted twice. Without a model yet, discovers one first when
    there are enough signals."""
    state = state_stamps(organisation)
    if state.discovered_at is None:
        if Feedback.objects.filter(organisation=organisation).count() < MIN_SIGNALS_FOR_DISCOVERY:
            return 0
        run = themes_discover(
            organisation=organisation, curation=engine_curation(organisation=organisation)
        )
        return run.items
    total = 0
    while True:
        with transaction.atomic():
            state = state_lock(organisation)
            model = theme_model(state)
            if model is None:
                return total
            batch = list(
                Feedback.objects.filter(
                    organisation=organisation,
                    pk__gt=max(0, state.assigned_up_to - STRAGGLER_WINDOW),
                    assignment__isnull=True,
                )
                .order_by("pk")
                .values_list("pk", "text", "received_at", "channel", "service_id")[:ASSIGN_BATCH]
            )
            if not batch:
                return total
            _assign_batch(organisation, state, model, batch)
            ThemeState.objects.filter(pk=state.pk).update(
                assigned_up_to=max(state.assigned_up_to, batch[-1][0])
            )
        total += len(batch)
        if len(batch) < ASSIGN_BATCH:
            # All there was: a signal committed since then has queued its own job, so a
            # second look would only wait for the lock the next job needs.
            return total


def _assign_batch(
    organisation: Organisation,
    state: ThemeState,
    model: engine_themes.ThemeModel,
    batch: Sequence[tuple[int, str, datetime, str, int | None]],
) -> None:
    texts = [row[1] for row in batch]
    theme_ids, similarity = engine_themes.assign(model, texts)
    theme_pks = dict(Theme.objects.filter(organisation=organisation).values_list("engine_id", "pk"))
    predictions = routing_suggest(state=state, texts=texts)
    now = timezone.now()
    rows = []
    counts: Counter[CountKey] = Counter()
    for i, (pk, _text, received_at, channel, service_id) in enumerate(batch):
        theme_pk = theme_pks.get(int(theme_ids[i]))
        row = ThemeAssignment(
            feedback_id=pk,
            organisation=organisation,
            theme_id=theme_pk,
            similarity=float(similarity[i]),
            assigned_at=now,
        )
        if predictions is not None:
            row.suggested_category = predictions[i].label[:100]
            row.category_confidence = predictions[i].confidence
            row.category_unsure = predictions[i].unsure
        rows.append(row)
        counts[(local_day(received_at), theme_pk, channel, service_id)] += 1
    ThemeAssignment.objects.bulk_create(rows, batch_size=WRITE_CHUNK)
    daily_counts_add(organisation=organisation, counts=counts)


def assignment_move(
    *, assignment: ThemeAssignment, theme: Theme | None, moved_by_hand: bool
) -> Theme | None:
    """Put one signal in another theme and move its daily count with it; returns the
    theme it was in. Used by the curation's example moves and their undo."""
    feedback = assignment.feedback
    with transaction.atomic():
        state_lock(feedback.organisation)
        before = assignment.theme
        key_day = local_day(feedback.received_at)
        counts: Counter[CountKey] = Counter()
        if assignment.pk is not None and not assignment._state.adding:
            counts[(key_day, assignment.theme_id, feedback.channel, feedback.service_id)] -= 1
        counts[(key_day, theme.pk if theme else None, feedback.channel, feedback.service_id)] += 1
        assignment.theme = theme
        assignment.moved_by_hand = moved_by_hand
        assignment.save()
        daily_counts_add(organisation=feedback.organisation, counts=counts)
    return before


def theme_suggestions(
    *, organisation: Organisation, text: str, limit: int = 5
) -> list[tuple[Theme, float]]:
    """The themes most like ``text`` (best first, with the cosine), for the quick-entry
    screen. A theme merged into another is suggested as that other; hidden and retired
    themes are left out. Fast: one small query, the model comes from the process cache."""
    text = text.strip()
    if not text or limit <= 0:
        return []
    state = state_stamps(organisation)
    model = theme_model(state)
    if model is None or not model.themes:
        return []
    vector = model.embed([text])[0]
    if not np.any(vector):
        return []
    similarity = model.centroids @ vector
    order = np.argsort(-similarity)
    candidates = [
        (model.themes[j].id, float(similarity[j]))
        for j in order.tolist()
        if similarity[j] >= model.settings.min_similarity
    ][: limit * 3]
    if not candidates:
        return []
    rows = {
        t.engine_id: t
        for t in Theme.objects.filter(
            organisation=organisation, engine_id__in=[c[0] for c in candidates]
        ).select_related("merged_into")
    }
    out: list[tuple[Theme, float]] = []
    shown: set[int] = set()
    for engine_id, score in candidates:
        theme = rows.get(engine_id)
        hops = 0
        while theme is not None and theme.merged_into is not None and hops < 20:
            theme, hops = theme.merged_into, hops + 1
        if theme is None or theme.hidden or theme.retired or theme.pk in shown:
            continue
        shown.add(theme.pk)
        out.append((theme, score))
        if len(out) >= limit:
            break
    return out
