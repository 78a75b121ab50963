# SPDX-License-Identifier: EUPL-1.2
"""Which signals the theme screens and ``/api/v1/themes`` count: one definition of the
period, channel, service, department, search, sort order and hidden themes, validated the same
way for the pages and the API.

The filter sets validate the query and turn it into the selectors'
:class:`~leerlus.patterns.selectors.themes.ThemeFilter`; the selectors do the reading. A page
with invalid filters shows the defaults; the API answers 400 naming the parameter.
"""

from __future__ import annotations

from typing import Any

import django_filters  # type: ignore[import-untyped]  # django-filter ships no stubs
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from leerlus.core.filters import CheckboxFilter, IntegerFilter, IsoDateFilter, chosen
from leerlus.core.forms import AccessibleFormMixin
from leerlus.feedback.models import Channel
from leerlus.organisations.filters import department_filter, offer_own_units, service_filter
from leerlus.organisations.models import Organisation

from ..models import Theme
from ..selectors.themes import DEFAULT_PERIOD_DAYS, MAX_PERIOD_DAYS, ThemeFilter

PERIOD_CHOICES = [
    (7, _("Last 7 days")),
    (28, _("Last 4 weeks")),
    (91, _("Last 3 months")),
    (365, _("Last 12 months")),
]
SORT_CHOICES = [
    ("volume", _("Most signals")),
    ("change", _("Largest change")),
    ("name", _("Name")),
    ("newest", _("Newest theme")),
]
_DAYS = _("A whole number of days from 1 to 366.")


class ThemeScopeForm(AccessibleFormMixin, forms.Form):
    pass


class ThemeScopeFilterSet(django_filters.FilterSet):
    """Which signals a theme page counts: the period up to a day, channel, service and
    department (of the signal's service)."""

    period = IntegerFilter(
        label=_("Period"),
        min_value=1,
        max_value=MAX_PERIOD_DAYS,
        error_messages={"invalid": _DAYS, "min_value": _DAYS, "max_value": _DAYS},
        widget=forms.Select(choices=PERIOD_CHOICES),
    )
    # Not on the page's form (the period always ends today there), but kept through it.
    until = IsoDateFilter(label=_("Until"), widget=forms.HiddenInput)
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Channel.choices, empty_label=_("All channels")
    )
    service = service_filter()
    department = department_filter()

    class Meta:
        model = Theme
        fields: list[str] = []
        form = ThemeScopeForm

    def __init__(
        self,
        data: Any = None,
        *,
        organisation: Organisation,
        default_days: int = DEFAULT_PERIOD_DAYS,
    ) -> None:
        super().__init__(data, queryset=Theme.objects.none())
        self.default_days = default_days
        self.filters["period"].extra.update(
            initial=default_days, widget=forms.Select(choices=self._periods(data))
        )
        offer_own_units(self, organisation)

    @staticmethod
    def _periods(data: Any) -> list[tuple[int, Any]]:
        """The usual periods, and the one asked for where that is another (a link may ask
        for any number of days)."""
        asked = str((data or {}).get("period", ""))
        choices: list[tuple[int, Any]] = list(PERIOD_CHOICES)
        if asked.isdigit() and 1 <= int(asked) <= MAX_PERIOD_DAYS:
            days = int(asked)
            if days not in dict(choices):
                label = ngettext("Last %(days)s day", "Last %(days)s days", days) % {"days": days}
                choices = sorted([*choices, (days, label)])
        return choices

    def theme_filter(self) -> ThemeFilter:
        """The chosen filters; the defaults where they were not sent or are invalid."""
        data = chosen(self)
        if data is None:
            return ThemeFilter(days=self.default_days)
        return ThemeFilter(
            days=data.get("period") or self.default_days,
            until=data.get("until"),
            channel=data.get("channel") or "",
            service=data.get("service") or "",
            department=data.get("department") or "",
            search=data.get("q") or "",
            include_hidden=bool(data.get("hidden")),
        )


class ThemeFilterForm(ThemeScopeForm):
    field_order = ["q", "period", "channel", "service", "department", "sort", "hidden"]


class ThemeFilterSet(ThemeScopeFilterSet):
    """The overview's filters, search and sort order."""

    q = django_filters.CharFilter(
        label=_("Search"),
        max_length=200,
        help_text=_("Words in the theme's name or key terms."),
    )
    sort = django_filters.ChoiceFilter(label=_("Sort"), choices=SORT_CHOICES, empty_label=None)
    hidden = CheckboxFilter(label=_("Also show hidden and retired themes"))

    class Meta(ThemeScopeFilterSet.Meta):
        form = ThemeFilterForm

    def sort_order(self) -> str:
        data = chosen(self)
        return (data or {}).get("sort") or "volume"
