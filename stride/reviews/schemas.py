"""Input schemas of the review operations: one per write, used by the API and the pages.

Built from ``stride.lib.fields`` so each limit is written once and stated in the OpenAPI
document. The services keep the rules that need the database or other fields (a rating
question needs a scale, a competency question a competency, a job level's rank is unique).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from stride.lib.fields import (
    CommentText,
    Day,
    Id,
    LongText,
    Moment,
    Note,
    PatchSchema,
    ShortName,
    Title,
    Weight,
    unset,
)

Relationship = Literal["self", "manager", "peer", "upward"]
QuestionKindValue = Literal[
    "rating",
    "text",
    "list",
    "competency",
    "goal_results",
    "improvement_areas",
    "next_goals",
]

MAX_SCALE_POINTS = 10
MAX_SECTIONS = 30
MAX_QUESTIONS = 50
MAX_JOB_LEVELS = 30


class ScalePointIn(Schema):
    """One point of an anchored scale; points are numbered 1 … n in the order sent."""

    label: ShortName
    description: Note = ""


class QuestionIn(Schema):
    """A question. An anchored rating needs a scale of 2 to 10 points; a competency rating
    needs ``competency_id`` (its scale is the job levels). Only ratings carry weight in the
    score; ``weight`` is the question's weight within its section."""

    kind: QuestionKindValue
    prompt: Title
    help_text: Note = ""
    weight: Weight = Field(default=Decimal(1), json_schema_extra={"default": 1})
    answered_by: list[Relationship] = Field(
        min_length=1, max_length=4, description="Who answers it: self, manager, peer, upward."
    )
    scale: list[ScalePointIn] = Field(default_factory=list, max_length=MAX_SCALE_POINTS)
    competency_id: Id | None = None


class SectionIn(Schema):
    """A section; ``weight`` is its share of the overall score."""

    title: Title
    description: LongText = ""
    weight: Weight = Field(default=Decimal(1), json_schema_extra={"default": 1})


class SectionWithQuestions(SectionIn):
    questions: list[QuestionIn] = Field(default_factory=list, max_length=MAX_QUESTIONS)


class TemplateCreate(Schema):
    """A new template, optionally with its sections and questions (all or nothing)."""

    name: Title
    description: LongText = ""
    asks_potential: bool = Field(
        default=True, description="Whether the manager also proposes the person's potential."
    )
    sections: list[SectionWithQuestions] = Field(default_factory=list, max_length=MAX_SECTIONS)


class TemplateChange(PatchSchema):
    """Rename or redescribe a template, or change whether it asks for potential (a change
    of the content: versioned like the questions)."""

    name: Title = unset()
    description: LongText = unset()
    asks_potential: bool = unset()


class JobLevelIn(Schema):
    name: ShortName
    rank: int = Field(ge=1, le=MAX_JOB_LEVELS, description="1 is the most junior level.")
    description: Note = ""


class CompetencyLevelIn(Schema):
    job_level_id: Id
    description: Note = ""


class CompetencyIn(Schema):
    """A competency with what it looks like at each job level (levels left out have no
    description yet)."""

    name: ShortName
    description: LongText = ""
    levels: list[CompetencyLevelIn] = Field(default_factory=list, max_length=MAX_JOB_LEVELS)


class JobLevelAssign(Schema):
    """A person's job level; null clears it."""

    job_level_id: Id | None


# --- cycles ------------------------------------------------------------------------------

PhaseKind = Literal[
    "self_assessment",
    "peer_nomination",
    "peer_reviews",
    "manager_review",
    "calibration",
    "sharing",
]
ParticipantStatus = Literal["active", "on_leave"]
MAX_CYCLE_TEAMS = 200
MAX_PEERS = 20


def _active_only() -> list[ParticipantStatus]:
    return ["active"]


class PhaseIn(Schema):
    """A phase and its dates; its work is due by the end of ``ends_on`` where each person
    lives."""

    kind: PhaseKind
    starts_on: Day
    ends_on: Day


class CycleCreate(Schema):
    """A draft cycle: its template (the latest version is fixed at launch), who takes part
    and its phases. Phases must run in order: each starts no earlier than the one before
    it starts and ends no earlier than it ends (409 otherwise)."""

    name: Title
    template_id: Id
    team_ids: list[Id] = Field(
        default_factory=list,
        max_length=MAX_CYCLE_TEAMS,
        description="People in these teams; every team when empty.",
    )
    hired_before: Day | None = Field(default=None, description="Only people hired before it.")
    statuses: list[ParticipantStatus] = Field(
        default_factory=_active_only,
        min_length=1,
        max_length=2,
        json_schema_extra={"default": ["active"]},
    )
    phases: list[PhaseIn] = Field(min_length=1, max_length=6)
    min_peers: int = Field(
        default=3, ge=0, le=MAX_PEERS, description="Fewest peers each participant nominates."
    )
    max_peers: int = Field(
        default=8,
        ge=1,
        le=MAX_PEERS,
        description="Most peers a participant nominates and their manager approves; not "
        "below ``min_peers`` (409).",
    )


