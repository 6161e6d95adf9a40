"""Reads of review templates, the competency framework and cycles, scoped by the viewer.

Templates, the framework's administration and cycles belong to HR admins: for anyone else
these selectors answer 404 (not 403), so the pages' existence does not leak. The framework
itself (competencies and what each level means) is open to every signed-in person, as a
career ladder is meant to be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, QuerySet
from django.http import Http404

from stride.access.viewer import Viewer
from stride.lib.review_scoring import normalised_weights
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
    PhaseReopening,
    ReviewCycle,
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


def cycle_progress(cycle: ReviewCycle) -> list[TeamProgress]:
    """Participants per team (as at the launch) and how many had a phase reopened: one
    grouped query each, whatever the cycle's size."""
    reopened = dict(
        PhaseReopening.objects.filter(participant__cycle=cycle)
        .values("participant__team_id")
        .annotate(n=Count("participant_id", distinct=True))
        .values_list("participant__team_id", "n")
    )
    rows = (
        CycleParticipant.objects.filter(cycle=cycle)
        .values("team_id", "team__name")
        .annotate(n=Count("id"))
        .order_by("team__name")
    )
    return [
        TeamProgress(r["team_id"], r["team__name"] or "", r["n"], reopened.get(r["team_id"], 0))
        for r in rows
    ]


def participant_for_hr(viewer: Viewer, participant_id: int) -> CycleParticipant:
    require_hr(viewer)
    found = (
        CycleParticipant.objects.select_related("cycle", "person").filter(pk=participant_id).first()
    )
    if found is None:
        raise Http404
    return found


def cycle_participants(cycle: ReviewCycle) -> QuerySet[CycleParticipant]:
    return (
        CycleParticipant.objects.filter(cycle=cycle)
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
