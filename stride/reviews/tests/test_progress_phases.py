"""Item 3's remaining parts: lateness for every phase with work (self-assessment, peer
nomination, peer and upward reviews, manager's review) on the progress page, the API and
the CSV; the manager's overdue reminder; and the peer nomination's deadline."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from stride.notify.tests.conftest import CaptureCallbacks, immediate_tasks
from stride.org.models import Person
from stride.reviews import selectors, services
from stride.reviews.models import ReviewCycle, ReviewerAssignment
from stride.reviews.reminders import manager_overdue_due, review_reminder_sweep
from stride.testing import Cast, Clock
from stride.testing.clock import NOW
from stride.testing.reviews import (
    complete_answers,
    launch_cycle,
    make_template,
    submit_manager_review,
)

pytestmark = pytest.mark.clock
__all__ = ["immediate_tasks"]


@pytest.fixture
def cycle(cast: Cast) -> ReviewCycle:
    # Phases a week each from today: nomination ends on day 13, peer reviews on day 20,
    # the manager's review on day 27.
    return launch_cycle(cast, make_template(cast), team_ids=[cast.product.pk], min_peers=2)


def phase_end(cycle: ReviewCycle, kind: str) -> date:
    return next(p.ends_on for p in selectors.ordered_phases(cycle) if p.kind == kind)


def after(cycle: ReviewCycle, kind: str) -> datetime:
    """Noon UTC on the day after the phase's last day: past its deadline everywhere."""
    return datetime.combine(
        phase_end(cycle, kind) + timedelta(days=1), time(12), tzinfo=ZoneInfo("UTC")
    )


def nominate(cast: Cast, cycle: ReviewCycle, who: Person, peers: list[Person]) -> None:
    participant = cycle.participants.get(person=who)
    services.peer_nominate(
        viewer=cast.viewer(who), participant=participant, reviewer_ids=[p.pk for p in peers]
    )


def export_states(cast: Cast, cycle: ReviewCycle, column: str) -> dict[str, str]:
    export = cast.client(cast.hr).get(reverse("reviews:cycle_export", args=[cycle.pk]))
    return {r["email"]: r[column] for r in csv.DictReader(io.StringIO(export.content.decode()))}


def test_peer_nomination_is_late_with_fewer_than_the_fewest_peers(
    cast: Cast, cycle: ReviewCycle, clock: Clock
) -> None:
    nominate(cast, cycle, cast.alice, [cast.bob, cast.outsider])
    nominate(cast, cycle, cast.bob, [cast.alice, cast.outsider])
    # The manager removes one of bob's: he is left with one peer, fewer than two.
    bob = cycle.participants.get(person=cast.bob)
    services.peer_decide(viewer=cast.viewer(cast.manager), participant=bob, remove=[cast.alice.pk])
    [before] = selectors.cycle_progress(cycle, now=NOW)
    assert (before.nomination_done, before.nomination_late) == (1, 0)  # not late before the end
    clock.move_to(after(cycle, "peer_nomination"))
    [row] = selectors.cycle_progress(cycle, now=after(cycle, "peer_nomination"))
    assert (row.nomination_done, row.nomination_late) == (1, 3)
    detail = cast.client(cast.hr).get(f"/api/v1/review-cycles/{cycle.pk}").json()
    team = detail["progress"]["by_team"][0]
    assert (team["nomination_done"], team["nomination_late"]) == (1, 3)
    states = export_states(cast, cycle, "peer_nomination_status")
    assert states["alice@example.com"] == "done"
    assert states["bob@example.com"] == "late"
    page = cast.client(cast.hr).get(reverse("reviews:cycle_detail", args=[cycle.pk]))
    body = page.content.decode()
    assert "Peer nominations late" in body and "Peer nomination and approval:" in body


