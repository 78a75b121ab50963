# SPDX-License-Identifier: EUPL-1.2
"""Background jobs of the patterns app: thin wrappers around :mod:`.services` that take ids.

Triggers: :func:`signals_arrived` after every intake (a single signal or a batch) queues
:func:`assign_new_feedback`, which queues :func:`detect_alerts` at most once per
``ALERT_DEBOUNCE_SECONDS``; the periodic ones are declared in :mod:`leerlus.schedules`.
Every job is idempotent: running it twice does the work once.

:mod:`.services` (and through it the engine: NumPy, SciPy, scikit-learn) is imported inside
the jobs that need it, never here: the intake listener imports this module to call
:func:`signals_arrived`, and a process that only queues a job (an import's worker, a web
process) should not pay for loading the engine, 1.5 CPU-seconds and 100 MiB, when the job
runs elsewhere.

The jobs depend on the services, never the other way round, except that the curation
(:mod:`.services.curation`) queues a re-discovery here; no job imports the curation. The
re-discovery reads the active curation and hands it to the discovery.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from leerlus.core.memo import ExpiringCache
from leerlus.organisations.models import Organisation

from .models import DiscoveryRun

logger = logging.getLogger(__name__)

# Alert detection reads the whole daily history; under a steady stream of signals once a
# few minutes is enough, and it lets the detector see the batch complete.
ALERT_DEBOUNCE_SECONDS: Final = 300


def _send(task: Any, args: tuple[Any, ...], countdown: float | None = None) -> None:
    """A broker that is down must never break what queued the job (an intake, a curation):
    the failure is logged and the scheduled jobs catch up later."""
    try:
        task.apply_async(args=args, countdown=countdown)
    except Exception:  # the broker's errors are not one class: any of them is logged
        logger.exception("could not queue %s%r", task.name, args)


def enqueue(task: Any, *args: Any, countdown: int | None = None) -> None:
    """Queue ``task`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _send(task, args, countdown))


# Under a stream of single creates (hundreds a second on the API) each server process
# queues at most one assignment per window, to run when the window is over: that job then
# finds every signal this process committed in the window. No shared state, so a create
# pays nothing more than an occasional message.
ASSIGNMENT_WINDOW_SECONDS: Final = 0.25
_assignment_queued: ExpiringCache[int, bool] = ExpiringCache(ASSIGNMENT_WINDOW_SECONDS)


def _queue_assignment(organisation_id: int) -> None:
    def send() -> bool:
        _send(assign_new_feedback, (organisation_id,), countdown=ASSIGNMENT_WINDOW_SECONDS)
        return True

    # Within the window a job of this process is queued already and starts after this commit.
    _assignment_queued.get_or_load(organisation_id, send)


def signals_arrived(organisation_id: int) -> None:
    """Signals were stored and committed (the intake listener of :mod:`.apps` calls this after
    the commit): assign them within seconds."""
    _queue_assignment(organisation_id)


def _alerts_queued(organisation_id: int) -> str:
    return f"patterns:alerts-queued:{organisation_id}"


def _organisation(organisation_id: int) -> Organisation | None:
    return Organisation.objects.filter(pk=organisation_id).first()


@shared_task(ignore_result=True, acks_late=True)
def assign_new_feedback(organisation_id: int) -> None:
    """Assign the signals that have none yet; then (debounced) look for alerts."""
    from .services.themes import themes_assign_new

    organisation = _organisation(organisation_id)
    if organisation is None:
        return
    assigned = themes_assign_new(organisation=organisation)
    if assigned and cache.add(_alerts_queued(organisation_id), 1, ALERT_DEBOUNCE_SECONDS):
        enqueue(detect_alerts, organisation_id, countdown=60)


@shared_task(ignore_result=True, acks_late=True)
def rediscover_themes(organisation_id: int, run_id: int | None = None) -> None:
    """Re-discover one organisation's themes; ``run_id`` is the run whose progress the
    screen shows (a delivery of a run that finished already does nothing)."""
    from .selectors.curation import engine_curation
    from .services.discovery import themes_discover
    from .services.themes import themes_assign_new

    organisation = _organisation(organisation_id)
    if organisation is None:
        return
    run = (
        DiscoveryRun.objects.filter(pk=run_id, organisation=organisation).first()
        if run_id is not None
        else None
    )
    if run is not None and run.status in (DiscoveryRun.Status.DONE, DiscoveryRun.Status.FAILED):
        return
    themes_discover(
        organisation=organisation, curation=engine_curation(organisation=organisation), run=run
    )
    themes_assign_new(organisation=organisation)
    enqueue(detect_alerts, organisation_id)


@shared_task(ignore_result=True, acks_late=True)
def detect_alerts(organisation_id: int) -> None:
    """Look for spikes, level shifts and new themes in one organisation's daily counts."""
    from .services.alerts import alerts_detect

    cache.delete(_alerts_queued(organisation_id))
    organisation = _organisation(organisation_id)
    if organisation is not None:
        alerts_detect(organisation=organisation)


@shared_task(ignore_result=True, acks_late=True)
def train_routing(organisation_id: int) -> None:
    """Learn one organisation's routing of signals to its services."""
    from .services.routing import routing_train

    organisation = _organisation(organisation_id)
    if organisation is not None:
        routing_train(organisation=organisation)


@shared_task(ignore_result=True)
def send_alert_digests() -> None:
    """The daily e-mail with new alerts for everyone who subscribed."""
    from .services.digests import send_digests

    send_digests()


# --- the schedules' fan-out: one job per organisation, so workers share the work -------------


@shared_task(ignore_result=True)
def rediscover_all_themes() -> None:
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        rediscover_themes.delay(organisation_id)


@shared_task(ignore_result=True)
def detect_all_alerts() -> None:
    """Recount every organisation from its signals first (retention may have removed some
    since), then look for alerts."""
    from .services.counts import daily_counts_rebuild

    for organisation in Organisation.objects.all():
        daily_counts_rebuild(organisation=organisation)
        detect_alerts.delay(organisation.pk)


@shared_task(ignore_result=True)
def train_all_routing() -> None:
    for organisation_id in Organisation.objects.values_list("pk", flat=True):
        train_routing.delay(organisation_id)
