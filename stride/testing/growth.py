"""A person's review history for the growth graph's tests: alice's three cycles with
ratings set directly (as calibration and sharing would leave them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from stride.reviews.models import CycleParticipant, ReviewCycle, ReviewResponse, TemplateQuestion
from stride.reviews.services import person_job_level_set
from stride.testing.cast import Cast
from stride.testing.clock import TODAY
from stride.testing.reviews import launch_cycle, make_framework, make_template, rating


@dataclass
class History:
    """Alice's three cycles: an old closed one, shared (proposed 3, final rating 4,
    competency at 2), one shared with her (proposed and final 3, competency at 3) and one
    not yet shared (proposed and final 5, competency at 1). Alice submitted her
    self-assessment in the first two."""

    closed: CycleParticipant
    shared: CycleParticipant
    unshared: CycleParticipant


def growth_cycle(cast: Cast, name: str, start_days_ago: int, competency_id: int) -> ReviewCycle:
    template = make_template(
        cast,
        name=f"{name} template",
        sections=[
            {
                "title": "Results",
                "questions": [
                    rating("How well were goals met?"),
                    {
                        "kind": "competency",
                        "prompt": "Communication",
                        "answered_by": ["self", "manager"],
                        "competency_id": competency_id,
                    },
                ],
            }
        ],
    )
    return launch_cycle(
        cast,
        template,
        name=name,
        team_ids=[cast.product.pk],
        start=TODAY - timedelta(days=start_days_ago),
    )


def manager_rates(
    cycle: ReviewCycle, person: Any, author: Any, level: int, relationship: str = "manager"
) -> CycleParticipant:
    participant = cycle.participants.get(person=person)
    question = TemplateQuestion.objects.get(
        section__version=cycle.template_version, kind="competency"
    )
    ReviewResponse.objects.create(
        participant=participant,
        relationship=relationship,
        author=author,
        answers={str(question.pk): {"rating": level, "text": "", "items": []}},
        submitted_at=timezone.now(),
    )
    return participant


def build_history(cast: Cast) -> History:
    levels, competency = make_framework(cast)
    person_job_level_set(viewer=cast.viewer(cast.hr), person=cast.alice, job_level=levels[1])
    closed_cycle = growth_cycle(cast, "Review 2025", 400, competency.pk)
    shared_cycle = growth_cycle(cast, "Review spring 2026", 200, competency.pk)
    open_cycle = growth_cycle(cast, "Review autumn 2026", 10, competency.pk)

    closed = manager_rates(closed_cycle, cast.alice, cast.manager, 2)
    manager_rates(closed_cycle, cast.alice, cast.alice, 3, relationship="self")
    closed.proposed_rating, closed.final_rating, closed.shared_at = 3, 4, timezone.now()
    closed.save()
    closed_cycle.status = ReviewCycle.Status.CLOSED
    closed_cycle.save()

    shared = manager_rates(shared_cycle, cast.alice, cast.manager, 3)
    manager_rates(shared_cycle, cast.alice, cast.alice, 4, relationship="self")
    shared.proposed_rating, shared.final_rating, shared.shared_at = 3, 3, timezone.now()
    shared.save()

    unshared = manager_rates(open_cycle, cast.alice, cast.manager, 1)
    unshared.proposed_rating = unshared.final_rating = 5
    unshared.save()
    # A peer's rating of alice is never part of her growth.
    manager_rates(open_cycle, cast.alice, cast.bob, 3, relationship="peer")
    return History(closed, shared, unshared)
