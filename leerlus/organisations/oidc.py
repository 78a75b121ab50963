# SPDX-License-Identifier: EUPL-1.2
"""OpenID Connect login for staff through the organisation's identity provider.

New users join ``OIDC_DEFAULT_ORGANISATION`` without any role; an administrator grants roles.
"""

from typing import Any

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import audit
from .models import Organisation, User


class LeerlusOIDCBackend(OIDCAuthenticationBackend):
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
