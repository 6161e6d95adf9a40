"""Background tasks of check-ins: each one calls a service. All are idempotent."""

from __future__ import annotations

from django_tasks import task

from stride.goals.checkins import reminders


@task()
def sweep_checkin_reminders() -> int:
    """Record the check-in reminders due now; their sending is queued on commit."""
    return len(reminders.checkin_reminder_sweep())
