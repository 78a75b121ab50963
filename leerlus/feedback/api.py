# SPDX-License-Identifier: EUPL-1.2
"""``/api/v1/feedback``: list, retrieve, create (single and bulk) with Idempotency-Key."""

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authentication import BasicAuthentication
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leerlus.core.api.authentication import TokenAuthentication
from leerlus.core.api.fields import UtcDateTimeField
from leerlus.core.api.parameters import filter_parameters
from leerlus.core.api.parsers import NUL_REASON, NulKeepingJSONParser
from leerlus.core.fastpath import newrows
from leerlus.core.fastpath.serializers import SharedFieldsSerializer
from leerlus.core.filters import FIRST_DAY, filters_checked
from leerlus.core.memo import ExpiringCache
from leerlus.organisations.audit import AuditedReads
from leerlus.organisations.models import Department, Organisation, Service
from leerlus.organisations.permissions import Member, has_capability, member_of
from leerlus.organisations.roles import Capability

from . import inbound, selectors, services
from .filters import SignalFilterSet
from .models import Channel, Feedback, IdempotencyRecord, ReporterKind

MAX_BULK = 1000
# The largest valid bulk body, compact UTF-8: per item the text's 10,000 characters at 4 bytes
# (outside the Basic Multilingual Plane: emoji), every other text field at its longest at 4
# bytes too (location 200, externalId and source 100, caseUrl 200, contact name 200, e-mail
# 254, phone 30, language 8), slugs of 60, the longest choices, a receivedAt with 12 decimals,
# keys and punctuation: about 44,800 bytes (the test builds it). 48 KiB an item leaves room
# for the spaces and line breaks of indented JSON; 1 KiB more for the envelope.
BULK_ITEM_BYTES = 48 * 1024
BULK_MAX_BODY_BYTES = MAX_BULK * BULK_ITEM_BYTES + 1024
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_LENGTH = 200
DUPLICATE_HEADER = "Duplicate-Of"


class ContactSerializer(serializers.Serializer[services.ContactInput]):
    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(max_length=254, required=False)  # the model's length
    phone = serializers.CharField(max_length=30, required=False)
    consent = serializers.BooleanField(required=False, default=False)


_OPTIONAL_TEXT = (
    "service",
    "department",
    "location",
    "externalId",
    "source",
    "caseUrl",
    "language",
)


