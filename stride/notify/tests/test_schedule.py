"""The periodic schedule: each job's slot is claimed, and its task enqueued, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stride.notify import tasks
from stride.notify.housekeeping import finished_work_prune
from stride.notify.models import ScheduleSlot
from stride.notify.schedule import JOBS, schedule_tick, seconds_to_next_minute
from stride.notify.tests.conftest import CaptureCallbacks, utc

pytestmark = pytest.mark.django_db

SWEEP = "stride.notify.tasks.sweep_checkin_reminders"
PRUNE = "stride.notify.tasks.prune_finished_work"


def queued(path: str) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


def tick(capture: CaptureCallbacks, at: object) -> list[str]:
    with capture(execute=True):
        return schedule_tick(now=at)  # type: ignore[arg-type]


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
        "checkin-reminders",
        "prune-finished-work",
    ]
    # A second worker ticking a few seconds later in the same minute claims nothing.
    assert tick(django_capture_on_commit_callbacks, at + timedelta(seconds=40)) == []
    assert queued(SWEEP) == 1
    assert queued(PRUNE) == 1
    assert ScheduleSlot.objects.count() == 2


def test_the_next_minute_runs_the_reminder_sweep_again_but_not_the_daily_prune(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    at = utc(2026, 11, 27, 14, 5)
    tick(django_capture_on_commit_callbacks, at)
    assert tick(django_capture_on_commit_callbacks, at + timedelta(minutes=1)) == [
        "checkin-reminders"
    ]
    assert tick(django_capture_on_commit_callbacks, utc(2026, 11, 28, 0, 0)) == [
        "checkin-reminders",
        "prune-finished-work",
    ]
    assert queued(SWEEP) == 3
    assert queued(PRUNE) == 2


def test_a_slot_another_worker_claimed_is_not_enqueued_here(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    at = utc(2026, 11, 27, 14, 5)
    ScheduleSlot.objects.create(name="checkin-reminders", slot=at)
    assert tick(django_capture_on_commit_callbacks, at) == ["prune-finished-work"]
    assert queued(SWEEP) == 0


def test_a_tick_enqueues_nothing_until_its_claim_commits(
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        schedule_tick(now=utc(2026, 11, 27, 14, 5))
    assert queued(SWEEP) == 0
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
    _finished(tasks.sweep_checkin_reminders, days_ago=15, status="SUCCESSFUL")
    _finished(tasks.sweep_checkin_reminders, days_ago=20, status="FAILED")
    recent = _finished(tasks.sweep_checkin_reminders, days_ago=13, status="SUCCESSFUL")
    waiting = tasks.sweep_checkin_reminders.enqueue()
    DBTaskResult.objects.filter(pk=waiting.id).update(
        enqueued_at=timezone.now() - timedelta(days=30)
    )
    ScheduleSlot.objects.create(name="checkin-reminders", slot=timezone.now() - timedelta(days=15))
    ScheduleSlot.objects.create(name="checkin-reminders", slot=timezone.now() - timedelta(days=1))

    assert finished_work_prune() == {"task_results": 2, "schedule_slots": 1}

    remaining = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert remaining == {str(recent.pk), waiting.id}  # the queued one stays, however old
    assert ScheduleSlot.objects.count() == 1
