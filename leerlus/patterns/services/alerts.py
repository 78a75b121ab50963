# SPDX-License-Identifier: EUPL-1.2
"""Writes of alerts: what the trend detector finds, stored, and what an analyst does with
an alert (acknowledge, dismiss with a reason, reopen, assign).

Detection runs in a job (after intake, debounced, and nightly after a recount) on the series
built from the daily counts (:func:`leerlus.patterns.selectors.counts.series_set`). Each
handling changes one alert and writes one audit entry; the caller has fetched the alert
through the organisation-scoped selector and checked the capability.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from leerlus.engine import trends
from leerlus.feedback.models import Feedback
from leerlus.organisations import audit
from leerlus.organisations.models import Organisation, User

from ..models import Alert, Theme
from ..selectors.counts import day_bounds, first_counted_day, series_set
from .state import state_lock

# History the alert detector reads: a year for the weekday profile and season, plus margin.
ALERT_HISTORY_DAYS: Final = 2 * 365


def alerts_detect(*, organisation: Organisation, today: date | None = None) -> int:
    """Run the trend detector over every theme and theme x channel series and store what
    it finds; returns the number of new alerts.

    Upserts on the alert's identity (theme, kind, channel, start): a re-run extends an
    alert's end and evidence but keeps how it was handled. Hidden and retired themes are
    not watched; a theme merged into another is watched as part of it.
    """
    today = today or timezone.localdate()
    first_day = first_counted_day(organisation=organisation)
    if first_day is None or first_day > today:
        return 0
    first = max(first_day, today - timedelta(days=ALERT_HISTORY_DAYS))
    series, themes = series_set(organisation=organisation, first=first, last=today)
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
        state_lock(organisation)
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


def _alert_examples(
    organisation: Organisation, theme: Theme, channel: str, first: date, last: date
) -> list[int]:
    """The signals that best show an alert: of its theme (and the themes merged into it)
    and channel, within its days, most typical of the theme first."""
    start, end = day_bounds(first, last)
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


# --- handling -------------------------------------------------------------------------------


def _handle(
    alert: Alert,
    *,
    actor: User,
    action: str,
    status: str,
    reason: str,
    request: HttpRequest | None,
) -> Alert:
    alert.status = status
    alert.dismiss_reason = reason
    alert.handled_by = actor
    alert.handled_at = timezone.now()
    alert.full_clean()
    alert.save(update_fields=["status", "dismiss_reason", "handled_by", "handled_at"])
    audit.record(
        action=f"alert.{action}",
        actor=actor,
        obj=alert,
        organisation=alert.organisation,
        request=request,
        details={"status": status},
    )
    return alert


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: User, request: HttpRequest | None = None) -> Alert:
    return _handle(
        alert,
        actor=actor,
        action="acknowledge",
        status=Alert.Status.ACKNOWLEDGED,
        reason="",
        request=request,
    )


@transaction.atomic
def alert_dismiss(
    *, alert: Alert, actor: User, reason: str, request: HttpRequest | None = None
) -> Alert:
    if not reason.strip():
        raise ValidationError({"dismiss_reason": _("Give the reason for dismissing this alert.")})
    return _handle(
        alert,
        actor=actor,
        action="dismiss",
        status=Alert.Status.DISMISSED,
        reason=reason.strip(),
        request=request,
    )


@transaction.atomic
def alert_reopen(*, alert: Alert, actor: User, request: HttpRequest | None = None) -> Alert:
    return _handle(
        alert, actor=actor, action="reopen", status=Alert.Status.OPEN, reason="", request=request
    )


@transaction.atomic
def alert_assign(
    *, alert: Alert, actor: User, assignee: User | None, request: HttpRequest | None = None
) -> Alert:
    """Give the alert to a person of the same organisation (None: to nobody)."""
    if assignee is not None and assignee.organisation_id != alert.organisation_id:
        raise ValidationError({"assigned_to": _("That person is not in this organisation.")})
    alert.assigned_to = assignee
    alert.save(update_fields=["assigned_to"])
    audit.record(
        action="alert.assign",
        actor=actor,
        obj=alert,
        organisation=alert.organisation,
        request=request,
        details={"assigned_to": assignee.pk if assignee else None},
    )
    return alert
