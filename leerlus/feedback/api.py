"""``/api/v1/feedback``: list, retrieve, create (single and bulk) with Idempotency-Key."""

import hashlib
import json
from datetime import timedelta
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authentication import BasicAuthentication, TokenAuthentication
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leerlus.api.fields import UtcDateTimeField
from leerlus.organisations.models import Department, Organisation, Service, User
from leerlus.organisations.permissions import has_capability
from leerlus.organisations.roles import Capability

from . import inbound, selectors, services
from .models import Channel, Feedback, IdempotencyRecord, ReporterKind

MAX_BULK = 1000
IDEMPOTENCY_HEADER = "Idempotency-Key"


def _user(request: Request) -> User:
    return cast(User, request.user)


class ContactSerializer(serializers.Serializer[services.ContactInput]):
    name = serializers.CharField(max_length=200, required=False, default="")
    email = serializers.EmailField(required=False, default="")
    phone = serializers.CharField(max_length=30, required=False, default="")
    consent = serializers.BooleanField(required=False, default=False)


class FeedbackInputSerializer(serializers.Serializer[services.SignalInput]):
    text = serializers.CharField(max_length=10_000, trim_whitespace=True)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    receivedAt = serializers.DateTimeField(required=False)  # noqa: N815
    service = serializers.SlugField(required=False, allow_blank=True, default="")
    department = serializers.SlugField(required=False, allow_blank=True, default="")
    reporterKind = serializers.ChoiceField(  # noqa: N815
        choices=ReporterKind.choices, default=ReporterKind.CITIZEN
    )
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    location = serializers.CharField(max_length=200, required=False, default="")
    confidential = serializers.BooleanField(required=False, default=False)
    externalId = serializers.CharField(max_length=100, required=False, default="")  # noqa: N815
    source = serializers.CharField(max_length=100, required=False, default="")  # type: ignore[assignment]
    caseUrl = serializers.URLField(required=False, default="")  # noqa: N815
    language = serializers.CharField(max_length=8, required=False, default="")
    contact = ContactSerializer(required=False)

    def validate_receivedAt(self, value: Any) -> Any:  # noqa: N802
        if value > timezone.now() + timedelta(days=1):
            raise ValidationError("Lies in the future.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        organisation: Organisation = self.context["organisation"]
        services_by_slug: dict[str, Service] = self.context["services"]
        departments_by_slug: dict[str, Department] = self.context["departments"]
        errors = {}
        if attrs["service"] and attrs["service"] not in services_by_slug:
            errors["service"] = f"Unknown service {attrs['service']!r} in {organisation.slug}."
        if attrs["department"] and attrs["department"] not in departments_by_slug:
            errors["department"] = f"Unknown department {attrs['department']!r}."
        if attrs["externalId"] and not attrs["source"]:
            errors["source"] = "Required when externalId is given: ids are unique per source."
        if errors:
            raise ValidationError(errors)
        return attrs

    def to_signal(self, attrs: dict[str, Any]) -> services.SignalInput:
        contact = attrs.get("contact") or {}
        return services.SignalInput(
            text=attrs["text"],
            channel=attrs["channel"],
            received_at=attrs.get("receivedAt") or timezone.now(),
            service=self.context["services"].get(attrs["service"]),
            department=self.context["departments"].get(attrs["department"]),
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


class FeedbackSerializer(serializers.ModelSerializer[Feedback]):
    """A stored signal: redacted text, no contact details."""

    receivedAt = UtcDateTimeField(source="received_at")  # noqa: N815
    service = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    department = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    reporterKind = serializers.CharField(source="reporter_kind")  # noqa: N815
    externalId = serializers.CharField(source="external_id")  # noqa: N815
    caseUrl = serializers.CharField(source="case_url")  # noqa: N815
    redactions = serializers.DictField(child=serializers.IntegerField())
    createdAt = UtcDateTimeField(source="created_at")  # noqa: N815

    class Meta:
        model = Feedback
        fields = [
            "reference",
            "channel",
            "receivedAt",
            "service",
            "department",
            "text",
            "language",
            "reporterKind",
            "rating",
            "location",
            "confidential",
            "externalId",
            "source",
            "caseUrl",
            "redactions",
            "createdAt",
        ]


class BulkInputSerializer(serializers.Serializer[Any]):
    items = FeedbackInputSerializer(many=True, allow_empty=False, max_length=MAX_BULK)  # type: ignore[call-arg]


class BulkResultSerializer(serializers.Serializer[Any]):
    imported = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    references = serializers.ListField(child=serializers.CharField())


class IdempotencyConflict(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used before with a different request body."
    default_code = "idempotency_key_reused"


def _context(user: User) -> dict[str, Any]:
    organisation = cast(Organisation, user.organisation)
    return {
        "organisation": organisation,
        "services": {s.slug: s for s in Service.objects.filter(organisation=organisation)},
        "departments": {d.slug: d for d in Department.objects.filter(organisation=organisation)},
    }


def _idempotent(request: Request, create: Any) -> Response:
    """Runs ``create`` once per Idempotency-Key; a retry gets the first answer again."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        body, code = create()
        return Response(body, status=code)
    if len(key) > 200:
        raise ValidationError({IDEMPOTENCY_HEADER: "At most 200 characters."})
    organisation = cast(Organisation, _user(request).organisation)
    digest = hashlib.sha256(
        json.dumps(request.data, sort_keys=True, default=str).encode()
    ).hexdigest()
    try:
        with transaction.atomic():
            body, code = create()
            IdempotencyRecord.objects.create(
                organisation=organisation,
                key=key,
                request_hash=digest,
                status_code=code,
                response=body,
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
    str,
    OpenApiParameter.HEADER,
    description="Any unique string; a retried request with the same key creates nothing new.",
)


class FeedbackListCreate(generics.ListAPIView[Feedback]):
    permission_classes = [has_capability(Capability.VIEW_FEEDBACK)]
    serializer_class = FeedbackSerializer

    def get_permissions(self) -> Any:
        if self.request.method == "POST":
            return [has_capability(Capability.LOG_CONTACT)()]
        return super().get_permissions()

    @extend_schema(
        parameters=[
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter("service", str, description="Service slug"),
            OpenApiParameter("department", str, description="Department slug"),
            OpenApiParameter("receivedFrom", str, description="Date, YYYY-MM-DD, inclusive"),
            OpenApiParameter("receivedUntil", str, description="Date, YYYY-MM-DD, inclusive"),
            OpenApiParameter("q", str, description="Words that must all occur in the text"),
        ],
        summary="Signals of the organisation, newest first",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Feedback]:
        params = self.request.query_params
        dates = serializers.DateField(required=False, allow_null=True)
        errors: dict[str, str] = {}
        parsed = {}
        for name in ("receivedFrom", "receivedUntil"):
            try:
                parsed[name] = dates.run_validation(params.get(name) or None)
            except ValidationError:
                errors[name] = "Use a date as YYYY-MM-DD."
        if params.get("channel") and params["channel"] not in Channel.values:
            errors["channel"] = f"One of: {', '.join(Channel.values)}."
        if errors:
            raise ValidationError(errors)
        filters = selectors.FeedbackFilter(
            channel=params.get("channel", ""),
            service=params.get("service", ""),
            department=params.get("department", ""),
            received_from=parsed["receivedFrom"],
            received_until=parsed["receivedUntil"],
            search=params.get("q", ""),
        )
        return selectors.feedback_of(user=_user(self.request), filters=filters)

    @extend_schema(
        request=FeedbackInputSerializer,
        responses={201: FeedbackSerializer},
        parameters=[_IDEMPOTENCY_PARAMETER],
        summary="Record one signal (its text is redacted before it is stored)",
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        serializer = FeedbackInputSerializer(data=request.data, context=_context(user))
        serializer.is_valid(raise_exception=True)

        def create() -> tuple[dict[str, Any], int]:
            feedback = services.feedback_create(
                organisation=cast(Organisation, user.organisation),
                item=serializer.to_signal(serializer.validated_data),
                created_by=user,
            )
            return dict(FeedbackSerializer(feedback).data), status.HTTP_201_CREATED

        return _idempotent(request, create)


class FeedbackBulkCreate(APIView):
    permission_classes = [has_capability(Capability.LOG_CONTACT)]

    @extend_schema(
        request=BulkInputSerializer,
        responses={201: BulkResultSerializer},
        parameters=[_IDEMPOTENCY_PARAMETER],
        summary=f"Record up to {MAX_BULK} signals at once; all are checked before any is stored",
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        serializer = BulkInputSerializer(data=request.data, context=_context(user))
        serializer.is_valid(raise_exception=True)
        item_serializer = cast(Any, serializer.fields["items"]).child
        items = [item_serializer.to_signal(a) for a in serializer.validated_data["items"]]

        def create() -> tuple[dict[str, Any], int]:
            with transaction.atomic():
                result = services.feedback_ingest(
                    organisation=cast(Organisation, user.organisation),
                    items=items,
                    created_by=user,
                    keep_created=True,
                )
            body = {
                "imported": result.imported,
                "duplicates": result.duplicates,
                "references": [f.reference for f in result.created],
            }
            return body, status.HTTP_201_CREATED

        return _idempotent(request, create)


class FeedbackDetail(generics.RetrieveAPIView[Feedback]):
    permission_classes = [has_capability(Capability.VIEW_FEEDBACK)]
    serializer_class = FeedbackSerializer
    lookup_field = "reference"

    def get_queryset(self) -> QuerySet[Feedback]:
        return selectors.feedback_of(user=_user(self.request))


class InboundEmailResultSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField()
    duplicate = serializers.BooleanField()


class InboundEmail(APIView):
    """Webhook for inbound mail: point the mail provider here with a service account's
    token (``Authorization: Token ...``) or its username and password (basic auth in the
    webhook URL, which Postmark and Mailgun support)."""

    authentication_classes = [TokenAuthentication, BasicAuthentication]
    permission_classes = [has_capability(Capability.LOG_CONTACT)]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request={
            "application/json": {"type": "object", "additionalProperties": True},
            "application/x-www-form-urlencoded": {"type": "object", "additionalProperties": True},
        },
        responses={201: InboundEmailResultSerializer, 200: InboundEmailResultSerializer},
        summary="Receive one e-mail from a mail provider (Postmark, Mailgun, SendGrid)",
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        try:
            item = inbound.signal_from_webhook(request.data)
        except inbound.InboundMailError as error:
            raise ValidationError({"nonFieldErrors": [str(error)]}) from error
        organisation = cast(Organisation, user.organisation)
        with transaction.atomic():
            result = services.feedback_ingest(
                organisation=organisation, items=[item], created_by=user, keep_created=True
            )
        code: int
        if result.created:
            reference, code = result.created[0].reference, status.HTTP_201_CREATED
        else:
            fingerprint = services.fingerprint_of(organisation.pk, item)
            reference = Feedback.objects.get(
                organisation=organisation, fingerprint=fingerprint
            ).reference
            code = status.HTTP_200_OK
        return Response({"reference": reference, "duplicate": not result.created}, status=code)
