# SPDX-License-Identifier: EUPL-1.2
"""The request's user learns whether this login passed a second factor."""

from typing import Any

from django.http import HttpRequest

from leerlus.core.fastpath.middleware import OTPMiddleware
from leerlus.organisations.oidc import IDENTITY_PROVIDER_MFA


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (the TOTP device this session was verified with; token calls
    pass straight through), and for an OIDC login whose claims said MFA,
    ``second_factor_elsewhere`` (``User.second_factor_verified``)."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        user = super()._verify_user_sync(request, user)
        if user.is_authenticated and request.session.get(IDENTITY_PROVIDER_MFA):
            user.second_factor_elsewhere = "identity provider"
        return user
