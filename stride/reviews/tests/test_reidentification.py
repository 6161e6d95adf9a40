"""Each route by which someone might find out who wrote a peer or upward answer, tried:
the threshold, differencing across the analytics' filters, the order of comments,
timestamps, the exports, the API, the audit log, and an answer arriving late. Each test
fails if its route works."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from stride.access.audit import audit_write
from stride.access.models import AuditEntry
from stride.org.models import Person
from stride.reviews import selectors, services
from stride.reviews.models import (
    CycleParticipant,
    JobLevel,
    PersonJobLevel,
    ReviewCycle,
    ReviewerAssignment,
    ReviewResponse,
)
from stride.testing import Cast, Clock
from stride.testing.builders import add_reports, make_objective
from stride.testing.reviews import (
    launch_cycle,
    make_template,
    rating,
    submit_self_assessment,
    text,
)

pytestmark = pytest.mark.clock

RATED = "How well do they work with others?"
# When the peer and upward reviews phase (9–15 December, see ``phases_from``) has ended
# everywhere: the end of 15 December at UTC−12.
AFTER_PHASE = datetime(2026, 12, 16, 12, 0, tzinfo=UTC)
# When the last answering phase (the manager review, 16–22 December) has ended everywhere,
# so the cycle's analytics are published.
ANALYTICS_PUBLISHED = datetime(2026, 12, 23, 12, 0, tzinfo=UTC)
# Written in this order; shown sorted by their text.
WORDS = ["zebra crossing Tern", "Apple pie Wigeon", "mango season Smew", "Kiwi fruit Scaup"]


@pytest.fixture
def cycle(cast: Cast, job_levels: dict[str, JobLevel]) -> ReviewCycle:
    template = make_template(
        cast,
        sections=[
            {
                "title": "Collaboration",
                "weight": 1,
                "questions": [
                    rating(RATED, answered_by=["self", "manager", "peer", "upward"]),
                    text("What should they keep doing?", answered_by=["peer", "upward"]),
                ],
            }
        ],
    )
    return launch_cycle(cast, template, team_ids=[cast.product.pk])


@pytest.fixture
def peers(cast: Cast) -> list[Person]:
    """Four people outside the cycle's team who can review alice as peers."""
    return add_reports(cast.outsider, 4, prefix="peer")


def answer(
    cast: Cast, cycle: ReviewCycle, about: Person, reviewer: Person, score: int, words: str
) -> ReviewResponse:
    """``reviewer`` answers every peer (or upward, for their manager) question about
    ``about`` and submits, through the services."""
    participant = cycle.participants.get(person=about)
    assignment, _new = ReviewerAssignment.objects.get_or_create(
        participant=participant,
        reviewer=reviewer,
        defaults={"relationship": "peer", "status": ReviewerAssignment.Status.APPROVED},
    )
    rel = assignment.relationship
    answers: list[dict[str, Any]] = [
        {"question_id": q.pk, "rating": score}
        if q.is_scored
        else {"question_id": q.pk, "text": words}
        for q in selectors.answering_questions(cycle.template_version_id, rel)
    ]
    viewer = cast.viewer(reviewer)
    services.review_draft_save(
        viewer=viewer, participant=participant, relationship=rel, answers=answers
    )
    return services.review_submit(viewer=viewer, participant=participant, relationship=rel)


def peers_answer(
    cast: Cast, cycle: ReviewCycle, reviewers: list[Person], score: int = 3
) -> CycleParticipant:
    """Each of ``reviewers`` answers alice's review (with the next of ``WORDS``)."""
    for reviewer, words in zip(reviewers, WORDS, strict=False):
        answer(cast, cycle, cast.alice, reviewer, score, words)
    return cycle.participants.get(person=cast.alice)


def packet(cast: Cast, who: Person, participant: CycleParticipant) -> Any:
    response = cast.client(who).get(f"/api/v1/reviews/{participant.pk}")
    assert response.status_code == 200, response.content
    return response.json()


def section(body: Any, relationship: str) -> dict[str, Any]:
    return next(s for s in body["sections"] if s["relationship"] == relationship)


