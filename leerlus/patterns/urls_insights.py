"""Alerts inbox, events register and the monthly report (filled by that work)."""

urlpatterns: list = []
