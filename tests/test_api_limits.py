"""The API's shared limits, walked over every operation of the OpenAPI document: ids beyond
the database's range, page sizes and offsets, JSON-only bodies, and a document that
declares every answer. A new operation is covered the day it is added."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from stride.lib.ids import MAX_ID
from stride.lib.pagination import MAX_PAGE_SIZE
from stride.testing import Cast
from stride.testing.world import World
from tests.test_api_bad_input import row_counts
from tests.test_authorization import API

HUGE = 10**20  # beyond a 64-bit integer
WRITE_METHODS = ("post", "put", "patch")


def api_url(template: str, ids: dict[str, int]) -> str:
    return template.format(**ids)


@pytest.fixture
def document(cast: Cast) -> dict[str, Any]:
    return cast.client(cast.alice).get("/api/v1/openapi.json").json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, ops in document["paths"].items()
        for method, operation in ops.items()
    ]


def list_operations(document: dict[str, Any]) -> list[tuple[str, str, set[str]]]:
    """Every paged GET: its method, path and the names of its paging parameters."""
    found = []
    for method, path, operation in operations(document):
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        paging = names & {"limit", "offset", "page_size", "cursor"}
        if method == "get" and paging:
            found.append((method, path, paging))
    return found


def with_hr_rights(world: World) -> Client:
    # HR sees every record, so lists are as long as they get and every id resolves.
    return world.cast.client(world.cast.hr)


def items_of(body: Any) -> list[Any]:
    return body["items"] if "items" in body else body["results"]


# --- ids beyond the database's range -----------------------------------------------------


def test_every_id_the_api_takes_in_paths_and_queries_is_bounded_to_64_bits(
    document: dict[str, Any],
) -> None:
    unbounded = []
    for method, path, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if not parameter["name"].endswith("_id"):
                continue
            schema = parameter["schema"]
            options = schema.get("anyOf", [schema])
            for option in options:
                if option.get("type") == "integer" and option.get("maximum") != MAX_ID:
                    unbounded.append(f"{method.upper()} {path} {parameter['name']}")
    assert not unbounded, unbounded


def test_every_id_the_api_takes_in_bodies_is_bounded_to_64_bits(
    document: dict[str, Any],
) -> None:
    unbounded = []

    def walk(schema: dict[str, Any], where: str) -> None:
        for name, prop in schema.get("properties", {}).items():
            options = prop.get("anyOf", [prop])
            for option in options:
                if "$ref" in option:
                    walk(document["components"]["schemas"][option["$ref"].rsplit("/")[-1]], name)
                elif option.get("type") == "array" and "$ref" in option.get("items", {}):
                    ref = option["items"]["$ref"].rsplit("/")[-1]
                    walk(document["components"]["schemas"][ref], name)
                elif (
                    name.endswith("_id")
                    and option.get("type") == "integer"
                    and option.get("maximum") != MAX_ID
                ):
                    unbounded.append(f"{where}.{name}")

    for _method, path, operation in operations(document):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        if body:
            ref = body["schema"]["$ref"].rsplit("/")[-1]
            walk(document["components"]["schemas"][ref], path)
    assert not unbounded, unbounded


def test_an_id_beyond_the_database_range_in_any_path_answers_422_not_500(
    world: World, document: dict[str, Any]
) -> None:
    client = with_hr_rights(world)
    wrong = []
    for method, path, _operation in operations(document):
        if "{" not in path:
            continue
        url = api_url(path, {key: 10**23 for key in world.path_ids()})
        rule = API[(method, path)]
        kwargs: dict[str, Any] = {}
        if rule.body is not None:
            kwargs = {"data": json.dumps(rule.body), "content_type": "application/json"}
        response = getattr(client, method)(url, **kwargs)
        if response.status_code != 422:
            wrong.append(f"{method.upper()} {url}: {response.status_code}")
    assert not wrong, wrong


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/people?team_id={n}",
        "/api/v1/people?manager_id={n}",
        "/api/v1/objectives?owner_id={n}",
        "/api/v1/objectives?team_id={n}",
        "/api/v1/check-ins?person_id={n}",
    ],
)
def test_an_id_beyond_the_database_range_in_a_filter_answers_422(world: World, query: str) -> None:
    response = with_hr_rights(world).get(query.format(n=HUGE))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_the_largest_id_the_database_holds_is_taken_and_simply_not_found(world: World) -> None:
    client = with_hr_rights(world)
    assert client.get(f"/api/v1/objectives/{MAX_ID}").status_code == 404
    assert client.get(f"/api/v1/objectives?owner_id={MAX_ID}").json()["results"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/people/{n}/",
        "/people/{n}/reports",
        "/goals/{n}/",
        "/goals/{n}/edit",
        "/goals/person/{n}/",
        "/goals/key-results/{n}/value",
        "/check-ins/{n}/",
    ],
)
def test_a_page_for_an_id_beyond_the_database_range_is_not_found(world: World, url: str) -> None:
    response = with_hr_rights(world).get(url.format(n=10**23))
    assert response.status_code == 404


def test_a_token_id_beyond_the_database_range_on_the_revoke_page_is_not_found(
    world: World,
) -> None:
    response = world.cast.client(world.cast.alice).post(f"/access/tokens/{10**23}/revoke")
    assert response.status_code == 404


def test_an_id_of_eighteen_digits_still_reaches_the_page_and_is_not_found(world: World) -> None:
    assert with_hr_rights(world).get(f"/goals/{'9' * 18}/").status_code == 404


# --- page sizes and offsets -----------------------------------------------------------------


def test_every_list_operation_states_its_page_bounds(document: dict[str, Any]) -> None:
    lists = list_operations(document)
    assert len(lists) >= 7
    for _method, path, _paging in lists:
        operation = document["paths"][path]["get"]
        for parameter in operation["parameters"]:
            if parameter["name"] in {"limit", "page_size"}:
                schema = parameter["schema"].get("anyOf", [parameter["schema"]])[0]
                assert schema["maximum"] <= MAX_PAGE_SIZE, path
            if parameter["name"] == "offset":
                assert "maximum" in parameter["schema"], path


def test_a_list_without_paging_is_not_offered(document: dict[str, Any]) -> None:
    # A GET that answers an array would have no page size at all.
    unpaged = []
    for method, path, operation in operations(document):
        schema = operation["responses"].get("200", {}).get("content", {})
        schema = schema.get("application/json", {}).get("schema", {})
        if method == "get" and schema.get("type") == "array":
            unpaged.append(path)
    assert not unpaged, unpaged


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 100000, "page_size": 100000},
        {"offset": 10**20},
        {"limit": 0, "page_size": 0},
        {"offset": -1},
    ],
    ids=["huge page", "huge offset", "empty page", "negative offset"],
)
def test_every_list_refuses_paging_beyond_its_bounds(
    world: World, document: dict[str, Any], params: dict[str, int]
) -> None:
    client = with_hr_rights(world)
    wrong = []
    for _method, path, paging in list_operations(document):
        query = {key: value for key, value in params.items() if key in paging}
        if not query:
            continue
        url = api_url(path, world.path_ids()) + "?" + urlencode(query)
        response = client.get(url)
        if response.status_code != 422:
            wrong.append(f"GET {url}: {response.status_code}")
    assert not wrong, wrong


def test_every_list_answers_at_most_500_items_a_page(
    world: World, document: dict[str, Any]
) -> None:
    from stride.org import services as org

    for number in range(MAX_PAGE_SIZE + 5):
        org.person_create(
            actor=None,
            name=f"Extra Person {number:03}",
            email=f"extra{number}@example.com",
            team=world.cast.product,
            manager=world.cast.alice,
        )
    client = with_hr_rights(world)
    everyone = client.get("/api/v1/people?limit=100000")
    assert everyone.status_code == 422
    # HR reads no one's development plan (review content); the person reads their own.
    own_plan = world.cast.client(world.cast.alice)
    for _method, path, paging in list_operations(document):
        size = "limit" if "limit" in paging else "page_size"
        reader = own_plan if "development-items" in path else client
        response = reader.get(api_url(path, world.path_ids()) + f"?{size}={MAX_PAGE_SIZE}")
        assert response.status_code == 200, path
        assert len(items_of(response.json())) <= MAX_PAGE_SIZE, path
    full = client.get(f"/api/v1/people/{world.cast.alice.pk}/reports?limit={MAX_PAGE_SIZE}")
    assert len(full.json()["items"]) == MAX_PAGE_SIZE
    assert full.json()["count"] == MAX_PAGE_SIZE + 5


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "cD1hYmM=",  # ninja's own base64 cursors are not Stride's
        "a" + "9" * 19,  # beyond 64 bits
        "a-1",
        "c12",
    ],
)
def test_a_cursor_stride_did_not_make_answers_422(world: World, cursor: str) -> None:
    response = with_hr_rights(world).get("/api/v1/objectives", {"cursor": cursor})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


@pytest.mark.parametrize("cursor", ["a0", "b0", "a" + "9" * 18, "b" + "9" * 18, "b1"])
def test_any_cursor_of_the_documented_form_is_a_position(world: World, cursor: str) -> None:
    response = with_hr_rights(world).get("/api/v1/objectives", {"cursor": cursor})
    assert response.status_code == 200


def test_the_objectives_cursor_pages_forwards_and_back_through_everything_once(
    world: World,
) -> None:
    from stride.goals.models import Objective

    for number in range(5):
        Objective.objects.create(
            owner=world.cast.hr,
            title=f"Goal {number}",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
        )
    every = sorted(Objective.objects.values_list("id", flat=True))
    client = with_hr_rights(world)
    forwards: list[int] = []
    pages = []
    url: str | None = "/api/v1/objectives?page_size=2"
    while url:
        body = client.get(url).json()
        pages.append(body)
        forwards += [item["id"] for item in body["results"]]
        url = body["next"]
    assert forwards == every
    assert pages[0]["previous"] is None
    backwards: list[int] = []
    url = pages[-1]["previous"]
    while url:
        body = client.get(url).json()
        backwards = [item["id"] for item in body["results"]] + backwards
        url = body["previous"]
    assert backwards + [item["id"] for item in pages[-1]["results"]] == every


def test_a_week_that_a_year_does_not_have_lists_no_check_ins(world: World) -> None:
    # 2026 has 53 ISO weeks, 2027 only 52: its week 53 matches nothing, and is no error.
    client = with_hr_rights(world)
    assert client.get("/api/v1/check-ins?week=2027-W53").json()["items"] == []
    assert client.get("/api/v1/check-ins?week=0000-W01").status_code == 422


# --- JSON bodies only ---------------------------------------------------------------------


def write_operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method, path)
        for method, path, operation in operations(document)
        if method in WRITE_METHODS and "requestBody" in operation
    ]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", None, "application/xml"],
)
def test_every_write_refuses_a_body_not_sent_as_json_with_415_and_writes_nothing(
    world: World, document: dict[str, Any], content_type: str | None
) -> None:
    client = world.cast.client(world.cast.alice)
    writes = write_operations(document)
    assert len(writes) >= 8
    before = row_counts()
    wrong = []
    for method, path in writes:
        rule = API[(method, path)]
        url = api_url(path, world.path_ids())
        body = json.dumps(rule.body or {"email": "alice@example.com", "password": "x"})
        if content_type is None:
            # The test client always names a type; go below it for a request with none.
            response = client.generic(method.upper(), url, body, content_type="")
        else:
            response = client.generic(method.upper(), url, body, content_type=content_type)
        if response.status_code != 415 or "application/json" not in response.json()["detail"]:
            wrong.append(f"{method.upper()} {url}: {response.status_code}")
    assert not wrong, wrong
    assert row_counts() == before


def test_json_with_a_charset_is_still_json(world: World) -> None:
    response = world.cast.client(world.cast.alice).post(
        "/api/v1/check-ins",
        data=json.dumps({"mood": 3}),
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code in {201, 422}


def test_a_refused_media_type_is_refused_before_authentication_reveals_nothing(
    world: World,
) -> None:
    # Anonymous text/plain gets 415 or 401 — both documented, neither writes.
    before = row_counts()
    response = Client().post("/api/v1/check-ins", data='{"mood": 3}', content_type="text/plain")
    assert response.status_code in {401, 415}
    assert row_counts() == before


# --- every answer documented --------------------------------------------------------------


def test_every_operation_declares_its_error_answers_with_a_schema(
    document: dict[str, Any],
) -> None:
    missing = []
    for method, path, operation in operations(document):
        expected = set()
        if operation.get("security"):
            expected.add("401")
            if method != "get":
                expected.add("403")
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"400", "415", "422"}
        if operation.get("parameters"):
            expected.add("422")
        if path.endswith("/auth/token"):
            expected |= {"401", "403", "429"}
        responses = operation["responses"]
        for status in expected:
            content = responses.get(status, {}).get("content", {}).get("application/json")
            if not content or "schema" not in content:
                missing.append(f"{method.upper()} {path} {status}")
    assert not missing, missing


@pytest.mark.parametrize("body", ["[null, null]", "3", '"text"', "null", "[]"])
def test_every_write_refuses_a_json_body_that_is_not_an_object(
    world: World, document: dict[str, Any], body: str
) -> None:
    client = world.cast.client(world.cast.alice)
    before = row_counts()
    wrong = []
    for method, path in write_operations(document):
        url = api_url(path, world.path_ids())
        response = client.generic(method.upper(), url, body, content_type="application/json")
        if response.status_code not in {400, 422}:
            wrong.append(f"{method.upper()} {url}: {response.status_code}")
    assert not wrong, wrong
    assert row_counts() == before