def page(cast: Cast, who: Person, participant: CycleParticipant) -> str:
    response = cast.client(who).get(reverse("reviews:review", args=[participant.pk]))
    assert response.status_code == 200
    return response.content.decode()


def analytics(cast: Cast, cycle: ReviewCycle, **filters: Any) -> Any:
    response = cast.client(cast.hr).get(f"/api/v1/review-cycles/{cycle.pk}/analytics", filters)
    assert response.status_code == 200, response.content
    return response.json()


# --- the threshold ---------------------------------------------------------------------


def test_two_answers_are_suppressed_in_the_page_the_api_and_the_analytics(
    cast: Cast, cycle: ReviewCycle, peers: list[Person], clock: Clock
) -> None:
    alice = peers_answer(cast, cycle, peers[:2], 5)
    clock.move_to(AFTER_PHASE)

    html = page(cast, cast.manager, alice)
    assert "Fewer than 3 people answered, so these answers are not shown." in html
    assert "2 respondents" in html
    assert not any(w in html for w in WORDS[:2])

    body = packet(cast, cast.manager, alice)
    peer = section(body, "peer")
    assert peer == {
        "relationship": "peer",
        "respondents": 2,
        "suppressed": True,
        "reason": "fewer_than_threshold",
        "aggregate": None,
    }
    assert not any(w in json.dumps(body) for w in WORDS)

    clock.move_to(ANALYTICS_PUBLISHED)
    for filters in ({}, {"relationship": "peer"}, {"team_id": cast.product.pk}):
        cell = analytics(cast, cycle, **filters)
        assert cell["suppressed"] is True and cell["respondents"] is None, filters
        assert all(q["mean"] is None for q in cell["questions"])
    shown = cast.client(cast.hr).get(reverse("reviews:cycle_analytics", args=[cycle.pk]))
    assert "Suppressed: this combination could single out fewer than 3 people" in (
        shown.content.decode()
    )


def test_three_answers_are_shown_combined_to_the_manager(
    cast: Cast, cycle: ReviewCycle, peers: list[Person], clock: Clock
) -> None:
    for reviewer, score, words in zip(peers[:3], (5, 4, 4), WORDS, strict=False):
        answer(cast, cycle, cast.alice, reviewer, score, words)
    clock.move_to(AFTER_PHASE)
    alice = cycle.participants.get(person=cast.alice)
    peer = section(packet(cast, cast.manager, alice), "peer")
    assert peer["respondents"] == 3 and peer["suppressed"] is False
    rated, comments = peer["aggregate"]
    assert rated["prompt"] == RATED and rated["mean"] == 4.33 and rated["ratings"] == 3
    assert {p["value"]: p["count"] for p in rated["distribution"]} == {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}
    assert comments["comments"] == sorted(WORDS[:3], key=str.casefold)
    html = page(cast, cast.manager, alice)
    assert "3 respondents" in html and "Mean 4.33 from 3 ratings" in html


@override_settings(REVIEW_ANONYMITY_THRESHOLD=4)
def test_a_higher_threshold_hides_three_answers(
    cast: Cast, cycle: ReviewCycle, peers: list[Person], clock: Clock
) -> None:
    alice = peers_answer(cast, cycle, peers[:3], 3)
    clock.move_to(AFTER_PHASE)
    assert section(packet(cast, cast.manager, alice), "peer")["suppressed"] is True
    assert "Fewer than 4 people answered" in page(cast, cast.manager, alice)


