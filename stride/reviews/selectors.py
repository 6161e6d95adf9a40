"""Reads of review templates, the competency framework and cycles, scoped by the viewer.

Templates, the framework's administration and cycles belong to HR admins: for anyone else
these selectors answer 404 (not 403), so the pages' existence does not leak. The framework
itself (competencies and what each level means) is open to every signed-in person, as a
career ladder is meant to be read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, overload

from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.http import Http404

from stride.access.audit import audit_read
from stride.access.viewer import Viewer
from stride.lib import cycle_dates
from stride.lib.review_scoring import normalised_weights
from stride.org.checkin_summary import CheckinSummary, checkin_summary
from stride.org.goal_results import GoalResult, goal_results
from stride.org.models import Person, Team
from stride.org.selectors import people_visible_to, person_for_viewer
from stride.reviews.models import (
    PHASE_ORDER,
    Competency,
    CompetencyLevel,
    CycleParticipant,
    CyclePhase,
    JobLevel,
    PersonJobLevel,
    Phase,
    PhaseReopening,
    QuestionKind,
    Relationship,
    ReviewCycle,
    ReviewerAssignment,
    ReviewResponse,
    ReviewTemplate,
    TemplateQuestion,
    TemplateSection,
    TemplateVersion,
)


def require_hr(viewer: Viewer) -> None:
    """404 for everyone but HR admins."""
    if not viewer.is_hr_admin:
        raise Http404


# --- templates ---------------------------------------------------------------------------


def templates_for(viewer: Viewer) -> QuerySet[ReviewTemplate]:
    """Every template with its latest version number (``latest``)."""
    require_hr(viewer)
    return ReviewTemplate.objects.annotate(latest=Max("versions__number")).order_by("name", "id")


def template_for_viewer(viewer: Viewer, template_id: int) -> ReviewTemplate:
    template = templates_for(viewer).filter(pk=template_id).first()
    if template is None:
        raise Http404
    return template


def _version_contents() -> Prefetch[str, QuerySet[TemplateSection], str]:
    questions = Prefetch("questions", queryset=_questions())
    return Prefetch("sections", queryset=TemplateSection.objects.prefetch_related(questions))


def _questions() -> QuerySet[TemplateQuestion]:
    return TemplateQuestion.objects.select_related("competency").prefetch_related("points")


def latest_version(template: ReviewTemplate) -> TemplateVersion:
    """The template's latest version with its sections, questions and scales (4 queries)."""
    version = (
        TemplateVersion.objects.filter(template=template)
        .prefetch_related(_version_contents())
        .order_by("-number")
        .first()
    )
    if version is None:  # every template is created with a version
        raise Http404
    return version


def version_is_locked(version: TemplateVersion) -> bool:
    """True when a cycle that is no longer a draft uses ``version``: it may not change."""
    return (
        ReviewCycle.objects.filter(template_version=version)
        .exclude(status=ReviewCycle.Status.DRAFT)
        .exists()
    )


def versions_of(template: ReviewTemplate) -> QuerySet[TemplateVersion]:
    return TemplateVersion.objects.filter(template=template).order_by("-number")


@dataclass(frozen=True)
class SectionView:
    section: TemplateSection
    share: float  # the section's share of the overall score, 0…1


def section_shares(version: TemplateVersion) -> list[SectionView]:
    """Each section with its share of the overall score, as the builder shows it. Sections
    without a scored question carry no share."""
    sections = list(version.sections.all())
    weights = [
        s.weight if any(q.is_scored for q in s.questions.all()) else Decimal(0) for s in sections
    ]
    shares = normalised_weights(weights)
    return [SectionView(s, share) for s, share in zip(sections, shares, strict=True)]


# --- competencies ------------------------------------------------------------------------


def job_levels(viewer: Viewer) -> QuerySet[JobLevel]:
    if not viewer.is_authenticated:
        return JobLevel.objects.none()
    return JobLevel.objects.order_by("rank")


