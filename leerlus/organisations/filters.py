# SPDX-License-Identifier: EUPL-1.2
"""Filters that choose among an organisation's own departments and services, shared by the
filter sets of every list that can be narrowed to one (signals, themes, ...)."""

from __future__ import annotations

import django_filters  # type: ignore[import-untyped]  # django-filter ships no stubs
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from .models import Department, Organisation, Service


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
