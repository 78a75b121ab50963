# SPDX-License-Identifier: EUPL-1.2
"""The Celery application.

With ``CELERY_BROKER_URL`` (or ``REDIS_URL``) set, workers on any number of machines share a
Redis broker. Without it, an embedded file-system broker under ``LEERLUS_VAR_DIR`` lets one
machine run the web process, a worker and the scheduler with no other service installed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leerlus.settings.local")

app = Celery("leerlus")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_configure.connect
def _use_embedded_broker_without_url(sender: Celery, **kwargs: object) -> None:
    from django.conf import settings

    if settings.CELERY_BROKER_URL:
        return
    queue_dir = settings.CELERY_EMBEDDED_BROKER_DIR
    for sub in ("queue", "processed", "control"):
        (queue_dir / sub).mkdir(parents=True, exist_ok=True)
    sender.conf.update(
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(queue_dir / "queue"),
            "data_folder_out": str(queue_dir / "queue"),
            "processed_folder": str(queue_dir / "processed"),
            "control_folder": str(queue_dir / "control"),
            "store_processed": False,
        },
    )


app.autodiscover_tasks()
