from datetime import timedelta

from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "stride.goals"
    label = "goals"
    verbose_name = "Goals and check-ins"

    def ready(self) -> None:
        # notify knows no domain app: goals hands it the weekly check-in reminder job and
        # tells it how to turn a check-in reminder delivery into an e-mail.
        from stride.goals.checkins import reminders, tasks
        from stride.notify.registry import (
            DeliveryKind,
            PeriodicJob,
            register_delivery_kind,
            register_job,
        )

        # Every minute: reminders go out within a minute of each person's chosen time, and a
        # sweep with nothing due costs two small indexed queries.
        register_job(
            PeriodicJob("checkin-reminders", timedelta(minutes=1), tasks.sweep_checkin_reminders)
        )
        register_delivery_kind(
            DeliveryKind(prefix=reminders.KEY_PREFIX, render=reminders.checkin_reminder_messages)
        )

        from stride.access.audit import register_private_fields
        from stride.goals.models import CheckIn, CheckInComment, KeyResultUpdate

        # The audit log (read by HR) records that these changed and how long they are,
        # not the person's words or mood.
        register_private_fields(CheckIn, ["mood", "progress", "plans", "problems"])
        register_private_fields(
            CheckInComment,
            ["body"],
            label=lambda c: f"Comment {c.pk} on check-in {c.checkin_id}",
        )
        register_private_fields(KeyResultUpdate, ["note"])

        from stride.goals.selectors import goal_results
        from stride.org.goal_results import register_goal_results

        # Reviews show a person's goal results without importing goals (see that module).
        register_goal_results(goal_results)

        from stride.goals.checkins.review_summary import review_checkin_summary
        from stride.org.checkin_summary import register_checkin_summary

        # A manager's review summarises the period's check-ins the same way.
        register_checkin_summary(review_checkin_summary)
