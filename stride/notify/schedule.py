"""The periodic schedule: which tasks run how often, and the tick that starts them.

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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from django.db import connections, transaction
from django.utils import timezone
from django_tasks.base import Task

from stride.notify import tasks
from stride.notify.claims import insert_ignoring_conflicts
from stride.notify.models import ScheduleSlot

logger = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    task: Task[[], Any]

    def slot_for(self, now: datetime) -> datetime:
        """The start of the period ``now`` falls in, counted from the Unix epoch in UTC."""
        return _EPOCH + ((now - _EPOCH) // self.every) * self.every


JOBS: tuple[PeriodicJob, ...] = (
    # Every minute: reminders go out within a minute of each person's chosen time, and a
    # sweep with nothing due costs two small indexed queries.
    PeriodicJob("checkin-reminders", timedelta(minutes=1), tasks.sweep_checkin_reminders),
    PeriodicJob("prune-finished-work", timedelta(days=1), tasks.prune_finished_work),
)


@transaction.atomic
def schedule_tick(*, now: datetime | None = None, jobs: Sequence[PeriodicJob] = JOBS) -> list[str]:
    """Claim the current slot of every job and enqueue, after commit, the jobs whose slot
    this call claimed. Returns their names.

    Invariant: each job runs once per slot across every worker process — the claim is one
    ``INSERT … ON CONFLICT DO NOTHING`` against the unique (name, slot) constraint."""
    now = now or timezone.now()
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
            ", ".join(f"{job.name} every {_minutes(job.every)} min" for job in JOBS),
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
