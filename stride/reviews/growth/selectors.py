"""Reads of a person's growth: their ratings and goal achievement across review cycles,
and their development plan, scoped by the viewer.

Who sees what (DESIGN.md, "Who uses it"; the reviews' own rules):

- the person sees a cycle once their review was shared with them or the cycle closed;
- whoever manages them now (anywhere above them in the reporting tree: a skip-level
  manager sees what a manager sees) sees every launched cycle, and their manager at a
  cycle's launch sees that cycle even after moving on;
- nobody else: HR admins run cycles but are no party to a review's content (as on the
  review pages), and system admins never see review content. They get 404.

Only the manager's submitted answers are read (competency ratings) and the participant's
overall rating: never a peer's or a report's answers. The development plan is the
person's and their current managers' (they keep it); anyone else gets 404.

Every read here costs a fixed number of queries, whatever the number of cycles or items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from stride.access.audit import audit_reads, target_of
from stride.access.viewer import Viewer
from stride.org.goal_results import GoalResult, goal_results
from stride.org.models import Person
from stride.org.selectors import person_for_viewer
from stride.reviews.models import (
    CycleParticipant,
    DevelopmentItem,
    JobLevel,
    OverallRating,
    Phase,
    QuestionKind,
    Relationship,
    ReviewCycle,
    ReviewResponse,
    TemplateQuestion,
)
from stride.reviews.selectors import GOAL_RESULTS_DAYS, job_level_of

#: The growth graph shows at most this many cycles (the most recent ones).
MAX_CYCLES = 40
#: Statuses of a development item that is still to do (and so may be overdue).
OPEN_STATUSES = (DevelopmentItem.Status.NOT_STARTED, DevelopmentItem.Status.IN_PROGRESS)


@dataclass(frozen=True)
class GrowthAccess:
    """The person whose growth is read and the viewer's part: the person themselves, one
    of their current managers, or only a former manager (at some cycle's launch)."""

    person: Person
    is_self: bool
    manages: bool

    @property
    def keeps_plan(self) -> bool:
        """The person and their current managers see and keep the development plan."""
        return self.is_self or self.manages


def may_see_growth(viewer: Viewer, person: Person) -> bool:
    """Whether to offer the growth page on the person's page (no query): to the person
    and their current managers. A former manager reaches it by address too."""
    return viewer.is_self_or_manager_of(person)


def growth_access(viewer: Viewer, person_id: int) -> GrowthAccess:
    """404 unless the viewer is the person, manages them now, or was their manager at
    the launch of one of their cycles."""
    person = person_for_viewer(viewer, person_id)
    is_self = viewer.person_id == person.pk
    manages = not is_self and viewer.manages(person)
    if not (is_self or manages):
        managed_once = (
            viewer.person_id is not None
            and CycleParticipant.objects.filter(person=person, manager_id=viewer.person_id)
            .exclude(cycle__status=ReviewCycle.Status.DRAFT)
            .exists()
        )
        if not managed_once:
            raise Http404
    return GrowthAccess(person=person, is_self=is_self, manages=manages)


def plan_access(viewer: Viewer, person_id: int) -> GrowthAccess:
    """The person's development plan: the person and their current managers; 404 for
    anyone else (a former manager included)."""
    access = growth_access(viewer, person_id)
    if not access.keeps_plan:
        raise Http404
    return access


def visible_participations(viewer: Viewer, access: GrowthAccess) -> QuerySet[CycleParticipant]:
    """The person's reviews (launched or closed cycles) the viewer may see, newest first,
    each annotated with its cycle's first and last day and its self-assessment's end."""
    qs = CycleParticipant.objects.filter(person=access.person).exclude(
        cycle__status=ReviewCycle.Status.DRAFT
    )
    if not access.manages:
        seen = Q(manager_id=viewer.person_id) if viewer.person_id is not None else Q(pk__in=[])
        if access.is_self:
            # The person sees a cycle's outcome once it was shared with them, as on the
            # review page (a closed cycle whose review was never shared stays hidden).
            seen |= Q(shared_at__isnull=False)
        qs = qs.filter(seen)
    return (
        qs.select_related("cycle")
        .annotate(
            cycle_start=Min("cycle__phases__starts_on"),
            cycle_end=Max("cycle__phases__ends_on"),
            self_end=Max(
                "cycle__phases__ends_on",
                filter=Q(cycle__phases__kind=Phase.SELF_ASSESSMENT),
            ),
        )
        .order_by("-cycle_end", "-cycle_id")
    )


@dataclass(frozen=True)
class CompetencyPoint:
    competency_id: int
    name: str
    rating: int | None  # a job level's rank, as the manager rated it
    expected: int | None  # the person's job level's rank


@dataclass
class GrowthPoint:
    """One cycle of the person's growth graph."""

    participant: CycleParticipant
    cycle: ReviewCycle
    on: date  # the cycle's last day (its sharing and sign-off)
    overall: int | None  # the final rating, else the manager's proposal
    overall_final: bool
    goal_achievement: float | None  # mean progress (0…1) of the period's objectives
    goal_count: int
    competencies: list[CompetencyPoint] = field(default_factory=list)

    @property
    def overall_label(self) -> str:
        return str(OverallRating(self.overall).label) if self.overall else ""

    @property
    def goal_percent(self) -> int | None:
        return None if self.goal_achievement is None else round(self.goal_achievement * 100)


@dataclass
class Growth:
    access: GrowthAccess
    points: list[GrowthPoint]  # oldest first
    expected_level: int | None
    expected_level_name: str
    level_names: dict[int, str]  # rank → job level name, for the competency axis

    @property
    def competency_names(self) -> list[str]:
        names: dict[str, None] = {}
        for point in self.points:
            for c in point.competencies:
                names.setdefault(c.name)
        return list(names)


def _goal_window(participant: CycleParticipant) -> tuple[date, date] | None:
    """The days whose objectives a review's goal results covered: the year up to the
    self-assessment's last day (``reviews.selectors.GOAL_RESULTS_DAYS``)."""
    end = getattr(participant, "self_end", None) or getattr(participant, "cycle_end", None)
    if end is None:
        return None
    return end - timedelta(days=GOAL_RESULTS_DAYS - 1), end


def _achievement(results: list[GoalResult], window: tuple[date, date]) -> tuple[float | None, int]:
    start, end = window
    inside = [r for r in results if r.period_start <= end and r.period_end >= start]
    if not inside:
        return None, 0
    return sum(r.progress for r in inside) / len(inside), len(inside)


def growth_of(viewer: Viewer, access: GrowthAccess) -> Growth:
    """The person's ratings and goal achievement in each cycle the viewer may see (at
    most ``MAX_CYCLES``, the latest), oldest first. Reading the manager's ratings is
    audited (the reviews and the manager's answers shown)."""
    participations = list(visible_participations(viewer, access)[:MAX_CYCLES])
    participations.reverse()
    level = job_level_of(access.person)
    expected = level.rank if level else None

    by_participant: dict[int, ReviewResponse] = {}
    questions: dict[int, list[TemplateQuestion]] = {}
    if participations:
        managers = {p.pk: p.manager_id for p in participations}
        for response in ReviewResponse.objects.filter(
            participant_id__in=managers,
            relationship=Relationship.MANAGER,
            submitted_at__isnull=False,
        ):
            # Only the answers of the manager at the launch (as the review page reads them).
            if response.author_id == managers[response.participant_id]:
                by_participant[response.participant_id] = response
        if access.is_self and not access.manages:
            # The review page's mutual rule: the person reads the manager's answers only
            # once their own self-assessment is submitted too.
            submitted = set(
                ReviewResponse.objects.filter(
                    participant_id__in=managers,
                    relationship=Relationship.SELF,
                    author=access.person,
                    submitted_at__isnull=False,
                ).values_list("participant_id", flat=True)
            )
            by_participant = {k: v for k, v in by_participant.items() if k in submitted}
        versions = {p.cycle.template_version_id for p in participations}
        for question in (
            TemplateQuestion.objects.filter(
                section__version_id__in=versions,
                kind=QuestionKind.COMPETENCY,
                by_manager=True,
                competency__isnull=False,
            )
            .select_related("competency", "section")
            .order_by("section__position", "section_id", "position", "id")
        ):
            questions.setdefault(question.section.version_id, []).append(question)

    windows = {p.pk: _goal_window(p) for p in participations}
    spans = [w for w in windows.values() if w is not None]
    results = (
        goal_results(viewer, access.person, min(s for s, _e in spans), max(e for _s, e in spans))
        if spans
        else []
    )

    points = []
    for p in participations:
        given = by_participant.get(p.pk)
        answers = given.answers if given is not None else {}
        competencies = []
        for question in questions.get(p.cycle.template_version_id, []):
            assert question.competency is not None
            rating = answers.get(str(question.pk), {}).get("rating")
            competencies.append(
                CompetencyPoint(
                    question.competency_id or 0,
                    question.competency.name,
                    rating if isinstance(rating, int) else None,
                    expected,
                )
            )
        window = windows[p.pk]
        achievement, count = _achievement(results, window) if window else (None, 0)
        points.append(
            GrowthPoint(
                participant=p,
                cycle=p.cycle,
                on=getattr(p, "cycle_end", None) or timezone.localdate(),
                # Set when the manager submits their proposal, then by calibration: a
                # draft proposal is never shown.
                overall=p.final_rating,
                overall_final=p.final_rating is not None,
                goal_achievement=achievement,
                goal_count=count,
                competencies=competencies,
            )
        )
    audit_reads(
        actor=viewer,
        action="review.growth_read",
        targets=[target_of(p) for p in participations]
        + [target_of(r) for r in by_participant.values()],
    )
    names = dict(JobLevel.objects.order_by("rank").values_list("rank", "name"))
    return Growth(
        access=access,
        points=points,
        expected_level=expected,
        expected_level_name=level.name if level else "",
        level_names=names,
    )


# --- the development plan ---------------------------------------------------------------


def development_items(viewer: Viewer, access: GrowthAccess) -> QuerySet[DevelopmentItem]:
    """The person's development plan: items still to do first (soonest due first, undated
    last), then done and dropped ones."""
    if not access.keeps_plan:
        raise Http404
    finished = Case(
        When(status__in=OPEN_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        DevelopmentItem.objects.filter(person=access.person)
        .select_related("person", "cycle")
        .annotate(finished=finished)
        .order_by("finished", "due_on", "id")
    )


def development_item_for_keeper(viewer: Viewer, development_item_id: int) -> DevelopmentItem:
    """One item of a plan the viewer keeps (the person's own, or a current report's);
    404 for anyone else."""
    item = (
        DevelopmentItem.objects.select_related("person", "cycle")
        .filter(pk=development_item_id)
        .first()
    )
    if item is None or not viewer.is_self_or_manager_of(item.person):
        raise Http404
    return item


def is_overdue(item: DevelopmentItem, today: date) -> bool:
    """Still to do and due before ``today`` (the person's date)."""
    return item.status in OPEN_STATUSES and item.due_on is not None and item.due_on < today


def plan_cycles(viewer: Viewer, access: GrowthAccess) -> list[ReviewCycle]:
    """The cycles an item may come from: the person's reviews the viewer may see."""
    return [p.cycle for p in visible_participations(viewer, access)[:MAX_CYCLES]]
