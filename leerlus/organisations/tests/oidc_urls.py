# SPDX-License-Identifier: EUPL-1.2
"""Leerlus's URLs with the OIDC callback, which ``leerlus.urls`` adds only when OIDC is on."""

from django.urls import include, path

from leerlus.urls import urlpatterns as leerlus_urlpatterns

urlpatterns = [*leerlus_urlpatterns, path("oidc/", include("mozilla_django_oidc.urls"))]