def competencies_for(viewer: Viewer) -> QuerySet[Competency]:
    """The framework: each competency with its level descriptions (ordered by rank)."""
    if not viewer.is_authenticated:
        return Competency.objects.none()
    levels = CompetencyLevel.objects.select_related("job_level").order_by("job_level__rank")
    return Competency.objects.prefetch_related(Prefetch("levels", queryset=levels))


def competency_for_hr(viewer: Viewer, competency_id: int) -> Competency:
    require_hr(viewer)
    competency = competencies_for(viewer).filter(pk=competency_id).first()
    if competency is None:
        raise Http404
    return competency


def job_level_of(person: Person) -> JobLevel | None:
    """The person's job level: their expected level in every competency."""
    found = PersonJobLevel.objects.filter(person=person).select_related("level").first()
    return found.level if found else None


# --- cycles ------------------------------------------------------------------------------


def cycles_using(viewer: Viewer, template: ReviewTemplate) -> QuerySet[ReviewCycle]:
    require_hr(viewer)
    return ReviewCycle.objects.filter(template_version__template=template).select_related(
        "template_version"
    )


def cycles_for(viewer: Viewer) -> QuerySet[ReviewCycle]:
    """Every cycle, newest first, with its template and version (HR only)."""
    require_hr(viewer)
    return ReviewCycle.objects.select_related("template_version__template").order_by(
        "-created_at", "-id"
    )


def cycle_for_viewer(viewer: Viewer, cycle_id: int) -> ReviewCycle:
    cycle = (
        cycles_for(viewer)
        .prefetch_related(
            Prefetch("phases", queryset=CyclePhase.objects.order_by("starts_on", "id")),
            Prefetch("teams", queryset=Team.objects.order_by("name")),
        )
        .filter(pk=cycle_id)
        .first()
    )
    if cycle is None:
        raise Http404
    return cycle


def ordered_phases(cycle: ReviewCycle) -> list[CyclePhase]:
    """The cycle's phases in the order they run (from the prefetched ones)."""
    return sorted(cycle.phases.all(), key=lambda p: PHASE_ORDER.index(p.kind))


def teams_for(viewer: Viewer) -> QuerySet[Team]:
    require_hr(viewer)
    return Team.objects.order_by("name")


def cycle_candidates(cycle: ReviewCycle) -> QuerySet[Person]:
    """Who the cycle's filter picks now: people with one of its statuses (never someone
    who left), in one of its teams (any team when it names none), hired before its date
    (when it has one; people without a hire date are then left out)."""
    statuses = [s for s in cycle.statuses if s != Person.Status.LEFT]
    qs = Person.objects.filter(status__in=statuses)
    team_ids = [t.pk for t in cycle.teams.all()]
    if team_ids:
        qs = qs.filter(team_id__in=team_ids)
    if cycle.hired_before is not None:
        qs = qs.filter(hire_date__lt=cycle.hired_before)
    return qs


@dataclass(frozen=True)
class TeamProgress:
    team_id: int | None
    team: str
    participants: int
    reopened: int
    self_submitted: int = 0
    self_late: int = 0
    nomination_done: int = 0
    nomination_late: int = 0
    peer_reviews_done: int = 0
    peer_reviews_late: int = 0
    manager_submitted: int = 0
    manager_late: int = 0


def cycle_progress(cycle: ReviewCycle, *, now: datetime) -> list[TeamProgress]:
    """Per team (as at the launch): participants, how many had a phase reopened, and for
    each phase with work (``PROGRESS_PHASES``) how many are done and how many are late
    (past the deadline where the person lives, not done). A fixed number of queries,
    whatever the cycle's size."""
    reopened: dict[int | None, int] = dict(
        PhaseReopening.objects.filter(participant__cycle=cycle)
        .values("participant__team_id")
        .annotate(n=Count("participant_id", distinct=True))
        .values_list("participant__team_id", "n")
    )
    late = lateness_by_team(cycle, now=now)
    # How many per team comes with the (cached) groups: only the names are read here.
    names: dict[int | None, str] = dict(
        Team.objects.filter(pk__in=[t for t in late if t]).values_list("pk", "name")
    )
    out = []
    for team_id in sorted(late, key=lambda t: (t is not None, names.get(t, ""), t or 0)):
        team = late[team_id]
        out.append(
            TeamProgress(
                team_id,
                names.get(team_id, ""),
                team.participants,
                reopened.get(team_id, 0),
                self_submitted=team.submitted.get(Phase.SELF_ASSESSMENT, 0),
                self_late=team.late.get(Phase.SELF_ASSESSMENT, 0),
                nomination_done=team.submitted.get(Phase.PEER_NOMINATION, 0),
                nomination_late=team.late.get(Phase.PEER_NOMINATION, 0),
                peer_reviews_done=team.submitted.get(Phase.PEER_REVIEWS, 0),
                peer_reviews_late=team.late.get(Phase.PEER_REVIEWS, 0),
                manager_submitted=team.submitted.get(Phase.MANAGER_REVIEW, 0),
                manager_late=team.late.get(Phase.MANAGER_REVIEW, 0),
            )
        )
    return out


