# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from ..views import signals as views

app_name = "feedback"
urlpatterns = [
    path("", views.feedback_list_view, name="list"),
    path("quick", views.quick_entry_view, name="quick_entry"),
    path("export", views.feedback_export_view, name="export"),
    path("<str:reference>", views.feedback_detail_view, name="detail"),
]

public_urlpatterns = [
    path("<slug:slug>", views.public_form_view, name="form"),
    path("<slug:slug>/thanks", views.thanks_view, name="thanks"),
    path("<slug:slug>/we-did", views.we_did_view, name="we_did"),
]
