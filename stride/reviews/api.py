"""API: review templates (HR admins), the competency framework and job levels.

Template operations answer the whole template as its latest version stands: an edit of a
template that a launched cycle uses creates a new version, whose sections and questions
have new ids, so the answer gives them. Anyone but an HR admin gets 404 from every
template operation and from the framework's writes; the framework is readable by everyone
signed in.
"""

# No ``from __future__ import annotations``: django-ninja reads the handlers' annotations.
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from stride.access.viewer import Viewer
from stride.lib.ids import Id
from stride.lib.pagination import StridePagination
from stride.reviews import selectors, services
from stride.reviews.models import (
    Competency,
    JobLevel,
    Phase,
    ReviewCycle,
    ReviewerAssignment,
    ReviewTemplate,
)
from stride.reviews.schemas import (
    AnswersIn,
    CompetencyIn,
    CycleCreate,
    JobLevelAssign,
    JobLevelIn,
    Nudge,
    PeerDecision,
    PeerNominate,
    PhaseKind,
    PhaseReopen,
    QuestionIn,
    QuestionKindValue,
    Relationship,
    ReviewDecline,
    SectionIn,
    TemplateChange,
    TemplateCreate,
)

router = Router(tags=["reviews"])


def _viewer(request: HttpRequest) -> Viewer:
    viewer: Viewer = request.auth  # type: ignore[attr-defined]
    return viewer


# --- out ----------------------------------------------------------------------------------


class ScalePointOut(Schema):
    value: int
    label: str
    description: str


class QuestionOut(Schema):
    id: int
    kind: QuestionKindValue
    prompt: str
    help_text: str
    weight: Decimal = Field(description="The question's weight within its section (ratings).")
    answered_by: list[Relationship]
    competency_id: int | None
    scale: list[ScalePointOut] = Field(description="An anchored rating's points, lowest first.")


class SectionOut(Schema):
    id: int
    title: str
    description: str
    weight: Decimal
    share: float = Field(
        description="The section's share of the overall score (0 to 1): its weight over "
        "the weights of the sections that hold a rating."
    )
    questions: list[QuestionOut]


class TemplateSummaryOut(Schema):
    id: int
    name: str
    description: str
    latest_version: int

    @staticmethod
    def resolve_latest_version(template: ReviewTemplate) -> int:
        return int(getattr(template, "latest", 0) or 0)


class TemplateOut(Schema):
    id: int
    name: str
    description: str
    version: int = Field(description="The latest version, which this answer shows.")
    locked: bool = Field(
        description="A launched cycle uses this version: the next edit creates a new one."
    )
    asks_potential: bool = Field(description="The manager also proposes potential.")
    sections: list[SectionOut]


class JobLevelOut(Schema):
    id: int
    name: str
    rank: int
    description: str


class CompetencyLevelOut(Schema):
    job_level_id: int
    description: str


class CompetencyOut(Schema):
    id: int
    name: str
    description: str
    levels: list[CompetencyLevelOut]


class PersonJobLevelOut(Schema):
    person_id: int
    job_level: JobLevelOut | None


def _template_out(template: ReviewTemplate) -> dict[str, Any]:
    version = selectors.latest_version(template)
    return {
        "id": template.pk,
        "name": template.name,
        "description": template.description,
        "version": version.number,
        "locked": selectors.version_is_locked(version),
        "asks_potential": version.asks_potential,
        "sections": [
            {
                "id": entry.section.pk,
                "title": entry.section.title,
                "description": entry.section.description,
                "weight": entry.section.weight,
                "share": entry.share,
                "questions": [
                    {
                        "id": q.pk,
                        "kind": q.kind,
                        "prompt": q.prompt,
                        "help_text": q.help_text,
                        "weight": q.weight,
                        "answered_by": q.answered_by,
                        "competency_id": q.competency_id,
                        "scale": list(q.points.all()),
                    }
                    for q in entry.section.questions.all()
                ],
            }
            for entry in selectors.section_shares(version)
        ],
    }


def _fresh(viewer: Viewer, template: ReviewTemplate) -> dict[str, Any]:
    return _template_out(selectors.template_for_viewer(viewer, template.pk))


# --- templates ----------------------------------------------------------------------------


@router.get("/review-templates", response=list[TemplateSummaryOut], summary="Review templates (HR)")
@paginate(StridePagination)
def template_list(request: HttpRequest) -> QuerySet[ReviewTemplate]:
    return selectors.templates_for(_viewer(request))


