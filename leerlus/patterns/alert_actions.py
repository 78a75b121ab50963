"""What an analyst does with an alert: acknowledge, dismiss with a reason, reopen, assign.

Each action changes one alert and writes one audit entry. The caller has already fetched
the alert through the organisation-scoped selector and checked the capability.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from leerlus.organisations import audit
from leerlus.organisations.models import User

from .models import Alert


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
