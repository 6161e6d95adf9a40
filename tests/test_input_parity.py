"""The same value gets the same verdict on a page and through the API.

Every write operation that has both a page and an API route parses its input with one
schema (``<app>/schemas.py``). For each such operation this test sends the same values —
good ones, and ones at and beyond each limit — once as the page's form post and once as
the API's JSON body, with everything else valid, and checks that both accept or both
refuse, and that a refusal's message (the API's ``msg`` for the field) is the one the page
shows. Before the schemas, a check-in accepted ``1.23456`` (storing 1.2346) while the
value API refused it, and a 3,000-character note passed one way and not the other.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from stride.goals.models import Objective
from stride.testing import TODAY, Cast, check_in, first_kr, make_objective

# On the shared frozen clock: TODAY is Wednesday 25 November 2026.
pytestmark = pytest.mark.clock
START, END = TODAY.replace(day=1), TODAY.replace(day=1) + timedelta(days=80)


@dataclass
class Aim:
    """What the writes aim at: alice's objective (one key result) and her check-in."""

    cast: Cast
    objective: Objective
    kr_id: int
    checkin_id: int


@pytest.fixture
def aim(cast: Cast) -> Aim:
    objective = make_objective(
        cast,
        cast.alice,
        "Ship the search",
        period=(START, END),
        key_results=[{"title": "Queries answered", "target": 100}],
        created_at=None,
    )
    checkin = check_in(cast, cast.alice, progress="Fine")
    return Aim(cast, objective, first_kr(objective).pk, checkin.pk)


@dataclass(frozen=True)
class Operation:
    """One write with a page and an API route. ``web`` and ``api`` build a valid request
    with one field replaced; ``field`` names it as the API does (``a.0.b`` for nested)."""

    name: str
    web: Callable[[Aim, str, str], tuple[str, dict[str, str]]]
    api: Callable[[Aim, str, Any], tuple[str, str, dict[str, Any]]]


def _objective_form(w: Aim, field: str, value: str) -> tuple[str, dict[str, str]]:
    data = {
        "title": "Delight customers",
        "description": "",
        "level": "personal",
        "team": "",
        "parent": "",
        "period_start": START.isoformat(),
        "period_end": END.isoformat(),
        "visibility": "public",
        "status": "on_track",
        "kr-TOTAL_FORMS": "1",
        "kr-INITIAL_FORMS": "0",
        "kr-MIN_NUM_FORMS": "0",
        "kr-MAX_NUM_FORMS": "20",
        "kr-0-title": "NPS",
        "kr-0-kind": "number",
        "kr-0-unit": "",
        "kr-0-start": "0",
        "kr-0-target": "40",
        "kr-0-weight": "1",
    }
    key = field.replace("key_results.0.", "kr-0-").removesuffix("_id")
    data[key] = value
    return reverse("goals:objective_create"), data


def _objective_body(w: Aim, field: str, value: Any) -> tuple[str, str, dict[str, Any]]:
    body: dict[str, Any] = {
        "title": "Delight customers",
        "period_start": START.isoformat(),
        "period_end": END.isoformat(),
        "key_results": [{"title": "NPS", "start": 0, "target": 40}],
    }
    if field.startswith("key_results.0."):
        body["key_results"][0][field.removeprefix("key_results.0.")] = value
    else:
        body[field] = value
    return "post", "/api/v1/objectives", body


def _edit_form(w: Aim, field: str, value: str) -> tuple[str, dict[str, str]]:
    _url, data = _objective_form(w, "title", w.objective.title)
    kr = w.objective.key_results.get()
    data.update({"kr-INITIAL_FORMS": "1", "kr-0-id": str(kr.pk), "kr-0-title": kr.title})
    data.update({"kr-0-target": "100", "kr-0-start": "0", field.removesuffix("_id"): value})
    return reverse("goals:objective_edit", args=[w.objective.pk]), data


def _edit_body(w: Aim, field: str, value: Any) -> tuple[str, str, dict[str, Any]]:
    return "patch", f"/api/v1/objectives/{w.objective.pk}", {field: value}


def _kr_form(w: Aim, field: str, value: str) -> tuple[str, dict[str, str]]:
    data = {"title": "Demos", "kind": "number", "unit": "", "start": "0", "target": "4"}
    data.update({"weight": "1", field: value})
    return reverse("goals:key_result_create", args=[w.objective.pk]), data


def _kr_body(w: Aim, field: str, value: Any) -> tuple[str, str, dict[str, Any]]:
    body = {"title": "Demos", "start": 0, "target": 4, field: value}
    return "post", f"/api/v1/objectives/{w.objective.pk}/key-results", body