def test_a_threshold_below_three_stops_stride_at_start_up() -> None:
    run = subprocess.run(
        [sys.executable, "-c", "import django, os; django.setup()"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "stride.settings",
            "STRIDE_REVIEW_ANONYMITY_THRESHOLD": "2",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "STRIDE_REVIEW_ANONYMITY_THRESHOLD must be at least 3 (not 2)" in run.stderr


# --- order and time ----------------------------------------------------------------------


def test_comments_do_not_follow_the_order_they_were_written_in(
    cast: Cast, cycle: ReviewCycle, peers: list[Person], clock: Clock
) -> None:
    for reviewer, words in zip(peers, WORDS, strict=True):
        answer(cast, cycle, cast.alice, reviewer, 3, words)
        clock.shift(timedelta(hours=1))
    clock.move_to(AFTER_PHASE)
    alice = cycle.participants.get(person=cast.alice)
    comments = section(packet(cast, cast.manager, alice), "peer")["aggregate"][1]["comments"]
    assert comments != WORDS  # the order they were submitted in
    assert comments == [
        "Apple pie Wigeon",
        "Kiwi fruit Scaup",
        "mango season Smew",
        "zebra crossing Tern",
    ]
    html = page(cast, cast.manager, alice)
    assert [html.index(w) for w in comments] == sorted(html.index(w) for w in comments)


def scan(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from scan(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for inner in value:
            yield from scan(inner, f"{path}[]")
    else:
        yield path, value


#: Every key a peer or upward section may hold: nothing about who answered or when.
ANONYMOUS_KEYS = {
    "relationship", "respondents", "suppressed", "reason", "aggregate", "question_id",
    "section", "kind", "prompt", "mean", "ratings", "distribution", "value", "label",
    "count", "comments",
}  # fmt: skip


def test_no_reviewer_id_name_email_or_time_in_any_peer_or_upward_section(
    cast: Cast, cycle: ReviewCycle, peers: list[Person], clock: Clock
) -> None:
    peers_answer(cast, cycle, peers[:3], 4)
    # The manager's reports (alice, bob and one more) review them upward.
    extra = add_reports(cast.manager, 1, prefix="late")[0]
    ReviewerAssignment.objects.create(
        participant=cycle.participants.get(person=cast.manager),
        reviewer=extra,
        relationship="upward",
        status=ReviewerAssignment.Status.APPROVED,
    )
    upward = [cast.alice, cast.bob, extra]
    for reviewer, words in zip(upward, WORDS, strict=False):
        answer(cast, cycle, cast.manager, reviewer, 2, words)
    clock.move_to(AFTER_PHASE)
    cycle.status = ReviewCycle.Status.CLOSED
    cycle.save()
    reviewers = [*peers[:3], *upward]
    bodies = [
        packet(cast, cast.manager, cycle.participants.get(person=cast.alice)),
        packet(cast, cast.skip, cycle.participants.get(person=cast.manager)),
        packet(cast, cast.manager, cycle.participants.get(person=cast.manager)),
    ]
    shown = 0
    for body in bodies:
        for rel in ("peer", "upward"):
            part = section(body, rel)
            shown += not part["suppressed"]
            keys = {path.rsplit(".", 1)[-1].removesuffix("[]") for path, _v in scan(part)}
            assert keys <= ANONYMOUS_KEYS, keys - ANONYMOUS_KEYS
            dumped = json.dumps(part)
            for person in reviewers:
                assert person.email not in dumped and person.name not in dumped
            for path, value in scan(part):
                if path.endswith("question_id"):
                    continue
                assert not (isinstance(value, str) and "2026-" in value), (path, value)
    assert shown == 3  # alice's peers; the manager's upward section to skip and to them


# --- the visibility and timing rules ------------------------------------------------------


def test_nothing_shows_before_the_phase_ends_and_a_late_answer_changes_nothing(
    cast: Cast, cycle: ReviewCycle, peers: list[Person], clock: Clock
) -> None:
    peers_answer(cast, cycle, peers[:3], 3)
    alice = cycle.participants.get(person=cast.alice)
    before = section(packet(cast, cast.manager, alice), "peer")
    assert before == {
        "relationship": "peer",
        "respondents": None,
        "suppressed": True,
        "reason": "not_yet",
        "aggregate": None,
    }
    assert WORDS[0] not in page(cast, cast.manager, alice)
    clock.move_to(AFTER_PHASE)
    shown = section(packet(cast, cast.manager, alice), "peer")
    # HR cannot reopen the phase for anyone, so no one can answer after it.
    with pytest.raises(ValidationError, match="cannot be reopened"):
        services.phase_reopen(
            viewer=cast.viewer(cast.hr),
            participant=alice,
            phase="peer_reviews",
            until=AFTER_PHASE.date() + timedelta(days=3),
        )
    refused = cast.client(cast.hr).post(
        f"/api/v1/review-participants/{alice.pk}/reopenings",
        data=json.dumps({"phase": "peer_reviews", "until": "2026-12-30"}),
        content_type="application/json",
    )
    assert refused.status_code == 409 and "cannot be reopened" in refused.content.decode()
    with pytest.raises(ValidationError, match="deadline"):
        answer(cast, cycle, cast.alice, peers[3], 1, WORDS[3])
    # Even an answer stored late by other means does not count.
    participant = cycle.participants.get(person=cast.alice)
    ReviewResponse.objects.create(
        participant=participant,
        relationship="peer",
        author=peers[3],
        answers={},
        submitted_at=AFTER_PHASE,
    )
    assert section(packet(cast, cast.manager, alice), "peer") == shown


def test_the_person_sees_their_aggregate_once_shared_and_hr_and_peers_never(
    cast: Cast, cycle: ReviewCycle, peers: list[Person], clock: Clock
) -> None:
    alice = peers_answer(cast, cycle, peers[:3], 3)
    clock.move_to(AFTER_PHASE)
    assert section(packet(cast, cast.alice, alice), "peer")["reason"] == "not_yet"
    assert WORDS[0] not in page(cast, cast.alice, alice)
    CycleParticipant.objects.filter(pk=alice.pk).update(shared_at=AFTER_PHASE)
    assert section(packet(cast, cast.alice, alice), "peer")["respondents"] == 3
    assert WORDS[0] in page(cast, cast.alice, alice)
    for outsider in (cast.hr, peers[0], cast.bob):
        gone = cast.client(outsider).get(f"/api/v1/reviews/{alice.pk}")
        assert gone.status_code == 404 and WORDS[0] not in gone.content.decode()
        listed = cast.client(outsider).get("/api/v1/reviews", {"person_id": cast.alice.pk})
        assert listed.json()["items"] == []


# --- differencing across the analytics' filters ----------------------------------------


@pytest.fixture
def job_levels(cast: Cast) -> dict[str, JobLevel]:
    """Alice and bob at level one, the manager at level two (all in Product), set before
    the launch (which takes them into the cycle)."""
    one = JobLevel.objects.create(name="One", rank=1)
    two = JobLevel.objects.create(name="Two", rank=2)
    for person, level in ((cast.alice, one), (cast.bob, one), (cast.manager, two)):
        PersonJobLevel.objects.create(person=person, level=level)
    return {"one": one, "two": two}


@pytest.fixture
def levels(
    cast: Cast, job_levels: dict[str, JobLevel], cycle: ReviewCycle, peers: list[Person]
) -> dict[str, JobLevel]:
    """Three peers review alice and bob (level one); one reviews the manager (level two)."""
    for reviewer, words in zip(peers[:3], WORDS, strict=False):
        answer(cast, cycle, cast.alice, reviewer, 4, words)
        answer(cast, cycle, cast.bob, reviewer, 4, words)
    answer(cast, cycle, cast.manager, peers[3], 1, WORDS[3])
    return job_levels


def test_team_minus_team_and_level_cannot_isolate_one_reviewer(
    cast: Cast, cycle: ReviewCycle, levels: dict[str, JobLevel], clock: Clock
) -> None:
    clock.move_to(ANALYTICS_PUBLISHED)
    team = analytics(cast, cycle, team_id=cast.product.pk, relationship="peer")
    assert team["suppressed"] is False and team["respondents"] == 4
    narrower = analytics(
        cast, cycle, team_id=cast.product.pk, job_level_id=levels["one"].pk, relationship="peer"
    )
    # Three respondents alone, but the team minus them is one person's answer.
    assert narrower["suppressed"] is True and narrower["respondents"] is None
    lone = analytics(
        cast, cycle, team_id=cast.product.pk, job_level_id=levels["two"].pk, relationship="peer"
    )
    assert lone["suppressed"] is True


def test_a_level_nested_in_a_team_by_data_is_suppressed_too(
    cast: Cast, cycle: ReviewCycle, levels: dict[str, JobLevel], clock: Clock
) -> None:
    clock.move_to(ANALYTICS_PUBLISHED)
    # Every level-one person is in Product: "level one" is "Product minus level two".
    level = analytics(cast, cycle, job_level_id=levels["one"].pk)
    assert level["suppressed"] is True
    assert analytics(cast, cycle, team_id=cast.product.pk)["suppressed"] is False


def test_siblings_cannot_be_subtracted_from_their_parent(
    cast: Cast, cycle: ReviewCycle, levels: dict[str, JobLevel], clock: Clock
) -> None:
    clock.move_to(ANALYTICS_PUBLISHED)
    whole = analytics(cast, cycle, relationship="peer")
    shown_levels = [
        analytics(cast, cycle, relationship="peer", job_level_id=level.pk)
        for level in levels.values()
    ]
    assert whole["suppressed"] is False
    # Were any one level shown, the whole minus it would be the other (one reviewer).
    assert all(cell["suppressed"] for cell in shown_levels)


# --- exports and the audit log ------------------------------------------------------------


def test_the_cycle_export_links_no_reviewer_to_an_answer(
    cast: Cast, cycle: ReviewCycle, peers: list[Person], clock: Clock
) -> None:
    peers_answer(cast, cycle, peers[:3], 3)
    clock.move_to(AFTER_PHASE)
    response = cast.client(cast.hr).get(reverse("reviews:cycle_export", args=[cycle.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["name", "email", "team", "manager"]
    flat = json.dumps(rows)
    for reviewer in peers[:3]:
        assert reviewer.email not in flat
    assert not any(w in flat for w in WORDS)
    assert not any(
        word in column for column in rows[0] for word in ("reviewer", "author", "respondent")
    )
    # The results (CSV, Excel) and the review's PDF: no peer's answer and no peer at all.
    results = [
        cast.client(cast.hr).get(reverse(name, args=[cycle.pk])).content
        for name in ("reviews:cycle_results_csv", "reviews:cycle_results_xlsx")
    ]
    book = load_workbook(io.BytesIO(results[1]))
    cells = json.dumps([[c.value for c in row] for row in book["Results"].iter_rows()], default=str)
    alice = cycle.participants.get(person=cast.alice)
    pdf = cast.client(cast.manager).get(reverse("reviews:pdf", args=[alice.pk])).content
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for body in (results[0].decode("utf-8-sig"), cells, pdf_text):
        assert "Alice Report" in body
        assert not any(w in body for w in WORDS)
        for reviewer in peers[:3]:
            assert reviewer.email not in body and reviewer.name not in body


def test_anonymous_audit_entries_name_no_one_and_keep_only_the_day(
    cast: Cast, cycle: ReviewCycle, peers: list[Person], clock: Clock
) -> None:
    reviewer = peers[0]
    alice = cycle.participants.get(person=cast.alice)
    clock.move_to(datetime(2026, 11, 25, 14, 30, 0, tzinfo=UTC))
    # The reviewer's own named entries a second before and after they answer.
    audit_write(actor=cast.viewer(reviewer), action="walk.before", target=alice)
    clock.shift(timedelta(seconds=1))
    answer(cast, cycle, cast.alice, reviewer, 3, WORDS[0])
    clock.shift(timedelta(seconds=1))
    audit_write(actor=cast.viewer(reviewer), action="walk.after", target=alice)
    anonymous = AuditEntry.objects.filter(action__startswith="review.peer.")
    assert anonymous.count() == 2
    for entry in anonymous:
        assert entry.actor_id is None and entry.actor_label == "anonymous"
        assert entry.at == datetime(2026, 11, 25, tzinfo=UTC)
    log = cast.client(cast.hr).get("/api/v1/audit", {"target_id": str(alice.pk)}).json()
    actions = [e["action"] for e in log["items"]]
    # Both named entries come before (newer than) every anonymous one of their day.
    assert actions.index("walk.before") < min(
        i for i, a in enumerate(actions) if a.startswith("review.peer.")
    )
    for entry in log["items"]:
        if entry["action"].startswith("review.peer."):
            assert entry["id"] is None and entry["actor_id"] is None
            assert entry["at"].startswith("2026-11-25T00:00:00")
    html = cast.client(cast.hr).get(reverse("access:audit_log"), {"target_id": alice.pk})
    assert "(day only: anonymous)" in html.content.decode()


def test_answering_writes_no_named_audit_entry_about_the_review(
    cast: Cast, cycle: ReviewCycle, clock: Clock
) -> None:
    """Skip may read alice's private goals (her skip-level manager). Asked as her peer, a
    goal-results question would read them — and log a named read at the very second skip
    answers. Their answer's writes read no goals."""
    template = make_template(
        cast,
        name="With goals",
        sections=[
            {
                "title": "Goals",
                "weight": 1,
                "questions": [
                    {"kind": "goal_results", "prompt": "Goals", "answered_by": ["peer"]},
                    text("Keep doing?", answered_by=["peer"]),
                ],
            }
        ],
    )
    goals_cycle = launch_cycle(cast, template, team_ids=[cast.product.pk], name="Goals cycle")
    make_objective(cast, cast.alice, "Alice private goal Ruff", visibility="private")
    participant = goals_cycle.participants.get(person=cast.alice)
    request = ReviewerAssignment.objects.create(
        participant=participant,
        reviewer=cast.skip,
        relationship="peer",
        status=ReviewerAssignment.Status.APPROVED,
    )
    client = cast.client(cast.skip)
    url = reverse("reviews:request", args=[request.pk])
    named_before = AuditEntry.objects.filter(actor=cast.skip).count()
    # Not even the page read names them beside the review: a peer is not shown the
    # person's goal results (they are the person's and the manager's).
    assert "Alice private goal Ruff" not in client.get(url).content.decode()
    question = selectors.answering_questions(goals_cycle.template_version_id, "peer")[1]
    posted = client.post(url, {f"q{question.pk}-text": "Keep going", "action": "submit"})
    assert posted.status_code == 302, posted.content.decode()[:2000]
    assert ReviewResponse.objects.get(participant=participant, author=cast.skip).submitted_at
    assert AuditEntry.objects.filter(actor=cast.skip).count() == named_before


def test_anonymous_entries_of_a_day_are_not_listed_in_the_order_they_were_written(
    cast: Cast, cycle: ReviewCycle, peers: list[Person], clock: Clock
) -> None:
    # Bob's review is answered first, then alice's: newest first would list alice's on top.
    answer(cast, cycle, cast.bob, peers[0], 3, WORDS[0])
    clock.shift(timedelta(minutes=5))
    answer(cast, cycle, cast.alice, peers[1], 3, WORDS[1])
    log = cast.client(cast.hr).get("/api/v1/audit", {"action": "review.peer.submit"}).json()
    listed = [e["target_id"] for e in log["items"]]
    written = [
        str(cycle.participants.get(person=cast.bob).pk),
        str(cycle.participants.get(person=cast.alice).pk),
    ]
    assert listed == sorted(written)  # by what they name, not by when
    draft_first = cast.client(cast.hr).get("/api/v1/audit", {"kind": "write"}).json()["items"]
    anonymous = [(e["action"], e["target_id"]) for e in draft_first if e["actor"] == "anonymous"]
    assert anonymous == sorted(anonymous)


# --- cost -----------------------------------------------------------------------------------


def queries(client: Any, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_the_packet_page_and_analytics_cost_the_same_whatever_the_respondents(
    cast: Cast, cycle: ReviewCycle, clock: Clock
) -> None:
    many = add_reports(cast.outsider, 8, prefix="many")
    for reviewer, words in zip(many[:3], WORDS, strict=False):
        answer(cast, cycle, cast.alice, reviewer, 4, words)
    alice = cycle.participants.get(person=cast.alice)
    urls = {
        "packet": (cast.manager, f"/api/v1/reviews/{alice.pk}"),
        "list": (cast.manager, "/api/v1/reviews"),
        "page": (cast.manager, reverse("reviews:review", args=[alice.pk])),
        "analytics": (cast.hr, f"/api/v1/review-cycles/{cycle.pk}/analytics?relationship=peer"),
        "analytics page": (cast.hr, reverse("reviews:cycle_analytics", args=[cycle.pk])),
    }
    clock.move_to(ANALYTICS_PUBLISHED)
    few = {name: queries(cast.client(who), url) for name, (who, url) in urls.items()}
    clock.move_to(datetime(2026, 11, 26, 12, tzinfo=UTC))
    for reviewer, words in zip(many[3:], WORDS * 2, strict=False):
        answer(cast, cycle, cast.alice, reviewer, 2, words)
        answer(cast, cycle, cast.bob, reviewer, 2, words)
    clock.move_to(ANALYTICS_PUBLISHED)
    more = {name: queries(cast.client(who), url) for name, (who, url) in urls.items()}
    assert more == few
    body = packet(cast, cast.manager, alice)
    assert section(body, "peer")["respondents"] == 8


def test_an_answer_cannot_be_edited_after_the_others_to_see_the_aggregate_move(
    cast: Cast, cycle: ReviewCycle, peers: list[Person], clock: Clock
) -> None:
    alice = peers_answer(cast, cycle, peers[:3], 4)
    viewer = cast.viewer(peers[0])
    with pytest.raises(ValidationError, match="can no longer change"):
        services.review_draft_save(
            viewer=viewer,
            participant=alice,
            relationship="peer",
            answers=[
                {"question_id": q.pk, "rating": 1, "text": "changed my mind"}
                for q in selectors.answering_questions(cycle.template_version_id, "peer")
            ],
        )
    clock.move_to(AFTER_PHASE)
    shown = section(packet(cast, cast.manager, alice), "peer")
    assert shown["aggregate"][0]["mean"] == 4.0
    # Through the page as well: refused, and nothing moves.
    request = ReviewerAssignment.objects.get(participant=alice, reviewer=peers[0])
    clock.move_to(datetime(2026, 11, 26, 12, tzinfo=UTC))
    refused = cast.client(peers[0]).post(
        reverse("reviews:request", args=[request.pk]), {"action": "submit"}
    )
    assert refused.status_code == 422
    assert "can no longer change" in refused.content.decode()
    clock.move_to(AFTER_PHASE)
    assert section(packet(cast, cast.manager, alice), "peer") == shown


# --- subtraction across time and "no value" vs "any" in the analytics ----------------------


FILTER_SETS: list[dict[str, Any]] = [
    {},
    {"relationship": "peer"},
    {"relationship": "self"},
    {"team_id": "product"},
    {"job_level_id": "one"},
    {"job_level_id": "two"},
    {"job_level_id": "one", "relationship": "peer"},
    {"job_level_id": "two", "relationship": "peer"},
]


def every_cell(cast: Cast, cycle: ReviewCycle, levels: dict[str, JobLevel]) -> list[Any]:
    ids = {"product": cast.product.pk, "one": levels["one"].pk, "two": levels["two"].pk}
    return [
        analytics(cast, cycle, **{k: ids.get(v, v) for k, v in filters.items()})
        for filters in FILTER_SETS
    ]


def test_analytics_wait_until_every_answering_phase_has_ended_everywhere(
    cast: Cast, cycle: ReviewCycle, levels: dict[str, JobLevel], clock: Clock
) -> None:
    # Peer and upward reviews have ended, but a manager review could still be submitted
    # and move a cell HR has already seen: nothing is published yet, and it says why.
    clock.move_to(AFTER_PHASE)
    for cell in every_cell(cast, cycle, levels):
        assert cell["final"] is False and cell["published_at"] == "2026-12-23T12:00:00Z"
        assert cell["suppressed"] is True and cell["respondents"] is None
        assert cell["questions"] == []
    html = cast.client(cast.hr).get(reverse("reviews:cycle_analytics", args=[cycle.pk]))
    text = html.content.decode()
    assert "Analytics are not available yet." in text
    assert "23 December 2026, 12:00 UTC" in text
    assert "Mean rating per question" not in text and "Suppressed:" not in text
    clock.move_to(ANALYTICS_PUBLISHED - timedelta(seconds=1))
    assert analytics(cast, cycle, team_id=cast.product.pk)["final"] is False
    clock.move_to(ANALYTICS_PUBLISHED)
    team = analytics(cast, cycle, team_id=cast.product.pk)
    assert team["final"] is True and team["respondents"] == 4
    shown = cast.client(cast.hr).get(reverse("reviews:cycle_analytics", args=[cycle.pk]))
    assert "not available yet" not in shown.content.decode()
    # Closing the cycle publishes them at once.
    clock.move_to(AFTER_PHASE)
    ReviewCycle.objects.filter(pk=cycle.pk).update(status=ReviewCycle.Status.CLOSED)
    assert analytics(cast, cycle, team_id=cast.product.pk)["respondents"] == 4


def test_a_self_assessment_reopened_for_one_person_changes_no_published_cell(
    cast: Cast, cycle: ReviewCycle, levels: dict[str, JobLevel], clock: Clock
) -> None:
    for who in (cast.alice, cast.bob, cast.manager):
        submit_self_assessment(cast, cycle, who)
    clock.move_to(ANALYTICS_PUBLISHED)
    before = every_cell(cast, cycle, levels)
    mine = analytics(cast, cycle, relationship="self")
    assert mine["respondents"] == 3 and mine["questions"][0]["mean"] == 3.0
    # HR reopens the self-assessment for skip alone, who answers now: were it counted,
    # the cell would move by exactly skip's answer (one more respondent).
    skip = cycle.participants.get(person=cast.skip)
    services.phase_reopen(
        viewer=cast.viewer(cast.hr),
        participant=skip,
        phase="self_assessment",
        until=ANALYTICS_PUBLISHED.date() + timedelta(days=7),
    )
    submit_self_assessment(cast, cycle, cast.skip)
    assert ReviewResponse.objects.filter(participant=skip, submitted_at__isnull=False).exists()
    assert every_cell(cast, cycle, levels) == before


def test_moving_a_job_level_after_the_launch_changes_no_published_cell(
    cast: Cast, cycle: ReviewCycle, levels: dict[str, JobLevel], clock: Clock
) -> None:
    # The launch took each person's level along (one query for everyone).
    taken = dict(cycle.participants.values_list("person_id", "job_level_id"))
    assert taken == {
        cast.alice.pk: levels["one"].pk,
        cast.bob.pk: levels["one"].pk,
        cast.manager.pk: levels["two"].pk,
        cast.skip.pk: None,
    }
    clock.move_to(ANALYTICS_PUBLISHED)
    before = every_cell(cast, cycle, levels)
    # Moving bob to level two would add his reviewers to level two's cell, and the
    # difference would be theirs; the analytics read the level at the launch instead.
    PersonJobLevel.objects.filter(person=cast.bob).update(level=levels["two"])
    PersonJobLevel.objects.create(person=cast.skip, level=levels["one"])
    assert every_cell(cast, cycle, levels) == before


def test_people_without_a_level_are_not_left_out_of_the_levels_breakdown(
    cast: Cast, cycle: ReviewCycle, clock: Clock, job_levels: dict[str, JobLevel]
) -> None:
    # Seven peers: three review alice (level one), three the manager (level two), one
    # skip, who has no level. Were skip's reviewer in the whole but in no level's cell,
    # both levels could be shown, and 7 − 3 − 3 would be that one reviewer's answer.
    seven = add_reports(cast.outsider, 7, prefix="seven")
    for reviewer in seven[:3]:
        answer(cast, cycle, cast.alice, reviewer, 4, "fine")
    for reviewer in seven[3:6]:
        answer(cast, cycle, cast.manager, reviewer, 4, "fine")
    answer(cast, cycle, cast.skip, seven[6], 1, "lonely")
    clock.move_to(ANALYTICS_PUBLISHED)
    whole = analytics(cast, cycle, relationship="peer")
    assert whole["suppressed"] is False and whole["respondents"] == 7
    by_level = [
        analytics(cast, cycle, relationship="peer", job_level_id=level.pk)
        for level in job_levels.values()
    ]
    shown = sum(cell["respondents"] for cell in by_level if not cell["suppressed"])
    assert not 0 < whole["respondents"] - shown < 3, by_level
