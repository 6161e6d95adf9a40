"""Helpers for the check-in reminder tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from stride.goals.checkins.reminders import checkin_reminder_sweep
from stride.goals.models import CheckIn
from stride.notify.tests.conftest import CaptureCallbacks, immediate_tasks
from stride.org.models import Person

__all__ = ["FRIDAY", "WEEK_48", "Sweep", "check_in", "immediate_tasks", "sweep"]

# Friday of ISO week 2026-W48 (Monday 23 November … Sunday 29 November). Berlin is on
# UTC+1 and New York on UTC−5 that week.
FRIDAY = date(2026, 11, 27)
WEEK_48 = date(2026, 11, 23)

Sweep = Callable[[datetime], list[str]]


def check_in(person: Person, monday: date) -> CheckIn:
    """A check-in row as the goals app stores it (its service is not what is tested here)."""
    now = timezone.now()
    return CheckIn.objects.create(
        person=person, week_start=monday, mood=4, progress="Done", submitted_at=now, updated_at=now
    )


@pytest.fixture
def sweep(immediate_tasks: None, django_capture_on_commit_callbacks: CaptureCallbacks) -> Sweep:
    """Run the reminder sweep at a moment; return the addresses it e-mailed."""

    def run(at: datetime) -> list[str]:
        before = len(mail.outbox)
        with (
            time_machine.travel(at, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            checkin_reminder_sweep()
        return sorted(address for message in mail.outbox[before:] for address in message.to)

    return run
