"""Themes overview, theme detail and the curation of themes, under /patterns/themes/."""

from django.urls import path

from . import views_themes as views

urlpatterns = [
    path("", views.themes_view, name="themes"),
    path("discover/", views.discovery_start_view, name="discovery_start"),
    path("discovery/<int:pk>/", views.discovery_progress_view, name="discovery_progress"),
    path("suggestions/", views.theme_suggestions_view, name="theme_suggestions"),
    path("<int:pk>/", views.theme_view, name="theme"),
    path(
        "<int:pk>/events/<int:event_pk>/changes/",
        views.theme_event_changes_view,
        name="theme_event_changes",
    ),
    path("<int:pk>/rename/", views.theme_rename_view, name="theme_rename"),
    path("<int:pk>/merge/", views.theme_merge_view, name="theme_merge"),
    path("<int:pk>/split/", views.theme_split_view, name="theme_split"),
    *[
        path(
            f"<int:pk>/{operation}/",
            views.theme_toggle_view,
            {"operation": operation},
            name=f"theme_{operation}",
        )
        for operation in ("pin", "unpin", "hide", "show")
    ],
    path("<int:pk>/move/", views.example_move_view, name="example_move"),
    path("curation/<int:pk>/undo/", views.curation_undo_view, name="curation_undo"),
]
