# SPDX-License-Identifier: EUPL-1.2
"""The building blocks of every list's filter set (django-filter), one definition serving the
HTML filter form and the API query: one way of parsing a date (ISO 8601, as HTML date inputs
and the API send it), whole numbers, a checkbox, and the API's refusal of invalid filters."""

from __future__ import annotations

from typing import Any, Final

import django_filters  # type: ignore[import-untyped]  # django-filter ships no stubs
from django import forms
from django_filters.utils import translate_validation  # type: ignore[import-untyped]  # no stubs

ISO_DATE_FORMATS: Final = ["%Y-%m-%d"]


class IsoDateField(forms.DateField):
    """A day as ``YYYY-MM-DD``, whatever the language of the page."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("input_formats", ISO_DATE_FORMATS)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)  # type: ignore[arg-type]


class IsoDateFilter(django_filters.Filter):
    field_class = IsoDateField


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


class CheckboxFilter(django_filters.Filter):
    """Ticked or not (django-filter's own boolean filter is a yes/no/either list)."""

    field_class = forms.BooleanField


def chosen(filterset: django_filters.FilterSet) -> dict[str, Any] | None:
    """The cleaned values of ``filterset``, or None where no filters were sent or they are
    invalid (a page then lists as if unfiltered and shows the errors on its form)."""
    if not filterset.is_bound or not filterset.is_valid():
        return None
    data: dict[str, Any] = filterset.form.cleaned_data
    return data


def filters_checked(filterset: django_filters.FilterSet) -> None:
    """For the API: every invalid query parameter at once, as a 400 problem naming each one
    (pages show the same errors on their filter form)."""
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
