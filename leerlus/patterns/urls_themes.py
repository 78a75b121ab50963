"""Themes overview, detail and curation (filled by the themes work)."""

urlpatterns: list = []
