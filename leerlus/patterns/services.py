"""Writes of the patterns app: the engine's themes, assignments, daily counts, alerts,
routing and events, kept in the database.

Everything heavy (discovery, routing training, alert detection) runs in a job
(:mod:`leerlus.patterns.tasks`), never in a request; the request path only reads
:class:`~leerlus.patterns.models.DailyCount` and the stored rows, and the two fast engine
calls (:func:`theme_suggestions`, assignment) reuse a model parsed once per process.

Concurrency: every write to an organisation's assignments and daily counts first locks its
:class:`~leerlus.patterns.models.ThemeState` row (``SELECT ... FOR UPDATE``; SQLite serialises
writers anyway), so the increment of a count and the advance of the watermark cannot
interleave with another job. The upserts are done by reading the affected keys and writing
in bulk, not by ``ON CONFLICT``: SQLite treats the NULL theme and service in the unique
constraints as distinct, so a database upsert would not find the row there.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from leerlus.engine import routing as engine_routing
from leerlus.engine import themes as engine_themes
from leerlus.engine import trends
from leerlus.feedback.models import Feedback
from leerlus.organisations import audit
from leerlus.organisations.models import Organisation, Service, User

from .models import (
    Alert,
    DailyCount,
    DiscoveryRun,
    Event,
    Theme,
    ThemeAssignment,
    ThemeDayCount,
    ThemeState,
)

logger = logging.getLogger(__name__)

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")
# Below this many signals themes are not worth finding: every group would be a handful.
MIN_SIGNALS_FOR_DISCOVERY: Final = 50
# Rows per bulk write: large enough to amortise the round trip, small enough for SQLite's
# limit on query parameters and for a bounded memory peak at a million signals.
WRITE_CHUNK: Final = 5_000
READ_CHUNK: Final = 10_000
# Signals assigned per transaction by the incremental job.
ASSIGN_BATCH: Final = 2_000
# Ids are handed out before their transaction commits, so a signal may become visible after
# one with a higher id was already assigned; the job looks back this far for such stragglers
# (anything older is picked up by the next discovery).
STRAGGLER_WINDOW: Final = 10_000
# Routing learns from the most recent signals with a service: at 16,000 examples the router
# reaches the labels' ceiling on the generator (docs/benchmarks.md, Routing), and training time
# grows faster than the number of examples (44,000 took minutes on the demo).
ROUTING_MAX_EXAMPLES: Final = 20_000
# A theme x channel series needs this many signals in the period to be watched on its own.
MIN_SERIES_SIGNALS: Final = 30
# History the alert detector reads: a year for the weekday profile and season, plus margin.
ALERT_HISTORY_DAYS: Final = 2 * 365
EVENT_BEFORE_DAYS: Final = 56
EVENT_AFTER_DAYS: Final = 21
EVENT_MIN_DAYS: Final = 7
EVENT_FIELDS: Final = ("kind", "title", "description", "date", "end_date", "service")

Progress = Callable[[str, int], None]
CountKey = tuple[date, int | None, str, int | None]  # day, theme, channel, service
DayKey = tuple[date, int | None]  # day, theme
Key = TypeVar("Key", CountKey, DayKey)
CountRow = TypeVar("CountRow", DailyCount, ThemeDayCount)


# --- the per-process model caches -------------------------------------------------------------


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


def _theme_model(state: ThemeState) -> engine_themes.ThemeModel | None:
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


def _routing_model(state: ThemeState) -> engine_routing.RoutingModel | None:
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


def _state_stamps(organisation: Organisation) -> ThemeState:
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


def _locked_state(organisation: Organisation) -> ThemeState:
    """Lock the organisation's state row for the rest of the transaction (see module doc).

    Never reads the model columns (megabytes: reading them took 40 ms of every assignment
    pass at a million signals)."""
    locked = ThemeState.objects.select_for_update().defer("model_json", "routing_json")
    state = locked.filter(organisation=organisation).first()
    if state is None:
        _state_stamps(organisation)  # creates the row
        state = locked.get(organisation=organisation)
    return state


def local_day(moment: datetime) -> date:
    """The day a signal counts on: its arrival date in Europe/Amsterdam."""
    return moment.astimezone(AMSTERDAM).date()


# --- discovery --------------------------------------------------------------------------------


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
    run: DiscoveryRun | None = None,
    progress: Progress | None = None,
) -> DiscoveryRun:
    """(Re)discover the organisation's themes from all its signals and store them.

    Keeps each earlier theme's identity (the stored model is the starting point) and
    honours every active curation action. Writes the themes, every signal's assignment
    (signals moved by hand keep theirs), the daily counts and the new watermark, all in one
    transaction, so screens never see half a discovery. ``run`` shows the progress.
    """
    from . import curation as curation_actions

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
        curation = curation_actions.engine_curation(organisation=organisation)
        previous = _previous_model(organisation, curation)
        say(f"finding themes in {len(texts):,} signals", 5)
        discovery = engine_themes.discover(
            texts, ids=ids, previous=previous, curation=curation, progress=engine_progress
        )
        del texts
        say("saving themes", 75)
        with transaction.atomic():
            state = _locked_state(organisation)
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
            curation_actions.split_parts_record(organisation=organisation, model=discovery.model)
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


def discovery_request(*, organisation: Organisation, actor: User | None) -> DiscoveryRun:
    """Ask for a re-discovery (the button, a split): the run shows the progress.

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
    from .tasks import enqueue, rediscover_themes

    enqueue(rediscover_themes, organisation.pk, run.pk)
    return run


