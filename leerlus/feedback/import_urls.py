from django.urls import path

from . import import_views

app_name = "imports"
urlpatterns = [
    path("", import_views.import_start_view, name="start"),
    path("<int:pk>/", import_views.import_progress_view, name="progress"),
    path("<int:pk>/mapping/", import_views.import_mapping_view, name="mapping"),
    path("<int:pk>/preview/", import_views.import_preview_view, name="preview"),
    path("<int:pk>/run/", import_views.import_run_view, name="run"),
    path("<int:pk>/result/", import_views.import_result_view, name="result"),
    path("<int:pk>/rejected.csv", import_views.import_rejected_csv_view, name="rejected_csv"),
    path("<int:pk>/corrected/", import_views.import_corrected_view, name="corrected"),
    path(
        "<int:pk>/rejected/<int:row_pk>/",
        import_views.import_correct_row_view,
        name="correct_row",
    ),
]