@router.post(
    "/review-templates", response={201: TemplateOut}, summary="Create a review template (HR)"
)
def template_create(request: HttpRequest, payload: TemplateCreate) -> Status[dict[str, Any]]:
    """Create a template, optionally with its sections and questions: all or nothing."""
    viewer = _viewer(request)
    template = services.template_create(viewer=viewer, **payload.model_dump())
    return Status(201, _fresh(viewer, template))


@router.get(
    "/review-templates/{template_id}", response=TemplateOut, summary="One review template (HR)"
)
def template_detail(request: HttpRequest, template_id: Id) -> dict[str, Any]:
    return _template_out(selectors.template_for_viewer(_viewer(request), template_id))


@router.patch(
    "/review-templates/{template_id}",
    response=TemplateOut,
    summary="Rename or redescribe a template (HR)",
)
def template_update(
    request: HttpRequest, template_id: Id, payload: TemplateChange
) -> dict[str, Any]:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    services.template_update(
        viewer=viewer, template=template, **payload.model_dump(exclude_unset=True)
    )
    return _fresh(viewer, template)


@router.post(
    "/review-templates/{template_id}/sections",
    response={201: TemplateOut},
    summary="Add a section (HR)",
)
def section_add(
    request: HttpRequest, template_id: Id, payload: SectionIn
) -> Status[dict[str, Any]]:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    services.section_add(viewer=viewer, template=template, **payload.model_dump())
    return Status(201, _fresh(viewer, template))


@router.put(
    "/review-templates/{template_id}/sections/{section_id}",
    response=TemplateOut,
    summary="Change a section (HR)",
)
def section_update(
    request: HttpRequest, template_id: Id, section_id: Id, payload: SectionIn
) -> dict[str, Any]:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    services.section_update(
        viewer=viewer, template=template, section_id=section_id, **payload.model_dump()
    )
    return _fresh(viewer, template)


@router.delete(
    "/review-templates/{template_id}/sections/{section_id}",
    response=TemplateOut,
    summary="Remove a section and its questions (HR)",
)
def section_delete(request: HttpRequest, template_id: Id, section_id: Id) -> dict[str, Any]:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    services.section_delete(viewer=viewer, template=template, section_id=section_id)
    return _fresh(viewer, template)


@router.post(
    "/review-templates/{template_id}/sections/{section_id}/questions",
    response={201: TemplateOut},
    summary="Add a question to a section (HR)",
)
def question_add(
    request: HttpRequest, template_id: Id, section_id: Id, payload: QuestionIn
) -> Status[dict[str, Any]]:
    """A rating without a scale of at least two points, a competency rating without a
    competency, or a scale on another kind answers 409 naming the field."""
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    services.question_add(viewer=viewer, template=template, section_id=section_id, question=payload)
    return Status(201, _fresh(viewer, template))


@router.put(
    "/review-templates/{template_id}/questions/{question_id}",
    response=TemplateOut,
    summary="Replace a question (HR)",
)
def question_update(
    request: HttpRequest, template_id: Id, question_id: Id, payload: QuestionIn
) -> dict[str, Any]:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    services.question_update(
        viewer=viewer, template=template, question_id=question_id, question=payload
    )
    return _fresh(viewer, template)


@router.delete(
    "/review-templates/{template_id}/questions/{question_id}",
    response=TemplateOut,
    summary="Remove a question (HR)",
)
def question_delete(request: HttpRequest, template_id: Id, question_id: Id) -> dict[str, Any]:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    services.question_delete(viewer=viewer, template=template, question_id=question_id)
    return _fresh(viewer, template)


# --- competencies -------------------------------------------------------------------------


@router.get("/job-levels", response=list[JobLevelOut], summary="Job levels, most junior first")
@paginate(StridePagination)
def job_level_list(request: HttpRequest) -> QuerySet[JobLevel]:
    return selectors.job_levels(_viewer(request))


@router.post("/job-levels", response={201: JobLevelOut}, summary="Add a job level (HR)")
def job_level_create(request: HttpRequest, payload: JobLevelIn) -> Status[JobLevel]:
    selectors.require_hr(_viewer(request))
    return Status(201, services.job_level_create(viewer=_viewer(request), **payload.model_dump()))


