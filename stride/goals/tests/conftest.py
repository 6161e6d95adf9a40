"""Helpers for the check-in reminder tests: moments around the default reminder (Friday
15:00 where each person lives) in the week of the shared clock, and the sweep run on it.

The week is ``stride.testing.clock``'s ISO week 2026-W48 (Monday 23 … Sunday 29 November);
Berlin is on UTC+1 and New York on UTC−5 that week.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from stride.goals.checkins.reminders import checkin_reminder_sweep
from stride.goals.models import CheckIn
from stride.notify.tests.conftest import CaptureCallbacks, immediate_tasks
from stride.org.models import Person
from stride.testing import THIS_MONDAY, Clock

__all__ = [
    "BERLIN_1455",
    "BERLIN_1505",
    "FRIDAY",
    "NEW_YORK_1455",
    "NEW_YORK_1505",
    "Sweep",
    "check_in",
    "immediate_tasks",
    "local",
    "sweep",
]


def local(day: date, hour: int, minute: int = 0, zone: str = "UTC") -> datetime:
    """``hour:minute`` on ``day`` on the wall clocks of ``zone``."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))


FRIDAY = THIS_MONDAY + timedelta(days=4)  # 27 November: the default reminder day
BERLIN_1455 = local(FRIDAY, 14, 55, "Europe/Berlin")
BERLIN_1505 = local(FRIDAY, 15, 5, "Europe/Berlin")  # 09:05 in New York
NEW_YORK_1455 = local(FRIDAY, 14, 55, "America/New_York")
NEW_YORK_1505 = local(FRIDAY, 15, 5, "America/New_York")

Sweep = Callable[[datetime], list[str]]


def check_in(person: Person, monday: date) -> CheckIn:
    """A check-in row as the goals app stores it (its service is not what is tested here)."""
    now = timezone.now()
    return CheckIn.objects.create(
        person=person, week_start=monday, mood=4, progress="Done", submitted_at=now, updated_at=now
    )


@pytest.fixture
def sweep(
    immediate_tasks: None, django_capture_on_commit_callbacks: CaptureCallbacks, clock: Clock
) -> Sweep:
    """Move the shared clock to a moment and run the reminder sweep there; return the
    addresses it e-mailed. The clock stays at that moment afterwards."""

    def run(at: datetime) -> list[str]:
        before = len(mail.outbox)
        clock.move_to(at)
        with django_capture_on_commit_callbacks(execute=True):
            checkin_reminder_sweep()
        return sorted(address for message in mail.outbox[before:] for address in message.to)

    return run
