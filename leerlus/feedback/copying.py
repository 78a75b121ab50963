"""Storing many new rows with PostgreSQL's ``COPY ... FROM STDIN`` instead of ``INSERT``.

``bulk_create`` builds one ``INSERT`` of 2,000 rows: the SQL text with every value quoted into
it, then a ``RETURNING`` of every key parsed back. ``COPY`` streams the same values as tab-
separated lines and returns nothing: 0.03 instead of 0.07 CPU-ms a row on the client for the
import's signals, about the same on the server (see docs/benchmarks.md, "Import").

The values are exactly those ``bulk_create`` stores: every field prepares its own
(``pre_save``: ``auto_now_add`` times; ``get_db_prep_save``: aware datetimes, JSON, foreign
keys), and the database applies the same constraints. What ``COPY`` does not do: give the new
rows' keys back (the caller looks them up when it needs them), and pass through
``connection.execute_wrapper()`` hooks.

PostgreSQL only (psycopg 3); on any other database :func:`supports_copy` says no and the caller
uses ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from operator import attrgetter
from typing import Any, TypeVar

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper

ModelT = TypeVar("ModelT", bound=models.Model)


def supports_copy(connection: BaseDatabaseWrapper) -> bool:
    """Whether :func:`copy_insert` can write through ``connection``."""
    return connection.vendor == "postgresql"


def copy_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns a new row gets from Python: every concrete field but the generated ones
    and the auto-increment key (the database numbers the rows), as in ``bulk_create``.

    A field with a database default is refused: ``bulk_create`` writes ``DEFAULT`` for it
    where it is not set, which a ``COPY`` line cannot say.
    """
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.generated and not isinstance(field, models.AutoField)
    ]
    refused = [field.name for field in fields if field.db_default is not models.NOT_PROVIDED]
    if refused:
        raise TypeError(f"copy_insert cannot store {model._meta.label} rows: {refused}")
    return fields


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
    fields = copy_fields(model)
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
