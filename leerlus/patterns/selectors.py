"""Reads of the patterns app, always within one organisation.

Every count comes from :class:`~leerlus.patterns.models.DailyCount`, never from counting
signals, in a handful of aggregate queries per screen whatever the number of themes; the
per-theme work happens in Python on the aggregated rows. A theme that was merged into another
is counted with that other theme (following chains of merges), so what the screens show is
what the analyst decided.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

import numpy as np
from django.db.models import Case, IntegerField, Min, QuerySet, Sum, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from leerlus.feedback.models import Channel, Feedback
from leerlus.organisations.models import Organisation

from .models import Alert, CurationAction, DailyCount, DiscoveryRun, Event, Theme, ThemeDayCount

PERIOD_DAYS = (7, 28, 91, 365)
DEFAULT_PERIOD_DAYS = 28
# The usual level is the mean of up to this many periods before the shown one, looking back
# at most a year (a year is compared with the year before).
USUAL_PERIODS = 4
# "Rising": at least this many signals, this many times the usual level and this many
# standard deviations above it (about one chance in a thousand under the usual level).
RISING_MIN_SIGNALS = 5
RISING_MIN_RATIO = 1.2
RISING_MIN_Z = 3.0
# Sparklines of periods longer than this are drawn per week.
SPARKLINE_DAILY_UP_TO = 91
EXAMPLES_SHOWN = 8
RELATED_SHOWN = 5
# Related themes: share at least this many key terms, or move together at least this much
# (correlation of the daily counts once each series' weekday pattern is taken out).
RELATED_MIN_SHARED_TERMS = 2
RELATED_MIN_CORRELATION = 0.6
RELATED_MIN_SIGNALS = 20
HISTORY_SHOWN = 50


# ---- Periods and filters ----------------------------------------------------------------


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


def usual_periods(
    days: int, *, period: Period | None = None, data_start: date | None = None
) -> int:
    """How many earlier periods make the usual level: up to a year back, and only periods
    that lie wholly after the organisation's first day of data (before it, nothing was
    counted, which says nothing about what is usual)."""
    k = max(1, min(USUAL_PERIODS, 364 // days))
    if period is None or data_start is None:
        return k
    return sum(1 for i in range(1, k + 1) if period.earlier(i).first >= data_start)


def first_counted_day(*, organisation: Organisation) -> date | None:
    """The first day the organisation has counts for."""
    first: date | None = DailyCount.objects.filter(organisation=organisation).aggregate(
        first=Min("day")
    )["first"]
    return first


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


# ---- Overview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    percent: int


def _shares(counts: dict[str, int]) -> list[Share]:
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        Share(label=label, count=n, percent=round(100 * n / total) if total else 0)
        for label, n in ranked
        if n
    ]


def is_rising(volume: int, previous: Sequence[int]) -> bool:
    """Significantly above the usual level (the mean of ``previous``).

    The spread is the larger of the Poisson spread and the wander between the earlier
    periods, plus the uncertainty of the usual level itself.
    """
    if volume < RISING_MIN_SIGNALS or not previous:
        return False
    usual = sum(previous) / len(previous)
    if volume < RISING_MIN_RATIO * usual:
        return False
    wander = float(np.var(previous, ddof=1)) if len(previous) > 1 else 0.0
    spread = max(usual, wander, 1.0) + usual / len(previous)
    return (volume - usual) / math.sqrt(spread) >= RISING_MIN_Z


@dataclass
class ThemeRow:
    """One theme on the overview: its volume in the period against the usual level."""

    theme: Theme
    volume: int
    previous: list[int]  # the earlier periods, the most recent first
    new: bool
    series: list[int] = field(default_factory=list)
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
        return is_rising(self.volume, self.previous)


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


SORTS = ("volume", "change", "name", "newest")


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


def _period_volumes(
    *,
    organisation: Organisation,
    filters: ThemeFilter,
    groups: ThemeGroups,
    roots: Iterable[int] | None = None,
) -> dict[int, list[int]]:
    """Root theme id → its count in the period, then in each earlier usual period."""
    period = filters.period
    periods = [period.earlier(i) for i in range(usual_periods(period.days) + 1)]
    rows = _theme_day_counts(organisation=organisation, filters=filters).filter(
        day__gte=periods[-1].first, day__lte=period.last
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
        for i, p in enumerate(periods)
    }
    volumes: dict[int, list[int]] = defaultdict(lambda: [0] * len(periods))
    for row in rows.values("theme_id").annotate(**sums):
        folded = volumes[groups.root_of.get(row["theme_id"], row["theme_id"])]
        for i in range(len(periods)):
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


def themes_overview(
    *, organisation: Organisation, filters: ThemeFilter, sort: str = "volume"
) -> ThemeOverview:
    """Every shown theme with its volume, usual level and flags, sorted; pinned first.

    Series and splits are left empty: fill them for the rows on screen with
    :func:`themes_overview_details`.
    """
    period = filters.period
    groups = theme_groups(organisation=organisation)
    words = filters.search.casefold().split()[:8]
    themes = [
        theme
        for theme in _shown_themes(organisation=organisation, include_hidden=filters.include_hidden)
        if _matches(theme, words)
    ]
    volumes = _period_volumes(organisation=organisation, filters=filters, groups=groups)
    k = usual_periods(
        period.days, period=period, data_start=first_counted_day(organisation=organisation)
    )
    rows = [_row(theme, volumes.get(theme.pk, []), period, k) for theme in themes]
    key = _sort_key(sort)
    rows.sort(key=lambda row: (not row.theme.pinned, key(row)))
    return ThemeOverview(rows=rows, period=period, usual_periods=k, groups=groups, filters=filters)


def themes_exist(*, organisation: Organisation) -> bool:
    """Whether the engine has found any theme yet (hidden and merged ones count)."""
    return Theme.objects.filter(organisation=organisation).exists()


def _buckets(values: list[int], days: int) -> list[int]:
    """Whole weeks, the last one ending on the last day, for periods too long to show daily."""
    if days <= SPARKLINE_DAILY_UP_TO:
        return values
    start = len(values) % 7
    head = [sum(values[:start])] if start else []
    return head + [sum(values[i : i + 7]) for i in range(start, len(values), 7)]


def themes_overview_details(
    *, organisation: Organisation, overview: ThemeOverview, rows: Sequence[ThemeRow]
) -> None:
    """Fill in the sparkline series and the channel and service split of ``rows``."""
    if not rows:
        return
    period, groups = overview.period, overview.groups
    by_root = {row.theme.pk: row for row in rows}
    in_period = {
        "day__gte": period.first,
        "day__lte": period.last,
        "theme_id__in": groups.members(by_root),
    }
    daily: dict[int, list[int]] = {root: [0] * period.days for root in by_root}
    per_day = (
        _theme_day_counts(organisation=organisation, filters=overview.filters)
        .filter(**in_period)
        .values("theme_id", "day")
        .annotate(n=Sum("count"))
        .values_list("theme_id", "day", "n")
    )
    for theme_id, day, n in per_day:
        daily[groups.root_of[theme_id]][(day - period.first).days] += n
    channels: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    services: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    splits = (
        _daily_counts(organisation=organisation, filters=overview.filters)
        .filter(**in_period)
        .values("theme_id", "channel", "service__name")
        .annotate(n=Sum("count"))
        .values_list("theme_id", "channel", "service__name", "n")
    )
    channel_labels = {channel.value: str(channel.label) for channel in Channel}
    no_service = _("No service")
    for theme_id, channel, service_name, n in splits:
        root = groups.root_of[theme_id]
        channels[root][channel_labels.get(channel, channel)] += n
        services[root][service_name or no_service] += n
    for root, row in by_root.items():
        row.series = _buckets(daily[root], period.days)
        row.channels = _shares(channels[root])
        row.services = _shares(services[root])


# ---- Theme detail -----------------------------------------------------------------------


def theme_get(*, organisation: Organisation, pk: int) -> Theme:
    """The same 404 for a missing theme and another organisation's."""
    theme = Theme.objects.filter(organisation=organisation, pk=pk).first()
    if theme is None:
        raise Http404
    return theme


