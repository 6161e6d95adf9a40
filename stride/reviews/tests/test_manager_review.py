"""The manager's review (issue 7, item 7): the proposed overall rating and potential,
saved with the draft and required on submit, and the summary of the period's check-ins
shown to the manager only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stride.access.models import AuditEntry
from stride.reviews import services
from stride.reviews.models import CycleParticipant, ReviewCycle, ReviewResponse, TemplateVersion
from stride.testing import Cast
from stride.testing.builders import check_in, first_kr, make_objective
from stride.testing.reviews import complete_answers, launch_cycle, make_template, rating, text

pytestmark = pytest.mark.clock

WORRY = "Worried about the Heron migration"
PLAN = "Plan to pair with Bob on Kestrel"


def cycle_for(cast: Cast, *, asks_potential: bool = True) -> ReviewCycle:
    template = make_template(
        cast,
        sections=[{"title": "Results", "questions": [rating("Results?"), text("What went well?")]}],
    )
    TemplateVersion.objects.filter(template=template).update(asks_potential=asks_potential)
    return launch_cycle(cast, template, team_ids=[cast.product.pk])


def alice_in(cycle: ReviewCycle, cast: Cast) -> CycleParticipant:
    return cycle.participants.select_related("cycle__template_version").get(person=cast.alice)


def save(cast: Cast, participant: CycleParticipant, **proposal: Any) -> ReviewResponse:
    return services.review_draft_save(
        viewer=cast.viewer(cast.manager),
        participant=participant,
        relationship="manager",
        answers=complete_answers(participant.cycle, "manager"),
        **proposal,
    )


def submit(cast: Cast, participant: CycleParticipant) -> ReviewResponse:
    return services.review_submit(
        viewer=cast.viewer(cast.manager), participant=participant, relationship="manager"
    )


def put_json(client: Any, url: str, body: Any) -> Any:
    return client.put(url, data=json.dumps(body), content_type="application/json")


# --- the proposal: services ---------------------------------------------------------------


def test_the_proposal_is_saved_with_the_draft_and_becomes_final_on_submit(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    save(cast, alice, overall_rating=3, potential=1)
    save(cast, alice, overall_rating=4, potential=3)
    alice.refresh_from_db()
    assert (alice.proposed_rating, alice.potential) == (4, 3)
    assert (alice.final_rating, alice.final_potential) == (None, None)
    submit(cast, alice)
    alice.refresh_from_db()
    assert (alice.final_rating, alice.final_potential) == (4, 3)
    proposals = AuditEntry.objects.filter(action="review.manager.propose").order_by("id")
    assert [e.changes for e in proposals] == [
        {"proposed_rating": [None, 3], "potential": [None, 1]},
        {"proposed_rating": [3, 4], "potential": [1, 3]},
    ]
    assert AuditEntry.objects.get(action="review.manager.final").changes == {
        "final_rating": [None, 4],
        "final_potential": [None, 3],
    }


def test_submitting_without_the_proposal_is_refused_naming_each_field(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    save(cast, alice)
    with pytest.raises(ValidationError) as refused:
        submit(cast, alice)
    assert set(refused.value.message_dict) == {"overall_rating", "potential"}
    save(cast, alice, overall_rating=2)
    with pytest.raises(ValidationError) as refused:
        submit(cast, alice)
    assert set(refused.value.message_dict) == {"potential"}
    assert ReviewResponse.objects.get(participant=alice).submitted_at is None
    alice.refresh_from_db()
    assert alice.final_rating is None


def test_potential_only_where_the_template_asks_for_it(cast: Cast) -> None:
    cycle = cycle_for(cast, asks_potential=False)
    alice = alice_in(cycle, cast)
    with pytest.raises(ValidationError) as refused:
        save(cast, alice, overall_rating=3, potential=2)
    assert set(refused.value.message_dict) == {"potential"}
    alice.refresh_from_db()
    assert alice.proposed_rating is None  # nothing of the refused draft was kept
    save(cast, alice, overall_rating=3)
    submit(cast, alice)
    alice.refresh_from_db()
    assert (alice.final_rating, alice.final_potential) == (3, None)


def test_only_the_manager_proposes(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    with pytest.raises(ValidationError) as refused:
        services.review_draft_save(
            viewer=cast.viewer(cast.alice),
            participant=alice,
            relationship="self",
            answers=[],
            overall_rating=5,
            potential=3,
        )
    assert set(refused.value.message_dict) == {"overall_rating", "potential"}
    alice.refresh_from_db()
    assert (alice.proposed_rating, alice.potential) == (None, None)


# --- the proposal: API --------------------------------------------------------------------


def test_the_api_takes_the_proposal_checks_its_scales_and_requires_it(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    client = cast.client(cast.manager)
    url = f"/api/v1/reviews/{alice.pk}/answers"
    answers = complete_answers(cycle, "manager")
    for body, loc in (
        ({"answers": answers, "overall_rating": 6}, ["body", "overall_rating"]),
        ({"answers": answers, "overall_rating": 0}, ["body", "overall_rating"]),
        ({"answers": answers, "potential": 4}, ["body", "potential"]),
    ):
        off = put_json(client, url, body)
        assert off.status_code == 422 and off.json()["detail"][0]["loc"] == loc
    saved = put_json(client, url, {"answers": answers, "overall_rating": 4})
    assert saved.status_code == 200
    body = saved.json()
    assert (body["overall_rating"], body["potential"], body["asks_potential"]) == (4, None, True)
    missing = client.post(f"{url}/submit", data="{}", content_type="application/json")
    assert missing.status_code == 409
    assert [d["loc"] for d in missing.json()["detail"]] == [["body", "potential"]]
    put_json(client, url, {"answers": answers, "overall_rating": 4, "potential": 2})
    done = client.post(f"{url}/submit", data="{}", content_type="application/json")
    assert done.status_code == 200 and done.json()["mine"]["submitted_at"] is not None
    alice.refresh_from_db()
    assert (alice.final_rating, alice.final_potential) == (4, 2)
    # The person's side carries no proposal.
    mine = cast.client(cast.alice).get(url).json()
    assert (mine["overall_rating"], mine["potential"]) == (None, None)
    own = put_json(cast.client(cast.alice), url, {"answers": [], "overall_rating": 5})
    assert own.status_code == 409 and own.json()["detail"][0]["loc"] == ["body", "overall_rating"]


# --- the proposal: the page ---------------------------------------------------------------


def test_the_page_offers_the_scales_saves_autosaves_and_submits(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    client = cast.client(cast.manager)
    url = reverse("reviews:review", args=[alice.pk])
    page = client.get(url).content.decode()
    assert "Exceeds expectations" in page and 'name="overall_rating"' in page
    assert 'name="potential"' in page and "Moderate" in page
    # The person's own page has neither group.
    own = cast.client(cast.alice).get(url).content.decode()
    assert 'name="overall_rating"' not in own and 'name="potential"' not in own
    fields = {
        f"q{a['question_id']}-{'rating' if 'rating' in a else 'text'}": str(
            a.get("rating") or a.get("text")
        )
        for a in complete_answers(cycle, "manager")
    }
    fields |= {f"q{a['question_id']}-text": "x" for a in complete_answers(cycle, "manager")}
    autosaved = client.post(
        url, {**fields, "overall_rating": "5", "action": "save"}, headers={"HX-Request": "true"}
    )
    assert "Draft saved at" in autosaved.content.decode()
    alice.refresh_from_db()
    assert alice.proposed_rating == 5
    refused = client.post(url, {**fields, "overall_rating": "9", "action": "save"})
    assert refused.status_code == 422
    body = refused.content.decode()
    assert 'id="proposal-overall_rating" aria-invalid="true"' in body
    missing = client.post(url, {**fields, "overall_rating": "4", "action": "submit"})
    assert missing.status_code == 422
    assert "Propose the person&#x27;s potential before you submit." in missing.content.decode()
    done = client.post(url, {**fields, "overall_rating": "4", "potential": "3", "action": "submit"})
    assert done.status_code == 302
    shown = client.get(url).content.decode()
    assert (
        "Exceeds expectations" in shown and "High" in shown and 'name="overall_rating"' not in shown
    )
    alice.refresh_from_db()
    assert (alice.final_rating, alice.final_potential) == (4, 3)


def test_the_page_leaves_potential_out_where_the_template_does_not_ask(cast: Cast) -> None:
    cycle = cycle_for(cast, asks_potential=False)
    alice = alice_in(cycle, cast)
    page = cast.client(cast.manager).get(reverse("reviews:review", args=[alice.pk]))
    body = page.content.decode()
    assert 'name="overall_rating"' in body and 'name="potential"' not in body


# --- the template builder -------------------------------------------------------------------


def test_the_builder_sets_potential_on_a_new_version_once_a_cycle_uses_it(cast: Cast) -> None:
    cycle = cycle_for(cast)
    template = cycle.template_version.template
    client = cast.client(cast.hr)
    detail = reverse("reviews:template_detail", args=[template.pk])
    assert "Ask the manager for potential" in client.get(detail).content.decode()
    saved = client.post(
        reverse("reviews:template_edit", args=[template.pk]),
        {"name": template.name, "description": ""},  # the box left unticked
    )
    assert saved.status_code == 302
    versions = list(TemplateVersion.objects.filter(template=template).order_by("number"))
    assert [v.asks_potential for v in versions] == [True, False]
    # The launched cycle still asks.
    alice = alice_in(cycle, cast)
    page = cast.client(cast.manager).get(reverse("reviews:review", args=[alice.pk]))
    assert 'name="potential"' in page.content.decode()
    api = cast.client(cast.hr).get(f"/api/v1/review-templates/{template.pk}").json()
    assert api["asks_potential"] is False and api["version"] == 2
    back = cast.client(cast.hr).patch(
        f"/api/v1/review-templates/{template.pk}",
        data=json.dumps({"asks_potential": True}),
        content_type="application/json",
    )
    assert back.status_code == 200 and back.json()["asks_potential"] is True
    assert TemplateVersion.objects.filter(template=template).count() == 2  # v2 not yet used


# --- the check-in summary -------------------------------------------------------------------


def test_the_manager_sees_the_periods_check_ins_summed_up(cast: Cast) -> None:
    objective = make_objective(
        cast, cast.alice, "Ship Kestrel", key_results=[{"title": "Done", "start": 0, "target": 10}]
    )
    kr = first_kr(objective)
    check_in(
        cast, cast.alice, mood=5, plans=PLAN, kr_updates=[{"key_result_id": kr.pk, "value": 3}]
    )
    check_in(cast, cast.alice, mood=3, weeks_ago=1, problems=WORRY)
    check_in(cast, cast.alice, mood=4, weeks_ago=2)
    check_in(cast, cast.alice, mood=2, weeks_ago=6, problems="Old trouble Grebe")
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    before = AuditEntry.objects.filter(action="checkin.read", actor=cast.manager).count()
    page = cast.client(cast.manager).get(reverse("reviews:review", args=[alice.pk]))
    body = page.content.decode()
    assert "Check-ins this period" in body
    assert "Checked in 4 of 52 weeks." in body
    assert "Current streak: 3 weeks; longest: 3 weeks." in body
    assert "1 key result updated through check-ins." in body
    assert WORRY in body and PLAN in body
    assert body.index(PLAN) < body.index(WORRY) < body.index("Old trouble Grebe")  # newest first
    assert "November 2026" in body and "October 2026" in body
    after = AuditEntry.objects.filter(action="checkin.read", actor=cast.manager).count()
    assert after == before + 1
    api = cast.client(cast.manager).get(f"/api/v1/reviews/{alice.pk}/answers").json()
    summary = api["checkin_summary"]
    assert (summary["weeks_checked_in"], summary["weeks_expected"]) == (4, 52)
    assert [h["problems"] for h in summary["headlines"]][:2] == ["", WORRY]
    months = {m["month"]: m["mean"] for m in summary["mood_months"]}
    assert months == {"2026-10-01": 2.0, "2026-11-01": 4.0}
    # The person does not get it in their review.
    own = cast.client(cast.alice).get(reverse("reviews:review", args=[alice.pk]))
    assert "Check-ins this period" not in own.content.decode() and WORRY not in own.content.decode()
    assert (
        cast.client(cast.alice).get(f"/api/v1/reviews/{alice.pk}/answers").json()["checkin_summary"]
        is None
    )


def test_the_summary_shortens_long_words_and_counts_weeks_from_the_hire_date(cast: Cast) -> None:
    from datetime import date

    type(cast.alice).objects.filter(pk=cast.alice.pk).update(hire_date=date(2026, 11, 1))
    check_in(cast, cast.alice, problems="Long " * 100)
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    summary = (
        cast.client(cast.manager)
        .get(f"/api/v1/reviews/{alice.pk}/answers")
        .json()["checkin_summary"]
    )
    # Weeks of 26 Oct (hired on the Sunday of it) … 23 Nov.
    assert (summary["weeks_checked_in"], summary["weeks_expected"]) == (1, 5)
    assert len(summary["headlines"][0]["problems"]) == 140
    assert summary["headlines"][0]["problems"].endswith("…")
