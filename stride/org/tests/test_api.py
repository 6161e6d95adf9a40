from __future__ import annotations

import pytest

from stride.org.models import Person
from stride.testing import Cast, add_reports, count_queries


def test_a_persons_direct_reports_are_listed(cast: Cast) -> None:
    response = cast.client(cast.outsider).get(f"/api/v1/people/{cast.skip.pk}/reports")

    assert response.status_code == 200
    body = response.json()
    assert [item["name"] for item in body["items"]] == ["Hana HR", "Mia Manager", "Olga Outsider"]
    assert body["count"] == 3
    assert all(item["manager_id"] == cast.skip.pk for item in body["items"])
    # The directory shape: no HR details in a list.
    assert "hire_date" not in body["items"][0]


def test_reports_of_someone_who_left_are_404_to_colleagues(cast: Cast) -> None:
    Person.objects.filter(pk=cast.bob.pk).update(status=Person.Status.LEFT)
    assert (
        cast.client(cast.outsider).get(f"/api/v1/people/{cast.bob.pk}/reports").status_code == 404
    )
    assert cast.client(cast.hr).get(f"/api/v1/people/{cast.bob.pk}/reports").status_code == 200
    names = [
        item["name"]
        for item in cast.client(cast.outsider)
        .get(f"/api/v1/people/{cast.manager.pk}/reports")
        .json()["items"]
    ]
    assert names == ["Alice Report"]


def test_an_unknown_person_is_404(cast: Cast) -> None:
    assert cast.client(cast.hr).get("/api/v1/people/999999/reports").status_code == 404


def test_teams_are_listed_with_their_current_member_counts(cast: Cast) -> None:
    Person.objects.filter(pk=cast.bob.pk).update(status=Person.Status.LEFT)
    response = cast.client(cast.alice).get("/api/v1/teams")

    assert response.status_code == 200
    teams = {item["name"]: item for item in response.json()["items"]}
    assert set(teams) == {"Finance", "People", "Product", "Sales"}
    assert teams["Product"]["member_count"] == 3  # skip, manager, alice; bob left
    assert teams["Sales"]["is_sales"] is True


@pytest.mark.parametrize(
    "path", ["/api/v1/teams", "/api/v1/people/1/reports", "/api/v1/people", "/api/v1/people/1"]
)
def test_anonymous_callers_get_401(cast: Cast, path: str) -> None:
    assert cast.client(None).get(path).status_code == 401


def test_a_person_with_hr_details_is_shown_them_only_when_allowed(cast: Cast) -> None:
    own = cast.client(cast.alice).get(f"/api/v1/people/{cast.alice.pk}").json()
    peer = cast.client(cast.bob).get(f"/api/v1/people/{cast.alice.pk}").json()
    assert own["status"] == "active"
    assert peer["status"] is None


def test_the_number_of_queries_does_not_grow_with_the_organisation(cast: Cast) -> None:
    client = cast.client(cast.alice)
    urls = [
        f"/api/v1/people/{cast.manager.pk}/reports",
        "/api/v1/teams",
        "/api/v1/people",
        "/api/v1/people?q=zed",
    ]
    add_reports(cast.manager, 5, prefix="few")
    few = [count_queries(client, url) for url in urls]
    add_reports(cast.manager, 40, prefix="many")
    assert [count_queries(client, url) for url in urls] == few
    assert max(few) <= 8


def test_the_new_operations_are_documented_in_openapi(cast: Cast) -> None:
    document = cast.client(cast.alice).get("/api/v1/openapi.json").json()
    reports = document["paths"]["/api/v1/people/{person_id}/reports"]["get"]
    teams = document["paths"]["/api/v1/teams"]["get"]
    assert reports["summary"] == "A person's direct reports"
    assert teams["summary"] == "Teams"
    team_schema = document["components"]["schemas"]["TeamOut"]
    assert set(team_schema["properties"]) == {"id", "name", "is_sales", "member_count"}


def test_a_manager_who_left_is_not_named_in_the_api_to_those_who_may_not_see_them(
    cast: Cast,
) -> None:
    from stride.org.models import Person

    Person.objects.filter(pk=cast.manager.pk).update(status=Person.Status.LEFT)
    outsider = cast.client(cast.outsider)
    assert outsider.get(f"/api/v1/people/{cast.alice.pk}").json()["manager_id"] is None
    listed = outsider.get("/api/v1/people", {"q": "Alice"}).json()["items"]
    assert [p["manager_id"] for p in listed] == [None]
    skip = cast.client(cast.skip)
    assert skip.get(f"/api/v1/people/{cast.alice.pk}").json()["manager_id"] == cast.manager.pk
    # The directory list judges the same rule (in its query): the manager's own manager and
    # HR still see who Alice reported to.
    for who in (cast.skip, cast.hr):
        (alice,) = cast.client(who).get("/api/v1/people", {"q": "Alice"}).json()["items"]
        assert alice["manager_id"] == cast.manager.pk
        assert alice["team"] == (
            {"id": cast.alice.team.pk, "name": cast.alice.team.name} if cast.alice.team else None
        )
