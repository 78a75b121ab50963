# SPDX-License-Identifier: EUPL-1.2
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from django.utils import timezone

from .models import WorkerHeartbeat


@dataclass(frozen=True)
class Health:
    database: bool
    workers: int

    @property
    def status(self) -> str:
        if not self.database:
            return "down"
        return "ok" if self.workers else "degraded"


def health_check() -> Health:
    """Whether the database answers and how many workers sent a recent heartbeat."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Health(database=False, workers=0)
    max_age = timedelta(seconds=settings.LEERLUS_WORKER_HEARTBEAT_MAX_AGE)
    workers = WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - max_age).count()
    return Health(database=True, workers=workers)