def test_peer_reviews_are_late_while_an_approved_reviewer_has_not_submitted(
    cast: Cast, cycle: ReviewCycle, clock: Clock
) -> None:
    nominate(cast, cycle, cast.alice, [cast.bob, cast.outsider])
    alice = cycle.participants.get(person=cast.alice)
    services.peer_decide(viewer=cast.viewer(cast.manager), participant=alice, approve=[cast.bob.pk])
    # Bob answers about alice (the outsider was never approved: not owed).
    services.review_draft_save(
        viewer=cast.viewer(cast.bob),
        participant=alice,
        relationship="peer",
        answers=complete_answers(cycle, "peer"),
    )
    services.review_submit(viewer=cast.viewer(cast.bob), participant=alice, relationship="peer")
    clock.move_to(after(cycle, "peer_reviews"))
    [row] = selectors.cycle_progress(cycle, now=after(cycle, "peer_reviews"))
    # The manager (two reports review upward) and skip (the manager does) are late; alice's
    # reviews are all in, bob has no reviewer.
    assert (row.peer_reviews_done, row.peer_reviews_late) == (2, 2)
    states = export_states(cast, cycle, "peer_reviews_status")
    assert states == {
        "alice@example.com": "done",
        "bob@example.com": "done",
        "manager@example.com": "late",
        "skip@example.com": "late",
    }
    # HR reopens the manager's peer reviews: no longer late.
    services.phase_reopen(
        viewer=cast.viewer(cast.hr),
        participant=cycle.participants.get(person=cast.manager),
        phase="peer_reviews",
        until=phase_end(cycle, "peer_reviews") + timedelta(days=5),
    )
    [row] = selectors.cycle_progress(cycle, now=after(cycle, "peer_reviews"))
    assert row.peer_reviews_late == 1


def test_manager_reviews_late_are_counted_and_the_page_offers_no_nudge_for_peer_phases(
    cast: Cast, cycle: ReviewCycle, clock: Clock
) -> None:
    clock.move_to(after(cycle, "peer_nomination") - timedelta(days=1))
    submit_manager_review(cast, cycle, cast.alice)
    clock.move_to(after(cycle, "manager_review"))
    [row] = selectors.cycle_progress(cycle, now=after(cycle, "manager_review"))
    assert (row.manager_submitted, row.manager_late) == (1, 3)
    page = cast.client(cast.hr).get(reverse("reviews:cycle_detail", args=[cycle.pk]))
    body = page.content.decode()
    # A nudge for each late self-assessment and manager review, none for the peer phases.
    assert body.count('name="phase" value="peer_nomination"') == 0
    assert body.count('name="phase" value="peer_reviews"') == 0
    assert body.count('name="phase" value="manager_review"') == 3


# --- the manager's overdue reminder -----------------------------------------------------------


@pytest.fixture
def sweep(
    immediate_tasks: None, django_capture_on_commit_callbacks: CaptureCallbacks, clock: Clock
) -> Callable[[datetime], list[tuple[str, str]]]:
    def run(at: datetime) -> list[tuple[str, str]]:
        before = len(mail.outbox)
        clock.move_to(at)
        with django_capture_on_commit_callbacks(execute=True):
            review_reminder_sweep()
        return sorted((m.to[0], str(m.subject)) for m in mail.outbox[before:])

    return run


def local(day: date, hour: int, minute: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))


