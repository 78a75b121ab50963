# SPDX-License-Identifier: EUPL-1.2
"""Login lockout: django-axes per username + address, and per address across usernames.

Password spraying tries a few passwords on each of many accounts, never enough on one to
lock it. django-axes can count per address too (``AXES_LOCKOUT_PARAMETERS`` with
``"ip_address"``), but it compares the largest of its counts with one limit, so an office
behind one address would be locked after five typos in all, and its reset on success would
clear the address's count whenever anybody there logs in. So the address has its own, higher
limit (``LEERLUS_LOGIN_FAILURE_LIMIT_PER_ADDRESS``), counted over the failures axes stores
per username + address within the cool-off time: a successful log-in clears only its own
username's.
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.db.models import Sum
from django.http import HttpRequest


class LoginLockoutHandler(AxesDatabaseHandler):
    """django-axes's database handler, also locking an address with too many failures."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        return bool(super().is_locked(request, credentials)) or self._address_locked(request)

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self._address_locked(request):
            # What axes does at its own limit: the middleware answers with the lockout page.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]

    def _address_locked(self, request: HttpRequest) -> bool:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        return bool(failures >= settings.LEERLUS_LOGIN_FAILURE_LIMIT_PER_ADDRESS)
