# SPDX-License-Identifier: EUPL-1.2
"""``/api/v1/events``: the events register (releases, campaigns, policy changes,
experiments, incidents).

Reads go through the selectors the register uses, with its filters
(:mod:`leerlus.patterns.filters.events`); writes through the services, which write the audit
log. Another organisation's event is the same 404 as a missing one; reading needs
``view_feedback``, recording events ``curate_themes``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from leerlus.core.api.fields import DayField, UtcDateTimeField
from leerlus.core.api.parameters import filter_parameters
from leerlus.core.filters import filters_checked
from leerlus.organisations.models import Service
from leerlus.organisations.permissions import member_of

from ..filters.events import EventFilterSet
from ..models import Event
from ..selectors.events import event_get, events_of
from ..services.events import event_create, event_delete, event_update
from .access import ViewOrCurate, service_errors


class EventSerializer(serializers.Serializer[Event]):
    """An event; input and output have the same shape (``id`` and ``createdAt`` read-only)."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Event.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    date = DayField()
    endDate = DayField(  # noqa: N815
        source="end_date", required=False, allow_null=True, default=None
    )
    service = serializers.SlugField(
        required=False, allow_null=True, default=None, help_text="Service slug"
    )
    createdAt = UtcDateTimeField(source="created_at", read_only=True)  # noqa: N815

    def to_representation(self, instance: Event) -> dict[str, Any]:
        body = super().to_representation(instance)
        body["service"] = instance.service.slug if instance.service else None
        return body

    def validate_service(self, value: str | None) -> Service | None:
        if not value:
            return None
        service = Service.objects.filter(
            organisation=self.context["organisation"], slug=value
        ).first()
        if service is None:
            raise ValidationError(f"Unknown service {value!r}.")
        return service

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Event | None = self.instance
        first = attrs.get("date", instance.date if instance else None)
        last = attrs.get("end_date", instance.end_date if instance else None)
        if first and last and last < first:
            raise ValidationError({"endDate": ["The end date lies before the date."]})
        return attrs


def _event_serializer(request: Request, **kwargs: Any) -> EventSerializer:
    return EventSerializer(context={"organisation": member_of(request).organisation}, **kwargs)


class EventList(ViewOrCurate, generics.ListAPIView[Event]):
    serializer_class = EventSerializer

    @extend_schema(
        parameters=filter_parameters(
            EventFilterSet,
            dateFrom="First day, inclusive",
            dateUntil="Last day, inclusive",
            q="Words in the title or description",
        ),
        summary="Events (releases, campaigns, policy changes, experiments), newest first",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        filterset = EventFilterSet(self.request.query_params)
        filters_checked(filterset)
        return events_of(
            organisation=member_of(self.request).organisation, filters=filterset.event_filter()
        )

    @extend_schema(
        request=EventSerializer,
        responses={201: EventSerializer},
        summary="Record an event",
    )
    def post(self, request: Request) -> Response:
        serializer = _event_serializer(request, data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = member_of(request)
        try:
            event = event_create(
                organisation=member.organisation,
                actor=member.person,
                kind=data["kind"],
                title=data["title"],
                date=data["date"],
                description=data["description"],
                end_date=data["end_date"],
                service=data["service"],
            )
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(_event_serializer(request, instance=event).data, status.HTTP_201_CREATED)


class EventDetail(ViewOrCurate):
    def _event(self, request: Request, pk: int) -> Event:
        return event_get(organisation=member_of(request).organisation, pk=pk)

    @extend_schema(responses=EventSerializer, summary="One event")
    def get(self, request: Request, pk: int) -> Response:
        return Response(_event_serializer(request, instance=self._event(request, pk)).data)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        event = self._event(request, pk)
        serializer = _event_serializer(request, instance=event, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            event = event_update(
                event=event, actor=member_of(request).person, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(_event_serializer(request, instance=event).data)

    @extend_schema(request=EventSerializer, responses=EventSerializer, summary="Replace an event")
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        request=EventSerializer, responses=EventSerializer, summary="Change fields of an event"
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    @extend_schema(responses={204: None}, summary="Delete an event")
    def delete(self, request: Request, pk: int) -> Response:
        event_delete(event=self._event(request, pk), actor=member_of(request).person)
        return Response(status=status.HTTP_204_NO_CONTENT)
