# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "leerlus.feedback"
    label = "feedback"
    verbose_name = _("Signals")
