"""``/api/v1/themes``, ``/api/v1/alerts`` and ``/api/v1/events``.

Reads go through :mod:`.selectors` (scoped to the caller's organisation: another
organisation's theme, alert or event is the same 404 as a missing one); counts come from the
daily counts, never from the signals. Writes go through the services (events) and the alert
actions, which write the audit log. Viewing needs ``view_feedback``; acknowledging alerts
and editing events ``curate_themes``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet, Sum
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leerlus.core.api.fields import UtcDateTimeField
from leerlus.core.api.pagination import PageNumberPagination
from leerlus.feedback.models import Channel, Feedback
from leerlus.organisations.models import Organisation, Service, User
from leerlus.organisations.permissions import has_capability
from leerlus.organisations.roles import Capability

from . import alert_actions, selectors, services
from .models import Alert, DailyCount, Event

MAX_PERIOD_DAYS = 366
CAMEL = {"end_date": "endDate", "dismiss_reason": "reason", "assigned_to": "assignedTo"}


def _user(request: Request) -> User:
    return cast(User, request.user)


def _organisation(request: Request) -> Organisation:
    return cast(Organisation, _user(request).organisation)


def _api_errors(error: DjangoValidationError) -> ValidationError:
    """A service's validation error, with its field names as the API spells them."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {
                CAMEL.get(name, name): [str(m) for m in messages]
                for name, messages in error.message_dict.items()
            }
        )
    return ValidationError({"nonFieldErrors": error.messages})


# --- themes -----------------------------------------------------------------------------------


class DayCountSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    count = serializers.IntegerField()


class ShareSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="Channel code or service slug (null: no service)")
    count = serializers.IntegerField()


class ThemeSerializer(serializers.Serializer[Any]):
    """The shape of :func:`_theme_body`, for the schema."""

    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The analyst's name, else the generated label")
    generatedLabel = serializers.CharField()  # noqa: N815
    keyTerms = serializers.ListField(child=serializers.CharField())  # noqa: N815
    pinned = serializers.BooleanField()
    hidden = serializers.BooleanField()
    retired = serializers.BooleanField()
    mergedInto = serializers.IntegerField(allow_null=True)  # noqa: N815
    firstSeen = serializers.DateField(allow_null=True)  # noqa: N815
    new = serializers.BooleanField(help_text="First seen within the period")
    rising = serializers.BooleanField(help_text="Clearly above its usual level")
    volume = serializers.IntegerField(help_text="Signals in the period")
    usual = serializers.FloatField(help_text="Mean volume of the earlier periods")
    change = serializers.FloatField(allow_null=True, help_text="Relative change to usual")
    series = DayCountSerializer(many=True, help_text="Signals per day of the period")
    channels = ShareSerializer(many=True)
    services = ShareSerializer(many=True)


class ThemePageSerializer(serializers.Serializer[Any]):
    """The paginated envelope of :class:`ThemeList` (the rows are built by hand)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ThemeSerializer(many=True)


class ThemeDetailSerializer(ThemeSerializer):
    examples = serializers.ListField(
        child=serializers.CharField(), help_text="References of representative signals"
    )


_THEME_PARAMETERS = [
    OpenApiParameter("period", int, description="Days up to `until` (default 28, at most 366)"),
    OpenApiParameter("until", str, description="Last day, YYYY-MM-DD (default: today)"),
    OpenApiParameter("channel", str, enum=Channel.values),
    OpenApiParameter("service", str, description="Service slug"),
    OpenApiParameter("department", str, description="Department slug"),
]


def _theme_filter(request: Request) -> selectors.ThemeFilter:
    """The query's period and filters, each checked, all errors at once."""
    params = request.query_params
    errors: dict[str, str] = {}
    days = selectors.DEFAULT_PERIOD_DAYS
    if params.get("period"):
        try:
            days = int(params["period"])
        except ValueError:
            days = 0
        if not 1 <= days <= MAX_PERIOD_DAYS:
            errors["period"] = f"A whole number of days from 1 to {MAX_PERIOD_DAYS}."
    until: date | None = None
    if params.get("until"):
        try:
            until = date.fromisoformat(params["until"])
        except ValueError:
            errors["until"] = "Use a date as YYYY-MM-DD."
    channel = params.get("channel", "")
    if channel and channel not in Channel.values:
        errors["channel"] = f"One of: {', '.join(Channel.values)}."
    organisation = _organisation(request)
    service = params.get("service", "")
    if service and not Service.objects.filter(organisation=organisation, slug=service).exists():
        errors["service"] = f"Unknown service {service!r}."
    department = params.get("department", "")
    if department and not organisation.departments.filter(slug=department).exists():
        errors["department"] = f"Unknown department {department!r}."
    if errors:
        raise ValidationError(errors)
    return selectors.ThemeFilter(
        days=days,
        until=until,
        channel=channel,
        service=service,
        department=department,
        search=params.get("q", ""),
    )