class FeedbackInputSerializer(SharedFieldsSerializer[services.SignalInput]):
    text = serializers.CharField(max_length=10_000, trim_whitespace=True)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    receivedAt = serializers.DateTimeField(required=False)  # noqa: N815
    service = serializers.SlugField(required=False, allow_blank=True)
    department = serializers.SlugField(required=False, allow_blank=True)
    reporterKind = serializers.ChoiceField(  # noqa: N815
        choices=ReporterKind.choices, default=ReporterKind.CITIZEN
    )
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    location = serializers.CharField(max_length=200, required=False)
    confidential = serializers.BooleanField(required=False, default=False)
    externalId = serializers.CharField(max_length=100, required=False)  # noqa: N815
    source = serializers.CharField(max_length=100, required=False)  # type: ignore[assignment]
    caseUrl = serializers.URLField(max_length=200, required=False)  # noqa: N815
    language = serializers.CharField(max_length=8, required=False)
    contact = ContactSerializer(required=False)

    def validate_receivedAt(self, value: Any) -> Any:  # noqa: N802
        if value > timezone.now() + timedelta(days=1):
            raise ValidationError("Lies in the future.")
        if value.date() < FIRST_DAY:
            # The counts and trends start at the first signal: year 1 would stretch them.
            raise ValidationError(f"Lies before {FIRST_DAY.isoformat()}: check the date.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Optional text fields that were left out are empty, as in the model (declaring
        # default="" instead would publish defaults that break their own minLength or pattern).
        for name in _OPTIONAL_TEXT:
            attrs.setdefault(name, "")
        lookup: OrganisationLookup = self.context["lookup"]
        errors = {}
        if attrs["service"] and lookup.service(attrs["service"]) is None:
            errors["service"] = (
                f"Unknown service {attrs['service']!r} in {lookup.organisation.slug}."
            )
        if attrs["department"] and lookup.department(attrs["department"]) is None:
            errors["department"] = f"Unknown department {attrs['department']!r}."
        if attrs["externalId"] and not attrs["source"]:
            errors["source"] = "Required when externalId is given: ids are unique per source."
        if errors:
            raise ValidationError(errors)
        return attrs

    def to_signal(self, attrs: dict[str, Any]) -> services.SignalInput:
        lookup: OrganisationLookup = self.context["lookup"]
        contact = attrs.get("contact") or {}
        return services.SignalInput(
            text=attrs["text"],
            channel=attrs["channel"],
            received_at=attrs.get("receivedAt") or timezone.now(),
            service=lookup.service(attrs["service"]),
            department=lookup.department(attrs["department"]),
            reporter_kind=attrs["reporterKind"],
            rating=attrs.get("rating"),
            location=attrs["location"],
            confidential=attrs["confidential"],
            external_id=attrs["externalId"],
            source=attrs["source"],
            case_url=attrs["caseUrl"],
            language=attrs["language"],
            contact=services.ContactInput(**contact),
        )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def feedback_body(feedback: Feedback) -> dict[str, Any]:
    """A stored signal as the API shows it: redacted text, no contact details.

    Built by hand rather than by a ``ModelSerializer``: DRF constructs a model serializer's
    fields anew for every object, which was a tenth of the cost of a create
    (docs/benchmarks.md, Intake API)."""
    return {
        "reference": feedback.reference,
        "channel": feedback.channel,
        "receivedAt": _utc(feedback.received_at),
        "service": feedback.service.slug if feedback.service else None,
        "department": feedback.department.slug if feedback.department else None,
        "text": feedback.text,
        "language": feedback.language,
        "reporterKind": feedback.reporter_kind,
        "rating": feedback.rating,
        "location": feedback.location,
        "confidential": feedback.confidential,
        "externalId": feedback.external_id,
        "source": feedback.source,
        "caseUrl": feedback.case_url,
        "redactions": feedback.redactions,
        "createdAt": _utc(feedback.created_at),
    }


# The shape of feedback_body, for the schema; the output itself goes through that function.
class FeedbackSerializer(serializers.Serializer[Feedback]):
    """A stored signal: redacted text, no contact details."""

    reference = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    receivedAt = UtcDateTimeField()  # noqa: N815
    service = serializers.CharField(allow_null=True, help_text="Service slug")
    department = serializers.CharField(allow_null=True, help_text="Department slug")
    text = serializers.CharField(help_text="Personal data has been removed.")
    language = serializers.CharField()
    reporterKind = serializers.ChoiceField(choices=ReporterKind.choices)  # noqa: N815
    rating = serializers.IntegerField(allow_null=True, min_value=1, max_value=5)
    location = serializers.CharField()
    confidential = serializers.BooleanField()
    externalId = serializers.CharField()  # noqa: N815
    source = serializers.CharField()  # type: ignore[assignment]
    caseUrl = serializers.CharField()  # noqa: N815
    redactions = serializers.DictField(child=serializers.IntegerField())
    createdAt = UtcDateTimeField()  # noqa: N815

    def to_representation(self, instance: Feedback) -> dict[str, Any]:
        return feedback_body(instance)


class BulkInputSerializer(serializers.Serializer[Any]):
    # The list refuses an empty or a longer list itself, with its own messages; the validators
    # (never reached) state the bounds in the schema (minItems, maxItems).
    items: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=FeedbackInputSerializer(),
        allow_empty=False,
        max_length=MAX_BULK,
        validators=[MinLengthValidator(1), MaxLengthValidator(MAX_BULK)],
    )


class BulkResultSerializer(serializers.Serializer[Any]):
    imported = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    references = serializers.ListField(child=serializers.CharField())


