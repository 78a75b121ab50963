# SPDX-License-Identifier: EUPL-1.2
"""The building blocks of the filter sets: one way of parsing a date (ISO 8601, as HTML date
inputs and the API send it), whole numbers, and a checkbox."""

from __future__ import annotations

from typing import Final

import django_filters  # type: ignore[import-untyped]  # django-filter ships no stubs
from django import forms

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