# --- incremental assignment -------------------------------------------------------------------


def themes_assign_new(*, organisation: Organisation) -> int:
    """Give every signal that arrived since the last run its theme (and category
    suggestion); returns how many were assigned. Idempotent: a signal that has an
    assignment is never counted twice. Without a model yet, discovers one first when
    there are enough signals."""
    state = _state_stamps(organisation)
    if state.discovered_at is None:
        if Feedback.objects.filter(organisation=organisation).count() < MIN_SIGNALS_FOR_DISCOVERY:
            return 0
        run = themes_discover(organisation=organisation)
        return run.items
    total = 0
    while True:
        with transaction.atomic():
            state = _locked_state(organisation)
            model = _theme_model(state)
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


# --- daily counts -----------------------------------------------------------------------------


def daily_counts_rebuild(*, organisation: Organisation) -> int:
    """Recount the organisation's signals per Amsterdam day x theme x channel x service.

    Only assigned signals count (theme None: assigned, but no theme fits), so the
    incremental job can add a signal when it assigns it without counting it twice.
    One GROUP BY in the database; returns the number of rows written. The per-day theme
    totals (:class:`ThemeDayCount`) are rebuilt from the same rows.
    """
    with transaction.atomic():
        _locked_state(organisation)
        grouped = (
            Feedback.objects.filter(organisation=organisation, assignment__isnull=False)
            .annotate(local_date=TruncDate("received_at", tzinfo=AMSTERDAM))
            .values("local_date", "assignment__theme", "channel", "service")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("local_date", "assignment__theme", "channel", "service", "n")
        )
        counts: Counter[CountKey] = Counter()
        for day, theme_id, channel, service_id, n in grouped.iterator(chunk_size=READ_CHUNK):
            counts[(day, theme_id, channel, service_id)] += n
        DailyCount.objects.filter(organisation=organisation).delete()
        ThemeDayCount.objects.filter(organisation=organisation).delete()
        _counts_write(organisation, counts)
    return len(counts)


def _daily_count(organisation: Organisation, key: CountKey, n: int) -> DailyCount:
    day, theme_id, channel, service_id = key
    return DailyCount(
        organisation=organisation,
        day=day,
        theme_id=theme_id,
        channel=channel,
        service_id=service_id,
        count=n,
    )


def _theme_day_count(organisation: Organisation, key: DayKey, n: int) -> ThemeDayCount:
    day, theme_id = key
    return ThemeDayCount(organisation=organisation, day=day, theme_id=theme_id, count=n)


