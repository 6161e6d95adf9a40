"""The review template and competency API: whole templates in one call, versions that keep
launched cycles unchanged, 422 for what the document refuses and 409 for domain rules."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from stride.reviews.models import ReviewTemplate
from stride.testing import Cast
from stride.testing.reviews import (
    FIVE_POINTS,
    launch_cycle,
    make_framework,
    make_template,
)


def call(client: Client, method: str, url: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(url, **kwargs)


TEMPLATE = {
    "name": "Annual",
    "sections": [
        {
            "title": "Results",
            "weight": 3,
            "questions": [
                {
                    "kind": "rating",
                    "prompt": "Delivery",
                    "answered_by": ["self", "manager"],
                    "scale": FIVE_POINTS,
                },
                {"kind": "list", "prompt": "Accomplishments", "answered_by": ["self"]},
            ],
        },
        {
            "title": "Feedback",
            "questions": [{"kind": "text", "prompt": "Keep doing", "answered_by": ["peer"]}],
        },
    ],
}


def test_hr_creates_a_whole_template_and_reads_it_back(cast: Cast) -> None:
    client = cast.client(cast.hr)
    created = call(client, "post", "/api/v1/review-templates", TEMPLATE)
    assert created.status_code == 201
    body = created.json()
    assert body["version"] == 1 and body["locked"] is False
    results, feedback = body["sections"]
    assert results["share"] == 1.0 and feedback["share"] == 0.0
    assert results["questions"][0]["scale"][2] == {
        "value": 3,
        "label": "Meets",
        "description": "Did what the role asks.",
    }
    assert feedback["questions"][0]["answered_by"] == ["peer"]
    listed = client.get("/api/v1/review-templates").json()
    assert [(t["name"], t["latest_version"]) for t in listed["items"]] == [("Annual", 1)]


def test_bad_input_answers_422_with_the_fields_path_and_writes_nothing(cast: Cast) -> None:
    bad = {
        "name": "Broken",
        "sections": [
            {"title": "S", "questions": [{"kind": "essay", "prompt": "x", "answered_by": []}]}
        ],
    }
    answer = call(cast.client(cast.hr), "post", "/api/v1/review-templates", bad)
    assert answer.status_code == 422
    locs = {tuple(d["loc"]) for d in answer.json()["detail"]}
    assert ("body", "sections", 0, "questions", 0, "kind") in locs
    assert ("body", "sections", 0, "questions", 0, "answered_by") in locs
    assert not ReviewTemplate.objects.exists()


def test_a_domain_rule_refusal_answers_409_naming_the_field(cast: Cast) -> None:
    rating_without_scale = {
        "name": "No scale",
        "sections": [
            {
                "title": "S",
                "questions": [{"kind": "rating", "prompt": "Rate", "answered_by": ["self"]}],
            }
        ],
    }
    answer = call(cast.client(cast.hr), "post", "/api/v1/review-templates", rating_without_scale)
    assert answer.status_code == 409
    assert answer.json()["detail"][0]["loc"] == ["body", "sections", 0, "questions", 0, "scale"]
    assert not ReviewTemplate.objects.exists()


def test_editing_through_the_api_after_a_launch_answers_the_new_version(cast: Cast) -> None:
    template = make_template(cast)
    launch_cycle(cast, template)
    client = cast.client(cast.hr)
    before = client.get(f"/api/v1/review-templates/{template.pk}").json()
    assert before["locked"] is True
    question = before["sections"][0]["questions"][0]
    changed = call(
        client,
        "put",
        f"/api/v1/review-templates/{template.pk}/questions/{question['id']}",
        {"kind": "text", "prompt": "Describe the year", "answered_by": ["self"]},
    )
    assert changed.status_code == 200
    after = changed.json()
    assert after["version"] == 2 and after["locked"] is False
    assert after["sections"][0]["questions"][0]["prompt"] == "Describe the year"
    assert after["sections"][0]["questions"][0]["id"] != question["id"]
    # The old id belongs to the launched version now: it is no longer editable.
    again = call(
        client, "delete", f"/api/v1/review-templates/{template.pk}/questions/{question['id']}"
    )
    assert again.status_code == 404


def test_people_other_than_hr_get_404_from_templates(cast: Cast) -> None:
    template = make_template(cast)
    client = cast.client(cast.manager)
    assert client.get("/api/v1/review-templates").status_code == 404
    assert client.get(f"/api/v1/review-templates/{template.pk}").status_code == 404
    assert call(client, "post", "/api/v1/review-templates", TEMPLATE).status_code == 404


def test_the_framework_is_read_by_everyone_and_kept_by_hr(cast: Cast) -> None:
    levels, competency = make_framework(cast)
    framework = cast.client(cast.alice).get("/api/v1/competencies").json()["items"]
    assert framework[0]["name"] == "Communication"
    assert [lv["job_level_id"] for lv in framework[0]["levels"]] == [lv.pk for lv in levels]
    hr = cast.client(cast.hr)
    clash = call(hr, "post", "/api/v1/job-levels", {"name": "Another", "rank": 1})
    assert clash.status_code == 409 and clash.json()["detail"][0]["loc"] == ["body", "rank"]
    unknown = call(
        hr,
        "put",
        f"/api/v1/competencies/{competency.pk}",
        {"name": "Communication", "levels": [{"job_level_id": 999_999}]},
    )
    assert unknown.status_code == 409
    assert unknown.json()["detail"][0]["loc"] == ["body", "levels", 0, "job_level_id"]
    assigned = call(
        hr, "put", f"/api/v1/people/{cast.alice.pk}/job-level", {"job_level_id": levels[2].pk}
    )
    assert assigned.json()["job_level"]["name"] == "Senior"
