# SPDX-License-Identifier: EUPL-1.2
"""Reads of themes: the overview, one theme's row and page, the themes to choose from.

Every count comes from the daily counts (:mod:`.counts`), never from counting signals, in a
handful of aggregate queries per screen whatever the number of themes; the per-theme work
happens in Python on the aggregated rows and the maths in :mod:`leerlus.engine.movement`.
The overview, the theme page and the API read the same rows from here, so they show the same
numbers. Signals' texts are read through :func:`leerlus.feedback.selectors.feedback_of`, so a
confidential signal is shown only to people who may see it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, TypeVar

from django.db.models import Case, IntegerField, QuerySet, Sum, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from leerlus.engine import movement
from leerlus.feedback.models import Channel, Feedback
from leerlus.feedback.selectors import feedback_of
from leerlus.organisations.models import Organisation, User

from ..models import Alert, DailyCount, Event, Theme, ThemeDayCount
from .counts import (
    Period,
    ThemeGroups,
    day_bounds,
    first_counted_day,
    theme_groups,
    usual_periods,
)
from .related import RelatedTheme, themes_related

PERIOD_DAYS: Final = (7, 28, 91, 365)
DEFAULT_PERIOD_DAYS: Final = 28
MAX_PERIOD_DAYS: Final = 366
# Sparklines of periods longer than this are drawn per week.
SPARKLINE_DAILY_UP_TO: Final = 91
EXAMPLES_SHOWN: Final = 8
SORTS: Final = ("volume", "change", "name", "newest")


# ---- Filters and scope ------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeFilter:
    days: int = DEFAULT_PERIOD_DAYS
    until: date | None = None  # default: today in the organisation's time zone
    channel: str = ""
    service: str = ""  # slug
    department: str = ""  # slug; the department of the signal's service
    search: str = ""
    include_hidden: bool = False

    @property
    def period(self) -> Period:
        return Period.ending(self.until or timezone.localdate(), self.days)


ChannelAndService = TypeVar("ChannelAndService", DailyCount, Feedback)


def in_scope(
    rows: QuerySet[ChannelAndService], filters: ThemeFilter
) -> QuerySet[ChannelAndService]:
    """``rows`` (daily counts or signals) of the filters' channel, service and department."""
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.service:
        rows = rows.filter(service__slug=filters.service)
    if filters.department:
        rows = rows.filter(service__department__slug=filters.department)
    return rows


def _daily_counts(*, organisation: Organisation, filters: ThemeFilter) -> QuerySet[DailyCount]:
    rows = DailyCount.objects.filter(organisation=organisation, theme__isnull=False)
    return in_scope(rows, filters).order_by()


def _theme_day_counts(
    *, organisation: Organisation, filters: ThemeFilter
) -> QuerySet[DailyCount] | QuerySet[ThemeDayCount]:
    """Counts per theme and day in the filters' scope: the per-day theme totals where no
    channel, service or department narrows it (a seventh of the rows), else the daily
    counts of that scope."""
    if filters.channel or filters.service or filters.department:
        return _daily_counts(organisation=organisation, filters=filters)
    return ThemeDayCount.objects.filter(organisation=organisation, theme__isnull=False).order_by()


# ---- Rows: one theme in a period --------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """Part of a theme's signals: ``key`` is the channel code or the service slug (None:
    signals without a service), ``label`` what a person reads."""

    key: str | None
    label: str
    count: int
    percent: int


def _shares(counts: dict[str | None, int], labels: dict[str | None, str]) -> list[Share]:
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], labels[item[0]], str(item[0])))
    return [
        Share(
            key=key,
            label=labels[key],
            count=n,
            percent=round(100 * n / total) if total else 0,
        )
        for key, n in ranked
        if n
    ]


@dataclass
class ThemeRow:
    """One theme: its volume in the period against the usual level; with its details
    (:func:`themes_overview_details`) its daily counts and channel and service split."""

    theme: Theme
    volume: int
    previous: list[int]  # the earlier periods, the most recent first
    new: bool
    daily: list[int] = field(default_factory=list)  # per day of the period
    channels: list[Share] = field(default_factory=list)
    services: list[Share] = field(default_factory=list)

    @property
    def usual(self) -> float:
        return sum(self.previous) / len(self.previous) if self.previous else 0.0

    @property
    def change(self) -> float | None:
        """Relative change against the usual level; None where there was none."""
        usual = self.usual
        return (self.volume - usual) / usual if usual else None

    @property
    def change_percent(self) -> int | None:
        change = self.change
        return None if change is None else round(100 * change)

    @property
    def rising(self) -> bool:
        return movement.is_rising(self.volume, self.previous)

    @property
    def series(self) -> list[int]:
        """The sparkline's points: per day, or per week for long periods."""
        if len(self.daily) > SPARKLINE_DAILY_UP_TO:
            return movement.weekly(self.daily)
        return self.daily


