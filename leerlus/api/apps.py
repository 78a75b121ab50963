from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "leerlus.api"
    label = "api"
    verbose_name = "API"