class PhaseReopen(Schema):
    """Let one participant hand in a phase's work after its deadline, until ``until``."""

    phase: PhaseKind
    until: Day


# --- answers -----------------------------------------------------------------------------

MAX_LIST_ITEMS = 20
#: A rating is a point of an anchored scale (1 … 10) or a job level's rank (1 … 30).
MAX_RATING = max(MAX_SCALE_POINTS, MAX_JOB_LEVELS)


class AnswerIn(Schema):
    """The answer to one question. Which parts a question takes depends on its kind: a
    rating for an anchored or competency rating (on its scale, or a job level's rank),
    ``items`` for a list or next period's goals, ``text`` for any (the answer of a text
    question or an area to improve, a comment on the others)."""

    question_id: Id
    rating: int | None = Field(default=None, ge=1, le=MAX_RATING)
    text: LongText = ""
    items: list[Note] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)


#: The overall rating's scale (``models.OverallRating``) and potential's (``models.Potential``).
OVERALL_RATING_TOP = 5
POTENTIAL_TOP = 3


class AnswersIn(Schema):
    """A draft: the answers so far (each question once). Saving replaces the draft. The
    manager's review also carries the proposed overall rating and, where the cycle's
    template asks for it, potential (409 from anyone else, or when it does not ask)."""

    answers: list[AnswerIn] = Field(default_factory=list, max_length=MAX_SECTIONS * MAX_QUESTIONS)
    overall_rating: int | None = Field(
        default=None,
        ge=1,
        le=OVERALL_RATING_TOP,
        description="The manager's proposed overall rating: 1 does not meet expectations … "
        "5 far exceeds them. Required to submit the manager's review.",
    )
    potential: int | None = Field(
        default=None,
        ge=1,
        le=POTENTIAL_TOP,
        description="The manager's view of the person's potential: 1 low, 2 moderate, "
        "3 high. Required to submit where the template asks for it.",
    )


NudgedPhase = Literal["self_assessment", "manager_review"]


class Nudge(Schema):
    """Remind whoever owes this late phase's work (the person, or their manager)."""

    phase: NudgedPhase


# --- peer and upward reviewers -----------------------------------------------------------


class PeerNominate(Schema):
    """The peers a participant nominates (replacing their nominations not yet decided)."""

    reviewer_ids: list[Id] = Field(max_length=MAX_PEERS)


class PeerDecision(Schema):
    """A manager's decisions on a participant's peers: approve nominations, remove peers,
    add peers of their own (approved at once)."""

    approve: list[Id] = Field(default_factory=list, max_length=MAX_PEERS)
    remove: list[Id] = Field(default_factory=list, max_length=MAX_PEERS)
    add: list[Id] = Field(default_factory=list, max_length=MAX_PEERS)


class ReviewDecline(Schema):
    """A reviewer declines to review, saying why."""

    reason: CommentText


# --- calibration -------------------------------------------------------------------------

ReactionValue = Literal["agree", "question", "no_view"]
#: The overall rating's scale (``models.OverallRating``) and potential's (``Potential``).
RATING_MAX = 5
POTENTIAL_MAX = 3


class ReactionIn(Schema):
    """A calibrator's reaction to a proposed rating before the meeting (replacing their
    earlier one)."""

    reaction: ReactionValue = Field(
        description="agree, question (to raise it in the meeting) or no_view."
    )
    comment: Note = ""


class CalibrateIn(Schema):
    """Calibration changes a rating or a potential, always saying why."""

    rating: int = Field(
        ge=1, le=RATING_MAX, description="The final overall rating, 1 (does not meet) to 5."
    )
    potential: int | None = Field(
        default=None,
        ge=1,
        le=POTENTIAL_MAX,
        description="The final potential, 1 (low) to 3 (high); null leaves it as it is.",
    )
    reason: CommentText = Field(description="Why: the manager reads it with the final rating.")


# --- sharing and sign-off ------------------------------------------------------------------

MEETING_MINUTES_MIN = 15
MEETING_MINUTES_MAX = 240


class ReviewShare(Schema):
    """The manager shares a submitted review with the person, optionally with a meeting."""

    meeting_at: Moment | None = Field(
        default=None,
        description="When the review meeting starts (optional); it must lie ahead, within a "
        "year (409). The person's e-mail carries it as a calendar invitation.",
    )
    meeting_minutes: int = Field(
        default=30,
        ge=MEETING_MINUTES_MIN,
        le=MEETING_MINUTES_MAX,
        description=f"The meeting's length, {MEETING_MINUTES_MIN} to {MEETING_MINUTES_MAX} "
        "minutes.",
    )


class ReviewAcknowledge(Schema):
    """The person acknowledges their shared review, optionally with a comment."""

    comment: LongText = ""
