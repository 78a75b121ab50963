# SPDX-License-Identifier: EUPL-1.2
"""New rows stored without Django's per-row query building: :func:`insert` for one row, an
``INSERT`` compiled once per process, and :func:`copy_insert` for many, PostgreSQL's
``COPY ... FROM STDIN``. Both write the columns :func:`new_row_fields` names and prepare each
value as ``save()`` and ``bulk_create`` do, so the stored row is the one the ORM would store.

:func:`insert`: ``Model.save()`` on a new row compiles the same ``INSERT`` again for every row
(an ``InsertQuery``, its compiler, a placeholder and a parameter list per field); for the rows
an API create writes (the signal, its audit entry, an idempotency record) that was a quarter of
their cost on the client (docs/benchmarks.md, "Intake API"). Here Django's own compiler writes
the statement once per model and database, and per row only the values are prepared: every
field's ``pre_save`` (``auto_now_add`` sets the time on the object too) and
``get_db_prep_save``, related objects checked and their keys picked up. Like ``save()`` it
sends ``pre_save`` and ``post_save``, runs in the caller's transaction (marked for rollback when
the statement fails) and sets the new key on the object. It does not call the model's own
``save()``: use it for models whose ``save()`` adds nothing to a new row.

:func:`copy_insert`: ``bulk_create`` builds one ``INSERT`` of 2,000 rows, every value quoted
into the SQL text, then parses a ``RETURNING`` of every key. ``COPY`` streams the same values as
tab-separated lines and returns nothing: 0.03 instead of 0.07 CPU-ms a row on the client for the
import's signals (docs/benchmarks.md, "Import"). It gives no keys back (the caller looks them up
when it needs them) and bypasses ``connection.execute_wrapper()`` hooks. PostgreSQL only
(psycopg 3); elsewhere :func:`supports_copy` says no and the caller uses ``bulk_create``.

When such a shortcut is allowed and how it is tested: docs/adr/0003-speed-shortcuts.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

ModelT = TypeVar("ModelT", bound=models.Model)


@cache
def new_row_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns a new ``model`` row gets from Python: its concrete fields but the
    auto-increment key, which the database numbers.

    Refused (``TypeError``), because the row would then differ from what ``save()`` stores or
    the statement from row to row: proxy models and models with parents (multi-table
    inheritance: one row in several tables), models without an auto-increment key, columns the
    database fills (a database default, a generated column: neither statement reads them back),
    and fields that write their own placeholder SQL (geometry).
    """
    meta = model._meta
    key = meta.auto_field
    fields = [f for f in meta.local_concrete_fields if f is not key]
    refused = [
        f.name
        for f in fields
        if f.generated or f.db_default is not models.NOT_PROVIDED or hasattr(f, "get_placeholder")
    ]
    if refused or meta.parents or meta.proxy or key is None:
        raise TypeError(f"cannot store new {meta.label} rows directly {refused}")
    return fields


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: list[models.Field[Any, Any]]


@cache
def _statement(model: type[models.Model], alias: str) -> _Statement:
    """The ``INSERT ... RETURNING`` key that ``save()`` of a new ``model`` row runs on ``alias``."""
    fields = new_row_fields(model)
    key = model._meta.auto_field
    if model._meta.db_returning_fields != [key]:
        raise TypeError(f"cannot store new {model._meta.label} rows directly: it returns more")
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


def supports_copy(connection: BaseDatabaseWrapper) -> bool:
    """Whether :func:`copy_insert` can write through ``connection``."""
    return connection.vendor == "postgresql"


def _column(
    field: models.Field[Any, Any], objs: Sequence[models.Model], connection: BaseDatabaseWrapper
) -> list[Any]:
    """One field's values for ``objs``, made as ``bulk_create`` makes them: the field's
    ``pre_save`` (overridden by a few fields only: the ``auto_now`` times), then its own
    ``get_db_prep_save``. Column by column and once per distinct value: a chunk of signals
    has one organisation and batch, a handful of channels, services and departments."""
    if type(field).pre_save is models.Field.pre_save:
        values = list(map(attrgetter(field.attname), objs))
    else:
        values = [field.pre_save(obj, True) for obj in objs]
    prepare = field.get_db_prep_save
    # Equal values of one type prepare alike (two aware times of one instant are one
    # timestamptz); across types not always (True and 1 in a text or JSON column, 0.0 and
    # -0.0): those columns are prepared value by value.
    kinds = set(map(type, values)) - {type(None)}
    if len(kinds) > 1 or float in kinds or isinstance(field, models.JSONField):
        return [prepare(value, connection) for value in values]
    try:
        distinct = dict.fromkeys(values)
    except TypeError:  # a value that cannot be a key (a list)
        return [prepare(value, connection) for value in values]
    if len(distinct) == len(values):  # texts, references, times: all different
        return [prepare(value, connection) for value in values]
    prepared = {value: prepare(value, connection) for value in distinct}
    return list(map(prepared.__getitem__, values))


def copy_insert(objs: Sequence[ModelT], *, connection: BaseDatabaseWrapper) -> int:
    """Insert ``objs`` (new instances of one model, without a key) with one ``COPY``.

    Runs in the caller's transaction; a violated constraint raises Django's
    ``IntegrityError``, as ``bulk_create`` would, and nothing of ``objs`` is stored. The
    instances are marked as saved (``_state``) but their ``pk`` stays ``None``: ``COPY``
    returns no keys. Returns the number of rows written.
    """
    if not objs:
        return 0
    model = type(objs[0])
    for obj in objs:
        if type(obj) is not model or obj.pk is not None:
            raise ValueError(f"copy_insert takes new {model.__name__} rows only")
        # As bulk_create: refuses an unsaved related object, picks up its key.
        obj._prepare_related_fields_for_save(  # type: ignore[attr-defined]  # not in the stubs
            operation_name="copy_insert"
        )
    fields = new_row_fields(model)
    rows = zip(*(_column(field, objs, connection) for field in fields), strict=True)
    statement = "COPY {} ({}) FROM STDIN".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(field.column) for field in fields),
    )
    with connection.cursor() as cursor:
        # Logged like any query where queries are logged (DEBUG, the tests' query capture).
        logged = cursor.debug_sql(statement) if isinstance(cursor, CursorDebugWrapper) else None
        # The psycopg cursor under Django's wrapper; its errors are turned into Django's.
        with (
            logged or nullcontext(),
            connection.wrap_database_errors,
            cursor.cursor.copy(statement) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return len(objs)
