# SPDX-License-Identifier: EUPL-1.2
"""Writes of the daily counts: the full recount and the increments of the assignment job.

The upserts are done by reading the affected keys and writing in bulk, not by
``ON CONFLICT``: SQLite treats the NULL theme and service in the unique constraints as
distinct, so a database upsert would not find the row there. The caller of
:func:`daily_counts_add` holds the organisation's state lock (:mod:`.state`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date
from typing import TypeVar

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from leerlus.feedback.models import Feedback
from leerlus.organisations.models import Organisation

from ..models import DailyCount, ThemeDayCount
from ..selectors.counts import AMSTERDAM
from .state import READ_CHUNK, WRITE_CHUNK, state_lock

CountKey = tuple[date, int | None, str, int | None]  # day, theme, channel, service
DayKey = tuple[date, int | None]  # day, theme
Key = TypeVar("Key", CountKey, DayKey)
CountRow = TypeVar("CountRow", DailyCount, ThemeDayCount)


def daily_counts_rebuild(*, organisation: Organisation) -> int:
    """Recount the organisation's signals per Amsterdam day x theme x channel x service.

    Only assigned signals count (theme None: assigned, but no theme fits), so the
    incremental job can add a signal when it assigns it without counting it twice.
    One GROUP BY in the database; returns the number of rows written. The per-day theme
    totals (:class:`ThemeDayCount`) are rebuilt from the same rows.
    """
    with transaction.atomic():
        state_lock(organisation)
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