def _period_volumes(
    *,
    organisation: Organisation,
    filters: ThemeFilter,
    groups: ThemeGroups,
    periods: int,
    roots: Iterable[int] | None = None,
) -> dict[int, list[int]]:
    """Root theme id → its count in the period, then in each of ``periods`` earlier ones."""
    period = filters.period
    windows = [period.earlier(i) for i in range(periods + 1)]
    rows = _theme_day_counts(organisation=organisation, filters=filters).filter(
        day__gte=windows[-1].first, day__lte=period.last
    )
    if roots is not None:
        rows = rows.filter(theme_id__in=groups.members(roots))
    sums = {
        f"p{i}": Sum(
            Case(
                When(day__gte=p.first, day__lte=p.last, then="count"),
                default=0,
                output_field=IntegerField(),
            )
        )
        for i, p in enumerate(windows)
    }
    volumes: dict[int, list[int]] = defaultdict(lambda: [0] * len(windows))
    for row in rows.values("theme_id").annotate(**sums):
        folded = volumes[groups.root_of.get(row["theme_id"], row["theme_id"])]
        for i in range(len(windows)):
            folded[i] += row[f"p{i}"] or 0
    return volumes


def _row(theme: Theme, counts: list[int], period: Period, k: int) -> ThemeRow:
    counts = (counts or [0])[: k + 1]
    counts += [0] * (k + 1 - len(counts))
    return ThemeRow(
        theme=theme,
        volume=counts[0],
        previous=counts[1:],
        new=period.contains(theme.first_seen),
    )


def _rows(
    *,
    organisation: Organisation,
    filters: ThemeFilter,
    groups: ThemeGroups,
    themes: Sequence[Theme],
    roots: Iterable[int] | None = None,
) -> tuple[list[ThemeRow], int]:
    """The rows of ``themes`` and the number of earlier periods their usual level means."""
    period = filters.period
    k = usual_periods(period=period, data_start=first_counted_day(organisation=organisation))
    volumes = _period_volumes(
        organisation=organisation, filters=filters, groups=groups, periods=k, roots=roots
    )
    return [_row(theme, volumes.get(theme.pk, []), period, k) for theme in themes], k


