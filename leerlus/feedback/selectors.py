"""Reads of signals, always within the asking person's organisation.

``feedback_of`` is the one guarded accessor for signals a person may see: every page, API
response, export and example list that shows a signal's text starts from it, so a
confidential signal never reaches someone without ``VIEW_CONFIDENTIAL_FEEDBACK``.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from leerlus.organisations.models import Organisation, User
from leerlus.organisations.roles import Capability

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


def feedback_of(
    *, organisation: Organisation, viewer: User, filters: FeedbackFilter | None = None
) -> QuerySet[Feedback]:
    """The signals ``viewer`` may see in ``organisation`` (none of another's)."""
    if viewer.organisation_id != organisation.pk:
        return Feedback.objects.none()
    rows = Feedback.objects.filter(organisation=organisation).select_related(
        "service", "department"
    )
    if not viewer.can(Capability.VIEW_CONFIDENTIAL_FEEDBACK):
        rows = rows.filter(confidential=False)
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


def feedback_get(*, organisation: Organisation, viewer: User, reference: str) -> Feedback:
    """The same 404 for a missing signal, another organisation's and a hidden confidential one."""
    found = (
        feedback_of(organisation=organisation, viewer=viewer).filter(reference=reference).first()
    )
    if found is None:
        raise Http404
    return found
