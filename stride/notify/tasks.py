"""Background tasks: each one fetches ids and calls a service. All are idempotent."""

from __future__ import annotations

from django_tasks import task

from stride.notify import housekeeping, reminders


@task()
def sweep_checkin_reminders() -> int:
    """Claim the check-in reminders due now; their sending is queued on commit."""
    return len(reminders.checkin_reminder_sweep())


@task()
def send_checkin_reminders(delivery_ids: list[int]) -> int:
    """Send reminders that a sweep claimed; already-sent ones are skipped."""
    return len(reminders.checkin_reminder_deliver(delivery_ids=delivery_ids))


@task()
def prune_finished_work() -> dict[str, int]:
    """Daily: drop finished task results and schedule slots older than two weeks."""
    return housekeeping.finished_work_prune()
