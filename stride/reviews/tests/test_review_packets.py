"""Review packets through the API: one per person per cycle, read by the person and their
manager at the launch; self and manager answers under the mutual rule; the overall rating
reaches the person once shared."""

from __future__ import annotations

from typing import Any

import pytest

from stride.reviews import services
from stride.reviews.models import CycleParticipant, Phase, ReviewCycle
from stride.testing import Cast
from stride.testing.reviews import (
    complete_answers,
    launch_cycle,
    make_template,
    submit_self_assessment,
)

pytestmark = pytest.mark.clock


@pytest.fixture
def cycle(cast: Cast) -> ReviewCycle:
    return launch_cycle(cast, make_template(cast), team_ids=[cast.product.pk], name="Autumn")


def get(cast: Cast, who: Any, url: str, **params: Any) -> Any:
    response = cast.client(who).get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_list_holds_the_callers_own_review_and_their_reports(
    cast: Cast, cycle: ReviewCycle
) -> None:
    mine = get(cast, cast.manager, "/api/v1/reviews")
    assert {item["person"]["name"] for item in mine["items"]} == {
        "Mia Manager",
        "Alice Report",
        "Bob Report",
    }
    assert mine["count"] == 3
    only_alice = get(cast, cast.manager, "/api/v1/reviews", person_id=cast.alice.pk)
    [item] = only_alice["items"]
    assert item["cycle"] == {"id": cycle.pk, "name": "Autumn", "status": "launched"}
    assert item["manager"] == {"id": cast.manager.pk, "name": "Mia Manager"}
    assert get(cast, cast.manager, "/api/v1/reviews", cycle_id=cycle.pk + 1000)["items"] == []
    assert [i["person"]["name"] for i in get(cast, cast.alice, "/api/v1/reviews")["items"]] == [
        "Alice Report"
    ]


def test_the_packet_follows_the_mutual_rule_and_shows_ratings_once_shared(
    cast: Cast, cycle: ReviewCycle
) -> None:
    alice = cycle.participants.get(person=cast.alice)
    submit_self_assessment(cast, cycle, cast.alice)
    CycleParticipant.objects.filter(pk=alice.pk).update(proposed_rating=4, potential=2)
    url = f"/api/v1/reviews/{alice.pk}"

    as_manager = get(cast, cast.manager, url)
    assert as_manager["relationship"] == "manager"
    assert [s["relationship"] for s in as_manager["sections"]] == [
        "self",
        "manager",
        "peer",
        "upward",
    ]
    self_part = as_manager["sections"][0]
    # Alice submitted; the manager has not: her answers stay hidden from them.
    assert self_part == {"relationship": "self", "submitted": True, "questions": None}
    assert as_manager["overall"]["proposed_rating"] == 4
    assert [p["kind"] for p in as_manager["phases"]] == list(Phase.values)

    as_alice = get(cast, cast.alice, url)
    assert as_alice["sections"][0]["questions"][0]["rating"] == 3
    assert as_alice["overall"]["proposed_rating"] is None
    assert as_alice["overall"]["potential"] is None

    manager = cast.viewer(cast.manager)
    services.review_draft_save(
        viewer=manager,
        participant=alice,
        relationship="manager",
        answers=complete_answers(cycle, "manager", "Manager words Eider"),
        overall_rating=4,
        potential=2,
    )
    services.review_submit(viewer=manager, participant=alice, relationship="manager")
    both = get(cast, cast.manager, url)
    assert both["sections"][0]["questions"][0]["rating"] == 3
    assert get(cast, cast.alice, url)["sections"][1]["questions"][0]["text"] == (
        "Manager words Eider"
    )

    CycleParticipant.objects.filter(pk=alice.pk).update(shared_at="2026-11-25T12:00:00Z")
    overall = get(cast, cast.alice, url)["overall"]
    assert (overall["proposed_rating"], overall["final_rating"]) == (4, 4)
    # Potential is for managers and calibrators: never shown to the person.
    assert (overall["potential"], overall["final_potential"]) == (None, None)
    assert get(cast, cast.manager, url)["overall"]["final_potential"] == 2
    page = cast.client(cast.alice).get(f"/reviews/{alice.pk}/").content.decode()
    assert "Exceeds expectations" in page and "High" not in page and "Moderate" not in page


def test_nobody_else_reads_a_packet(cast: Cast, cycle: ReviewCycle) -> None:
    alice = cycle.participants.get(person=cast.alice)
    for who in (cast.hr, cast.bob, cast.skip, cast.outsider):
        response = cast.client(who).get(f"/api/v1/reviews/{alice.pk}")
        assert response.status_code == 404
        assert "Alice" not in response.content.decode()
