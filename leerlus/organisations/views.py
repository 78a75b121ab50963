# SPDX-License-Identifier: EUPL-1.2
import csv

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from leerlus.engine import cells

from . import audit, selectors
from .models import AuditEntry
from .permissions import capability_required, member_of
from .roles import Capability, Role


@capability_required(Capability.VIEW_ORGANISATION)
def organisation_view(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": member.organisation,
            "departments": selectors.departments_of(organisation=member.organisation),
            "services": selectors.services_of(organisation=member.organisation),
        },
    )


@capability_required(Capability.MANAGE_PEOPLE)
def people_view(request: HttpRequest) -> HttpResponse:
    """The access review: who has which role (BIO2: access rights must be reviewable)."""
    member = member_of(request)
    people = selectors.people_of(organisation=member.organisation)
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(username__icontains=query) | people.filter(
            last_name__icontains=query
        )
    if request.GET.get("format") == "csv":
        audit.record(action="access_review.export", actor=member.person, request=request)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="access-review-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(["username", "name", "department", "roles", "active", "last_login"])
        for person in people:
            writer.writerow(
                cells.safe_row(
                    [
                        person.username,
                        person.get_full_name(),
                        person.department.name if person.department else "",
                        " ".join(a.role for a in person.role_assignments.all()),
                        "yes" if person.is_active else "no",
                        person.last_login.isoformat() if person.last_login else "",
                    ]
                )
            )
        return response
    return render(
        request,
        "organisations/people.html",
        {"people": people, "query": query, "roles": dict(Role.choices)},
    )


@capability_required(Capability.VIEW_AUDIT_LOG)
def audit_view(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    filters = {
        "action": request.GET.get("action", ""),
        "actor": request.GET.get("actor", "").strip(),
        "result": request.GET.get("result", ""),
    }
    entries = selectors.audit_entries_of(organisation=member.organisation, **filters)
    page = Paginator(entries.select_related("actor"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/audit.html",
        {
            "page": page,
            "filters": filters,
            "actions": selectors.audit_actions_of(organisation=member.organisation),
            "results": AuditEntry.Result.choices,
        },
    )
