"""The periodic schedule: each job's slot is claimed, and its task enqueued, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stride.notify import tasks
from stride.notify.housekeeping import finished_work_prune
from stride.notify.models import ScheduleSlot
from stride.notify.registry import PeriodicJob, periodic_jobs
from stride.notify.schedule import schedule_tick, seconds_to_next_minute
from stride.notify.tests.conftest import CaptureCallbacks, utc

pytestmark = pytest.mark.django_db

MINUTELY = "stride.notify.tasks.recover_stale_work"
PRUNE = "stride.notify.tasks.prune_finished_work"
# The machinery's own jobs, so these tests do not depend on which apps registered theirs.
JOBS = (
    PeriodicJob("every-minute", timedelta(minutes=1), tasks.recover_stale_work),
    PeriodicJob("prune-finished-work", timedelta(days=1), tasks.prune_finished_work),
)


def queued(path: str) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


def tick(capture: CaptureCallbacks, at: object) -> list[str]:
    with capture(execute=True):
        return schedule_tick(now=at, jobs=JOBS)  # type: ignore[arg-type]


def test_every_app_registers_its_periodic_jobs() -> None:
    assert {job.name for job in periodic_jobs()} >= {
        "checkin-reminders",  # registered by goals
        "review-reminders",  # registered by reviews
        "prune-finished-work",
        "recover-stale-work",
    }


def test_a_jobs_slot_is_the_start_of_its_period() -> None:
    reminders, prune = JOBS
    at = utc(2026, 11, 27, 14, 5).replace(second=37, microsecond=12)
    assert reminders.slot_for(at) == utc(2026, 11, 27, 14, 5)
    assert prune.slot_for(at) == utc(2026, 11, 27, 0, 0)


def test_two_ticks_in_the_same_minute_enqueue_each_job_once(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    at = utc(2026, 11, 27, 14, 5)
    assert tick(django_capture_on_commit_callbacks, at) == [
        "every-minute",
        "prune-finished-work",
    ]
    # A second worker ticking a few seconds later in the same minute claims nothing.
    assert tick(django_capture_on_commit_callbacks, at + timedelta(seconds=40)) == []
    assert queued(MINUTELY) == 1
    assert queued(PRUNE) == 1
    assert ScheduleSlot.objects.count() == 2


def test_the_next_minute_runs_the_minutely_job_again_but_not_the_daily_prune(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    at = utc(2026, 11, 27, 14, 5)
    tick(django_capture_on_commit_callbacks, at)
    assert tick(django_capture_on_commit_callbacks, at + timedelta(minutes=1)) == ["every-minute"]
    assert tick(django_capture_on_commit_callbacks, utc(2026, 11, 28, 0, 0)) == [
        "every-minute",
        "prune-finished-work",
    ]
    assert queued(MINUTELY) == 3
    assert queued(PRUNE) == 2


def test_a_slot_another_worker_claimed_is_not_enqueued_here(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    at = utc(2026, 11, 27, 14, 5)
    ScheduleSlot.objects.create(name="every-minute", slot=at)
    assert tick(django_capture_on_commit_callbacks, at) == ["prune-finished-work"]
    assert queued(MINUTELY) == 0


def test_a_tick_enqueues_nothing_until_its_claim_commits(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        schedule_tick(now=utc(2026, 11, 27, 14, 5), jobs=JOBS)
    assert queued(MINUTELY) == 0
    assert len(callbacks) == 2


def test_the_scheduler_wakes_just_after_the_top_of_the_minute() -> None:
    assert seconds_to_next_minute(1_800_000_000.0) == pytest.approx(60.05)
    assert seconds_to_next_minute(1_800_000_059.5) == pytest.approx(0.55)


def _finished(task: object, *, days_ago: int, status: str) -> DBTaskResult:
    result = task.enqueue()  # type: ignore[attr-defined]
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status, finished_at=timezone.now() - timedelta(days=days_ago)
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_the_daily_prune_drops_finished_results_older_than_two_weeks() -> None:
    _finished(tasks.recover_stale_work, days_ago=15, status="SUCCESSFUL")
    _finished(tasks.recover_stale_work, days_ago=20, status="FAILED")
    recent = _finished(tasks.recover_stale_work, days_ago=13, status="SUCCESSFUL")
    waiting = tasks.recover_stale_work.enqueue()
    DBTaskResult.objects.filter(pk=waiting.id).update(
        enqueued_at=timezone.now() - timedelta(days=30)
    )
    ScheduleSlot.objects.create(name="every-minute", slot=timezone.now() - timedelta(days=15))
    ScheduleSlot.objects.create(name="every-minute", slot=timezone.now() - timedelta(days=1))

    assert finished_work_prune() == {"task_results": 2, "schedule_slots": 1}

    remaining = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert remaining == {str(recent.pk), waiting.id}  # the queued one stays, however old
    assert ScheduleSlot.objects.count() == 1
