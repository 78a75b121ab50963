# SPDX-License-Identifier: EUPL-1.2
"""Writing signals. Every path in (form, quick entry, API, import, e-mail, demo) ends here,
so redaction, language, deduplication and the audit trail happen in one place."""

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from leerlus.core.fastpath import newrows
from leerlus.engine.language import detect_language
from leerlus.organisations import audit
from leerlus.organisations.models import Department, Organisation, Service, User

from .listeners import signals_stored
from .models import ContactDetails, Feedback, ImportBatch, OriginalText
from .redaction import redact, redact_with_counts

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
INSERT_CHUNK = 2000


@dataclass(frozen=True)
class ContactInput:
    name: str = ""
    email: str = ""
    phone: str = ""
    consent: bool = False

    def __bool__(self) -> bool:
        return bool(self.name or self.email or self.phone)


@dataclass(frozen=True)
class SignalInput:
    """A validated signal, text not yet redacted."""

    text: str
    channel: str
    received_at: datetime
    service: Service | None = None
    department: Department | None = None
    reporter_kind: str = "citizen"
    rating: int | None = None
    location: str = ""
    confidential: bool = False
    external_id: str = ""
    source: str = ""
    case_url: str = ""
    language: str = ""
    contact: ContactInput = field(default_factory=ContactInput)


@dataclass
class IngestResult:
    imported: int = 0
    duplicates: int = 0
    created: list[Feedback] = field(default_factory=list)


def fingerprint_of(organisation_id: int, item: SignalInput) -> str:
    """Same source + external id, or same source + time + text: the same signal.

    Without either (a form or quick-entry signal) every submission is new.
    """
    if item.external_id:
        basis = f"{item.source}\x1f{item.external_id}"
    elif item.source:
        basis = f"{item.source}\x1f{item.received_at.isoformat()}\x1f{item.text}"
    else:
        basis = uuid.uuid4().hex
    return hashlib.blake2b(f"{organisation_id}\x1f{basis}".encode(), digest_size=16).hexdigest()


def reference_of(fingerprint: str) -> str:
    """A short reference a citizen can read out on the phone: LL-XXXXX-XXXXX."""
    number = int(fingerprint[:13], 16)  # 52 bits
    chars = "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in range(10))
    return f"LL-{chars[:5]}-{chars[5:]}"


def _build(
    organisation: Organisation,
    item: SignalInput,
    *,
    fingerprint: str,
    created_by: User | None,
    batch: ImportBatch | None,
) -> tuple[Feedback, str]:
    redacted = redact_with_counts(item.text)
    department = item.department or (item.service.department if item.service else None)
    feedback = Feedback(
        organisation=organisation,
        reference=reference_of(fingerprint),
        fingerprint=fingerprint,
        channel=item.channel,
        service=item.service,
        department=department,
        text=redacted.text,
        language=item.language or detect_language(redacted.text),
        received_at=item.received_at,
        reporter_kind=item.reporter_kind,
        rating=item.rating,
        location=redact_with_counts(item.location).text if item.location else "",
        confidential=item.confidential,
        external_id=item.external_id,
        source=item.source,
        batch=batch,
        case_url=item.case_url,
        redactions=redacted.counts,
        created_by=created_by,
    )
    return feedback, item.text


def _keep_apart(
    organisation: Organisation, pairs: list[tuple[Feedback, str]], items: list[SignalInput]
) -> None:
    """Contact details and (where chosen) original texts, in their own tables."""
    contacts = [
        ContactDetails(feedback=f, **vars(item.contact))
        for (f, _), item in zip(pairs, items, strict=True)
        if item.contact
    ]
    ContactDetails.objects.bulk_create(contacts)
    if organisation.keep_original_text:
        expires = timezone.now() + timedelta(days=organisation.original_retention_days)
        # Even the kept original never holds a BSN: there is no legal basis to store one.
        OriginalText.objects.bulk_create(
            OriginalText(feedback=f, text=redact(original, kinds={"BSN"}), expires_at=expires)
            for f, original in pairs
            if original != f.text
        )


