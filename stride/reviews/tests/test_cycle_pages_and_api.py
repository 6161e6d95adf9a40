"""HR runs a cycle in the browser and through the API: a draft with its filter and phases,
the launch, progress per team with CSV export, and reopening a phase for one person."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from stride.reviews.models import CycleParticipant, ReviewCycle
from stride.testing import Cast
from stride.testing.clock import TODAY
from stride.testing.reviews import launch_cycle, make_template, phases_from

pytestmark = pytest.mark.clock


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def phase_fields(phases: list[dict[str, Any]]) -> dict[str, str]:
    out = {}
    for phase in phases:
        out[f"{phase['kind']}_starts_on"] = phase["starts_on"].isoformat()
        out[f"{phase['kind']}_ends_on"] = phase["ends_on"].isoformat()
    return out


def test_hr_sets_up_and_launches_a_cycle_in_the_browser(cast: Cast) -> None:
    template = make_template(cast)
    client = cast.client(cast.hr)
    assert client.get(reverse("reviews:cycle_create")).status_code == 200
    saved = client.post(
        reverse("reviews:cycle_create"),
        {
            "name": "Winter 2026",
            "template": str(template.pk),
            "teams": [str(cast.product.pk)],
            "hired_before": "",
            "statuses": ["active"],
            **phase_fields(phases_from(TODAY)),
        },
    )
    assert saved.status_code == 302
    cycle = ReviewCycle.objects.get(name="Winter 2026")
    page = client.get(saved["Location"]).content.decode()
    assert "4 people match now." in page
    client.post(reverse("reviews:cycle_launch", args=[cycle.pk]))
    page = client.get(reverse("reviews:cycle_detail", args=[cycle.pk])).content.decode()
    assert "Progress by team" in page and "Alice Report" in page
    export = client.get(reverse("reviews:cycle_export", args=[cycle.pk]))
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert {r["email"] for r in rows} == {
        "skip@example.com",
        "manager@example.com",
        "alice@example.com",
        "bob@example.com",
    }
    alice = next(r for r in rows if r["email"] == "alice@example.com")
    assert alice["manager"] == "manager@example.com" and alice["team"] == "Product"


def test_phases_out_of_order_are_shown_on_the_phase_that_is_wrong(cast: Cast) -> None:
    template = make_template(cast)
    phases = phases_from(TODAY)
    phases[2]["starts_on"] = phases[1]["starts_on"] - timedelta(days=1)
    response = cast.client(cast.hr).post(
        reverse("reviews:cycle_create"),
        {
            "name": "Bad",
            "template": str(template.pk),
            "statuses": ["active"],
            **phase_fields(phases),
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "cannot start before peer nomination and approval starts" in page
    assert not ReviewCycle.objects.exists()


def test_hr_reopens_a_phase_for_one_participant_from_the_progress_page(cast: Cast) -> None:
    cycle = launch_cycle(cast, make_template(cast), team_ids=[cast.product.pk])
    client = cast.client(cast.hr)
    until = (TODAY + timedelta(days=30)).isoformat()
    alice = CycleParticipant.objects.get(cycle=cycle, person=cast.alice)
    client.post(
        reverse("reviews:participant_reopen", args=[alice.pk]),
        {"phase": "self_assessment", "until": until},
    )
    assert [(r.kind, r.until.isoformat()) for r in alice.reopenings.all()] == [
        ("self_assessment", until)
    ]
    page = client.get(reverse("reviews:cycle_detail", args=[cycle.pk])).content.decode()
    assert f"Self-assessment reopened until {until}" in page


def test_the_cycle_api_creates_launches_and_reports_progress(cast: Cast) -> None:
    template = make_template(cast)
    client = cast.client(cast.hr)
    body = {
        "name": "API cycle",
        "template_id": template.pk,
        "team_ids": [cast.product.pk, cast.sales.pk],
        "phases": [
            {**p, "starts_on": p["starts_on"].isoformat(), "ends_on": p["ends_on"].isoformat()}
            for p in phases_from(TODAY)
        ],
    }
    created = post_json(client, "/api/v1/review-cycles", body)
    assert created.status_code == 201
    cycle = created.json()
    assert cycle["status"] == "draft"
    assert [p["kind"] for p in cycle["phases"]] == [p["kind"] for p in phases_from(TODAY)]
    launched = post_json(client, f"/api/v1/review-cycles/{cycle['id']}/launch", {})
    assert launched.status_code == 200
    progress = launched.json()["progress"]
    assert progress["participants"] == 6
    assert {row["team"]: row["participants"] for row in progress["by_team"]} == {
        "Product": 4,
        "Sales": 2,
    }
    again = post_json(client, f"/api/v1/review-cycles/{cycle['id']}/launch", {})
    assert again.status_code == 409
    bob = CycleParticipant.objects.get(cycle_id=cycle["id"], person=cast.bob)
    too_early = post_json(
        client,
        f"/api/v1/review-participants/{bob.pk}/reopenings",
        {"phase": "self_assessment", "until": TODAY.isoformat()},
    )
    assert too_early.status_code == 409
    assert too_early.json()["detail"][0]["loc"] == ["body", "until"]
    reopened = post_json(
        client,
        f"/api/v1/review-participants/{bob.pk}/reopenings",
        {"phase": "manager_review", "until": (TODAY + timedelta(days=60)).isoformat()},
    )
    assert reopened.status_code == 201 and reopened.json()["person_id"] == cast.bob.pk


def test_the_cycle_api_names_the_phase_field_it_refuses(cast: Cast) -> None:
    template = make_template(cast)
    phases = [
        {**p, "starts_on": p["starts_on"].isoformat(), "ends_on": p["ends_on"].isoformat()}
        for p in phases_from(TODAY)
    ]
    phases[5]["ends_on"] = phases[4]["starts_on"]
    answer = post_json(
        cast.client(cast.hr),
        "/api/v1/review-cycles",
        {"name": "x", "template_id": template.pk, "phases": phases},
    )
    assert answer.status_code == 409
    assert ["body", "phases", 5, "ends_on"] in [d["loc"] for d in answer.json()["detail"]]
    bad = post_json(
        cast.client(cast.hr),
        "/api/v1/review-cycles",
        {"name": "x", "template_id": template.pk, "phases": [{"kind": "lunch"}]},
    )
    assert bad.status_code == 422
    assert ["body", "phases", 0, "kind"] in [d["loc"] for d in bad.json()["detail"]]


def test_cycles_are_hidden_from_everyone_but_hr(cast: Cast) -> None:
    cycle = launch_cycle(cast, make_template(cast))
    for member in ("manager", "alice", "skip"):
        client = cast.client(getattr(cast, member))
        assert client.get(reverse("reviews:cycle_detail", args=[cycle.pk])).status_code == 404
        assert client.get(f"/api/v1/review-cycles/{cycle.pk}").status_code == 404
        assert client.get(reverse("reviews:cycle_export", args=[cycle.pk])).status_code == 404