class IdempotencyConflict(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used before with a different request body."
    default_code = "idempotency_key_reused"


class HiddenDuplicate(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "This signal (the same source and externalId, or source, receivedAt and text) was "
        "stored before, as a confidential signal you may not see."
    )
    default_code = "duplicate_of_confidential"


# Services change seldom and every create names one: each process keeps them a few seconds.
_services: ExpiringCache[tuple[int, str], Service] = ExpiringCache(
    settings.LEERLUS_API_CALLER_CACHE_SECONDS
)


class OrganisationLookup:
    """The services and departments a request names, never all of the organisation's."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self._departments: dict[str, Department | None] = {}

    def service(self, slug: str) -> Service | None:
        if not slug:
            return None
        return _services.get_or_load(
            (self.organisation.pk, slug),
            lambda: (
                Service.objects.select_related("department")
                .filter(organisation=self.organisation, slug=slug)
                .first()
            ),
        )

    def department(self, slug: str) -> Department | None:
        if not slug:
            return None
        if slug not in self._departments:
            self._departments[slug] = Department.objects.filter(
                organisation=self.organisation, slug=slug
            ).first()
        return self._departments[slug]


def _context(member: Member) -> dict[str, Any]:
    return {"lookup": OrganisationLookup(member.organisation)}


def _idempotent(request: Request, create: Any) -> Response:
    """Runs ``create`` once per Idempotency-Key; a retry gets the first answer again."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        body, code = create()
        return Response(body, status=code)
    if len(key) > IDEMPOTENCY_KEY_LENGTH:
        raise ValidationError({IDEMPOTENCY_HEADER: f"At most {IDEMPOTENCY_KEY_LENGTH} characters."})
    if "\x00" in key:
        raise ValidationError({IDEMPOTENCY_HEADER: NUL_REASON})
    organisation = member_of(request).organisation
    digest = hashlib.sha256(
        json.dumps(request.data, sort_keys=True, default=str).encode()
    ).hexdigest()
    try:
        with transaction.atomic():
            body, code = create()
            newrows.insert(
                IdempotencyRecord(
                    organisation=organisation,
                    key=key,
                    request_hash=digest,
                    status_code=code,
                    response=body,
                )
            )
    except IntegrityError:
        earlier = IdempotencyRecord.objects.filter(organisation=organisation, key=key).first()
        if earlier is None:
            raise
        if earlier.request_hash != digest:
            raise IdempotencyConflict from None
        return Response(
            earlier.response, status=earlier.status_code, headers={"Idempotency-Replayed": "true"}
        )
    return Response(body, status=code)


_IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    {"type": "string", "maxLength": IDEMPOTENCY_KEY_LENGTH},
    OpenApiParameter.HEADER,
    description="Any unique string; a retried request with the same key creates nothing new.",
)
_IDEMPOTENCY_CONFLICT = OpenApiResponse(description=IdempotencyConflict.default_detail)
_BULK_TOO_LARGE = (
    f"The request body is larger than the {BULK_MAX_BODY_BYTES:,} bytes "
    f"({BULK_MAX_BODY_BYTES / 2**20:.1f} MiB) this endpoint accepts"
)
_DUPLICATE_OF = OpenApiParameter(
    DUPLICATE_HEADER,
    str,
    OpenApiParameter.HEADER,
    description="On 200: the reference of the signal stored before, which the body shows.",
    response=[200],
)


class FeedbackListCreate(AuditedReads, generics.ListAPIView[Feedback]):
    permission_classes = [has_capability(Capability.VIEW_FEEDBACK)]
    serializer_class = FeedbackSerializer
    audit_action = "feedback.api_list"

    def get_permissions(self) -> Any:
        if self.request.method == "POST":
            return [has_capability(Capability.LOG_CONTACT)()]
        return super().get_permissions()

    @extend_schema(
        parameters=filter_parameters(
            SignalFilterSet,
            q="Words that must all occur in the text, or a reference",
            service="Service slug",
            department="Department slug",
            receivedFrom="First day, inclusive",
            receivedUntil="Last day, inclusive",
        ),
        summary="Signals of the organisation, newest first",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Feedback]:
        member = member_of(self.request)
        filterset = SignalFilterSet(self.request.query_params, organisation=member.organisation)
        filters_checked(filterset)
        filters = filterset.feedback_filter()
        return selectors.feedback_of(
            organisation=member.organisation, viewer=member.person, filters=filters
        )

    @extend_schema(
        request=FeedbackInputSerializer,
        responses={
            201: FeedbackSerializer,
            200: OpenApiResponse(
                FeedbackSerializer,
                description=(
                    "Stored before (the same source and externalId, or the same source, "
                    "receivedAt and text): nothing new is stored, the body is that signal and "
                    f"the {DUPLICATE_HEADER} header its reference."
                ),
            ),
            409: OpenApiResponse(description=HiddenDuplicate.default_detail),
            422: _IDEMPOTENCY_CONFLICT,
        },
        parameters=[_IDEMPOTENCY_PARAMETER, _DUPLICATE_OF],
        summary="Record one signal (its text is redacted before it is stored)",
    )
    def post(self, request: Request) -> Response:
        member = member_of(request)
        serializer = FeedbackInputSerializer(data=request.data, context=_context(member))
        serializer.is_valid(raise_exception=True)

        def create() -> tuple[dict[str, Any], int]:
            feedback, created = services.feedback_create_once(
                organisation=member.organisation,
                item=serializer.to_signal(serializer.validated_data),
                created_by=member.person,
            )
            if created:
                return feedback_body(feedback), status.HTTP_201_CREATED
            # The stored one is shown as any read shows it: through the guarded accessor.
            visible = selectors.feedback_of(
                organisation=member.organisation, viewer=member.person
            ).filter(pk=feedback.pk)
            if not visible.exists():
                raise HiddenDuplicate
            return feedback_body(feedback), status.HTTP_200_OK

        response = _idempotent(request, create)
        if response.status_code == status.HTTP_200_OK:
            response.headers[DUPLICATE_HEADER] = response.data["reference"]
        return response


