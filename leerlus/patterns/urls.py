# SPDX-License-Identifier: EUPL-1.2
"""Staff pages of the patterns app, under /patterns/: themes and their curation, alerts,
events and the monthly report."""

from django.urls import path

from .views import alerts, curation, discovery, events, report, themes

app_name = "patterns"

urlpatterns = [
    # Themes, their discovery and their curation
    path("themes/", themes.themes_view, name="themes"),
    path("themes/discover/", discovery.discovery_start_view, name="discovery_start"),
    path(
        "themes/discovery/<int:pk>/", discovery.discovery_progress_view, name="discovery_progress"
    ),
    path("themes/suggestions/", themes.theme_suggestions_view, name="theme_suggestions"),
    path("themes/<int:pk>/", themes.theme_view, name="theme"),
    path(
        "themes/<int:pk>/events/<int:event_pk>/changes/",
        themes.theme_event_changes_view,
        name="theme_event_changes",
    ),
    path("themes/<int:pk>/rename/", curation.theme_rename_view, name="theme_rename"),
    path("themes/<int:pk>/merge/", curation.theme_merge_view, name="theme_merge"),
    path("themes/<int:pk>/split/", curation.theme_split_view, name="theme_split"),
    *[
        path(
            f"themes/<int:pk>/{operation}/",
            curation.theme_toggle_view,
            {"operation": operation},
            name=f"theme_{operation}",
        )
        for operation in ("pin", "unpin", "hide", "show")
    ],
    path("themes/<int:pk>/move/", curation.example_move_view, name="example_move"),
    path("themes/curation/<int:pk>/undo/", curation.curation_undo_view, name="curation_undo"),
    # Alerts
    path("alerts/", alerts.alert_list_view, name="alerts"),
    path("alerts/subscription", alerts.alert_subscription_view, name="alert_subscription"),
    path("alerts/<int:pk>", alerts.alert_detail_view, name="alert"),
    *[
        path(
            f"alerts/<int:pk>/{operation}",
            alerts.alert_status_view,
            {"operation": operation},
            name=f"alert_{operation}",
        )
        for operation in ("acknowledge", "reopen")
    ],
    path("alerts/<int:pk>/dismiss", alerts.alert_dismiss_view, name="alert_dismiss"),
    path("alerts/<int:pk>/assign", alerts.alert_assign_view, name="alert_assign"),
    # Events
    path("events/", events.event_list_view, name="events"),
    path("events/new", events.event_create_view, name="event_create"),
    path("events/<int:pk>", events.event_detail_view, name="event"),
    path("events/<int:pk>/edit", events.event_update_view, name="event_update"),
    path("events/<int:pk>/delete", events.event_delete_view, name="event_delete"),
    # The monthly report
    path("report/", report.report_view, name="report"),
    path("report/pdf", report.report_pdf_view, name="report_pdf"),
]
