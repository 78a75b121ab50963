# SPDX-License-Identifier: EUPL-1.2
"""Reads of organisation data, always scoped to the asking person's organisation (the
``organisation`` that ``permissions.member_of`` gives a view)."""

from django.db.models import Prefetch, QuerySet

from .models import AuditEntry, Department, Organisation, RoleAssignment, Service, User


def departments_of(*, organisation: Organisation) -> QuerySet[Department]:
    return Department.objects.filter(organisation=organisation).order_by("name")


def services_of(*, organisation: Organisation) -> QuerySet[Service]:
    return (
        Service.objects.filter(organisation=organisation)
        .select_related("department")
        .order_by("name")
    )


def people_of(*, organisation: Organisation) -> QuerySet[User]:
    return (
        User.objects.filter(organisation=organisation)
        .select_related("department")
        .prefetch_related(
            Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role"))
        )
        .order_by("last_name", "first_name", "username")
    )


def audit_entries_of(
    *, organisation: Organisation, action: str = "", actor: str = "", result: str = ""
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(organisation=organisation)
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if result:
        entries = entries.filter(result=result)
    return entries


def audit_actions_of(*, organisation: Organisation) -> list[str]:
    return list(
        AuditEntry.objects.filter(organisation=organisation)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


def organisation_by_slug(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug).first()
