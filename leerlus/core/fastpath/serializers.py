# SPDX-License-Identifier: EUPL-1.2
"""Input serializers whose fields are built once per process instead of once per request.

DRF gives every serializer instance deep copies of the declared fields, so that an instance
may change its own; for an input serializer made per request that was three quarters of its
validation time (docs/benchmarks.md, "Intake API"). Every instance of a
:class:`SharedFieldsSerializer` reads the same fields instead, bound to a template instance of
its class. Validating changes no field (the one attribute a field fills in lazily, its list of
validators, is filled in when the set is built), so instances in different threads can
validate at the same time; the serializer's own hooks (``validate``, ``validate_<field>``) run
on the instance, with its own ``context``.

What it rules out: changing ``fields`` on an instance, and anything in the shared set that
reads ``context``, ``parent`` or ``root`` (which belong to the template): a default or
validator that needs the context (``CurrentUserDefault``, ``UniqueValidator``; refused when the
set is built), or hooks of a nested serializer that use the context.
"""

from collections.abc import Iterator
from functools import cache
from typing import Any, TypeVar

from rest_framework import fields, serializers
from rest_framework.utils.serializer_helpers import BindingDict

_IN = TypeVar("_IN")


# No docstring: drf-spectacular would publish it as the description of every subclass.
class SharedFieldsSerializer(serializers.Serializer[_IN]):
    @property
    def fields(self) -> BindingDict:
        return _shared_fields(type(self))


@cache
def _shared_fields(cls: type[SharedFieldsSerializer[Any]]) -> BindingDict:
    template = cls()
    bound = BindingDict(template)
    for name, field in template.get_fields().items():
        bound[name] = field
    for field in _all_fields(bound.values()):
        validators = field.validators  # built now, never while validating
        needs_context = [v for v in [field.default, *validators] if _requires_context(v)]
        if needs_context:
            raise TypeError(f"{cls.__name__}.{field.field_name} needs the context: {needs_context}")
    return bound


def _requires_context(value: object) -> bool:
    return bool(getattr(value, "requires_context", False))


def _all_fields(declared: Any) -> Iterator[fields.Field[Any, Any, Any, Any]]:
    """The fields and, depth first, the fields of nested serializers and lists."""
    for field in declared:
        yield field
        if isinstance(field, serializers.Serializer):
            yield from _all_fields(field.fields.values())
        child = getattr(field, "child", None)
        if child is not None:
            yield from _all_fields([child])