def _theme_days(counts: Counter[CountKey]) -> Counter[DayKey]:
    totals: Counter[DayKey] = Counter()
    for (day, theme_id, _channel, _service), n in counts.items():
        totals[(day, theme_id)] += n
    return totals


def _counts_write(organisation: Organisation, counts: Counter[CountKey]) -> None:
    """Rows for ``counts`` and their per-day theme totals, where none are stored yet."""
    DailyCount.objects.bulk_create(
        (_daily_count(organisation, key, n) for key, n in counts.items()),
        batch_size=WRITE_CHUNK,
    )
    ThemeDayCount.objects.bulk_create(
        (_theme_day_count(organisation, key, n) for key, n in _theme_days(counts).items()),
        batch_size=WRITE_CHUNK,
    )


def _counts_add(
    rows: QuerySet[CountRow],
    counts: Mapping[Key, int],
    *,
    key_of: Callable[[CountRow], Key],
    make: Callable[[Key, int], CountRow],
) -> None:
    """Add ``counts`` to the stored ``rows`` of their days (never below zero)."""
    existing = {key_of(row): row for row in rows.filter(day__in={key[0] for key in counts})}
    fresh: list[CountRow] = []
    changed: list[CountRow] = []
    for key, n in counts.items():
        found = existing.get(key)
        if found is None:
            fresh.append(make(key, max(0, n)))
        else:
            found.count = max(0, found.count + n)
            changed.append(found)
    rows.model.objects.bulk_create(fresh, batch_size=WRITE_CHUNK)
    rows.model.objects.bulk_update(changed, ["count"], batch_size=1000)


def daily_counts_add(*, organisation: Organisation, counts: Counter[CountKey]) -> None:
    """Add (or, with negative numbers, take away) signals to the daily counts and to their
    per-day theme totals.

    The caller holds the organisation's state lock (see the module doc)."""
    counts = Counter({k: v for k, v in counts.items() if v})
    if not counts:
        return
    _counts_add(
        DailyCount.objects.filter(organisation=organisation),
        counts,
        key_of=lambda row: (row.day, row.theme_id, row.channel, row.service_id),
        make=lambda key, n: _daily_count(organisation, key, n),
    )
    totals = Counter({k: v for k, v in _theme_days(counts).items() if v})
    _counts_add(
        ThemeDayCount.objects.filter(organisation=organisation),
        totals,
        key_of=lambda row: (row.day, row.theme_id),
        make=lambda key, n: _theme_day_count(organisation, key, n),
    )


def assignment_move(
    *, assignment: ThemeAssignment, theme: Theme | None, moved_by_hand: bool
) -> Theme | None:
    """Put one signal in another theme and move its daily count with it; returns the
    theme it was in. Used by the curation's example moves and their undo."""
    feedback = assignment.feedback
    with transaction.atomic():
        _locked_state(feedback.organisation)
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


# --- routing ----------------------------------------------------------------------------------


def routing_train(*, organisation: Organisation) -> bool:
    """Learn the organisation's service (category: its slug) from signals that have one.

    A job (seconds to a minute), never in a request. Returns False, and keeps no model,
    where there is not enough to learn from (fewer than two services with examples).
    """
    rows = list(
        Feedback.objects.filter(organisation=organisation, service__isnull=False)
        .order_by("-pk")
        .values_list("text", "service__slug", "received_at")[:ROUTING_MAX_EXAMPLES]
    )
    labels = Counter(row[1] for row in rows)
    keep = [row for row in rows if labels[row[1]] >= 2]
    try:
        model = engine_routing.train(
            [row[0] for row in keep],
            [row[1] for row in keep],
            dates=[local_day(row[2]) for row in keep],
        )
    except ValueError as error:
        logger.info("routing not trained for %s: %s", organisation.slug, error)
        ThemeState.objects.update_or_create(
            organisation=organisation, defaults={"routing_json": "", "routing_trained_at": None}
        )
        return False
    ThemeState.objects.update_or_create(
        organisation=organisation,
        defaults={
            "routing_json": base64.b64encode(model.to_bytes()).decode("ascii"),
            "routing_trained_at": timezone.now(),
        },
    )
    return True