@router.get(
    "/competencies",
    response=list[CompetencyOut],
    summary="The competency framework: each competency described per job level",
)
@paginate(StridePagination)
def competency_list(request: HttpRequest) -> QuerySet[Competency]:
    return selectors.competencies_for(_viewer(request)).order_by("position", "name")


def _competency_out(viewer: Viewer, competency: Competency) -> Competency:
    return selectors.competency_for_hr(viewer, competency.pk)


@router.post("/competencies", response={201: CompetencyOut}, summary="Add a competency (HR)")
def competency_create(request: HttpRequest, payload: CompetencyIn) -> Status[Competency]:
    viewer = _viewer(request)
    selectors.require_hr(viewer)
    made = services.competency_create(viewer=viewer, **payload.model_dump())
    return Status(201, _competency_out(viewer, made))


@router.put(
    "/competencies/{competency_id}", response=CompetencyOut, summary="Change a competency (HR)"
)
def competency_update(request: HttpRequest, competency_id: Id, payload: CompetencyIn) -> Competency:
    viewer = _viewer(request)
    competency = selectors.competency_for_hr(viewer, competency_id)
    services.competency_update(viewer=viewer, competency=competency, **payload.model_dump())
    return _competency_out(viewer, competency)


@router.put(
    "/people/{person_id}/job-level",
    response=PersonJobLevelOut,
    summary="Set a person's job level: their expected competency level (HR)",
)
def person_job_level(
    request: HttpRequest, person_id: Id, payload: JobLevelAssign
) -> dict[str, Any]:
    viewer = _viewer(request)
    person = selectors.person_for_hr(viewer, person_id)
    level = (
        services.job_level_by_id(payload.job_level_id) if payload.job_level_id is not None else None
    )
    services.person_job_level_set(viewer=viewer, person=person, job_level=level)
    return {"person_id": person.pk, "job_level": level}


# --- cycles -------------------------------------------------------------------------------


class PhaseOut(Schema):
    kind: PhaseKind
    starts_on: date
    ends_on: date = Field(description="Work is due by the end of this day where each person lives.")


class TeamCountOut(Schema):
    team_id: int | None
    team: str
    participants: int
    reopened: int = Field(description="Participants with a phase reopened for them by HR.")
    self_submitted: int = Field(description="Self-assessments submitted.")
    self_late: int = Field(
        description="Self-assessments not submitted by the deadline where the person lives "
        "(or the day HR reopened it until)."
    )
    nomination_done: int = Field(
        description="Participants with at least the cycle's fewest peers nominated or approved."
    )
    nomination_late: int = Field(
        description="Participants with fewer peers than that after the nomination deadline."
    )
    peer_reviews_done: int = Field(
        description="Participants whose approved peer and upward reviewers have all submitted."
    )
    peer_reviews_late: int = Field(
        description="Participants with an approved reviewer who had not submitted by the deadline."
    )
    manager_submitted: int = Field(description="Manager reviews submitted.")
    manager_late: int = Field(description="Manager reviews not submitted by the deadline.")


class ProgressOut(Schema):
    participants: int
    by_team: list[TeamCountOut]


class CycleSummaryOut(Schema):
    id: int
    name: str
    status: Literal["draft", "launched", "closed"]
    template_id: int
    template_version: int
    launched_at: datetime | None

    # A list answers cycles; a single cycle is answered as the dict ``_cycle_out`` builds.
    @staticmethod
    def resolve_template_id(cycle: ReviewCycle | dict[str, Any]) -> int:
        if isinstance(cycle, dict):
            return int(cycle["template_id"])
        return cycle.template_version.template_id

    @staticmethod
    def resolve_template_version(cycle: ReviewCycle | dict[str, Any]) -> int:
        if isinstance(cycle, dict):
            return int(cycle["template_version"])
        return cycle.template_version.number


class CycleOut(CycleSummaryOut):
    team_ids: list[int] = Field(description="Teams taking part; every team when empty.")
    hired_before: date | None
    statuses: list[str]
    phases: list[PhaseOut] = Field(description="In the order they run.")
    progress: ProgressOut = Field(
        description="Participants (fixed at launch) per team; empty before the launch."
    )


class ReopeningOut(Schema):
    person_id: int
    phase: PhaseKind
    until: date


