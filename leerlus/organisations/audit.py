# SPDX-License-Identifier: EUPL-1.2
"""Writing the audit log. Every service that changes or reveals something calls ``record``;
API views that show signals mix in :class:`AuditedReads`."""

from typing import Any

from django.db import models
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.response import Response

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


# Mixed into an API view (before DRF's class) that shows signals' texts: each answered GET
# leaves one entry, ``audit_action`` with the query's parameters and, for a page, the total
# count and the rows shown (never one entry per row). A detail view sets ``self.audited`` to
# the object it shows (in ``get_object``) and names it in :meth:`audit_details`. (A comment,
# not a docstring: the OpenAPI document would show it as every such operation's description.)
class AuditedReads:
    audit_action: str
    audited: models.Model | None = None

    def audit_details(self, request: Request, response: Response) -> dict[str, Any]:
        data = response.data
        details: dict[str, Any] = {"filters": dict(request.query_params.items())}
        if isinstance(data, dict) and "results" in data:
            details.update(count=data["count"], shown=len(data["results"]))
        return details

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        final: Response = super().finalize_response(  # type: ignore[misc]  # DRF's view
            request, response, *args, **kwargs
        )
        if request.method == "GET" and final.status_code == 200:
            actor = request.user if isinstance(request.user, User) else None
            record(
                action=self.audit_action,
                actor=actor,
                obj=self.audited,
                request=request,
                details=self.audit_details(request, final),
            )
        return final
