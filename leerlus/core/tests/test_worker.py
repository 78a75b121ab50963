# SPDX-License-Identifier: EUPL-1.2
"""A real Celery worker consuming from Redis runs Leerlus's jobs (when Redis is available)."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

from leerlus.celery import app
from leerlus.core.models import WorkerHeartbeat
from leerlus.core.tasks import record_worker_heartbeat

REDIS_URL = os.environ.get("LEERLUS_TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.celery,
    pytest.mark.skipif(
        not REDIS_URL,
        reason="Redis-backed worker test skipped: set LEERLUS_TEST_REDIS_URL "
        "(e.g. redis://127.0.0.1:6379/15); .ci/run does",
    ),
]


@pytest.fixture
def redis_worker(transactional_db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, result_backend=None)
    # Earlier tests may have opened pools on the embedded broker; start from Redis only.
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]
    with app.connection_for_write() as connection:
        connection.default_channel.client.flushdb()  # type: ignore[attr-defined]
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    app.conf.update(task_always_eager=True)


def test_heartbeat_job_runs_on_a_redis_worker_and_health_sees_it(redis_worker, client):
    assert client.get("/health").json()["worker"] == "down"

    record_worker_heartbeat.delay()
    deadline = time.monotonic() + 30
    while not WorkerHeartbeat.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)

    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.worker != "eager"
    assert client.get("/health").json()["worker"] == "ok"
