# SPDX-License-Identifier: EUPL-1.2
"""Reads of the daily counts every screen and detector starts from: days, periods, the
themes that count together, and the daily series the trend detector reads.

A signal counts on its arrival day in Europe/Amsterdam. A theme that was merged into another
counts with that other theme (following chains of merges), so what the screens show and what
the detector watches is what the analyst decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Min, Sum

from leerlus.engine import trends
from leerlus.organisations.models import Organisation

from ..models import DailyCount, Theme

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")
# The usual level is the mean of up to this many periods before the shown one, looking back
# at most a year (a year is compared with the year before).
USUAL_PERIODS: Final = 4
# A theme x channel series needs this many signals in the period to be watched on its own.
MIN_SERIES_SIGNALS: Final = 30


def local_day(moment: datetime) -> date:
    """The day a signal counts on: its arrival date in Europe/Amsterdam."""
    return moment.astimezone(AMSTERDAM).date()


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """From the start of ``first`` to the end of ``last``, Amsterdam midnights."""
    start = datetime(first.year, first.month, first.day, tzinfo=AMSTERDAM)
    end = datetime(last.year, last.month, last.day, tzinfo=AMSTERDAM) + timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class Period:
    """Whole days, ``first`` to ``last`` inclusive."""

    first: date
    last: date

    @classmethod
    def ending(cls, last: date, days: int) -> Period:
        return cls(first=last - timedelta(days=days - 1), last=last)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def earlier(self, periods: int) -> Period:
        """The period of the same length ``periods`` periods before this one."""
        shift = timedelta(days=self.days * periods)
        return Period(first=self.first - shift, last=self.last - shift)

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]

    def contains(self, day: date | None) -> bool:
        return day is not None and self.first <= day <= self.last


def first_counted_day(*, organisation: Organisation) -> date | None:
    """The first day the organisation has counts for."""
    first: date | None = DailyCount.objects.filter(organisation=organisation).aggregate(
        first=Min("day")
    )["first"]
    return first


def usual_periods(*, period: Period, data_start: date | None) -> int:
    """How many earlier periods make the usual level: up to a year back, and only periods
    that lie wholly after the organisation's first day of data (before it, nothing was
    counted, which says nothing about what is usual)."""
    most = max(1, min(USUAL_PERIODS, 364 // period.days))
    if data_start is None:
        return most
    return sum(1 for i in range(1, most + 1) if period.earlier(i).first >= data_start)


@dataclass(frozen=True)
class ThemeGroups:
    """Every theme id of an organisation and the theme it is counted with."""

    root_of: dict[int, int]

    def members(self, roots: Iterable[int]) -> list[int]:
        wanted = set(roots)
        return [theme_id for theme_id, root in self.root_of.items() if root in wanted]


def theme_groups(*, organisation: Organisation) -> ThemeGroups:
    parents = dict(
        Theme.objects.filter(organisation=organisation).values_list("id", "merged_into_id")
    )
    root_of: dict[int, int] = {}
    for theme_id in parents:
        root, seen = theme_id, {theme_id}
        while (parent := parents.get(root)) is not None and parent not in seen:
            seen.add(parent)
            root = parent
        root_of[theme_id] = root
    return ThemeGroups(root_of=root_of)


def series_set(
    *, organisation: Organisation, first: date, last: date
) -> tuple[trends.SeriesSet, dict[int, Theme]]:
    """Daily series for the trend detector: every theme (merged themes counted with the
    theme they joined), theme x channel where it has enough signals, every channel's total
    and the grand total; and the organisation's themes by id. Built from the daily counts,
    never from the signals, so it costs the same at any volume."""
    themes = {t.pk: t for t in Theme.objects.filter(organisation=organisation)}
    root_of = theme_groups(organisation=organisation).root_of
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
        theme_key = str(root_of.get(theme_id, theme_id))
        add(trends.SeriesKey(theme_key), index, n)
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
