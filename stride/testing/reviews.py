"""Review templates and a small competency framework for tests, built through the services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from stride.org.models import Person
from stride.reviews import selectors, services
from stride.reviews.models import PHASE_ORDER, Competency, JobLevel, ReviewCycle, ReviewTemplate
from stride.testing.cast import Cast

FIVE_POINTS = [
    {"label": "Well below", "description": "Missed most expectations."},
    {"label": "Below", "description": "Missed some expectations."},
    {"label": "Meets", "description": "Did what the role asks."},
    {"label": "Above", "description": "Often went beyond the role."},
    {"label": "Well above", "description": "Set a new standard."},
]


def rating(prompt: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "rating",
        "prompt": prompt,
        "answered_by": ["self", "manager"],
        "scale": FIVE_POINTS,
        **extra,
    }


def text(prompt: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "text", "prompt": prompt, "answered_by": ["self", "manager"], **extra}


def make_template(cast: Cast, name: str = "Annual review", **extra: Any) -> ReviewTemplate:
    """A template with two sections: results (two ratings, a list) and feedback (text
    answered by peers and reports too)."""
    sections = extra.pop(
        "sections",
        [
            {
                "title": "Results",
                "weight": 3,
                "questions": [
                    rating("How well were goals met?", weight=2),
                    rating("How good was the work?"),
                    {"kind": "list", "prompt": "Accomplishments", "answered_by": ["self"]},
                ],
            },
            {
                "title": "Feedback",
                "weight": 1,
                "questions": [
                    text("What should they keep doing?", answered_by=["peer", "upward"]),
                ],
            },
        ],
    )
    return services.template_create(
        viewer=cast.viewer(cast.hr), name=name, sections=sections, **extra
    )


def make_framework(cast: Cast) -> tuple[list[JobLevel], Competency]:
    """Three job levels and one competency described at each."""
    hr = cast.viewer(cast.hr)
    levels = [
        services.job_level_create(viewer=hr, name=name, rank=rank)
        for rank, name in enumerate(("Associate", "Professional", "Senior"), start=1)
    ]
    competency = services.competency_create(
        viewer=hr,
        name="Communication",
        description="Sharing information clearly.",
        levels=[
            {"job_level_id": level.pk, "description": f"Communicates as a {level.name.lower()}."}
            for level in levels
        ],
    )
    return levels, competency


def phases_from(start: date, *, days: int = 7) -> list[dict[str, Any]]:
    """The six phases back to back, ``days`` each, from ``start``."""
    out = []
    for index, kind in enumerate(PHASE_ORDER):
        begins = start + timedelta(days=index * days)
        out.append({"kind": kind, "starts_on": begins, "ends_on": begins + timedelta(days - 1)})
    return out


def make_cycle(
    cast: Cast, template: ReviewTemplate, *, start: date | None = None, **extra: Any
) -> ReviewCycle:
    """A draft cycle over everyone active, its phases weekly from ``start`` (today)."""
    return services.cycle_create(
        viewer=cast.viewer(cast.hr),
        name=extra.pop("name", "Walk cycle"),
        template_id=template.pk,
        phases=extra.pop("phases", None) or phases_from(start or timezone.localdate()),
        **extra,
    )


def launch_cycle(cast: Cast, template: ReviewTemplate, **extra: Any) -> ReviewCycle:
    cycle = make_cycle(cast, template, **extra)
    return services.cycle_launch(viewer=cast.viewer(cast.hr), cycle=cycle)


def complete_answers(cycle: ReviewCycle, relationship: str, words: str = "x") -> list[Any]:
    """An answer to every question ``relationship`` answers in ``cycle``: a rating of 3
    (with ``words`` as its comment), ``words`` as a list's only item, or as the text."""
    questions = selectors.answering_questions(cycle.template_version_id, relationship)
    return [
        {"question_id": q.pk, "rating": 3, "text": words}
        if q.is_scored
        else {"question_id": q.pk, "text": words, "items": [words] if q.kind in LISTS else []}
        for q in questions
    ]


LISTS = ("list", "next_goals")


def submit_self_assessment(cast: Cast, cycle: ReviewCycle, person: Person) -> None:
    """``person`` answers every question of their self-assessment and submits it."""
    participant = cycle.participants.get(person=person)
    viewer = cast.viewer(person)
    services.review_draft_save(
        viewer=viewer,
        participant=participant,
        relationship="self",
        answers=complete_answers(cycle, "self"),
    )
    services.review_submit(viewer=viewer, participant=participant, relationship="self")


def submit_manager_review(
    cast: Cast, cycle: ReviewCycle, person: Person, *, rating: int = 3, potential: int = 2
) -> None:
    """``person``'s manager (at the launch) answers every question of their review,
    proposes ``rating`` (and ``potential``, where the template asks) and submits it."""
    participant = cycle.participants.select_related("cycle__template_version").get(person=person)
    assert participant.manager is not None
    viewer = cast.viewer(participant.manager)
    services.review_draft_save(
        viewer=viewer,
        participant=participant,
        relationship="manager",
        answers=complete_answers(cycle, "manager"),
        overall_rating=rating,
        potential=potential if cycle.template_version.asks_potential else None,
    )
    services.review_submit(viewer=viewer, participant=participant, relationship="manager")
