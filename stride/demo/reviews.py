"""The demo's review set-up: a career ladder, a competency framework and one review
template, made through the review services as the demo's HR admin (so they are audited
like any HR work)."""

from __future__ import annotations

from typing import Any

from stride.access.viewer import viewer_for_person
from stride.demo import content
from stride.org.models import Person
from stride.reviews import services
from stride.reviews.models import JobLevel


def add_review_setup(hr: Person) -> dict[str, int]:
    """Job levels, competencies and the "Annual performance review" template."""
    viewer = viewer_for_person(hr)
    levels: list[JobLevel] = [
        services.job_level_create(viewer=viewer, name=name, rank=rank)
        for rank, name in enumerate(content.JOB_LEVELS, start=1)
    ]
    competencies = [
        services.competency_create(
            viewer=viewer,
            name=name,
            description=description,
            levels=[
                {"job_level_id": level.pk, "description": text}
                for level, text in zip(levels, texts, strict=True)
            ],
        )
        for name, description, texts in content.COMPETENCIES
    ]
    scale = [{"label": label, "description": text} for label, text in content.REVIEW_SCALE]
    everyone = ["self", "manager", "peer", "upward"]

    def question(kind: str, prompt: str, answered_by: list[str], **extra: Any) -> dict[str, Any]:
        return {"kind": kind, "prompt": prompt, "answered_by": answered_by, **extra}

    services.template_create(
        viewer=viewer,
        name="Annual performance review",
        description="Results, how they were reached, and what comes next.",
        sections=[
            {
                "title": "Results",
                "weight": 2,
                "questions": [
                    question("goal_results", "Goals this period", ["self", "manager"]),
                    question("list", "Main accomplishments", ["self"]),
                    question(
                        "rating",
                        "How well did they deliver on their goals?",
                        ["self", "manager"],
                        scale=scale,
                        weight=2,
                    ),
                ],
            },
            {
                "title": "Competencies",
                "weight": 1,
                "questions": [
                    question(
                        "competency",
                        competency.name,
                        everyone,
                        competency_id=competency.pk,
                    )
                    for competency in competencies
                ],
            },
            {
                "title": "Growth",
                "weight": 1,
                "questions": [
                    question("text", "What should they keep doing?", everyone),
                    question("improvement_areas", "Areas to improve", everyone),
                    question("next_goals", "Goals for the next period", ["self", "manager"]),
                ],
            },
        ],
    )
    return {"job_levels": len(levels), "competencies": len(competencies), "templates": 1}
