"""Review deadline reminders: once per person, cycle and phase, from 09:00 local two days
before the phase's last day, never after its deadline, sent through the worker's outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from stride.notify.tests.conftest import CaptureCallbacks, immediate_tasks
from stride.reviews import services
from stride.reviews.models import ReviewCycle
from stride.reviews.reminders import review_reminder_sweep
from stride.reviews.selectors import ordered_phases
from stride.testing import Cast, Clock
from stride.testing.reviews import launch_cycle, make_cycle, make_template, submit_self_assessment

pytestmark = pytest.mark.clock
__all__ = ["immediate_tasks"]

Sweep = Callable[[datetime], list[str]]


def local(day: date, hour: int, minute: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))


@pytest.fixture
def sweep(
    immediate_tasks: None, django_capture_on_commit_callbacks: CaptureCallbacks, clock: Clock
) -> Sweep:
    def run(at: datetime) -> list[str]:
        before = len(mail.outbox)
        clock.move_to(at)
        with django_capture_on_commit_callbacks(execute=True):
            review_reminder_sweep()
        return sorted(address for message in mail.outbox[before:] for address in message.to)

    return run


@pytest.fixture
def cycle(cast: Cast) -> ReviewCycle:
    return launch_cycle(cast, make_template(cast), team_ids=[cast.product.pk])


def self_assessment_due(cycle: ReviewCycle) -> date:
    return ordered_phases(cycle)[0].ends_on


def test_each_person_is_reminded_from_nine_on_their_own_clock(
    cycle: ReviewCycle, sweep: Sweep
) -> None:
    two_days_before = self_assessment_due(cycle) - timedelta(days=2)
    assert sweep(local(two_days_before, 8, 55, "Europe/Berlin")) == []
    at_berlin_nine = sweep(local(two_days_before, 9, 5, "Europe/Berlin"))
    assert at_berlin_nine == ["alice@example.com", "manager@example.com"]
    assert "bob@example.com" in sweep(local(two_days_before, 9, 5, "America/New_York"))


def test_a_reminder_is_sent_once_and_says_the_phase_and_the_day(
    cycle: ReviewCycle, sweep: Sweep
) -> None:
    due = self_assessment_due(cycle)
    sweep(local(due - timedelta(days=1), 12, 0, "Europe/Berlin"))
    sweep(local(due, 12, 0, "Europe/Berlin"))
    to_alice = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert len(to_alice) == 1
    assert "Self-assessment for Walk cycle" in to_alice[0].subject
    assert due.strftime("%-d %B %Y") in to_alice[0].body


def test_nobody_is_reminded_after_the_deadline_or_for_a_draft(
    cast: Cast, cycle: ReviewCycle, sweep: Sweep
) -> None:
    draft = make_cycle(cast, make_template(cast, name="Draft"), team_ids=[cast.finance.pk])
    due = self_assessment_due(cycle)
    # (From 09:00 the next day the overdue reminder goes out instead: see below.)
    assert sweep(local(due + timedelta(days=1), 8, 30, "Europe/Berlin")) == []
    assert ordered_phases(draft)[0].ends_on == due
    assert "outsider@example.com" not in sweep(local(due, 9, 30, "UTC"))


def test_people_who_submitted_are_not_reminded(
    cast: Cast, cycle: ReviewCycle, sweep: Sweep
) -> None:
    submit_self_assessment(cast, cycle, cast.alice)
    two_days_before = self_assessment_due(cycle) - timedelta(days=2)
    assert sweep(local(two_days_before, 9, 5, "Europe/Berlin")) == ["manager@example.com"]


def test_an_overdue_reminder_goes_once_the_day_after_to_who_has_not_submitted(
    cast: Cast, cycle: ReviewCycle, sweep: Sweep
) -> None:
    due = self_assessment_due(cycle)
    submit_self_assessment(cast, cycle, cast.alice)
    services.phase_reopen(
        viewer=cast.viewer(cast.hr),
        participant=cycle.participants.get(person=cast.skip),
        phase="self_assessment",
        until=due + timedelta(days=5),
    )
    day_after = due + timedelta(days=1)
    assert sweep(local(day_after, 8, 55, "Europe/Berlin")) == []
    # Alice submitted and skip's phase was reopened: only the manager is overdue in Berlin.
    assert sweep(local(day_after, 9, 5, "Europe/Berlin")) == ["manager@example.com"]
    assert sweep(local(day_after, 14, 0, "Europe/Berlin")) == []  # 08:00 in New York
    overdue = [m for m in mail.outbox if m.to == ["manager@example.com"]][-1]
    assert "overdue since" in overdue.subject and "ask them" in overdue.body
    assert "bob@example.com" in sweep(local(day_after, 9, 5, "America/New_York"))
    # Two days after, nobody newly overdue is reminded.
    assert sweep(local(due + timedelta(days=2), 12, 0, "UTC")) == []
