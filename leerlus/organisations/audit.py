# SPDX-License-Identifier: EUPL-1.2
"""Writing the audit log. Every service that changes or reveals something calls ``record``."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from leerlus.core.addresses import client_address
from leerlus.core.fastpath import newrows

from .models import AuditEntry, Organisation, User


def origin_of(request: HttpRequest | None) -> str | None:
    """The client address (``X-Forwarded-For`` only from a trusted proxy), as the login lockout
    and the rate limits see it."""
    return client_address(request) if request is not None else None


def record(
    *,
    action: str,
    actor: User | None,
    result: str = AuditEntry.Result.SUCCESS,
    obj: models.Model | None = None,
    organisation: Organisation | None = None,
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    if organisation is None and actor is not None:
        organisation = actor.organisation
    entry = AuditEntry(
        organisation=organisation,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label or (actor.get_username() if actor is not None else "system"),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        result=result,
        origin=origin_of(request),
        details=details or {},
    )
    # One entry per change or view, so its INSERT is compiled once per process, not each time.
    # AuditEntry.save() only refuses to change an entry; insert() writes new rows only.
    newrows.insert(entry)
    return entry
