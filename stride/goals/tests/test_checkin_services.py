"""checkin_submit, checkin_comment_add and checkin_preference_update."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404

from stride.access.models import AuditEntry
from stride.goals.checkins import services as services
from stride.goals.checkins.schemas import CheckInSettings, CheckInSubmit
from stride.goals.models import CheckIn, CheckInComment, CheckInPreference, KeyResultUpdate
from stride.lib.fields import TEXT_MAX
from stride.lib.input import InvalidInput, parse
from stride.org.models import Person
from stride.testing import Cast, check_in, choose_partner, first_kr, make_objective
from stride.testing.clock import THIS_MONDAY, Clock

pytestmark = pytest.mark.clock


def counts() -> tuple[int, int, int, int]:
    return (
        CheckIn.objects.count(),
        KeyResultUpdate.objects.count(),
        AuditEntry.objects.count(),
        CheckInComment.objects.count(),
    )


# --- one check-in per person per ISO week ---------------------------------------------


def test_it_files_the_checkin_under_the_monday_of_this_iso_week(cast: Cast) -> None:
    checkin = check_in(cast, cast.alice, mood=4, progress="Shipped the beta")
    assert checkin.week_start == THIS_MONDAY
    assert checkin.iso_week == "2026-W48"
    assert checkin.progress == "Shipped the beta"
    assert AuditEntry.objects.filter(action="checkin.submit", target_id=str(checkin.pk)).exists()


def test_a_second_submission_in_the_same_week_updates_the_same_checkin(cast: Cast) -> None:
    first = check_in(cast, cast.alice, mood=2, plans="Fix the build")
    second = services.checkin_submit(
        viewer=cast.viewer(cast.alice),
        mood=5,
        plans="Release on Friday",
        now=datetime(2026, 11, 29, 20, 0, tzinfo=UTC),  # Sunday evening, same week
    )
    assert second.pk == first.pk
    assert CheckIn.objects.filter(person=cast.alice).count() == 1
    second.refresh_from_db()
    assert (second.mood, second.plans) == (5, "Release on Friday")
    update = AuditEntry.objects.get(action="checkin.update")
    # The log says what changed, not the mood or the words (HR reads it).
    assert update.changes["mood"] == {"changed": True}
    assert update.changes["plans"] == {"changed": True, "length": [13, 17]}
    assert "Release" not in str(update.changes)


def test_sunday_night_in_new_york_still_counts_for_the_previous_iso_week(
    cast: Cast, clock: Clock
) -> None:
    # 04:30 UTC on Monday 30 November is 23:30 on Sunday 29 November in New York.
    clock.move_to(datetime(2026, 11, 30, 4, 30, tzinfo=UTC))
    bob = services.checkin_submit(viewer=cast.viewer(cast.bob), mood=3)
    alice = services.checkin_submit(viewer=cast.viewer(cast.alice), mood=3)
    assert bob.week_start == date(2026, 11, 23)
    assert bob.iso_week == "2026-W48"
    # Alice lives in Berlin, where it is already Monday morning: a new week.
    assert alice.week_start == date(2026, 11, 30)
    assert alice.iso_week == "2026-W49"


def test_after_midnight_on_monday_in_new_york_a_new_week_begins(cast: Cast, clock: Clock) -> None:
    clock.move_to(datetime(2026, 11, 29, 23, 0, tzinfo=UTC))
    sunday = services.checkin_submit(viewer=cast.viewer(cast.bob), mood=3)
    clock.move_to(datetime(2026, 11, 30, 5, 30, tzinfo=UTC))  # 00:30 NY
    monday = services.checkin_submit(viewer=cast.viewer(cast.bob), mood=4)
    assert sunday.pk != monday.pk
    assert [c.iso_week for c in CheckIn.objects.order_by("week_start")] == [
        "2026-W48",
        "2026-W49",
    ]


# --- validation: everything is checked before anything is written ----------------------


@pytest.mark.parametrize("mood", [0, 6, None, "great", 3.5])
def test_its_schema_refuses_a_mood_outside_one_to_five(mood: object) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse(CheckInSubmit, {"mood": mood})
    assert [p.loc for p in exc.value.problems] == [("mood",)]


def test_it_refuses_a_confidence_above_ten_and_writes_nothing(cast: Cast) -> None:
    kr = first_kr(make_objective(cast, cast.alice))
    before = counts()
    with pytest.raises(ValidationError) as exc:
        check_in(
            cast,
            cast.alice,
            progress="Good week",
            kr_updates=[{"key_result_id": kr.pk, "value": 40, "confidence": 11}],
        )
    assert list(exc.value.message_dict) == ["kr_updates.0.confidence"]
    assert counts() == before
    kr.refresh_from_db()
    assert kr.current == 0


def test_it_refuses_a_key_result_of_someone_else(cast: Cast) -> None:
    bobs = first_kr(make_objective(cast, cast.bob, "Bob's goal"))
    before = counts()
    with pytest.raises(ValidationError) as exc:
        check_in(cast, cast.alice, kr_updates=[{"key_result_id": bobs.pk, "value": 99}])
    assert "kr_updates.0.key_result_id" in exc.value.message_dict
    assert counts() == before
    bobs.refresh_from_db()
    assert bobs.current == 0


def test_a_manager_cannot_report_a_reports_key_result_in_their_own_checkin(cast: Cast) -> None:
    alices = first_kr(make_objective(cast, cast.alice))
    with pytest.raises(ValidationError) as exc:
        check_in(cast, cast.manager, kr_updates=[{"key_result_id": alices.pk, "value": 10}])
    assert "kr_updates.0.key_result_id" in exc.value.message_dict
    assert CheckIn.objects.count() == 0


def test_one_bad_row_stops_the_good_rows_too(cast: Cast) -> None:
    objective = make_objective(
        cast,
        cast.alice,
        key_results=[
            {"title": "Users", "target": 100},
            {"title": "Launch", "kind": "milestone", "target": 1},
        ],
    )
    users, launch = list(objective.key_results.order_by("position"))
    before = counts()
    with pytest.raises(ValidationError) as exc:
        check_in(
            cast,
            cast.alice,
            kr_updates=[
                {"key_result_id": users.pk, "value": 50, "confidence": 7},
                {"key_result_id": launch.pk, "value": 2},
                {"key_result_id": users.pk, "value": 60},
            ],
        )
    assert set(exc.value.message_dict) == {"kr_updates.1.value", "kr_updates.2.key_result_id"}
    assert counts() == before
    users.refresh_from_db()
    assert users.current == 0


def test_long_texts_are_refused_with_the_field_named() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse(CheckInSubmit, {"mood": 3, "problems": "x" * (TEXT_MAX + 1)})
    assert [p.loc for p in exc.value.problems] == [("problems",)]


def test_someone_without_a_person_record_cannot_check_in(cast: Cast) -> None:
    from stride.access.viewer import ANONYMOUS

    with pytest.raises(Http404):
        services.checkin_submit(viewer=ANONYMOUS, mood=3)


# --- key-result history ----------------------------------------------------------------


def test_it_records_key_result_values_in_the_history_linked_to_the_checkin(cast: Cast) -> None:
    kr = first_kr(make_objective(cast, cast.alice))
    checkin = check_in(
        cast,
        cast.alice,
        kr_updates=[
            {"key_result_id": kr.pk, "value": "42.5", "confidence": 7, "note": "Beta users"}
        ],
    )
    kr.refresh_from_db()
    assert kr.current == Decimal("42.5")
    update = KeyResultUpdate.objects.get(checkin=checkin)
    assert (update.key_result_id, update.value, update.confidence, update.note) == (
        kr.pk,
        Decimal("42.5"),
        7,
        "Beta users",
    )
    assert update.author_id == cast.alice.pk
    # The starting value is still the first entry of the history.
    assert [u.value for u in kr.updates.order_by("at", "id")] == [Decimal(0), Decimal("42.5")]
    audit = AuditEntry.objects.get(action="checkin.submit")
    assert audit.changes["kr_updates"][0]["key_result"] == kr.pk


def test_resubmitting_the_same_values_adds_no_duplicate_history(cast: Cast) -> None:
    kr = first_kr(make_objective(cast, cast.alice))
    row = {"key_result_id": kr.pk, "value": 30, "confidence": 6, "note": ""}
    check_in(cast, cast.alice, kr_updates=[row])
    check_in(cast, cast.alice, mood=5, kr_updates=[row])
    assert KeyResultUpdate.objects.filter(checkin__isnull=False).count() == 1
    check_in(cast, cast.alice, kr_updates=[{**row, "value": 35}])
    assert list(
        KeyResultUpdate.objects.filter(checkin__isnull=False).values_list("value", flat=True)
    ) == [Decimal(30), Decimal(35)]
    kr.refresh_from_db()
    assert kr.current == 35


# --- comments --------------------------------------------------------------------------


def test_the_manager_comments_and_the_author_gets_an_email_after_commit(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    checkin = check_in(cast, cast.alice)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        comment = services.checkin_comment_add(
            viewer=cast.viewer(cast.manager), checkin=checkin, body="  Nice progress!  "
        )
        assert mail.outbox == []  # nothing leaves before the comment is committed
    assert len(callbacks) == 1
    assert comment.body == "Nice progress!"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert "Mia Manager" in message.subject
    assert "2026-W48" in message.subject
    assert f"/check-ins/{checkin.pk}/" in message.body
    assert AuditEntry.objects.filter(action="checkin_comment.create").count() == 1


@pytest.mark.parametrize("commenter", ["skip", "hr", "salesmanager"])
def test_everyone_who_can_see_the_checkin_may_comment(cast: Cast, commenter: str) -> None:
    choose_partner(cast, cast.alice, cast.salesmanager)
    checkin = check_in(cast, cast.alice)
    services.checkin_comment_add(
        viewer=cast.viewer(getattr(cast, commenter)), checkin=checkin, body="Keep going"
    )
    assert CheckInComment.objects.filter(checkin=checkin).count() == 1


@pytest.mark.parametrize("commenter", ["bob", "outsider", "rep"])
def test_people_who_cannot_see_the_checkin_cannot_comment(cast: Cast, commenter: str) -> None:
    checkin = check_in(cast, cast.alice)
    with pytest.raises(Http404):
        services.checkin_comment_add(
            viewer=cast.viewer(getattr(cast, commenter)), checkin=checkin, body="Hi"
        )
    assert CheckInComment.objects.count() == 0


def test_the_author_replying_gets_no_email(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    checkin = check_in(cast, cast.alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.checkin_comment_add(viewer=cast.viewer(cast.alice), checkin=checkin, body="Thanks")
    assert mail.outbox == []


def test_an_empty_comment_is_refused(cast: Cast) -> None:
    checkin = check_in(cast, cast.alice)
    with pytest.raises(ValidationError) as exc:
        services.checkin_comment_add(viewer=cast.viewer(cast.manager), checkin=checkin, body="  ")
    assert list(exc.value.message_dict) == ["body"]
    assert CheckInComment.objects.count() == 0


# --- settings --------------------------------------------------------------------------


def test_it_saves_the_partner_and_reminder_and_audits_it(cast: Cast) -> None:
    pref = choose_partner(cast, cast.alice, cast.salesmanager)
    assert pref.partner == cast.salesmanager
    assert (pref.reminder_weekday, pref.reminder_time) == (4, time(15, 0))
    services.checkin_preference_update(
        viewer=cast.viewer(cast.alice),
        partner=None,
        reminder_weekday=0,
        reminder_time=time(9, 30),
        reminders_enabled=False,
    )
    pref.refresh_from_db()
    assert (pref.partner, pref.reminder_weekday, pref.reminders_enabled) == (None, 0, False)
    assert CheckInPreference.objects.count() == 1
    entries = AuditEntry.objects.filter(action="checkin_preference.update").order_by("id")
    assert entries.count() == 2
    assert entries.last().changes["partner"] == [cast.salesmanager.pk, None]  # type: ignore[union-attr]


def test_one_cannot_be_ones_own_partner(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        choose_partner(cast, cast.alice, cast.alice)
    assert list(exc.value.message_dict) == ["partner"]
    assert CheckInPreference.objects.count() == 0


def test_the_partner_must_still_work_here(cast: Cast) -> None:
    Person.objects.filter(pk=cast.bob.pk).update(status=Person.Status.LEFT)
    cast.bob.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        choose_partner(cast, cast.alice, cast.bob)
    assert list(exc.value.message_dict) == ["partner"]


def test_a_bad_weekday_or_time_is_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse(CheckInSettings, {"reminder_weekday": 7, "reminder_time": "25:00"})
    assert {p.loc for p in exc.value.problems} == {("reminder_weekday",), ("reminder_time",)}
