# SPDX-License-Identifier: EUPL-1.2
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from leerlus.feedback.urls.signals import public_urlpatterns as feedback_public
from leerlus.site import views as site

urlpatterns = [
    path("", include("leerlus.site.urls")),
    path("health", site.health_view, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("leerlus.accounts.urls")),
    path("organisation/", include("leerlus.organisations.urls")),
    path("signals/imports/", include("leerlus.feedback.urls.imports")),
    path("signals/", include("leerlus.feedback.urls.signals")),
    path("feedback/", include((feedback_public, "public"))),
    path("patterns/", include("leerlus.patterns.urls")),
    path("api/v1/", include("leerlus.api.urls")),
    path("admin/", admin.site.urls),
]
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

handler404 = "leerlus.site.views.not_found_view"
handler500 = "leerlus.site.views.server_error_view"
