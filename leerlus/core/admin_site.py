# SPDX-License-Identifier: EUPL-1.2
from urllib.parse import quote

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class LeerlusAdminSite(admin.AdminSite):
    """The admin uses Leerlus's own log-in and, where required, a verified second factor."""

    site_header = _("Leerlus administration")
    site_title = _("Leerlus administration")

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        if settings.LEERLUS_REQUIRE_SECOND_FACTOR:
            return bool(request.user.second_factor_verified())  # type: ignore[union-attr]
        return True

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        next_url = request.GET.get("next", reverse("admin:index"))
        if request.user.is_authenticated:
            # Logged in, yet not allowed: the usual reason is a missing second factor.
            return redirect(f"{reverse('accounts:second_factor_needed')}?next={quote(next_url)}")
        return redirect(f"{reverse('accounts:login')}?next={quote(next_url)}")


class LeerlusAdminConfig(AdminConfig):
    default_site = "leerlus.core.admin_site.LeerlusAdminSite"
