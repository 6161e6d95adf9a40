"""Peer and upward reviewers: the participant nominates peers within the cycle's limits,
the manager approves, removes or adds, a reviewer may decline with a reason, and direct
reports at the launch review their manager. Peer and upward answers are stored without
their author ever showing: not in the audit log, not in the review's pages or API."""

from __future__ import annotations

import json

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
