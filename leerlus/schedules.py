"""Every periodic job of Leerlus, declared in one place.

django-celery-beat copies this table into its database on start, where an administrator can
pause a job or change its time in the admin.
"""

from typing import Any

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Every minute, so /health can tell whether a worker is taking jobs.
    "worker-heartbeat": {"task": "leerlus.core.tasks.record_worker_heartbeat", "schedule": 60.0},
}