def routing_suggest(
    *, state: ThemeState, texts: Sequence[str]
) -> list[engine_routing.Prediction] | None:
    """The suggested category (service slug) per text, or None where nothing is trained."""
    model = _routing_model(state)
    if model is None or not texts:
        return None
    return engine_routing.predict(model, list(texts))


# --- suggestions while typing -----------------------------------------------------------------


def theme_suggestions(
    *, organisation: Organisation, text: str, limit: int = 5
) -> list[tuple[Theme, float]]:
    """The themes most like ``text`` (best first, with the cosine), for the quick-entry
    screen. A theme merged into another is suggested as that other; hidden and retired
    themes are left out. Fast: one small query, the model comes from the process cache."""
    text = text.strip()
    if not text or limit <= 0:
        return []
    state = _state_stamps(organisation)
    model = _theme_model(state)
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


# --- alerts -----------------------------------------------------------------------------------


def _effective_themes(organisation: Organisation) -> tuple[dict[int, Theme], dict[int, int]]:
    """The themes and, per theme id, the theme it counts with (itself or its merge target)."""
    themes = {t.pk: t for t in Theme.objects.filter(organisation=organisation)}
    target: dict[int, int] = {}
    for pk in themes:
        current, hops = pk, 0
        while themes[current].merged_into_id in themes and hops < 20:
            current = themes[current].merged_into_id  # type: ignore[assignment]
            hops += 1
        target[pk] = current
    return themes, target


def _series_set(
    organisation: Organisation,
    first: date,
    last: date,
    *,
    by_theme_channel: bool,
) -> tuple[trends.SeriesSet, dict[int, Theme]]:
    """Daily series from the daily counts: every (effective) theme, theme x channel where
    it has enough signals, every channel's total and the grand total. Built from the
    pre-aggregated rows, never from the signals, so it costs the same at any volume."""
    themes, target = _effective_themes(organisation)
    rows = (
        DailyCount.objects.filter(organisation=organisation, day__gte=first, day__lte=last)
        .values("day", "theme_id", "channel")
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("day", "theme_id", "channel", "n")
    )
    n_days = (last - first).days + 1
    cells: dict[trends.SeriesKey, np.ndarray] = {}

    def add(key: trends.SeriesKey, index: int, n: int) -> None:
        row = cells.get(key)
        if row is None:
            row = cells[key] = np.zeros(n_days, dtype=np.int64)
        row[index] += n

    for day, theme_id, channel, n in rows:
        index = (day - first).days
        add(trends.SeriesKey(), index, n)
        add(trends.SeriesKey(trends.ALL, channel), index, n)
        if theme_id is None:
            continue
        theme_key = str(target.get(theme_id, theme_id))
        add(trends.SeriesKey(theme_key), index, n)
        if by_theme_channel:
            add(trends.SeriesKey(theme_key, channel), index, n)
    keys = sorted(
        k for k, row in cells.items() if k.depth <= 1 or int(row.sum()) >= MIN_SERIES_SIGNALS
    )
    empty = np.zeros(0, dtype=object)
    series = trends.SeriesSet(
        days=[first + timedelta(days=i) for i in range(n_days)],
        keys=keys,
        counts=np.vstack([cells[k] for k in keys])
        if keys
        else np.zeros((0, n_days), dtype=np.int64),
        item_day=np.zeros(0, dtype=np.int64),
        item_theme=empty,
        item_channel=empty,
        item_service=empty,
    )
    return series, themes


def alerts_detect(*, organisation: Organisation, today: date | None = None) -> int:
    """Run the trend detector over every theme and theme x channel series and store what
    it finds; returns the number of new alerts.

    Upserts on the alert's identity (theme, kind, channel, start): a re-run extends an
    alert's end and evidence but keeps how it was handled. Hidden and retired themes are
    not watched; a theme merged into another is watched as part of it.
    """
    today = today or timezone.localdate()
    first_day = DailyCount.objects.filter(organisation=organisation).aggregate(first=Min("day"))[
        "first"
    ]
    if first_day is None or first_day > today:
        return 0
    first = max(first_day, today - timedelta(days=ALERT_HISTORY_DAYS))
    series, themes = _series_set(organisation, first, today, by_theme_channel=True)
    watched = [
        key
        for key in series.keys
        if key.theme != trends.ALL
        and not themes[int(key.theme)].hidden
        and not themes[int(key.theme)].retired
    ]
    found = trends.scan(series, keys=watched)
    return _alerts_store(organisation, found, themes)


