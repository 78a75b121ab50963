# SPDX-License-Identifier: EUPL-1.2
"""Retention: what the selection list allows us to keep, and no longer.

A signal counts as closed at ``closed_at`` or, where it has none (most signals are handled
when they arrive), at ``received_at``.
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from leerlus.organisations import audit
from leerlus.organisations.models import Organisation

from .models import ContactDetails, Feedback, IdempotencyRecord, OriginalText

IDEMPOTENCY_KEEP = timedelta(days=1)


@dataclass(frozen=True)
class RetentionResult:
    contact_details: int
    original_texts: int
    signals: int


@transaction.atomic
def retention_apply(*, organisation: Organisation, now: datetime | None = None) -> RetentionResult:
    now = now or timezone.now()
    contact_cutoff = now - timedelta(days=organisation.contact_retention_days)
    closed_long_ago = Q(feedback__closed_at__lt=contact_cutoff) | Q(
        feedback__closed_at__isnull=True, feedback__received_at__lt=contact_cutoff
    )
    contacts, _ = ContactDetails.objects.filter(
        closed_long_ago, feedback__organisation=organisation
    ).delete()
    originals, _ = OriginalText.objects.filter(
        feedback__organisation=organisation, expires_at__lt=now
    ).delete()
    feedback_cutoff = now - timedelta(days=organisation.feedback_retention_days)
    expired = Feedback.objects.filter(organisation=organisation, received_at__lt=feedback_cutoff)
    signals = expired.count()
    # Their contact details and originals go with them (cascade), already counted above
    # where they were due earlier.
    expired.delete()
    result = RetentionResult(contact_details=contacts, original_texts=originals, signals=signals)
    if any(asdict(result).values()):
        audit.record(
            action="retention.apply",
            actor=None,
            organisation=organisation,
            actor_label="retention job",
            details=asdict(result),
        )
    return result


def idempotency_records_prune(*, now: datetime | None = None) -> int:
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=(now or timezone.now()) - IDEMPOTENCY_KEEP
    ).delete()
    return deleted