class FeedbackBulkCreate(APIView):
    permission_classes = [has_capability(Capability.LOG_CONTACT)]
    max_body_bytes = BULK_MAX_BODY_BYTES  # read by leerlus.core.api.parsers

    @extend_schema(
        request=BulkInputSerializer,
        responses={
            201: BulkResultSerializer,
            413: OpenApiResponse(description=_BULK_TOO_LARGE),
            422: _IDEMPOTENCY_CONFLICT,
        },
        parameters=[_IDEMPOTENCY_PARAMETER],
        summary=f"Record up to {MAX_BULK} signals at once; all are checked before any is stored",
        description=(
            f"The body may hold {BULK_MAX_BODY_BYTES:,} bytes: {MAX_BULK:,} items with every "
            "field at its longest, each character taking the 4 bytes UTF-8 takes at most, "
            "and room for spaces. Characters sent as escapes (\\u00e9: 6 bytes, as some JSON "
            "libraries do by default) count as their escapes; send UTF-8 or fewer items."
        ),
    )
    def post(self, request: Request) -> Response:
        member = member_of(request)
        serializer = BulkInputSerializer(data=request.data, context=_context(member))
        serializer.is_valid(raise_exception=True)
        item_serializer = cast(Any, serializer.fields["items"]).child
        items = [item_serializer.to_signal(a) for a in serializer.validated_data["items"]]

        def create() -> tuple[dict[str, Any], int]:
            result = services.feedback_bulk_create(
                organisation=member.organisation, items=items, created_by=member.person
            )
            body = {
                "imported": result.imported,
                "duplicates": result.duplicates,
                "references": [f.reference for f in result.created],
            }
            return body, status.HTTP_201_CREATED

        return _idempotent(request, create)


class FeedbackDetail(AuditedReads, generics.RetrieveAPIView[Feedback]):
    permission_classes = [has_capability(Capability.VIEW_FEEDBACK)]
    serializer_class = FeedbackSerializer
    lookup_field = "reference"
    audit_action = "feedback.api_read"

    def get_queryset(self) -> QuerySet[Feedback]:
        member = member_of(self.request)
        return selectors.feedback_of(organisation=member.organisation, viewer=member.person)

    def get_object(self) -> Feedback:
        self.audited = feedback = super().get_object()
        return feedback

    def audit_details(self, request: Request, response: Response) -> dict[str, Any]:
        return {"reference": response.data["reference"]}


class InboundEmailResultSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField()
    duplicate = serializers.BooleanField()


class InboundEmail(APIView):
    """Webhook for inbound mail: point the mail provider here with a service account's
    token (``Authorization: Token ...``) or its username and password (basic auth in the
    webhook URL, which Postmark and Mailgun support)."""

    authentication_classes = [TokenAuthentication, BasicAuthentication]
    permission_classes = [has_capability(Capability.LOG_CONTACT)]
    # NUL characters reach the view (a refused mail would be retried for days); it strips them.
    parser_classes = [NulKeepingJSONParser, FormParser, MultiPartParser]
    strips_nul_characters = True

    @extend_schema(
        request={
            "application/json": {"type": "object", "additionalProperties": True},
            "application/x-www-form-urlencoded": {"type": "object", "additionalProperties": True},
        },
        responses={201: InboundEmailResultSerializer, 200: InboundEmailResultSerializer},
        summary="Receive one e-mail from a mail provider (Postmark, Mailgun, SendGrid)",
    )
    def post(self, request: Request) -> Response:
        member = member_of(request)
        if not isinstance(request.data, Mapping):
            raise ValidationError(
                {"nonFieldErrors": ["Expected an object: the fields a mail provider posts."]}
            )
        try:
            item = inbound.signal_from_webhook(request.data)
        except inbound.InboundMailError as error:
            raise ValidationError({"nonFieldErrors": [str(error)]}) from error
        # A provider's retry of a stored mail (same Message-ID, or time and text) is that one.
        feedback, created = services.feedback_create_once(
            organisation=member.organisation, item=item, created_by=member.person
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response({"reference": feedback.reference, "duplicate": not created}, status=code)