def _alerts_store(
    organisation: Organisation, found: Iterable[trends.Alert], themes: dict[int, Theme]
) -> int:
    existing = {
        (a.theme_id, a.kind, a.channel, a.service_id, a.start): a
        for a in Alert.objects.filter(organisation=organisation)
    }
    fresh: list[Alert] = []
    changed: list[Alert] = []
    for item in found:
        theme = themes[int(item.key.theme)]
        channel = "" if item.key.channel == trends.ALL else item.key.channel
        key = (theme.pk, item.kind, channel, None, item.start)
        alert = existing.get(key)
        if alert is None:
            alert = Alert(
                organisation=organisation,
                theme=theme,
                kind=item.kind,
                channel=channel,
                start=item.start,
            )
            fresh.append(alert)
            existing[key] = alert
        elif (alert.end, alert.observed) == (item.end, float(item.observed)):
            continue
        else:
            changed.append(alert)
        alert.end = item.end
        alert.observed = float(item.observed)
        alert.expected = float(item.expected)
        alert.score = float(item.score)
        alert.example_ids = _alert_examples(organisation, theme, channel, item.start, item.end)
    with transaction.atomic():
        # Another detection may have stored some of these meanwhile: the lock makes the
        # check and the insert one step (held only for the writes, not the reading above).
        _locked_state(organisation)
        stored = set(
            Alert.objects.filter(organisation=organisation).values_list(
                "theme_id", "kind", "channel", "service_id", "start"
            )
        )
        fresh = [
            a for a in fresh if (a.theme_id, a.kind, a.channel, a.service_id, a.start) not in stored
        ]
        Alert.objects.bulk_create(fresh, batch_size=1000)
        Alert.objects.bulk_update(
            changed, ["end", "observed", "expected", "score", "example_ids"], batch_size=1000
        )
    return len(fresh)


def _day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime(first.year, first.month, first.day, tzinfo=AMSTERDAM)
    end = datetime(last.year, last.month, last.day, tzinfo=AMSTERDAM) + timedelta(days=1)
    return start, end


def _alert_examples(
    organisation: Organisation, theme: Theme, channel: str, first: date, last: date
) -> list[int]:
    """The signals that best show an alert: of its theme (and the themes merged into it)
    and channel, within its days, most typical of the theme first."""
    start, end = _day_bounds(first, last)
    members = [theme.pk, *Theme.objects.filter(merged_into=theme).values_list("pk", flat=True)]
    # From the signals of the alert's days (an index range) to their assignments, not the
    # other way round: a theme of a large organisation has hundreds of thousands of signals.
    query = Feedback.objects.filter(
        organisation=organisation,
        received_at__gte=start,
        received_at__lt=end,
        assignment__theme__in=members,
    )
    if channel:
        query = query.filter(channel=channel)
    return list(query.order_by("-assignment__similarity").values_list("pk", flat=True)[:5])


# --- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventChange:
    """How one series moved around an event (see :func:`event_changes`).

    ``theme`` is None for the total over all themes; ``channel`` is None for the total over
    all channels. ``before``/``after`` are the signals in the windows before and from the
    event; ``expected_after`` carries the before-level forward with the weekday and holiday
    profile; ``ratio`` (interval ``low`` to ``high``) is after against expected;
    ``significant``: after false-discovery control over every series compared (q < 0.05);
    ``direction``: "up" or "down". ``before_days``/``after_days``: the windows used.
    """

    theme: Theme | None
    channel: str | None
    before: int
    after: int
    expected_after: float
    ratio: float
    low: float
    high: float
    p_value: float
    q_value: float
    significant: bool
    direction: str
    before_days: int
    after_days: int


