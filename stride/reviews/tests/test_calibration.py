"""Calibration: HR and managers of managers react to proposed ratings before the meeting,
read distributions and the 9-box, and change ratings with a reason the manager then reads.

The cycle covers the product team: skip manages the manager, who manages alice and bob.
Skip is a manager of managers, so calibrates the manager, alice and bob (not himself);
the manager (whose reports manage nobody) does not calibrate; HR calibrates everyone."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stride.access.models import AuditEntry
from stride.reviews import calibration, calibration_services, services
from stride.reviews.calibration import CalibrationFilters
from stride.reviews.models import CalibrationReaction, CycleParticipant, RatingChange, ReviewCycle
from stride.testing import Cast
from stride.testing.builders import add_reports
from stride.testing.reviews import launch_cycle, make_framework, make_template

pytestmark = pytest.mark.clock

REASON = "Shipped the search rewrite Bittern"


@pytest.fixture
def cycle(cast: Cast) -> ReviewCycle:
    cycle = launch_cycle(cast, make_template(cast), team_ids=[cast.product.pk])
    propose(cycle, cast.alice, 3, 2)
    propose(cycle, cast.bob, 2, 1)
    propose(cycle, cast.manager, 4, 3)
    return cycle


def propose(cycle: ReviewCycle, person: Any, rating: int, potential: int) -> None:
    """What the manager's submitted review leaves (built here directly)."""
    CycleParticipant.objects.filter(cycle=cycle, person=person).update(
        proposed_rating=rating, potential=potential, final_rating=rating, final_potential=potential
    )


def review_of(cycle: ReviewCycle, person: Any) -> CycleParticipant:
    return CycleParticipant.objects.select_related("cycle").get(cycle=cycle, person=person)


def put_json(client: Client, url: str, body: Any) -> Any:
    return client.put(url, data=json.dumps(body), content_type="application/json")


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def change(cast: Cast, cycle: ReviewCycle, person: Any, **values: Any) -> RatingChange:
    scope, participant = calibration.calibration_participant(
        cast.viewer(values.pop("by", cast.skip)), review_of(cycle, person).pk
    )
    return calibration_services.calibration_change(
        scope=scope,
        participant=participant,
        rating=values["rating"],
        potential=values.get("potential"),
        reason=values.get("reason", REASON),
    )


# --- who calibrates ------------------------------------------------------------------------


def test_hr_and_managers_of_managers_calibrate_and_nobody_else(
    cast: Cast, cycle: ReviewCycle
) -> None:
    def names(member: Any) -> set[str]:
        scope = calibration.calibration_scope(cast.viewer(member), cycle.pk)
        return set(scope.participants().values_list("person__name", flat=True))

    assert names(cast.skip) == {"Mia Manager", "Alice Report", "Bob Report"}
    assert names(cast.hr) == {"Sam Skip", "Mia Manager", "Alice Report", "Bob Report"}
    for member in (cast.manager, cast.alice, cast.outsider, cast.rep):
        with pytest.raises(Http404):
            calibration.calibration_scope(cast.viewer(member), cycle.pk)


def test_nobody_calibrates_their_own_review(cast: Cast, cycle: ReviewCycle) -> None:
    with pytest.raises(Http404):
        calibration.calibration_participant(cast.viewer(cast.skip), review_of(cycle, cast.skip).pk)
    everyone = launch_cycle(cast, make_template(cast, name="Everyone"), name="Everyone")
    hr_scope = calibration.calibration_scope(cast.viewer(cast.hr), everyone.pk)
    assert not hr_scope.participants().filter(person=cast.hr).exists()
    assert hr_scope.participants().filter(person=cast.skip).exists()


def test_a_manager_of_managers_calibrates_only_their_part_of_the_organisation(
    cast: Cast,
) -> None:
    (intern,) = add_reports(cast.alice, 1, prefix="intern")
    everyone = launch_cycle(cast, make_template(cast), name="Everyone")
    scope = calibration.calibration_scope(cast.viewer(cast.manager), everyone.pk)
    assert set(scope.participants().values_list("person__name", flat=True)) == {
        "Alice Report",
        "Bob Report",
        intern.name,
    }
    outsider = CycleParticipant.objects.get(cycle=everyone, person=cast.outsider)
    with pytest.raises(Http404):
        calibration.calibration_participant(cast.viewer(cast.manager), outsider.pk)


