# SPDX-License-Identifier: EUPL-1.2
"""Capability checks for views and the API, always within the user's own organisation."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from .models import Organisation, User
from .roles import Capability

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def staff_user(request: HttpRequest | Request) -> User:
    """The logged-in member of an organisation, or PermissionDenied."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated or user.organisation_id is None:
        raise PermissionDenied
    return user


@dataclass(frozen=True)
class Member:
    """Whose request this is: the person and the organisation every read is scoped to."""

    person: User
    organisation: Organisation


def member_of(request: HttpRequest | Request) -> Member:
    """The one way views and API calls learn their person and organisation (else 403).

    Every selector then takes ``organisation=`` (and ``viewer=`` where what a person may see
    depends on their capabilities), so no view reads ``request.user.organisation`` itself.
    """
    person = staff_user(request)
    organisation = person.organisation
    assert organisation is not None  # staff_user refuses people without one
    return Member(person=person, organisation=organisation)


def second_factor_url(request: HttpRequest) -> str:
    """The page that asks for the second factor, and from there back to this one."""
    return f"{reverse('accounts:second_factor_needed')}?next={quote(request.get_full_path())}"


def capability_required(capability: Capability) -> Callable[[ViewFunc], ViewFunc]:
    """Log in first; then the user's roles must grant ``capability`` (else 403), and where it
    needs a second factor this login must have passed one (else to the page asking for it)."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            person = staff_user(request)
            if not person.holds(capability):
                raise PermissionDenied
            if person.needs_second_factor_for(capability):
                return HttpResponseRedirect(second_factor_url(request))
            return view(request, *args, **kwargs)

        return cast(ViewFunc, login_required(wrapped))

    return decorator


class SecondFactorRequired(exceptions.PermissionDenied):
    default_detail = _(
        "This operation shows personal data or changes roles: it needs a login with a second "
        "factor (a code from an authenticator app, or MFA at your identity provider). An API "
        "token has none unless API_TOKENS_COUNT_AS_SECOND_FACTOR is on."
    )
    default_code = "second_factor_required"


class IsOrganisationMember(BasePermission):
    """API access for people who belong to an organisation; the data is scoped to it."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(user, User) and user.is_active and user.organisation_id is not None


def has_capability(capability: Capability) -> type[BasePermission]:
    class HasCapability(IsOrganisationMember):
        def has_permission(self, request: Request, view: APIView) -> bool:
            if not super().has_permission(request, view):
                return False
            person = cast(User, request.user)
            if person.needs_second_factor_for(capability):
                raise SecondFactorRequired
            return person.holds(capability)

    HasCapability.__name__ = f"Has{capability.value.title().replace('_', '')}"
    return HasCapability