def _event_check(event: Event, actor: User | None) -> None:
    if actor is not None and actor.organisation_id != event.organisation_id:
        raise PermissionDenied("event of another organisation")


def _event_clean(event: Event) -> None:
    errors: dict[str, str] = {}
    if event.end_date is not None and event.end_date < event.date:
        errors["end_date"] = "The end date lies before the date."
    if event.service is not None and event.service.organisation_id != event.organisation_id:
        errors["service"] = "Unknown service."
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["organisation", "created_by", "service"])


@transaction.atomic
def event_create(
    *,
    organisation: Organisation,
    actor: User | None,
    kind: str,
    title: str,
    date: date,
    description: str = "",
    end_date: date | None = None,
    service: Service | None = None,
) -> Event:
    """Record a release, campaign, policy change, experiment or incident."""
    if actor is not None and actor.organisation_id != organisation.pk:
        raise PermissionDenied("not a member of this organisation")
    event = Event(
        organisation=organisation,
        kind=kind,
        title=title,
        date=date,
        description=description,
        end_date=end_date,
        service=service,
        created_by=actor,
    )
    _event_clean(event)
    event.save()
    audit.record(
        action="event.create",
        actor=actor,
        obj=event,
        organisation=organisation,
        details={"kind": kind, "date": date.isoformat()},
    )
    return event


@transaction.atomic
def event_update(*, event: Event, actor: User | None, **fields: Any) -> Event:
    """Change any of kind, title, description, date, end_date, service."""
    _event_check(event, actor)
    unknown = sorted(set(fields) - set(EVENT_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Cannot be changed."))
    changed = sorted(name for name, value in fields.items() if getattr(event, name) != value)
    for name in changed:
        setattr(event, name, fields[name])
    _event_clean(event)
    event.save()
    audit.record(
        action="event.update",
        actor=actor,
        obj=event,
        organisation=event.organisation,
        details={"fields": changed},
    )
    return event


@transaction.atomic
def event_delete(*, event: Event, actor: User | None) -> None:
    _event_check(event, actor)
    audit.record(
        action="event.delete",
        actor=actor,
        obj=event,
        organisation=event.organisation,
        details={"kind": event.kind, "date": event.date.isoformat(), "title": event.title},
    )
    event.delete()


def event_changes(*, event: Event, today: date | None = None) -> list[EventChange]:
    """The before/after report of an event: every theme, every theme x channel, every
    channel and the total, the most significant change first (engine
    :func:`leerlus.engine.trends.compare_around`).

    Before: the 56 days before the event (fewer, at least 7, where the data starts later);
    after: the 21 days from it (fewer, at least 7, for a recent event). Empty where there is
    not enough data on either side.
    """
    today = today or timezone.localdate()
    first_day = DailyCount.objects.filter(organisation_id=event.organisation_id).aggregate(
        first=Min("day")
    )["first"]
    if first_day is None:
        return []
    before_days = min(EVENT_BEFORE_DAYS, (event.date - first_day).days)
    after_days = min(EVENT_AFTER_DAYS, (today - event.date).days)
    if before_days < EVENT_MIN_DAYS or after_days < EVENT_MIN_DAYS:
        return []
    first = max(first_day, event.date - timedelta(days=before_days + 364))
    last = event.date + timedelta(days=after_days - 1)
    series, themes = _series_set(event.organisation, first, last, by_theme_channel=True)
    changes = trends.compare_around(
        series, event.date, before_days=before_days, after_days=after_days
    )
    out = []
    for change in changes:
        key = change.key
        out.append(
            EventChange(
                theme=None if key.theme == trends.ALL else themes[int(key.theme)],
                channel=None if key.channel == trends.ALL else key.channel,
                before=change.before,
                after=change.after,
                expected_after=change.expected_after,
                ratio=change.ratio,
                low=change.low,
                high=change.high,
                p_value=change.p_value,
                q_value=change.q_value,
                significant=change.significant,
                direction=change.direction,
                before_days=before_days,
                after_days=after_days,
            )
        )
    return out