def participant_for_hr(viewer: Viewer, participant_id: int) -> CycleParticipant:
    require_hr(viewer)
    found = (
        CycleParticipant.objects.select_related("cycle", "person").filter(pk=participant_id).first()
    )
    if found is None:
        raise Http404
    return found


class ParticipantsByName:
    """A launched cycle's participants in name order, for a ``Paginator``: counted on the
    participants' own index, and each page found by walking people in name order (their
    name index) until the page is full, so no page sorts the whole cycle. Each page's
    participants come with their work state (``with_work_state``) and reopenings."""

    def __init__(self, cycle: ReviewCycle) -> None:
        self.cycle = cycle

    def count(self) -> int:
        return CycleParticipant.objects.filter(cycle=self.cycle).count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[CycleParticipant]:
        return iter(self[:])

    @overload
    def __getitem__(self, window: int) -> CycleParticipant: ...
    @overload
    def __getitem__(self, window: slice) -> list[CycleParticipant]: ...
    def __getitem__(self, window: int | slice) -> CycleParticipant | list[CycleParticipant]:
        if isinstance(window, int):
            return self[window : window + 1][0]
        taking = CycleParticipant.objects.filter(cycle=self.cycle, person=OuterRef("pk"))
        people = list(
            Person.objects.filter(Exists(taking))
            .order_by("name", "id")
            .values_list("pk", flat=True)[window]
        )
        found = {
            p.person_id: p
            for p in with_work_state(
                CycleParticipant.objects.filter(cycle=self.cycle, person_id__in=people)
            )
            .select_related("person", "manager", "team")
            .prefetch_related("reopenings")
        }
        return [found[pk] for pk in people if pk in found]


def cycle_participants(cycle: ReviewCycle) -> QuerySet[CycleParticipant]:
    return (
        with_work_state(CycleParticipant.objects.filter(cycle=cycle))
        .select_related("person", "manager", "team")
        .prefetch_related("reopenings")
        .order_by("person__name", "id")
    )


def section_of_latest(template: ReviewTemplate, section_id: int) -> TemplateSection:
    """A section of the template's latest version (older versions' are not editable)."""
    section = (
        TemplateSection.objects.filter(pk=section_id, version__template=template)
        .filter(version__number=_latest_number(template))
        .first()
    )
    if section is None:
        raise Http404
    return section


def question_of_latest(template: ReviewTemplate, question_id: int) -> TemplateQuestion:
    question = (
        _questions()
        .select_related("section")
        .filter(pk=question_id, section__version__template=template)
        .filter(section__version__number=_latest_number(template))
        .first()
    )
    if question is None:
        raise Http404
    return question


def _latest_number(template: ReviewTemplate) -> int:
    latest = getattr(template, "latest", None)
    if latest is None:
        latest = versions_of(template).values_list("number", flat=True).first() or 0
    return int(latest)


# --- people ------------------------------------------------------------------------------


def person_by_email(viewer: Viewer, email: str) -> Person | None:
    require_hr(viewer)
    return people_visible_to(viewer).filter(email__iexact=email.strip()).first()


def person_for_hr(viewer: Viewer, person_id: int) -> Person:
    require_hr(viewer)
    return person_for_viewer(viewer, person_id)


