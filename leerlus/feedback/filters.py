# SPDX-License-Identifier: EUPL-1.2
"""Which signals the signals list, its export and ``GET /api/v1/feedback`` show: one
definition of the search, channel, service, department and dates for the page and the API.
The parameters are spelt as the API spells them (``receivedFrom``, ``receivedUntil``), on the
page too, so a page's address and an API call filter alike."""

from __future__ import annotations

from typing import Any

import django_filters  # type: ignore[import-untyped]  # django-filter ships no stubs
from django import forms
from django.utils.translation import gettext_lazy as _

from leerlus.core.filters import IsoDateFilter, chosen
from leerlus.core.forms import AccessibleFormMixin
from leerlus.organisations.filters import department_filter, offer_own_units, service_filter
from leerlus.organisations.models import Organisation

from .models import Channel, Feedback
from .selectors import FeedbackFilter


class SignalFilterForm(AccessibleFormMixin, forms.Form):
    pass


class SignalFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), help_text=_("Words that must all occur in the text, or a reference.")
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Channel.choices, empty_label=_("All channels")
    )
    service = service_filter()
    department = department_filter()
    receivedFrom = IsoDateFilter(label=_("From"))  # noqa: N815 - the API's spelling
    receivedUntil = IsoDateFilter(label=_("Until"))  # noqa: N815 - the API's spelling

    class Meta:
        model = Feedback
        fields: list[str] = []
        form = SignalFilterForm

    def __init__(self, data: Any = None, *, organisation: Organisation) -> None:
        super().__init__(data, queryset=Feedback.objects.none())
        offer_own_units(self, organisation)

    def feedback_filter(self) -> FeedbackFilter:
        """The chosen filters; none where they were not sent or are invalid."""
        data = chosen(self)
        if data is None:
            return FeedbackFilter()
        return FeedbackFilter(
            channel=data.get("channel") or "",
            service=data.get("service") or "",
            department=data.get("department") or "",
            received_from=data.get("receivedFrom"),
            received_until=data.get("receivedUntil"),
            search=data.get("q") or "",
        )
