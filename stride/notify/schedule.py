"""The periodic schedule: the tick that starts the jobs apps registered, once per slot.

Every ``stride worker`` ticks once a minute. A tick computes, for each job, the slot that
``now`` falls in (the minute, the day…) and tries to claim it in ``ScheduleSlot``; the unique
(name, slot) constraint lets one worker win, and only the winner enqueues the job, after its
claim commits. A slot is the whole period, not its first minute, so a worker that was down
or busy at the top of the period still runs the job once it ticks again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from django.db import connections, transaction
from django.utils import timezone

from stride.notify.claims import insert_ignoring_conflicts
from stride.notify.models import ScheduleSlot
from stride.notify.registry import PeriodicJob, periodic_jobs

logger = logging.getLogger(__name__)


@transaction.atomic
def schedule_tick(
    *, now: datetime | None = None, jobs: Sequence[PeriodicJob] | None = None
) -> list[str]:
    """Claim the current slot of every job and enqueue, after commit, the jobs whose slot
    this call claimed. Returns their names.

    Invariant: each job runs once per slot across every worker process — the claim is one
    ``INSERT … ON CONFLICT DO NOTHING`` against the unique (name, slot) constraint.
    ``jobs`` defaults to every job the apps registered (``stride.notify.registry``)."""
    now = now or timezone.now()
    jobs = periodic_jobs() if jobs is None else jobs
    rows = [(job.name, job.slot_for(now), now) for job in jobs]
    claimed = {
        name
        for (name,) in insert_ignoring_conflicts(
            ScheduleSlot,
            fields=["name", "slot", "claimed_at"],
            rows=rows,
            conflict_fields=["name", "slot"],
            returning=["name"],
        )
    }
    started: list[str] = []
    for job in jobs:
        if job.name in claimed:
            transaction.on_commit(partial(_enqueue, job, job.slot_for(now)))
            started.append(job.name)
    return started


def _enqueue(job: PeriodicJob, slot: datetime) -> None:
    result = job.task.enqueue()
    logger.info(
        "Scheduled %s for slot %s (task %s)",
        job.name,
        slot.isoformat(timespec="minutes"),
        result.id,
    )


def _minutes(every: timedelta) -> int:
    return int(every.total_seconds() // 60)


def seconds_to_next_minute(now: float) -> float:
    # A little past the minute, so that a clock read a hair early still lands in the new
    # minute's slot.
    return 60.0 - (now % 60.0) + 0.05


class Scheduler(threading.Thread):
    """Ticks at start and then at the top of every minute until stopped.

    A daemon thread: it never keeps the process alive, so Ctrl-C or SIGTERM on the worker
    stops everything even if a tick is waiting on the database."""

    def __init__(self) -> None:
        super().__init__(name="stride-scheduler", daemon=True)
        self._stopping = threading.Event()

    def run(self) -> None:
        logger.info(
            "Scheduler started: %s",
            ", ".join(f"{job.name} every {_minutes(job.every)} min" for job in periodic_jobs()),
        )
        while not self._stopping.is_set():
            try:
                schedule_tick()
            except Exception:
                logger.exception("Scheduler tick failed; trying again next minute")
            finally:
                # Connections are per thread: this closes the scheduler's own only, so a
                # restarted database or a dropped connection is reopened on the next tick.
                connections.close_all()
            self._stopping.wait(seconds_to_next_minute(time.time()))
        logger.info("Scheduler stopped")

    def stop(self) -> None:
        self._stopping.set()
