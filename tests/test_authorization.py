"""Every route of the web UI and every operation of the API, walked as each member of the cast.

The tables below say, for each route, who may reach it; everyone else must get 404 (never
403, so existence does not leak), and anonymous visitors must be sent to the login page
(web) or refused with 401 (API). A route that is added without a line here fails
``test_every_route_is_covered``: decide who may see it before it ships.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import time
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import Cast
from stride.access import services as access_services
from stride.goals import services as goals
from stride.goals.checkins import services as checkin_services
from stride.goals.models import Objective

MEMBERS = ("skip", "manager", "alice", "bob", "outsider", "hr", "salesmanager", "rep")
EVERYONE = frozenset(MEMBERS)
# alice's private objective: alice, her managers (manager, skip) and HR.
PRIVATE_READERS = frozenset({"alice", "manager", "skip", "hr"})
# alice's check-in: the same, plus her accountability partner (salesmanager).
CHECKIN_READERS = PRIVATE_READERS | {"salesmanager"}
HR_ONLY = frozenset({"hr"})
OWNER_ONLY = frozenset({"alice"})


@dataclass(frozen=True)
class Rule:
    """Who reaches a route (``allowed``) and what they get; all others get 404."""

    allowed: frozenset[str]
    ok: tuple[int, ...] = (200,)
    method: str = "get"
    public: bool = False  # reachable without logging in
    body: dict[str, Any] | None = None  # a valid body for writes


PERIOD = {"period_start": "2026-10-01", "period_end": "2026-12-31"}


# Web UI: route name → rule. Ids in the route are filled from the world below.
WEB: dict[str, Rule] = {
    "home": Rule(EVERYONE, ok=(302,)),
    "healthz": Rule(EVERYONE, public=True),
    "org:directory": Rule(EVERYONE),
    "org:tree": Rule(EVERYONE),
    "org:person": Rule(EVERYONE),
    "org:reports": Rule(EVERYONE),
    "org:import": Rule(HR_ONLY),
    "org:import_template": Rule(HR_ONLY),
    "access:tokens": Rule(EVERYONE),
    "access:token_revoke": Rule(OWNER_ONLY, ok=(302,), method="post"),
    "goals:my_goals": Rule(EVERYONE),
    "goals:objective_create": Rule(EVERYONE),
    "goals:team_goals": Rule(EVERYONE),
    "goals:alignment": Rule(EVERYONE),
    "goals:person_goals": Rule(EVERYONE),
    "goals:objective_detail": Rule(PRIVATE_READERS),
    "goals:objective_edit": Rule(PRIVATE_READERS),
    "goals:objective_delete": Rule(PRIVATE_READERS),
    "goals:key_result_create": Rule(PRIVATE_READERS),
    "goals:key_result_value": Rule(PRIVATE_READERS, ok=(200, 422), method="post"),
    "goals:checkin_list": Rule(EVERYONE),
    "goals:checkin_form": Rule(EVERYONE),
    "goals:checkin_kr_rows": Rule(EVERYONE),
    "goals:checkin_settings": Rule(EVERYONE),
    "goals:checkin_detail": Rule(CHECKIN_READERS),
    "goals:checkin_comment_add": Rule(CHECKIN_READERS, ok=(200, 302, 422), method="post"),
    "goals:team_checkins": Rule(EVERYONE),
    "access:audit_log": Rule(HR_ONLY),
}
# Served by libraries with their own access rules (allauth's pages, Django's admin,
# the API's own routes are walked through the OpenAPI document below).
WEB_PREFIXES_ELSEWHERE = ("accounts/", "admin/", "api/v1/")

# API: (method, path template) → rule. Writes carry a valid body, so the answer depends
# only on who asks: the allowed get their success code, everyone else 404.
API: dict[tuple[str, str], Rule] = {
    ("post", "/api/v1/auth/token"): Rule(EVERYONE, ok=(422,), public=True, body={}),
    ("get", "/api/v1/auth/tokens"): Rule(EVERYONE),
    ("delete", "/api/v1/auth/tokens/{token_id}"): Rule(OWNER_ONLY, ok=(204,)),
    ("get", "/api/v1/me"): Rule(EVERYONE),
    ("get", "/api/v1/people"): Rule(EVERYONE),
    ("get", "/api/v1/people/{person_id}"): Rule(EVERYONE),
    ("get", "/api/v1/people/{person_id}/reports"): Rule(EVERYONE),
    ("get", "/api/v1/teams"): Rule(EVERYONE),
    ("get", "/api/v1/objectives"): Rule(EVERYONE),
    ("post", "/api/v1/objectives"): Rule(EVERYONE, ok=(201,), body={"title": "Mine", **PERIOD}),
    ("get", "/api/v1/objectives/{objective_id}"): Rule(PRIVATE_READERS),
    ("patch", "/api/v1/objectives/{objective_id}"): Rule(PRIVATE_READERS, body={"title": "New"}),
    ("delete", "/api/v1/objectives/{objective_id}"): Rule(PRIVATE_READERS, ok=(204,)),
    ("post", "/api/v1/objectives/{objective_id}/key-results"): Rule(
        PRIVATE_READERS, ok=(201,), body={"title": "Demos given", "target": 4}
    ),
    ("get", "/api/v1/key-results/{key_result_id}"): Rule(PRIVATE_READERS),
    ("patch", "/api/v1/key-results/{key_result_id}"): Rule(PRIVATE_READERS, body={"title": "x"}),
    ("get", "/api/v1/key-results/{key_result_id}/updates"): Rule(PRIVATE_READERS),
    ("post", "/api/v1/key-results/{key_result_id}/updates"): Rule(
        PRIVATE_READERS, ok=(201,), body={"value": 3, "confidence": 7}
    ),
    ("get", "/api/v1/check-ins"): Rule(EVERYONE),
    ("post", "/api/v1/check-ins"): Rule(EVERYONE, ok=(201,), body={"mood": 3}),
    ("get", "/api/v1/check-ins/{checkin_id}"): Rule(CHECKIN_READERS),
    ("get", "/api/v1/check-ins/{checkin_id}/comments"): Rule(CHECKIN_READERS),
    ("post", "/api/v1/check-ins/{checkin_id}/comments"): Rule(
        CHECKIN_READERS, ok=(201,), body={"body": "Nice week!"}
    ),
    ("get", "/api/v1/audit"): Rule(HR_ONLY),
}


@dataclass
class World:
    cast: Cast
    ids: dict[str, int]


def build_world(cast: Cast) -> World:
    alice = cast.viewer(cast.alice)
    private = goals.objective_create(
        viewer=alice,
        title="Private: move to the platform team",
        period_start=cast.alice.hire_date or _today().replace(month=1, day=1),
        period_end=_today().replace(month=12, day=31),
        visibility=Objective.Visibility.PRIVATE,
        key_results=[{"title": "Pairing sessions", "start": 0, "target": 10}],
    )
    key_result = private.key_results.get()
    checkin_services.checkin_preference_update(
        viewer=alice,
        partner=cast.salesmanager,
        reminder_weekday=4,
        reminder_time=time(15, 0),
        reminders_enabled=True,
    )
    checkin = checkin_services.checkin_submit(viewer=alice, mood=4, progress="Good week")
    token, _secret = access_services.token_create(viewer=alice, name="laptop")
    return World(
        cast=cast,
        ids={
            "person_id": cast.alice.pk,
            "objective_id": private.pk,
            "key_result_id": key_result.pk,
            "checkin_id": checkin.pk,
            "token_id": token.pk,
        },
    )


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def web_routes() -> dict[str, str]:
    """Every named route of the web UI → its pattern, libraries' routes left out."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith(WEB_PREFIXES_ELSEWHERE) or pattern.name is None:
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found[name] = route

    walk(get_resolver().url_patterns, "", None)
    return found


