"""The progress page's per-team counts are cached under the cycle's work version: every
service that changes the work shows on the page at once, and a deadline passing counts
without any write. The participant list reads one page, in name order."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stride.org.models import Person
from stride.reviews import selectors, services, views
from stride.reviews.models import ReviewCycle, ReviewerAssignment
from stride.testing import Cast, Clock
from stride.testing.clock import NOW
from stride.testing.reviews import (
    complete_answers,
    launch_cycle,
    make_template,
    submit_manager_review,
    submit_self_assessment,
)

pytestmark = pytest.mark.clock


@pytest.fixture
def cycle(cast: Cast) -> ReviewCycle:
    # Product: skip, manager, alice and bob. Phases a week each from today.
    return launch_cycle(cast, make_template(cast), team_ids=[cast.product.pk], min_peers=2)


def progress(cast: Cast, cycle: ReviewCycle) -> dict[str, Any]:
    """The team's counts as the page shows them (and the API, which must agree)."""
    body = cast.client(cast.hr).get(reverse("reviews:cycle_detail", args=[cycle.pk]))
    cells = re.search(r'<th scope="row">Product</th>(.*?)</tr>', body.content.decode(), re.S)
    assert cells is not None
    numbers = [int(n) for n in re.findall(r"<td>(?:<strong>)?(\d+)", cells.group(1))]
    names = ["participants", "reopened", "self_submitted", "self_late"]
    names += ["nomination_done", "nomination_late", "peer_reviews_done", "peer_reviews_late"]
    names += ["manager_submitted", "manager_late"]
    shown = dict(zip(names, numbers, strict=True))
    [api] = (
        cast.client(cast.hr).get(f"/api/v1/review-cycles/{cycle.pk}").json()["progress"]["by_team"]
    )
    assert {k: api[k] for k in names} == shown
    return shown


def participant(cycle: ReviewCycle, person: Person) -> Any:
    return cycle.participants.select_related("cycle").get(person=person)


def nominate(cast: Cast, cycle: ReviewCycle, who: Person, peers: list[Person]) -> None:
    services.peer_nominate(
        viewer=cast.viewer(who),
        participant=participant(cycle, who),
        reviewer_ids=[p.pk for p in peers],
    )


def decide(cast: Cast, cycle: ReviewCycle, **choices: list[Person]) -> None:
    ids: dict[str, Any] = {k: [p.pk for p in people] for k, people in choices.items()}
    services.peer_decide(
        viewer=cast.viewer(cast.manager),
        participant=participant(cycle, cast.alice),
        **ids,
    )


def bob_declines(cast: Cast, cycle: ReviewCycle) -> None:
    assignment = ReviewerAssignment.objects.get(
        participant__cycle=cycle, participant__person=cast.alice, reviewer=cast.bob
    )
    services.reviewer_decline(viewer=cast.viewer(cast.bob), assignment=assignment, reason="Busy")


def bob_reviews_alice(cast: Cast, cycle: ReviewCycle) -> None:
    alice = participant(cycle, cast.alice)
    viewer = cast.viewer(cast.bob)
    answers = complete_answers(cycle, "peer")
    services.review_draft_save(
        viewer=viewer, participant=alice, relationship="peer", answers=answers
    )
    services.review_submit(viewer=viewer, participant=alice, relationship="peer")


def reopen_alice(cast: Cast, cycle: ReviewCycle) -> None:
    services.phase_reopen(
        viewer=cast.viewer(cast.hr),
        participant=participant(cycle, cast.alice),
        phase="self_assessment",
        until=phase_end(cycle, "self_assessment") + timedelta(days=3),
    )


def phase_end(cycle: ReviewCycle, kind: str) -> date:
    return next(p.ends_on for p in selectors.ordered_phases(cycle) if p.kind == kind)


def after(cycle: ReviewCycle, kind: str) -> datetime:
    return datetime.combine(phase_end(cycle, kind) + timedelta(days=1), time(12), ZoneInfo("UTC"))


Step = Callable[[Cast, ReviewCycle], None]


def nothing(cast: Cast, cycle: ReviewCycle) -> None:
    return None


def alice_nominates(cast: Cast, cycle: ReviewCycle) -> None:
    nominate(cast, cycle, cast.alice, [cast.bob, cast.outsider])


def outsider_removed(cast: Cast, cycle: ReviewCycle) -> None:
    alice_nominates(cast, cycle)
    decide(cast, cycle, remove=[cast.outsider])


def bob_approved_alone(cast: Cast, cycle: ReviewCycle) -> None:
    alice_nominates(cast, cycle)
    decide(cast, cycle, approve=[cast.bob], remove=[cast.outsider])


