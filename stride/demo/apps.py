from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "stride.demo"
    label = "demo"
    verbose_name = "Demo organisation"