# --- answers -----------------------------------------------------------------------------

#: The phase whose deadline a relationship's answers keep.
ANSWER_PHASE = {
    Relationship.SELF: Phase.SELF_ASSESSMENT,
    Relationship.MANAGER: Phase.MANAGER_REVIEW,
    Relationship.PEER: Phase.PEER_REVIEWS,
    Relationship.UPWARD: Phase.PEER_REVIEWS,
}
#: Relationships whose answers are anonymous: never shown with, or logged under, an author.
ANONYMOUS = frozenset({Relationship.PEER, Relationship.UPWARD})
#: Whose answers each party of a review may see once both have submitted.
COUNTERPART = {Relationship.SELF: Relationship.MANAGER, Relationship.MANAGER: Relationship.SELF}
#: Goal results cover the objectives of the year up to the self-assessment's last day.
GOAL_RESULTS_DAYS = 365


@dataclass(frozen=True)
class ReviewRole:
    """A review (one participant of a cycle) and the viewer's part in it."""

    participant: CycleParticipant
    relationship: str  # Relationship.SELF or Relationship.MANAGER


def review_for_viewer(viewer: Viewer, review_id: int) -> ReviewRole:
    """A review the viewer takes part in: as the person reviewed, or as their manager at
    the launch. Anyone else (HR admins included: they run cycles, they are not a party to
    a review) gets 404."""
    person_id = viewer.person_id
    found = (
        CycleParticipant.objects.select_related("cycle__template_version", "person", "manager")
        .exclude(cycle__status=ReviewCycle.Status.DRAFT)
        .filter(pk=review_id)
        .first()
    )
    if found is None or person_id is None:
        raise Http404
    if found.person_id == person_id:
        return ReviewRole(found, Relationship.SELF)
    if found.manager_id == person_id:
        return ReviewRole(found, Relationship.MANAGER)
    raise Http404


def reviews_of(viewer: Viewer) -> QuerySet[CycleParticipant]:
    """The reviews of launched or closed cycles the viewer takes part in (their own and
    those of the people they managed at the launch), newest cycle first."""
    if viewer.person_id is None:
        return CycleParticipant.objects.none()
    return (
        CycleParticipant.objects.filter(
            Q(person_id=viewer.person_id) | Q(manager_id=viewer.person_id)
        )
        .exclude(cycle__status=ReviewCycle.Status.DRAFT)
        .select_related("cycle", "person")
        .order_by("-cycle__launched_at", "-cycle_id", "person__name", "id")
    )


def takes_part_q(person: Any) -> Any:
    """Whether the person (an ``OuterRef`` to their id) is reviewed, manages someone
    reviewed, or is asked to review, in a launched or closed cycle: the navigation's
    "Reviews" flag (``Viewer.flags``), read with the login."""
    running = ~Q(cycle__status=ReviewCycle.Status.DRAFT)
    return Exists(
        CycleParticipant.objects.filter(running, Q(person_id=person) | Q(manager_id=person))
    ) | Exists(
        ReviewerAssignment.objects.filter(
            reviewer_id=person, participant__cycle__status=ReviewCycle.Status.LAUNCHED
        )
    )


def answer_author(participant: CycleParticipant, relationship: str) -> int | None:
    """Who writes a relationship's answers: the person, or their manager at the launch."""
    return participant.person_id if relationship == Relationship.SELF else participant.manager_id


def answering_questions(version_id: int, relationship: str) -> QuerySet[TemplateQuestion]:
    """The questions of a version that ``relationship`` answers, in page order."""
    return (
        _questions()
        .select_related("section")
        .filter(section__version_id=version_id, **{f"by_{relationship}": True})
        .order_by("section__position", "section_id", "position", "id")
    )


@dataclass(frozen=True)
class ScaleChoice:
    value: int
    label: str
    description: str


@dataclass
class QuestionRow:
    """One question of a review with one party's answer, its scale and, where it
    applies, the expected job level or the person's goal results."""

    question: TemplateQuestion
    answer: dict[str, Any]
    scale: list[ScaleChoice]
    expected: int | None = None  # a competency question: the person's job level's rank
    goals: list[GoalResult] = field(default_factory=list)


