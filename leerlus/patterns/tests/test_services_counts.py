# SPDX-License-Identifier: EUPL-1.2
"""The daily counts: kept up to date by the assignment job, equal to a full recount, on the
Amsterdam day."""

from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.patterns.models import DailyCount, ThemeDayCount
from leerlus.patterns.selectors.counts import day_bounds
from leerlus.patterns.services.counts import daily_counts_rebuild
from leerlus.patterns.services.themes import themes_assign_new
from leerlus.patterns.tests.signals import make_signals, topic_texts

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _counts(organisation) -> Counter:
    return Counter(
        {
            (r.day, r.theme_id, r.channel, r.service_id): r.count
            for r in DailyCount.objects.filter(organisation=organisation)
            if r.count
        }
    )


def _theme_days(organisation) -> Counter:
    return Counter(
        {
            (r.day, r.theme_id): r.count
            for r in ThemeDayCount.objects.filter(organisation=organisation)
            if r.count
        }
    )


def _summed(counts: Counter) -> Counter:
    totals: Counter = Counter()
    for (day, theme_id, _channel, _service), n in counts.items():
        totals[(day, theme_id)] += n
    return totals


def test_day_bounds_are_amsterdam_midnights():
    day = timezone.localdate()
    start, end = day_bounds(day, day)
    assert start == datetime.combine(day, time(), tzinfo=AMSTERDAM)
    assert end - start in (timedelta(hours=23), timedelta(hours=24), timedelta(hours=25))


def test_incremental_counts_equal_a_full_recount(discovered):
    make_signals(discovered, per_topic=9, offset=7)
    themes_assign_new(organisation=discovered)
    incremental = _counts(discovered)

    daily_counts_rebuild(organisation=discovered)

    assert _counts(discovered) == incremental
    assert _theme_days(discovered) == _summed(incremental)


def test_a_signal_counts_on_its_amsterdam_day(discovered):
    # 23:30 UTC on a winter day is 00:30 the next day in Amsterdam.
    moment = datetime(2026, 1, 14, 23, 30, tzinfo=ZoneInfo("UTC"))
    feedback_create(
        organisation=discovered,
        item=SignalInput(text=topic_texts("afval")[0], channel="phone", received_at=moment),
    )

    themes_assign_new(organisation=discovered)

    row = DailyCount.objects.get(organisation=discovered, day__year=2026, day__month=1)
    assert row.day.day == 15
    daily_counts_rebuild(organisation=discovered)
    assert DailyCount.objects.get(organisation=discovered, day__month=1).day.day == 15
