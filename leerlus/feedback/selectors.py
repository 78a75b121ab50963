"""Reads of signals, always within the asking person's organisation."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from leerlus.organisations.models import User

from .models import Feedback


@dataclass(frozen=True)
class FeedbackFilter:
    channel: str = ""
    service: str = ""  # slug
    department: str = ""  # slug
    received_from: date | None = None
    received_until: date | None = None
    search: str = ""
    source: str = ""


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def feedback_of(*, user: User, filters: FeedbackFilter | None = None) -> QuerySet[Feedback]:
    if user.organisation_id is None:
        return Feedback.objects.none()
    rows = Feedback.objects.filter(organisation_id=user.organisation_id).select_related(
        "service", "department"
    )
    f = filters or FeedbackFilter()
    if f.channel:
        rows = rows.filter(channel=f.channel)
    if f.service:
        rows = rows.filter(service__slug=f.service)
    if f.department:
        rows = rows.filter(department__slug=f.department)
    if f.source:
        rows = rows.filter(source=f.source)
    if f.received_from:
        rows = rows.filter(received_at__gte=_day_start(f.received_from))
    if f.received_until:
        rows = rows.filter(received_at__lt=_day_start(f.received_until) + timedelta(days=1))
    for word in f.search.split()[:8]:
        rows = rows.filter(Q(text__icontains=word) | Q(reference__iexact=word))
    return rows


def feedback_get(*, user: User, reference: str) -> Feedback:
    """The same 404 for a missing signal and another organisation's."""
    found = feedback_of(user=user).filter(reference=reference).first()
    if found is None:
        raise Http404
    return found
