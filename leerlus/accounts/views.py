# SPDX-License-Identifier: EUPL-1.2
"""Log-in in two steps: password (throttled by django-axes), then the second factor if set."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from leerlus.organisations.models import User
from leerlus.organisations.roles import Role

from . import services
from .forms import LoginForm, TokenForm

_PENDING_USER = "leerlus_second_factor_user"
_PENDING_BACKEND = "leerlus_second_factor_backend"
_PENDING_NEXT = "leerlus_second_factor_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if services.confirmed_device(user) is not None:
            request.session[_PENDING_USER] = user.pk
            request.session[_PENDING_BACKEND] = user.backend  # type: ignore[attr-defined]
            request.session[_PENDING_NEXT] = next_url
            return redirect("accounts:second_factor")
        login(request, user)
        return HttpResponseRedirect(next_url)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url, "oidc_enabled": settings.OIDC_ENABLED},
    )


@csrf_protect
@never_cache
def second_factor_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(_PENDING_USER)
    user = User.objects.filter(pk=pending, is_active=True).first() if pending else None
    device = services.confirmed_device(user) if user else None
    if user is None or device is None:
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.verify_code(
            device=device, code=form.cleaned_data["code"], request=request, user=user
        ):
            next_url = request.session.get(_PENDING_NEXT) or reverse(settings.LOGIN_REDIRECT_URL)
            login(request, user, backend=request.session[_PENDING_BACKEND])
            otp_login(request, device)
            return HttpResponseRedirect(next_url)
        _wrong_code(form)
    return render(request, "accounts/second_factor.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have been logged out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
@csrf_protect
@never_cache
def security_view(request: HttpRequest) -> HttpResponse:
    """Set up or remove the second factor."""
    user = request.user
    assert isinstance(user, User)
    device = services.confirmed_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if device is None and services.second_factor_confirm(user=user, code=code, request=request):
            messages.success(request, _("Two-step login is on. You need a code at every login."))
            return redirect("accounts:security")
        if device is not None and services.second_factor_remove(
            user=user, code=code, request=request
        ):
            messages.success(request, _("Two-step login is off."))
            return redirect("accounts:security")
        _wrong_code(form)
    context: dict[str, object] = {"form": form, "device": device, "via_oidc": _via_oidc(request)}
    if device is None:
        context.update(_setup_steps(user))
    context["user_roles"] = [Role(name).label for name in user.role_names]
    return render(request, "accounts/security.html", context)


@login_required
@csrf_protect
@never_cache
def second_factor_needed_view(request: HttpRequest) -> HttpResponse:
    """On the way to what needs a second factor (``capability_required``): enter a code, or
    link an authenticator app first, then on to the page that was asked for."""
    user = request.user
    assert isinstance(user, User)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if user.second_factor_verified() or not settings.LEERLUS_REQUIRE_SECOND_FACTOR:
        return HttpResponseRedirect(next_url)
    device = services.confirmed_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if device is None:
            confirmed = services.second_factor_confirm(user=user, code=code, request=request)
        else:
            confirmed = services.second_factor_confirm_login(user=user, code=code, request=request)
        if confirmed:
            return HttpResponseRedirect(next_url)
        _wrong_code(form)
    context: dict[str, object] = {
        "form": form,
        "device": device,
        "next": next_url,
        "via_oidc": _via_oidc(request),
    }
    if device is None:
        context.update(_setup_steps(user))
    return render(request, "accounts/second_factor_needed.html", context)


def _wrong_code(form: TokenForm) -> None:
    form.add_error("code", _("That code is not right or has expired. Try the next one."))


def _via_oidc(request: HttpRequest) -> bool:
    return bool(request.session.get(BACKEND_SESSION_KEY, "").endswith("OIDCBackend"))


def _setup_steps(user: User) -> dict[str, str]:
    """What the set-up steps show: the pending device's QR code and its key, typed out."""
    pending = services.pending_device(user)
    qr = segno.make(pending.config_url, error="m")
    return {
        "qr_svg": qr.svg_data_uri(scale=5, border=2),
        "secret": _group(_base32(pending.bin_key)),
    }


def _base32(key: bytes) -> str:
    return b32encode(key).decode().rstrip("=")


def _group(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def locked_out_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/locked_out.html", status=429)
