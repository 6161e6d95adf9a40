"""Peer and upward reviewers: the participant nominates peers within the cycle's limits,
the manager approves, removes or adds, a reviewer may decline with a reason, and direct
reports at the launch review their manager. Peer and upward answers are stored without
their author ever showing: not in the audit log, not in the review's pages or API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from stride.access.models import AuditEntry
from stride.reviews import selectors, services
from stride.reviews.models import ReviewCycle, ReviewerAssignment, ReviewResponse
from stride.testing import Cast
from stride.testing.reviews import complete_answers, launch_cycle, make_template

pytestmark = pytest.mark.clock

PEER_WORDS = "Peer words Shoveler"


@pytest.fixture
def cycle(cast: Cast) -> ReviewCycle:
    return launch_cycle(
        cast, make_template(cast), team_ids=[cast.product.pk], min_peers=1, max_peers=2
    )


def statuses(cycle: ReviewCycle, cast: Cast) -> dict[str, str]:
    found = ReviewerAssignment.objects.filter(
        participant__cycle=cycle, participant__person=cast.alice, relationship="peer"
    ).select_related("reviewer")
    return {a.reviewer.email: a.status for a in found}


def test_direct_reports_at_the_launch_review_their_manager_upward(
    cast: Cast, cycle: ReviewCycle
) -> None:
    upward = {
        (a.participant.person.email, a.reviewer.email)
        for a in ReviewerAssignment.objects.filter(relationship="upward").select_related(
            "participant__person", "reviewer"
        )
    }
    assert upward == {
        ("manager@example.com", "alice@example.com"),
        ("manager@example.com", "bob@example.com"),
        ("skip@example.com", "manager@example.com"),
    }
    assert set(ReviewerAssignment.objects.values_list("status", flat=True)) == {"approved"}


def test_a_participant_nominates_peers_within_the_limits(cast: Cast, cycle: ReviewCycle) -> None:
    alice = cycle.participants.get(person=cast.alice)
    me = cast.viewer(cast.alice)
    with pytest.raises(ValidationError) as refused:
        services.peer_nominate(viewer=me, participant=alice, reviewer_ids=[cast.alice.pk])
    assert "reviewer_ids.0" in refused.value.message_dict
    with pytest.raises(ValidationError, match="between 1 and 2"):
        services.peer_nominate(
            viewer=me,
            participant=alice,
            reviewer_ids=[cast.bob.pk, cast.outsider.pk, cast.rep.pk],
        )
    with pytest.raises(Http404):
        services.peer_nominate(
            viewer=cast.viewer(cast.bob), participant=alice, reviewer_ids=[cast.bob.pk]
        )
    services.peer_nominate(viewer=me, participant=alice, reviewer_ids=[cast.bob.pk, cast.rep.pk])
    services.peer_nominate(viewer=me, participant=alice, reviewer_ids=[cast.bob.pk])
    assert statuses(cycle, cast) == {"bob@example.com": "nominated"}


def test_the_manager_approves_removes_and_adds_peers(cast: Cast, cycle: ReviewCycle) -> None:
    alice = cycle.participants.get(person=cast.alice)
    services.peer_nominate(
        viewer=cast.viewer(cast.alice), participant=alice, reviewer_ids=[cast.bob.pk, cast.rep.pk]
    )
    with pytest.raises(Http404):
        services.peer_decide(
            viewer=cast.viewer(cast.skip), participant=alice, approve=[cast.bob.pk]
        )
    boss = cast.viewer(cast.manager)
    with pytest.raises(ValidationError, match="At most 2"):
        services.peer_decide(
            viewer=boss,
            participant=alice,
            approve=[cast.bob.pk, cast.rep.pk],
            add=[cast.outsider.pk],
        )
    assert set(statuses(cycle, cast).values()) == {"nominated"}
    services.peer_decide(
        viewer=boss,
        participant=alice,
        approve=[cast.bob.pk],
        remove=[cast.rep.pk],
        add=[cast.outsider.pk],
    )
    assert statuses(cycle, cast) == {
        "bob@example.com": "approved",
        "rep@example.com": "removed",
        "outsider@example.com": "approved",
    }


def test_a_reviewer_may_decline_with_a_reason_the_log_does_not_quote(
    cast: Cast, cycle: ReviewCycle
) -> None:
    alice = cycle.participants.get(person=cast.alice)
    services.peer_decide(viewer=cast.viewer(cast.manager), participant=alice, add=[cast.bob.pk])
    assignment = ReviewerAssignment.objects.get(participant=alice, reviewer=cast.bob)
    with pytest.raises(Http404):
        services.reviewer_decline(
            viewer=cast.viewer(cast.rep), assignment=assignment, reason="Not me"
        )
    services.reviewer_decline(
        viewer=cast.viewer(cast.bob), assignment=assignment, reason="We never worked together"
    )
    assignment.refresh_from_db()
    assert (assignment.status, assignment.decline_reason) == (
        "declined",
        "We never worked together",
    )
    entry = AuditEntry.objects.get(action="review.reviewer.decline")
    assert "never worked" not in json.dumps(entry.changes)
    # Declined: no longer a reviewer.
    with pytest.raises(Http404):
        services.review_draft_save(
            viewer=cast.viewer(cast.bob), participant=alice, relationship="peer", answers=[]
        )


def test_peer_and_upward_answers_never_name_their_author(cast: Cast, cycle: ReviewCycle) -> None:
    alice = cycle.participants.get(person=cast.alice)
    manager = cycle.participants.get(person=cast.manager)
    services.peer_decide(viewer=cast.viewer(cast.manager), participant=alice, add=[cast.bob.pk])
    writes = [
        (cast.bob, alice, "peer"),
        (cast.alice, manager, "upward"),
    ]
    for author, participant, relationship in writes:
        viewer = cast.viewer(author)
        services.review_draft_save(
            viewer=viewer,
            participant=participant,
            relationship=relationship,
            answers=complete_answers(cycle, relationship, PEER_WORDS),
        )
        services.review_submit(viewer=viewer, participant=participant, relationship=relationship)
    # Someone not asked gets 404.
    with pytest.raises(Http404):
        services.review_draft_save(
            viewer=cast.viewer(cast.rep), participant=alice, relationship="peer", answers=[]
        )
    assert ReviewResponse.objects.filter(relationship__in=["peer", "upward"]).count() == 2
    # The audit log: four writes, none naming an actor, a response or a word of the answers.
    entries = AuditEntry.objects.filter(action__regex=r"^review\.(peer|upward)\.")
    assert entries.count() == 4
    for entry in entries:
        assert entry.actor_id is None and entry.actor_label == "anonymous" and entry.via == ""
        assert entry.target_type == "reviews.cycleparticipant"
        text = json.dumps([entry.target_label, entry.changes])
        for author, _p, _r in writes:
            assert author.email not in text and author.name not in text
        assert PEER_WORDS not in text
    # The review's pages and API, as its person and its manager, show none of it.
    for who, participant in ((cast.alice, alice), (cast.manager, alice), (cast.manager, manager)):
        client = cast.client(who)
        for url in (
            reverse("reviews:review", args=[participant.pk]),
            f"/api/v1/reviews/{participant.pk}/answers",
        ):
            body = client.get(url).content.decode()
            assert PEER_WORDS not in body and "bob@example.com" not in body


def test_max_peers_below_the_fewest_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        launch_cycle(cast, make_template(cast), min_peers=4, max_peers=2)
    assert "max_peers" in refused.value.message_dict
    assert {"peer", "upward"} == selectors.ANONYMOUS


def post_json(client: Any, url: str, body: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_peers_are_nominated_approved_and_answered_in_the_browser(
    cast: Cast, cycle: ReviewCycle
) -> None:
    alice = cycle.participants.get(person=cast.alice)
    peers_url = reverse("reviews:peers", args=[alice.pk])
    nominated = cast.client(cast.alice).post(peers_url, {"emails": "bob@example.com\nnobody@x.org"})
    assert nominated.status_code == 422
    assert "Nobody has the e-mail address nobody@x.org." in nominated.content.decode()
    assert cast.client(cast.alice).post(peers_url, {"emails": "BOB@example.com"}).status_code == 302
    bob = cast.client(cast.bob)
    mine = bob.get(reverse("reviews:mine")).content.decode()
    assert "awaiting their manager" in mine
    manager = cast.client(cast.manager)
    decided = manager.post(
        reverse("reviews:peers_decide", args=[alice.pk]), {"approve": [cast.bob.pk]}
    )
    assert decided.status_code == 302
    assert "Approved" in manager.get(peers_url).content.decode()
    request = ReviewerAssignment.objects.get(participant=alice, reviewer=cast.bob)
    page_url = reverse("reviews:request", args=[request.pk])
    page = bob.get(page_url).content.decode()
    assert "Your answers are anonymous" in page and "What should they keep doing?" in page
    question = selectors.answering_questions(cycle.template_version_id, "peer").get()
    done = bob.post(page_url, {f"q{question.pk}-text": PEER_WORDS, "action": "submit"})
    assert done.status_code == 302
    assert "Submitted on" in bob.get(page_url).content.decode()


def test_the_api_shows_a_decline_reason_to_the_manager_only(cast: Cast, cycle: ReviewCycle) -> None:
    alice = cycle.participants.get(person=cast.alice)
    url = f"/api/v1/reviews/{alice.pk}/peers"
    put = post_json(cast.client(cast.alice), url, {"reviewer_ids": [cast.bob.pk]}, "put")
    assert put.status_code == 200 and put.json()["peers"][0]["status"] == "nominated"
    decided = post_json(cast.client(cast.manager), f"{url}/decisions", {"approve": [cast.bob.pk]})
    assert decided.json()["peers"][0]["status"] == "approved"
    listed = cast.client(cast.bob).get("/api/v1/review-requests").json()["items"]
    # Bob reviews alice as a peer, and his manager upward.
    assert {(r["person_id"], r["relationship"]) for r in listed} == {
        (cast.alice.pk, "peer"),
        (cast.manager.pk, "upward"),
    }
    [request] = [r for r in listed if r["relationship"] == "peer"]
    declined = post_json(
        cast.client(cast.bob),
        f"/api/v1/review-requests/{request['id']}/decline",
        {"reason": "Too new here"},
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert cast.client(cast.manager).get(url).json()["peers"][0]["decline_reason"] == "Too new here"
    assert cast.client(cast.alice).get(url).json()["peers"][0]["decline_reason"] is None
    gone = cast.client(cast.bob).get(f"/api/v1/review-requests/{request['id']}/answers")
    assert gone.status_code == 404


def test_the_manager_cannot_be_a_peer_since_they_read_the_peer_aggregate(
    cast: Cast, cycle: ReviewCycle
) -> None:
    """Were the manager one of three peers, the aggregate they read minus their own answer
    would leave two people's ratings: the threshold would be two, not three."""
    alice = cycle.participants.get(person=cast.alice)
    with pytest.raises(ValidationError) as nominated:
        services.peer_nominate(
            viewer=cast.viewer(cast.alice), participant=alice, reviewer_ids=[cast.manager.pk]
        )
    assert "manager" in nominated.value.message_dict["reviewer_ids.0"][0]
    with pytest.raises(ValidationError) as added:
        services.peer_decide(
            viewer=cast.viewer(cast.manager), participant=alice, add=[cast.manager.pk]
        )
    assert "manager" in added.value.message_dict["add.0"][0]
    assert statuses(cycle, cast) == {}
