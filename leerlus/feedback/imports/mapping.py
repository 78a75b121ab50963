# SPDX-License-Identifier: EUPL-1.2
"""Mapping one row: from a file's raw values to a ``SignalInput``, or the reasons why not.

Which column holds which field is a ``parsing.ColumnMapping``; a batch keeps the one it used
(:func:`batch_mapping`) and its file's header (:func:`batch_header`).

A service value (the category of another system's export) is matched with the organisation's
services by short name or name. One that matches none keeps its row aside with the reason,
unless the mapping says ``create_services``: then the service is created (by the import's
person, with an audit entry) and the row imported with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError
from django.utils import timezone
from django.utils.text import slugify

from leerlus.engine import dates, tables
from leerlus.organisations.models import Department, Organisation, Service, User
from leerlus.organisations.services import service_create

from .. import mail, parsing
from ..models import Channel, ImportBatch, ReporterKind
from ..redaction import redact
from ..services import SignalInput
from ..vocabulary import channel_code, reporter_code
from .reasons import Reason, quoted, reason

MAX_TEXT: Final = 10_000
MAX_LOCATION: Final = 200
MAX_EXTERNAL_ID: Final = 100
MAX_URL: Final = 200
MAX_SERVICE_NAME: Final = 200
MAX_SERVICE_SLUG: Final = 60
FUTURE_MARGIN: Final = timedelta(days=1)

LANGUAGE_ALIASES: Final[dict[str, str]] = {
    "nl": "nl",
    "nld": "nl",
    "dut": "nl",
    "nederlands": "nl",
    "dutch": "nl",
    "en": "en",
    "eng": "en",
    "engels": "en",
    "english": "en",
}
_LANGUAGE_CODE: Final = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,4})?")
_URL: Final = URLValidator(schemes=["http", "https"])


Known = TypeVar("Known", Service, Department)


def reference_key(value: str) -> str:
    """A service's or department's name as a row's value is compared with it."""
    return " ".join(value.casefold().split())


@dataclass(frozen=True)
class Reference:
    """The organisation's services and departments by short name and by name, loaded once
    per import so that no row costs a query."""

    services: dict[str, Service]
    departments: dict[str, Department]

    @classmethod
    def of(cls, organisation: Organisation) -> Reference:
        services: dict[str, Service] = {}
        for service in Service.objects.filter(organisation=organisation).select_related(
            "department"
        ):
            services.setdefault(reference_key(service.slug), service)
            services.setdefault(reference_key(service.name), service)
        departments: dict[str, Department] = {}
        for department in Department.objects.filter(organisation=organisation):
            departments.setdefault(reference_key(department.slug), department)
            departments.setdefault(reference_key(department.name), department)
        return cls(services=services, departments=departments)


