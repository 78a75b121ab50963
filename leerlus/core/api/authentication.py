# SPDX-License-Identifier: EUPL-1.2
"""Token authentication that loads the caller once: user, organisation and roles."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from leerlus.core.memo import ExpiringCache

# A revoked token, a deactivated account or a changed role counts on the API within this time.
callers: ExpiringCache[str, Token] = ExpiringCache(settings.LEERLUS_API_CALLER_CACHE_SECONDS)


def _load(key: str) -> Token | None:
    token = Token.objects.select_related("user__organisation").filter(key=key).first()
    if token is not None:
        token.user.capabilities  # noqa: B018 -- the role query, once, while the token is kept
    return token


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check, with the user's organisation and roles loaded at once and kept for
    a few seconds (``LEERLUS_API_CALLER_CACHE_SECONDS``): every API call needs them."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        token = callers.get_or_load(key, lambda: _load(key))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # A token is one secret, no second factor, unless the installation lets it count as one
        # (User.second_factor_verified; docs/privacy.md, "Second factor").
        token.user.second_factor_elsewhere = (
            "api token" if settings.LEERLUS_API_TOKENS_COUNT_AS_SECOND_FACTOR else ""
        )
        return token.user, token
