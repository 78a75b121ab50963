# SPDX-License-Identifier: EUPL-1.2
"""Background jobs of the signals app: thin wrappers around the services."""

from celery import Task, shared_task

from leerlus.organisations.models import Organisation

from .imports import batches
from .retention import idempotency_records_prune, retention_apply


@shared_task(bind=True, ignore_result=True, acks_late=True)
def run_import(self: Task, batch_id: int) -> None:
    """Run a web import. Idempotent: a batch that is running or finished is left alone,
    unless this delivery repeats one whose worker died (then, once the import's heartbeat has
    stopped, it starts afresh; what was already stored counts as duplicates)."""
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    batch = batches.import_batch_claim(batch_id=batch_id, resume=redelivered)
    if batch is None:
        return
    batches.import_batch_run(batch)


@shared_task(ignore_result=True)
def apply_retention() -> None:
    """Daily; safe to run again: what was removed is gone, the rest is not yet due."""
    for organisation in Organisation.objects.all():
        retention_apply(organisation=organisation)
    idempotency_records_prune()
