"""The reviews part of ``stride bench`` (``--only reviews``): a review cycle over the whole
organisation with about six reviewers per person, at two sizes.

It runs on the pages part's databases (built or reused the same way; the demo's three
review cycles come with them), adding once a "Benchmark review" cycle launched with
``services.cycle_launch`` over everyone, five peers per participant and the upward
reviewers the launch assigns (about six reviewers each), and answers from about half of
them, written in bulk (``stride.lib.bulk``); the pages part measures nothing it changes.
A measuring child per size then launches a further cycle over everyone (rolled back, a
few times) and fetches the HR progress page, a manager's review page and the calibration
page, as the parent asks.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

PEERS = 5
LAUNCH_ROUNDS = 3
CYCLE_NAME = "Benchmark review"


@dataclass(frozen=True)
class ReviewPage:
    name: str
    label: str  # the URL pattern, the same at both sizes (the ids differ)
    viewer: str  # "hr" or "manager"


PAGES = [
    ReviewPage("HR progress page", "/reviews/cycles/<cycle>/", "hr"),
    ReviewPage("Manager's review page", "/reviews/<employee's review>/", "manager"),
    ReviewPage("Calibration page", "reviews:calibration <cycle>", "hr"),
]


# --- in the child ------------------------------------------------------------------------


def bench_cycle(*, seed: int, today: date) -> dict[str, Any]:
    """The benchmark's cycle: found by its name, or launched now (in one transaction) in a
    database the pages part built; with what it holds."""
    from django.db import transaction

    from stride.reviews.models import CycleParticipant, ReviewCycle, ReviewerAssignment

    found = ReviewCycle.objects.filter(name=CYCLE_NAME).first()
    built: dict[str, Any] = {}
    if found is None:
        started = time.perf_counter()
        with transaction.atomic():
            found, launch_s = _bench_cycle(seed=seed, today=today)
        built = {"seconds": round(time.perf_counter() - started, 1), "launch_s": launch_s}
    participants = CycleParticipant.objects.filter(cycle=found).count()
    reviewers = ReviewerAssignment.objects.filter(participant__cycle=found).count()
    return {
        **built,
        "cycle_id": found.pk,
        "participants": participants,
        "reviewers_per_participant": round(reviewers / participants, 1),
    }


def _hr_viewer() -> Any:
    from stride.access.viewer import viewer_for_person
    from stride.demo.generator import HR_EMAIL
    from stride.org.models import Person

    return viewer_for_person(Person.objects.get(email=HR_EMAIL))


def _draft_cycle(name: str, today: date) -> Any:
    from stride.demo.review_cycles import TEMPLATE_NAME, open_phases
    from stride.reviews import services
    from stride.reviews.models import ReviewTemplate

    return services.cycle_create(
        viewer=_hr_viewer(),
        name=name,
        template_id=ReviewTemplate.objects.get(name=TEMPLATE_NAME).pk,
        phases=[
            {"kind": kind, "starts_on": start, "ends_on": end}
            for kind, (start, end) in open_phases(today).items()
        ],
    )


def _bench_cycle(*, seed: int, today: date) -> tuple[Any, float]:
    """Launch the benchmark's cycle over everyone; five peers each (colleagues under the
    same manager first, then the same team), answers from about half."""
    from stride.demo import review_cycles as rc
    from stride.demo.generator import EMPLOYEE_EMAIL
    from stride.org.models import Person
    from stride.reviews import services
    from stride.reviews.models import CycleParticipant, ReviewerAssignment

    cycle = _draft_cycle(CYCLE_NAME, today)
    started = time.perf_counter()
    cycle = services.cycle_launch(viewer=_hr_viewer(), cycle=cycle)
    launch_s = time.perf_counter() - started
    rng = random.Random(f"{seed}/bench-reviews")
    questions = rc._questions(cycle.template_version_id)
    rows = list(
        CycleParticipant.objects.filter(cycle=cycle).values_list(
            "pk", "person_id", "manager_id", "team_id"
        )
    )
    under: dict[Any, list[int]] = {}
    in_team: dict[Any, list[int]] = {}
    manager_of: dict[int, Any] = {}
    for _pk, person, boss, team in rows:
        manager_of[person] = boss
        under.setdefault(boss, []).append(person)
        in_team.setdefault(team, []).append(person)
    at = rc._at(today - timedelta(days=1), 11)
    writer = rc._Writer(rng, questions)
    # The measured review (employee@'s, seen by manager@) is the same at every size: both
    # sides and every peer answered. Everyone else's answers are left to chance.
    measured = Person.objects.get(email=EMPLOYEE_EMAIL).pk
    for pk, person, boss, team in rows:
        level = 3 if person == measured else rng.choice((2, 3, 3, 4, 5))
        answered = 1.0 if person == measured else 0.5
        chosen = [p for p in under[boss] if p != person][:PEERS]
        if len(chosen) < PEERS:
            pool = in_team[team]
            start = rng.randrange(len(pool))
            for other in pool[start:] + pool[:start]:
                # Not the person, nor their manager or a report (those review them already).
                unrelated = other not in (person, boss) and manager_of[other] != person
                if unrelated and other not in chosen:
                    chosen.append(other)
                    if len(chosen) == PEERS:
                        break
        for reviewer in chosen:
            writer.assign(pk, reviewer, rc.R.PEER, rc._APPROVED)
            if rng.random() < answered:
                writer.respond(pk, rc.R.PEER, reviewer, level, at, at)
        if rng.random() < answered + 0.1:
            writer.respond(pk, rc.R.SELF, person, level, at, at)
        if boss is not None and rng.random() < answered - 0.1:
            writer.respond(pk, rc.R.MANAGER, boss, level, at, at)
    upward = ReviewerAssignment.objects.filter(
        participant__cycle=cycle, relationship=rc.R.UPWARD
    ).values_list("participant_id", "reviewer_id")
    for pk, reviewer in upward:
        if rng.random() < 0.5:
            writer.respond(pk, rc.R.UPWARD, reviewer, 3, at, at)
    writer.flush(at)
    services.work_changed(cycle.pk)  # written past the services: no cached counts survive
    return cycle, round(launch_s, 3)


def launch_seconds(today: date, rounds: int = LAUNCH_ROUNDS) -> dict[str, Any]:
    """``services.cycle_launch`` of a cycle over everyone, ``rounds`` times, each rolled back."""
    from django.db import transaction

    from stride.reviews import services

    times = []
    for _ in range(rounds):
        with transaction.atomic():
            cycle = _draft_cycle("Launch timing", today)
            started = time.perf_counter()
            services.cycle_launch(viewer=_hr_viewer(), cycle=cycle)
            times.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    return {"rounds": rounds, "median_s": round(statistics.median(times), 3), "min_s": min(times)}


def page_paths(cycle_id: int) -> dict[str, str | None]:
    """Each page's URL at this size, or None where this branch has no such page."""
    from django.urls import NoReverseMatch, reverse

    from stride.demo.generator import EMPLOYEE_EMAIL
    from stride.reviews.models import CycleParticipant

    review = CycleParticipant.objects.get(cycle_id=cycle_id, person__email=EMPLOYEE_EMAIL)
    try:
        calibration: str | None = reverse("reviews:calibration", kwargs={"cycle_id": cycle_id})
    except NoReverseMatch:
        calibration = None
    return {
        PAGES[0].name: reverse("reviews:cycle_detail", kwargs={"cycle_id": cycle_id}),
        PAGES[1].name: reverse("reviews:review", kwargs={"review_id": review.pk}),
        PAGES[2].name: calibration,
    }


def viewers() -> dict[str, Any]:
    from stride.demo.generator import HR_EMAIL, MANAGER_EMAIL
    from stride.org.models import Person

    found = Person.objects.select_related("user").in_bulk(
        [HR_EMAIL, MANAGER_EMAIL], field_name="email"
    )
    return {"hr": found[HR_EMAIL], "manager": found[MANAGER_EMAIL]}
