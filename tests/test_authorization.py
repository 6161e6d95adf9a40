"""Every route of the web UI and every operation of the API, walked as each member of the cast.

The world (``stride.testing.world``) holds public, team and private objectives whose readers
and editors differ, a check-in shared with an accountability partner, a comment and a token.
For every route, method and object the tables below say who may reach it (``Rule.access``);
everyone else must get 404 — never 403, so existence does not leak — and anonymous visitors
are sent to the login page (web) or refused with 401 (API).

Besides the status, every answer is read: a secret (a title, a key result, a note, a
check-in's text, a comment) must not appear in any page or API answer given to a member who
may not read it — list pages and list APIs included, with their filters.

Reads run against the shared world; each write runs against a fresh copy of its object, so
one write (or one member's success) cannot change the next one's answer. Writes carry valid
bodies (web forms are filled from the form the page itself serves), so the only reason to
refuse is who asks.

``walk(world, member)`` returns the wrong answers; the tests at the bottom prove it catches
two real breaks (an edit check removed, private goals let into a person's list) by making
them with ``monkeypatch``. A route added without a rule fails ``test_every_route_is_covered``:
decide who may reach it, add a line to ``WEB`` or ``API``, and the walk covers it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Prefetch, Value
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from stride.access import services as access_services
from stride.goals import selectors
from stride.goals.models import KeyResult, Objective
from stride.testing import make_csv, row
from stride.testing.clock import THIS_QUARTER, TODAY
from stride.testing.reviews import phases_from
from stride.testing.world import (
    EVERYONE,
    HR_ONLY,
    MEMBERS,
    PRIVATE_TITLE,
    Target,
    World,
)

# Who may reach a route: every signed-in member, the target's readers, its editors, HR, or
# (for a person) those who may read the person's check-ins.
# ``review``: the parties to a review (the person reviewed and their manager at launch).
# ``reviewee`` / ``review_manager``: one of them.
# ``growth``: (for a person) who may see their growth graph and keep their development
# plan — the person and their current managers.
Access = Literal[
    "signed_in",
    "read",
    "edit",
    "hr",
    "checkins",
    "review",
    "reviewee",
    "review_manager",
    "calibrate",
    "growth",
]
WRITE_METHODS = ("post", "put", "patch", "delete")
PERIOD = {"period_start": THIS_QUARTER[0].isoformat(), "period_end": THIS_QUARTER[1].isoformat()}


@dataclass(frozen=True)
class Form:
    """How to make a valid body for a web write: take the form that posts to the route from
    the page ``page`` (a route name; default the route itself), keep what it holds, and set
    ``fill`` (a key matches a field name or the end of a prefixed one: ``value`` fills
    ``kr7-value``). ``files`` makes the uploads."""

    page: str | None = None
    page_as: str | None = None  # whose page holds the form (default: see ``walk``)
    fill: dict[str, str] = field(default_factory=dict)
    files: Callable[[], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Rule:
    """Who reaches a route with a method (``access``) and the answer they get (``ok``);
    everyone else gets 404. ``queries`` are walked one by one (list filters); values may
    name world ids, as ``{alice_id}``."""

    access: Access
    ok: tuple[int, ...] = (200,)
    queries: tuple[dict[str, str], ...] = ({},)
    body: dict[str, Any] | None = None  # API writes: a valid JSON body
    form: Form | None = None  # web writes: how to fill the form
    public: bool = False  # reachable without logging in


CYCLE_PHASES = [
    {
        "kind": p["kind"],
        "starts_on": p["starts_on"].isoformat(),
        "ends_on": p["ends_on"].isoformat(),
    }
    for p in phases_from(TODAY)
]
CYCLE_PHASE_FIELDS = {
    f"{p['kind']}_{edge}": p[edge] for p in CYCLE_PHASES for edge in ("starts_on", "ends_on")
}
EVERY_PERIOD = ({}, {"period": "active"}, {"period": "2026-Q3"})

# Web UI: (route name, method) → rule. Ids in the route are filled from the world's targets.
WEB: dict[tuple[str, str], Rule] = {
    ("home", "get"): Rule("signed_in", ok=(302,)),
    ("healthz", "get"): Rule("signed_in", public=True),
    ("org:directory", "get"): Rule("signed_in", queries=({}, {"q": "Walk"}, {"q": "Alice"})),
    ("org:tree", "get"): Rule("signed_in"),
    ("org:person", "get"): Rule("signed_in"),
    ("org:reports", "get"): Rule("signed_in"),
    ("org:import", "get"): Rule("hr"),
    ("org:import", "post"): Rule(
        "hr",
        form=Form(
            fill={"dry_run": "on"},
            files=lambda: {
                "file": SimpleUploadedFile(
                    "people.csv",
                    make_csv([row("new.person@example.com", "New Person")]).encode(),
                    content_type="text/csv",
                )
            },
        ),
    ),
    ("org:import_template", "get"): Rule("hr"),
    ("access:tokens", "get"): Rule("signed_in"),
    ("access:tokens", "post"): Rule(
        "signed_in", ok=(302,), form=Form(fill={"name": "walk laptop"})
    ),
    ("access:token_revoke", "post"): Rule(
        "edit", ok=(302,), form=Form(page="access:tokens", page_as="alice")
    ),
    ("goals:my_goals", "get"): Rule("signed_in", queries=EVERY_PERIOD),
    ("goals:objective_create", "get"): Rule("signed_in"),
    ("goals:objective_create", "post"): Rule(
        "signed_in",
        ok=(302,),
        form=Form(
            fill={"title": "Walk mine", **PERIOD, "kr-0-title": "Walk users", "kr-0-target": "9"}
        ),
    ),
    ("goals:team_goals", "get"): Rule(
        "signed_in", queries=({}, {"team": "{product_id}"}, {"page": "2"})
    ),
    ("goals:alignment", "get"): Rule("signed_in", queries=EVERY_PERIOD),
    ("goals:person_goals", "get"): Rule("signed_in", queries=EVERY_PERIOD),
    ("goals:objective_detail", "get"): Rule("read"),
    ("goals:objective_edit", "get"): Rule("edit"),
    ("goals:objective_edit", "post"): Rule(
        "edit", ok=(302,), form=Form(fill={"description": "Edited by the walk"})
    ),
    ("goals:objective_delete", "get"): Rule("edit"),
    ("goals:objective_delete", "post"): Rule("edit", ok=(302,), form=Form()),
    ("goals:key_result_create", "get"): Rule("edit"),
    ("goals:key_result_create", "post"): Rule(
        "edit", ok=(302,), form=Form(fill={"title": "Walk demos", "target": "4"})
    ),
    ("goals:key_result_value", "post"): Rule(
        "edit",
        ok=(302,),
        form=Form(page="goals:objective_detail", fill={"value": "4", "confidence": "7"}),
    ),
    ("goals:checkin_list", "get"): Rule("signed_in", queries=({}, {"shared_page": "1"})),
    ("goals:checkin_form", "get"): Rule("signed_in"),
    ("goals:checkin_form", "post"): Rule(
        "signed_in", ok=(302,), form=Form(fill={"mood": "3", "progress": "Walk week"})
    ),
    ("goals:checkin_kr_rows", "get"): Rule("signed_in"),
    ("goals:checkin_settings", "get"): Rule("signed_in"),
    ("goals:checkin_settings", "post"): Rule("signed_in", ok=(302,), form=Form()),
    ("goals:checkin_detail", "get"): Rule("read"),
    ("goals:checkin_comment_add", "post"): Rule(
        "read", ok=(302,), form=Form(page="goals:checkin_detail", fill={"body": "Walk comment"})
    ),
    ("goals:team_checkins", "get"): Rule("signed_in", queries=({}, {"scope": "subtree"})),
    ("goals:person_checkins", "get"): Rule("checkins", queries=({}, {"page": "2"})),
    ("access:audit_log", "get"): Rule(
        "hr", queries=({}, {"target_type": "goals.objective"}, {"actor": "manager"})
    ),
    # Reviews: templates and the competency framework are HR's to keep.
    ("reviews:templates", "get"): Rule("hr"),
    ("reviews:templates", "post"): Rule(
        "hr", ok=(302,), form=Form(fill={"name": "Walk new template"})
    ),
    ("reviews:template_detail", "get"): Rule("hr"),
    ("reviews:template_edit", "post"): Rule(
        "hr", ok=(302,), form=Form(page="reviews:template_detail", fill={"name": "Walk renamed"})
    ),
    ("reviews:template_preview", "get"): Rule("hr", queries=({}, {"email": "alice@example.com"})),
    ("reviews:section_add", "post"): Rule(
        "hr", ok=(302,), form=Form(page="reviews:template_detail", fill={"title": "Walk section"})
    ),
    ("reviews:section_edit", "get"): Rule("hr"),
    ("reviews:section_edit", "post"): Rule(
        "hr", ok=(302,), form=Form(fill={"title": "Walk section edited"})
    ),
    ("reviews:section_delete", "post"): Rule(
        "hr", ok=(302,), form=Form(page="reviews:template_detail")
    ),
    ("reviews:question_add", "get"): Rule("hr"),
    ("reviews:question_add", "post"): Rule(
        "hr", ok=(302,), form=Form(fill={"kind": "text", "prompt": "Walk question"})
    ),
    ("reviews:question_edit", "get"): Rule("hr"),
    ("reviews:question_edit", "post"): Rule(
        "hr", ok=(302,), form=Form(fill={"prompt": "Walk question edited"})
    ),
    ("reviews:question_delete", "post"): Rule(
        "hr", ok=(302,), form=Form(page="reviews:template_detail")
    ),
    ("reviews:competencies", "get"): Rule("hr", queries=({}, {"email": "bob@example.com"})),
    ("reviews:job_level_add", "post"): Rule(
        "hr",
        ok=(302,),
        form=Form(page="reviews:competencies", fill={"name": "Walk level", "rank": "8"}),
    ),
    ("reviews:competency_add", "get"): Rule("hr"),
    ("reviews:competency_add", "post"): Rule(
        "hr", ok=(302,), form=Form(fill={"name": "Walk new competency"})
    ),
    ("reviews:competency_edit", "get"): Rule("hr"),
    ("reviews:competency_edit", "post"): Rule(
        "hr", ok=(302,), form=Form(fill={"description": "Walk edited"})
    ),
    ("reviews:cycles", "get"): Rule("hr"),
    ("reviews:cycle_create", "get"): Rule("hr"),
    ("reviews:cycle_create", "post"): Rule(
        "hr", ok=(302,), form=Form(fill={"name": "Walk new cycle", **CYCLE_PHASE_FIELDS})
    ),
    ("reviews:cycle_detail", "get"): Rule("hr", queries=({}, {"page": "2"})),
    ("reviews:cycle_launch", "post"): Rule("hr", ok=(302,), form=Form(page="reviews:cycle_detail")),
    ("reviews:cycle_export", "get"): Rule("hr"),
    ("reviews:cycle_analytics", "get"): Rule(
        "hr", queries=({}, {"relationship": "peer"}, {"team_id": "{product_id}"})
    ),
    ("reviews:participant_reopen", "post"): Rule(
        "hr", ok=(302,), form=Form(page="reviews:cycle_detail", fill={"until": "2100-01-01"})
    ),
    # The walk's cycle is over, so alice's self-assessment is late: HR may nudge her.
    ("reviews:participant_nudge", "post"): Rule(
        "hr", ok=(302,), form=Form(page="reviews:cycle_detail", fill={"phase": "self_assessment"})
    ),
    # A review: each party reaches their own side of it (the page picks the side).
    ("reviews:mine", "get"): Rule("signed_in"),
    ("reviews:calibration", "get"): Rule(
        "calibrate", queries=({}, {"team": "{product_id}"}, {"level": "1", "page": "2"})
    ),
    ("reviews:calibration_react", "post"): Rule(
        "calibrate",
        ok=(302,),
        form=Form(page="reviews:calibration", fill={"reaction": "question"}),
    ),
    ("reviews:calibration_change", "post"): Rule(
        "calibrate",
        ok=(302,),
        form=Form(page="reviews:calibration", fill={"rating": "4", "reason": "Walk reason"}),
    ),
    ("reviews:review", "get"): Rule("review"),
    ("reviews:review", "post"): Rule(
        "review", ok=(302,), form=Form(page_as="alice", fill={"action": "save"})
    ),
    # Peers: the person nominates, their manager decides; a reviewer answers or declines.
    ("reviews:peers", "get"): Rule("review"),
    ("reviews:peers", "post"): Rule(
        "reviewee", ok=(302,), form=Form(page_as="alice", fill={"emails": "bob@example.com"})
    ),
    ("reviews:peers_decide", "post"): Rule(
        "review_manager",
        ok=(302,),
        form=Form(page="reviews:peers", page_as="manager", fill={"add": "bob@example.com"}),
    ),
    # Sharing and sign-off. In the walk's world neither side has submitted, so the manager
    # reaches the share form but is refused (a message, back to the page), alice's
    # acknowledgement is refused (not shared yet), the PDF is the manager's only (alice's
    # once shared) and no meeting is set (404 for all; stride/reviews/tests/test_sign_off.py
    # walks the shared state).
    ("reviews:share", "post"): Rule(
        "review_manager", ok=(302,), form=Form(page="reviews:review", page_as="manager")
    ),
    ("reviews:acknowledge", "post"): Rule(
        "reviewee", ok=(302,), form=Form(page="reviews:review", page_as="alice")
    ),
    ("reviews:meeting", "get"): Rule("review_manager", ok=(404,)),
    ("reviews:pdf", "get"): Rule("review_manager"),
    ("reviews:cycle_results_csv", "get"): Rule("hr"),
    ("reviews:cycle_results_xlsx", "get"): Rule("hr"),
    ("reviews:request", "get"): Rule("read"),
    ("reviews:request", "post"): Rule(
        "edit", ok=(302,), form=Form(page_as="manager", fill={"action": "save"})
    ),
    ("reviews:request_decline", "post"): Rule(
        "edit",
        ok=(302,),
        form=Form(page="reviews:request", page_as="manager", fill={"reason": "Walk decline"}),
    ),
    ("reviews:person_job_level", "get"): Rule("hr"),
    ("reviews:person_job_level", "post"): Rule("hr", ok=(302,), form=Form()),
    # Growth: the person and their current managers (skip manages every person target).
    ("reviews:growth", "get"): Rule("growth", queries=({}, {"page": "2"})),
    ("reviews:growth", "post"): Rule(
        "growth", ok=(302,), form=Form(page_as="skip", fill={"growth_area": "Walk growth"})
    ),
    ("reviews:development_item_edit", "get"): Rule("edit"),
    ("reviews:development_item_edit", "post"): Rule(
        "edit", ok=(302,), form=Form(page_as="skip", fill={"status": "done"})
    ),
    ("reviews:development_item_delete", "post"): Rule(
        "edit", ok=(302,), form=Form(page="reviews:development_item_edit", page_as="skip")
    ),
}
# Served by libraries with their own access rules (allauth's pages, Django's admin); the
# API's own routes are walked through the OpenAPI document below.
WEB_PREFIXES_ELSEWHERE = ("accounts/", "admin/", "api/v1/")

OBJECTIVE_FILTERS = (
    {},
    {"owner_id": "{alice_id}"},
    {"owner_id": "{bob_id}"},
    {"owner_id": "{manager_id}"},
    {"team_id": "{product_id}"},
)

WALK_QUESTION = {"kind": "text", "prompt": "Walk API question", "answered_by": ["peer"]}

# API: (method, path template) → rule. Writes carry a valid body, so the answer depends
# only on who asks.
API: dict[tuple[str, str], Rule] = {
    ("post", "/api/v1/auth/token"): Rule("signed_in", ok=(422,), public=True, body={}),
    ("get", "/api/v1/auth/tokens"): Rule("signed_in"),
    ("delete", "/api/v1/auth/tokens/{token_id}"): Rule("edit", ok=(204,)),
    ("get", "/api/v1/me"): Rule("signed_in"),
    ("get", "/api/v1/people"): Rule(
        "signed_in", queries=({}, {"manager_id": "{manager_id}"}, {"team_id": "{product_id}"})
    ),
    ("get", "/api/v1/people/{person_id}"): Rule("signed_in"),
    ("get", "/api/v1/people/{person_id}/reports"): Rule("signed_in"),
    ("get", "/api/v1/teams"): Rule("signed_in"),
    ("get", "/api/v1/objectives"): Rule("signed_in", queries=OBJECTIVE_FILTERS),
    ("post", "/api/v1/objectives"): Rule(
        "signed_in", ok=(201,), body={"title": "Walk mine", **PERIOD}
    ),
    ("get", "/api/v1/objectives/{objective_id}"): Rule("read"),
    ("patch", "/api/v1/objectives/{objective_id}"): Rule(
        "edit", body={"description": "Edited by the walk"}
    ),
    ("delete", "/api/v1/objectives/{objective_id}"): Rule("edit", ok=(204,)),
    ("post", "/api/v1/objectives/{objective_id}/key-results"): Rule(
        "edit", ok=(201,), body={"title": "Walk demos", "target": 4}
    ),
    ("get", "/api/v1/key-results/{key_result_id}"): Rule("read"),
    ("patch", "/api/v1/key-results/{key_result_id}"): Rule("edit", body={"unit": "pts"}),
    ("get", "/api/v1/key-results/{key_result_id}/updates"): Rule("read"),
    ("post", "/api/v1/key-results/{key_result_id}/updates"): Rule(
        "edit", ok=(201,), body={"value": 4, "confidence": 7}
    ),
    ("get", "/api/v1/check-ins"): Rule(
        "signed_in", queries=({}, {"person_id": "{alice_id}"}, {"person_id": "{bob_id}"})
    ),
    ("post", "/api/v1/check-ins"): Rule("signed_in", ok=(201,), body={"mood": 3}),
    ("get", "/api/v1/check-ins/{checkin_id}"): Rule("read"),
    ("get", "/api/v1/check-ins/{checkin_id}/comments"): Rule("read"),
    ("post", "/api/v1/check-ins/{checkin_id}/comments"): Rule(
        "read", ok=(201,), body={"body": "Walk comment"}
    ),
    ("get", "/api/v1/audit"): Rule(
        "hr", queries=({}, {"actor_id": "{manager_id}"}, {"target_type": "goals.checkin"})
    ),
    ("get", "/api/v1/review-templates"): Rule("hr"),
    ("post", "/api/v1/review-templates"): Rule("hr", ok=(201,), body={"name": "Walk API template"}),
    ("get", "/api/v1/review-templates/{template_id}"): Rule("hr"),
    ("patch", "/api/v1/review-templates/{template_id}"): Rule("hr", body={"description": "Walk"}),
    ("post", "/api/v1/review-templates/{template_id}/sections"): Rule(
        "hr", ok=(201,), body={"title": "Walk section"}
    ),
    ("put", "/api/v1/review-templates/{template_id}/sections/{section_id}"): Rule(
        "hr", body={"title": "Walk section edited", "weight": 2}
    ),
    ("delete", "/api/v1/review-templates/{template_id}/sections/{section_id}"): Rule("hr"),
    ("post", "/api/v1/review-templates/{template_id}/sections/{section_id}/questions"): Rule(
        "hr", ok=(201,), body=WALK_QUESTION
    ),
    ("put", "/api/v1/review-templates/{template_id}/questions/{question_id}"): Rule(
        "hr", body=WALK_QUESTION
    ),
    ("delete", "/api/v1/review-templates/{template_id}/questions/{question_id}"): Rule("hr"),
    ("get", "/api/v1/job-levels"): Rule("signed_in"),
    ("post", "/api/v1/job-levels"): Rule(
        "hr", ok=(201,), body={"name": "Walk API level", "rank": 9}
    ),
    ("get", "/api/v1/competencies"): Rule("signed_in"),
    ("post", "/api/v1/competencies"): Rule("hr", ok=(201,), body={"name": "Walk API competency"}),
    ("put", "/api/v1/competencies/{competency_id}"): Rule(
        "hr", body={"name": "Walk competency renamed"}
    ),
    ("put", "/api/v1/people/{person_id}/job-level"): Rule("hr", body={"job_level_id": None}),
    ("get", "/api/v1/review-cycles"): Rule("hr"),
    ("post", "/api/v1/review-cycles"): Rule(
        "hr",
        ok=(201,),
        body={"name": "Walk API cycle", "template_id": "{template_id}", "phases": CYCLE_PHASES},
    ),
    ("get", "/api/v1/review-cycles/{cycle_id}"): Rule("hr"),
    ("post", "/api/v1/review-cycles/{cycle_id}/launch"): Rule("hr", body={}),
    ("post", "/api/v1/review-participants/{participant_id}/reopenings"): Rule(
        "hr", ok=(201,), body={"phase": "self_assessment", "until": "2100-01-01"}
    ),
    # (Her manager's review: the web walk nudged alice today already.)
    ("post", "/api/v1/review-participants/{participant_id}/nudges"): Rule(
        "hr", ok=(201,), body={"phase": "manager_review"}
    ),
    ("get", "/api/v1/reviews/{review_id}/answers"): Rule("review"),
    ("get", "/api/v1/reviews"): Rule("signed_in", queries=({}, {"person_id": "{alice_id}"})),
    ("get", "/api/v1/reviews/{review_id}"): Rule("review"),
    ("get", "/api/v1/review-cycles/{cycle_id}/analytics"): Rule(
        "hr", queries=({}, {"relationship": "upward", "team_id": "{product_id}"})
    ),
    ("get", "/api/v1/reviews/{review_id}/peers"): Rule("review"),
    # The manager has not submitted, nor shared: each party reaches the route and is refused.
    ("post", "/api/v1/reviews/{review_id}/share"): Rule("review_manager", ok=(409,), body={}),
    ("post", "/api/v1/reviews/{review_id}/acknowledge"): Rule("reviewee", ok=(409,), body={}),
    ("put", "/api/v1/reviews/{review_id}/peers"): Rule(
        "reviewee", body={"reviewer_ids": ["{bob_id}"]}
    ),
    ("post", "/api/v1/reviews/{review_id}/peers/decisions"): Rule(
        "review_manager", body={"add": ["{bob_id}"]}
    ),
    ("get", "/api/v1/review-requests"): Rule("signed_in"),
    ("post", "/api/v1/review-requests/{request_id}/decline"): Rule(
        "edit", body={"reason": "Walk decline"}
    ),
    ("get", "/api/v1/review-requests/{request_id}/answers"): Rule("read"),
    ("put", "/api/v1/review-requests/{request_id}/answers"): Rule("edit", body={"answers": []}),
    ("post", "/api/v1/review-requests/{request_id}/answers/submit"): Rule("edit", body={}),
    ("put", "/api/v1/reviews/{review_id}/answers"): Rule("review", body={"answers": []}),
    ("get", "/api/v1/review-cycles/{cycle_id}/calibration"): Rule(
        "calibrate", queries=({}, {"team_id": "{product_id}"}, {"limit": "1", "offset": "1"})
    ),
    ("put", "/api/v1/reviews/{review_id}/reaction"): Rule(
        "calibrate", body={"reaction": "question", "comment": "Walk comment"}
    ),
    ("post", "/api/v1/reviews/{review_id}/calibrate"): Rule(
        "calibrate", body={"rating": 4, "potential": 3, "reason": "Walk reason"}
    ),
    ("get", "/api/v1/people/{person_id}/growth"): Rule("growth"),
    ("get", "/api/v1/people/{person_id}/development-items"): Rule("growth"),
    ("post", "/api/v1/people/{person_id}/development-items"): Rule(
        "growth", ok=(201,), body={"growth_area": "Walk API growth", "due_on": "2026-12-31"}
    ),
    ("patch", "/api/v1/development-items/{development_item_id}"): Rule(
        "edit", body={"status": "in_progress"}
    ),
    ("delete", "/api/v1/development-items/{development_item_id}"): Rule("edit", ok=(204,)),
    ("post", "/api/v1/reviews/{review_id}/answers/submit"): Rule("review", body={}),
}


# --- discovering routes -------------------------------------------------------------------


def web_routes() -> dict[str, str]:
    """Every named route of the web UI → its pattern, libraries' routes left out."""
    found: dict[str, str] = {}

    def walk_patterns(patterns: list[Any], prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk_patterns(
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

    walk_patterns(get_resolver().url_patterns, "", None)
    return found


def api_operations(client: Client) -> set[tuple[str, str]]:
    document = client.get("/api/v1/openapi.json").json()
    return {
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


NO_TARGET = Target("", {}, EVERYONE, EVERYONE)


def targets_for(world: World, route: str) -> list[Target]:
    """The objects a route is walked against: one per target of its (first) id parameter."""
    for parameter, targets in world.targets.items():
        if f":{parameter}>" in route or f"{{{parameter}}}" in route:
            return targets
    return [NO_TARGET]


def allowed(rule: Rule, target: Target) -> frozenset[str]:
    return {
        "signed_in": EVERYONE,
        "read": target.readers,
        "edit": target.editors,
        "hr": HR_ONLY,
        "checkins": target.checkin_readers,
        "review": target.review_parties,
        "reviewee": target.reviewee,
        "review_manager": target.review_manager,
        "calibrate": target.calibrators,
        "growth": target.growth_readers,
    }[rule.access]


@dataclass(frozen=True)
class Call:
    """One request of the walk: ``url`` for the route, with the rule and target it answers to."""

    kind: Literal["web", "api"]
    name: str  # route name (web) or path template (API)
    method: str
    rule: Rule
    target: Target

    def ids(self, world: World) -> dict[str, int]:
        """Reads use the shared world; writes get a fresh copy of their object."""
        if self.method in WRITE_METHODS and self.target.fresh is not None:
            return self.target.fresh()
        return self.target.ids

    def url(self, ids: dict[str, int], name: str | None = None) -> str:
        if self.kind == "api":
            return self.name.format(**ids)
        route_name = name or self.name
        route = web_routes()[route_name]
        return reverse(route_name, kwargs={k: v for k, v in ids.items() if f":{k}>" in route})


def calls(world: World) -> Iterator[Call]:
    """Every (route, method, target): reads first, then writes, deletions last."""
    every: list[Call] = []
    routes = web_routes()
    for (name, method), rule in WEB.items():
        for target in targets_for(world, routes[name]):
            every.append(Call("web", name, method, rule, target))
    for (method, template), rule in API.items():
        for target in targets_for(world, template):
            every.append(Call("api", template, method, rule, target))
    order = {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}
    # Deleting through the web is a POST: it goes last as well.
    every.sort(key=lambda c: 2 if c.name == "goals:objective_delete" else order[c.method])
    return iter(every)


# --- filling web forms --------------------------------------------------------------------


class _FormReader(HTMLParser):
    """The forms of a page with the values a browser would send untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._fields: dict[str, str | None] | None = None
        self._select: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._fields = {}
            self.forms.append(
                {"action": a.get("action") or "", "method": a.get("method") or "get"}
                | {"fields": self._fields}
            )
            return
        fields = self._fields
        name = a.get("name")
        if fields is None:
            return
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "reset", "image", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    fields[name] = a.get("value") or "on"
                else:
                    fields.setdefault(name, None)
                return
            fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select, self._select_chosen = name, False
            fields[name] = None
        elif tag == "option" and self._select is not None:
            if "selected" in a or (fields[self._select] is None and not self._select_chosen):
                fields[self._select] = a.get("value") or ""
                self._select_chosen = "selected" in a
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self._fields is not None:
            self._fields[self._textarea] = (self._fields[self._textarea] or "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._fields is not None:
            # A browser drops the one line break that may follow <textarea>.
            text = self._fields[self._textarea] or ""
            self._fields[self._textarea] = text[1:] if text.startswith("\n") else text
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_body(page: HttpResponse, page_url: str, url: str, form: Form) -> dict[str, Any] | None:
    """The body of the form on ``page`` that posts to ``url``, filled in; None if no such form."""
    reader = _FormReader()
    reader.feed(page.content.decode())
    for found in reader.forms:
        if found["method"].lower() != "post" or (found["action"] or page_url) != url:
            continue
        body: dict[str, Any] = {k: v for k, v in found["fields"].items() if v is not None}
        for key, value in form.fill.items():
            matches = [n for n in found["fields"] if n == key or n.endswith(f"-{key}")]
            for name in matches or [key]:
                body[name] = value
        body.pop("csrfmiddlewaretoken", None)
        if form.files is not None:
            body.update(form.files())
        return body
    return None


# --- the walk -----------------------------------------------------------------------------


def api_client(world: World, member: str) -> tuple[Client, dict[str, str]]:
    person = world.person(member)
    _token, secret = access_services.token_create(viewer=world.cast.viewer(person), name="walk")
    return Client(), {"Authorization": f"Bearer {secret}"}


def leaks(world: World, member: str | None, response: HttpResponse) -> list[str]:
    """The secrets ``member`` may not read that ``response`` shows."""
    content = getattr(response, "content", b"").decode(errors="replace")
    return [
        secret.text
        for secret in world.secrets
        if (member is None or member not in secret.readers) and secret.text in content
    ]


def body_of(body: dict[str, Any], world: World) -> dict[str, Any]:
    """``body`` with each value (or list item) written ``"{name}"`` replaced by that world
    id."""

    def filled(value: Any) -> Any:
        if isinstance(value, list):
            return [filled(item) for item in value]
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            return world.ids[value[1:-1]]
        return value

    return {key: filled(value) for key, value in body.items()}


def query_of(rule_query: dict[str, str], world: World) -> dict[str, str]:
    return {key: value.format(**world.ids) for key, value in rule_query.items()}


def walk(world: World, member: str) -> list[str]:
    """Walk every route, method, object and list filter as ``member``; return every answer
    that is wrong: a status other than the rule's, or a secret shown to someone who may not
    read it. An empty list means the member got exactly what the rules allow."""
    person = world.person(member)
    web = world.cast.client(person)
    hr = world.cast.client(world.cast.hr)
    api, auth = api_client(world, member)
    wrong: list[str] = []
    for call in calls(world):
        rule = call.rule
        may = member in allowed(rule, call.target)
        expected = rule.ok if may else (404,)
        ids = call.ids(world)
        url = call.url(ids)
        label = f"{call.method.upper()} {url} ({call.name}{' ' if call.target.name else ''}"
        label += f"{call.target.name})"
        for query in rule.queries:
            params = query_of(query, world)
            if call.kind == "api":
                if rule.body is not None:
                    response = getattr(api, call.method)(
                        url,
                        data=json.dumps(body_of(rule.body, world)),
                        content_type="application/json",
                        headers=auth,
                    )
                else:
                    response = getattr(api, call.method)(url, params, headers=auth)
            elif call.method == "get":
                response = web.get(url, params)
            else:
                assert rule.form is not None, f"{label}: a web write needs a Form"
                # Forms for one's own things come from one's own page; forms for an object
                # from an editor's page (HR may edit everything), so a refused member still
                # sends a body that would be valid from someone allowed.
                filler = web if rule.access == "signed_in" else hr
                if rule.form.page_as is not None:
                    filler = world.cast.client(world.person(rule.form.page_as))
                page_url = call.url(ids, rule.form.page) if rule.form.page else url
                page = filler.get(page_url)
                body = form_body(page, page_url, url, rule.form)
                if body is None:
                    wrong.append(f"{label}: no form posting to {url} on {page_url}")
                    continue
                response = web.post(url, body)
            shown = f"{label}{' ?' + str(params) if params else ''}"
            if response.status_code not in expected:
                wrong.append(f"{shown}: {response.status_code}, expected {expected}")
            for text in leaks(world, member, response):
                wrong.append(f"{shown}: shows {text!r}")
    return wrong


def walk_anonymous(world: World) -> list[str]:
    """Every route as a visitor who has not logged in: web routes send to the login page,
    API operations answer 401, and nothing shows a secret."""
    client = Client()
    wrong: list[str] = []
    for call in calls(world):
        rule = call.rule
        url = call.url(call.target.ids)
        if call.kind == "api":
            if rule.body is not None:
                response = getattr(client, call.method)(
                    url, data=json.dumps(rule.body), content_type="application/json"
                )
            else:
                response = getattr(client, call.method)(url)
            good = response.status_code in (rule.ok if rule.public else (401,))
        else:
            response = getattr(client, call.method)(url)
            if rule.public:
                good = response.status_code in rule.ok
            else:
                good = response.status_code == 302 and "/accounts/login/" in response["Location"]
        if not good:
            wrong.append(f"{call.method.upper()} {url}: {response.status_code}")
        wrong.extend(
            f"{call.method.upper()} {url}: shows {t!r}" for t in leaks(world, None, response)
        )
    return wrong


# --- the tests ----------------------------------------------------------------------------


def test_every_route_is_covered(world: World) -> None:
    web_names = {name for name, _method in WEB}
    missing_web = sorted(set(web_routes()) - web_names)
    stale_web = sorted(web_names - set(web_routes()))
    operations = api_operations(world.cast.client(world.cast.alice))
    missing_api = sorted(operations - set(API))
    stale_api = sorted(set(API) - operations)
    assert not missing_web, f"web routes with no authorization rule: {missing_web}"
    assert not missing_api, f"API operations with no authorization rule: {missing_api}"
    assert not stale_web and not stale_api, (
        f"rules for routes that no longer exist: {stale_web} {stale_api}"
    )


def test_the_walk_reaches_reads_and_writes_of_every_kind_of_object(world: World) -> None:
    every = list(calls(world))
    methods = {(c.kind, c.method) for c in every}
    assert {("web", "get"), ("web", "post"), ("api", "get"), ("api", "post")} <= methods
    assert {("api", "patch"), ("api", "delete")} <= methods
    objective_targets = {c.target.name for c in every if c.name == "goals:objective_edit"}
    assert objective_targets == {"public", "team", "private", "bob-private"}
    # Readers and editors really differ somewhere, or "edit" would test nothing new.
    assert any(t.readers != t.editors for t in world.targets["objective_id"])


@pytest.mark.parametrize("member", MEMBERS)
def test_each_member_gets_only_what_the_rules_allow_and_sees_no_secret(
    world: World, member: str
) -> None:
    wrong = walk(world, member)
    assert not wrong, f"as {member}:\n" + "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_log_in_and_see_nothing(world: World) -> None:
    wrong = walk_anonymous(world)
    assert not wrong, "\n".join(wrong)


# --- the walk catches what it claims: two deliberate breaks -------------------------------


def test_the_walk_reports_an_edit_check_removed_from_the_objective_selector(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Break 1: ``objective_for_editor`` without its ``can_edit_objective`` check, so anyone
    # who may read an objective reaches its edit, delete and new-key-result routes.
    monkeypatch.setattr(selectors, "objective_for_editor", selectors.objective_for_viewer)
    wrong = walk(world, "bob")  # bob reads alice's public objective and his team's, edits neither
    edit_routes = [line for line in wrong if "(goals:objective_edit public)" in line]
    assert edit_routes, "the walk did not notice bob reaching the edit page:\n" + "\n".join(wrong)
    assert any("(goals:objective_edit team)" in line for line in wrong)


def test_the_walk_reports_private_goals_let_into_a_persons_goals_list(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Break 2: ``objectives_of_person`` without the visibility filter.
    def every_objective_of_person(viewer: Any, person: Any, period: Any, *, today: Any) -> Any:
        return (
            Objective.objects.select_related("owner", "team", "parent")
            .prefetch_related(
                Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id"))
            )
            .annotate(parent_visible=Value(False))
            .filter(selectors.period_q(period, today=today), owner=person)
            .order_by("period_end", "title", "id")
        )

    monkeypatch.setattr(selectors, "objectives_of_person", every_objective_of_person)
    wrong = walk(world, "outsider")
    person_page = reverse("goals:person_goals", args=[world.cast.alice.pk])
    assert any(
        line.startswith(f"GET {person_page} ") and repr(PRIVATE_TITLE) in line for line in wrong
    ), "the walk did not notice alice's private goal on her page:\n" + "\n".join(wrong)
