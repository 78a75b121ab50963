# SPDX-License-Identifier: EUPL-1.2
"""Every periodic job of Leerlus, declared in one place.

django-celery-beat copies this table into its database on start, where an administrator can
pause a job or change its time in the admin.
"""

from typing import Any
from zoneinfo import ZoneInfo

from celery.schedules import crontab
from django_celery_beat.tzcrontab import TzAwareCrontab

# Celery's clock runs in UTC (CELERY_TIMEZONE); a job people expect at a Dutch office hour
# carries its own time zone, so it stays at that hour across summer and winter time.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Every minute, so /health can tell whether a worker is taking jobs.
    "worker-heartbeat": {"task": "leerlus.core.tasks.record_worker_heartbeat", "schedule": 60.0},
    # Nightly at 03:15 UTC, outside office hours: removes expired contact details, original
    # texts and signals per organisation (AVG retention), and day-old idempotency keys.
    "feedback-retention": {
        "task": "leerlus.feedback.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=15),
    },
    # Nightly at 01:30 UTC: relearn the routing of signals to services from the day's
    # confirmed ones, so suggestions in intake follow the organisation's changes.
    "patterns-routing-training": {
        "task": "leerlus.patterns.tasks.train_all_routing",
        "schedule": crontab(hour=1, minute=30),
    },
    # Daily at 02:30 UTC, after midnight in Amsterdam so yesterday is complete: recount the
    # daily counts from the signals (retention may have removed some) and look for spikes,
    # level shifts and new themes. Intake also triggers detection, debounced, during the day.
    "patterns-alerts": {
        "task": "leerlus.patterns.tasks.detect_all_alerts",
        "schedule": crontab(hour=2, minute=30),
    },
    # Weekly, Sunday 04:00 UTC, when nobody curates: re-discover every organisation's themes
    # on all its signals (new themes emerge; curation is honoured). Between re-discoveries
    # new signals are assigned to the existing themes as they arrive.
    "patterns-rediscovery": {
        "task": "leerlus.patterns.tasks.rediscover_all_themes",
        "schedule": crontab(hour=4, minute=0, day_of_week="sunday"),
    },
    # Daily at 07:00 Amsterdam time, before the working day: the e-mail digest of new alerts
    # for subscribers (found by the 02:30 run).
    "patterns-alert-digest": {
        "task": "leerlus.patterns.tasks.send_alert_digests",
        "schedule": TzAwareCrontab(hour=7, minute=0, tz=AMSTERDAM),
    },
}