def _cycle_out(viewer: Viewer, cycle_id: int) -> dict[str, Any]:
    cycle = selectors.cycle_for_viewer(viewer, cycle_id)
    launched = cycle.status != cycle.Status.DRAFT
    rows = selectors.cycle_progress(cycle, now=timezone.now()) if launched else []
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "status": cycle.status,
        "template_id": cycle.template_version.template_id,
        "template_version": cycle.template_version.number,
        "launched_at": cycle.launched_at,
        "team_ids": [t.pk for t in cycle.teams.all()],
        "hired_before": cycle.hired_before,
        "statuses": cycle.statuses,
        "phases": selectors.ordered_phases(cycle),
        "progress": {
            "participants": sum(r.participants for r in rows),
            "by_team": [r.__dict__ for r in rows],
        },
    }


@router.get("/review-cycles", response=list[CycleSummaryOut], summary="Review cycles (HR)")
@paginate(StridePagination)
def cycle_list(request: HttpRequest) -> QuerySet[ReviewCycle]:
    """Every cycle, newest first."""
    return selectors.cycles_for(_viewer(request))


@router.post("/review-cycles", response={201: CycleOut}, summary="Create a draft cycle (HR)")
def cycle_create(request: HttpRequest, payload: CycleCreate) -> Status[dict[str, Any]]:
    """A draft cycle with its participant filter and its six phases. Phases that run
    backwards, a phase left out, or an unknown template or team answer 409 naming the
    field (``phases.3.starts_on``)."""
    viewer = _viewer(request)
    cycle = services.cycle_create(viewer=viewer, **payload.model_dump())
    return Status(201, _cycle_out(viewer, cycle.pk))


@router.get(
    "/review-cycles/{cycle_id}",
    response=CycleOut,
    summary="One cycle with its phase dates and progress counts (HR)",
)
def cycle_detail(request: HttpRequest, cycle_id: Id) -> dict[str, Any]:
    return _cycle_out(_viewer(request), cycle_id)


@router.post(
    "/review-cycles/{cycle_id}/launch", response=CycleOut, summary="Launch a draft cycle (HR)"
)
def cycle_launch(request: HttpRequest, cycle_id: Id) -> dict[str, Any]:
    """Fixes the participants (who match the filter now) and the template's latest
    version. A cycle already launched, or one nobody matches, answers 409."""
    viewer = _viewer(request)
    cycle = selectors.cycle_for_viewer(viewer, cycle_id)
    services.cycle_launch(viewer=viewer, cycle=cycle)
    return _cycle_out(viewer, cycle.pk)


@router.post(
    "/review-participants/{participant_id}/reopenings",
    response={201: ReopeningOut},
    summary="Reopen a phase for one participant after its deadline (HR)",
)
def participant_reopen(
    request: HttpRequest, participant_id: Id, payload: PhaseReopen
) -> Status[dict[str, Any]]:
    """Work for ``phase`` is accepted from this participant until the end of ``until``
    where they live. A day not after the phase's end, or a cycle not launched, answers
    409."""
    viewer = _viewer(request)
    participant = selectors.participant_for_hr(viewer, participant_id)
    made = services.phase_reopen(viewer=viewer, participant=participant, **payload.model_dump())
    return Status(
        201, {"person_id": participant.person_id, "phase": made.kind, "until": made.until}
    )


# --- answers: the self-assessment and the manager's review ---------------------------------


class AnswerOut(Schema):
    question_id: int
    rating: int | None
    text: str
    items: list[str]


class GoalResultOut(Schema):
    objective_id: int
    title: str
    period_start: date
    period_end: date
    progress: float = Field(description="0 to 1.")
    status: str


class ReviewQuestionOut(Schema):
    id: int
    section: str
    kind: QuestionKindValue
    prompt: str
    help_text: str
    scale: list[ScalePointOut] = Field(
        description="The points to rate on: an anchored scale, or the job levels (by rank) "
        "for a competency."
    )
    expected_level: int | None = Field(
        description="A competency question: the rank of the person's job level."
    )
    goal_results: list[GoalResultOut] = Field(
        description="A goal-results question: the person's objectives of the year up to "
        "the self-assessment's last day, with their progress."
    )


class ReviewSideOut(Schema):
    relationship: Relationship
    submitted_at: datetime | None
    answers: list[AnswerOut]


class MoodMonthOut(Schema):
    month: date = Field(description="The month's first day.")
    mean: float = Field(description="Average mood, 1 (awful) to 5 (great).")
    count: int