def test_a_draft_cycle_has_no_calibration(cast: Cast) -> None:
    from stride.testing.reviews import make_cycle

    draft = make_cycle(cast, make_template(cast))
    with pytest.raises(Http404):
        calibration.calibration_scope(cast.viewer(cast.hr), draft.pk)


# --- reactions -------------------------------------------------------------------------------


def test_reactions_count_per_person_and_name_who_questioned(cast: Cast, cycle: ReviewCycle) -> None:
    alice = review_of(cycle, cast.alice)
    for member, reaction in ((cast.skip, "agree"), (cast.hr, "question")):
        scope, participant = calibration.calibration_participant(cast.viewer(member), alice.pk)
        calibration_services.calibration_react(
            scope=scope, participant=participant, reaction=reaction, comment="Why a 3?"
        )
    # A second reaction replaces the first.
    scope, participant = calibration.calibration_participant(cast.viewer(cast.skip), alice.pk)
    calibration_services.calibration_react(
        scope=scope, participant=participant, reaction="question", comment=""
    )
    row = calibration.calibration_row_for(scope, alice.pk)
    assert row.counts == {"agree": 0, "question": 2, "no_view": 0}
    assert row.questioned_by == ["Hana HR", "Sam Skip"]
    assert row.mine is not None and row.mine.reaction == "question"
    assert CalibrationReaction.objects.filter(participant=alice).count() == 2
    assert AuditEntry.objects.filter(action="review.calibration.react").count() == 3