def theme_root(*, theme: Theme) -> Theme:
    """The theme ``theme`` is counted with: itself, or the one it was (last) merged into."""
    root = theme
    seen = {root.pk}
    while root.merged_into_id is not None and root.merged_into_id not in seen:
        seen.add(root.merged_into_id)
        root = Theme.objects.get(organisation_id=theme.organisation_id, pk=root.merged_into_id)
    return root


def theme_choices(*, organisation: Organisation, exclude: Theme | None = None) -> list[Theme]:
    """Themes an analyst can merge with or move an example to, by name."""
    themes = Theme.objects.filter(
        organisation=organisation, merged_into__isnull=True, retired=False
    )
    if exclude is not None:
        themes = themes.exclude(pk=exclude.pk)
    return sorted(themes, key=lambda theme: theme.title.casefold())


@dataclass(frozen=True)
class ChannelSeries:
    channel: str
    label: str
    values: list[int]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True)
class RelatedTheme:
    theme: Theme
    shared_terms: list[str]
    correlation: float | None


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
    *,
    organisation: Organisation,
    filters: ThemeFilter,
    members: list[int],
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


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _examples(*, organisation: Organisation, themes: Sequence[Theme]) -> list[Feedback]:
    """The representative signals the engine chose, in its order, this organisation's only."""
    ids: list[int] = []
    for theme in themes:
        ids += [int(i) for i in map(str, theme.example_ids) if i.isdigit() and int(i) not in ids]
    found = Feedback.objects.filter(organisation=organisation, pk__in=ids).select_related("service")
    by_id = {signal.pk: signal for signal in found}
    return [by_id[i] for i in ids if i in by_id][: EXAMPLES_SHOWN * 2]


