"""Check-in reminders: sent at each person's own local day and time, once per week."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stride.goals.checkins.reminders import (
    checkin_reminder_sweep,
    checkin_reminders_due,
    deliveries_claim,
    reminder_key,
)
from stride.goals.models import CheckInPreference
from stride.goals.tests.conftest import (
    BERLIN_1455,
    BERLIN_1505,
    FRIDAY,
    NEW_YORK_1455,
    NEW_YORK_1505,
    Sweep,
    check_in,
    local,
)
from stride.notify.models import Delivery
from stride.notify.tests.conftest import CaptureCallbacks
from stride.org import services as org
from stride.org.models import Person, User
from stride.testing import THIS_MONDAY, Cast, Clock

# Everything, the cast included, happens on the shared frozen clock; the tests move it to
# the moments around each person's reminder.
pytestmark = pytest.mark.clock
SATURDAY = FRIDAY + timedelta(days=1)
NEXT_MONDAY = THIS_MONDAY + timedelta(days=7)  # week 49 begins


def test_a_berlin_person_is_reminded_at_their_time_and_not_before(cast: Cast, sweep: Sweep) -> None:
    assert sweep(BERLIN_1455) == []
    assert sweep(BERLIN_1505) == ["alice@example.com", "manager@example.com"]


def test_a_new_york_person_is_reminded_at_new_york_time_not_berlin_time(
    cast: Cast, sweep: Sweep
) -> None:
    assert "bob@example.com" not in sweep(BERLIN_1505)
    assert "bob@example.com" not in sweep(NEW_YORK_1455)
    assert "bob@example.com" in sweep(NEW_YORK_1505)


def test_running_the_sweep_again_sends_nothing_twice(cast: Cast, sweep: Sweep) -> None:
    sweep(BERLIN_1505)
    sweep(BERLIN_1505)
    sweep(BERLIN_1505 + timedelta(minutes=1))
    sweep(NEW_YORK_1505)
    to_alice = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert len(to_alice) == 1
    assert Delivery.objects.filter(person=cast.alice).count() == 1


def test_someone_who_checked_in_this_week_is_not_reminded(cast: Cast, sweep: Sweep) -> None:
    check_in(cast.alice, THIS_MONDAY)
    check_in(cast.manager, THIS_MONDAY - timedelta(days=7))  # last week's does not count
    assert sweep(BERLIN_1505) == ["manager@example.com"]


def test_someone_who_turned_reminders_off_is_not_reminded(cast: Cast, sweep: Sweep) -> None:
    CheckInPreference.objects.create(person=cast.alice, reminders_enabled=False)
    assert sweep(BERLIN_1505) == ["manager@example.com"]


def test_a_chosen_day_and_time_is_kept(cast: Cast, sweep: Sweep) -> None:
    CheckInPreference.objects.create(
        person=cast.alice,
        reminder_weekday=CheckInPreference.Weekday.MONDAY,
        reminder_time=time(9, 30),
    )
    # Monday 23 November: 09:25 and 09:35 in Berlin.
    assert sweep(local(THIS_MONDAY, 9, 25, "Europe/Berlin")) == []
    assert sweep(local(THIS_MONDAY, 9, 35, "Europe/Berlin")) == ["alice@example.com"]
    assert "alice@example.com" not in sweep(BERLIN_1505)


def test_a_reminder_missed_while_the_worker_was_down_goes_out_later_that_week(
    cast: Cast, sweep: Sweep
) -> None:
    check_in(cast.bob, THIS_MONDAY)
    sent = sweep(local(SATURDAY, 10))
    assert "alice@example.com" in sent
    assert len(sent) == len(cast.members) - 1  # everyone but bob, who has checked in
    # A new week starts on Monday: Friday's reminder is not due again until Friday.
    assert sweep(local(NEXT_MONDAY, 23)) == []


def test_the_week_is_the_persons_own(cast: Cast, sweep: Sweep) -> None:
    # Sunday 23:30 UTC: Monday 00:30 in Berlin, still Sunday in London.
    sunday_late = local(NEXT_MONDAY - timedelta(days=1), 23, 30)
    sent = sweep(sunday_late)
    assert "skip@example.com" in sent  # UTC: Friday 15:00 of week 48 has passed
    assert "alice@example.com" not in sent  # Berlin: week 49 has begun, Friday is to come
    assert Delivery.objects.get(person=cast.skip).key == "checkin-reminder:2026-W48"


@pytest.mark.parametrize(
    "change",
    [
        {"status": Person.Status.LEFT},
        {"status": Person.Status.ON_LEAVE},
        {"user": None},
    ],
    ids=["left", "on-leave", "no-login"],
)
def test_people_who_are_not_active_with_a_login_are_not_reminded(
    cast: Cast, sweep: Sweep, change: dict[str, object]
) -> None:
    Person.objects.filter(pk=cast.alice.pk).update(**change)
    assert sweep(BERLIN_1505) == ["manager@example.com"]


def test_someone_whose_login_was_deactivated_is_not_reminded(cast: Cast, sweep: Sweep) -> None:
    User.objects.filter(person=cast.alice).update(is_active=False)
    assert sweep(BERLIN_1505) == ["manager@example.com"]


def test_the_email_names_the_week_and_links_to_the_checkin_form(
    cast: Cast, sweep: Sweep, settings: object
) -> None:
    CheckInPreference.objects.create(person=cast.manager, reminders_enabled=False)
    sweep(BERLIN_1505)
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "week 48" in message.subject
    assert "Hello Alice Report" in message.body
    assert "week 48 of 2026 (Monday 23 November to Sunday 29 November 2026)" in message.body
    assert "http://127.0.0.1:8000/check-ins/new" in message.body
    assert "turn it off:\nhttp://127.0.0.1:8000/check-ins/settings" in message.body
    [(html, mimetype)] = message.alternatives  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert 'href="http://127.0.0.1:8000/check-ins/new"' in html
    assert "week 48 of 2026" in html
    delivery = Delivery.objects.get(person=cast.alice)
    assert delivery.sent_at is not None


def test_names_are_not_html_escaped_in_the_plain_text(cast: Cast, sweep: Sweep) -> None:
    Person.objects.filter(pk=cast.alice.pk).update(name="Aoife O'Brien & Co")
    sweep(BERLIN_1505)
    [message] = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert "Hello Aoife O'Brien & Co," in message.body
    assert "Aoife O&#x27;Brien &amp; Co" in message.alternatives[0][0]  # type: ignore[attr-defined]


def test_a_worker_that_found_the_same_people_a_moment_later_claims_none_of_them(
    cast: Cast,
) -> None:
    # Two workers can both see alice as due before either commits; the unique claim lets
    # only the first insert through, and only rows a run inserted are sent by it.
    due = checkin_reminders_due(now=BERLIN_1505)
    assert {d.person_id for d in due} == {cast.alice.pk, cast.manager.pk}
    first = deliveries_claim(due=due, now=BERLIN_1505)
    second = deliveries_claim(due=due, now=BERLIN_1505)
    assert len(first) == 2
    assert second == []


def test_someone_who_checks_in_before_the_queued_reminder_goes_out_gets_none(
    cast: Cast,
    clock: Clock,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    clock.move_to(BERLIN_1505)
    with django_capture_on_commit_callbacks() as callbacks:
        checkin_reminder_sweep()
    clock.shift(timedelta(minutes=1))
    check_in(cast.alice, THIS_MONDAY)
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]
    skipped = Delivery.objects.get(person=cast.alice)
    assert skipped.sent_at is None
    assert skipped.skipped_at is not None  # not picked up again by the recovery job


def test_a_reminder_whose_week_is_over_where_the_person_lives_is_not_sent(
    cast: Cast,
    clock: Clock,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    # Recorded on Friday, but the queue (or a dead worker) held it until Monday.
    clock.move_to(BERLIN_1505)
    with django_capture_on_commit_callbacks() as callbacks:
        checkin_reminder_sweep()
    clock.move_to(local(NEXT_MONDAY, 9))  # Monday of week 49
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert Delivery.objects.filter(skipped_at__isnull=False).count() == 2


def test_an_unknown_time_zone_does_not_stop_everyone_elses_reminders(
    cast: Cast, sweep: Sweep
) -> None:
    Person.objects.filter(pk=cast.alice.pk).update(time_zone="Mars/Olympus_Mons")
    assert sweep(BERLIN_1505) == ["manager@example.com"]


def test_nothing_is_sent_before_the_claim_commits(
    cast: Cast,
    clock: Clock,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    clock.move_to(BERLIN_1505)
    with django_capture_on_commit_callbacks() as callbacks:
        claimed = checkin_reminder_sweep()
        assert mail.outbox == []
    assert len(claimed) == 2
    assert len(callbacks) == 1


def _add_people(count: int, start: int) -> None:
    zones = ["Europe/Berlin", "Europe/Paris", "Africa/Lagos", "Asia/Tokyo", "America/Chicago"]
    for i in range(start, start + count):
        person = org.person_create(
            actor=None,
            name=f"Person {i}",
            email=f"person{i}@example.com",
            time_zone=zones[i % len(zones)],
        )
        if i % 3 == 0:
            CheckInPreference.objects.create(person=person, reminder_time=time(14, 0))


def _queries_for_sweep(
    clock: Clock, capture: CaptureCallbacks, at: datetime
) -> tuple[int, int, int]:
    """Queries of the sweep itself at ``at``, then of the sending it queued, and the
    messages sent."""
    before = len(mail.outbox)
    clock.move_to(at)
    with CaptureQueriesContext(connection) as sweep_queries, capture() as callbacks:
        checkin_reminder_sweep()
    with CaptureQueriesContext(connection) as send_queries:
        for callback in callbacks:
            callback()
    return len(sweep_queries), len(send_queries), len(mail.outbox) - before


def test_the_sweep_query_count_does_not_grow_with_the_number_of_people(
    cast: Cast,
    clock: Clock,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    capture = django_capture_on_commit_callbacks
    _add_people(3, start=0)
    few, send_few, sent_few = _queries_for_sweep(clock, capture, BERLIN_1505)
    _add_people(40, start=3)
    next_friday = BERLIN_1505 + timedelta(days=7)
    many, send_many, sent_many = _queries_for_sweep(clock, capture, next_friday)
    assert sent_many > sent_few + 20  # the second sweep really did reach more people
    assert many == few <= 10
    # Sending is the one part that grows, on purpose: each message is claimed and stamped
    # in statements of its own, so a worker killed mid-batch loses nothing it sent.
    assert send_many - send_few == 2 * (sent_many - sent_few)


def test_the_key_names_the_iso_week() -> None:
    assert reminder_key(THIS_MONDAY) == "checkin-reminder:2026-W48"


def test_claims_beyond_one_statement_are_all_made_and_sent(
    cast: Cast, sweep: Sweep, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 10,000 claims go in statements of BATCH_SIZE rows; a small batch exercises the seams.
    monkeypatch.setattr("stride.notify.claims.BATCH_SIZE", 3)
    sent = sweep(local(SATURDAY, 10))  # Saturday: everyone's Friday reminder is due
    assert len(sent) == len(cast.members) == Delivery.objects.filter(sent_at__isnull=False).count()
