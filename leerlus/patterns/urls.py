"""Staff pages of the patterns app, under /patterns/."""

from django.urls import include, path

app_name = "patterns"

urlpatterns = [
    path("themes/", include("leerlus.patterns.urls_themes")),
    path("", include("leerlus.patterns.urls_insights")),
]