class CheckinHeadlineOut(Schema):
    week_start: date
    problems: str = Field(description="Shortened.")
    plans: str = Field(description="Shortened.")


class CheckinSummaryOut(Schema):
    start: date = Field(description="The first week counted (its Monday).")
    end: date = Field(description="The last week counted (its Monday).")
    weeks_expected: int
    weeks_checked_in: int
    current_streak: int
    longest_streak: int
    mood_months: list[MoodMonthOut]
    headlines: list[CheckinHeadlineOut] = Field(description="Newest first.")
    key_results_updated: int


class ReviewAnswersOut(Schema):
    review_id: int
    cycle_id: int
    person_id: int
    relationship: Relationship = Field(description="The caller's part.")
    due_on: date | None = Field(description="The caller's phase ends with this day.")
    deadline_passed: bool
    questions: list[ReviewQuestionOut] = Field(description="The questions the caller answers.")
    mine: ReviewSideOut
    other_submitted: bool
    other: ReviewSideOut | None = Field(
        description="The other party's answers: null until both have submitted."
    )
    overall_rating: int | None = Field(
        description="The manager's proposed overall rating (1–5); null on anyone else's side."
    )
    potential: int | None = Field(
        description="The manager's proposed potential (1–3); null on anyone else's side."
    )
    asks_potential: bool = Field(description="The cycle's template asks the manager for it.")
    checkin_summary: CheckinSummaryOut | None = Field(
        description="The manager's side only: the person's weekly check-ins of the year up "
        "to the self-assessment's last day."
    )


def _side(relationship: str, response: Any) -> dict[str, Any]:
    answers = response.answers if response is not None else {}
    return {
        "relationship": relationship,
        "submitted_at": response.submitted_at if response is not None else None,
        "answers": [
            {"question_id": int(key), **{"rating": None, "text": "", "items": [], **value}}
            for key, value in answers.items()
        ],
    }


def _answers_out(viewer: Viewer, review_id: int) -> dict[str, Any]:
    return _packet_out(viewer, selectors.review_for_viewer(viewer, review_id))


def _packet_out(
    viewer: Viewer, role: selectors.ReviewRole, *, written: bool = False
) -> dict[str, Any]:
    read = selectors.writing_packet if written else selectors.review_packet
    packet = read(viewer, role, now=timezone.now())
    participant = role.participant
    manager = role.relationship == "manager"
    return {
        "review_id": participant.pk,
        "cycle_id": participant.cycle_id,
        "person_id": participant.person_id,
        "relationship": role.relationship,
        "due_on": (packet.reopened_until or packet.phase.ends_on) if packet.phase else None,
        "deadline_passed": packet.deadline_passed,
        "questions": [
            {
                "id": row.question.pk,
                "section": row.question.section.title,
                "kind": row.question.kind,
                "prompt": row.question.prompt,
                "help_text": row.question.help_text,
                "scale": [c.__dict__ for c in row.scale],
                "expected_level": row.expected,
                "goal_results": [g.__dict__ for g in row.goals],
            }
            for row in packet.rows
        ],
        "mine": _side(role.relationship, packet.mine),
        "other_submitted": packet.other_submitted,
        "other": (
            _side(packet.other.relationship, packet.other) if packet.other is not None else None
        ),
        "overall_rating": participant.proposed_rating if manager else None,
        "potential": participant.potential if manager else None,
        "asks_potential": participant.cycle.template_version.asks_potential,
        "checkin_summary": asdict(packet.checkins) if packet.checkins is not None else None,
    }


def _saved(viewer: Viewer, role: selectors.ReviewRole, payload: AnswersIn) -> dict[str, Any]:
    services.review_draft_save(
        viewer=viewer,
        participant=role.participant,
        relationship=role.relationship,
        answers=payload.answers,
        overall_rating=payload.overall_rating,
        potential=payload.potential,
    )
    return _packet_out(viewer, role, written=True)


def _submitted(viewer: Viewer, role: selectors.ReviewRole) -> dict[str, Any]:
    services.review_submit(
        viewer=viewer, participant=role.participant, relationship=role.relationship
    )
    return _packet_out(viewer, role, written=True)


