# SPDX-License-Identifier: EUPL-1.2
"""OpenID Connect login for staff through the organisation's identity provider.

New users join ``OIDC_DEFAULT_ORGANISATION`` without any role; an administrator grants roles.
"""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from . import audit
from .models import Organisation, User

# The session key saying this login's identity provider reported a second factor.
IDENTITY_PROVIDER_MFA = "leerlus_identity_provider_mfa"


def mfa_claimed(claims: dict[str, Any]) -> bool:
    """Whether an ID token says the login used more than a password: an authentication method
    (``amr``, RFC 8176) in OIDC_MFA_AMR_VALUES or a level (``acr``) in OIDC_MFA_ACR_VALUES."""
    methods = claims.get("amr") or []
    if isinstance(methods, str):
        methods = [methods]
    return bool(set(methods) & set(settings.OIDC_MFA_AMR_VALUES)) or (
        claims.get("acr") in settings.OIDC_MFA_ACR_VALUES
    )


class LeerlusOIDCBackend(OIDCAuthenticationBackend):
    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None:
            # Read by the callback view once the login is done (a login may start a new session).
            user.identity_provider_mfa = mfa_claimed(payload)
        return user

    def create_user(self, claims: dict[str, Any]) -> User:
        organisation = Organisation.objects.filter(slug=settings.OIDC_DEFAULT_ORGANISATION).first()
        user = User.objects.create_user(
            username=self.get_username(claims),
            email=claims.get("email", ""),
            first_name=claims.get("given_name", ""),
            last_name=claims.get("family_name", ""),
            organisation=organisation,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        audit.record(
            action="person.create_via_oidc",
            actor=None,
            obj=user,
            organisation=organisation,
            actor_label="oidc",
        )
        return user

    def get_username(self, claims: dict[str, Any]) -> str:
        return str(claims.get("preferred_username") or claims.get("email") or claims["sub"])[:150]

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return User.objects.filter(username=self.get_username(claims))


class LeerlusOIDCCallbackView(OIDCAuthenticationCallbackView):
    """mozilla-django-oidc's callback, which also keeps in the session whether the identity
    provider reported a second factor (``leerlus.accounts.middleware``)."""

    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        self.request.session[IDENTITY_PROVIDER_MFA] = bool(
            getattr(self.user, "identity_provider_mfa", False)
        )
        return response
