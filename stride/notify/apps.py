from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "stride.notify"
    label = "notify"
    verbose_name = "Notifications"
