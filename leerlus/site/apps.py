# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top floor: pages of the whole site (home, health, errors, navigation, roles guide)
    and ``leerlus serve``. It may import every capability app; none imports it."""

    name = "leerlus.site"
    label = "site"
    verbose_name = _("Leerlus site")