def _recent(
    *, organisation: Organisation, filters: ThemeFilter, members: list[int]
) -> list[Feedback]:
    period = filters.period
    signals = Feedback.objects.filter(
        organisation=organisation,
        assignment__theme_id__in=members,
        received_at__gte=_day_start(period.first),
        received_at__lt=_day_start(period.last + timedelta(days=1)),
    )
    signals = in_scope(signals, filters).select_related("service")
    return list(signals.order_by("-received_at", "-id")[:EXAMPLES_SHOWN])


def _without_weekdays(values: np.ndarray, first: date) -> np.ndarray:
    """Each series (a row) minus its weekday means: what is left is movement, not the
    week's rhythm."""
    weekday = (np.arange(values.shape[1]) + first.weekday()) % 7
    means = np.zeros((values.shape[0], 7))
    for day in range(7):
        if (weekday == day).any():
            means[:, day] = values[:, weekday == day].mean(axis=1)
    return values - means[:, weekday]


def _correlations(own: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Pearson correlation of ``own`` with each row of ``others``; NaN where one is flat."""
    own_centred = own - own.mean()
    centred = others - others.mean(axis=1, keepdims=True)
    norms = np.sqrt((centred**2).sum(axis=1) * (own_centred**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, centred @ own_centred / norms, np.nan)


def _related(
    *,
    organisation: Organisation,
    theme: Theme,
    groups: ThemeGroups,
    period: Period,
) -> list[RelatedTheme]:
    """Themes that share key terms with ``theme`` or whose daily counts move with it."""
    candidates = list(
        _shown_themes(organisation=organisation, include_hidden=False).exclude(pk=theme.pk)
    )
    row_of = {other.pk: i for i, other in enumerate(candidates, start=1)}
    row_of[theme.pk] = 0
    daily = np.zeros((len(candidates) + 1, period.days))
    rows = (
        ThemeDayCount.objects.filter(
            organisation=organisation,
            theme__isnull=False,
            day__gte=period.first,
            day__lte=period.last,
        )
        .order_by()
        .values_list("theme_id", "day", "count")
    )
    for theme_id, day, n in rows:
        row = row_of.get(groups.root_of.get(theme_id, theme_id))
        if row is not None:
            daily[row, (day - period.first).days] += n
    movement = _without_weekdays(daily, period.first)
    correlations = _correlations(movement[0], movement[1:])
    enough = daily.sum(axis=1) >= RELATED_MIN_SIGNALS
    own_terms = {str(term).casefold(): str(term) for term in theme.key_terms}
    found: list[tuple[float, RelatedTheme]] = []
    for i, other in enumerate(candidates, start=1):
        other_terms = {str(term).casefold() for term in other.key_terms}
        shared = [term for key, term in own_terms.items() if key in other_terms]
        correlation = None
        if enough[0] and enough[i] and not np.isnan(correlations[i - 1]):
            correlation = float(correlations[i - 1])
        moves_together = correlation is not None and correlation >= RELATED_MIN_CORRELATION
        if len(shared) >= RELATED_MIN_SHARED_TERMS or moves_together:
            union = len(own_terms.keys() | other_terms) or 1
            score = len(shared) / union + max(correlation or 0.0, 0.0)
            found.append(
                (
                    score,
                    RelatedTheme(
                        theme=other,
                        shared_terms=shared,
                        correlation=correlation if moves_together else None,
                    ),
                )
            )
    found.sort(key=lambda item: (-item[0], item[1].theme.title.casefold()))
    return [related for _, related in found[:RELATED_SHOWN]]


def theme_detail(*, organisation: Organisation, theme: Theme, filters: ThemeFilter) -> ThemeDetail:
    """Everything the theme page shows, for a theme that was not merged away."""
    period = filters.period
    groups = theme_groups(organisation=organisation)
    members = groups.members([theme.pk])
    volumes = _period_volumes(
        organisation=organisation, filters=filters, groups=groups, roots=[theme.pk]
    )
    k = usual_periods(
        period.days, period=period, data_start=first_counted_day(organisation=organisation)
    )
    merged = list(
        Theme.objects.filter(organisation=organisation, pk__in=members)
        .exclude(pk=theme.pk)
        .order_by("name", "label")
    )
    return ThemeDetail(
        theme=theme,
        row=_row(theme, volumes.get(theme.pk, []), period, k),
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
        examples=_examples(organisation=organisation, themes=[theme, *merged]),
        recent=_recent(organisation=organisation, filters=filters, members=members),
        related=_related(organisation=organisation, theme=theme, groups=groups, period=period),
        alerts=list(
            Alert.objects.filter(
                organisation=organisation, theme_id__in=members, status=Alert.Status.OPEN
            )
            .select_related("service")
            .order_by("-start", "-score")
        ),
        merged=merged,
    )


# ---- Curation and discovery -------------------------------------------------------------


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


def discovery_latest(*, organisation: Organisation) -> DiscoveryRun | None:
    return DiscoveryRun.objects.filter(organisation=organisation).order_by("-created_at").first()


def discovery_get(*, organisation: Organisation, pk: int) -> DiscoveryRun:
    run = DiscoveryRun.objects.filter(organisation=organisation, pk=pk).first()
    if run is None:
        raise Http404
    return run


# ---- Alerts inbox and events register ---------------------------------------------------

ALERT_SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-start", "-score", "-id"),
    "oldest": ("start", "-score", "id"),
    "strongest": ("-score", "-start", "-id"),
}
ALERT_CONTEXT_BEFORE_DAYS = 56
ALERT_CONTEXT_AFTER_DAYS = 14


@dataclass(frozen=True)
class AlertFilter:
    status: str = Alert.Status.OPEN  # "" for every status
    kind: str = ""
    channel: str = ""
    theme: int | None = None


def alerts_of(
    *, organisation: Organisation, filters: AlertFilter | None = None, sort: str = "newest"
) -> QuerySet[Alert]:
    f = filters or AlertFilter()
    alerts = Alert.objects.filter(organisation=organisation)
    if f.status:
        alerts = alerts.filter(status=f.status)
    if f.kind:
        alerts = alerts.filter(kind=f.kind)
    if f.channel:
        alerts = alerts.filter(channel=f.channel)
    if f.theme is not None:
        alerts = alerts.filter(theme_id=f.theme)
    return alerts.select_related("theme", "service", "assigned_to").order_by(
        *ALERT_SORTS.get(sort, ALERT_SORTS["newest"])
    )


def alert_get(*, organisation: Organisation, pk: int) -> Alert:
    """The same 404 for a missing alert and another organisation's."""
    alert = alerts_of(organisation=organisation, filters=AlertFilter(status="")).filter(pk=pk)
    found = alert.select_related("handled_by").first()
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class AlertDay:
    day: date
    count: int
    in_alert: bool
    expected: float | None  # the expected daily level on the alert's days


def alert_series(*, organisation: Organisation, alert: Alert) -> list[AlertDay]:
    """The alert's series (its theme, channel and service) in the weeks around it."""
    first = alert.start - timedelta(days=ALERT_CONTEXT_BEFORE_DAYS)
    last = min(
        max(alert.end, alert.start) + timedelta(days=ALERT_CONTEXT_AFTER_DAYS),
        max(timezone.localdate(), alert.end),
    )
    groups = theme_groups(organisation=organisation)
    members = groups.members([groups.root_of.get(alert.theme_id, alert.theme_id)])
    rows = DailyCount.objects.filter(
        organisation=organisation, theme_id__in=members, day__gte=first, day__lte=last
    )
    if alert.channel:
        rows = rows.filter(channel=alert.channel)
    if alert.service_id:
        rows = rows.filter(service_id=alert.service_id)
    counts = dict(rows.order_by().values("day").annotate(n=Sum("count")).values_list("day", "n"))
    alert_days = (alert.end - alert.start).days + 1
    daily_expected = alert.expected / alert_days if alert_days > 0 else None
    return [
        AlertDay(
            day=day,
            count=int(counts.get(day) or 0),
            in_alert=alert.start <= day <= alert.end,
            expected=daily_expected if alert.start <= day <= alert.end else None,
        )
        for day in Period(first=first, last=last).dates()
    ]


def alert_examples(*, organisation: Organisation, alert: Alert) -> list[Feedback]:
    """The signals the detector gave as evidence, this organisation's only, redacted text."""
    ids = [int(i) for i in map(str, alert.example_ids) if i.isdigit()]
    found = Feedback.objects.filter(organisation=organisation, pk__in=ids).select_related("service")
    by_id = {signal.pk: signal for signal in found}
    return [by_id[i] for i in ids if i in by_id][:EXAMPLES_SHOWN]


@dataclass(frozen=True)
class EventFilter:
    kind: str = ""
    date_from: date | None = None
    date_until: date | None = None
    search: str = ""


def events_of(*, organisation: Organisation, filters: EventFilter | None = None) -> QuerySet[Event]:
    from django.db.models import Q  # appended section: the module's imports stay untouched

    f = filters or EventFilter()
    events = Event.objects.filter(organisation=organisation).select_related("service")
    if f.kind:
        events = events.filter(kind=f.kind)
    if f.date_from:
        events = events.filter(date__gte=f.date_from)
    if f.date_until:
        events = events.filter(date__lte=f.date_until)
    for word in f.search.split()[:8]:
        events = events.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return events.order_by("-date", "-id")


def event_get(*, organisation: Organisation, pk: int) -> Event:
    """The same 404 for a missing event and another organisation's."""
    event = events_of(organisation=organisation).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event