def _filtered_counts(
    organisation: Organisation,
    filters: selectors.ThemeFilter,
    theme_ids: list[int],
    first: date,
    last: date,
) -> QuerySet[DailyCount]:
    """The daily counts of ``theme_ids`` from ``first`` to ``last`` within the filters."""
    rows = DailyCount.objects.filter(
        organisation=organisation, theme_id__in=theme_ids, day__gte=first, day__lte=last
    )
    return selectors.in_scope(rows, filters).order_by()


def _series(
    organisation: Organisation,
    filters: selectors.ThemeFilter,
    groups: selectors.ThemeGroups,
    roots: list[int],
) -> tuple[dict[int, list[int]], dict[int, dict[str, int]], dict[int, dict[str | None, int]]]:
    """Per root theme: daily counts of the period and the channel and service split, from
    three aggregate queries over the daily counts whatever the number of themes."""
    period = filters.period
    rows = _filtered_counts(organisation, filters, groups.members(roots), period.first, period.last)
    daily: dict[int, list[int]] = {root: [0] * period.days for root in roots}
    for theme_id, day, n in (
        rows.values("theme_id", "day").annotate(n=Sum("count")).values_list("theme_id", "day", "n")
    ):
        daily[groups.root_of[theme_id]][(day - period.first).days] += n
    channels: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for theme_id, channel, n in (
        rows.values("theme_id", "channel")
        .annotate(n=Sum("count"))
        .values_list("theme_id", "channel", "n")
    ):
        channels[groups.root_of[theme_id]][channel] += n
    by_service: dict[int, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    for theme_id, slug, n in (
        rows.values("theme_id", "service__slug")
        .annotate(n=Sum("count"))
        .values_list("theme_id", "service__slug", "n")
    ):
        by_service[groups.root_of[theme_id]][slug] += n
    return daily, channels, by_service


def _shares(counts: dict[Any, int]) -> list[dict[str, Any]]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return [{"key": key, "count": n} for key, n in ordered if n]


def _theme_body(
    row: selectors.ThemeRow,
    period: selectors.Period,
    daily: list[int],
    channels: dict[str, int],
    by_service: dict[str | None, int],
) -> dict[str, Any]:
    theme = row.theme
    return {
        "id": theme.pk,
        "name": theme.title,
        "generatedLabel": theme.label,
        "keyTerms": list(theme.key_terms),
        "pinned": theme.pinned,
        "hidden": theme.hidden,
        "retired": theme.retired,
        "mergedInto": theme.merged_into_id,
        "firstSeen": theme.first_seen.isoformat() if theme.first_seen else None,
        "new": row.new,
        "rising": row.rising,
        "volume": row.volume,
        "usual": round(row.usual, 2),
        "change": None if row.change is None else round(row.change, 4),
        "series": [
            {"date": (period.first + timedelta(days=i)).isoformat(), "count": n}
            for i, n in enumerate(daily)
        ],
        "channels": _shares(channels),
        "services": _shares(by_service),
    }


class ThemeList(APIView):
    permission_classes = [has_capability(Capability.VIEW_FEEDBACK)]

    @extend_schema(
        parameters=[
            *_THEME_PARAMETERS,
            OpenApiParameter("q", str, description="Words that must all occur in name or terms"),
            OpenApiParameter("sort", str, enum=list(selectors.SORTS)),
            OpenApiParameter("page", int),
            OpenApiParameter("pageSize", int),
        ],
        responses=ThemePageSerializer,
        operation_id="themes_list",
        summary="Themes with their volume in the period, usual level and daily series",
    )
    def get(self, request: Request) -> Response:
        filters = _theme_filter(request)
        organisation = _organisation(request)
        sort = request.query_params.get("sort", "volume")
        if sort not in selectors.SORTS:
            raise ValidationError({"sort": f"One of: {', '.join(selectors.SORTS)}."})
        overview = selectors.themes_overview(organisation=organisation, filters=filters, sort=sort)
        paginator = PageNumberPagination()
        # The overview is a list of rows, not a queryset: the paginator pages any sequence.
        rows: list[selectors.ThemeRow] = (
            paginator.paginate_queryset(overview.rows, request, view=self)  # type: ignore[arg-type]
            or []
        )
        daily, channels, by_service = _series(
            organisation, filters, overview.groups, [row.theme.pk for row in rows]
        )
        body = [
            _theme_body(
                row,
                overview.period,
                daily[row.theme.pk],
                channels[row.theme.pk],
                by_service[row.theme.pk],
            )
            for row in rows
        ]
        return paginator.get_paginated_response(body)


class ThemeDetail(APIView):
    permission_classes = [has_capability(Capability.VIEW_FEEDBACK)]

    @extend_schema(
        parameters=_THEME_PARAMETERS,
        responses=ThemeDetailSerializer,
        summary="One theme (with the themes merged into it) over the period",
    )
    def get(self, request: Request, pk: int) -> Response:
        filters = _theme_filter(request)
        organisation = _organisation(request)
        theme = selectors.theme_get(organisation=organisation, pk=pk)
        groups = selectors.theme_groups(organisation=organisation)
        daily, channels, by_service = _series(organisation, filters, groups, [theme.pk])
        own = selectors.ThemeGroups(
            root_of={k: v for k, v in groups.root_of.items() if v == groups.root_of[theme.pk]}
        )
        period = filters.period
        earlier = [period.earlier(i) for i in range(1, selectors.usual_periods(period.days) + 1)]
        volumes = _volumes(organisation, filters, own, [period, *earlier])
        row = selectors.ThemeRow(
            theme=theme,
            volume=volumes[0],
            previous=volumes[1:],
            new=period.contains(theme.first_seen),
        )
        body = _theme_body(row, period, daily[theme.pk], channels[theme.pk], by_service[theme.pk])
        ids = [int(i) for i in theme.example_ids]
        references = dict(
            Feedback.objects.filter(organisation=organisation, pk__in=ids).values_list(
                "pk", "reference"
            )
        )
        body["examples"] = [references[i] for i in ids if i in references]
        return Response(body)


def _volumes(
    organisation: Organisation,
    filters: selectors.ThemeFilter,
    groups: selectors.ThemeGroups,
    periods: list[selectors.Period],
) -> list[int]:
    rows = _filtered_counts(
        organisation, filters, list(groups.root_of), periods[-1].first, periods[0].last
    )
    counts = dict(rows.values("day").annotate(n=Sum("count")).values_list("day", "n"))
    return [sum(n for day, n in counts.items() if p.first <= day <= p.last) for p in periods]


# --- alerts -----------------------------------------------------------------------------------


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
        references: dict[int, str] = self.context.get("references", {})
        return [references[int(i)] for i in alert.example_ids if int(i) in references]


def _alert_context(organisation: Organisation, alerts: list[Alert]) -> dict[str, Any]:
    """The example signals' references of a page of alerts, in one query."""
    ids = {int(i) for alert in alerts for i in alert.example_ids}
    return {
        "references": dict(
            Feedback.objects.filter(organisation=organisation, pk__in=ids).values_list(
                "pk", "reference"
            )
        )
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
        parameters=[
            OpenApiParameter("status", str, enum=Alert.Status.values),
            OpenApiParameter("kind", str, enum=Alert.Kind.values),
            OpenApiParameter("channel", str, enum=Channel.values),
            OpenApiParameter("theme", int, description="Theme id"),
        ],
        summary="Alerts (spikes, level shifts, new themes), newest first",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        errors: dict[str, str] = {}
        checks = {
            "status": Alert.Status.values,
            "kind": Alert.Kind.values,
            "channel": Channel.values,
        }
        for name, allowed in checks.items():
            if params.get(name) and params[name] not in allowed:
                errors[name] = f"One of: {', '.join(allowed)}."
        theme = params.get("theme")
        if theme and not theme.isdigit():
            errors["theme"] = "A theme id."
        if errors:
            raise ValidationError(errors)
        filters = selectors.AlertFilter(
            status=params.get("status", ""),
            kind=params.get("kind", ""),
            channel=params.get("channel", ""),
            theme=int(theme) if theme else None,
        )
        return selectors.alerts_of(organisation=_organisation(self.request), filters=filters)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        page = getattr(self, "_page", None)
        if page is not None:
            context.update(_alert_context(_organisation(self.request), page))
        return context

    def paginate_queryset(self, queryset: Any) -> Any:
        self._page = super().paginate_queryset(queryset)
        return self._page


# Reading needs ``view_feedback``; any change needs ``curate_themes``. (A comment, not a
# docstring: the schema would show a base class's docstring on every operation.)
class ViewOrCurate(APIView):
    def get_permissions(self) -> Any:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [has_capability(Capability.VIEW_FEEDBACK)()]
        return [has_capability(Capability.CURATE_THEMES)()]


class AlertDetail(ViewOrCurate):
    def _body(self, request: Request, alert: Alert) -> dict[str, Any]:
        context = _alert_context(_organisation(request), [alert])
        return cast(dict[str, Any], AlertSerializer(alert, context=context).data)

    @extend_schema(responses=AlertSerializer, summary="One alert with its evidence")
    def get(self, request: Request, pk: int) -> Response:
        alert = selectors.alert_get(organisation=_organisation(request), pk=pk)
        return Response(self._body(request, alert))

    @extend_schema(
        request=AlertUpdateSerializer,
        responses=AlertSerializer,
        summary="Acknowledge, dismiss (with a reason), reopen or assign an alert",
    )
    def patch(self, request: Request, pk: int) -> Response:
        organisation = _organisation(request)
        alert = selectors.alert_get(organisation=organisation, pk=pk)
        serializer = AlertUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = _user(request)
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
                    alert_actions.alert_dismiss(
                        alert=alert, actor=actor, reason=data["reason"], request=request
                    )
                elif data["status"] == Alert.Status.ACKNOWLEDGED:
                    alert_actions.alert_acknowledge(alert=alert, actor=actor, request=request)
                else:
                    alert_actions.alert_reopen(alert=alert, actor=actor, request=request)
            if "assignedTo" in data:
                alert_actions.alert_assign(
                    alert=alert, actor=actor, assignee=assignee, request=request
                )
        except DjangoValidationError as error:
            raise _api_errors(error) from error
        alert = selectors.alert_get(organisation=organisation, pk=pk)
        return Response(self._body(request, alert))


# --- events -----------------------------------------------------------------------------------


class EventSerializer(serializers.Serializer[Event]):
    """An event; input and output have the same shape (``id`` and ``createdAt`` read-only)."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Event.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    date = serializers.DateField()
    endDate = serializers.DateField(  # noqa: N815
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
    return EventSerializer(context={"organisation": _organisation(request)}, **kwargs)


class EventList(ViewOrCurate, generics.ListAPIView[Event]):
    serializer_class = EventSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=Event.Kind.values),
            OpenApiParameter("dateFrom", str, description="Date, YYYY-MM-DD, inclusive"),
            OpenApiParameter("dateUntil", str, description="Date, YYYY-MM-DD, inclusive"),
            OpenApiParameter("q", str, description="Words in the title or description"),
        ],
        summary="Events (releases, campaigns, policy changes, experiments), newest first",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        errors: dict[str, str] = {}
        if params.get("kind") and params["kind"] not in Event.Kind.values:
            errors["kind"] = f"One of: {', '.join(Event.Kind.values)}."
        dates: dict[str, date | None] = {}
        for name in ("dateFrom", "dateUntil"):
            try:
                dates[name] = date.fromisoformat(params[name]) if params.get(name) else None
            except ValueError:
                errors[name] = "Use a date as YYYY-MM-DD."
        if errors:
            raise ValidationError(errors)
        filters = selectors.EventFilter(
            kind=params.get("kind", ""),
            date_from=dates["dateFrom"],
            date_until=dates["dateUntil"],
            search=params.get("q", ""),
        )
        return selectors.events_of(organisation=_organisation(self.request), filters=filters)

    @extend_schema(
        request=EventSerializer,
        responses={201: EventSerializer},
        summary="Record an event",
    )
    def post(self, request: Request) -> Response:
        serializer = _event_serializer(request, data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            event = services.event_create(
                organisation=_organisation(request),
                actor=_user(request),
                kind=data["kind"],
                title=data["title"],
                date=data["date"],
                description=data["description"],
                end_date=data["end_date"],
                service=data["service"],
            )
        except DjangoValidationError as error:
            raise _api_errors(error) from error
        return Response(_event_serializer(request, instance=event).data, status.HTTP_201_CREATED)


class EventDetail(ViewOrCurate):
    def _event(self, request: Request, pk: int) -> Event:
        return selectors.event_get(organisation=_organisation(request), pk=pk)

    @extend_schema(responses=EventSerializer, summary="One event")
    def get(self, request: Request, pk: int) -> Response:
        return Response(_event_serializer(request, instance=self._event(request, pk)).data)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        event = self._event(request, pk)
        serializer = _event_serializer(request, instance=event, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            event = services.event_update(
                event=event, actor=_user(request), **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise _api_errors(error) from error
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
        services.event_delete(event=self._event(request, pk), actor=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
