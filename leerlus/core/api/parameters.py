# SPDX-License-Identifier: EUPL-1.2
"""A list's query parameters in the OpenAPI document, read from the filter set that checks
them: the document states what the server enforces (a closed list of values, a date, a range
of whole numbers, a longest text) and names every filter, because both come from one place.

An empty value is no filter, as for the pages that share the filter sets (a form sends its
empty fields): the document allows it beside the date, number or choice."""

from __future__ import annotations

from typing import Any, Final

import django_filters  # type: ignore[import-untyped]  # django-filter ships no stubs
from drf_spectacular.utils import OpenApiParameter

from leerlus.core.api.fields import DAY_RANGE
from leerlus.core.filters import CheckboxFilter, IntegerFilter, IsoDateFilter

_EMPTY: Final = {"type": "string", "maxLength": 0}


def _or_empty(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, _EMPTY]}


def _schema(flt: django_filters.Filter) -> dict[str, Any]:
    extra = flt.extra
    if isinstance(flt, IsoDateFilter):
        return _or_empty({"type": "string", "format": "date"})
    if isinstance(flt, CheckboxFilter):
        return _or_empty({"type": "boolean"})
    if isinstance(flt, IntegerFilter):
        bounds = {"minimum": extra.get("min_value"), "maximum": extra.get("max_value")}
        return _or_empty({"type": "integer", **{k: v for k, v in bounds.items() if v is not None}})
    schema: dict[str, Any] = {"type": "string"}
    choices = extra.get("choices")
    # Choices fixed in the code are an enum; an organisation's own (its services, read per
    # request) are not, and an unknown one is a 400 naming the parameter.
    if isinstance(flt, django_filters.ChoiceFilter) and isinstance(choices, list | tuple):
        schema["enum"] = ["", *sorted(str(value) for value, _label in choices)]
    if extra.get("max_length"):
        schema["maxLength"] = extra["max_length"]
    return schema


def filter_parameters(
    filterset: type[django_filters.FilterSet], **descriptions: str
) -> list[OpenApiParameter]:
    """One query parameter for every filter of ``filterset``, with the schema its form field
    checks and the English description given by the filter's name."""
    unknown = set(descriptions) - set(filterset.base_filters)
    assert not unknown, f"no such filters in {filterset.__name__}: {sorted(unknown)}"
    return [
        OpenApiParameter(name, _schema(flt), description=_description(flt, descriptions.get(name)))
        for name, flt in filterset.base_filters.items()
    ]


def _description(flt: django_filters.Filter, given: str | None) -> str:
    if isinstance(flt, IsoDateFilter):  # a date's bounds: in words, the schema has none
        return f"{given}, {DAY_RANGE}" if given else f"A day {DAY_RANGE}"
    return given or ""