def api_operations(client: Client) -> set[tuple[str, str]]:
    document = client.get("/api/v1/openapi.json").json()
    return {
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def web_url(name: str, ids: dict[str, int]) -> str:
    route = web_routes()[name]
    kwargs = {key: value for key, value in ids.items() if f":{key}>" in route}
    if name == "org:reports":
        kwargs = {"person_id": ids["manager_id"]}
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def world(cast: Cast) -> World:
    built = build_world(cast)
    built.ids["manager_id"] = cast.manager.pk
    return built


def test_every_route_is_covered(cast: Cast) -> None:
    missing_web = sorted(set(web_routes()) - set(WEB))
    stale_web = sorted(set(WEB) - set(web_routes()))
    operations = api_operations(cast.client(cast.alice))
    missing_api = sorted(operations - set(API))
    stale_api = sorted(set(API) - operations)
    assert not missing_web, f"web routes with no authorization rule: {missing_web}"
    assert not missing_api, f"API operations with no authorization rule: {missing_api}"
    assert not stale_web and not stale_api, (
        f"rules for routes that no longer exist: {stale_web} {stale_api}"
    )


@pytest.mark.parametrize("member", MEMBERS)
def test_each_web_route_answers_each_member_as_its_rule_says(world: World, member: str) -> None:
    client = world.cast.client(getattr(world.cast, member))
    wrong = []
    for name, rule in WEB.items():
        url = web_url(name, world.ids)
        response = getattr(client, rule.method)(url)
        expected = rule.ok if member in rule.allowed else (404,)
        if response.status_code not in expected:
            wrong.append(
                f"{rule.method.upper()} {url} ({name}): {response.status_code}, expected {expected}"
            )
    assert not wrong, f"as {member}:\n" + "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_log_in_on_every_web_route(world: World) -> None:
    client = Client()
    wrong = []
    for name, rule in WEB.items():
        url = web_url(name, world.ids)
        response = getattr(client, rule.method)(url)
        if rule.public:
            ok = response.status_code in rule.ok
        else:
            ok = response.status_code == 302 and "/accounts/login/" in response["Location"]
        if not ok:
            wrong.append(f"{rule.method.upper()} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def api_url(template: str, ids: dict[str, int]) -> str:
    return template.format(**ids)


def call(client: Client, method: str, url: str, rule: Rule, **headers: str) -> Any:
    if rule.body is not None:
        return getattr(client, method)(
            url, data=json.dumps(rule.body), content_type="application/json", headers=headers
        )
    return getattr(client, method)(url, headers=headers)


@pytest.mark.parametrize("member", MEMBERS)
def test_each_api_operation_answers_each_member_as_its_rule_says(world: World, member: str) -> None:
    person = getattr(world.cast, member)
    _token, secret = access_services.token_create(viewer=world.cast.viewer(person), name="walk")
    client = Client()
    auth = {"Authorization": f"Bearer {secret}"}
    wrong = []
    # Deletions last, so the objects stay for the other operations.
    for (method, template), rule in sorted(API.items(), key=lambda item: item[0][0] == "delete"):
        url = api_url(template, world.ids)
        response = call(client, method, url, rule, **auth)
        expected = rule.ok if member in rule.allowed else (404,)
        if response.status_code not in expected:
            wrong.append(f"{method.upper()} {url}: {response.status_code}, expected {expected}")
    assert not wrong, f"as {member}:\n" + "\n".join(wrong)


def test_anonymous_callers_get_401_from_every_api_operation(world: World) -> None:
    client = Client()
    wrong = []
    for (method, template), rule in API.items():
        url = api_url(template, world.ids)
        response = call(client, method, url, rule)
        expected = rule.ok if rule.public else (401,)
        if response.status_code not in expected:
            wrong.append(f"{method.upper()} {url}: {response.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)