@router.get(
    "/reviews/{review_id}/answers",
    response=ReviewAnswersOut,
    summary="Your answers in a review (self-assessment or manager's review)",
)
def review_answers(request: HttpRequest, review_id: Id) -> dict[str, Any]:
    """``review_id`` is a cycle participant: the person reviewed answers the
    self-assessment, their manager at the launch the manager's review; anyone else gets
    404. The other party's answers appear only once both have submitted."""
    return _answers_out(_viewer(request), review_id)


@router.put(
    "/reviews/{review_id}/answers",
    response=ReviewAnswersOut,
    summary="Save your draft answers in a review",
)
def review_answers_save(request: HttpRequest, review_id: Id, payload: AnswersIn) -> dict[str, Any]:
    """Replaces the draft. A question you do not answer, a rating off the scale, or a
    part the question does not take answers 409 (``answers.<i>.<field>``); so do a passed
    deadline (unless HR reopened it for the person) and a submitted review. The manager
    also sends ``overall_rating`` and ``potential`` (422 off their scales; 409 from anyone
    else, or ``potential`` where the template does not ask for it)."""
    viewer = _viewer(request)
    return _saved(viewer, selectors.review_for_viewer(viewer, review_id), payload)


@router.post(
    "/reviews/{review_id}/answers/submit",
    response=ReviewAnswersOut,
    summary="Submit your saved answers in a review",
)
def review_answers_submit(request: HttpRequest, review_id: Id) -> dict[str, Any]:
    """Submits the saved draft. A question still needing its answer answers 409 naming
    it (``questions.<id>``), as do a passed deadline and a review already submitted; the
    manager's review also needs ``overall_rating`` (and ``potential`` where the template
    asks), 409 naming the missing field. Submitting makes the proposal the final rating
    until calibration changes it."""
    viewer = _viewer(request)
    return _submitted(viewer, selectors.review_for_viewer(viewer, review_id))


class NudgeOut(Schema):
    person_id: int = Field(description="Who was sent the e-mail: the person or their manager.")
    phase: Literal["self_assessment", "manager_review"]


@router.post(
    "/review-participants/{participant_id}/nudges",
    response={201: NudgeOut},
    summary="Nudge whoever owes a participant's late work by e-mail (HR)",
)
def participant_nudge(
    request: HttpRequest, participant_id: Id, payload: Nudge
) -> Status[dict[str, Any]]:
    """One e-mail to the person (self-assessment) or their manager at launch (manager's
    review). Work that is not late, or a person already nudged today, answers 409."""
    viewer = _viewer(request)
    participant = selectors.participant_to_nudge(viewer, participant_id)
    services.participant_nudge(viewer=viewer, participant=participant, phase=payload.phase)
    relationship = selectors.TRACKED_PHASES[Phase(payload.phase)]
    return Status(
        201,
        {
            "person_id": selectors.answer_author(participant, relationship),
            "phase": payload.phase,
        },
    )


# --- peer and upward reviewers -------------------------------------------------------------

AssignmentStatus = Literal["nominated", "approved", "declined", "removed"]


class PeerOut(Schema):
    reviewer_id: int
    name: str
    status: AssignmentStatus
    decline_reason: str | None = Field(
        description="Why the peer declined: shown to the manager only (null otherwise)."
    )


class PeersOut(Schema):
    review_id: int
    min_peers: int
    max_peers: int
    peers: list[PeerOut]


def _peers_out(viewer: Viewer, review_id: int) -> dict[str, Any]:
    role = selectors.review_for_viewer(viewer, review_id)
    participant = role.participant
    is_manager = role.relationship == "manager"
    return {
        "review_id": participant.pk,
        "min_peers": participant.cycle.min_peers,
        "max_peers": participant.cycle.max_peers,
        "peers": [
            {
                "reviewer_id": a.reviewer_id,
                "name": a.reviewer.name,
                "status": a.status,
                "decline_reason": a.decline_reason if is_manager else None,
            }
            for a in selectors.peers_of(participant)
        ],
    }


@router.get(
    "/reviews/{review_id}/peers",
    response=PeersOut,
    summary="A review's peer reviewers (the person and their manager)",
)
def review_peers(request: HttpRequest, review_id: Id) -> dict[str, Any]:
    return _peers_out(_viewer(request), review_id)


