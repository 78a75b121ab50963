# SPDX-License-Identifier: EUPL-1.2
"""Writes of organisations, departments, services and people. Each one is audited."""

from collections.abc import Iterable

from django.db import transaction
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from . import audit
from .models import Department, Organisation, RoleAssignment, Service, User
from .roles import Role


@transaction.atomic
def organisation_create(
    *, name: str, slug: str, actor: User | None = None, request: HttpRequest | None = None
) -> Organisation:
    organisation = Organisation(name=name, slug=slug)
    organisation.full_clean()
    organisation.save()
    audit.record(
        action="organisation.create",
        actor=actor,
        obj=organisation,
        organisation=organisation,
        request=request,
    )
    return organisation


@transaction.atomic
def department_create(
    *, organisation: Organisation, name: str, slug: str, actor: User | None = None
) -> Department:
    department = Department(organisation=organisation, name=name, slug=slug)
    department.full_clean()
    department.save()
    audit.record(action="department.create", actor=actor, obj=department, organisation=organisation)
    return department


@transaction.atomic
def service_create(
    *,
    organisation: Organisation,
    name: str,
    slug: str,
    department: Department | None = None,
    actor: User | None = None,
) -> Service:
    service = Service(organisation=organisation, name=name, slug=slug, department=department)
    service.full_clean()
    service.save()
    audit.record(action="service.create", actor=actor, obj=service, organisation=organisation)
    return service


@transaction.atomic
def person_create(
    *,
    organisation: Organisation,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    department: Department | None = None,
    roles: Iterable[str] = (),
    actor: User | None = None,
) -> User:
    """A personal staff account; ``password=None`` leaves it to OIDC or a reset link."""
    user = User(
        organisation=organisation,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        department=department,
        is_staff=Role.ADMINISTRATOR in set(roles),
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(action="person.create", actor=actor, obj=user, organisation=organisation)
    for role in roles:
        role_grant(user=user, role=role, actor=actor)
    return user


@transaction.atomic
def role_grant(
    *, user: User, role: str, actor: User | None = None, request: HttpRequest | None = None
) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=Role(role))
    if created:
        audit.record(
            action="role.grant",
            actor=actor,
            obj=user,
            organisation=user.organisation,
            request=request,
            details={"role": role},
        )
    user.__dict__.pop("role_names", None)
    user.__dict__.pop("capabilities", None)
    return assignment


@transaction.atomic
def role_revoke(
    *, user: User, role: str, actor: User | None = None, request: HttpRequest | None = None
) -> None:
    deleted, _ = RoleAssignment.objects.filter(user=user, role=role).delete()
    if deleted:
        audit.record(
            action="role.revoke",
            actor=actor,
            obj=user,
            organisation=user.organisation,
            request=request,
            details={"role": role},
        )
    user.__dict__.pop("role_names", None)
    user.__dict__.pop("capabilities", None)


@transaction.atomic
def api_token_create(*, user: User, actor: User | None = None) -> str:
    """A new API token for ``user``; an earlier one stops working."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit.record(action="api_token.create", actor=actor, obj=user, organisation=user.organisation)
    return str(token.key)