@dataclass
class ReviewPacket:
    role: ReviewRole
    rows: list[QuestionRow]  # the viewer's questions and answers
    other_rows: list[QuestionRow]  # the other party's: empty until both have submitted
    mine: ReviewResponse | None
    other: ReviewResponse | None  # None until both have submitted
    other_submitted: bool
    phase: CyclePhase | None
    deadline_passed: bool
    reopened_until: date | None
    # The manager's side only: the period's check-ins (None where not shown).
    checkins: CheckinSummary | None = None

    @property
    def relationship(self) -> str:
        return self.role.relationship

    @property
    def submitted(self) -> bool:
        return self.mine is not None and self.mine.submitted_at is not None

    @property
    def both_submitted(self) -> bool:
        return self.other is not None


def _blank_answer() -> dict[str, Any]:
    return {"rating": None, "text": "", "items": []}


def review_packet(
    viewer: Viewer, role: ReviewRole, *, now: datetime, goals_shown: bool = True
) -> ReviewPacket:
    """The viewer's side of a review: the questions they answer with their draft or
    submitted answers, and the other party's answers only once *both* have submitted (the
    person and the manager do not see each other's before). Showing the other party's
    answers is audited. A bounded number of queries, whatever the template or cycle.

    ``goals_shown=False`` leaves the goal results out: reading them may write a named
    audit entry (a private objective), which beside an anonymous reviewer's write would
    date it to the second. A peer or upward reviewer never reads them, on their page or
    when they write (``writing_packet``): goal results are the person's and manager's."""
    participant = role.participant
    cycle = participant.cycle
    relationship = role.relationship
    goals_shown = goals_shown and Relationship(relationship) not in ANONYMOUS
    # A peer or upward reviewer sees their own answers only.
    counterpart = COUNTERPART.get(Relationship(relationship))
    if counterpart is None:
        responses = {
            relationship: ReviewResponse.objects.filter(
                participant=participant, relationship=relationship, author_id=viewer.person_id
            ).first()
        }
    else:
        responses = {
            r.relationship: r
            for r in ReviewResponse.objects.filter(
                participant=participant, relationship__in=[relationship, counterpart]
            )
            if r.author_id == answer_author(participant, r.relationship)
        }
    mine = responses.get(relationship)
    theirs = responses.get(counterpart) if counterpart else None
    other_submitted = theirs is not None and theirs.submitted_at is not None
    both = mine is not None and mine.submitted_at is not None and other_submitted
    other = theirs if both else None
    if other is not None:
        audit_read(actor=viewer, action="review_response.read", target=other)

    questions = list(answering_questions(cycle.template_version_id, relationship))
    other_questions = (
        list(answering_questions(cycle.template_version_id, counterpart))
        if other is not None and counterpart is not None
        else []
    )
    every = questions + other_questions
    levels = [ScaleChoice(j.rank, j.name, "") for j in JobLevel.objects.order_by("rank")]
    described: dict[tuple[int | None, int], str] = {
        (c.competency_id, c.job_level.rank): c.description
        for c in CompetencyLevel.objects.filter(
            competency_id__in={q.competency_id for q in every if q.competency_id}
        ).select_related("job_level")
    }
    expected = job_level_of(participant.person)
    phases = {p.kind: p for p in CyclePhase.objects.filter(cycle=cycle)}
    goals: list[GoalResult] = []
    checkins: CheckinSummary | None = None
    self_phase = phases.get(Phase.SELF_ASSESSMENT)
    if self_phase is not None:
        start = self_phase.ends_on - timedelta(days=GOAL_RESULTS_DAYS - 1)
        if goals_shown and any(q.kind == QuestionKind.GOAL_RESULTS for q in every):
            goals = goal_results(viewer, participant.person, start, self_phase.ends_on)
        if relationship == Relationship.MANAGER:
            # Only the manager: the person sees their own check-ins on their own pages.
            checkins = checkin_summary(
                viewer, participant.person, start, self_phase.ends_on, now=now
            )

    def rows_of(
        asked: list[TemplateQuestion], response: ReviewResponse | None
    ) -> list[QuestionRow]:
        answers = response.answers if response is not None else {}
        out = []
        for question in asked:
            if question.kind == QuestionKind.COMPETENCY:
                scale = [
                    ScaleChoice(
                        level.value,
                        level.label,
                        described.get((question.competency_id, level.value), ""),
                    )
                    for level in levels
                ]
            else:
                scale = [
                    ScaleChoice(p.value, p.label, p.description) for p in question.points.all()
                ]
            out.append(
                QuestionRow(
                    question=question,
                    answer={**_blank_answer(), **answers.get(str(question.pk), {})},
                    scale=scale,
                    expected=expected.rank
                    if expected and question.kind == QuestionKind.COMPETENCY
                    else None,
                    goals=goals if question.kind == QuestionKind.GOAL_RESULTS else [],
                )
            )
        return out

    phase = phases.get(ANSWER_PHASE[Relationship(relationship)])
    reopened = (
        PhaseReopening.objects.filter(participant=participant, kind=phase.kind)
        .values_list("until", flat=True)
        .first()
        if phase is not None
        else None
    )
    passed = phase is None or not cycle_dates.is_open(
        now, ends_on=phase.ends_on, zone=participant.person.zone, reopened_until=reopened
    )
    return ReviewPacket(
        role=role,
        rows=rows_of(questions, mine),
        other_rows=rows_of(other_questions, other),
        mine=mine,
        other=other,
        other_submitted=other_submitted,
        phase=phase,
        deadline_passed=passed,
        reopened_until=reopened,
        checkins=checkins,
    )


