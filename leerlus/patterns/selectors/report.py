# SPDX-License-Identifier: EUPL-1.2
"""The monthly pattern report for the retrospective: its months and its figures.

Counts come from the daily counts only. A theme is *rising* or *falling* when its daily rate
this month differs from its rate over the previous months by at least
:data:`MIN_RATE_CHANGE` and the difference holds up after false-discovery control over all
themes compared (:func:`leerlus.engine.movement.compare_rates`). With less than
:data:`MIN_HISTORY_DAYS` of history nothing is called rising or falling. The examples are
signals the reader may see (:func:`leerlus.feedback.selectors.feedback_of`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from django.db.models import Sum
from django.utils import timezone

from leerlus.engine import movement
from leerlus.feedback.models import Channel, Feedback
from leerlus.feedback.selectors import feedback_of
from leerlus.organisations.models import Organisation, User

from ..models import Alert, DailyCount, Theme
from .counts import day_bounds, first_counted_day, theme_groups

TOP_THEMES: Final = 10
CHANGED_THEMES: Final = 8
EXAMPLE_THEMES: Final = 5
EXAMPLES_PER_THEME: Final = 2
COMPARE_MONTHS: Final = 3
MIN_HISTORY_DAYS: Final = 28
MIN_RATE_CHANGE: Final = 1.25
FALSE_DISCOVERY_RATE: Final = 0.05
MAX_ALERTS: Final = 50

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> date | None:
    """``YYYY-MM`` to the first day of that month, or None."""
    match = _MONTH.match(value.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 2000 <= year <= 9999):
        return None
    return date(year, month, 1)


def add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def default_month() -> date:
    """The last complete month: the one a retrospective early in a month looks back on."""
    return add_months(timezone.localdate().replace(day=1), -1)


def months_with_data(*, organisation: Organisation) -> list[date]:
    """Every month from the first counted day until now, newest first."""
    this_month = timezone.localdate().replace(day=1)
    first = first_counted_day(organisation=organisation)
    start = first.replace(day=1) if first else add_months(this_month, -1)
    months = []
    month = this_month
    while month >= start:
        months.append(month)
        month = add_months(month, -1)
    return months


@dataclass(frozen=True)
class ThemeLine:
    """One theme in the month: its count and, where there is history, its change."""

    theme: Theme
    count: int
    share: float
    expected: float | None = None  # the previous months' daily rate times this period's days
    ratio: float | None = None  # rate this month / rate before; None for a theme without history
    q_value: float | None = None

    @property
    def is_new(self) -> bool:
        return self.expected is not None and self.expected == 0 and self.count > 0

    @property
    def change_percent(self) -> float | None:
        return None if self.ratio is None else (self.ratio - 1) * 100


@dataclass(frozen=True)
class ChannelLine:
    channel: str
    label: str
    count: int
    share: float
    previous_count: int
    previous_share: float

    @property
    def change_points(self) -> float:
        return (self.share - self.previous_share) * 100


@dataclass
class MonthlyReport:
    organisation: Organisation
    month: date
    days: int  # days of the month counted (fewer for the current month)
    total: int
    previous_total: int
    compared_from: date | None  # start of the history the month is compared with; None: too short
    top_themes: list[ThemeLine]
    rising: list[ThemeLine]
    falling: list[ThemeLine]
    channels: list[ChannelLine]
    alerts: list[Alert]
    alert_count: int
    dismissed_count: int
    examples: list[tuple[Theme, list[Feedback]]] = field(default_factory=list)

    @property
    def next_month(self) -> date:
        return add_months(self.month, 1)

    @property
    def previous_month(self) -> date:
        return add_months(self.month, -1)

    @property
    def is_partial(self) -> bool:
        return self.days < (self.next_month - self.month).days

    @property
    def biggest_channel_shift(self) -> ChannelLine | None:
        moved = [c for c in self.channels if abs(c.change_points) >= 1]
        return max(moved, key=lambda c: abs(c.change_points), default=None)


def _counts_by(organisation: Organisation, column: str, first: date, end: date) -> dict[Any, int]:
    rows = (
        DailyCount.objects.filter(organisation=organisation, day__gte=first, day__lt=end)
        .values(column)
        .annotate(n=Sum("count"))
        .values_list(column, "n")
    )
    return {key: int(n or 0) for key, n in rows}


class _Themes:
    """The organisation's themes, with merged themes counted under the theme they joined."""

    def __init__(self, organisation: Organisation) -> None:
        self.by_id = {t.pk: t for t in Theme.objects.filter(organisation=organisation)}
        self.groups = theme_groups(organisation=organisation)

    def members(self, theme_id: int) -> list[int]:
        return self.groups.members([theme_id])

    def collapse(self, counts: dict[Any, int]) -> dict[int, int]:
        """Counts per visible theme; unassigned signals and hidden themes are left out."""
        out: dict[int, int] = defaultdict(int)
        for theme_id, n in counts.items():
            root = self.groups.root_of.get(theme_id)
            if root is not None and not self.by_id[root].hidden:
                out[root] += n
        return out


