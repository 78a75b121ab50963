# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "leerlus.accounts"
    label = "accounts"
    verbose_name = _("Log-in and second factor")