def clean(value: object) -> str:
    """A raw value as a string that the database takes: no NUL, valid UTF-8, stripped."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", errors="replace").decode("utf-8")
    return text.strip()


class RowMapper:
    """Turns a raw row into a ``SignalInput``, or into the reasons why it cannot be one.

    Never raises on a row's values: whatever the strings, the answer is a signal or reasons.
    """

    def __init__(
        self,
        *,
        organisation: Organisation,
        source: str,
        mapping: parsing.ColumnMapping,
        reference: Reference | None = None,
        now: datetime | None = None,
        created_by: User | None = None,
        preview: bool = False,
    ) -> None:
        """``preview``: map without writing anything (a service to create is shown unsaved)."""
        self.organisation = organisation
        self.source = source
        self.mapping = mapping
        self.reference = reference or Reference.of(organisation)
        self.created_by = created_by
        self.preview = preview
        self.latest = (now or timezone.now()) + FUTURE_MARGIN
        self.formats = ", ".join(
            ([mapping.date_format] if mapping.date_format else []) + list(dates.DATE_EXAMPLES)
        )
        self.accepted_channels = ", ".join(Channel.values)
        self.accepted_reporters = ", ".join(ReporterKind.values)

    def value(self, values: Mapping[str, Any], target: str) -> str:
        column = self.mapping.columns.get(target)
        found = clean(values.get(column, "")) if column else ""
        return found or clean(self.mapping.defaults.get(target, ""))

    def map(self, values: Mapping[str, Any]) -> SignalInput | list[Reason]:
        problem = values.get(tables.ROW_ERROR)
        if problem in tables.ROW_ERRORS:
            return [reason(str(problem))]
        reasons: list[Reason] = []

        text = self.value(values, "text")
        if not text:
            reasons.append(reason("missing_text", "text"))
        elif len(text) > MAX_TEXT:
            reasons.append(reason("text_too_long", "text", length=len(text), limit=MAX_TEXT))

        received_at = self._received_at(self.value(values, "received_at"), reasons)

        channel_value = self.value(values, "channel")
        channel = channel_code(channel_value) if channel_value else Channel.IMPORT
        if channel is None:
            reasons.append(
                reason(
                    "unknown_channel",
                    "channel",
                    value=quoted(channel_value),
                    accepted=self.accepted_channels,
                )
            )

        service = self._service(values, reasons)
        department = self._lookup(values, "department", self.reference.departments, reasons)

        reporter_value = self.value(values, "reporter_kind")
        reporter = reporter_code(reporter_value) if reporter_value else ReporterKind.CITIZEN
        if reporter is None:
            reasons.append(
                reason(
                    "unknown_reporter",
                    "reporter_kind",
                    value=quoted(reporter_value),
                    accepted=self.accepted_reporters,
                )
            )

        rating = self._rating(self.value(values, "rating"), reasons)

        location = self.value(values, "location")
        if len(location) > MAX_LOCATION:
            reasons.append(
                reason("location_too_long", "location", length=len(location), limit=MAX_LOCATION)
            )

        case_url = self.value(values, "case_url")
        if case_url and not _valid_url(case_url):
            reasons.append(reason("bad_url", "case_url", value=quoted(case_url), limit=MAX_URL))

        language = self._language(self.value(values, "language"), reasons)

        external_id = self.value(values, "external_id")
        if len(external_id) > MAX_EXTERNAL_ID:
            reasons.append(
                reason(
                    "external_id_too_long",
                    "external_id",
                    length=len(external_id),
                    limit=MAX_EXTERNAL_ID,
                )
            )

        if reasons or received_at is None or channel is None or reporter is None:
            return reasons
        return SignalInput(
            text=text,
            channel=channel,
            received_at=received_at,
            service=service,
            department=department,
            reporter_kind=reporter,
            rating=rating,
            location=location,
            external_id=external_id,
            source=self.source,
            case_url=case_url,
            language=language,
        )

    def _received_at(self, value: str, reasons: list[Reason]) -> datetime | None:
        if not value:
            reasons.append(reason("missing_date", "received_at"))
            return None
        moment = dates.parse_datetime(value, date_format=self.mapping.date_format or None)
        if moment is None:
            reasons.append(
                reason("bad_date", "received_at", value=quoted(value), formats=self.formats)
            )
            return None
        if moment > self.latest:
            reasons.append(reason("future_date", "received_at", value=quoted(value)))
            return None
        return moment

    def _lookup(
        self,
        values: Mapping[str, Any],
        target: str,
        known: Mapping[str, Known],
        reasons: list[Reason],
    ) -> Known | None:
        value = self.value(values, target)
        if not value:
            return None
        found = known.get(reference_key(value))
        if found is None:
            reasons.append(reason(f"unknown_{target}", target, value=quoted(value)))
        return found

    def _service(self, values: Mapping[str, Any], reasons: list[Reason]) -> Service | None:
        value = self.value(values, "service")
        if not value or not self.mapping.create_services:
            return self._lookup(values, "service", self.reference.services, reasons)
        found = self.reference.services.get(reference_key(value))
        if found is None:
            found = self._new_service(value)
        if found is None:
            reasons.append(reason("unknown_service", "service", value=quoted(value)))
        return found

    def _new_service(self, value: str) -> Service | None:
        """The service named ``value``, created where it does not exist (another process of
        the same import may create it at the same moment: then that one is used)."""
        slug = slugify(value)[:MAX_SERVICE_SLUG].strip("-")
        if not slug:
            return None
        name = " ".join(value.split())[:MAX_SERVICE_NAME]
        service = Service.objects.filter(organisation=self.organisation, slug=slug).first()
        if service is None and self.preview:
            return Service(organisation=self.organisation, name=name, slug=slug)
        if service is None:
            try:
                service = service_create(
                    organisation=self.organisation, name=name, slug=slug, actor=self.created_by
                )
            except (ValidationError, IntegrityError):
                service = Service.objects.filter(organisation=self.organisation, slug=slug).first()
        if service is not None:
            self.reference.services.setdefault(reference_key(value), service)
        return service

    @staticmethod
    def _rating(value: str, reasons: list[Reason]) -> int | None:
        if not value:
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = float("nan")
        if not number.is_integer() or not 1 <= number <= 5:
            reasons.append(reason("bad_rating", "rating", value=quoted(value)))
            return None
        return int(number)

    @staticmethod
    def _language(value: str, reasons: list[Reason]) -> str:
        if not value:
            return ""
        lowered = value.lower()
        if lowered in LANGUAGE_ALIASES:
            return LANGUAGE_ALIASES[lowered]
        if _LANGUAGE_CODE.fullmatch(lowered):
            return lowered
        reasons.append(reason("unknown_language", "language", value=quoted(value)))
        return ""

    def stored_values(self, values: Mapping[str, Any]) -> dict[str, str]:
        """A rejected row's values as they are kept: every column that is not one of the
        structured fields (date, channel, service...) passes the redaction, the text first."""
        structured = {
            column for target, column in self.mapping.columns.items() if target != "location"
        } - {self.mapping.columns.get("text")}
        kept: dict[str, str] = {}
        for column, raw in values.items():
            value = clean(raw) if column != tables.ROW_ERROR else str(raw)
            kept[str(column)] = value if column in structured or not value else redact(value)
        return kept


def _valid_url(value: str) -> bool:
    if len(value) > MAX_URL:
        return False
    try:
        _URL(value)
    except ValidationError:
        return False
    return True


def batch_mapping(batch: ImportBatch) -> parsing.ColumnMapping:
    """The mapping an import used (or will use), as stored on its batch."""
    if batch.file_format in ("eml", "mbox"):
        return mail.MAIL_MAPPING
    return parsing.load_mapping(batch.mapping or {})


def batch_header(batch: ImportBatch) -> list[str]:
    header = (batch.mapping or {}).get("header")
    if isinstance(header, list):
        return [str(h) for h in header]
    if batch.file_format in ("eml", "mbox"):
        return list(mail.MAIL_HEADER)
    return []


def mapper_for(batch: ImportBatch, *, preview: bool = False) -> RowMapper:
    """The row mapper of a batch's source, with the mapping the batch keeps."""
    return RowMapper(
        organisation=batch.organisation,
        source=batch.source,
        mapping=batch_mapping(batch),
        created_by=batch.created_by,
        preview=preview,
    )
