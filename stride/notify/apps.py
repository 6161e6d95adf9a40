from datetime import timedelta

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "stride.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The machinery's own periodic jobs; domain apps register theirs in their ready().
        from stride.notify import tasks
        from stride.notify.registry import PeriodicJob, register_job

        register_job(
            PeriodicJob("prune-finished-work", timedelta(days=1), tasks.prune_finished_work)
        )
        # Every minute, so a killed worker's work resumes within a minute of its claims going
        # stale; with nothing stale it costs two small indexed queries.
        register_job(
            PeriodicJob("recover-stale-work", timedelta(minutes=1), tasks.recover_stale_work)
        )
