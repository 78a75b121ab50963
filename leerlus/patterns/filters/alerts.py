# SPDX-License-Identifier: EUPL-1.2
"""Which alerts the inbox and ``/api/v1/alerts`` list: one definition of the status, kind,
channel and theme filters for the page and the API (see :mod:`.themes`)."""

from __future__ import annotations

from typing import Any, Final

import django_filters  # type: ignore[import-untyped]  # django-filter ships no stubs
from django import forms
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from leerlus.core.filters import MAX_ID, IntegerFilter, chosen
from leerlus.core.forms import AccessibleFormMixin
from leerlus.feedback.models import Channel
from leerlus.organisations.models import Organisation

from ..models import Alert, Theme
from ..selectors.alerts import AlertFilter

ALL_STATUSES: Final = "all"


class AlertFilterForm(AccessibleFormMixin, forms.Form):
    pass


class AlertFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*Alert.Status.choices, (ALL_STATUSES, _("All statuses"))],
        empty_label=None,
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Alert.Kind.choices, empty_label=_("All kinds")
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Channel.choices, empty_label=_("All channels")
    )
    # Any theme id is a valid filter (another organisation's finds nothing); the page offers
    # the themes that have alerts.
    theme = IntegerFilter(label=_("Theme"), widget=forms.Select, min_value=1, max_value=MAX_ID)

    class Meta:
        model = Alert
        fields: list[str] = []
        form = AlertFilterForm

    def __init__(self, data: Any = None, *, organisation: Organisation) -> None:
        super().__init__(data, queryset=Alert.objects.none())

        def themes() -> list[tuple[Any, str]]:
            with_alerts = Theme.objects.filter(
                organisation=organisation, alerts__isnull=False
            ).distinct()
            return [("", str(_("All themes"))), *((t.pk, t.title) for t in with_alerts)]

        self.filters["theme"].extra["widget"] = forms.Select(choices=CallableChoiceIterator(themes))

    def alert_filter(self, *, default_status: str) -> AlertFilter:
        """The chosen filters; where the status is not given, ``default_status`` ("": every
        status); the defaults where the filters are invalid."""
        data = chosen(self)
        if data is None:
            return AlertFilter(status=default_status)
        status = data.get("status") or default_status
        return AlertFilter(
            status="" if status == ALL_STATUSES else status,
            kind=data.get("kind") or "",
            channel=data.get("channel") or "",
            theme=data.get("theme"),
        )