def writing_packet(viewer: Viewer, role: ReviewRole, *, now: datetime) -> ReviewPacket:
    """The packet a write works from (and answers with): without the goal results for a
    peer or upward reviewer, so nothing named is logged at the moment they answer."""
    return review_packet(
        viewer, role, now=now, goals_shown=Relationship(role.relationship) not in ANONYMOUS
    )


# --- progress: who is late ------------------------------------------------------------------

#: The phases whose work is a submitted response, and whose it is (HR may nudge them).
TRACKED_PHASES = {
    Phase.SELF_ASSESSMENT: Relationship.SELF,
    Phase.MANAGER_REVIEW: Relationship.MANAGER,
}
#: Every phase with work the progress page follows, in the order they run: the
#: self-assessment, the peer nomination (at least the cycle's fewest peers nominated or
#: approved), the peer and upward reviews (every approved reviewer has submitted) and the
#: manager's review.
PROGRESS_PHASES = (
    Phase.SELF_ASSESSMENT,
    Phase.PEER_NOMINATION,
    Phase.PEER_REVIEWS,
    Phase.MANAGER_REVIEW,
)


def _submitted(relationship: str) -> Exists:
    return Exists(
        ReviewResponse.objects.filter(
            participant=OuterRef("pk"), relationship=relationship, submitted_at__isnull=False
        )
    )