def _value_form(w: Aim, field: str, value: str) -> tuple[str, dict[str, str]]:
    data = {f"kr{w.kr_id}-value": "12", f"kr{w.kr_id}-confidence": "", f"kr{w.kr_id}-note": ""}
    data[f"kr{w.kr_id}-{field}"] = value
    return reverse("goals:key_result_value", args=[w.kr_id]), data


def _value_body(w: Aim, field: str, value: Any) -> tuple[str, str, dict[str, Any]]:
    return "post", f"/api/v1/key-results/{w.kr_id}/updates", {"value": 12, field: value}


def _checkin_form(w: Aim, field: str, value: str) -> tuple[str, dict[str, str]]:
    data = {"mood": "4", "progress": "", "plans": "", "problems": ""}
    data.update({f"kr-{w.kr_id}-value": "", f"kr-{w.kr_id}-confidence": ""})
    data[f"kr-{w.kr_id}-note"] = ""
    if field.startswith("kr_updates.0."):
        data[f"kr-{w.kr_id}-value"] = "20"
        data[f"kr-{w.kr_id}-{field.removeprefix('kr_updates.0.')}"] = value
    else:
        data[field] = value
    return reverse("goals:checkin_form"), data


def _checkin_body(w: Aim, field: str, value: Any) -> tuple[str, str, dict[str, Any]]:
    body: dict[str, Any] = {"mood": 4}
    if field.startswith("kr_updates.0."):
        row = {"key_result_id": w.kr_id, "value": 20, field.removeprefix("kr_updates.0."): value}
        body["kr_updates"] = [row]
    else:
        body[field] = value
    return "post", "/api/v1/check-ins", body


def _comment_form(w: Aim, field: str, value: str) -> tuple[str, dict[str, str]]:
    return reverse("goals:checkin_comment_add", args=[w.checkin_id]), {field: value}


def _comment_body(w: Aim, field: str, value: Any) -> tuple[str, str, dict[str, Any]]:
    return "post", f"/api/v1/check-ins/{w.checkin_id}/comments", {field: value}


def _plan_item_form(w: Aim, field: str, value: str) -> tuple[str, dict[str, str]]:
    data = {"growth_area": "Facilitation", "actions": "", "due_on": "", "status": "not_started"}
    data[field.removesuffix("_id")] = value
    return reverse("reviews:growth", args=[w.cast.alice.pk]), data


def _plan_item_body(w: Aim, field: str, value: Any) -> tuple[str, str, dict[str, Any]]:
    body: dict[str, Any] = {"growth_area": "Facilitation", field: value}
    return "post", f"/api/v1/people/{w.cast.alice.pk}/development-items", body


CREATE = Operation("create objective", _objective_form, _objective_body)
EDIT = Operation("edit objective", _edit_form, _edit_body)
ADD_KR = Operation("add key result", _kr_form, _kr_body)
VALUE = Operation("record a value", _value_form, _value_body)
CHECKIN = Operation("submit check-in", _checkin_form, _checkin_body)
COMMENT = Operation("comment", _comment_form, _comment_body)
PLAN_ITEM = Operation("add a development plan item", _plan_item_form, _plan_item_body)

