# SPDX-License-Identifier: EUPL-1.2
"""``/api/v1/alerts``: the alerts inbox, one alert with its evidence, and handling it.

Reads go through the selectors the inbox uses, with its filters
(:mod:`leerlus.patterns.filters.alerts`); without a status the list holds every status.
Handling goes through the services, which write the audit log. Another organisation's alert
is the same 404 as a missing one; reading needs ``view_feedback``, handling
``curate_themes``; examples are the references of signals the caller may see.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from leerlus.core.api.fields import UtcDateTimeField
from leerlus.core.api.parameters import filter_parameters
from leerlus.core.filters import filters_checked
from leerlus.organisations.models import User
from leerlus.organisations.permissions import has_capability, member_of
from leerlus.organisations.roles import Capability

from ..filters.alerts import AlertFilterSet
from ..models import Alert
from ..selectors.alerts import alert_get, alerts_examples, alerts_of
from ..services import alerts as alert_services
from .access import ViewOrCurate, service_errors


class AlertSerializer(serializers.Serializer[Alert]):
    id = serializers.IntegerField()
    theme = serializers.IntegerField(source="theme_id")
    themeName = serializers.CharField(source="theme.title")  # noqa: N815
    kind = serializers.ChoiceField(choices=Alert.Kind.choices)
    channel = serializers.CharField(help_text="Channel code; empty: all channels")
    service = serializers.SerializerMethodField(help_text="Service slug")
    start = serializers.DateField()
    end = serializers.DateField()
    observed = serializers.FloatField()
    expected = serializers.FloatField()
    ratio = serializers.FloatField()
    score = serializers.FloatField(help_text="Surprise: -log10 of the p-value")
    status = serializers.ChoiceField(choices=Alert.Status.choices)
    reason = serializers.CharField(source="dismiss_reason")
    assignedTo = serializers.SerializerMethodField(help_text="Username")  # noqa: N815
    handledBy = serializers.SerializerMethodField(help_text="Username")  # noqa: N815
    handledAt = UtcDateTimeField(source="handled_at", allow_null=True)  # noqa: N815
    examples = serializers.SerializerMethodField(help_text="References of example signals")
    createdAt = UtcDateTimeField(source="created_at")  # noqa: N815

    def get_service(self, alert: Alert) -> str | None:
        return alert.service.slug if alert.service else None

    def get_assignedTo(self, alert: Alert) -> str | None:  # noqa: N802
        return alert.assigned_to.username if alert.assigned_to else None

    def get_handledBy(self, alert: Alert) -> str | None:  # noqa: N802
        return alert.handled_by.username if alert.handled_by else None

    def get_examples(self, alert: Alert) -> list[str]:
        examples: dict[int, list[str]] = self.context.get("examples", {})
        return examples.get(alert.pk, [])


def _alert_context(request: Request, alerts: list[Alert]) -> dict[str, Any]:
    """The references of a page of alerts' example signals that the caller may see, in one
    query, in the detector's order."""
    member = member_of(request)
    examples = alerts_examples(
        organisation=member.organisation, viewer=member.person, alerts=alerts
    )
    return {
        "examples": {pk: [signal.reference for signal in found] for pk, found in examples.items()}
    }


class AlertUpdateSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Alert.Status.choices, required=False)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Required to dismiss"
    )
    assignedTo = serializers.CharField(  # noqa: N815
        required=False, allow_null=True, help_text="Username in the organisation; null: nobody"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise ValidationError({"nonFieldErrors": ["Give status, reason or assignedTo."]})
        if attrs.get("status") == Alert.Status.DISMISSED and not attrs.get("reason", "").strip():
            raise ValidationError({"reason": ["Give the reason for dismissing this alert."]})
        return attrs


class AlertList(generics.ListAPIView[Alert]):
    permission_classes = [has_capability(Capability.VIEW_FEEDBACK)]
    serializer_class = AlertSerializer

    @extend_schema(
        parameters=filter_parameters(
            AlertFilterSet, status="Default: every status", theme="Theme id"
        ),
        summary="Alerts (spikes, level shifts, new themes), newest first",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        organisation = member_of(self.request).organisation
        filterset = AlertFilterSet(self.request.query_params, organisation=organisation)
        filters_checked(filterset)
        # Without a status every status: the inbox page starts at the open ones instead.
        filters = filterset.alert_filter(default_status="")
        return alerts_of(organisation=organisation, filters=filters)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        page = getattr(self, "_page", None)
        if page is not None:
            context.update(_alert_context(self.request, page))
        return context

    def paginate_queryset(self, queryset: Any) -> Any:
        self._page = super().paginate_queryset(queryset)
        return self._page


class AlertDetail(ViewOrCurate):
    def _body(self, request: Request, alert: Alert) -> dict[str, Any]:
        context = _alert_context(request, [alert])
        return cast(dict[str, Any], AlertSerializer(alert, context=context).data)

    @extend_schema(responses=AlertSerializer, summary="One alert with its evidence")
    def get(self, request: Request, pk: int) -> Response:
        alert = alert_get(organisation=member_of(request).organisation, pk=pk)
        return Response(self._body(request, alert))

    @extend_schema(
        request=AlertUpdateSerializer,
        responses=AlertSerializer,
        summary="Acknowledge, dismiss (with a reason), reopen or assign an alert",
    )
    def patch(self, request: Request, pk: int) -> Response:
        member = member_of(request)
        organisation = member.organisation
        alert = alert_get(organisation=organisation, pk=pk)
        serializer = AlertUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = member.person
        assignee: User | None = None
        if data.get("assignedTo"):
            assignee = User.objects.filter(
                organisation=organisation, username=data["assignedTo"], is_active=True
            ).first()
            if assignee is None:
                raise ValidationError({"assignedTo": ["No such person in this organisation."]})
        try:
            if "status" in data:
                if data["status"] == Alert.Status.DISMISSED:
                    alert_services.alert_dismiss(
                        alert=alert, actor=actor, reason=data["reason"], request=request
                    )
                elif data["status"] == Alert.Status.ACKNOWLEDGED:
                    alert_services.alert_acknowledge(alert=alert, actor=actor, request=request)
                else:
                    alert_services.alert_reopen(alert=alert, actor=actor, request=request)
            if "assignedTo" in data:
                alert_services.alert_assign(
                    alert=alert, actor=actor, assignee=assignee, request=request
                )
        except DjangoValidationError as error:
            raise service_errors(error) from error
        alert = alert_get(organisation=organisation, pk=pk)
        return Response(self._body(request, alert))
