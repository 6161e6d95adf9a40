"""Peer and upward answers, shown only in a form that cannot be traced to who gave them
(issue 7, item 6).

- **Aggregated, per relationship**, and only where at least ``k`` people answered
  (``settings.REVIEW_ANONYMITY_THRESHOLD``, never below 3): a mean rating and how many
  chose each point of the scale; comments without names, sorted by their text (not by
  when they were written) and without any time.
- **Fixed once shown.** Only answers submitted by the end of the peer and upward reviews
  phase count, and nothing is shown before that phase has ended everywhere (or the cycle
  is closed): nobody can compare an aggregate before and after one more answer. For the
  same reason HR cannot reopen that phase for anyone (``services.phase_reopen``).
- **Who sees.** The person's manager at the launch once the phase has ended; the person
  once their review is shared (or the cycle is closed). Nobody else — HR admins included,
  who run cycles and are not party to a review; a reviewer sees only their own answers.
- **Cycle analytics** (HR) pass every cell of every filter combination through
  ``stride.lib.suppression``, so no two answers subtract to fewer than ``k`` people. And
  since a cell can also be compared with itself at another time, nothing is published
  before every answering phase has ended everywhere (or the cycle is closed), only answers
  submitted by the end of their own phase count (whatever HR reopened), and the job level
  is the one snapshot at the launch: once published, no cell ever changes.

Every number here is computed in a fixed number of queries whatever the number of
respondents or participants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from stride.access.audit import audit_reads, target_of
from stride.access.viewer import Viewer
from stride.lib import suppression
from stride.reviews.models import (
    SCORED_KINDS,
    CycleParticipant,
    CyclePhase,
    JobLevel,
    Phase,
    QuestionKind,
    Relationship,
    ReviewCycle,
    ReviewResponse,
    TemplateQuestion,
)
from stride.reviews.selectors import answering_questions, cycle_for_viewer, teams_for

#: The anonymous relationships in the order a review shows them.
AGGREGATED = (Relationship.PEER, Relationship.UPWARD)
#: Kinds whose answers are free text or a list: shown as comments.
COMMENT_KINDS = frozenset(
    {
        QuestionKind.TEXT,
        QuestionKind.IMPROVEMENT_AREAS,
        QuestionKind.LIST,
        QuestionKind.NEXT_GOALS,
        QuestionKind.GOAL_RESULTS,
    }
)
#: The last deadline anywhere: a phase ending on a day closes last at UTC−12.
_LATEST_ZONE_OFFSET = timedelta(hours=12)


def threshold() -> int:
    """The fewest respondents anything computed over reviews may stand for."""
    return max(int(settings.REVIEW_ANONYMITY_THRESHOLD), settings.REVIEW_ANONYMITY_MINIMUM)


def phase_closes_at(phase: CyclePhase | None) -> datetime | None:
    """When ``phase`` has ended for everyone in the cycle: the end of its last day in the
    westernmost time zone. Answers given in it count only if submitted before."""
    if phase is None:
        return None
    end = datetime.combine(phase.ends_on + timedelta(days=1), time.min, tzinfo=UTC)
    return end + _LATEST_ZONE_OFFSET


def results_final(cycle: ReviewCycle, phase: CyclePhase | None, *, now: datetime) -> bool:
    """Whether peer and upward answers are final: the cycle is closed, or the phase has
    ended everywhere. Before that nothing computed over them is shown to anyone."""
    if cycle.status == ReviewCycle.Status.CLOSED:
        return True
    closes = phase_closes_at(phase)
    return closes is not None and now >= closes


# --- one person's 360 aggregate ------------------------------------------------------------


@dataclass(frozen=True)
class PointCount:
    value: int
    label: str
    count: int


@dataclass(frozen=True)
class QuestionAggregate:
    question_id: int
    section: str
    prompt: str
    kind: str
    mean: Decimal | None  # two decimals; None for a question without a rating
    ratings: int  # how many ratings the mean stands for
    distribution: list[PointCount]
    comments: list[str]  # without names or times, sorted by text


@dataclass
class RelationshipAggregate:
    relationship: str
    respondents: int
    suppressed: bool
    questions: list[QuestionAggregate] = field(default_factory=list)
    threshold: int = 3


@dataclass
class Aggregates:
    """What a party to a review sees of its peer and upward answers."""

    visible: bool  # False: not yet (phase running, review not shared)
    sections: list[RelationshipAggregate]
    threshold: int


def can_see_aggregates(viewer: Viewer, participant: CycleParticipant, *, final: bool) -> bool:
    """The person's manager at the launch once the answers are final; the person once
    their review is shared or the cycle closed. HR admins and reviewers never (they get
    here only as a party to the review, see ``review_for_viewer``)."""
    if not final or viewer.person_id is None:
        return False
    if participant.manager_id == viewer.person_id:
        return True
    if participant.person_id == viewer.person_id:
        return (
            participant.shared_at is not None
            or participant.cycle.status == ReviewCycle.Status.CLOSED
        )
    return False


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _comments(answers: Iterable[dict[str, Any]]) -> list[str]:
    """Every text and list item, sorted by its text (case-folded), so their order says
    nothing about who wrote first."""
    texts: list[str] = []
    for answer in answers:
        text = (answer.get("text") or "").strip()
        if text:
            texts.append(text)
        texts.extend(item.strip() for item in answer.get("items") or [] if item.strip())
    return sorted(texts, key=lambda t: (t.casefold(), t))


def question_aggregates(
    questions: Sequence[TemplateQuestion],
    answer_sets: Sequence[dict[str, Any]],
    levels: Sequence[JobLevel],
) -> list[QuestionAggregate]:
    """Per question: the mean rating, how many chose each point, and the comments."""
    out = []
    for question in questions:
        answers = [a[str(question.pk)] for a in answer_sets if str(question.pk) in a]
        mean = None
        distribution: list[PointCount] = []
        ratings = [int(a["rating"]) for a in answers if a.get("rating") is not None]
        if question.kind in SCORED_KINDS:
            if question.kind == QuestionKind.COMPETENCY:
                points = [(level.rank, level.name) for level in levels]
            else:
                points = [(p.value, p.label) for p in question.points.all()]
            distribution = [PointCount(v, label, ratings.count(v)) for v, label in points]
            if ratings:
                mean = _two_places(Decimal(sum(ratings)) / Decimal(len(ratings)))
        out.append(
            QuestionAggregate(
                question_id=question.pk,
                section=question.section.title,
                prompt=question.prompt,
                kind=question.kind,
                mean=mean,
                ratings=len(ratings),
                distribution=distribution,
                comments=_comments(answers) if question.kind in COMMENT_KINDS else [],
            )
        )
    return out


def counted_responses(
    participants: QuerySet[CycleParticipant] | Sequence[int], closes_at: datetime | None
) -> QuerySet[ReviewResponse]:
    """The peer and upward responses that count: submitted before the phase closed."""
    qs = ReviewResponse.objects.filter(
        participant__in=participants,
        relationship__in=list(AGGREGATED),
        submitted_at__isnull=False,
    )
    if closes_at is not None:
        qs = qs.filter(submitted_at__lt=closes_at)
    return qs


def aggregates_for(viewer: Viewer, participant: CycleParticipant, *, now: datetime) -> Aggregates:
    """The peer and upward aggregates of ``participant``'s review as ``viewer`` may see
    them (``visible`` False when they may not yet). Reading them is audited as a read of
    the review, never of a response (which would name its author). Six queries at most."""
    k = threshold()
    cycle = participant.cycle
    phase = CyclePhase.objects.filter(cycle_id=cycle.pk, kind=Phase.PEER_REVIEWS).first()
    final = results_final(cycle, phase, now=now)
    if not can_see_aggregates(viewer, participant, final=final):
        return Aggregates(visible=False, sections=[], threshold=k)
    # Only the answers: no author, no time leaves the database.
    rows = list(
        counted_responses([participant.pk], phase_closes_at(phase))
        .order_by("relationship")
        .values_list("relationship", "author_id", "answers")
    )
    decision = suppression.decide(
        [suppression.Record(author, {"relationship": rel}) for rel, author, _a in rows],
        ["relationship"],
        k,
        fixed=["relationship"],
    )
    asked = {
        rel: list(answering_questions(cycle.template_version_id, rel))
        for rel in AGGREGATED
        if any(r == rel for r, _author, _a in rows)
    }
    levels = (
        list(JobLevel.objects.order_by("rank"))
        if any(q.kind == QuestionKind.COMPETENCY for qs in asked.values() for q in qs)
        else []
    )
    sections = []
    for rel in AGGREGATED:
        answers = [a for r, _author, a in rows if r == rel]
        shown = decision.is_shown({"relationship": rel.value})
        sections.append(
            RelationshipAggregate(
                relationship=rel.value,
                respondents=len(answers),
                suppressed=not shown,
                questions=question_aggregates(asked.get(rel, []), answers, levels) if shown else [],
                threshold=k,
            )
        )
    if any(not s.suppressed for s in sections):
        audit_reads(actor=viewer, action="review.aggregate.read", targets=[target_of(participant)])
    return Aggregates(visible=True, sections=sections, threshold=k)


# --- cycle analytics (HR) ------------------------------------------------------------------

DIMENSIONS = ("team", "job_level", "relationship")


@dataclass(frozen=True)
class AnalyticsFilters:
    team_id: int | None = None
    job_level_id: int | None = None
    relationship: str | None = None


@dataclass(frozen=True)
class QuestionMean:
    question_id: int
    section: str
    prompt: str
    mean: Decimal | None  # None when suppressed or not answered by every record of the cell
    suppressed: bool


@dataclass
class Analytics:
    cycle: ReviewCycle
    filters: AnalyticsFilters
    final: bool  # False: not published yet, so no figure at all (see ``published_at``)
    published_at: datetime | None  # when every answering phase has ended everywhere
    suppressed: bool
    respondents: int | None  # None when suppressed
    questions: list[QuestionMean]
    threshold: int


#: The phase in which each relationship answers: its answers count if submitted by the
#: phase's cycle-wide end (``phase_closes_at``), whatever HR reopened for one person.
ANSWERED_IN = {
    Relationship.SELF: Phase.SELF_ASSESSMENT,
    Relationship.PEER: Phase.PEER_REVIEWS,
    Relationship.UPWARD: Phase.PEER_REVIEWS,
    Relationship.MANAGER: Phase.MANAGER_REVIEW,
}
#: A person reviewed without a team or a job level: a value of its own, never ``None``
#: (which is suppression's "any", see ``stride.lib.suppression``). No filter offers it,
#: but its records take part in every decision like any other value's.
NONE = "none"


def _cell(filters: AnalyticsFilters) -> dict[str, Any]:
    return {
        "team": filters.team_id,
        "job_level": filters.job_level_id,
        "relationship": filters.relationship,
    }


def analytics_published_at(cycle: ReviewCycle) -> datetime | None:
    """When a cycle's analytics are published: once every answering phase has ended
    everywhere (None when one is missing, so only closing the cycle publishes them)."""
    closes = [
        phase_closes_at(next((p for p in cycle.phases.all() if p.kind == kind), None))
        for kind in set(ANSWERED_IN.values())
    ]
    if any(c is None for c in closes):
        return None
    return max(c for c in closes if c is not None)


def cycle_analytics(
    viewer: Viewer, cycle_id: int, filters: AnalyticsFilters, *, now: datetime
) -> Analytics:
    """HR's view of a cycle's ratings: for the filtered cell (team and job level of the
    person reviewed at the launch, relationship of who answered), the respondents and the
    mean rating of each scored question — each cell decided by ``stride.lib.suppression``
    over every filter combination at once.

    Published only once every answering phase has ended everywhere, or the cycle is
    closed; and then each answer counts only if submitted by the end of its own phase. So
    a published cell never changes: no late answer, reopened phase or moved job level can
    be told apart by comparing it before and after. Four queries, whatever the cycle's
    size."""
    cycle = cycle_for_viewer(viewer, cycle_id)  # HR only, 404 otherwise
    k = threshold()
    published_at = analytics_published_at(cycle)
    final = cycle.status == ReviewCycle.Status.CLOSED or (
        cycle.status != ReviewCycle.Status.DRAFT
        and published_at is not None
        and now >= published_at
    )
    if not final:
        return Analytics(
            cycle=cycle,
            filters=filters,
            final=False,
            published_at=published_at,
            suppressed=True,
            respondents=None,
            questions=[],
            threshold=k,
        )
    on_time = Q()
    for rel, kind in ANSWERED_IN.items():
        closes = phase_closes_at(next((p for p in cycle.phases.all() if p.kind == kind), None))
        on_time |= Q(relationship=rel) & (Q(submitted_at__lt=closes) if closes else Q())
    rows = [
        (rel, author, answers, NONE if team is None else team, NONE if level is None else level)
        for rel, author, answers, team, level in ReviewResponse.objects.filter(
            on_time, participant__cycle=cycle, submitted_at__isnull=False
        ).values_list(
            "relationship",
            "author_id",
            "answers",
            "participant__team_id",
            "participant__job_level_id",
        )
    ]
    records = [
        suppression.Record(author, {"team": team, "job_level": level, "relationship": rel})
        for rel, author, _answers, team, level in rows
    ]
    decision = suppression.decide(records, DIMENSIONS, k)
    wanted = _cell(filters)
    shown = decision.is_shown(wanted)
    matching = [
        (rel, answers)
        for (rel, _author, answers, team, level) in rows
        if (filters.team_id is None or team == filters.team_id)
        and (filters.job_level_id is None or level == filters.job_level_id)
        and (filters.relationship is None or rel == filters.relationship)
    ]
    questions = [
        q
        for q in TemplateQuestion.objects.filter(section__version_id=cycle.template_version_id)
        .select_related("section")
        .order_by("section__position", "section_id", "position", "id")
        if q.is_scored
    ]
    present = {rel for rel, _answers in matching}
    out = []
    for q in questions:
        # A mean stands for the cell's records only if every one of them answers the
        # question; otherwise it would be a sub-cell's mean that was never decided.
        whole = bool(present) and all(rel in q.answered_by for rel in present)
        values = [
            int(a[str(q.pk)]["rating"])
            for _rel, a in matching
            if a.get(str(q.pk), {}).get("rating") is not None
        ]
        mean = (
            _two_places(Decimal(sum(values)) / Decimal(len(values)))
            if shown and whole and values
            else None
        )
        out.append(QuestionMean(q.pk, q.section.title, q.prompt, mean, not shown or not whole))
    return Analytics(
        cycle=cycle,
        filters=filters,
        final=final,
        published_at=published_at,
        suppressed=not shown,
        respondents=decision.count(wanted),
        questions=out,
        threshold=k,
    )


def analytics_choices(viewer: Viewer) -> tuple[list[Any], list[JobLevel]]:
    """The teams and job levels HR may filter the analytics by."""
    return list(teams_for(viewer)), list(JobLevel.objects.order_by("rank"))