# (operation, field, value as typed in the form, value as sent in JSON)
CASES: list[tuple[Operation, str, str, Any]] = [
    (CREATE, "title", "x" * 200, "x" * 200),
    (CREATE, "title", "x" * 201, "x" * 201),
    (CREATE, "title", "   ", "   "),
    # Whitespace as the document's pattern (ECMA-262 \s) counts it: U+3000 is, U+0085 is not.
    (CREATE, "title", "\u3000\t", "\u3000\t"),
    (CREATE, "title", "\u0085", "\u0085"),
    (CREATE, "period_end", "9999-12-31", "9999-12-31"),
    (CREATE, "period_start", "0001-01-01", "0001-01-01"),
    (CREATE, "period_end", "2199-12-31", "2199-12-31"),
    (
        CREATE,
        "period_end",
        (START - timedelta(days=1)).isoformat(),
        (START - timedelta(days=1)).isoformat(),
    ),
    (CREATE, "level", "galaxy", "galaxy"),
    (CREATE, "team_id", "99999999999999999999999", 99999999999999999999999),
    (CREATE, "key_results.0.target", "1.23456", 1.23456),
    (CREATE, "key_results.0.target", "1.2345", 1.2345),
    (CREATE, "key_results.0.target", "100000000000000", 100000000000000),
    (CREATE, "key_results.0.target", "99999999999.9999", 99999999999.9999),
    (CREATE, "key_results.0.target", "100000000000", 100000000000),
    (CREATE, "period_start", "0", 0),
    (CREATE, "key_results.0.weight", "0", 0),
    (CREATE, "key_results.0.weight", "0.005", 0.005),
    (CREATE, "key_results.0.kind", "vibes", "vibes"),
    (CREATE, "key_results.0.unit", "x" * 17, "x" * 17),
    (EDIT, "title", "x" * 201, "x" * 201),
    (EDIT, "title", "A better title", "A better title"),
    (EDIT, "period_end", "9999-12-31", "9999-12-31"),
    (
        EDIT,
        "period_start",
        (END + timedelta(days=1)).isoformat(),
        (END + timedelta(days=1)).isoformat(),
    ),
    (EDIT, "visibility", "everyone", "everyone"),
    (ADD_KR, "target", "1.23456", 1.23456),
    (ADD_KR, "target", "7.5", 7.5),
    (ADD_KR, "start", "4", 4),
    (ADD_KR, "weight", "10000", 10000),
    (ADD_KR, "title", "", ""),
    (VALUE, "value", "1.23456", 1.23456),
    (VALUE, "value", "1.2345", 1.2345),
    (VALUE, "value", "abc", "abc"),
    (VALUE, "value", "1e20", 1e20),
    (VALUE, "confidence", "11", 11),
    (VALUE, "confidence", "10", 10),
    (VALUE, "note", "n" * 2000, "n" * 2000),
    (VALUE, "note", "n" * 3000, "n" * 3000),
    (CHECKIN, "mood", "6", 6),
    (CHECKIN, "mood", "5", 5),
    (CHECKIN, "problems", "p" * 10_001, "p" * 10_001),
    (CHECKIN, "kr_updates.0.value", "1.23456", 1.23456),
    (CHECKIN, "kr_updates.0.value", "1.2345", 1.2345),
    (CHECKIN, "kr_updates.0.note", "n" * 2000, "n" * 2000),
    (CHECKIN, "kr_updates.0.note", "n" * 3000, "n" * 3000),
    (CHECKIN, "kr_updates.0.confidence", "-1", -1),
    (COMMENT, "body", "", ""),
    (COMMENT, "body", "b" * 5001, "b" * 5001),
    (COMMENT, "body", "Nice work", "Nice work"),
    (PLAN_ITEM, "growth_area", "x" * 200, "x" * 200),
    (PLAN_ITEM, "growth_area", "x" * 201, "x" * 201),
    (PLAN_ITEM, "growth_area", "\u3000\t", "\u3000\t"),
    (PLAN_ITEM, "actions", "a" * 10_001, "a" * 10_001),
    (PLAN_ITEM, "due_on", "2199-12-31", "2199-12-31"),
    (PLAN_ITEM, "due_on", "2200-01-01", "2200-01-01"),
    (PLAN_ITEM, "due_on", "0", 0),
    (PLAN_ITEM, "status", "someday", "someday"),
    (PLAN_ITEM, "status", "done", "done"),
    (PLAN_ITEM, "cycle_id", "99999999999999999999999", 99999999999999999999999),
]


def _web(client: Client, w: Aim, op: Operation, field: str, value: str) -> tuple[bool, str]:
    url, data = op.web(w, field, value)
    response = client.post(url, data)
    assert response.status_code in (200, 302, 422), (op.name, field, response.status_code)
    return response.status_code == 302, html.unescape(response.content.decode())


def _api(client: Client, w: Aim, op: Operation, field: str, value: Any) -> tuple[bool, list[str]]:
    method, url, body = op.api(w, field, value)
    response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
    # 422: not what the schema describes; 409: well-formed but against a domain rule.
    assert response.status_code in (200, 201, 409, 422), (op.name, field, response.status_code)
    if response.status_code not in (409, 422):
        return True, []
    path = ["body", *(int(p) if p.isdigit() else p for p in field.split("."))]
    detail = response.json()["detail"]
    # The field's own message first; a rule between fields may speak at the other one
    # (a period start moved past its end is refused at ``period_end``, on both).
    return False, [d["msg"] for d in detail if d["loc"] == path] or [d["msg"] for d in detail]


@pytest.mark.parametrize(
    ("op", "field", "form_value", "json_value"),
    CASES,
    ids=[f"{op.name}:{field}={str(form)[:12]}" for op, field, form, _json in CASES],
)
def test_a_value_gets_the_same_verdict_on_the_page_and_through_the_api(
    aim: Aim, op: Operation, field: str, form_value: str, json_value: Any
) -> None:
    client = aim.cast.client(aim.cast.alice)
    web_ok, page = _web(client, aim, op, field, form_value)
    api_ok, messages = _api(client, aim, op, field, json_value)
    assert web_ok == api_ok, f"page {'accepts' if web_ok else 'refuses'}, API the opposite"
    if not api_ok:
        assert messages, "the API refused without a message"
        assert any(message in page for message in messages), (messages, "not on the page")


def test_the_cases_cover_every_operation_with_a_page_and_an_api_route() -> None:
    covered = {op.name for op, *_rest in CASES}
    assert covered == {op.name for op in (CREATE, EDIT, ADD_KR, VALUE, CHECKIN, COMMENT, PLAN_ITEM)}
