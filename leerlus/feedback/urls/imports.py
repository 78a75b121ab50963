# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from ..views import imports as views

app_name = "imports"
urlpatterns = [
    path("", views.import_start_view, name="start"),
    path("<int:pk>/", views.import_progress_view, name="progress"),
    path("<int:pk>/mapping/", views.import_mapping_view, name="mapping"),
    path("<int:pk>/preview/", views.import_preview_view, name="preview"),
    path("<int:pk>/run/", views.import_run_view, name="run"),
    path("<int:pk>/result/", views.import_result_view, name="result"),
    path("<int:pk>/resume/", views.import_resume_view, name="resume"),
    path("<int:pk>/rejected.csv", views.import_rejected_csv_view, name="rejected_csv"),
    path("<int:pk>/corrected/", views.import_corrected_view, name="corrected"),
    path(
        "<int:pk>/rejected/<int:row_pk>/",
        views.import_correct_row_view,
        name="correct_row",
    ),
]