@router.put(
    "/reviews/{review_id}/peers",
    response=PeersOut,
    summary="Nominate your peer reviewers",
)
def review_peers_nominate(
    request: HttpRequest, review_id: Id, payload: PeerNominate
) -> dict[str, Any]:
    """The person reviewed names between the cycle's fewest and most peers while peer
    nomination is open; nominations not yet decided are replaced. Yourself, someone
    unknown or a direct report already reviewing upward answers 409 naming the entry."""
    viewer = _viewer(request)
    role = selectors.review_for_viewer(viewer, review_id)
    services.peer_nominate(
        viewer=viewer, participant=role.participant, reviewer_ids=payload.reviewer_ids
    )
    return _peers_out(viewer, review_id)


@router.post(
    "/reviews/{review_id}/peers/decisions",
    response=PeersOut,
    summary="Approve, remove or add peer reviewers (the manager)",
)
def review_peers_decide(
    request: HttpRequest, review_id: Id, payload: PeerDecision
) -> dict[str, Any]:
    """Only the person's manager at the launch; more approved peers than the cycle's
    most answers 409."""
    viewer = _viewer(request)
    role = selectors.review_for_viewer(viewer, review_id)
    services.peer_decide(viewer=viewer, participant=role.participant, **payload.model_dump())
    return _peers_out(viewer, review_id)


class ReviewRequestOut(Schema):
    id: int
    review_id: int
    cycle_id: int
    person_id: int = Field(description="The person to review.")
    person_name: str
    relationship: Literal["peer", "upward"]
    status: AssignmentStatus

    @staticmethod
    def resolve_review_id(request: ReviewerAssignment) -> int:
        return request.participant_id

    @staticmethod
    def resolve_cycle_id(request: ReviewerAssignment) -> int:
        return request.participant.cycle_id

    @staticmethod
    def resolve_person_id(request: ReviewerAssignment) -> int:
        return request.participant.person_id

    @staticmethod
    def resolve_person_name(request: ReviewerAssignment) -> str:
        return request.participant.person.name


@router.get(
    "/review-requests",
    response=list[ReviewRequestOut],
    summary="The peer and upward reviews you are asked to write",
)
@paginate(StridePagination)
def review_request_list(request: HttpRequest) -> QuerySet[ReviewerAssignment]:
    return selectors.review_requests_of(_viewer(request))


@router.post(
    "/review-requests/{request_id}/decline",
    response=ReviewRequestOut,
    summary="Decline to write a review, saying why",
)
def review_request_decline(
    request: HttpRequest, request_id: Id, payload: ReviewDecline
) -> ReviewerAssignment:
    viewer = _viewer(request)
    assignment = selectors.review_request_for_viewer(viewer, request_id)
    return services.reviewer_decline(viewer=viewer, assignment=assignment, reason=payload.reason)


def _request_role(viewer: Viewer, request_id: int) -> selectors.ReviewRole:
    assignment = selectors.review_request_for_viewer(viewer, request_id)
    return selectors.ReviewRole(assignment.participant, assignment.relationship)


@router.get(
    "/review-requests/{request_id}/answers",
    response=ReviewAnswersOut,
    summary="Your answers as a peer or upward reviewer",
)
def review_request_answers(request: HttpRequest, request_id: Id) -> dict[str, Any]:
    """Your own answers only: a peer's or report's answers are never shown with their
    author, and nobody else's are shown here (``other`` is always null)."""
    viewer = _viewer(request)
    return _packet_out(viewer, _request_role(viewer, request_id))


@router.put(
    "/review-requests/{request_id}/answers",
    response=ReviewAnswersOut,
    summary="Save your draft answers as a peer or upward reviewer",
)
def review_request_answers_save(
    request: HttpRequest, request_id: Id, payload: AnswersIn
) -> dict[str, Any]:
    """An approved reviewer only (404 before the manager approves), until the peer and
    upward reviews' deadline."""
    viewer = _viewer(request)
    return _saved(viewer, _request_role(viewer, request_id), payload)


@router.post(
    "/review-requests/{request_id}/answers/submit",
    response=ReviewAnswersOut,
    summary="Submit your answers as a peer or upward reviewer",
)
def review_request_answers_submit(request: HttpRequest, request_id: Id) -> dict[str, Any]:
    viewer = _viewer(request)
    return _submitted(viewer, _request_role(viewer, request_id))


# Review packets and analytics, calibration, and sharing and sign-off add their routes to
# ``router``.
from stride.reviews import api_calibration, api_packets, api_sign_off  # noqa: E402, F401
