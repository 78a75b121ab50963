# SPDX-License-Identifier: EUPL-1.2
"""The building blocks of every list's filter set (django-filter), one definition serving the
HTML filter form and the API query: one way of parsing a date (ISO 8601, as HTML date inputs
and the API send it), whole numbers, a checkbox, and the API's refusal of invalid filters."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import django_filters  # type: ignore[import-untyped]  # django-filter ships no stubs
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from django_filters.utils import translate_validation  # type: ignore[import-untyped]  # no stubs

ISO_DATE_FORMATS: Final = ["%Y-%m-%d"]
# The largest id a row can have (BigAutoField): a filter on a larger one would not reach the
# database on SQLite ("Python int too large to convert to SQLite INTEGER", a 500).
MAX_ID: Final = 2**63 - 1
# Every day in between is the start and end of a timezone-aware day and a DATE in each
# database; year 1 and year 9999 are valid dates that overflow as such (a 500 once).
FIRST_DAY: Final = date(1900, 1, 1)
LAST_DAY: Final = date(2999, 12, 31)


class IsoDateField(forms.DateField):
    """A day as ``YYYY-MM-DD``, whatever the language of the page, from 1900 to 2999."""

    default_validators = [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("input_formats", ISO_DATE_FORMATS)
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()},
                format="%Y-%m-%d",
            ),
        )
        super().__init__(**kwargs)  # type: ignore[arg-type]


class IsoDateFilter(django_filters.Filter):
    field_class = IsoDateField


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


# What a ticked box sends (``on``, from a browser), the API's booleans, and empty (not
# ticked, as an empty value is no filter for every other filter); nothing else.
_TICKED: Final = {"on": True, "true": True, "false": False, "": False}


class CheckboxInput(forms.CheckboxInput):
    """Django's checkbox takes any value but ``false`` as ticked; this one hands any other
    value to the field as it came, for the field to refuse."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name not in data:
            return False
        value = data.get(name)
        return _TICKED.get(value.lower(), value) if isinstance(value, str) else bool(value)


class CheckboxField(forms.BooleanField):
    widget = CheckboxInput
    default_error_messages = {"invalid": _("Give true or false.")}

    def to_python(self, value: Any) -> bool:
        if isinstance(value, str):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class CheckboxFilter(django_filters.Filter):
    """Ticked or not (django-filter's own boolean filter is a yes/no/either list): ``true`` or
    ``on``; ``false``, empty or left out; any other value is invalid (the API answers 400)."""

    field_class = CheckboxField


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
