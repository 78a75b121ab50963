# SPDX-License-Identifier: EUPL-1.2
"""Intake queues the theme assignment without loading the engine: the jobs import it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# What an import worker (or a web process taking a signal) does: import the intake, queue the
# assignment. The job is really sent, to an in-process broker: sending finalises the Celery
# app, which imports every app's tasks module, so that is checked too.
INTAKE = """
import sys

import django

django.setup()

from leerlus.celery import app

app.conf.task_always_eager = False
app.conf.broker_url = "memory://"

from leerlus.feedback import services  # noqa: F401
from leerlus.feedback.imports import batches, workers  # noqa: F401
from leerlus.patterns import tasks

tasks.signals_arrived(1)

with app.connection_for_read() as connection:
    message = connection.SimpleQueue("celery").get(timeout=10)
print(message.headers["task"])
print(",".join(sorted(name for name in ("numpy", "scipy", "sklearn") if name in sys.modules)))
"""


def test_queueing_the_assignment_does_not_import_numpy_scipy_or_scikit_learn() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leerlus.settings.test",
        # In memory: the check needs no server and leaves no file behind.
        "DATABASE_URL": "sqlite://:memory:",
    }

    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", INTAKE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env=env,
    )

    assert done.returncode == 0, done.stderr
    queued, heavy = done.stdout.splitlines()
    assert queued == "leerlus.patterns.tasks.assign_new_feedback"
    assert heavy == ""  # neither numpy nor scipy nor sklearn in sys.modules
