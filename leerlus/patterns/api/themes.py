# SPDX-License-Identifier: EUPL-1.2
"""``/api/v1/themes``: themes with their volume, usual level, daily series and splits.

A thin caller of the selectors the pages use (:mod:`leerlus.patterns.selectors.themes`), with
the filters the pages use (:mod:`leerlus.patterns.filters.themes`), so a number here is the
number on the page. The rows are written out by hand (:func:`theme_body`, the one definition
of a theme's JSON): serialisers per row cost more than the aggregate queries at a thousand
themes. Another organisation's theme is the same 404 as a missing one; reading needs
``view_feedback``; examples are the signals the caller may see.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leerlus.core.api.pagination import PAGE_PARAMETERS, PageNumberPagination
from leerlus.core.api.parameters import filter_parameters
from leerlus.core.filters import filters_checked
from leerlus.organisations.permissions import has_capability, member_of
from leerlus.organisations.roles import Capability

from ..filters.themes import ThemeFilterSet, ThemeScopeFilterSet
from ..selectors.counts import Period, theme_groups
from ..selectors.themes import (
    Share,
    ThemeFilter,
    ThemeRow,
    theme_examples,
    theme_get,
    theme_merged,
    theme_root,
    theme_row,
    themes_overview,
    themes_overview_details,
)


class DayCountSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    count = serializers.IntegerField()


class ShareSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(
        allow_null=True, help_text="Channel code or service slug (null: no service)"
    )
    count = serializers.IntegerField()


class ThemeSerializer(serializers.Serializer[Any]):
    """The shape of :func:`theme_body`, for the schema."""

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


_SCOPE = {
    "period": "Days up to `until` (default 28)",
    "until": "Last day (default: today)",
    "service": "Service slug",
    "department": "Department slug",
}


def _shares(shares: list[Share]) -> list[dict[str, Any]]:
    return [{"key": share.key, "count": share.count} for share in shares]


def theme_body(row: ThemeRow, period: Period) -> dict[str, Any]:
    """A theme's JSON: what :class:`ThemeSerializer` describes, from a row with details."""
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
            for i, n in enumerate(row.daily)
        ],
        "channels": _shares(row.channels),
        "services": _shares(row.services),
    }


class ThemeList(APIView):
    permission_classes = [has_capability(Capability.VIEW_FEEDBACK)]

    @extend_schema(
        parameters=[
            *filter_parameters(
                ThemeFilterSet,
                **_SCOPE,
                q="Words that must all occur in name or terms",
                sort="Default: volume",
                hidden="Also hidden and retired themes (default: false)",
            ),
            *PAGE_PARAMETERS,
        ],
        responses=ThemePageSerializer,
        operation_id="themes_list",
        summary="Themes with their volume in the period, usual level and daily series",
    )
    def get(self, request: Request) -> Response:
        organisation = member_of(request).organisation
        filterset = ThemeFilterSet(request.query_params, organisation=organisation)
        filters_checked(filterset)
        overview = themes_overview(
            organisation=organisation,
            filters=filterset.theme_filter(),
            sort=filterset.sort_order(),
        )
        paginator = PageNumberPagination()
        # The overview is a list of rows, not a queryset: the paginator pages any sequence.
        rows: list[ThemeRow] = (
            paginator.paginate_queryset(overview.rows, request, view=self)  # type: ignore[arg-type]
            or []
        )
        themes_overview_details(organisation=organisation, overview=overview, rows=rows)
        return paginator.get_paginated_response([theme_body(row, overview.period) for row in rows])


class ThemeDetail(APIView):
    permission_classes = [has_capability(Capability.VIEW_FEEDBACK)]

    @extend_schema(
        parameters=filter_parameters(ThemeScopeFilterSet, **_SCOPE),
        responses=ThemeDetailSerializer,
        summary="One theme (with the themes merged into it) over the period",
    )
    def get(self, request: Request, pk: int) -> Response:
        member = member_of(request)
        organisation = member.organisation
        filterset = ThemeScopeFilterSet(request.query_params, organisation=organisation)
        filters_checked(filterset)
        filters: ThemeFilter = filterset.theme_filter()
        theme = theme_get(organisation=organisation, pk=pk)
        groups = theme_groups(organisation=organisation)
        # A theme merged into another counts with it, as on the pages.
        counted = theme_root(organisation=organisation, theme=theme)
        row = theme_row(organisation=organisation, theme=counted, filters=filters, groups=groups)
        if counted.pk != theme.pk:
            row = replace(row, theme=theme, new=filters.period.contains(theme.first_seen))
        examples = theme_examples(
            organisation=organisation,
            viewer=member.person,
            themes=[theme, *theme_merged(organisation=organisation, theme=theme, groups=groups)],
        )
        body = theme_body(row, filters.period)
        body["examples"] = [signal.reference for signal in examples]
        return Response(body)
