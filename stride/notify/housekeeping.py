"""Housekeeping for the background machinery itself."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stride.notify.models import ScheduleSlot

logger = logging.getLogger(__name__)

# Long enough to look into last week's failures, short enough that the task table of a
# 10,000-person organisation (a few thousand results a week) stays small.
RETENTION = timedelta(days=14)


@transaction.atomic
def finished_work_prune(*, now: datetime | None = None) -> dict[str, int]:
    """Delete task results that finished (successfully or not) and schedule slots older
    than ``RETENTION``. Queued and running tasks are never touched, and a slot is only
    pruned long after its minute or day has passed, so it can never be claimed again."""
    cutoff = (now or timezone.now()) - RETENTION
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    slots, _ = ScheduleSlot.objects.filter(slot__lt=cutoff).delete()
    logger.info(
        "Pruned %d finished task results and %d schedule slots older than %s",
        results,
        slots,
        cutoff.isoformat(timespec="seconds"),
    )
    return {"task_results": results, "schedule_slots": slots}
