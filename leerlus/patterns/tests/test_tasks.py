# SPDX-License-Identifier: EUPL-1.2
"""The jobs: thin, idempotent, scheduled in one place, and run by a real Redis worker."""

import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from leerlus.core.tests.test_worker import REDIS_URL, redis_worker  # noqa: F401  (a fixture)
from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.patterns import tasks
from leerlus.patterns.models import DailyCount, DiscoveryRun, Theme, ThemeAssignment, ThemeState
from leerlus.patterns.services import alerts, digests
from leerlus.patterns.tests.factories import ThemeFactory, daily_counts, steady
from leerlus.patterns.tests.signals import discover, make_signals, topic_texts
from leerlus.schedules import BEAT_SCHEDULE


@pytest.mark.django_db
def test_assignment_job_assigns_and_queues_alert_detection(organisation, monkeypatch):
    make_signals(organisation)
    cache.clear()  # the debounce key of an earlier test's organisation with the same id
    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda task, *args, **kw: queued.append(task.name))

    tasks.assign_new_feedback(organisation.pk)
    tasks.assign_new_feedback(organisation.pk)

    assert ThemeAssignment.objects.filter(organisation=organisation).count() == 120
    assert queued == ["leerlus.patterns.tasks.detect_alerts"]  # once: debounced


@pytest.mark.django_db
def test_rediscovery_job_runs_its_run_once(organisation, analyst):
    make_signals(organisation)
    run = DiscoveryRun.objects.create(organisation=organisation, requested_by=analyst)

    tasks.rediscover_themes(organisation.pk, run.pk)
    first = ThemeState.objects.get(organisation=organisation).discovered_at
    tasks.rediscover_themes(organisation.pk, run.pk)  # delivered again

    run.refresh_from_db()
    assert run.status == DiscoveryRun.Status.DONE
    assert ThemeState.objects.get(organisation=organisation).discovered_at == first


@pytest.mark.django_db
def test_jobs_for_a_removed_organisation_do_nothing():
    for job in (tasks.assign_new_feedback, tasks.detect_alerts, tasks.train_routing):
        job(424242)
    tasks.rediscover_themes(424242)


@pytest.mark.django_db
def test_schedule_fan_out_reaches_every_organisation(organisation, other_organisation, monkeypatch):
    make_signals(organisation)
    make_signals(other_organisation, topics=("afval",), per_topic=60)
    stale = ThemeFactory.create(organisation=organisation, engine_id=999)
    daily_counts(stale, steady(3, 30))  # counts no signal backs: the daily recount drops them
    detected = []
    monkeypatch.setattr(
        alerts, "alerts_detect", lambda *, organisation: detected.append(organisation)
    )

    tasks.train_all_routing()
    tasks.rediscover_all_themes()
    tasks.detect_all_alerts()

    states = ThemeState.objects.filter(routing_trained_at__isnull=False)
    assert [s.organisation for s in states] == [organisation]  # the other has one service
    assert Theme.objects.filter(organisation=other_organisation, retired=False).exists()
    assert not DailyCount.objects.filter(theme=stale).exists()
    assert sorted(o.pk for o in detected) == sorted([organisation.pk, other_organisation.pk])


def test_digest_job_calls_the_digest(monkeypatch):
    sent = []
    monkeypatch.setattr(digests, "send_digests", lambda: sent.append(True))

    tasks.send_alert_digests()

    assert sent == [True]


def test_every_patterns_job_is_scheduled_with_a_registered_task():
    from leerlus.celery import app

    scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    for name in (
        "rediscover_all_themes",
        "detect_all_alerts",
        "train_all_routing",
        "send_alert_digests",
    ):
        assert f"leerlus.patterns.tasks.{name}" in scheduled
        assert f"leerlus.patterns.tasks.{name}" in app.tasks
    digest = BEAT_SCHEDULE["patterns-alert-digest"]["schedule"]
    assert str(digest.tz) == "Europe/Amsterdam"
    assert digest.hour == {7}
    assert digest.minute == {0}


@pytest.mark.celery
@pytest.mark.skipif(
    not REDIS_URL,
    reason="Redis-backed worker test skipped: set LEERLUS_TEST_REDIS_URL; .ci/run does",
)
def test_a_new_signal_is_assigned_by_a_real_redis_worker(redis_worker, organisation):  # noqa: F811
    make_signals(organisation)
    discover(organisation)
    upload = ThemeAssignment.objects.filter(
        feedback__text__startswith=topic_texts("upload")[0][:20]
    )[0]

    feedback = feedback_create(  # committed at once: the job is queued on Redis
        organisation=organisation,
        item=SignalInput(
            text=topic_texts("upload")[0], channel="web_form", received_at=timezone.now()
        ),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assignment = ThemeAssignment.objects.filter(feedback=feedback).first()
        if assignment is not None:
            break
        time.sleep(0.2)

    assert assignment is not None, "the worker did not assign the signal within a minute"
    assert assignment.theme == upload.theme


def test_a_stream_of_signals_queues_one_assignment_per_window(organisation, monkeypatch):
    now = [100.0]
    sent: list[tuple[tuple[int, ...], float]] = []

    class Recorder:
        name = "assign_new_feedback"

        def apply_async(self, args, countdown=None):
            sent.append((args, countdown))

    monkeypatch.setattr("leerlus.core.memo.time.monotonic", lambda: now[0])
    monkeypatch.setattr(tasks, "assign_new_feedback", Recorder())

    for offset in (0.0, 0.1, 0.2):  # one window: one job, due when the window is over
        now[0] = 100.0 + offset
        tasks._queue_assignment(organisation.pk)
    now[0] = 100.3  # the next window
    tasks._queue_assignment(organisation.pk)

    window = tasks.ASSIGNMENT_WINDOW_SECONDS
    assert sent == [((organisation.pk,), window), ((organisation.pk,), window)]
