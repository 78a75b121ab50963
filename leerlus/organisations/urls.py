# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_view, name="detail"),
    path("people", views.people_view, name="people"),
    path("audit-log", views.audit_view, name="audit"),
]
