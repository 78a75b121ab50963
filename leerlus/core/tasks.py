# SPDX-License-Identifier: EUPL-1.2
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.utils import timezone

from .models import WorkerHeartbeat


@shared_task(bind=True, ignore_result=True)
def record_worker_heartbeat(self: Task) -> None:
    worker = self.request.hostname or "eager"
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"seen_at": timezone.now()})


@worker_ready.connect
def _heartbeat_on_start(sender: Any, **kwargs: Any) -> None:
    """A fresh worker reports at once instead of after the first scheduled minute."""
    record_worker_heartbeat.delay()
