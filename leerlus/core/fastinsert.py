"""Storing one new row with an ``INSERT`` that Django compiles once per process.

``Model.save()`` on a new row compiles the same ``INSERT`` again for every row: an
``InsertQuery``, its compiler, a placeholder and a parameter list per field. For the rows an
API create writes (the signal, its audit entry, an idempotency record) that was a quarter of
their cost on the client (docs/benchmarks.md, "Intake API"). :func:`insert` has Django's own
compiler write the statement once per model and database, and per row only prepares the
values as ``save()`` does: every field's ``pre_save`` (``auto_now_add`` sets the time on the
object too) and ``get_db_prep_save``, related objects checked and their keys picked up. Like
``save()`` it sends ``pre_save`` and ``post_save``, runs in the caller's transaction (marked for
rollback when the statement fails) and sets the new key on the object. It does not call the
model's own ``save()``: use it for models whose ``save()`` adds nothing to a new row.

What it refuses, because the statement would then differ from row to row or from what
``save()`` does: proxy models, models with parents (multi-table inheritance) or without an
auto-increment key, columns the database fills (defaults, generated columns), fields that
write their own placeholder SQL (geometry); databases that cannot return the new key from the
``INSERT`` itself (Leerlus runs on PostgreSQL and SQLite, which can); a key that is already
set; expressions as values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: list[models.Field[Any, Any]]


@cache
def _statement(model: type[models.Model], alias: str) -> _Statement:
    """The ``INSERT ... RETURNING`` key that ``save()`` of a new ``model`` row runs on ``alias``."""
    meta = model._meta
    key = meta.auto_field
    fields = [f for f in meta.local_concrete_fields if f is not key]
    refused = [
        f.name
        for f in fields
        if f.generated or f.db_default is not models.NOT_PROVIDED or hasattr(f, "get_placeholder")
    ]
    if refused or meta.parents or meta.proxy or key is None or meta.db_returning_fields != [key]:
        raise TypeError(f"insert() cannot store {meta.label} rows {refused}")
    if not connections[alias].features.can_return_columns_from_insert:
        raise TypeError(f"insert() needs INSERT ... RETURNING, not on {alias!r}")
    query = InsertQuery(model)
    query.insert_values(fields, [model()])
    compiler = query.get_compiler(alias)
    compiler.returning_fields = [key]
    [(sql, _values)] = compiler.as_sql()
    return _Statement(sql, fields)


def insert(obj: models.Model) -> None:
    """Store ``obj``, a new instance without a key, as ``obj.save()`` would."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    statement = _statement(model, alias)
    if obj.pk is not None:
        raise ValueError(f"insert() takes new {model.__name__} rows only")
    obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]  # not in the stubs
    pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
    connection = connections[alias]
    values = []
    for field in statement.fields:
        value = field.pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"insert() takes plain values, not {value!r} for {field.name}")
        values.append(field.get_db_prep_save(value, connection))
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        cursor.execute(statement.sql, values)
        (obj.pk,) = connection.ops.fetch_returned_insert_columns(cursor, ())
    obj._state.adding = False
    obj._state.db = alias
    post_save.send(
        sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias
    )
