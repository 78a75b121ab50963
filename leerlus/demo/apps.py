# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "leerlus.demo"
    label = "demo"
    verbose_name = "Demo"
