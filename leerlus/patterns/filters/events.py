# SPDX-License-Identifier: EUPL-1.2
"""Which events the register and ``/api/v1/events`` list: one definition of the kind, dates
and search for the page and the API (see :mod:`.themes`). The parameters are spelt as the API
spells them (``dateFrom``, ``dateUntil``), on the page too."""

from __future__ import annotations

from typing import Any

import django_filters  # type: ignore[import-untyped]  # django-filter ships no stubs
from django import forms
from django.utils.translation import gettext_lazy as _

from leerlus.core.filters import IsoDateFilter, chosen
from leerlus.core.forms import AccessibleFormMixin

from ..models import Event
from ..selectors.events import EventFilter


class EventFilterForm(AccessibleFormMixin, forms.Form):
    pass


class EventFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"))
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Event.Kind.choices, empty_label=_("All kinds")
    )
    dateFrom = IsoDateFilter(label=_("From"))  # noqa: N815 - the API's spelling
    dateUntil = IsoDateFilter(label=_("Until"))  # noqa: N815 - the API's spelling

    class Meta:
        model = Event
        fields: list[str] = []
        form = EventFilterForm

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, queryset=Event.objects.none())

    def event_filter(self) -> EventFilter:
        """The chosen filters; none where they were not sent or are invalid."""
        data = chosen(self)
        if data is None:
            return EventFilter()
        return EventFilter(
            kind=data.get("kind") or "",
            date_from=data.get("dateFrom"),
            date_until=data.get("dateUntil"),
            search=data.get("q") or "",
        )
