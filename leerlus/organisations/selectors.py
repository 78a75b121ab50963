"""Reads of organisation data, always scoped to the asking user's organisation."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet

from .models import AuditEntry, Department, Organisation, RoleAssignment, Service, User


def _organisation_id(user: User) -> int:
    """The user's organisation; without one there is nothing to see."""
    if user.organisation_id is None:
        raise PermissionDenied
    return user.organisation_id


def departments_of(*, user: User) -> QuerySet[Department]:
    return Department.objects.filter(organisation_id=_organisation_id(user)).order_by("name")


def services_of(*, user: User) -> QuerySet[Service]:
    return (
        Service.objects.filter(organisation_id=_organisation_id(user))
        .select_related("department")
        .order_by("name")
    )


def people_of(*, user: User) -> QuerySet[User]:
    return (
        User.objects.filter(organisation_id=_organisation_id(user))
        .select_related("department")
        .prefetch_related(
            Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role"))
        )
        .order_by("last_name", "first_name", "username")
    )


def audit_entries_of(
    *, user: User, action: str = "", actor: str = "", result: str = ""
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(organisation_id=_organisation_id(user))
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if result:
        entries = entries.filter(result=result)
    return entries


def audit_actions_of(*, user: User) -> list[str]:
    return list(
        AuditEntry.objects.filter(organisation_id=_organisation_id(user))
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


def organisation_by_slug(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug).first()