def _fill_details(
    *,
    organisation: Organisation,
    filters: ThemeFilter,
    groups: ThemeGroups,
    rows: Sequence[ThemeRow],
) -> None:
    """Fill in the daily counts and the channel and service split of ``rows`` (two
    aggregate queries whatever the number of rows)."""
    if not rows:
        return
    period = filters.period
    by_root = {row.theme.pk: row for row in rows}
    in_period = {
        "day__gte": period.first,
        "day__lte": period.last,
        "theme_id__in": groups.members(by_root),
    }
    daily: dict[int, list[int]] = {root: [0] * period.days for root in by_root}
    per_day = (
        _theme_day_counts(organisation=organisation, filters=filters)
        .filter(**in_period)
        .values("theme_id", "day")
        .annotate(n=Sum("count"))
        .values_list("theme_id", "day", "n")
    )
    for theme_id, day, n in per_day:
        daily[groups.root_of[theme_id]][(day - period.first).days] += n
    channels: dict[int, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    services: dict[int, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    channel_labels: dict[str | None, str] = {c.value: str(c.label) for c in Channel}
    service_labels: dict[str | None, str] = {None: _("No service")}
    splits = (
        _daily_counts(organisation=organisation, filters=filters)
        .filter(**in_period)
        .values("theme_id", "channel", "service__slug", "service__name")
        .annotate(n=Sum("count"))
        .values_list("theme_id", "channel", "service__slug", "service__name", "n")
    )
    for theme_id, channel, slug, service_name, n in splits:
        root = groups.root_of[theme_id]
        channels[root][channel] += n
        channel_labels.setdefault(channel, channel)
        services[root][slug] += n
        if slug is not None:
            service_labels[slug] = service_name
    for root, row in by_root.items():
        row.daily = daily[root]
        row.channels = _shares(channels[root], channel_labels)
        row.services = _shares(services[root], service_labels)


def theme_row(
    *, organisation: Organisation, theme: Theme, filters: ThemeFilter, groups: ThemeGroups
) -> ThemeRow:
    """One theme (with the themes merged into it) as the overview counts it, with details."""
    rows, _k = _rows(
        organisation=organisation, filters=filters, groups=groups, themes=[theme], roots=[theme.pk]
    )
    _fill_details(organisation=organisation, filters=filters, groups=groups, rows=rows)
    return rows[0]


# ---- Overview ---------------------------------------------------------------------------


@dataclass
class ThemeOverview:
    rows: list[ThemeRow]
    period: Period
    usual_periods: int
    groups: ThemeGroups
    filters: ThemeFilter

    @property
    def weekly(self) -> bool:
        """Whether the sparklines count per week (long periods) instead of per day."""
        return self.period.days > SPARKLINE_DAILY_UP_TO


SortKey = Callable[[ThemeRow], tuple[Any, ...]]


def _sort_key(sort: str) -> SortKey:
    def by_volume(row: ThemeRow) -> tuple[object, ...]:
        return (-row.volume, row.theme.title.casefold())

    def by_change(row: ThemeRow) -> tuple[object, ...]:
        # Themes without a usual level (new ones) first, then the largest relative change.
        change = row.change
        return (change is not None, -(change or 0.0), -row.volume)

    def by_name(row: ThemeRow) -> tuple[object, ...]:
        return (row.theme.title.casefold(), row.theme.pk)

    def by_newest(row: ThemeRow) -> tuple[object, ...]:
        first_seen = row.theme.first_seen
        return (first_seen is None, -(first_seen.toordinal() if first_seen else 0), -row.volume)

    keys: dict[str, SortKey] = {
        "volume": by_volume,
        "change": by_change,
        "name": by_name,
        "newest": by_newest,
    }
    return keys.get(sort, by_volume)


def _matches(theme: Theme, words: list[str]) -> bool:
    haystack = " ".join([theme.title, theme.label, *map(str, theme.key_terms)]).casefold()
    return all(word in haystack for word in words)


def _shown_themes(*, organisation: Organisation, include_hidden: bool) -> QuerySet[Theme]:
    themes = Theme.objects.filter(organisation=organisation, merged_into__isnull=True)
    if not include_hidden:
        themes = themes.filter(hidden=False, retired=False)
    return themes


def themes_overview(
    *, organisation: Organisation, filters: ThemeFilter, sort: str = "volume"
) -> ThemeOverview:
    """Every shown theme with its volume, usual level and flags, sorted; pinned first.

    Daily counts and splits are left empty: fill them for the rows on screen with
    :func:`themes_overview_details`.
    """
    groups = theme_groups(organisation=organisation)
    words = filters.search.casefold().split()[:8]
    themes = [
        theme
        for theme in _shown_themes(organisation=organisation, include_hidden=filters.include_hidden)
        if _matches(theme, words)
    ]
    rows, k = _rows(organisation=organisation, filters=filters, groups=groups, themes=themes)
    key = _sort_key(sort)
    rows.sort(key=lambda row: (not row.theme.pinned, key(row)))
    return ThemeOverview(
        rows=rows, period=filters.period, usual_periods=k, groups=groups, filters=filters
    )


def themes_overview_details(
    *, organisation: Organisation, overview: ThemeOverview, rows: Sequence[ThemeRow]
) -> None:
    """Fill in the daily counts and the channel and service split of ``rows``."""
    _fill_details(
        organisation=organisation, filters=overview.filters, groups=overview.groups, rows=rows
    )


def themes_exist(*, organisation: Organisation) -> bool:
    """Whether the engine has found any theme yet (hidden and merged ones count)."""
    return Theme.objects.filter(organisation=organisation).exists()


# ---- One theme --------------------------------------------------------------------------


def theme_get(*, organisation: Organisation, pk: int) -> Theme:
    """The same 404 for a missing theme and another organisation's."""
    theme = Theme.objects.filter(organisation=organisation, pk=pk).first()
    if theme is None:
        raise Http404
    return theme


def theme_root(*, organisation: Organisation, theme: Theme) -> Theme:
    """The theme ``theme`` is counted with: itself, or the one it was (last) merged into."""
    root = theme
    seen = {root.pk}
    while root.merged_into_id is not None and root.merged_into_id not in seen:
        seen.add(root.merged_into_id)
        root = Theme.objects.get(organisation=organisation, pk=root.merged_into_id)
    return root


def theme_merged(*, organisation: Organisation, theme: Theme, groups: ThemeGroups) -> list[Theme]:
    """The themes merged into ``theme`` (directly or through others), by name."""
    return list(
        Theme.objects.filter(organisation=organisation, pk__in=groups.members([theme.pk]))
        .exclude(pk=theme.pk)
        .order_by("name", "label")
    )


def theme_choices(*, organisation: Organisation, exclude: Theme | None = None) -> list[Theme]:
    """Themes an analyst can merge with or move an example to, by name."""
    themes = Theme.objects.filter(
        organisation=organisation, merged_into__isnull=True, retired=False
    )
    if exclude is not None:
        themes = themes.exclude(pk=exclude.pk)
    return sorted(themes, key=lambda theme: theme.title.casefold())


def theme_examples(
    *, organisation: Organisation, viewer: User, themes: Sequence[Theme]
) -> list[Feedback]:
    """The representative signals the engine chose for ``themes``, in its order, of the
    signals ``viewer`` may see."""
    ids: list[int] = []
    for theme in themes:
        ids += [int(i) for i in map(str, theme.example_ids) if i.isdigit() and int(i) not in ids]
    found = feedback_of(organisation=organisation, viewer=viewer).filter(pk__in=ids)
    by_id = {signal.pk: signal for signal in found}
    return [by_id[i] for i in ids if i in by_id][: EXAMPLES_SHOWN * 2]


def theme_recent(
    *, organisation: Organisation, viewer: User, filters: ThemeFilter, members: list[int]
) -> list[Feedback]:
    """The latest signals of the themes ``members`` in the filters' period and scope, of
    the signals ``viewer`` may see."""
    start, end = day_bounds(filters.period.first, filters.period.last)
    signals = feedback_of(organisation=organisation, viewer=viewer).filter(
        assignment__theme_id__in=members, received_at__gte=start, received_at__lt=end
    )
    return list(in_scope(signals, filters).order_by("-received_at", "-id")[:EXAMPLES_SHOWN])


@dataclass(frozen=True)
class ChannelSeries:
    channel: str
    label: str
    values: list[int]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass
class ThemeDetail:
    theme: Theme
    row: ThemeRow
    period: Period
    days: list[date]
    channels: list[ChannelSeries]
    events: list[Event]
    examples: list[Feedback]
    recent: list[Feedback]
    related: list[RelatedTheme]
    alerts: list[Alert]
    merged: list[Theme]

    @property
    def totals(self) -> list[int]:
        return [sum(values) for values in zip(*(c.values for c in self.channels), strict=True)]

    def table(self) -> list[tuple[date, list[int], int]]:
        """Day, the count per channel (in the order of ``channels``) and the total."""
        rows = []
        for i, day in enumerate(self.days):
            counts = [c.values[i] for c in self.channels]
            rows.append((day, counts, sum(counts)))
        return rows


def _channel_series(
    *, organisation: Organisation, filters: ThemeFilter, members: list[int]
) -> list[ChannelSeries]:
    period = filters.period
    per_channel: dict[str, list[int]] = {}
    rows = (
        _daily_counts(organisation=organisation, filters=filters)
        .filter(theme_id__in=members, day__gte=period.first, day__lte=period.last)
        .values("channel", "day")
        .annotate(n=Sum("count"))
    )
    for item in rows:
        values = per_channel.setdefault(item["channel"], [0] * period.days)
        values[(item["day"] - period.first).days] += item["n"]
    order = {c: i for i, c in enumerate(Channel.values)}
    return [
        ChannelSeries(
            channel=channel,
            label=str(Channel(channel).label) if channel in order else channel,
            values=values,
        )
        for channel, values in sorted(per_channel.items(), key=lambda c: order.get(c[0], 99))
    ]


def theme_detail(
    *, organisation: Organisation, viewer: User, theme: Theme, filters: ThemeFilter
) -> ThemeDetail:
    """Everything the theme page shows, for a theme that was not merged away; the
    examples and recent signals are those ``viewer`` may see."""
    period = filters.period
    groups = theme_groups(organisation=organisation)
    members = groups.members([theme.pk])
    merged = theme_merged(organisation=organisation, theme=theme, groups=groups)
    # The page draws its own series per channel: the row's details are not needed here.
    rows, _k = _rows(
        organisation=organisation, filters=filters, groups=groups, themes=[theme], roots=[theme.pk]
    )
    return ThemeDetail(
        theme=theme,
        row=rows[0],
        period=period,
        days=period.dates(),
        channels=_channel_series(organisation=organisation, filters=filters, members=members),
        events=list(
            Event.objects.filter(
                organisation=organisation, date__gte=period.first, date__lte=period.last
            )
            .select_related("service")
            .order_by("date", "id")
        ),
        examples=theme_examples(organisation=organisation, viewer=viewer, themes=[theme, *merged]),
        recent=theme_recent(
            organisation=organisation, viewer=viewer, filters=filters, members=members
        ),
        related=themes_related(
            organisation=organisation, theme=theme, groups=groups, period=period
        ),
        alerts=list(
            Alert.objects.filter(
                organisation=organisation, theme_id__in=members, status=Alert.Status.OPEN
            )
            .select_related("service")
            .order_by("-start", "-score")
        ),
        merged=merged,
    )
