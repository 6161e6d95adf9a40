"""API: review packets (issue 7, item 11) and HR's cycle analytics.

A packet's peer and upward sections carry only how many answered and, where at least the
anonymity threshold did, the combined answers: never a reviewer's id, name, e-mail or time
(``reviews.anonymity``). Routes are added to the reviews router.
"""

# No ``from __future__ import annotations``: django-ninja reads the handlers' annotations.
from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Schema
from ninja.pagination import paginate
from pydantic import Field

from stride.lib.ids import Id
from stride.lib.pagination import StridePagination
from stride.reviews import anonymity, packets
from stride.reviews.api import _viewer, router
from stride.reviews.models import CycleParticipant
from stride.reviews.schemas import PhaseKind, QuestionKindValue

CycleStatus = Literal["draft", "launched", "closed"]


class NamedOut(Schema):
    id: int
    name: str


class PacketCycleOut(Schema):
    id: int
    name: str
    status: CycleStatus


class PacketSummaryOut(Schema):
    id: int = Field(description="The review (a cycle participant); read it at /reviews/{id}.")
    cycle: PacketCycleOut
    person: NamedOut
    manager: NamedOut | None = Field(description="The person's manager at the launch.")

    @staticmethod
    def resolve_cycle(obj: CycleParticipant) -> dict[str, Any]:
        return {"id": obj.cycle_id, "name": obj.cycle.name, "status": obj.cycle.status}

    @staticmethod
    def resolve_person(obj: CycleParticipant) -> dict[str, Any]:
        return {"id": obj.person_id, "name": obj.person.name}

    @staticmethod
    def resolve_manager(obj: CycleParticipant) -> dict[str, Any] | None:
        manager = obj.manager
        return {"id": manager.pk, "name": manager.name} if manager else None


class PacketQuery(Schema):
    cycle_id: Id | None = Field(default=None, description="Only this cycle's reviews.")
    person_id: Id | None = Field(default=None, description="Only this person's reviews.")


class PacketPhaseOut(Schema):
    kind: PhaseKind
    starts_on: date
    ends_on: date


class OverallOut(Schema):
    proposed_rating: int | None = Field(
        description="1–5. To the person only once the review is shared or the cycle closed."
    )
    potential: int | None = Field(description="1–3, as the manager proposed it.")
    final_rating: int | None
    final_potential: int | None
    final_reason: str | None = Field(description="Why calibration changed the rating.")
    shared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledgement: str | None


class AnsweredQuestionOut(Schema):
    question_id: int
    section: str
    kind: QuestionKindValue
    prompt: str
    rating: int | None
    text: str
    items: list[str]


class PointCountOut(Schema):
    value: int
    label: str
    count: int = Field(description="How many respondents chose this point.")


class AggregateQuestionOut(Schema):
    question_id: int
    section: str
    kind: QuestionKindValue
    prompt: str
    mean: float | None = Field(description="The mean rating, two decimals.")
    ratings: int
    distribution: list[PointCountOut]
    comments: list[str] = Field(
        description="Texts and list items without names or times, sorted by their text."
    )


class PartySectionOut(Schema):
    relationship: Literal["self", "manager"]
    submitted: bool
    questions: list[AnsweredQuestionOut] | None = Field(
        description="The answers; null for the other party's until both have submitted."
    )


class AnonymousSectionOut(Schema):
    relationship: Literal["peer", "upward"]
    respondents: int | None = Field(
        description="How many submitted by the end of the peer and upward reviews phase; "
        "null until the answers may be shown to you."
    )
    suppressed: bool
    reason: Literal["fewer_than_threshold", "not_yet"] | None = Field(
        description="Why nothing is shown: fewer people answered than the anonymity "
        "threshold, or the phase has not ended (the manager) or the review is not shared "
        "(the person)."
    )
    aggregate: list[AggregateQuestionOut] | None = Field(
        description="Per question, the combined answers; null when suppressed."
    )


class PacketOut(Schema):
    id: int
    cycle: PacketCycleOut
    person: NamedOut
    manager: NamedOut | None
    relationship: Literal["self", "manager"] = Field(description="The caller's part.")
    phases: list[PacketPhaseOut]
    overall: OverallOut
    sections: list[PartySectionOut | AnonymousSectionOut]


