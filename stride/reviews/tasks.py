"""Background tasks of reviews: each one calls a service. All are idempotent."""

from __future__ import annotations

from django_tasks import task

from stride.reviews import reminders


@task()
def sweep_review_reminders() -> int:
    """Record the review deadline reminders due now; their sending is queued on commit."""
    return len(reminders.review_reminder_sweep())