def test_a_manager_is_reminded_once_the_day_after_their_reviews_were_due(
    cast: Cast,
    cycle: ReviewCycle,
    sweep: Callable[[datetime], list[tuple[str, str]]],
) -> None:
    due = phase_end(cycle, "manager_review")
    submit_manager_review(cast, cycle, cast.alice)  # bob's is still owed
    day_after = due + timedelta(days=1)

    def owed(sent: list[tuple[str, str]]) -> list[str]:
        return [to for to, subject in sent if subject.startswith("Manager review")]

    assert owed(sweep(local(day_after, 8, 55, "Europe/Berlin"))) == []
    at_nine = sweep(local(day_after, 9, 5, "Europe/Berlin"))
    # One reminder for the manager (who owes bob's review), in Berlin; skip (who owes the
    # manager's) lives in UTC: not yet.
    assert owed(at_nine) == ["manager@example.com"]
    [(_to, subject)] = [m for m in at_nine if m[0] == "manager@example.com"]
    assert "overdue since" in subject
    [message] = [m for m in mail.outbox if m.subject == subject]
    assert "ask them" in message.body
    # 14:00 UTC: skip's turn; the manager is not reminded twice.
    assert owed(sweep(local(day_after, 15, 0, "Europe/Berlin"))) == ["skip@example.com"]
    assert owed(sweep(local(day_after, 20, 0, "Europe/Berlin"))) == []


def test_a_manager_who_submitted_everything_or_was_reopened_is_not_reminded(
    cast: Cast, cycle: ReviewCycle, sweep: Callable[[datetime], list[tuple[str, str]]]
) -> None:
    due = phase_end(cycle, "manager_review")
    submit_manager_review(cast, cycle, cast.alice)
    submit_manager_review(cast, cycle, cast.bob)
    services.phase_reopen(
        viewer=cast.viewer(cast.hr),
        participant=cycle.participants.get(person=cast.manager),
        phase="manager_review",
        until=due + timedelta(days=3),
    )
    day_after = due + timedelta(days=1)
    # Skip owes the manager's review, reopened for them: nobody is due.
    assert manager_overdue_due(now=local(day_after, 12, 0, "UTC")) == []
    sent = sweep(local(day_after, 12, 0, "UTC")) + sweep(local(day_after, 20, 0, "UTC"))
    assert not [to for to, s in sent if "Manager review" in s]


# --- the peer nomination's deadline ------------------------------------------------------------


def test_nominating_and_deciding_after_the_deadline_is_refused_unless_reopened(
    cast: Cast, cycle: ReviewCycle, clock: Clock
) -> None:
    alice = cycle.participants.get(person=cast.alice)
    clock.move_to(after(cycle, "peer_nomination"))
    with pytest.raises(ValidationError, match="deadline"):
        nominate(cast, cycle, cast.alice, [cast.bob, cast.outsider])
    api = cast.client(cast.alice).put(
        f"/api/v1/reviews/{alice.pk}/peers",
        data=json.dumps({"reviewer_ids": [cast.bob.pk, cast.outsider.pk]}),
        content_type="application/json",
    )
    assert api.status_code == 409 and "deadline" in api.json()["detail"][0]["msg"]
    assert not ReviewerAssignment.objects.filter(participant=alice, relationship="peer").exists()
    with pytest.raises(ValidationError, match="deadline"):
        services.peer_decide(viewer=cast.viewer(cast.manager), participant=alice, add=[cast.bob.pk])
    services.phase_reopen(
        viewer=cast.viewer(cast.hr),
        participant=alice,
        phase="peer_nomination",
        until=phase_end(cycle, "peer_nomination") + timedelta(days=3),
    )
    nominate(cast, cycle, cast.alice, [cast.bob, cast.outsider])
    services.peer_decide(viewer=cast.viewer(cast.manager), participant=alice, approve=[cast.bob.pk])
    assert ReviewerAssignment.objects.get(participant=alice, reviewer=cast.bob).status == "approved"


def test_who_nominated_enough_peers_is_not_reminded_to_nominate(
    cast: Cast, cycle: ReviewCycle, sweep: Callable[[datetime], list[tuple[str, str]]]
) -> None:
    nominate(cast, cycle, cast.alice, [cast.bob, cast.outsider])
    two_days_before = phase_end(cycle, "peer_nomination") - timedelta(days=2)
    sent = sweep(local(two_days_before, 9, 5, "Europe/Berlin"))
    # Berlin: alice nominated two peers, the manager none.
    assert [to for to, subject in sent if subject.startswith("Peer nomination")] == [
        "manager@example.com"
    ]