def _compare(
    counts: dict[int, int],
    history: dict[int, int],
    days: int,
    history_days: int,
    total: int,
    themes: _Themes,
) -> list[ThemeLine]:
    return [
        ThemeLine(
            theme=themes.by_id[change.key],
            count=change.count,
            share=change.count / total if total else 0.0,
            expected=change.expected,
            ratio=change.ratio,
            q_value=change.q_value,
        )
        for change in movement.compare_rates(counts, history, days=days, history_days=history_days)
    ]


def _examples(
    organisation: Organisation,
    viewer: User,
    lines: Iterable[ThemeLine],
    themes: _Themes,
    first: date,
    end: date,
) -> list[tuple[Theme, list[Feedback]]]:
    start_at, end_at = day_bounds(first, end - timedelta(days=1))
    month = feedback_of(organisation=organisation, viewer=viewer).filter(
        received_at__gte=start_at, received_at__lt=end_at
    )
    out = []
    for line in lines:
        signals = list(
            month.filter(assignment__theme_id__in=themes.members(line.theme.pk)).order_by(
                "-assignment__similarity", "-received_at"
            )[:EXAMPLES_PER_THEME]
        )
        if signals:
            out.append((line.theme, signals))
    return out


def monthly_report(*, organisation: Organisation, viewer: User, month: date) -> MonthlyReport:
    """The month's figures; its examples are signals ``viewer`` may see."""
    month = month.replace(day=1)
    end = min(add_months(month, 1), timezone.localdate() + timedelta(days=1))
    days = max(1, (end - month).days)
    previous = add_months(month, -1)
    themes = _Themes(organisation)

    counts = themes.collapse(_counts_by(organisation, "theme_id", month, end))
    total = sum(_counts_by(organisation, "channel", month, end).values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], themes.by_id[item[0]].title))
    top = [
        ThemeLine(theme=themes.by_id[t], count=n, share=n / total if total else 0.0)
        for t, n in ranked[:TOP_THEMES]
        if n > 0
    ]

    first_day = first_counted_day(organisation=organisation)
    compared_from = max(add_months(month, -COMPARE_MONTHS), first_day) if first_day else None
    rising: list[ThemeLine] = []
    falling: list[ThemeLine] = []
    if compared_from is not None and (month - compared_from).days >= MIN_HISTORY_DAYS:
        history = themes.collapse(_counts_by(organisation, "theme_id", compared_from, month))
        lines = _compare(counts, history, days, (month - compared_from).days, total, themes)
        significant = [
            line
            for line in lines
            if line.q_value is not None and line.q_value < FALSE_DISCOVERY_RATE
        ]
        rising = sorted(
            (s for s in significant if s.ratio is None or s.ratio >= MIN_RATE_CHANGE),
            key=lambda s: (s.ratio is not None, -(s.ratio or 0), -s.count),
        )[:CHANGED_THEMES]
        falling = sorted(
            (s for s in significant if s.ratio is not None and s.ratio <= 1 / MIN_RATE_CHANGE),
            key=lambda s: (s.ratio or 0, -s.count),
        )[:CHANGED_THEMES]
    else:
        compared_from = None

    this_channels = _counts_by(organisation, "channel", month, end)
    previous_channels = _counts_by(organisation, "channel", previous, month)
    previous_total = sum(previous_channels.values())
    labels = dict(Channel.choices)
    channels = sorted(
        (
            ChannelLine(
                channel=channel,
                label=str(labels.get(channel, channel)),
                count=this_channels.get(channel, 0),
                share=this_channels.get(channel, 0) / total if total else 0.0,
                previous_count=previous_channels.get(channel, 0),
                previous_share=(
                    previous_channels.get(channel, 0) / previous_total if previous_total else 0.0
                ),
            )
            for channel in set(this_channels) | set(previous_channels)
        ),
        key=lambda c: (-c.count, -c.previous_count, c.label),
    )

    month_alerts = Alert.objects.filter(
        organisation=organisation, start__gte=month, start__lt=add_months(month, 1)
    )
    kept = month_alerts.exclude(status=Alert.Status.DISMISSED)
    return MonthlyReport(
        organisation=organisation,
        month=month,
        days=days,
        total=total,
        previous_total=previous_total,
        compared_from=compared_from,
        top_themes=top,
        rising=rising,
        falling=falling,
        channels=channels,
        alerts=list(
            kept.select_related("theme", "service").order_by("start", "-score")[:MAX_ALERTS]
        ),
        alert_count=kept.count(),
        dismissed_count=month_alerts.filter(status=Alert.Status.DISMISSED).count(),
        examples=_examples(organisation, viewer, top[:EXAMPLE_THEMES], themes, month, end),
    )
