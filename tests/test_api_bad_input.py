"""Malformed input to every write operation of the API answers 4xx naming the field, and
writes nothing.

The operations and their fields come from the OpenAPI document itself, so a new write
endpoint is covered the day it is added."""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.test import Client

from stride.testing.world import World

WRITE_METHODS = {"post", "put", "patch"}


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return resolve(options[0], document)
    return schema


def wrong_value(schema: dict[str, Any]) -> Any:
    """A value of the wrong kind for ``schema``."""
    if "enum" in schema:
        return "no-such-choice"
    kind = schema.get("type")
    if kind == "string":
        return {"format": "not-a-date"} if "format" not in schema else "not-a-date-or-time"
    if kind in {"integer", "number"}:
        return "not a number"
    if kind == "boolean":
        return [1, 2]
    if kind == "array":
        return "not a list"
    return "not an object"


def write_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in WRITE_METHODS or "requestBody" not in operation:
                continue
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            found.append((method, path, resolve(schema, document)))
    return found


def api_url(template: str, world: World) -> str:
    return template.format(**world.path_ids())


def test_there_are_write_operations_to_check(world: World) -> None:
    document = world.cast.client(world.cast.alice).get("/api/v1/openapi.json").json()
    assert len(write_operations(document)) >= 8


def test_each_field_of_each_write_operation_rejects_a_wrong_value_by_name(world: World) -> None:
    client = world.cast.client(world.cast.alice)
    document = client.get("/api/v1/openapi.json").json()
    before = row_counts()
    wrong = []
    for method, template, schema in write_operations(document):
        url = api_url(template, world)
        for field, field_schema in schema.get("properties", {}).items():
            body = {field: wrong_value(resolve(field_schema, document))}
            response = getattr(client, method)(
                url, data=json.dumps(body), content_type="application/json"
            )
            detail = response.json().get("detail") if response.status_code == 422 else None
            named = detail and any(field in [str(p) for p in d["loc"]] for d in detail)
            if response.status_code != 422 or not named:
                wrong.append(f"{method.upper()} {url} {field}: {response.status_code} {detail}")
    assert not wrong, "\n".join(wrong)
    assert row_counts() == before


def test_a_body_that_is_not_json_is_refused_and_writes_nothing(world: World) -> None:
    client = world.cast.client(world.cast.alice)
    document = client.get("/api/v1/openapi.json").json()
    before = row_counts()
    for method, template, _schema in write_operations(document):
        url = api_url(template, world)
        response = getattr(client, method)(url, data="{not json", content_type="application/json")
        assert 400 <= response.status_code < 500, (method, url, response.status_code)
    assert row_counts() == before


def test_service_level_errors_name_the_nested_field_and_write_nothing(world: World) -> None:
    client: Client = world.cast.client(world.cast.alice)
    before = row_counts()
    response = client.post(
        "/api/v1/objectives",
        data=json.dumps(
            {
                "title": "Grow revenue",
                "period_start": "2026-10-01",
                "period_end": "2026-12-31",
                "key_results": [
                    {"title": "Good one", "start": 0, "target": 10},
                    {"title": "Same start and target", "start": 5, "target": 5},
                ],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 409
    locs = [d["loc"] for d in response.json()["detail"]]
    assert any(loc[-3:] == ["key_results", 1, "target"] for loc in locs), locs
    assert row_counts() == before
