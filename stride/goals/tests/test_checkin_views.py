"""Check-in pages: the form (with its htmx key-result rows), one check-in with comments,
my check-ins and those shared with me, and check-in settings."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stride.access.models import AuditEntry
from stride.goals.models import CheckIn, CheckInComment, CheckInPreference, KeyResultUpdate
from stride.org import services as org
from stride.testing import Cast, check_in, choose_partner, first_kr, make_objective
from stride.testing.clock import NOW, Clock

FORM = reverse("goals:checkin_form")
ROWS = reverse("goals:checkin_kr_rows")
LIST = reverse("goals:checkin_list")
SETTINGS = reverse("goals:checkin_settings")


pytestmark = pytest.mark.clock


def detail(checkin: CheckIn) -> str:
    return reverse("goals:checkin_detail", args=[checkin.pk])


def comments_url(checkin: CheckIn) -> str:
    return reverse("goals:checkin_comment_add", args=[checkin.pk])


# --- the form -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(cast: Cast) -> None:
    checkin = check_in(cast, cast.alice)
    for url in (FORM, ROWS, LIST, SETTINGS, detail(checkin), reverse("goals:team_checkins")):
        response = cast.client(None).get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]


def test_the_form_loads_key_results_with_htmx_and_has_a_server_rendered_fallback(
    cast: Cast,
) -> None:
    make_objective(
        cast,
        cast.alice,
        "Grow usage",
        key_results=[{"title": "Weekly active users", "target": 500, "current": 120}],
    )
    html = cast.client(cast.alice).get(FORM).content.decode()
    container = re.search(r'<div id="kr-rows"[^>]*>', html)
    assert container is not None
    assert f'hx-get="{ROWS}"' in container.group(0)
    assert 'hx-trigger="load"' in container.group(0)
    # Without JavaScript the same rows are in the page, prefilled with the current value.
    fallback = html[html.index("<noscript>") : html.index("</noscript>")]
    assert "Weekly active users" in fallback
    assert re.search(r'name="kr-\d+-value"[^>]*value="120"', fallback)


def test_the_htmx_partial_holds_the_prefilled_rows_with_the_last_confidence(cast: Cast) -> None:
    objective = make_objective(
        cast, cast.alice, "Grow usage", key_results=[{"title": "Signups", "target": 100}]
    )
    kr = first_kr(objective)
    check_in(
        cast,
        cast.alice,
        kr_updates=[{"key_result_id": kr.pk, "value": 42, "confidence": 7, "note": "On it"}],
    )
    response = cast.client(cast.alice).get(ROWS, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Grow usage" in html and "Signups" in html
    assert re.search(rf'name="kr-{kr.pk}-value"[^>]*value="42"', html)
    assert re.search(rf'name="kr-{kr.pk}-confidence"[^>]*value="7"', html)
    assert 'value="On it"' in html


def test_the_form_shows_last_weeks_plans_as_a_reminder(cast: Cast) -> None:
    check_in(cast, cast.alice, weeks_ago=1, plans="Write the migration guide")
    html = cast.client(cast.alice).get(FORM).content.decode()
    assert "Last week you planned" in html
    assert "Write the migration guide" in html


def test_mood_is_an_accessible_labelled_radio_group(cast: Cast) -> None:
    html = cast.client(cast.alice).get(FORM).content.decode()
    fieldset = html[html.index("<fieldset") : html.index("</fieldset>")]
    assert "<legend>How was your week?</legend>" in fieldset
    radios = re.findall(r'<input type="radio" name="mood" value="(\d)"[^>]*id="([^"]+)"', fieldset)
    assert [value for value, _ in radios] == ["1", "2", "3", "4", "5"]
    for _value, input_id in radios:
        assert f'for="{input_id}"' in fieldset
    for label in ("Awful", "Bad", "Okay", "Good", "Great"):
        assert label in fieldset
    for name in ("progress", "plans", "problems"):
        assert f'<label for="id_{name}">' in html


def test_submitting_the_form_creates_the_checkin_and_records_key_results(cast: Cast) -> None:
    kr = first_kr(make_objective(cast, cast.alice))
    response = cast.client(cast.alice).post(
        FORM,
        {
            "mood": "4",
            "progress": "Shipped the beta",
            "plans": "Invite users",
            "problems": "",
            f"kr-{kr.pk}-value": "35",
            f"kr-{kr.pk}-confidence": "8",
            f"kr-{kr.pk}-note": "Beta is live",
        },
    )
    checkin = CheckIn.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(checkin)
    assert (checkin.mood, checkin.progress, checkin.iso_week) == (4, "Shipped the beta", "2026-W48")
    update = KeyResultUpdate.objects.get(checkin=checkin)
    assert (update.value, update.confidence, update.note) == (35, 8, "Beta is live")


def test_the_form_edits_this_weeks_checkin_when_there_is_one(cast: Cast) -> None:
    check_in(cast, cast.alice, mood=2, progress="Slow week")
    client = cast.client(cast.alice)
    html = client.get(FORM).content.decode()
    assert "You have already checked in this week" in html
    assert re.search(r'<input type="radio" name="mood" value="2"[^>]*checked', html)
    assert "Slow week</textarea>" in html
    client.post(FORM, {"mood": "3", "progress": "Better now"})
    checkin = CheckIn.objects.get()
    assert (checkin.mood, checkin.progress) == (3, "Better now")


def test_a_confidence_of_eleven_is_shown_as_a_field_error_and_nothing_is_written(
    cast: Cast,
) -> None:
    kr = first_kr(make_objective(cast, cast.alice))
    before = (CheckIn.objects.count(), KeyResultUpdate.objects.count())
    response = cast.client(cast.alice).post(
        FORM,
        {
            "mood": "4",
            "progress": "Kept",
            f"kr-{kr.pk}-value": "35",
            f"kr-{kr.pk}-confidence": "11",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter 10 or less." in html
    assert 'aria-invalid="true"' in html
    # What the person typed is still there, and the rows are rendered in place.
    assert "Kept</textarea>" in html
    assert re.search(rf'name="kr-{kr.pk}-value"[^>]*value="35"', html)
    assert (CheckIn.objects.count(), KeyResultUpdate.objects.count()) == before


def test_a_missing_mood_is_a_field_error(cast: Cast) -> None:
    response = cast.client(cast.alice).post(FORM, {"progress": "No mood"})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_a_service_error_on_a_key_result_lands_on_its_row(cast: Cast) -> None:
    kr = first_kr(make_objective(cast, cast.alice))
    response = cast.client(cast.alice).post(
        FORM, {"mood": "4", f"kr-{kr.pk}-value": "", f"kr-{kr.pk}-confidence": "5"}
    )
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert CheckIn.objects.count() == 0


class _FormFields(HTMLParser):
    """The name/value pairs a browser would post from the page's fields, as shown."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "radio"):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif (
            tag == "option"
            and self._select
            and ("selected" in a or self._select not in self.values)
        ):
            self.values[self._select] = a.get("value", "")


