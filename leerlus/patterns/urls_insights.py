"""Alerts inbox, events register and the monthly pattern report, under /patterns/."""

from django.urls import path

from . import views_insights as views

urlpatterns = [
    path("alerts/", views.alert_list_view, name="alerts"),
    path("alerts/subscription", views.alert_subscription_view, name="alert_subscription"),
    path("alerts/<int:pk>", views.alert_detail_view, name="alert"),
    *[
        path(
            f"alerts/<int:pk>/{operation}",
            views.alert_status_view,
            {"operation": operation},
            name=f"alert_{operation}",
        )
        for operation in ("acknowledge", "reopen")
    ],
    path("alerts/<int:pk>/dismiss", views.alert_dismiss_view, name="alert_dismiss"),
    path("alerts/<int:pk>/assign", views.alert_assign_view, name="alert_assign"),
    path("events/", views.event_list_view, name="events"),
    path("events/new", views.event_create_view, name="event_create"),
    path("events/<int:pk>", views.event_detail_view, name="event"),
    path("events/<int:pk>/edit", views.event_update_view, name="event_update"),
    path("events/<int:pk>/delete", views.event_delete_view, name="event_delete"),
    path("report/", views.report_view, name="report"),
    path("report/pdf", views.report_pdf_view, name="report_pdf"),
]
