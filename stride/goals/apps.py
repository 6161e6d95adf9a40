from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "stride.goals"
    label = "goals"
    verbose_name = "Goals and check-ins"

    def ready(self) -> None:
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
