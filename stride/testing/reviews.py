"""Review templates and a small competency framework for tests, built through the services."""

from __future__ import annotations

from typing import Any

from stride.reviews import services
from stride.reviews.models import Competency, JobLevel, ReviewTemplate
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
