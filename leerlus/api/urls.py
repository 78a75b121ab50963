# SPDX-License-Identifier: EUPL-1.2
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from leerlus.feedback import api as feedback
from leerlus.organisations import api as organisations
from leerlus.patterns.api import alerts as pattern_alerts
from leerlus.patterns.api import events as pattern_events
from leerlus.patterns.api import themes as pattern_themes

from . import views

app_name = "api"
urlpatterns = [
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", views.docs_view, name="docs"),
    path("me", organisations.MeView.as_view(), name="me"),
    path("organisation", organisations.OrganisationView.as_view(), name="organisation"),
    path("departments", organisations.DepartmentList.as_view(), name="department-list"),
    path(
        "departments/<slug:slug>",
        organisations.DepartmentDetail.as_view(),
        name="department-detail",
    ),
    path("services", organisations.ServiceList.as_view(), name="service-list"),
    path("services/<slug:slug>", organisations.ServiceDetail.as_view(), name="service-detail"),
    path("feedback", feedback.FeedbackListCreate.as_view(), name="feedback-list"),
    path("feedback/bulk", feedback.FeedbackBulkCreate.as_view(), name="feedback-bulk"),
    path("feedback/<str:reference>", feedback.FeedbackDetail.as_view(), name="feedback-detail"),
    path("inbound-email", feedback.InboundEmail.as_view(), name="inbound-email"),
    path("themes", pattern_themes.ThemeList.as_view(), name="theme-list"),
    path("themes/<int:pk>", pattern_themes.ThemeDetail.as_view(), name="theme-detail"),
    path("alerts", pattern_alerts.AlertList.as_view(), name="alert-list"),
    path("alerts/<int:pk>", pattern_alerts.AlertDetail.as_view(), name="alert-detail"),
    path("events", pattern_events.EventList.as_view(), name="event-list"),
    path("events/<int:pk>", pattern_events.EventDetail.as_view(), name="event-detail"),
    path("audit-entries", organisations.AuditEntryList.as_view(), name="audit-entry-list"),
]
