"""The check-in API: /api/v1/check-ins and its comments."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stride.access.models import AuditEntry
from stride.goals.models import CheckIn, CheckInComment, KeyResultUpdate
from stride.testing import PASSWORD, Cast, check_in, choose_partner, first_kr, make_objective

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

URL = "/api/v1/check-ins"


pytestmark = pytest.mark.clock


def post(client: Client, url: str, data: object) -> TestResponse:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def rows() -> tuple[int, int, int, int]:
    return (
        CheckIn.objects.count(),
        KeyResultUpdate.objects.count(),
        CheckInComment.objects.count(),
        AuditEntry.objects.count(),
    )


def locs(response: TestResponse) -> list[list[object]]:
    return [d["loc"] for d in response.json()["detail"]]


# --- submitting -------------------------------------------------------------------------


def test_posting_a_checkin_answers_201_with_the_checkin(cast: Cast) -> None:
    kr = first_kr(make_objective(cast, cast.alice, "Grow usage"))
    response = post(
        cast.client(cast.alice),
        URL,
        {
            "mood": 4,
            "progress": "Shipped",
            "plans": "Iterate",
            "problems": "",
            "kr_updates": [
                {"key_result_id": kr.pk, "value": 12.5, "confidence": 7, "note": "Beta"}
            ],
        },
    )
    assert response.status_code == 201
    body = response.json()
    checkin = CheckIn.objects.get()
    assert body["id"] == checkin.pk
    assert body["person_id"] == cast.alice.pk
    assert body["person_name"] == "Alice Report"
    assert body["week"] == "2026-W48"
    assert body["week_start"] == "2026-11-23"
    assert (body["mood"], body["progress"], body["plans"], body["problems"]) == (
        4,
        "Shipped",
        "Iterate",
        "",
    )
    (update,) = body["kr_updates"]
    assert update["key_result_id"] == kr.pk
    assert update["objective_title"] == "Grow usage"
    assert update["value"] == "12.5"
    assert (update["confidence"], update["note"]) == (7, "Beta")


def test_posting_again_in_the_same_week_updates_the_same_checkin(cast: Cast) -> None:
    client = cast.client(cast.alice)
    first = post(client, URL, {"mood": 2}).json()
    second = post(client, URL, {"mood": 5, "plans": "Rest"}).json()
    assert second["id"] == first["id"]
    assert (second["mood"], second["plans"]) == (5, "Rest")
    assert CheckIn.objects.count() == 1


def test_a_token_client_can_check_in(cast: Cast) -> None:
    token = post(
        Client(), "/api/v1/auth/token", {"email": "bob@example.com", "password": PASSWORD}
    ).json()["token"]
    response = Client().post(
        URL,
        data=json.dumps({"mood": 3}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert response.json()["person_id"] == cast.bob.pk


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"mood": 0}, ["body", "mood"]),
        ({"mood": 6}, ["body", "mood"]),
        ({}, ["body", "mood"]),
        ({"mood": "happy"}, ["body", "mood"]),
        ({"mood": 3, "progress": "x" * 10_001}, ["body", "progress"]),
    ],
)
def test_bad_input_answers_422_naming_the_field_and_writes_nothing(
    cast: Cast, payload: dict[str, object], loc: list[object]
) -> None:
    before = rows()
    response = post(cast.client(cast.alice), URL, payload)
    assert response.status_code == 422
    assert loc in locs(response)
    assert rows() == before


def test_a_confidence_of_eleven_answers_422_and_writes_nothing(cast: Cast) -> None:
    kr = first_kr(make_objective(cast, cast.alice))
    before = rows()
    response = post(
        cast.client(cast.alice),
        URL,
        {"mood": 3, "kr_updates": [{"key_result_id": kr.pk, "value": 5, "confidence": 11}]},
    )
    assert response.status_code == 422
    assert ["body", "kr_updates", 0, "confidence"] in locs(response)
    assert rows() == before


def test_someone_elses_key_result_answers_409_and_writes_nothing(cast: Cast) -> None:
    mine = first_kr(make_objective(cast, cast.alice, "Mine"))
    bobs = first_kr(make_objective(cast, cast.bob, "Bob's"))
    before = rows()
    response = post(
        cast.client(cast.alice),
        URL,
        {
            "mood": 3,
            "kr_updates": [
                {"key_result_id": mine.pk, "value": 5},
                {"key_result_id": bobs.pk, "value": 99},
            ],
        },
    )
    assert response.status_code == 409
    assert locs(response) == [["body", "kr_updates", 1, "key_result_id"]]
    assert rows() == before
    mine.refresh_from_db()
    assert mine.current == 0


def test_anonymous_callers_are_refused(cast: Cast) -> None:
    assert Client().get(URL).status_code == 401
    assert post(Client(), URL, {"mood": 3}).status_code == 401
    assert CheckIn.objects.count() == 0


# --- reading --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "manager", "skip", "salesmanager", "hr"])
def test_the_author_managers_partner_and_hr_can_read_a_checkin(cast: Cast, who: str) -> None:
    choose_partner(cast, cast.alice, cast.salesmanager)
    checkin = check_in(cast, cast.alice, progress="Shipped")
    client = cast.client(getattr(cast, who))
    response = client.get(f"{URL}/{checkin.pk}")
    assert response.status_code == 200
    assert response.json()["progress"] == "Shipped"
    assert client.get(f"{URL}/{checkin.pk}/comments").status_code == 200
    assert checkin.pk in [c["id"] for c in client.get(URL).json()["items"]]


@pytest.mark.parametrize("who", ["bob", "outsider", "rep"])
def test_a_peer_an_outsider_and_a_rep_get_404_and_see_nothing_listed(cast: Cast, who: str) -> None:
    choose_partner(cast, cast.alice, cast.salesmanager)
    checkin = check_in(cast, cast.alice)
    client = cast.client(getattr(cast, who))
    before = rows()
    assert client.get(f"{URL}/{checkin.pk}").status_code == 404
    assert client.get(f"{URL}/{checkin.pk}/comments").status_code == 404
    assert post(client, f"{URL}/{checkin.pk}/comments", {"body": "Hi"}).status_code == 404
    assert rows() == before
    listed = client.get(URL, {"person_id": cast.alice.pk}).json()
    assert listed == {"items": [], "count": 0}


def test_a_missing_checkin_answers_404(cast: Cast) -> None:
    assert cast.client(cast.hr).get(f"{URL}/999999").status_code == 404


def test_a_partner_does_not_learn_about_private_objectives(cast: Cast) -> None:
    choose_partner(cast, cast.alice, cast.salesmanager)
    public = first_kr(make_objective(cast, cast.alice, "Open goal"))
    secret = first_kr(make_objective(cast, cast.alice, "Secret goal", visibility="private"))
    checkin = check_in(
        cast,
        cast.alice,
        kr_updates=[
            {"key_result_id": public.pk, "value": 1},
            {"key_result_id": secret.pk, "value": 2},
        ],
    )
    partner = cast.client(cast.salesmanager)
    detail = partner.get(f"{URL}/{checkin.pk}").json()
    assert [u["key_result_id"] for u in detail["kr_updates"]] == [public.pk]
    listed = partner.get(URL, {"shared_with_me": True}).json()["items"]
    assert [u["key_result_id"] for u in listed[0]["kr_updates"]] == [public.pk]
    assert "Secret goal" not in json.dumps(listed)
    manager = cast.client(cast.manager).get(f"{URL}/{checkin.pk}").json()
    assert {u["key_result_id"] for u in manager["kr_updates"]} == {public.pk, secret.pk}


def test_the_list_filters_by_person_week_and_shared_with_me(cast: Cast) -> None:
    check_in(cast, cast.alice, weeks_ago=1)
    this_week = check_in(cast, cast.alice)
    bobs = check_in(cast, cast.bob)
    choose_partner(cast, cast.outsider, cast.manager)
    olgas = check_in(cast, cast.outsider)
    client = cast.client(cast.manager)

    everything = client.get(URL).json()
    assert everything["count"] == 4
    assert [c["week"] for c in everything["items"]][:3] == ["2026-W48"] * 3

    by_week = client.get(URL, {"week": "2026-W48", "person_id": str(cast.alice.pk)}).json()
    assert [c["id"] for c in by_week["items"]] == [this_week.pk]

    shared = client.get(URL, {"shared_with_me": "true"}).json()
    assert [c["id"] for c in shared["items"]] == [olgas.pk]
    assert bobs.pk not in [c["id"] for c in shared["items"]]

    page = client.get(URL, {"limit": 2, "offset": 0}).json()
    assert (len(page["items"]), page["count"]) == (2, 4)


@pytest.mark.parametrize("week", ["2026-48", "W48", "2026-W54", "2026-W00"])
def test_a_malformed_week_filter_answers_422(cast: Cast, week: str) -> None:
    response = cast.client(cast.manager).get(URL, {"week": week})
    assert response.status_code == 422
    assert ["query", "week"] in locs(response)


def test_the_list_needs_the_same_queries_however_many_checkins(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    kr = first_kr(make_objective(cast, cast.alice))
    check_in(cast, cast.alice, kr_updates=[{"key_result_id": kr.pk, "value": 1}])
    client = cast.client(cast.skip)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    baseline = len(few)  # read now: every request clears the connection's query log
    assert baseline <= 8
    for ago in range(1, 12):
        check_in(cast, cast.alice, weeks_ago=ago)
        check_in(cast, cast.bob, weeks_ago=ago)
        check_in(cast, cast.manager, weeks_ago=ago)
    with django_assert_max_num_queries(baseline):
        assert client.get(URL).json()["count"] == 34


# --- comments -------------------------------------------------------------------------


def test_comments_are_added_and_listed_and_the_author_is_emailed(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    checkin = check_in(cast, cast.alice)
    client = cast.client(cast.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"{URL}/{checkin.pk}/comments", {"body": "Nice work"})
    assert response.status_code == 201
    body = response.json()
    assert (body["checkin_id"], body["author_id"], body["author_name"], body["body"]) == (
        checkin.pk,
        cast.manager.pk,
        "Mia Manager",
        "Nice work",
    )
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    listed = client.get(f"{URL}/{checkin.pk}/comments").json()
    assert listed["count"] == 1
    assert listed["items"][0]["body"] == "Nice work"


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({}, ["body", "body"]),
        ({"body": ""}, ["body", "body"]),
        ({"body": "   "}, ["body", "body"]),
    ],
)
def test_an_empty_comment_answers_422_and_writes_nothing(
    cast: Cast, payload: dict[str, object], loc: list[object]
) -> None:
    checkin = check_in(cast, cast.alice)
    before = rows()
    response = post(cast.client(cast.manager), f"{URL}/{checkin.pk}/comments", payload)
    assert response.status_code == 422
    assert loc in locs(response)
    assert rows() == before


def test_listing_comments_needs_the_same_queries_however_many(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    checkin = check_in(cast, cast.alice)
    client = cast.client(cast.manager)
    post(client, f"{URL}/{checkin.pk}/comments", {"body": "First"})
    with CaptureQueriesContext(connection) as few:
        client.get(f"{URL}/{checkin.pk}/comments")
    baseline = len(few)
    for n in range(8):
        post(cast.client(cast.alice), f"{URL}/{checkin.pk}/comments", {"body": f"Reply {n}"})
    with django_assert_max_num_queries(baseline):
        assert client.get(f"{URL}/{checkin.pk}/comments").json()["count"] == 9


def test_the_openapi_document_describes_the_checkin_operations(cast: Cast) -> None:
    schema = cast.client(cast.alice).get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/check-ins"])
    assert "get" in paths["/api/v1/check-ins/{checkin_id}"]
    assert {"get", "post"} <= set(paths["/api/v1/check-ins/{checkin_id}/comments"])
    assert "check-ins" in paths["/api/v1/check-ins"]["post"]["tags"]
