"""API of objectives, key results and value updates: scoping, writes, 422s, OpenAPI."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from stride.access.models import AuditEntry
from stride.goals.models import KeyResult, Objective
from stride.testing import Cast, first_kr, make_objective, record, row_counts
from stride.testing.clock import LAST_QUARTER, QUARTER_START, THIS_QUARTER

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

API = "/api/v1"
PRIVATE = Objective.Visibility.PRIVATE


pytestmark = pytest.mark.clock


# --- checking answers against the OpenAPI document ------------------------------------------


@pytest.fixture
def openapi(cast: Cast) -> dict[str, Any]:
    response = cast.client(cast.alice).get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def _conforms(doc: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> None:
    """A small JSON-schema check (types, required and declared properties, enums, arrays,
    anyOf), enough to catch an answer that drifts from what the document promises."""
    schema = _resolve(doc, schema)
    if "anyOf" in schema:
        problems = []
        for option in schema["anyOf"]:
            try:
                _conforms(doc, option, value, where)
                return
            except AssertionError as exc:
                problems.append(str(exc))
        raise AssertionError(f"{where}: {value!r} matches no option: {problems}")
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    if kind is not None:
        assert checks[kind](value), f"{where}: {value!r} is not {kind}"
    if kind == "object":
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            assert name in value, f"{where}: missing {name}"
        for name, item in value.items():
            assert name in properties, f"{where}: {name} is not in the document"
            _conforms(doc, properties[name], item, f"{where}.{name}")
    if kind == "array":
        for index, item in enumerate(value):
            _conforms(doc, schema.get("items", {}), item, f"{where}[{index}]")


def assert_documented(doc: dict[str, Any], method: str, path: str, response: TestResponse) -> None:
    operation = doc["paths"][f"{API}{path}"][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, (
        f"{method} {path} answered an undocumented {response.status_code}"
    )
    content = documented.get("content")
    if content is None:
        assert not response.content
        return
    _conforms(doc, content["application/json"]["schema"], response.json(), "body")


# --- helpers ----------------------------------------------------------------------------------


def post(client: Client, url: str, data: object) -> TestResponse:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def patch(client: Client, url: str, data: object) -> TestResponse:
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def locs(response: TestResponse) -> list[list[str]]:
    return [[str(part) for part in item["loc"]] for item in response.json()["detail"]]


NEW = {
    "title": "Delight customers",
    "period_start": THIS_QUARTER[0].isoformat(),
    "period_end": THIS_QUARTER[1].isoformat(),
    "visibility": "private",
    "key_results": [
        {"title": "NPS", "start": 20, "target": 40},
        {"title": "Launch", "kind": "milestone"},
    ],
}


# --- reading --------------------------------------------------------------------------------


def test_the_list_carries_id_visibility_progress_and_key_results(
    cast: Cast, openapi: dict[str, Any]
) -> None:
    objective = make_objective(cast, cast.alice, visibility=PRIVATE)
    record(cast, cast.alice, first_kr(objective), 25)
    response = cast.client(cast.alice).get(f"{API}/objectives")
    assert response.status_code == 200
    assert_documented(openapi, "get", "/objectives", response)
    body = response.json()
    assert body["next"] is None and len(body["results"]) == 1
    item = body["results"][0]
    assert (item["id"], item["visibility"]) == (objective.pk, "private")
    assert item["owner"] == {"id": cast.alice.pk, "name": "Alice Report"}
    assert item["progress"] == 0.25
    assert item["effective_status"] == "on_track"
    assert item["expected_progress"] == pytest.approx(55 / 91)
    assert item["key_results"][0]["title"] == "Grow the user base: users"
    assert Decimal(item["key_results"][0]["current"]) == 25


@pytest.mark.parametrize(
    ("name", "seen"),
    [
        ("alice", True),
        ("manager", True),
        ("skip", True),
        ("hr", True),
        ("bob", False),
        ("outsider", False),
        ("rep", False),
    ],
)
def test_a_private_objective_is_listed_and_found_only_for_those_allowed(
    cast: Cast, name: str, seen: bool
) -> None:
    objective = make_objective(cast, cast.alice, visibility=PRIVATE)
    kr = first_kr(objective)
    client = cast.client(getattr(cast, name))
    ids = [item["id"] for item in client.get(f"{API}/objectives").json()["results"]]
    assert (objective.pk in ids) is seen
    expected = 200 if seen else 404
    assert client.get(f"{API}/objectives/{objective.pk}").status_code == expected
    assert client.get(f"{API}/key-results/{kr.pk}").status_code == expected
    assert client.get(f"{API}/key-results/{kr.pk}/updates").status_code == expected


def test_list_filters(cast: Cast) -> None:
    team = make_objective(
        cast, cast.manager, "Ship the app", level=Objective.Level.TEAM, team=cast.product
    )
    risky = make_objective(cast, cast.alice, "Cut costs", status=Objective.Status.AT_RISK)
    old = make_objective(cast, cast.alice, "Last quarter", period=LAST_QUARTER, created_at=None)
    client = cast.client(cast.hr)

    def ids(**params: Any) -> set[int]:
        response = client.get(f"{API}/objectives", params)
        assert response.status_code == 200
        return {item["id"] for item in response.json()["results"]}

    assert ids(owner_id=cast.alice.pk) == {risky.pk, old.pk}
    assert ids(team_id=cast.product.pk) == {team.pk}
    assert ids(level="team") == {team.pk}
    assert ids(status="at_risk") == {risky.pk}
    assert ids(active_on=LAST_QUARTER[1].isoformat()) == {old.pk}
    assert ids(q="costs") == {risky.pk}
    assert client.get(f"{API}/objectives", {"level": "galaxy"}).status_code == 422


def test_a_past_unreached_objective_reads_as_missed(cast: Cast) -> None:
    old = make_objective(cast, cast.alice, "Last quarter", period=LAST_QUARTER, created_at=None)
    body = cast.client(cast.alice).get(f"{API}/objectives/{old.pk}").json()
    assert (body["status"], body["effective_status"]) == ("on_track", "missed")
    assert body["expected_progress"] == 1.0


def test_one_objective_projects_its_key_results(cast: Cast, openapi: dict[str, Any]) -> None:
    objective = make_objective(cast, cast.alice)
    kr = first_kr(objective)
    for week in range(1, 5):
        record(cast, cast.alice, kr, 10 * week, at=QUARTER_START + timedelta(weeks=week))
    response = cast.client(cast.bob).get(f"{API}/objectives/{objective.pk}")
    assert_documented(openapi, "get", "/objectives/{objective_id}", response)
    projected = Decimal(response.json()["key_results"][0]["projected_value"])
    assert 120 < projected < 135  # ten a week over a 13-week quarter


def test_a_hidden_parent_is_not_given_away(cast: Cast) -> None:
    secret = make_objective(cast, cast.manager, "Secret", visibility=PRIVATE)
    child = make_objective(cast, cast.alice, "Child", parent=secret, by=cast.manager)
    assert cast.client(cast.bob).get(f"{API}/objectives/{child.pk}").json()["parent_id"] is None
    as_skip = cast.client(cast.skip).get(f"{API}/objectives/{child.pk}").json()
    assert as_skip["parent_id"] == secret.pk


def test_the_history_lists_every_value_oldest_first(cast: Cast, openapi: dict[str, Any]) -> None:
    objective = make_objective(cast, cast.alice)
    kr = first_kr(objective)
    record(cast, cast.alice, kr, 10, confidence=5, note="first week")
    response = cast.client(cast.manager).get(f"{API}/key-results/{kr.pk}/updates")
    assert_documented(openapi, "get", "/key-results/{key_result_id}/updates", response)
    items = response.json()["items"]
    assert [Decimal(i["value"]) for i in items] == [0, 10]
    assert items[1]["confidence"] == 5 and items[1]["note"] == "first week"
    assert items[1]["author"] == {"id": cast.alice.pk, "name": "Alice Report"}


# --- writing ----------------------------------------------------------------------------------


def test_creating_an_objective_with_key_results(cast: Cast, openapi: dict[str, Any]) -> None:
    response = post(cast.client(cast.alice), f"{API}/objectives", NEW)
    assert response.status_code == 201
    assert_documented(openapi, "post", "/objectives", response)
    body = response.json()
    objective = Objective.objects.get(pk=body["id"])
    assert objective.owner == cast.alice and body["visibility"] == "private"
    assert [kr["title"] for kr in body["key_results"]] == ["NPS", "Launch"]
    assert body["key_results"][1]["target"] in ("1", "1.0000", 1)
    assert AuditEntry.objects.filter(action="objective.create", via="api").count() == 1


def test_a_manager_or_hr_may_create_for_someone_else(cast: Cast) -> None:
    response = post(
        cast.client(cast.manager), f"{API}/objectives", {**NEW, "owner_id": cast.bob.pk}
    )
    assert response.status_code == 201
    assert response.json()["owner"]["id"] == cast.bob.pk
    refused = post(cast.client(cast.alice), f"{API}/objectives", {**NEW, "owner_id": cast.bob.pk})
    assert refused.status_code == 409
    assert ["body", "owner_id"] in locs(refused)


@pytest.mark.parametrize(
    ("change", "loc", "status"),
    [
        (
            {"key_results": [{"title": "NPS", "start": 5}]},
            ["body", "key_results", "0", "target"],
            409,
        ),
        (
            {
                "key_results": [
                    {"title": "ok", "target": 1},
                    {"title": "Same", "start": 3, "target": 3},
                ]
            },
            ["body", "key_results", "1", "target"],
            409,
        ),
        (
            {"key_results": [{"title": "x", "kind": "currency", "target": 3}]},
            ["body", "key_results", "0", "unit"],
            409,
        ),
        (
            {"key_results": [{"title": "x", "target": "lots"}]},
            ["body", "key_results", "0", "target"],
            422,
        ),
        ({"period_end": "2026-03-01"}, ["body", "period_end"], 409),
        ({"title": ""}, ["body", "title"], 422),
        ({"level": "galaxy"}, ["body", "level"], 422),
        ({"level": "team"}, ["body", "team_id"], 409),
        ({"parent_id": 999999}, ["body", "parent_id"], 409),
        ({"team_id": 999999}, ["body", "team_id"], 409),
        ({"period_start": None}, ["body", "period_start"], 422),
        ({"period_end": "9999-12-31"}, ["body", "period_end"], 422),
        ({"team_id": 10**23}, ["body", "team_id"], 422),
    ],
)
def test_bad_input_answers_422_or_409_with_the_fields_path_and_writes_nothing(
    cast: Cast, openapi: dict[str, Any], change: dict[str, Any], loc: list[str], status: int
) -> None:
    """422: not what the schema describes; 409: well-formed but against a rule."""
    before = row_counts()
    response = post(cast.client(cast.alice), f"{API}/objectives", {**NEW, **change})
    assert response.status_code == status
    assert loc in locs(response)
    assert all(item["msg"] for item in response.json()["detail"])
    assert row_counts() == before


def test_a_private_parent_cannot_be_aligned_to_by_those_who_cannot_see_it(cast: Cast) -> None:
    secret = make_objective(cast, cast.manager, "Secret", visibility=PRIVATE)
    response = post(cast.client(cast.bob), f"{API}/objectives", {**NEW, "parent_id": secret.pk})
    assert response.status_code == 409
    assert ["body", "parent_id"] in locs(response)


def test_changing_an_objective(cast: Cast, openapi: dict[str, Any]) -> None:
    parent = make_objective(cast, cast.skip, "Company", level=Objective.Level.COMPANY)
    objective = make_objective(cast, cast.alice, parent=parent)
    client = cast.client(cast.manager)
    response = patch(
        client, f"{API}/objectives/{objective.pk}", {"status": "at_risk", "parent_id": None}
    )
    assert response.status_code == 200
    assert_documented(openapi, "patch", "/objectives/{objective_id}", response)
    objective.refresh_from_db()
    assert (objective.status, objective.parent_id) == ("at_risk", None)
    refused = patch(client, f"{API}/objectives/{objective.pk}", {"title": None})
    assert refused.status_code == 422 and ["body", "title"] in locs(refused)


@pytest.mark.parametrize("name", ["bob", "outsider", "rep"])
def test_those_who_may_not_edit_get_404_for_every_write(cast: Cast, name: str) -> None:
    objective = make_objective(cast, cast.alice)  # public: everyone may read it
    kr = first_kr(objective)
    client = cast.client(getattr(cast, name))
    before = row_counts()
    answers = [
        patch(client, f"{API}/objectives/{objective.pk}", {"title": "Mine"}),
        client.delete(f"{API}/objectives/{objective.pk}"),
        post(client, f"{API}/objectives/{objective.pk}/key-results", {"title": "x", "target": 1}),
        patch(client, f"{API}/key-results/{kr.pk}", {"target": 5}),
        post(client, f"{API}/key-results/{kr.pk}/updates", {"value": 5}),
    ]
    assert [a.status_code for a in answers] == [404] * 5
    assert row_counts() == before


def test_deleting_an_objective(cast: Cast) -> None:
    objective = make_objective(cast, cast.alice)
    response = cast.client(cast.alice).delete(f"{API}/objectives/{objective.pk}")
    assert response.status_code == 204
    assert not Objective.objects.filter(pk=objective.pk).exists()
    assert cast.client(cast.alice).get(f"{API}/objectives/{objective.pk}").status_code == 404


def test_adding_and_changing_a_key_result(cast: Cast, openapi: dict[str, Any]) -> None:
    objective = make_objective(cast, cast.alice)
    client = cast.client(cast.alice)
    created = post(
        client,
        f"{API}/objectives/{objective.pk}/key-results",
        {"title": "Revenue", "kind": "currency", "unit": "eur", "target": 5000},
    )
    assert created.status_code == 201
    assert_documented(openapi, "post", "/objectives/{objective_id}/key-results", created)
    kr_id = created.json()["id"]
    assert created.json()["unit"] == "EUR"
    changed = patch(client, f"{API}/key-results/{kr_id}", {"target": 8000, "title": "ARR"})
    assert changed.status_code == 200
    assert_documented(openapi, "patch", "/key-results/{key_result_id}", changed)
    kr = KeyResult.objects.get(pk=kr_id)
    assert (kr.title, kr.target) == ("ARR", 8000)
    before = row_counts()
    bad = patch(client, f"{API}/key-results/{kr_id}", {"unit": "euros"})
    assert bad.status_code == 409 and ["body", "unit"] in locs(bad)
    nulls = patch(client, f"{API}/key-results/{kr_id}", {"kind": None})
    assert nulls.status_code == 422 and ["body", "kind"] in locs(nulls)
    assert row_counts() == before


def test_recording_a_value_with_confidence_and_note(cast: Cast, openapi: dict[str, Any]) -> None:
    kr = first_kr(make_objective(cast, cast.alice))
    response = post(
        cast.client(cast.manager),
        f"{API}/key-results/{kr.pk}/updates",
        {"value": "42.5", "confidence": 7, "note": "Good week"},
    )
    assert response.status_code == 201
    assert_documented(openapi, "post", "/key-results/{key_result_id}/updates", response)
    body = response.json()
    assert (Decimal(body["value"]), body["confidence"], body["author"]["id"]) == (
        Decimal("42.5"),
        7,
        cast.manager.pk,
    )
    kr.refresh_from_db()
    assert kr.current == Decimal("42.5")


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"value": "abc"}, ["body", "value"]),
        ({}, ["body", "value"]),
        ({"value": 5, "confidence": 11}, ["body", "confidence"]),
    ],
)
def test_a_bad_value_answers_422_and_writes_nothing(
    cast: Cast, data: dict[str, Any], loc: list[str]
) -> None:
    kr = first_kr(make_objective(cast, cast.alice))
    before = row_counts()
    response = post(cast.client(cast.alice), f"{API}/key-results/{kr.pk}/updates", data)
    assert response.status_code == 422
    assert loc in locs(response)
    assert row_counts() == before


def test_a_value_for_the_future_answers_409_and_writes_nothing(cast: Cast) -> None:
    """Well-formed (the document cannot know "now"), but against the rule: 409."""
    kr = first_kr(make_objective(cast, cast.alice))
    before = row_counts()
    response = post(
        cast.client(cast.alice),
        f"{API}/key-results/{kr.pk}/updates",
        {"value": 5, "at": "2030-01-01T00:00:00Z"},
    )
    assert response.status_code == 409
    assert ["body", "at"] in locs(response)
    assert row_counts() == before


def test_a_token_works_as_well_as_the_session(cast: Cast) -> None:
    from stride.testing import PASSWORD

    token = post(
        Client(), f"{API}/auth/token", {"email": "alice@example.com", "password": PASSWORD}
    ).json()["token"]
    response = Client().post(
        f"{API}/objectives",
        data=json.dumps(NEW),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert Client().get(f"{API}/objectives").status_code == 401


def test_the_objective_list_pages_by_cursor_through_everything_once(cast: Cast) -> None:
    made = {make_objective(cast, cast.alice, f"Goal {n}", created_at=None).pk for n in range(7)}
    client = cast.client(cast.alice)
    seen: list[int] = []
    url: str | None = f"{API}/objectives?page_size=3"
    pages = 0
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
