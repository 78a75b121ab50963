# SPDX-License-Identifier: EUPL-1.2
"""Filters that choose among an organisation's own departments and services, shared by the
filter sets of every list that can be narrowed to one (signals, themes, ...), and the audit
log's filter set."""

from __future__ import annotations

from typing import Any

import django_filters  # type: ignore[import-untyped]  # django-filter ships no stubs
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from leerlus.core.filters import chosen

from .models import AuditEntry, Department, Organisation, Service


def service_filter() -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(label=_("Service"), empty_label=_("All services"))


def department_filter() -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(label=_("Department"), empty_label=_("All departments"))


def offer_own_units(filterset: django_filters.FilterSet, organisation: Organisation) -> None:
    """The ``service`` and ``department`` filters of ``filterset`` (it has both) offer
    ``organisation``'s own (by slug), read when the form is checked or drawn, not when the
    filter set is made; a slug of another organisation is then an invalid choice."""
    filterset.filters["service"].extra["choices"] = CallableChoiceIterator(
        lambda: Service.objects.filter(organisation=organisation).values_list("slug", "name")
    )
    filterset.filters["department"].extra["choices"] = CallableChoiceIterator(
        lambda: Department.objects.filter(organisation=organisation).values_list("slug", "name")
    )


class AuditEntryFilterSet(django_filters.FilterSet):
    """Which audit entries ``/api/v1/audit-entries`` lists: an action, part of the actor's name
    and a result (one of the three)."""

    action = django_filters.CharFilter(label=_("Action"))
    actor = django_filters.CharFilter(label=_("Actor"))
    result = django_filters.ChoiceFilter(label=_("Result"), choices=AuditEntry.Result.choices)

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, queryset=AuditEntry.objects.none())

    def audit_filters(self) -> dict[str, str]:
        """The chosen filters as :func:`~leerlus.organisations.selectors.audit_entries_of`
        takes them; none where they were not sent or are invalid."""
        data = chosen(self) or {}
        return {name: data.get(name) or "" for name in ("action", "actor", "result")}
