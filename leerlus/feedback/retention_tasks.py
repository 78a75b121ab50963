from celery import shared_task

from leerlus.organisations.models import Organisation

from .retention import idempotency_records_prune, retention_apply


@shared_task(ignore_result=True)
def apply_retention() -> None:
    """Daily; safe to run again: what was removed is gone, the rest is not yet due."""
    for organisation in Organisation.objects.all():
        retention_apply(organisation=organisation)
    idempotency_records_prune()
