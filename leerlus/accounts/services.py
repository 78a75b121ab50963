# SPDX-License-Identifier: EUPL-1.2
"""The second factor (TOTP): set up, confirm, verify at log-in and remove. All audited."""

from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from leerlus.organisations import audit
from leerlus.organisations.models import AuditEntry, User


def confirmed_device(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device shown during set-up; the same one until it is confirmed."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    return device


def verify_code(*, device: TOTPDevice, code: str, request: HttpRequest, user: User) -> bool:
    """Checks a code with django-otp's throttling (each failure doubles the wait)."""
    allowed, _ = device.verify_is_allowed()
    ok = bool(allowed) and device.verify_token(code)
    audit.record(
        action="second_factor.verify",
        actor=user,
        result=AuditEntry.Result.SUCCESS if ok else AuditEntry.Result.FAILURE,
        request=request,
    )
    return ok


@transaction.atomic
def second_factor_confirm(*, user: User, code: str, request: HttpRequest) -> bool:
    device = pending_device(user)
    if not verify_code(device=device, code=code, request=request, user=user):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit.record(action="second_factor.enable", actor=user, request=request)
    return True


def second_factor_confirm_login(*, user: User, code: str, request: HttpRequest) -> bool:
    """A code from the person's device confirms the login they are in (already logged in with
    a password only: the device was set up since, or the identity provider gave no MFA)."""
    device = confirmed_device(user)
    if device is None or not verify_code(device=device, code=code, request=request, user=user):
        return False
    otp_login(request, device)
    return True


@transaction.atomic
def second_factor_remove(*, user: User, code: str, request: HttpRequest) -> bool:
    device = confirmed_device(user)
    if device is None or not verify_code(device=device, code=code, request=request, user=user):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    audit.record(action="second_factor.disable", actor=user, request=request)
    return True
