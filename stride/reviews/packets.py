"""A review packet: everything one party to a review may see of it, in one read.

The person reviewed and their manager at the launch read it (anyone else gets 404: HR
admins, who run cycles, and peer or upward reviewers, who see only their own answers).
Self and manager answers follow the mutual rule of ``selectors.review_packet`` (each
party sees the other's once both have submitted); peer and upward answers appear only as
``anonymity.aggregates_for`` allows, never with a reviewer's id, name, e-mail or time.
The overall rating and the calibration's reason reach the person once the review is
shared (or the cycle is closed); their manager sees them throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from stride.access.viewer import Viewer
from stride.reviews import anonymity
from stride.reviews.models import CycleParticipant, Relationship
from stride.reviews.selectors import (
    COUNTERPART,
    QuestionRow,
    ReviewRole,
    ordered_phases,
    review_for_viewer,
    review_packet,
    reviews_of,
)


def packets_of(
    viewer: Viewer, *, cycle_id: int | None = None, person_id: int | None = None
) -> QuerySet[CycleParticipant]:
    """The review packets the viewer may read (their own and those of the people they
    managed at the launch, one per person per cycle), newest cycle first."""
    qs = reviews_of(viewer).select_related("manager")
    if cycle_id is not None:
        qs = qs.filter(cycle_id=cycle_id)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return qs


@dataclass
class Packet:
    role: ReviewRole
    phases: list[Any]
    overall: dict[str, Any]
    sections: list[dict[str, Any]]


def _answered(rows: list[QuestionRow]) -> list[dict[str, Any]]:
    return [
        {
            "question_id": row.question.pk,
            "section": row.question.section.title,
            "kind": row.question.kind,
            "prompt": row.question.prompt,
            "rating": row.answer.get("rating"),
            "text": row.answer.get("text", ""),
            "items": list(row.answer.get("items", [])),
        }
        for row in rows
    ]


def _overall(participant: CycleParticipant, relationship: str) -> dict[str, Any]:
    """The overall rating and sign-off. The manager (at the launch) sees their proposal and
    calibration's outcome; the person sees the ratings and the reason once the review is
    shared with them (as the review page and the PDF do), and never the potential: it is a
    talent-planning judgement for managers and calibrators."""
    is_manager = relationship == Relationship.MANAGER
    revealed = is_manager or participant.shared_at is not None
    rated = ["proposed_rating", "final_rating", "final_reason"]
    out: dict[str, Any] = {name: getattr(participant, name) if revealed else None for name in rated}
    out["potential"] = participant.potential if is_manager else None
    out["final_potential"] = participant.final_potential if is_manager else None
    if revealed and not participant.final_reason:
        out["final_reason"] = None
    out["shared_at"] = participant.shared_at
    out["acknowledged_at"] = participant.acknowledged_at
    out["acknowledgement"] = participant.acknowledgement if participant.acknowledged_at else None
    return out


def packet_for_viewer(viewer: Viewer, review_id: int, *, now: datetime) -> Packet:
    """One review packet (404 for anyone but the person and their manager at the launch).
    A fixed number of queries, whatever the number of respondents."""
    role = review_for_viewer(viewer, review_id)
    participant = role.participant
    answers = review_packet(viewer, role, now=now)
    counterpart = COUNTERPART[Relationship(role.relationship)]
    sides = {
        role.relationship: {
            "relationship": role.relationship,
            "submitted": answers.submitted,
            "questions": _answered(answers.rows),
        },
        counterpart.value: {
            "relationship": counterpart.value,
            "submitted": answers.other_submitted,
            # The other party's answers only once both have submitted.
            "questions": _answered(answers.other_rows) if answers.other is not None else None,
        },
    }
    sections: list[dict[str, Any]] = [sides[Relationship.SELF], sides[Relationship.MANAGER]]
    aggregates = anonymity.aggregates_for(viewer, participant, now=now)
    for rel in anonymity.AGGREGATED:
        found = next((s for s in aggregates.sections if s.relationship == rel), None)
        if not aggregates.visible or found is None:
            sections.append(
                {
                    "relationship": rel.value,
                    "respondents": None,
                    "suppressed": True,
                    "reason": "not_yet",
                    "aggregate": None,
                }
            )
            continue
        sections.append(
            {
                "relationship": rel.value,
                "respondents": found.respondents,
                "suppressed": found.suppressed,
                "reason": "fewer_than_threshold" if found.suppressed else None,
                "aggregate": None
                if found.suppressed
                else [
                    {
                        "question_id": q.question_id,
                        "section": q.section,
                        "kind": q.kind,
                        "prompt": q.prompt,
                        "mean": q.mean,
                        "ratings": q.ratings,
                        "distribution": [p.__dict__ for p in q.distribution],
                        "comments": q.comments,
                    }
                    for q in found.questions
                ],
            }
        )
    phases = [
        {"kind": p.kind, "starts_on": p.starts_on, "ends_on": p.ends_on}
        for p in ordered_phases(participant.cycle)
    ]
    return Packet(
        role=role,
        phases=phases,
        overall=_overall(participant, role.relationship),
        sections=sections,
    )
