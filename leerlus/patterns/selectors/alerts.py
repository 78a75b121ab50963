# SPDX-License-Identifier: EUPL-1.2
"""Reads of alerts: the inbox, one alert with its series and its example signals, and who
receives the daily digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from leerlus.feedback.models import Feedback
from leerlus.feedback.selectors import feedback_of
from leerlus.organisations.models import Organisation, User

from ..models import Alert, AlertSubscription, DailyCount
from .counts import Period, theme_groups

ALERT_SORTS: Final[dict[str, tuple[str, ...]]] = {
    "newest": ("-start", "-score", "-id"),
    "oldest": ("start", "-score", "id"),
    "strongest": ("-score", "-start", "-id"),
}
ALERT_CONTEXT_BEFORE_DAYS: Final = 56
ALERT_CONTEXT_AFTER_DAYS: Final = 14
EXAMPLES_SHOWN: Final = 8


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


def alerts_examples(
    *, organisation: Organisation, viewer: User, alerts: list[Alert]
) -> dict[int, list[Feedback]]:
    """Per alert, the signals the detector gave as evidence that ``viewer`` may see, in the
    detector's order (one query for a page of alerts)."""
    wanted = {
        alert.pk: [int(i) for i in map(str, alert.example_ids) if i.isdigit()] for alert in alerts
    }
    ids = {i for alert_ids in wanted.values() for i in alert_ids}
    found = {
        s.pk: s for s in feedback_of(organisation=organisation, viewer=viewer).filter(pk__in=ids)
    }
    return {
        pk: [found[i] for i in alert_ids if i in found][:EXAMPLES_SHOWN]
        for pk, alert_ids in wanted.items()
    }


def alert_examples(*, organisation: Organisation, viewer: User, alert: Alert) -> list[Feedback]:
    """The signals the detector gave as evidence that ``viewer`` may see (redacted text)."""
    return alerts_examples(organisation=organisation, viewer=viewer, alerts=[alert])[alert.pk]


def digest_subscribed(*, person: User) -> bool:
    """Whether ``person`` receives the daily e-mail with new alerts."""
    return AlertSubscription.objects.filter(user=person).exists()