# (what happened before the page was cached, the write, the count it changes: before, after)
WRITES: dict[str, tuple[Step, Step, str, int, int]] = {
    "self-assessment submitted": (
        nothing,
        lambda cast, cycle: submit_self_assessment(cast, cycle, cast.alice),
        "self_submitted",
        0,
        1,
    ),
    "manager's review submitted": (
        nothing,
        lambda cast, cycle: submit_manager_review(cast, cycle, cast.alice),
        "manager_submitted",
        0,
        1,
    ),
    "peers nominated": (nothing, alice_nominates, "nomination_done", 0, 1),
    "a peer removed by the manager": (
        alice_nominates,
        lambda cast, cycle: decide(cast, cycle, remove=[cast.bob]),
        "nomination_done",
        1,
        0,
    ),
    "a peer added by the manager": (
        outsider_removed,
        lambda cast, cycle: decide(cast, cycle, add=[cast.outsider]),
        "nomination_done",
        0,
        1,
    ),
    "a reviewer declines": (alice_nominates, bob_declines, "nomination_done", 1, 0),
    # bob has no reviewers (done); skip and manager wait for their reports' upward reviews,
    # alice for the outsider's and bob's.
    "a peer review submitted": (
        bob_approved_alone,
        bob_reviews_alice,
        "peer_reviews_done",
        1,
        2,
    ),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_each_write_shows_on_the_progress_page_at_once(
    cast: Cast, cycle: ReviewCycle, name: str
) -> None:
    setup, write, count, before, later = WRITES[name]
    setup(cast, cycle)
    assert progress(cast, cycle)[count] == before  # now cached
    assert progress(cast, cycle)[count] == before
    write(cast, cycle)
    assert progress(cast, cycle)[count] == later
    # The selector agrees, even given the cycle as it was loaded before the write.
    [row] = selectors.cycle_progress(cycle, now=NOW)
    assert getattr(row, count) == later


def test_a_reopening_shows_at_once(cast: Cast, cycle: ReviewCycle, clock: Clock) -> None:
    clock.move_to(after(cycle, "self_assessment"))
    shown = progress(cast, cycle)
    assert (shown["self_late"], shown["reopened"]) == (4, 0)
    reopen_alice(cast, cycle)
    shown = progress(cast, cycle)
    assert (shown["self_late"], shown["reopened"]) == (3, 1)


def test_a_deadline_passing_counts_without_any_write(
    cast: Cast, cycle: ReviewCycle, clock: Clock
) -> None:
    submit_self_assessment(cast, cycle, cast.alice)
    # The self-assessment closes at midnight where each person lives: in Berlin first
    # (23:00 UTC in November), then in UTC and New York.
    berlin = datetime.combine(
        phase_end(cycle, "self_assessment") + timedelta(days=1), time(0), ZoneInfo("Europe/Berlin")
    )
    clock.move_to(berlin - timedelta(minutes=2))
    assert (progress(cast, cycle)["self_submitted"], progress(cast, cycle)["self_late"]) == (1, 0)
    clock.move_to(berlin + timedelta(minutes=2))
    with CaptureQueriesContext(connection) as queries:
        shown = progress(cast, cycle)
    in_berlin = cycle.participants.filter(person__time_zone="Europe/Berlin")
    assert (shown["self_submitted"], shown["self_late"]) == (
        1,
        in_berlin.exclude(person=cast.alice).count(),
    )
    assert shown["self_late"] > 0
    # Worked out afresh from the cached groups, not read again.
    assert not [q for q in queries if 'AS "person__time_zone"' in q["sql"]]


def test_the_groups_are_read_once_then_from_the_cache(cast: Cast, cycle: ReviewCycle) -> None:
    submit_self_assessment(cast, cycle, cast.bob)
    with CaptureQueriesContext(connection) as first:
        computed = selectors.cycle_progress(cycle, now=NOW)
    with CaptureQueriesContext(connection) as second:
        cached = selectors.cycle_progress(cycle, now=NOW)
    assert cached == computed and computed[0].self_submitted == 1
    assert len(second) == len(first) - 1  # not the grouped read
    # What is cached is small: one tuple per team, time zone and state.
    [key] = [k for k in cache._cache if "work-groups" in k]  # type: ignore[attr-defined]
    assert len(cache._cache[key]) < 1000  # type: ignore[attr-defined]


def test_the_participant_list_pages_in_name_order(
    cast: Cast, cycle: ReviewCycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PARTICIPANTS_PAGE_SIZE", 3)
    names = sorted(p.person.name for p in cycle.participants.select_related("person"))
    shown = []
    for number in (1, 2):
        body = cast.client(cast.hr).get(
            reverse("reviews:cycle_detail", args=[cycle.pk]), {"page": number}
        )
        rows = re.findall(r'<th scope="row">([^<]+)</th>', body.content.decode())
        shown += [n for n in rows if n in names]
        assert f"Page {number} of 2" in body.content.decode()
    assert shown == names


def test_every_team_is_counted_in_name_order(cast: Cast) -> None:
    everyone = launch_cycle(cast, make_template(cast), name="Everyone")
    [*rows] = selectors.cycle_progress(everyone, now=NOW)
    teams = dict(everyone.participants.values_list("team__name").annotate(n=Count("id")).order_by())
    assert [(r.team, r.participants) for r in rows] == sorted(teams.items())
    assert len(rows) > 2