def posted_as_shown(html: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(html)
    return {k: v for k, v in parser.values.items() if k.startswith("kr-")}


def three_key_results(cast: Cast) -> list[Any]:
    objective = make_objective(
        cast,
        cast.alice,
        "Grow usage",
        key_results=[
            {"title": "Signups", "target": 100, "current": 40},
            {"title": "Weekly active users", "target": 500, "current": 120.5},
            {"title": "Docs published", "kind": "milestone"},
        ],
    )
    return list(objective.key_results.order_by("position", "id"))


def test_saving_a_check_in_that_changes_one_key_result_of_several_adds_exactly_one_history_row(
    cast: Cast,
) -> None:
    _signups, users, _docs = three_key_results(cast)
    client = cast.client(cast.alice)
    data = posted_as_shown(client.get(ROWS, headers={"HX-Request": "true"}).content.decode())
    assert data[f"kr-{users.pk}-value"] == "120.5"
    before = KeyResultUpdate.objects.count()
    data.update({"mood": "4", f"kr-{users.pk}-value": "130"})
    response = client.post(FORM, data)
    assert response.status_code == 302
    assert KeyResultUpdate.objects.count() == before + 1
    update = KeyResultUpdate.objects.get(checkin__isnull=False)
    assert (update.key_result_id, update.value) == (users.pk, 130)


def test_a_changed_confidence_or_note_alone_is_recorded_and_a_number_written_differently_is_not(
    cast: Cast,
) -> None:
    signups, users, docs = three_key_results(cast)
    client = cast.client(cast.alice)
    data = posted_as_shown(client.get(ROWS, headers={"HX-Request": "true"}).content.decode())
    data.update(
        {
            "mood": "3",
            f"kr-{signups.pk}-value": "40.00",  # the same number as shown
            f"kr-{signups.pk}-note": "  ",  # spaces are no note
            f"kr-{users.pk}-confidence": "6",
            f"kr-{docs.pk}-note": "Waiting for review",
        }
    )
    assert client.post(FORM, data).status_code == 302
    recorded = KeyResultUpdate.objects.filter(checkin__isnull=False).order_by("key_result_id")
    assert [(u.key_result_id, u.value, u.confidence, u.note) for u in recorded] == [
        (users.pk, Decimal("120.5"), 6, ""),
        (docs.pk, 0, None, "Waiting for review"),
    ]


def test_a_confirmed_key_result_records_its_unchanged_value_once(cast: Cast) -> None:
    signups, _users, _docs = three_key_results(cast)
    client = cast.client(cast.alice)
    data = posted_as_shown(client.get(ROWS, headers={"HX-Request": "true"}).content.decode())
    data.update({"mood": "4", f"kr-{signups.pk}-confirmed": "on"})
    assert client.post(FORM, data).status_code == 302
    # Saving the check-in again with the box still ticked confirms nothing new.
    assert client.post(FORM, data).status_code == 302
    recorded = KeyResultUpdate.objects.filter(checkin__isnull=False)
    assert [(u.key_result_id, u.value) for u in recorded] == [(signups.pk, 40)]


def test_saving_a_check_in_without_touching_any_key_result_records_none(cast: Cast) -> None:
    three_key_results(cast)
    client = cast.client(cast.alice)
    # The no-JavaScript page: the rows are in the server-rendered fallback.
    data = posted_as_shown(client.get(FORM).content.decode())
    assert len([k for k in data if k.endswith("-value")]) == 3
    before = KeyResultUpdate.objects.count()
    data["mood"] = "5"
    assert client.post(FORM, data).status_code == 302
    assert KeyResultUpdate.objects.count() == before
    assert CheckIn.objects.get().mood == 5


def test_the_form_needs_the_same_queries_however_many_goals_and_weeks(
    cast: Cast, django_assert_max_num_queries: Any, clock: Clock
) -> None:
    clock.move_to(NOW - timedelta(weeks=20))
    kr = first_kr(
        make_objective(
            cast,
            cast.alice,
            "First",
            period=(NOW.date() - timedelta(weeks=21), NOW.date() + timedelta(weeks=4)),
        )
    )
    clock.move_to(NOW)
    check_in(cast, cast.alice, kr_updates=[{"key_result_id": kr.pk, "value": 1}])
    client = cast.client(cast.alice)
    for url in (FORM, ROWS):
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        baseline = len(few)  # read now: every request clears the connection's query log
        assert baseline <= 8
        clock.move_to(NOW - timedelta(weeks=20))
        for n in range(4):
            make_objective(
                cast,
                cast.alice,
                f"More {url} {n}",
                key_results=[{"title": f"KR {m}", "target": 10} for m in range(3)],
                period=(NOW.date() - timedelta(weeks=21), NOW.date() + timedelta(weeks=4)),
            )
        for ago in range(1, 12):
            clock.move_to(NOW - timedelta(weeks=ago))
            check_in(
                cast,
                cast.alice,
                kr_updates=[{"key_result_id": kr.pk, "value": ago, "confidence": 5}],
            )
        clock.move_to(NOW)
        with django_assert_max_num_queries(baseline):
            html = client.get(url).content.decode()
        assert f"More {url} 3" in html


def test_a_person_without_goals_is_invited_to_set_some(cast: Cast) -> None:
    html = cast.client(cast.alice).get(ROWS).content.decode()
    assert "Set your goals" in html


# --- one check-in ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "manager", "skip", "salesmanager", "hr"])
def test_the_author_managers_partner_and_hr_see_a_checkin(cast: Cast, who: str) -> None:
    choose_partner(cast, cast.alice, cast.salesmanager)
    checkin = check_in(cast, cast.alice, progress="Shipped the beta")
    response = cast.client(getattr(cast, who)).get(detail(checkin))
    assert response.status_code == 200
    assert "Shipped the beta" in response.content.decode()


@pytest.mark.parametrize("who", ["bob", "outsider", "rep"])
def test_a_peer_an_outsider_and_a_rep_get_404(cast: Cast, who: str) -> None:
    choose_partner(cast, cast.alice, cast.salesmanager)
    checkin = check_in(cast, cast.alice, progress="Shipped the beta")
    client = cast.client(getattr(cast, who))
    assert client.get(detail(checkin)).status_code == 404
    assert client.post(comments_url(checkin), {"body": "Hi"}).status_code == 404
    assert CheckInComment.objects.count() == 0


def test_a_partner_does_not_see_key_results_of_private_objectives(cast: Cast) -> None:
    choose_partner(cast, cast.alice, cast.salesmanager)
    public = first_kr(make_objective(cast, cast.alice, "Open goal"))
    secret = first_kr(make_objective(cast, cast.alice, "Secret promotion", visibility="private"))
    checkin = check_in(
        cast,
        cast.alice,
        kr_updates=[
            {"key_result_id": public.pk, "value": 10},
            {"key_result_id": secret.pk, "value": 20},
        ],
    )
    partner_view = cast.client(cast.salesmanager).get(detail(checkin)).content.decode()
    assert "Open goal" in partner_view
    assert "Secret promotion" not in partner_view
    manager_view = cast.client(cast.manager).get(detail(checkin)).content.decode()
    assert "Secret promotion" in manager_view


def test_a_comment_through_htmx_returns_the_comments_and_emails_the_author(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    checkin = check_in(cast, cast.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client(cast.manager).post(
            comments_url(checkin), {"body": "Great progress!"}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="comments"')
    assert "Great progress!" in html and "Mia Manager" in html
    assert "HX-Request" in response["Vary"]
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_a_comment_without_javascript_redirects_back_to_the_checkin(cast: Cast) -> None:
    checkin = check_in(cast, cast.alice)
    client = cast.client(cast.manager)
    response = client.post(comments_url(checkin), {"body": "Well done"})
    assert response.status_code == 302
    assert response["Location"] == detail(checkin) + "#comments"
    assert "Well done" in client.get(detail(checkin)).content.decode()


def test_an_empty_comment_shows_an_error_and_writes_nothing(cast: Cast) -> None:
    checkin = check_in(cast, cast.alice)
    client = cast.client(cast.manager)
    htmx = client.post(comments_url(checkin), {"body": ""}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200  # htmx swaps only 2xx answers
    assert "This field cannot be blank." in htmx.content.decode()
    plain = client.post(comments_url(checkin), {"body": ""})
    assert plain.status_code == 422
    assert "This field cannot be blank." in plain.content.decode()
    assert CheckInComment.objects.count() == 0


def test_the_detail_page_has_a_no_javascript_comment_form(cast: Cast) -> None:
    checkin = check_in(cast, cast.alice)
    html = cast.client(cast.manager).get(detail(checkin)).content.decode()
    assert f'action="{comments_url(checkin)}"' in html
    assert f'hx-post="{comments_url(checkin)}"' in html
    assert '<label for="id_body">' in html


def test_the_detail_page_needs_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    checkin = check_in(cast, cast.alice)
    client = cast.client(cast.manager)
    client.get(detail(checkin))
    with CaptureQueriesContext(connection) as few:
        client.get(detail(checkin))
    baseline = len(few)  # read now: every request clears the connection's query log
    kr = first_kr(make_objective(cast, cast.alice))
    checkin = check_in(cast, cast.alice, kr_updates=[{"key_result_id": kr.pk, "value": 3}])
    for n in range(5):
        client.post(comments_url(checkin), {"body": f"Comment {n}"})
    with django_assert_max_num_queries(baseline):
        assert client.get(detail(checkin)).status_code == 200


# --- lists ----------------------------------------------------------------------------


def test_the_list_shows_my_history_and_what_is_shared_with_me(cast: Cast) -> None:
    check_in(cast, cast.alice, weeks_ago=1, plans="Plan A")
    check_in(cast, cast.alice, plans="Plan B")
    choose_partner(cast, cast.bob, cast.alice)
    check_in(cast, cast.bob, plans="Bob's plan")
    check_in(cast, cast.outsider, plans="Olga's plan")
    html = cast.client(cast.alice).get(LIST).content.decode()
    mine = html[html.index("My check-ins") : html.index("Shared with me")]
    shared = html[html.index("Shared with me") :]
    assert mine.index("2026-W48") < mine.index("2026-W47")
    assert "Plan A" in mine and "Plan B" in mine
    assert "Bob Report" in shared
    assert "Olga" not in html


def test_the_list_needs_the_same_queries_however_long_the_history(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    choose_partner(cast, cast.bob, cast.alice)
    check_in(cast, cast.alice)
    check_in(cast, cast.bob)
    client = cast.client(cast.alice)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    baseline = len(few)
    for ago in range(1, 30):
        check_in(cast, cast.alice, weeks_ago=ago)
        check_in(cast, cast.bob, weeks_ago=ago)
    with django_assert_max_num_queries(baseline):
        html = client.get(LIST).content.decode()
    assert "Page 1 of 2" in html


# --- settings -------------------------------------------------------------------------


def test_settings_show_the_time_zone_and_save_a_partner_by_email(cast: Cast) -> None:
    client = cast.client(cast.bob)
    html = client.get(SETTINGS).content.decode()
    assert "America/New_York" in html
    assert 'list="partner-suggestions"' in html
    assert "alice@example.com" in html  # a teammate suggested
    response = client.post(
        SETTINGS,
        {
            "partner_email": "Salesmanager@Example.com",
            "reminder_weekday": "0",
            "reminder_time": "09:30",
            "reminders_enabled": "on",
        },
    )
    assert response.status_code == 302
    pref = CheckInPreference.objects.get(person=cast.bob)
    assert pref.partner == cast.salesmanager
    assert pref.reminder_weekday == 0
    assert pref.reminder_time.strftime("%H:%M") == "09:30"
    assert AuditEntry.objects.filter(action="checkin_preference.update").count() == 1


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.com", "No one in Stride has this e-mail address."),
        ("bob@example.com", "Choose someone other than yourself."),
    ],
)
def test_settings_refuse_an_unknown_or_own_address(cast: Cast, email: str, message: str) -> None:
    response = cast.client(cast.bob).post(
        SETTINGS,
        {"partner_email": email, "reminder_weekday": "4", "reminder_time": "15:00"},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert CheckInPreference.objects.count() == 0


def test_a_new_partner_sees_earlier_checkins_and_a_replaced_one_no_longer_does(
    cast: Cast,
) -> None:
    checkin = check_in(cast, cast.alice, weeks_ago=2)
    choose_partner(cast, cast.alice, cast.outsider)
    assert cast.client(cast.outsider).get(detail(checkin)).status_code == 200
    choose_partner(cast, cast.alice, cast.salesmanager)
    assert cast.client(cast.outsider).get(detail(checkin)).status_code == 404


def test_someone_who_left_is_not_offered_as_partner(cast: Cast) -> None:
    leaver = org.person_create(
        actor=None,
        name="Lena Left",
        email="lena@example.com",
        team=cast.product,
        manager=cast.manager,
    )
    from stride.org.models import Person

    Person.objects.filter(pk=leaver.pk).update(status=Person.Status.LEFT)
    html = cast.client(cast.bob).get(SETTINGS).content.decode()
    assert "lena@example.com" not in html


def test_the_week_shown_follows_the_persons_zone(cast: Cast, clock: Clock) -> None:
    # Monday 04:30 UTC: still Sunday in New York (bob), already Monday in Berlin (alice).
    clock.move_to(NOW + timedelta(days=4, hours=16, minutes=30))
    assert "2026-W48" in cast.client(cast.bob).get(FORM).content.decode()
    assert "2026-W49" in cast.client(cast.alice).get(FORM).content.decode()
