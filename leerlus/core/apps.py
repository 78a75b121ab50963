# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "leerlus.core"
    label = "core"
    verbose_name = _("Leerlus core")

    def ready(self) -> None:
        # Jobs queued from a web process go to Leerlus's broker, not Celery's default app.
        from leerlus import celery  # noqa: F401