@router.get(
    "/reviews",
    response=list[PacketSummaryOut],
    summary="The review packets you may read",
)
@paginate(StridePagination)
def packet_list(request: HttpRequest, filters: Query[PacketQuery]) -> QuerySet[CycleParticipant]:
    """Your own reviews and those of the people you managed at the launch, one per person
    per cycle, newest cycle first."""
    return packets.packets_of(_viewer(request), **filters.dict())


@router.get(
    "/reviews/{review_id}",
    response=PacketOut,
    summary="A review packet",
)
def packet_detail(request: HttpRequest, review_id: Id) -> dict[str, Any]:
    """The person reviewed and their manager at the launch only; anyone else (HR admins
    and peer or upward reviewers included) gets 404. Peer and upward sections never carry
    a reviewer's id, name, e-mail or time."""
    packet = packets.packet_for_viewer(_viewer(request), review_id, now=timezone.now())
    participant = packet.role.participant
    manager = participant.manager
    return {
        "id": participant.pk,
        "cycle": {
            "id": participant.cycle_id,
            "name": participant.cycle.name,
            "status": participant.cycle.status,
        },
        "person": {"id": participant.person_id, "name": participant.person.name},
        "manager": {"id": manager.pk, "name": manager.name} if manager else None,
        "relationship": packet.role.relationship,
        "phases": packet.phases,
        "overall": packet.overall,
        "sections": packet.sections,
    }


# --- cycle analytics (HR) ------------------------------------------------------------------


class AnalyticsQuery(Schema):
    team_id: Id | None = Field(default=None, description="People reviewed in this team.")
    job_level_id: Id | None = Field(default=None, description="People reviewed at this level.")
    relationship: Literal["self", "manager", "peer", "upward"] | None = Field(
        default=None, description="Answers given in this relationship."
    )


class QuestionMeanOut(Schema):
    question_id: int
    section: str
    prompt: str
    mean: float | None = Field(description="Null when suppressed.")
    suppressed: bool


class AnalyticsOut(Schema):
    cycle_id: int
    team_id: int | None
    job_level_id: int | None
    relationship: str | None
    threshold: int = Field(description="The fewest respondents a figure may stand for.")
    final: bool = Field(
        description="Whether the analytics are published: every answering phase "
        "(self-assessment, peer and upward reviews, manager review) has ended everywhere, "
        "or the cycle is closed. False: not available yet — no figure at all "
        "(suppressed true, respondents null, questions empty); see published_at."
    )
    published_at: datetime | None = Field(
        description="When every answering phase has ended everywhere (the end of its last "
        "day at UTC−12), so the analytics are published; null when the cycle lacks one of "
        "those phases (then only closing the cycle publishes them)."
    )
    suppressed: bool = Field(
        description="True: no figure is given — not published yet (final false), or this "
        "combination could single out fewer than the threshold, alone or subtracted "
        "from another."
    )
    respondents: int | None = Field(description="Null when suppressed.")
    questions: list[QuestionMeanOut]


@router.get(
    "/review-cycles/{cycle_id}/analytics",
    response=AnalyticsOut,
    summary="A cycle's ratings by team, job level and relationship (HR)",
)
def cycle_analytics(
    request: HttpRequest, cycle_id: Id, filters: Query[AnalyticsQuery]
) -> dict[str, Any]:
    """Every figure passes small-cell suppression over all filter combinations at once.
    Before every answering phase has ended everywhere (and the cycle is not closed) this
    answers 200 with `final: false`, `published_at` and no figure: the analytics are not
    published yet, so no cell can be compared before and after a later answer."""
    result = anonymity.cycle_analytics(
        _viewer(request),
        cycle_id,
        anonymity.AnalyticsFilters(**filters.dict()),
        now=timezone.now(),
    )
    return {
        "cycle_id": result.cycle.pk,
        **filters.dict(),
        "threshold": result.threshold,
        "final": result.final,
        "published_at": result.published_at,
        "suppressed": result.suppressed,
        "respondents": result.respondents,
        "questions": [q.__dict__ for q in result.questions],
    }
