"""Every periodic job of Leerlus, declared in one place.

django-celery-beat copies this table into its database on start, where an administrator can
pause a job or change its time in the admin.
"""

from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Every minute, so /health can tell whether a worker is taking jobs.
    "worker-heartbeat": {"task": "leerlus.core.tasks.record_worker_heartbeat", "schedule": 60.0},
    # Nightly at 03:15 UTC, outside office hours: removes expired contact details, original
    # texts and signals per organisation (AVG retention), and day-old idempotency keys.
    "feedback-retention": {
        "task": "leerlus.feedback.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=15),
    },
}
