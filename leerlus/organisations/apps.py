# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "leerlus.organisations"
    label = "organisations"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        from . import audit_login  # noqa: F401  (connects login outcomes to the audit log)
