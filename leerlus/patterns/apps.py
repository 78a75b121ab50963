# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from leerlus.feedback.listeners import (
    Imported,
    Intake,
    register_import_listener,
    register_intake_listener,
)


def assign_new_signals(intake: Intake) -> None:
    """Intake listener: queue the theme assignment of the signals just stored. The jobs module
    is imported on the first intake, not when the apps load (it needs the models)."""
    from .tasks import signals_arrived

    signals_arrived(intake.organisation_id)


def retrain_routing(imported: Imported) -> None:
    """Import listener: signals that came with their service (a history import with its
    categories) are examples for the routing, so it learns from them now, not at night."""
    if imported.with_service:
        from .tasks import enqueue, train_routing

        enqueue(train_routing, imported.organisation_id)


class PatternsConfig(AppConfig):
    name = "leerlus.patterns"
    label = "patterns"
    verbose_name = _("Patterns")

    def ready(self) -> None:
        register_intake_listener(assign_new_signals)
        register_import_listener(retrain_routing)