def _enough_peers() -> GreaterThanOrEqual:
    """At least the cycle's fewest peers nominated or approved (their manager's removals
    and the reviewers' refusals do not count)."""
    named = (
        ReviewerAssignment.objects.filter(
            participant=OuterRef("pk"),
            relationship=Relationship.PEER,
            status__in=[ReviewerAssignment.Status.NOMINATED, ReviewerAssignment.Status.APPROVED],
        )
        .values("participant")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return GreaterThanOrEqual(
        Coalesce(Subquery(named, output_field=IntegerField()), Value(0)), F("cycle__min_peers")
    )


def _reviews_all_in() -> Any:
    """No approved peer or upward reviewer still owes their answers (negated below)."""
    answered = ReviewResponse.objects.filter(
        participant=OuterRef("participant"),
        author=OuterRef("reviewer"),
        relationship=OuterRef("relationship"),
        submitted_at__isnull=False,
    )
    return ~Exists(
        ReviewerAssignment.objects.filter(
            participant=OuterRef("pk"), status=ReviewerAssignment.Status.APPROVED
        ).filter(~Exists(answered))
    )


def work_done(phase: str) -> Any:
    """Whether a participant (a ``CycleParticipant`` row) has done ``phase``'s work, as an
    expression to annotate or filter with."""
    if phase == Phase.PEER_NOMINATION:
        return _enough_peers()
    if phase == Phase.PEER_REVIEWS:
        return _reviews_all_in()
    return _submitted(TRACKED_PHASES[Phase(phase)])


def _reopened_until(phase: str) -> Subquery:
    return Subquery(
        PhaseReopening.objects.filter(participant=OuterRef("pk"), kind=phase).values("until")[:1]
    )


def with_work_state(participants: QuerySet[CycleParticipant]) -> QuerySet[CycleParticipant]:
    """Participants annotated, for each phase the progress follows, with whether its work
    is done (``<phase>_done``) and the day HR reopened it until (``<phase>_until``)."""
    annotations: dict[str, Any] = {}
    for phase in PROGRESS_PHASES:
        annotations[f"{phase}_done"] = work_done(phase)
        annotations[f"{phase}_until"] = _reopened_until(phase)
    return participants.annotate(**annotations)


@dataclass(frozen=True)
class WorkState:
    phase: str
    done: bool
    late: bool  # past the deadline where the person lives (or HR's reopening), not done

    @property
    def label(self) -> str:
        return str(Phase(self.phase).label)

    @property
    def nudgeable(self) -> bool:
        """Whether HR may nudge whoever owes it (one person: the participant or their
        manager)."""
        return self.phase in TRACKED_PHASES


def work_states(
    phases: dict[str, CyclePhase], *, zone_name: str, values: dict[str, Any], now: datetime
) -> list[WorkState]:
    """Each followed phase's state for one participant (``values`` holds the annotations
    of ``with_work_state``)."""
    zone = Person(time_zone=zone_name).zone
    out = []
    for phase in PROGRESS_PHASES:
        dated = phases.get(phase)
        done = bool(values.get(f"{phase}_done"))
        late = (
            dated is not None
            and not done
            and not cycle_dates.is_open(
                now, ends_on=dated.ends_on, zone=zone, reopened_until=values.get(f"{phase}_until")
            )
        )
        out.append(WorkState(phase, done, late))
    return out


def participant_states(
    cycle: ReviewCycle, participants: list[CycleParticipant], *, now: datetime
) -> dict[int, list[WorkState]]:
    """The tracked phases' states of participants read through ``with_work_state``."""
    phases = {p.kind: p for p in cycle.phases.all()}
    return {
        p.pk: work_states(phases, zone_name=p.person.time_zone, values=p.__dict__, now=now)
        for p in participants
    }


@dataclass
class TeamLateness:
    participants: int = 0
    submitted: dict[str, int] = field(default_factory=dict)
    late: dict[str, int] = field(default_factory=dict)


#: The fields of ``work_groups``' rows, then the number of participants in each.
WORK_GROUP_FIELDS = ["team_id", "person__time_zone"] + [
    f"{phase}_{what}" for phase in PROGRESS_PHASES for what in ("done", "until")
]
#: How long grouped work stays cached at most. Every service that changes the work bumps
#: the cycle's ``work_version``, so this only bounds how long a change made outside the
#: reviews services takes to show: a person's new time zone, a team deleted.
WORK_GROUPS_SECONDS = 10 * 60


def work_groups(cycle: ReviewCycle) -> list[dict[str, Any]]:
    """The cycle's participants grouped by team (as at the launch), time zone and the
    state of each followed phase (``with_work_state``), with how many are in each group:
    rows that do not depend on the time, cached under the cycle's ``work_version``, which
    every service changing the work bumps in its transaction. Two queries when the cache
    misses, one (the version) when it holds them."""
    # Read afresh (one row by its key): a cycle loaded before a write must not find the
    # counts cached before it.
    version = ReviewCycle.objects.filter(pk=cycle.pk).values_list("work_version", flat=True)
    key = f"reviews:work-groups:{cycle.pk}:{version.first()}"
    found = cache.get(key)
    if found is None:
        # Grouped in the database: one row per team, time zone and state, not per
        # participant. Tuples, not dicts, keep the cached value small.
        found = list(
            with_work_state(CycleParticipant.objects.filter(cycle=cycle))
            .values(*WORK_GROUP_FIELDS)
            .annotate(n=Count("id"))
            .order_by()
            .values_list(*WORK_GROUP_FIELDS, "n")
        )
        cache.set(key, found, WORK_GROUPS_SECONDS)
    return [dict(zip([*WORK_GROUP_FIELDS, "n"], row, strict=True)) for row in found]


def lateness_by_team(cycle: ReviewCycle, *, now: datetime) -> dict[int | None, TeamLateness]:
    """Per team (as at the launch) and tracked phase, how many submitted and how many are
    late, from ``work_groups``: lateness is worked out at ``now`` from the groups' time
    zones and reopenings, so a deadline passing counts without any write."""
    phases = {p.kind: p for p in cycle.phases.all()}
    fields = WORK_GROUP_FIELDS
    out: dict[int | None, TeamLateness] = {}
    known: dict[tuple[Any, ...], list[WorkState]] = {}  # the same zone and state, many teams
    for row in work_groups(cycle):
        team = out.setdefault(row["team_id"], TeamLateness())
        team.participants += row["n"]
        key = tuple(row[f] for f in fields[1:])
        if key not in known:
            zone = row["person__time_zone"]
            known[key] = work_states(phases, zone_name=zone, values=row, now=now)
        for state in known[key]:
            team.submitted[state.phase] = team.submitted.get(state.phase, 0) + state.done * row["n"]
            team.late[state.phase] = team.late.get(state.phase, 0) + state.late * row["n"]
    return out


def participant_to_nudge(viewer: Viewer, participant_id: int) -> CycleParticipant:
    """A participant of a launched cycle, for HR to nudge (404 for anyone else)."""
    require_hr(viewer)
    found = (
        with_work_state(CycleParticipant.objects.all())
        .select_related("cycle", "person", "manager")
        .filter(pk=participant_id, cycle__status=ReviewCycle.Status.LAUNCHED)
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- peer and upward reviewers -------------------------------------------------------------


def peers_of(participant: CycleParticipant) -> QuerySet[ReviewerAssignment]:
    """A participant's peer reviewers (nominated, approved, removed, declined), by name."""
    return (
        ReviewerAssignment.objects.filter(participant=participant, relationship=Relationship.PEER)
        .select_related("reviewer")
        .order_by("reviewer__name", "id")
    )


def review_requests_of(viewer: Viewer) -> QuerySet[ReviewerAssignment]:
    """The peer and upward reviews the viewer is asked to write (nominated or approved)
    in launched cycles, newest cycle first."""
    if viewer.person_id is None:
        return ReviewerAssignment.objects.none()
    return (
        ReviewerAssignment.objects.filter(
            reviewer_id=viewer.person_id,
            status__in=[ReviewerAssignment.Status.NOMINATED, ReviewerAssignment.Status.APPROVED],
            participant__cycle__status=ReviewCycle.Status.LAUNCHED,
        )
        .select_related("participant__cycle", "participant__person")
        .order_by("-participant__cycle__launched_at", "participant__person__name", "id")
    )


def review_request_for_viewer(viewer: Viewer, assignment_id: int) -> ReviewerAssignment:
    """One of the viewer's review requests (404 for anyone else, their own declined or
    removed ones included)."""
    found = (
        review_requests_of(viewer)
        .select_related("participant__cycle__template_version", "participant__manager")
        .filter(pk=assignment_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def people_by_emails(viewer: Viewer, emails: list[str]) -> dict[str, int]:
    """The ids of the people the viewer may see with these e-mail addresses (by the
    address in lower case)."""
    wanted = {e.lower() for e in emails}
    if not wanted:
        return {}
    found = people_visible_to(viewer).filter(email__in=wanted).values_list("email", "pk")
    return {email.lower(): pk for email, pk in found}
