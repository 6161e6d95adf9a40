from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "stride.access"
    label = "access"
    verbose_name = "Access and audit"
