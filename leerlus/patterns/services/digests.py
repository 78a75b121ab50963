# SPDX-License-Identifier: EUPL-1.2
"""The daily e-mail digest of new alerts, and subscribing to it (whether a person is
subscribed is a read: :func:`leerlus.patterns.selectors.alerts.digest_subscribed`).

Each subscription keeps a watermark (``sent_up_to``): a digest holds the alerts of the
person's organisation created after it, so running the job twice sends nothing twice and a
person who subscribes today is not sent last year's alerts. The e-mail is written in the
language the person used when subscribing.
"""

import logging
import smtplib
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from leerlus.organisations import audit
from leerlus.organisations.models import User
from leerlus.organisations.roles import Capability

from ..models import Alert, AlertSubscription

logger = logging.getLogger(__name__)

# Alerts listed in one e-mail; the rest are counted and one link leads to the inbox.
MAX_ALERTS_PER_DIGEST = 25


@transaction.atomic
def subscription_set(
    *, user: User, subscribed: bool, language: str, request: HttpRequest | None = None
) -> None:
    """Start or stop the digest for ``user``; a new subscription starts from now."""
    if subscribed:
        subscription, created = AlertSubscription.objects.get_or_create(
            user=user, defaults={"language": language, "sent_up_to": timezone.now()}
        )
        if not created and subscription.language != language:
            subscription.language = language
            subscription.save(update_fields=["language"])
        action = "alert_subscription.create"
    else:
        deleted, _ = AlertSubscription.objects.filter(user=user).delete()
        created = bool(deleted)
        action = "alert_subscription.delete"
    if created:
        audit.record(action=action, actor=user, obj=user, request=request)


def _base_url() -> str:
    return str(settings.LEERLUS_BASE_URL).rstrip("/")


def _send_one(subscription: AlertSubscription, cutoff: datetime) -> bool:
    user = subscription.user
    assert user.organisation_id is not None  # send_digests selects members only
    since = subscription.sent_up_to or subscription.created_at
    alerts = Alert.objects.filter(
        organisation_id=user.organisation_id, created_at__gt=since, created_at__lte=cutoff
    ).select_related("theme", "service")
    total = alerts.count()
    if total:
        base = _base_url()
        listed = [
            (alert, base + reverse("patterns:alert", args=[alert.pk]))
            for alert in alerts.order_by("-score", "-start")[:MAX_ALERTS_PER_DIGEST]
        ]
        context = {
            "user": user,
            "organisation": user.organisation,
            "alerts": listed,
            "total": total,
            "more": total - len(listed),
            "inbox_url": base + reverse("patterns:alerts"),
        }
        with translation.override(subscription.language or settings.LANGUAGE_CODE):
            subject = render_to_string("patterns/email/alert_digest_subject.txt", context)
            message = EmailMultiAlternatives(
                subject=" ".join(subject.split()),
                body=render_to_string("patterns/email/alert_digest.txt", context),
                to=[user.email],
            )
            message.attach_alternative(
                render_to_string("patterns/email/alert_digest.html", context), "text/html"
            )
        message.send()
        alerts.filter(notified_at__isnull=True).update(notified_at=cutoff)
    subscription.sent_up_to = cutoff
    subscription.save(update_fields=["sent_up_to"])
    return bool(total)


def send_digests() -> int:
    """One e-mail per subscriber with new alerts; returns how many were sent.

    People who left, lost the right to see signals or have no e-mail address are skipped
    (their watermark stays, so nothing is lost if they come back).
    """
    cutoff = timezone.now()
    sent = 0
    subscriptions = AlertSubscription.objects.select_related("user", "user__organisation").filter(
        user__is_active=True, user__organisation__isnull=False
    )
    for subscription in subscriptions:
        user = subscription.user
        if not user.email or not user.can(Capability.VIEW_FEEDBACK):
            continue
        try:
            with transaction.atomic():
                if _send_one(subscription, cutoff):
                    sent += 1
        except (smtplib.SMTPException, OSError):
            # The watermark was not moved: the next run tries this person again.
            logger.exception("alert digest not sent", extra={"subscription": subscription.pk})
    return sent
