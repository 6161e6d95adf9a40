"""Recovering the work of workers that died (``kill -9``, a lost host, out of memory).

A worker that is killed cannot say so: its django-tasks-db task stays ``RUNNING`` and its
outbox claims stay held. Both are recognised by age — older than
``settings.WORKER_STALE_SECONDS`` — and recovered by the periodic ``recover-stale-work`` job
and by every worker at start-up:

* a task stuck in ``RUNNING`` is put back to ``READY`` (tasks are idempotent), unless it has
  already been started ``MAX_TASK_ATTEMPTS`` times, in which case it is marked ``FAILED``
  with a ``WorkerLost`` error, so a task that kills its worker cannot do so forever;
* pending deliveries with a stale claim, or queued long ago and never claimed, are queued
  again (``stride.notify.outbox.stale_deliveries_requeue``).

The timeout must exceed the longest task a worker runs: a task still running after it is
started a second time elsewhere (harmless for idempotent tasks, and outbox claims still keep
each message to one copy).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from stride.notify.outbox import stale_after, stale_deliveries_requeue

logger = logging.getLogger(__name__)

MAX_TASK_ATTEMPTS = 3


class WorkerLost(Exception):
    """Recorded on a task whose worker stopped without finishing it, too many times."""


def stuck_tasks_recover(*, now: datetime | None = None) -> dict[str, int]:
    """Re-queue (or, after ``MAX_TASK_ATTEMPTS`` starts, fail) every task that has been
    ``RUNNING`` for longer than the stale timeout. Returns how many of each.

    Each row is changed with a compare-and-set on (status, started_at): should its worker
    be alive after all and finish first, the row is left as that worker wrote it."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    requeued = failed = 0
    with transaction.atomic():
        stuck = list(
            DBTaskResult.objects.running()
            .filter(started_at__lt=cutoff)
            .select_for_update(skip_locked=True)
            .order_by()
            .values_list("pk", "started_at", "worker_ids", "task_path")
        )
        for pk, started_at, worker_ids, task_path in stuck:
            same = DBTaskResult.objects.filter(
                pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
            )
            if len(worker_ids) >= MAX_TASK_ATTEMPTS:
                error = WorkerLost(
                    f"{task_path} was started {len(worker_ids)} times "
                    f"(by {', '.join(worker_ids)}) and its worker stopped each time"
                )
                failed += same.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                    traceback=f"{WorkerLost.__qualname__}: {error}\n",
                    return_value=None,
                )
            else:
                requeued += same.update(status=TaskResultStatus.READY, started_at=None)
    if requeued or failed:
        logger.warning(
            "Recovered tasks left running by stopped workers: %d queued again, %d failed",
            requeued,
            failed,
        )
    return {"requeued": requeued, "failed": failed}


def stale_work_recover(*, now: datetime | None = None) -> dict[str, int]:
    """Recover both stuck tasks and stale deliveries (see the module's docstring)."""
    counts = stuck_tasks_recover(now=now)
    counts["deliveries"] = len(stale_deliveries_requeue(now=now))
    return counts
