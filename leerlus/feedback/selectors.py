# SPDX-License-Identifier: EUPL-1.2
"""Reads of signals and imports, always within the asking person's organisation.

``feedback_of`` is the one guarded accessor for signals a person may see: every page, API
response, export and example list that shows a signal's text starts from it, so a
confidential signal never reaches someone without ``VIEW_CONFIDENTIAL_FEEDBACK``.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from leerlus.engine import tables
from leerlus.organisations.models import Organisation, User
from leerlus.organisations.roles import Capability

from . import parsing
from .imports.detection import batch_detection
from .imports.mapping import batch_header, batch_mapping
from .models import Feedback, ImportBatch, ImportMapping, RejectedRow


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


# --- imports -----------------------------------------------------------------------------------


def import_batches_of(*, organisation: Organisation) -> QuerySet[ImportBatch]:
    """The organisation's imports, newest first."""
    return ImportBatch.objects.filter(organisation=organisation).select_related("created_by")


def import_batch_get(*, organisation: Organisation, pk: int) -> ImportBatch:
    """The same 404 for a missing import and another organisation's."""
    found = (
        import_batches_of(organisation=organisation)
        .select_related("organisation")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def import_sources_of(*, organisation: Organisation) -> list[str]:
    """The sources the organisation imported into before (each keeps its mapping), A to Z."""
    return sorted(
        ImportMapping.objects.filter(organisation=organisation).values_list("source", flat=True)
    )


def _batch_of(organisation: Organisation, batch: ImportBatch) -> ImportBatch:
    """A batch read further only within its own organisation (else the same 404)."""
    if batch.organisation_id != organisation.pk:
        raise Http404
    return batch


def saved_mapping_exists(*, organisation: Organisation, batch: ImportBatch) -> bool:
    """Whether the batch's source has a mapping from an earlier import."""
    return ImportMapping.objects.filter(
        organisation=organisation, source=_batch_of(organisation, batch).source
    ).exists()


def suggested_mapping(*, organisation: Organisation, batch: ImportBatch) -> parsing.ColumnMapping:
    """The mapping chosen for this import already (the way back from the preview), else the
    saved mapping of the batch's source where its columns are all in this file, else the
    columns the detector recognised by name and content when the file was uploaded."""
    batch = _batch_of(organisation, batch)
    header = batch_header(batch)
    chosen = batch_mapping(batch)
    if chosen.columns:
        return chosen
    saved = ImportMapping.objects.filter(organisation=organisation, source=batch.source).first()
    if saved is not None:
        try:
            return parsing.resolve_mapping(header, parsing.load_mapping(saved.mapping))
        except tables.ParseError:
            pass
    detection = batch_detection(batch)
    if detection is not None:
        return parsing.ColumnMapping(columns=detection.columns)
    return parsing.auto_mapping(header)


def rejected_rows_of(*, organisation: Organisation, batch: ImportBatch) -> QuerySet[RejectedRow]:
    """The batch's rejected rows: the open ones first, in the file's order."""
    return _batch_of(organisation, batch).rejected_rows.order_by("resolved", "row_number", "pk")


def open_rejected_rows_count(*, organisation: Organisation, batch: ImportBatch) -> int:
    return _batch_of(organisation, batch).rejected_rows.filter(resolved=False).count()


def rejected_row_get(*, organisation: Organisation, batch: ImportBatch, pk: int) -> RejectedRow:
    """One of the batch's rejected rows; the same 404 for a missing one and another's."""
    found = _batch_of(organisation, batch).rejected_rows.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
