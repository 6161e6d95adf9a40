"""The self-assessment and the manager's review: drafts, submitting, deadlines, and the
rule that the person and the manager see each other's answers only once both submitted."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from stride.access.models import AuditEntry
from stride.reviews import services
from stride.reviews.models import CycleParticipant, ReviewCycle, ReviewResponse, TemplateQuestion
from stride.testing import Cast
from stride.testing.builders import make_objective
from stride.testing.clock import NOW, TODAY, Clock
from stride.testing.reviews import launch_cycle, make_template, rating, text

pytestmark = pytest.mark.clock

SELF_WORDS = "Self words Nightjar"
MANAGER_WORDS = "Manager words Dunlin"


def cycle_for(cast: Cast, **extra: Any) -> ReviewCycle:
    template = make_template(
        cast,
        sections=[
            {
                "title": "Results",
                "questions": [
                    rating("How well were goals met?"),
                    text("What went well?"),
                    {"kind": "list", "prompt": "Accomplishments", "answered_by": ["self"]},
                    {"kind": "goal_results", "prompt": "Goals", "answered_by": ["self"]},
                    text("Peers only", answered_by=["peer"]),
                ],
            }
        ],
    )
    return launch_cycle(cast, template, team_ids=[cast.product.pk], **extra)


def questions(cycle: ReviewCycle) -> dict[str, int]:
    found = TemplateQuestion.objects.filter(section__version=cycle.template_version)
    return {q.prompt: q.pk for q in found}


def alice_in(cycle: ReviewCycle, cast: Cast) -> CycleParticipant:
    return cycle.participants.get(person=cast.alice)


def full_answers(cycle: ReviewCycle, words: str, *, relationship: str = "self") -> list[Any]:
    q = questions(cycle)
    answers: list[Any] = [
        {"question_id": q["How well were goals met?"], "rating": 4},
        {"question_id": q["What went well?"], "text": words},
    ]
    if relationship == "self":
        answers.append({"question_id": q["Accomplishments"], "items": ["Shipped search"]})
    return answers


def save(
    cast: Cast,
    who: Any,
    participant: CycleParticipant,
    relationship: str,
    answers: Any,
    **proposal: Any,
):
    return services.review_draft_save(
        viewer=cast.viewer(who),
        participant=participant,
        relationship=relationship,
        answers=answers,
        **proposal,
    )


def submit(cast: Cast, who: Any, participant: CycleParticipant, relationship: str):
    return services.review_submit(
        viewer=cast.viewer(who), participant=participant, relationship=relationship
    )


def put_json(client: Client, url: str, body: Any) -> Any:
    return client.put(url, data=json.dumps(body), content_type="application/json")


# --- services ----------------------------------------------------------------------------


def test_a_draft_is_kept_and_replaced_until_submitted(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    save(cast, cast.alice, alice, "self", full_answers(cycle, "first"))
    save(cast, cast.alice, alice, "self", full_answers(cycle, "second"))
    response = ReviewResponse.objects.get(participant=alice, relationship="self")
    assert response.answers[str(questions(cycle)["What went well?"])]["text"] == "second"
    assert response.submitted_at is None
    submit(cast, cast.alice, alice, "self")
    with pytest.raises(ValidationError) as refused:
        save(cast, cast.alice, alice, "self", full_answers(cycle, "third"))
    assert "no longer change" in str(refused.value)
    response.refresh_from_db()
    assert response.answers[str(questions(cycle)["What went well?"])]["text"] == "second"


def test_submitting_needs_every_required_answer_and_names_the_missing_ones(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    q = questions(cycle)
    save(cast, cast.alice, alice, "self", full_answers(cycle, "x")[:1])
    with pytest.raises(ValidationError) as refused:
        submit(cast, cast.alice, alice, "self")
    assert set(refused.value.message_dict) == {
        f"questions.{q['What went well?']}",
        f"questions.{q['Accomplishments']}",
    }  # goal results need no answer
    assert ReviewResponse.objects.get(participant=alice).submitted_at is None


def test_a_rating_off_the_scale_or_a_foreign_question_changes_nothing(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    q = questions(cycle)
    save(cast, cast.alice, alice, "self", full_answers(cycle, "kept"))
    with pytest.raises(ValidationError) as refused:
        save(
            cast,
            cast.alice,
            alice,
            "self",
            [
                {"question_id": q["How well were goals met?"], "rating": 6},
                {"question_id": q["Peers only"], "text": "not mine"},
                {"question_id": q["What went well?"], "rating": 2},
            ],
        )
    assert set(refused.value.message_dict) == {
        "answers.0.rating",
        "answers.1.question_id",
        "answers.2.rating",
    }
    kept = ReviewResponse.objects.get(participant=alice).answers
    assert kept[str(q["What went well?"])]["text"] == "kept"


def test_only_the_person_and_their_manager_at_launch_may_write(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    for who, relationship in [
        (cast.bob, "self"),
        (cast.manager, "self"),
        (cast.alice, "manager"),
        (cast.skip, "manager"),
        (cast.hr, "self"),
    ]:
        with pytest.raises(Http404):
            save(cast, who, alice, relationship, [])
    save(cast, cast.manager, alice, "manager", full_answers(cycle, "m", relationship="manager"))


def test_after_the_deadline_work_is_refused_unless_hr_reopens_it(cast: Cast, clock: Clock) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    # Alice lives in Berlin: the self-assessment closes at midnight there after day 7.
    clock.move_to(NOW + timedelta(days=7))
    with pytest.raises(ValidationError) as refused:
        save(cast, cast.alice, alice, "self", full_answers(cycle, "late"))
    assert "deadline" in str(refused.value)
    assert not ReviewResponse.objects.filter(participant=alice).exists()
    services.phase_reopen(
        viewer=cast.viewer(cast.hr),
        participant=alice,
        phase="self_assessment",
        until=TODAY + timedelta(days=10),
    )
    save(cast, cast.alice, alice, "self", full_answers(cycle, "late"))
    submit(cast, cast.alice, alice, "self")


def test_neither_sees_the_others_answers_until_both_have_submitted(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    save(cast, cast.alice, alice, "self", full_answers(cycle, SELF_WORDS))
    submit(cast, cast.alice, alice, "self")
    save(
        cast,
        cast.manager,
        alice,
        "manager",
        full_answers(cycle, MANAGER_WORDS, relationship="manager"),
        overall_rating=4,
        potential=2,
    )
    web = {who: cast.client(getattr(cast, who)) for who in ("alice", "manager")}
    page = reverse("reviews:review", args=[alice.pk])
    api = f"/api/v1/reviews/{alice.pk}/answers"
    for who, theirs in (("alice", MANAGER_WORDS), ("manager", SELF_WORDS)):
        assert theirs not in web[who].get(page).content.decode()
        answer = web[who].get(api)
        assert answer.status_code == 200
        assert answer.json()["other"] is None and theirs not in answer.content.decode()
    submit(cast, cast.manager, alice, "manager")
    reads_before = AuditEntry.objects.filter(action="review_response.read").count()
    for who, theirs in (("alice", MANAGER_WORDS), ("manager", SELF_WORDS)):
        assert theirs in web[who].get(page).content.decode()
        other = web[who].get(api).json()["other"]
        assert any(a["text"] == theirs for a in other["answers"])
    # Each of the four reads of the other party's answers is in the audit log.
    assert AuditEntry.objects.filter(action="review_response.read").count() == reads_before + 4


def test_the_audit_log_records_the_writes_without_the_words(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    save(cast, cast.alice, alice, "self", full_answers(cycle, SELF_WORDS))
    submit(cast, cast.alice, alice, "self")
    entries = AuditEntry.objects.filter(action__startswith="review.self.")
    assert {e.action for e in entries} == {"review.self.draft", "review.self.submit"}
    assert all(SELF_WORDS not in json.dumps(e.changes) for e in entries)


def test_goal_results_show_the_persons_goals_with_progress(cast: Cast) -> None:
    make_objective(
        cast,
        cast.alice,
        "Launch search Ibis",
        key_results=[{"title": "Queries", "start": 0, "target": 10}],
    )
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    page = cast.client(cast.alice).get(reverse("reviews:review", args=[alice.pk]))
    assert "Launch search Ibis" in page.content.decode()
    questions_out = cast.client(cast.alice).get(f"/api/v1/reviews/{alice.pk}/answers").json()
    goals = next(q for q in questions_out["questions"] if q["kind"] == "goal_results")
    assert [g["title"] for g in goals["goal_results"]] == ["Launch search Ibis"]
    assert goals["goal_results"][0]["progress"] == 0


# --- pages -------------------------------------------------------------------------------


def test_the_page_saves_a_draft_without_javascript_and_submits(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    q = questions(cycle)
    client = cast.client(cast.alice)
    url = reverse("reviews:review", args=[alice.pk])
    fields = {
        f"q{q['How well were goals met?']}-rating": "3",
        f"q{q['What went well?']}-text": SELF_WORDS,
        f"q{q['Accomplishments']}-items": "Shipped search\nFixed login\n",
    }
    saved = client.post(url, {**fields, "action": "save"})
    assert saved.status_code == 302
    page = client.get(url).content.decode()
    assert "Draft saved." in page and SELF_WORDS in page and "Fixed login" in page
    # A missing answer: 422, the problem beside the question, what was typed kept.
    missing = client.post(url, {**fields, f"q{q['What went well?']}-text": "", "action": "submit"})
    assert missing.status_code == 422
    assert "Answer this question before you submit." in missing.content.decode()
    done = client.post(url, {**fields, "action": "submit"})
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "Submitted on" in page and 'name="action"' not in page


def test_the_autosave_answers_only_its_status_line(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    q = questions(cycle)
    client = cast.client(cast.alice)
    url = reverse("reviews:review", args=[alice.pk])
    saved = client.post(
        url,
        {f"q{q['What went well?']}-text": "typing", "action": "save"},
        headers={"HX-Request": "true"},
    )
    body = saved.content.decode()
    assert saved.status_code == 200 and "Draft saved at" in body and "<form" not in body
    assert (
        ReviewResponse.objects.get(participant=alice).answers[str(q["What went well?"])]["text"]
        == "typing"
    )


def test_reviews_are_in_the_navigation_only_for_people_with_one(cast: Cast) -> None:
    cycle = cycle_for(cast)
    home = reverse("reviews:mine")
    assert (
        f'href="{home}"' in cast.client(cast.alice).get(reverse("org:directory")).content.decode()
    )
    assert (
        f'href="{home}"' in cast.client(cast.manager).get(reverse("org:directory")).content.decode()
    )
    assert (
        f'href="{home}"' not in cast.client(cast.rep).get(reverse("org:directory")).content.decode()
    )
    mine = cast.client(cast.manager).get(home).content.decode()
    assert "Alice Report" in mine and cycle.name in mine


# --- API ---------------------------------------------------------------------------------


def test_the_api_saves_a_draft_and_submits(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    client = cast.client(cast.alice)
    url = f"/api/v1/reviews/{alice.pk}/answers"
    saved = put_json(client, url, {"answers": full_answers(cycle, SELF_WORDS)})
    assert saved.status_code == 200 and saved.json()["mine"]["submitted_at"] is None
    assert client.get(url).json()["mine"]["answers"] == saved.json()["mine"]["answers"]
    done = client.post(f"{url}/submit", data="{}", content_type="application/json")
    assert done.status_code == 200 and done.json()["mine"]["submitted_at"] is not None
    again = put_json(client, url, {"answers": []})
    assert again.status_code == 409
    assert again.json()["detail"][0]["loc"] == ["body", "answers"]


def test_the_api_names_bad_fields_and_refuses_late_work(cast: Cast, clock: Clock) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    client = cast.client(cast.alice)
    url = f"/api/v1/reviews/{alice.pk}/answers"
    q = questions(cycle)
    bad = put_json(client, url, {"answers": [{"question_id": q["What went well?"], "rating": 99}]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "answers", 0, "rating"]
    off = put_json(
        client, url, {"answers": [{"question_id": q["How well were goals met?"], "rating": 6}]}
    )
    assert off.status_code == 409
    assert off.json()["detail"][0]["loc"] == ["body", "answers", 0, "rating"]
    missing = client.post(f"{url}/submit", data="{}", content_type="application/json")
    assert missing.status_code == 409
    assert ["body", "questions", q["What went well?"]] in [
        d["loc"] for d in missing.json()["detail"]
    ]
    clock.move_to(NOW + timedelta(days=7))
    late = put_json(client, url, {"answers": full_answers(cycle, "late")})
    assert late.status_code == 409 and "deadline" in late.json()["detail"][0]["msg"]


def test_others_get_404_from_a_review(cast: Cast) -> None:
    cycle = cycle_for(cast)
    alice = alice_in(cycle, cast)
    for who in (cast.bob, cast.skip, cast.hr, cast.outsider):
        client = cast.client(who)
        assert client.get(reverse("reviews:review", args=[alice.pk])).status_code == 404
        assert client.get(f"/api/v1/reviews/{alice.pk}/answers").status_code == 404
        assert (
            put_json(client, f"/api/v1/reviews/{alice.pk}/answers", {"answers": []}).status_code
            == 404
        )
