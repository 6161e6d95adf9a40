from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "stride.org"
    label = "org"
    verbose_name = "People"