def feedback_create(
    *, organisation: Organisation, item: SignalInput, created_by: User | None = None
) -> Feedback:
    feedback, original = _build(
        organisation,
        item,
        fingerprint=fingerprint_of(organisation.pk, item),
        created_by=created_by,
        batch=None,
    )
    # Field checks only: the references are checked by their callers, and uniqueness
    # (reference, fingerprint) by the database's constraints, not by extra queries.
    feedback.full_clean(
        exclude=["organisation", "service", "department", "batch", "created_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    # Inside a caller's transaction (the API's idempotency record) no savepoint is needed.
    with transaction.atomic(savepoint=False):
        newrows.insert(feedback)
        _keep_apart(organisation, [(feedback, original)], [item])
        audit.record(
            action="feedback.create",
            actor=created_by,
            obj=feedback,
            organisation=organisation,
            details={"channel": feedback.channel, "redacted": sum(feedback.redactions.values())},
        )
    # The intake listeners are called once this is committed; their failure is logged and
    # never fails intake.
    signals_stored(organisation_id=organisation.pk, stored=1)
    return feedback


def feedback_create_once(
    *, organisation: Organisation, item: SignalInput, created_by: User | None = None
) -> tuple[Feedback, bool]:
    """:func:`feedback_create`, unless the signal is stored already (the same fingerprint:
    source and external id, or source, time and text): then that one, and False.

    No look-up before the insert: the database's unique fingerprint decides, so two requests
    racing with the same signal store it once. The savepoint around the insert (a transaction
    of its own outside one) keeps the caller's transaction usable after a duplicate; a signal
    without a source is always new and needs neither."""
    if not item.source:
        return feedback_create(organisation=organisation, item=item, created_by=created_by), True
    try:
        with transaction.atomic():
            feedback = feedback_create(organisation=organisation, item=item, created_by=created_by)
    except IntegrityError:
        fingerprint = fingerprint_of(organisation.pk, item)
        stored = Feedback.objects.filter(organisation=organisation, fingerprint=fingerprint)
        existing = stored.select_related("service", "department").first()
        if existing is None:
            raise
        return existing, False
    return feedback, True


def feedback_bulk_create(
    *, organisation: Organisation, items: list[SignalInput], created_by: User | None = None
) -> IngestResult:
    """The API's bulk create: all items in one transaction, signals already present counted as
    duplicates, and one audit entry for the call (its counts and new references), not one per
    signal."""
    with transaction.atomic():
        result = feedback_ingest(
            organisation=organisation, items=items, created_by=created_by, keep_created=True
        )
        audit.record(
            action="feedback.bulk_create",
            actor=created_by,
            organisation=organisation,
            details={
                "imported": result.imported,
                "duplicates": result.duplicates,
                "references": [feedback.reference for feedback in result.created],
            },
        )
    return result


def _chunks(items: Iterable[SignalInput], size: int) -> Iterator[list[SignalInput]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _needs_keys(
    organisation: Organisation, pairs: list[tuple[Feedback, str]], items: list[SignalInput]
) -> bool:
    """Whether :func:`_keep_apart` stores rows that refer to these signals."""
    if any(item.contact for item in items):
        return True
    return organisation.keep_original_text and any(
        original != feedback.text for feedback, original in pairs
    )


def _insert_new(
    organisation: Organisation, pairs: list[tuple[Feedback, str]], *, with_keys: bool
) -> list[Feedback]:
    """Insert a chunk of new signals in the caller's transaction. On PostgreSQL with ``COPY``
    (less than half of ``bulk_create``'s CPU time a row); it returns no keys, so they are looked
    up afterwards, only ``with_keys``: when the caller keeps the signals or links rows to them."""
    feedbacks = [feedback for feedback, _original in pairs]
    connection = connections[router.db_for_write(Feedback)]
    if not newrows.supports_copy(connection):
        return Feedback.objects.bulk_create(feedbacks)
    newrows.copy_insert(feedbacks, connection=connection)
    if with_keys and feedbacks:
        keys = dict(
            Feedback.objects.filter(
                organisation=organisation,
                fingerprint__in=[feedback.fingerprint for feedback in feedbacks],
            ).values_list("fingerprint", "pk")
        )
        for feedback in feedbacks:
            feedback.pk = keys[feedback.fingerprint]
    return feedbacks


def feedback_ingest(
    *,
    organisation: Organisation,
    items: Iterable[SignalInput],
    created_by: User | None = None,
    batch: ImportBatch | None = None,
    keep_created: bool = False,
) -> IngestResult:
    """Stores many signals in chunks; a signal already present (same fingerprint) is
    counted as a duplicate, never stored twice. Each chunk commits on its own, so an
    interruption loses nothing already accepted."""
    result = IngestResult()
    for chunk in _chunks(items, INSERT_CHUNK):
        # Duplicates are found by fingerprint before anything is redacted, and the chunk is
        # built before the transaction opens: the write lock is held only for the insert.
        fingerprints = [fingerprint_of(organisation.pk, item) for item in chunk]
        seen = set(
            Feedback.objects.filter(
                organisation=organisation, fingerprint__in=fingerprints
            ).values_list("fingerprint", flat=True)
        )
        fresh_items: list[SignalInput] = []
        fresh: list[tuple[Feedback, str]] = []
        for fingerprint, item in zip(fingerprints, chunk, strict=True):
            if fingerprint in seen:
                result.duplicates += 1
                continue
            seen.add(fingerprint)
            fresh_items.append(item)
            fresh.append(
                _build(
                    organisation,
                    item,
                    fingerprint=fingerprint,
                    created_by=created_by,
                    batch=batch,
                )
            )
        with transaction.atomic():
            created = _insert_new(
                organisation,
                fresh,
                with_keys=keep_created or _needs_keys(organisation, fresh, fresh_items),
            )
            _keep_apart(organisation, fresh, fresh_items)
        result.imported += len(created)
        signals_stored(organisation_id=organisation.pk, stored=len(created))
        if keep_created:
            result.created += created
    return result