def test_reactions_close_when_the_calibration_phase_ends(cast: Cast, cycle: ReviewCycle) -> None:
    alice = review_of(cycle, cast.alice)
    scope, participant = calibration.calibration_participant(cast.viewer(cast.skip), alice.pk)
    ends_on = cycle.phases.get(kind="calibration").ends_on
    after = datetime.combine(ends_on + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    with pytest.raises(ValidationError, match="calibration phase is over"):
        calibration_services.calibration_react(
            scope=scope, participant=participant, reaction="agree", now=after
        )
    assert not CalibrationReaction.objects.exists()


def test_there_is_nothing_to_react_to_before_the_manager_proposes(
    cast: Cast, cycle: ReviewCycle
) -> None:
    CycleParticipant.objects.filter(cycle=cycle, person=cast.bob).update(
        proposed_rating=None, final_rating=None
    )
    scope, participant = calibration.calibration_participant(
        cast.viewer(cast.skip), review_of(cycle, cast.bob).pk
    )
    with pytest.raises(ValidationError, match="not submitted their proposal"):
        calibration_services.calibration_react(
            scope=scope, participant=participant, reaction="agree"
        )


# --- changes -------------------------------------------------------------------------------


def test_a_change_keeps_its_reason_updates_the_final_rating_and_is_audited(
    cast: Cast, cycle: ReviewCycle
) -> None:
    made = change(cast, cycle, cast.alice, rating=4, potential=3)
    assert (made.from_rating, made.to_rating, made.from_potential, made.to_potential) == (
        3,
        4,
        2,
        3,
    )
    assert made.changed_by == cast.skip
    alice = review_of(cycle, cast.alice)
    assert (alice.final_rating, alice.final_potential, alice.final_reason) == (4, 3, REASON)
    assert (alice.proposed_rating, alice.potential) == (3, 2)  # the proposal stays
    entry = AuditEntry.objects.get(action="review.calibration.change")
    assert entry.actor_id == cast.skip.pk
    assert entry.changes == {"rating": [3, 4], "potential": [2, 3], "reason": REASON}
    # A change with no potential keeps the final potential.
    again = change(cast, cycle, cast.alice, rating=5, reason="Even better")
    assert (again.from_rating, again.to_rating, again.to_potential) == (4, 5, 3)


def test_a_proposal_still_in_draft_is_not_calibrated(cast: Cast, cycle: ReviewCycle) -> None:
    # The manager's draft carries a proposal; only their submit fixes it (as the final
    # rating), and that submit would copy over any change made before it.
    CycleParticipant.objects.filter(cycle=cycle, person=cast.bob).update(
        final_rating=None, final_potential=None
    )
    with pytest.raises(ValidationError, match="not submitted their proposal"):
        change(cast, cycle, cast.bob, rating=3)
    bob = review_of(cycle, cast.bob)
    assert calibration.outcome_for(bob, "manager") is None
    assert not RatingChange.objects.exists()


def test_a_change_that_changes_nothing_is_refused(cast: Cast, cycle: ReviewCycle) -> None:
    with pytest.raises(ValidationError, match="already the final rating"):
        change(cast, cycle, cast.alice, rating=3, potential=2)
    assert not RatingChange.objects.exists()


def test_potential_is_not_set_where_the_template_does_not_ask_for_it(
    cast: Cast, cycle: ReviewCycle
) -> None:
    cycle.template_version.asks_potential = False
    cycle.template_version.save()
    with pytest.raises(ValidationError) as refused:
        change(cast, cycle, cast.alice, rating=4, potential=3)
    assert "potential" in refused.value.message_dict
    assert not RatingChange.objects.exists()
    change(cast, cycle, cast.alice, rating=4)
    assert review_of(cycle, cast.alice).final_rating == 4


def test_a_shared_review_or_a_closed_cycle_no_longer_changes(
    cast: Cast, cycle: ReviewCycle
) -> None:
    CycleParticipant.objects.filter(cycle=cycle, person=cast.alice).update(
        shared_at=datetime(2026, 11, 20, tzinfo=UTC)
    )
    with pytest.raises(ValidationError, match="shared with the person"):
        change(cast, cycle, cast.alice, rating=4)
    ReviewCycle.objects.filter(pk=cycle.pk).update(status=ReviewCycle.Status.CLOSED)
    with pytest.raises(ValidationError, match="cycle is closed"):
        change(cast, cycle, cast.bob, rating=4)
    assert not RatingChange.objects.exists()
    assert review_of(cycle, cast.bob).final_rating == 2


# --- distributions and the 9-box --------------------------------------------------------------


def test_the_nine_box_places_people_by_final_rating_and_potential(
    cast: Cast, cycle: ReviewCycle
) -> None:
    scope = calibration.calibration_scope(cast.viewer(cast.hr), cycle.pk)

    def cells() -> dict[tuple[str, int], list[str]]:
        box = calibration.nine_box(scope, CalibrationFilters())
        return {
            (c.performance_label, c.potential): [p.name for p in c.people]
            for c in box.cells
            if c.count
        }

    assert cells() == {
        ("moderate", 2): ["Alice Report"],
        ("low", 1): ["Bob Report"],
        ("high", 3): ["Mia Manager"],
    }
    assert calibration.nine_box(scope, CalibrationFilters()).unplaced == 1  # skip: no proposal
    change(cast, cycle, cast.alice, rating=5, potential=3)
    assert cells()[("high", 3)] == ["Alice Report", "Mia Manager"]
    assert ("moderate", 2) not in cells()


def test_distributions_count_final_ratings_by_team_manager_and_level(
    cast: Cast, cycle: ReviewCycle
) -> None:
    levels, _competency = make_framework(cast)
    for person in (cast.alice, cast.bob):
        services.person_job_level_set(
            viewer=cast.viewer(cast.hr), person=person, job_level=levels[0]
        )
    scope = calibration.calibration_scope(cast.viewer(cast.skip), cycle.pk)
    found = {d.by: d for d in calibration.distributions(scope, CalibrationFilters())}
    by_manager = {r.label: r.counts for r in found["manager"].rows}
    assert by_manager == {"Mia Manager": [0, 1, 1, 0, 0], "Sam Skip": [0, 0, 0, 1, 0]}
    assert {r.label: r.counts for r in found["team"].rows} == {"Product": [0, 1, 1, 1, 0]}
    assert {r.label: r.counts for r in found["level"].rows} == {
        "Associate": [0, 1, 1, 0, 0],
        "": [0, 0, 0, 1, 0],
    }
    # Filters narrow every view the same way.
    only = CalibrationFilters(level_id=levels[0].pk)
    assert [r.counts for r in calibration.distribution(scope, only, "team").rows] == [
        [0, 1, 1, 0, 0]
    ]
    assert calibration.nine_box(scope, only).unplaced == 0


# --- the page ------------------------------------------------------------------------------


def calibration_url(cycle: ReviewCycle) -> str:
    return reverse("reviews:calibration", args=[cycle.pk])


def post_change(client: Client, review: CycleParticipant, **data: str) -> Any:
    return client.post(reverse("reviews:calibration_change", args=[review.pk]), data)


def test_the_page_lists_proposals_reactions_and_the_nine_box(
    cast: Cast, cycle: ReviewCycle
) -> None:
    alice = review_of(cycle, cast.alice)
    client = cast.client(cast.skip)
    response = client.post(
        reverse("reviews:calibration_react", args=[alice.pk]),
        {"reaction": "question", "comment": "Was it her project?", "back": "team=1&x=<b>"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{calibration_url(cycle)}?team=1#review-{alice.pk}"
    page = client.get(calibration_url(cycle)).content.decode()
    assert "Calibration: Walk cycle" in page
    assert "Questioned by: Sam Skip" in page
    assert "Your reaction: Question — Was it her project?" in page
    assert 'data-box="moderate-2"><strong>1</strong>' in page
    cell = page.split('data-box="moderate-2">')[1].split("</td>")[0]
    assert "Alice Report" in cell
    # Skip's own review is not his to calibrate.
    assert f'id="review-{review_of(cycle, cast.skip).pk}"' not in page
    assert AuditEntry.objects.filter(action="review.calibration.read", actor=cast.skip).exists()


def test_people_who_do_not_calibrate_get_404_and_see_no_names(
    cast: Cast, cycle: ReviewCycle
) -> None:
    alice = review_of(cycle, cast.alice)
    for member in (cast.manager, cast.alice, cast.outsider):
        client = cast.client(member)
        response = client.get(calibration_url(cycle))
        assert response.status_code == 404
        assert "Bob Report" not in response.content.decode()
        refused = post_change(client, alice, rating="5", reason="Mine")
        assert refused.status_code == 404
    assert review_of(cycle, cast.alice).final_rating == 3


def test_a_change_without_a_reason_is_refused_on_the_page(cast: Cast, cycle: ReviewCycle) -> None:
    alice = review_of(cycle, cast.alice)
    client = cast.client(cast.hr)
    response = post_change(client, alice, rating="5", potential="", reason="   ")
    assert response.status_code == 422
    row = response.content.decode().split(f'id="review-{alice.pk}"')[1].split("</tr>")[0]
    assert 'class="errorlist"' in row
    assert review_of(cycle, cast.alice).final_rating == 3
    assert not RatingChange.objects.exists()


def test_a_change_on_the_page_moves_the_person_in_the_nine_box(
    cast: Cast, cycle: ReviewCycle
) -> None:
    alice = review_of(cycle, cast.alice)
    client = cast.client(cast.hr)
    response = post_change(client, alice, rating="5", potential="3", reason=REASON)
    assert response.status_code == 302
    page = client.get(calibration_url(cycle)).content.decode()
    high = page.split('data-box="high-3">')[1].split("</td>")[0]
    assert "Alice Report" in high
    assert f"Changed in calibration: {REASON}" in page


def test_a_shared_review_answers_409_with_the_reason_on_the_page(
    cast: Cast, cycle: ReviewCycle
) -> None:
    alice = review_of(cycle, cast.alice)
    client = cast.client(cast.hr)
    form_page = client.get(calibration_url(cycle))
    CycleParticipant.objects.filter(pk=alice.pk).update(
        shared_at=datetime(2026, 11, 24, tzinfo=UTC)
    )
    assert form_page.status_code == 200
    response = post_change(client, alice, rating="5", reason=REASON)
    assert response.status_code == 409
    assert "Shared with the person: no longer changes." in response.content.decode()


def test_the_manager_reads_the_final_rating_and_the_reason_on_the_review(
    cast: Cast, cycle: ReviewCycle
) -> None:
    alice = review_of(cycle, cast.alice)
    change(cast, cycle, cast.alice, rating=4, reason=REASON)
    review_url = reverse("reviews:review", args=[alice.pk])
    page = cast.client(cast.manager).get(review_url).content.decode()
    assert "Proposed by the manager" in page
    assert "3 · Meets expectations" in page
    assert "4 · Exceeds expectations" in page
    assert REASON in page
    # The person sees it only once the review is shared with them.
    mine = cast.client(cast.alice).get(review_url).content.decode()
    assert "Exceeds expectations" not in mine and REASON not in mine
    CycleParticipant.objects.filter(pk=alice.pk).update(
        shared_at=datetime(2026, 11, 24, tzinfo=UTC)
    )
    shared = cast.client(cast.alice).get(review_url).content.decode()
    assert "4 · Exceeds expectations" in shared and REASON in shared


def test_skip_finds_the_calibration_from_my_reviews(cast: Cast, cycle: ReviewCycle) -> None:
    page = cast.client(cast.skip).get(reverse("reviews:mine")).content.decode()
    assert calibration_url(cycle) in page
    assert (
        calibration_url(cycle)
        not in cast.client(cast.manager).get(reverse("reviews:mine")).content.decode()
    )


# --- the API -------------------------------------------------------------------------------


def api_url(cycle: ReviewCycle) -> str:
    return f"/api/v1/review-cycles/{cycle.pk}/calibration"


def test_the_api_answers_rows_distributions_and_the_nine_box(
    cast: Cast, cycle: ReviewCycle
) -> None:
    client = cast.client(cast.skip)
    alice = review_of(cycle, cast.alice)
    reacted = put_json(
        client, f"/api/v1/reviews/{alice.pk}/reaction", {"reaction": "question", "comment": "?"}
    )
    assert reacted.status_code == 200, reacted.content
    assert reacted.json()["questioned_by"] == ["Sam Skip"]
    assert reacted.json()["my_reaction"] == {"reaction": "question", "comment": "?"}
    body = client.get(api_url(cycle), {"limit": 2}).json()
    assert body["count"] == 3
    assert [r["name"] for r in body["items"]] == ["Alice Report", "Bob Report"]
    assert body["items"][0]["reactions"] == {"agree": 0, "question": 1, "no_view": 0}
    assert body["distributions"]["by_team"]["groups"][0]["counts"] == {
        "1": 0,
        "2": 1,
        "3": 1,
        "4": 1,
        "5": 0,
    }
    box = {(c["performance"], c["potential"]): c for c in body["nine_box"]}
    assert [p["name"] for p in box[("moderate", 2)]["people"]] == ["Alice Report"]
    assert len(body["nine_box"]) == 9

    changed = post_json(
        client,
        f"/api/v1/reviews/{alice.pk}/calibrate",
        {"rating": 5, "potential": 3, "reason": REASON},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["final_rating"] == 5
    assert changed.json()["final_reason"] == REASON
    body = client.get(api_url(cycle)).json()
    box = {(c["performance"], c["potential"]): c for c in body["nine_box"]}
    assert [p["name"] for p in box[("high", 3)]["people"]] == ["Alice Report", "Mia Manager"]


def test_the_api_refuses_a_blank_reason_422_and_a_shared_review_409(
    cast: Cast, cycle: ReviewCycle
) -> None:
    client = cast.client(cast.hr)
    alice = review_of(cycle, cast.alice)
    url = f"/api/v1/reviews/{alice.pk}/calibrate"
    blank = post_json(client, url, {"rating": 4, "reason": "  "})
    assert blank.status_code == 422
    assert [e["loc"][-1] for e in blank.json()["detail"]] == ["reason"]
    off_scale = post_json(client, url, {"rating": 6, "reason": REASON})
    assert off_scale.status_code == 422
    assert off_scale.json()["detail"][0]["loc"][-1] == "rating"
    CycleParticipant.objects.filter(pk=alice.pk).update(
        shared_at=datetime(2026, 11, 24, tzinfo=UTC)
    )
    shared = post_json(client, url, {"rating": 4, "reason": REASON})
    assert shared.status_code == 409
    assert "shared with the person" in shared.json()["detail"][0]["msg"]
    assert review_of(cycle, cast.alice).final_rating == 3


def test_the_api_hides_calibration_from_everyone_else(cast: Cast, cycle: ReviewCycle) -> None:
    alice = review_of(cycle, cast.alice)
    client = cast.client(cast.manager)
    assert client.get(api_url(cycle)).status_code == 404
    refused = put_json(client, f"/api/v1/reviews/{alice.pk}/reaction", {"reaction": "agree"})
    assert refused.status_code == 404
    assert "Alice" not in refused.content.decode()
    own = put_json(
        cast.client(cast.skip),
        f"/api/v1/reviews/{review_of(cycle, cast.skip).pk}/reaction",
        {"reaction": "agree"},
    )
    assert own.status_code == 404


# --- query counts --------------------------------------------------------------------------


def queries(client: Client, url: str) -> int:
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_page_and_the_api_cost_the_same_queries_for_a_bigger_cycle(cast: Cast) -> None:
    template = make_template(cast)
    small = launch_cycle(cast, template, team_ids=[cast.product.pk], name="Small")
    extra = add_reports(cast.manager, 60, prefix="grown")
    add_reports(extra[0], 3, prefix="deeper")
    big = launch_cycle(cast, template, team_ids=[cast.product.pk], name="Big")
    for index, participant in enumerate(CycleParticipant.objects.filter(cycle__in=[small, big])):
        rating, potential = 1 + index % 5, 1 + index % 3
        CycleParticipant.objects.filter(pk=participant.pk).update(
            proposed_rating=rating,
            potential=potential,
            final_rating=rating,
            final_potential=potential,
        )
    alice = review_of(big, cast.alice)
    scope, participant = calibration.calibration_participant(cast.viewer(cast.hr), alice.pk)
    calibration_services.calibration_react(scope=scope, participant=participant, reaction="agree")
    for member in (cast.hr, cast.skip):
        client = cast.client(member)
        for url in (calibration_url, api_url):
            assert queries(client, url(small)) == queries(client, url(big)), (member, url)
    page = cast.client(cast.hr).get(calibration_url(big)).content.decode()
    assert "Page 1 of 2" in page


# --- the page and the API give the same verdict ----------------------------------------------

PARITY = [
    ("reason", "", ""),
    ("reason", "   ", "   "),
    ("reason", "r" * 5001, "r" * 5001),
    ("reason", "r" * 5000, "r" * 5000),
    ("rating", "6", 6),
    ("rating", "0", 0),
    ("rating", "five", "five"),
    ("potential", "4", 4),
    ("potential", "3", 3),
]


@pytest.mark.parametrize(("field", "form_value", "json_value"), PARITY)
def test_a_value_gets_the_same_verdict_on_the_page_and_through_the_api(
    cast: Cast, cycle: ReviewCycle, field: str, form_value: str, json_value: Any
) -> None:
    alice = review_of(cycle, cast.alice)
    client = cast.client(cast.hr)
    form = {"rating": "5", "potential": "", "reason": REASON, field: form_value}
    page = post_change(client, alice, **form)
    CycleParticipant.objects.filter(pk=alice.pk).update(final_rating=3, final_potential=2)
    body = {"rating": 5, "reason": REASON, field: json_value}
    answer = post_json(client, f"/api/v1/reviews/{alice.pk}/calibrate", body)
    assert (page.status_code == 302) == (answer.status_code == 200), (page, answer)
    if answer.status_code != 200:
        messages = [d["msg"] for d in answer.json()["detail"] if d["loc"][-1] == field]
        assert messages and all(m in html.unescape(page.content.decode()) for m in messages)
