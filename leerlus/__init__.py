"""Leerlus: digital transformation as a learning loop for public organisations."""

from .celery import app as celery_app

__all__ = ["celery_app"]
