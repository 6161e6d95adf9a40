"""Writes of review templates, the competency framework and cycles.

Input arrives parsed by ``reviews.schemas``; these functions keep the rules that need the
database or several fields, check first, then write in one transaction with the audit
entry. Only HR admins write here; anyone else gets 404, as from the selectors.

Versioning. Every edit of a template's content goes to its latest version. When a launched
cycle uses that version, it is first copied into a new version and the edit lands on the
copy (``_editable_version``), so a cycle's questions never change under it. Ids of the
latest version's sections and questions are what pages and the API name; after a copy they
are translated to the copy's, and the answer names the new ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from stride.access.audit import audit_anonymous_write, audit_write, diff
from stride.access.viewer import Viewer
from stride.lib import cycle_dates
from stride.lib.cycle_dates import DatedPhase
from stride.lib.input import parse_items
from stride.notify.models import Delivery
from stride.notify.outbox import deliveries_enqueue_on_commit, deliveries_record
from stride.org.models import Person, Team
from stride.reviews import reminders
from stride.reviews.models import (
    PHASE_ORDER,
    SCORED_KINDS,
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
    ScalePoint,
    TemplateQuestion,
    TemplateSection,
    TemplateVersion,
    new_work_version,
)
from stride.reviews.schemas import (
    AnswerIn,
    CompetencyLevelIn,
    PhaseIn,
    QuestionIn,
    SectionWithQuestions,
)
from stride.reviews.selectors import (
    ANONYMOUS,
    ANSWER_PHASE,
    TRACKED_PHASES,
    answer_author,
    answering_questions,
    cycle_candidates,
    require_hr,
    version_is_locked,
    work_states,
)

MIN_SCALE_POINTS = 2


# --- versions ----------------------------------------------------------------------------


@dataclass
class Edit:
    """The version an edit lands on, and how the latest version's ids map onto it (the
    identity when no copy was needed)."""

    version: TemplateVersion
    copied: bool = False
    sections: dict[int, int] = field(default_factory=dict)
    questions: dict[int, int] = field(default_factory=dict)

    def section(self, section_id: int) -> TemplateSection:
        found = TemplateSection.objects.filter(
            version=self.version, pk=self.sections.get(section_id, section_id)
        ).first()
        if found is None:
            raise Http404
        return found

    def question(self, question_id: int) -> TemplateQuestion:
        found = (
            TemplateQuestion.objects.filter(
                section__version=self.version, pk=self.questions.get(question_id, question_id)
            )
            .select_related("section")
            .first()
        )
        if found is None:
            raise Http404
        return found


def _latest(template: ReviewTemplate) -> TemplateVersion:
    version = TemplateVersion.objects.filter(template=template).order_by("-number").first()
    if version is None:
        raise Http404
    return version


def _copy_version(viewer: Viewer, source: TemplateVersion) -> Edit:
    """A new version with the same sections, questions and scales as ``source``."""
    copy = TemplateVersion.objects.create(
        template_id=source.template_id,
        number=source.number + 1,
        created_by=viewer.person,
        asks_potential=source.asks_potential,
    )
    edit = Edit(copy, copied=True)
    sections = list(TemplateSection.objects.filter(version=source).order_by("id"))
    new_sections = TemplateSection.objects.bulk_create(
        [
            TemplateSection(
                version=copy,
                title=s.title,
                description=s.description,
                weight=s.weight,
                position=s.position,
            )
            for s in sections
        ]
    )
    edit.sections = {old.pk: new.pk for old, new in zip(sections, new_sections, strict=True)}
    questions = list(
        TemplateQuestion.objects.filter(section__version=source)
        .prefetch_related("points")
        .order_by("id")
    )
    new_questions = TemplateQuestion.objects.bulk_create(
        [
            TemplateQuestion(
                section_id=edit.sections[q.section_id],
                kind=q.kind,
                prompt=q.prompt,
                help_text=q.help_text,
                weight=q.weight,
                position=q.position,
                by_self=q.by_self,
                by_manager=q.by_manager,
                by_peer=q.by_peer,
                by_upward=q.by_upward,
                competency_id=q.competency_id,
            )
            for q in questions
        ]
    )
    edit.questions = {old.pk: new.pk for old, new in zip(questions, new_questions, strict=True)}
    ScalePoint.objects.bulk_create(
        [
            ScalePoint(
                question_id=edit.questions[q.pk],
                value=p.value,
                label=p.label,
                description=p.description,
            )
            for q in questions
            for p in q.points.all()
        ]
    )
    audit_write(
        actor=viewer,
        action="review_template.version",
        target=source.template,
        changes={"version": [source.number, copy.number]},
    )
    return edit


def _editable_version(viewer: Viewer, template: ReviewTemplate) -> Edit:
    """Where an edit of ``template`` lands: its latest version, or a copy of it when a
    launched cycle uses it."""
    latest = _latest(template)
    if version_is_locked(latest):
        return _copy_version(viewer, latest)
    return Edit(latest)


# --- templates ---------------------------------------------------------------------------


@transaction.atomic
def template_create(
    *,
    viewer: Viewer,
    name: str,
    description: str = "",
    asks_potential: bool = True,
    sections: Sequence[SectionWithQuestions | Mapping[str, Any]] = (),
) -> ReviewTemplate:
    """A template with its first version (and the sections and questions given, checked
    all before any is written; errors of question *j* of section *i* are named
    ``sections.i.questions.j.<field>``)."""
    require_hr(viewer)
    parsed = parse_items(SectionWithQuestions, sections, field="sections")
    errors: dict[str, list[str]] = {}
    competencies = _competencies_named(q for s in parsed for q in s.questions)
    for i, section in enumerate(parsed):
        for j, question in enumerate(section.questions):
            for key, messages in _question_problems(question, competencies).items():
                errors[f"sections.{i}.questions.{j}.{key}"] = messages
    if errors:
        raise ValidationError(errors)
    template = ReviewTemplate.objects.create(name=name, description=description)
    version = TemplateVersion.objects.create(
        template=template, number=1, created_by=viewer.person, asks_potential=asks_potential
    )
    audit_write(
        actor=viewer,
        action="review_template.create",
        target=template,
        changes={"name": name, "sections": len(parsed), "asks_potential": asks_potential},
    )
    for i, section in enumerate(parsed):
        made = _section_write(version, section, position=i)
        for j, question in enumerate(section.questions):
            _question_write(made, question, competencies, position=j)
    return template


@transaction.atomic
def template_update(*, viewer: Viewer, template: ReviewTemplate, **changes: Any) -> ReviewTemplate:
    """Rename or redescribe a template (not versioned: the content is)."""
    require_hr(viewer)
    changed = diff(template, {k: changes[k] for k in ("name", "description") if k in changes})
    for name, (_old, new) in changed.items():
        setattr(template, name, new)
    if changed:
        template.save(update_fields=list(changed))
        audit_write(actor=viewer, action="review_template.update", target=template, changes=changed)
    asks = changes.get("asks_potential")
    if asks is not None and _latest(template).asks_potential != asks:
        # Part of the content: a launched cycle keeps asking what it asked.
        version = _editable_version(viewer, template).version
        version.asks_potential = asks
        version.save(update_fields=["asks_potential"])
        audit_write(
            actor=viewer,
            action="review_template.update",
            target=template,
            changes={"asks_potential": [not asks, asks], "version": version.number},
        )
    return template


# --- sections ----------------------------------------------------------------------------


def _section_write(
    version: TemplateVersion, data: Any, *, position: int, instance: TemplateSection | None = None
) -> TemplateSection:
    section = instance or TemplateSection(version=version, position=position)
    section.title = data.title
    section.description = data.description
    section.weight = data.weight
    section.save()
    return section


@transaction.atomic
def section_add(
    *, viewer: Viewer, template: ReviewTemplate, title: str, description: str = "", weight: Decimal
) -> TemplateSection:
    require_hr(viewer)
    edit = _editable_version(viewer, template)
    position = TemplateSection.objects.filter(version=edit.version).count()
    data = SectionWithQuestions(title=title, description=description, weight=weight)
    section = _section_write(edit.version, data, position=position)
    audit_write(
        actor=viewer,
        action="review_section.create",
        target=section,
        changes={"title": title, "weight": weight, "version": edit.version.number},
    )
    return section


@transaction.atomic
def section_update(
    *,
    viewer: Viewer,
    template: ReviewTemplate,
    section_id: int,
    title: str,
    description: str = "",
    weight: Decimal,
) -> TemplateSection:
    require_hr(viewer)
    edit = _editable_version(viewer, template)
    section = edit.section(section_id)
    changes = diff(section, {"title": title, "description": description, "weight": weight})
    data = SectionWithQuestions(title=title, description=description, weight=weight)
    _section_write(edit.version, data, position=section.position, instance=section)
    audit_write(actor=viewer, action="review_section.update", target=section, changes=changes)
    return section


@transaction.atomic
def section_delete(*, viewer: Viewer, template: ReviewTemplate, section_id: int) -> None:
    require_hr(viewer)
    edit = _editable_version(viewer, template)
    section = edit.section(section_id)
    audit_write(
        actor=viewer,
        action="review_section.delete",
        target=section,
        changes={"version": edit.version.number},
    )
    section.delete()


# --- questions ---------------------------------------------------------------------------


def _competencies_named(questions: Any) -> dict[int, Competency]:
    ids = {q.competency_id for q in questions if q.competency_id is not None}
    return {c.pk: c for c in Competency.objects.filter(pk__in=ids)} if ids else {}


def _question_problems(
    question: QuestionIn, competencies: Mapping[int, Competency]
) -> dict[str, list[str]]:
    """The rules between a question's fields and against the framework."""
    errors: dict[str, list[str]] = {}
    if question.kind == QuestionKind.RATING and len(question.scale) < MIN_SCALE_POINTS:
        errors["scale"] = [
            _("An anchored rating needs a scale of at least %(n)s points.")
            % {"n": MIN_SCALE_POINTS}
        ]
    if question.kind != QuestionKind.RATING and question.scale:
        errors["scale"] = [_("Only an anchored rating has a scale of its own.")]
    if question.kind == QuestionKind.COMPETENCY:
        if question.competency_id is None:
            errors["competency_id"] = [_("Choose the competency this question rates.")]
        elif question.competency_id not in competencies:
            errors["competency_id"] = [
                _("No competency has id %(id)s.") % {"id": question.competency_id}
            ]
    elif question.competency_id is not None:
        errors["competency_id"] = [_("Only a competency rating names a competency.")]
    return errors


def _check_question(question: QuestionIn) -> dict[int, Competency]:
    competencies = _competencies_named([question])
    errors = _question_problems(question, competencies)
    if errors:
        raise ValidationError(errors)
    return competencies


def _question_write(
    section: TemplateSection,
    data: QuestionIn,
    competencies: Mapping[int, Competency],
    *,
    position: int,
    instance: TemplateQuestion | None = None,
) -> TemplateQuestion:
    question = instance or TemplateQuestion(section=section, position=position)
    question.kind = data.kind
    question.prompt = data.prompt
    question.help_text = data.help_text
    question.weight = data.weight
    for relationship in Relationship.values:
        setattr(question, f"by_{relationship}", relationship in data.answered_by)
    question.competency = (
        competencies[data.competency_id] if data.competency_id is not None else None
    )
    question.save()
    if instance is not None:
        ScalePoint.objects.filter(question=question).delete()
    ScalePoint.objects.bulk_create(
        [
            ScalePoint(
                question=question, value=index, label=point.label, description=point.description
            )
            for index, point in enumerate(data.scale, start=1)
        ]
    )
    return question


def _question_fields(question: TemplateQuestion | QuestionIn) -> dict[str, Any]:
    """What the audit log keeps of a question (its words are HR's, not private)."""
    if isinstance(question, QuestionIn):
        return {**question.model_dump(exclude={"scale"}), "scale": len(question.scale)}
    return {
        "kind": question.kind,
        "prompt": question.prompt,
        "help_text": question.help_text,
        "weight": question.weight,
        "answered_by": question.answered_by,
        "competency_id": question.competency_id,
        "scale": question.points.count(),
    }


@transaction.atomic
def question_add(
    *, viewer: Viewer, template: ReviewTemplate, section_id: int, question: QuestionIn
) -> TemplateQuestion:
    """Add ``question`` at the end of the section (of the latest version, or its copy)."""
    require_hr(viewer)
    competencies = _check_question(question)
    edit = _editable_version(viewer, template)
    section = edit.section(section_id)
    position = TemplateQuestion.objects.filter(section=section).count()
    made = _question_write(section, question, competencies, position=position)
    audit_write(
        actor=viewer,
        action="review_question.create",
        target=made,
        changes={**_question_fields(question), "version": edit.version.number},
    )
    return made


@transaction.atomic
def question_update(
    *, viewer: Viewer, template: ReviewTemplate, question_id: int, question: QuestionIn
) -> TemplateQuestion:
    """Replace a question's definition (its scale too). On a locked version the change
    lands on the new version's copy of the question; the answer is that copy."""
    require_hr(viewer)
    competencies = _check_question(question)
    edit = _editable_version(viewer, template)
    stored = edit.question(question_id)
    before = _question_fields(stored)
    _question_write(
        stored.section, question, competencies, position=stored.position, instance=stored
    )
    after = _question_fields(question)
    changes = {k: [before[k], v] for k, v in after.items() if before.get(k) != v}
    audit_write(actor=viewer, action="review_question.update", target=stored, changes=changes)
    return stored


@transaction.atomic
def question_delete(*, viewer: Viewer, template: ReviewTemplate, question_id: int) -> None:
    require_hr(viewer)
    edit = _editable_version(viewer, template)
    question = edit.question(question_id)
    audit_write(
        actor=viewer,
        action="review_question.delete",
        target=question,
        changes={"prompt": question.prompt, "version": edit.version.number},
    )
    question.delete()


# --- competencies ------------------------------------------------------------------------


@transaction.atomic
def job_level_create(*, viewer: Viewer, name: str, rank: int, description: str = "") -> JobLevel:
    require_hr(viewer)
    errors = {}
    if JobLevel.objects.filter(rank=rank).exists():
        errors["rank"] = _("Another job level has rank %(rank)s.") % {"rank": rank}
    if JobLevel.objects.filter(name__iexact=name).exists():
        errors["name"] = _("A job level with this name exists.")
    if errors:
        raise ValidationError(errors)
    level = JobLevel.objects.create(name=name, rank=rank, description=description)
    audit_write(
        actor=viewer, action="job_level.create", target=level, changes={"name": name, "rank": rank}
    )
    return level


def _competency_levels(
    levels: Sequence[CompetencyLevelIn | Mapping[str, Any]],
) -> dict[int, str]:
    parsed = parse_items(CompetencyLevelIn, levels, field="levels")
    known = set(
        JobLevel.objects.filter(pk__in=[p.job_level_id for p in parsed]).values_list(
            "pk", flat=True
        )
    )
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for index, level in enumerate(parsed):
        if level.job_level_id not in known:
            errors[f"levels.{index}.job_level_id"] = _("No job level has id %(id)s.") % {
                "id": level.job_level_id
            }
        elif level.job_level_id in seen:
            errors[f"levels.{index}.job_level_id"] = _("This job level is described twice.")
        seen.add(level.job_level_id)
    if errors:
        raise ValidationError(errors)
    return {p.job_level_id: p.description for p in parsed}


def _competency_write(competency: Competency, descriptions: Mapping[int, str]) -> None:
    CompetencyLevel.objects.filter(competency=competency).delete()
    CompetencyLevel.objects.bulk_create(
        [
            CompetencyLevel(competency=competency, job_level_id=level_id, description=text)
            for level_id, text in descriptions.items()
            if text
        ]
    )


@transaction.atomic
def competency_create(
    *,
    viewer: Viewer,
    name: str,
    description: str = "",
    levels: Sequence[CompetencyLevelIn | Mapping[str, Any]] = (),
) -> Competency:
    """A competency with what it looks like at each job level."""
    require_hr(viewer)
    descriptions = _competency_levels(levels)
    if Competency.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A competency with this name exists.")})
    position = Competency.objects.count()
    competency = Competency.objects.create(name=name, description=description, position=position)
    _competency_write(competency, descriptions)
    audit_write(
        actor=viewer,
        action="competency.create",
        target=competency,
        changes={"name": name, "levels": sorted(descriptions)},
    )
    return competency


@transaction.atomic
def competency_update(
    *,
    viewer: Viewer,
    competency: Competency,
    name: str,
    description: str = "",
    levels: Sequence[CompetencyLevelIn | Mapping[str, Any]] = (),
) -> Competency:
    """Replace a competency's name, description and level descriptions. Questions name
    the competency, so templates (launched or not) show its words as they are now."""
    require_hr(viewer)
    descriptions = _competency_levels(levels)
    if Competency.objects.filter(name__iexact=name).exclude(pk=competency.pk).exists():
        raise ValidationError({"name": _("A competency with this name exists.")})
    changes: dict[str, Any] = diff(competency, {"name": name, "description": description})
    competency.name, competency.description = name, description
    competency.save(update_fields=["name", "description"])
    _competency_write(competency, descriptions)
    changes["levels"] = sorted(descriptions)
    audit_write(actor=viewer, action="competency.update", target=competency, changes=changes)
    return competency


@transaction.atomic
def person_job_level_set(
    *, viewer: Viewer, person: Person, job_level: JobLevel | None
) -> PersonJobLevel | None:
    """Set (or clear, with None) the person's job level: their expected competency level."""
    require_hr(viewer)
    current = PersonJobLevel.objects.filter(person=person).first()
    old = current.level_id if current else None
    new = job_level.pk if job_level else None
    if old == new:
        return current
    if job_level is None:
        assert current is not None
        current.delete()
        result = None
    else:
        result, _created = PersonJobLevel.objects.update_or_create(
            person=person, defaults={"level": job_level}
        )
    audit_write(
        actor=viewer, action="person.job_level", target=person, changes={"job_level": [old, new]}
    )
    return result


def job_level_by_id(job_level_id: int) -> JobLevel:
    level = JobLevel.objects.filter(pk=job_level_id).first()
    if level is None:
        raise ValidationError(
            {"job_level_id": _("No job level has id %(id)s.") % {"id": job_level_id}}
        )
    return level


# --- cycles ------------------------------------------------------------------------------


def _phase_messages(phases: Sequence[PhaseIn]) -> dict[str, str]:
    """The calendar's problems (``stride.lib.cycle_dates``) as messages on ``phases.i.*``,
    and a message on ``phases`` for each phase left out."""
    dated = [DatedPhase(p.kind, p.starts_on, p.ends_on) for p in phases]
    texts = {
        cycle_dates.UNKNOWN: _("This is not a phase."),
        cycle_dates.REPEATED: _("Each phase is set once."),
        cycle_dates.ENDS_BEFORE_START: _("A phase must end on or after its start."),
        cycle_dates.STARTS_BEFORE_PREVIOUS: _(
            "Phases run in order: this one cannot start before %(other)s starts."
        ),
        cycle_dates.ENDS_BEFORE_PREVIOUS: _(
            "Phases run in order: this one cannot end before %(other)s ends."
        ),
    }
    out = {}
    for key, (code, other) in cycle_dates.phase_problems(dated, PHASE_ORDER).items():
        label = Phase(other).label.lower() if other else ""
        out[f"phases.{key}"] = texts[code] % {"other": label} if other else texts[code]
    missing = [Phase(k).label for k in PHASE_ORDER if k not in {p.kind for p in phases}]
    if missing:
        out["phases"] = _("Set the dates of every phase; missing: %(phases)s.") % {
            "phases": ", ".join(str(m) for m in missing)
        }
    return out


@transaction.atomic
def cycle_create(
    *,
    viewer: Viewer,
    name: str,
    template_id: int,
    phases: Sequence[PhaseIn | Mapping[str, Any]],
    team_ids: Sequence[int] = (),
    hired_before: date | None = None,
    statuses: Sequence[str] = (Person.Status.ACTIVE,),
    min_peers: int = 3,
    max_peers: int = 8,
) -> ReviewCycle:
    """A draft cycle on the template's latest version, with its participant filter and
    its six phases in order. Nothing is written if any part is wrong."""
    require_hr(viewer)
    parsed = parse_items(PhaseIn, phases, field="phases")
    errors: dict[str, str] = dict(_phase_messages(parsed))
    template = ReviewTemplate.objects.filter(pk=template_id).first()
    if template is None:
        errors["template_id"] = _("No template has id %(id)s.") % {"id": template_id}
    teams = list(Team.objects.filter(pk__in=set(team_ids)))
    known = {t.pk for t in teams}
    for index, team_id in enumerate(team_ids):
        if team_id not in known:
            errors[f"team_ids.{index}"] = _("No team has id %(id)s.") % {"id": team_id}
    if max_peers < min_peers:
        errors["max_peers"] = _("Allow at least as many peers as the fewest (%(n)s).") % {
            "n": min_peers
        }
    if errors:
        raise ValidationError(errors)
    assert template is not None
    cycle = ReviewCycle.objects.create(
        name=name,
        template_version=_latest(template),
        hired_before=hired_before,
        statuses=sorted(set(statuses)),
        min_peers=min_peers,
        max_peers=max_peers,
    )
    cycle.teams.set(teams)
    CyclePhase.objects.bulk_create(
        [
            CyclePhase(cycle=cycle, kind=p.kind, starts_on=p.starts_on, ends_on=p.ends_on)
            for p in parsed
        ]
    )
    audit_write(
        actor=viewer,
        action="review_cycle.create",
        target=cycle,
        changes={
            "name": name,
            "template": template.pk,
            "teams": sorted(known),
            "hired_before": hired_before,
            "statuses": cycle.statuses,
            "phases": {p.kind: [p.starts_on, p.ends_on] for p in parsed},
            "peers": [min_peers, max_peers],
        },
    )
    return cycle


@transaction.atomic
def cycle_launch(*, viewer: Viewer, cycle: ReviewCycle) -> ReviewCycle:
    """Launch: fix the template's latest version and snapshot the people who match the
    filter now (with their manager, team and job level). Neither changes afterwards."""
    require_hr(viewer)
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != ReviewCycle.Status.DRAFT:
        raise ValidationError({"status": _("This cycle has already been launched.")})
    # One query: the job level comes along through the (reverse one-to-one) assignment.
    people = list(
        cycle_candidates(cycle).values_list(
            "pk", "manager_id", "team_id", "job_level_assignment__level_id"
        )
    )
    if not people:
        raise ValidationError({"team_ids": _("Nobody matches this cycle's filter.")})
    cycle.template_version = _latest(cycle.template_version.template)
    cycle.status = ReviewCycle.Status.LAUNCHED
    cycle.launched_at = timezone.now()
    cycle.work_version = new_work_version()
    cycle.save(update_fields=["template_version", "status", "launched_at", "work_version"])
    CycleParticipant.objects.bulk_create(
        [
            CycleParticipant(
                cycle=cycle, person_id=pk, manager_id=manager, team_id=team, job_level_id=level
            )
            for pk, manager, team, level in people
        ],
        batch_size=1000,
    )
    _upward_reviewers_snapshot(cycle)
    audit_write(
        actor=viewer,
        action="review_cycle.launch",
        target=cycle,
        changes={"template_version": cycle.template_version.number, "participants": len(people)},
    )
    return cycle


def work_changed(cycle_id: int) -> None:
    """The work the progress page counts changed (who submitted, nominated, was approved
    or declined, had a phase reopened): a new version, in the writer's transaction, so
    the counts cached under the old one are not read again by any web process."""
    ReviewCycle.objects.filter(pk=cycle_id).update(work_version=new_work_version())


def _upward_reviewers_snapshot(cycle: ReviewCycle) -> None:
    """Each participant's direct reports at the launch who take part too review them
    upward (approved from the start)."""
    rows = list(
        CycleParticipant.objects.filter(cycle=cycle).values_list("pk", "person_id", "manager_id")
    )
    participant_of = {person_id: pk for pk, person_id, _m in rows}
    ReviewerAssignment.objects.bulk_create(
        [
            ReviewerAssignment(
                participant_id=participant_of[manager_id],
                reviewer_id=person_id,
                relationship=Relationship.UPWARD,
                status=ReviewerAssignment.Status.APPROVED,
            )
            for _pk, person_id, manager_id in rows
            if manager_id in participant_of
        ],
        batch_size=1000,
    )


@transaction.atomic
def phase_reopen(
    *, viewer: Viewer, participant: CycleParticipant, phase: str, until: date
) -> PhaseReopening:
    """Let one participant hand in a phase's work until the end of ``until``."""
    require_hr(viewer)
    errors: dict[str, str] = {}
    cycle = participant.cycle
    if cycle.status != ReviewCycle.Status.LAUNCHED:
        errors["phase"] = _("Only a launched cycle's phases can be reopened.")
    elif phase == Phase.PEER_REVIEWS:
        # Peer and upward answers are aggregated once the phase has ended; one answer
        # arriving later would change a shown aggregate, and the change would be its own.
        errors["phase"] = _(
            "Peer and upward reviews cannot be reopened: their answers are shown combined "
            "once the phase ends, and an answer added later could be told apart by "
            "comparing the results before and after."
        )
    dated = CyclePhase.objects.filter(cycle=cycle, kind=phase).first()
    if dated is not None and until <= dated.ends_on:
        errors["until"] = _("Reopen until a day after the phase ends (%(day)s).") % {
            "day": dated.ends_on.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    reopening, _created = PhaseReopening.objects.update_or_create(
        participant=participant,
        kind=phase,
        defaults={"until": until, "created_by": viewer.person},
    )
    work_changed(cycle.pk)
    audit_write(
        actor=viewer,
        action="review_cycle.reopen",
        target=cycle,
        changes={"person": participant.person_id, "phase": phase, "until": until},
    )
    return reopening


def require_phase_open(participant: CycleParticipant, phase: str, *, now: datetime) -> None:
    """Refuse work for ``phase`` after its deadline (the end of its last day where the
    participant lives) unless HR reopened it for them. The services that take reviews'
    answers call this before writing."""
    dated = CyclePhase.objects.filter(cycle_id=participant.cycle_id, kind=phase).first()
    if dated is None:
        raise ValidationError({"phase": _("This cycle has no such phase.")})
    reopened = (
        PhaseReopening.objects.filter(participant=participant, kind=phase)
        .values_list("until", flat=True)
        .first()
    )
    person = Person.objects.only("time_zone").get(pk=participant.person_id)
    if not cycle_dates.is_open(
        now, ends_on=dated.ends_on, zone=person.zone, reopened_until=reopened
    ):
        raise ValidationError(
            {
                "phase": _(
                    "The deadline for %(phase)s passed on %(day)s; ask HR to reopen it for you."
                )
                % {"phase": Phase(phase).label.lower(), "day": (reopened or dated.ends_on)}
            }
        )


# --- answers -----------------------------------------------------------------------------

LIST_KINDS = frozenset({QuestionKind.LIST, QuestionKind.NEXT_GOALS})
TEXT_KINDS = frozenset({QuestionKind.TEXT, QuestionKind.IMPROVEMENT_AREAS})


def _author(viewer: Viewer, participant: CycleParticipant, relationship: str) -> int:
    """The viewer, when they write ``relationship``'s answers about ``participant``: the
    person themself, their manager at the launch, or an approved peer or upward reviewer.
    404 for anyone else."""
    if relationship in ANONYMOUS:
        approved = ReviewerAssignment.objects.filter(
            participant=participant,
            reviewer_id=viewer.person_id,
            relationship=relationship,
            status=ReviewerAssignment.Status.APPROVED,
        ).exists()
        if not approved or viewer.person_id is None:
            raise Http404
        return viewer.person_id
    author = answer_author(participant, relationship)
    if author is None or viewer.person_id != author:
        raise Http404
    return author


def _audit_answers(
    viewer: Viewer, response: ReviewResponse, verb: str, changes: dict[str, Any]
) -> None:
    """Audit a write of answers; a peer's or report's names no author and no response
    (whose row knows it), and says nothing else (not even how many answers): only that
    the participant's review got an answer written, so two such entries of a day cannot be
    told apart or put in the order they were written."""
    action = f"review.{response.relationship}.{verb}"
    if response.relationship in ANONYMOUS:
        audit_anonymous_write(action=action, target=response.participant, changes={})
    else:
        audit_write(actor=viewer, action=action, target=response, changes=changes)


def _response_for_writing(
    viewer: Viewer, participant: CycleParticipant, relationship: str, *, now: datetime
) -> ReviewResponse:
    """The viewer's response in ``relationship`` (created as an empty draft), locked for
    the write; 404 for anyone but its author, 409 once the cycle is closed, its phase's
    deadline passed (unless HR reopened it for the person) or it was submitted."""
    author = _author(viewer, participant, relationship)
    if participant.cycle.status != ReviewCycle.Status.LAUNCHED:
        raise ValidationError({"cycle": _("This review cycle is closed.")})
    require_phase_open(participant, ANSWER_PHASE[Relationship(relationship)], now=now)
    ReviewResponse.objects.get_or_create(
        participant=participant, relationship=relationship, author_id=author
    )
    response = ReviewResponse.objects.select_for_update().get(
        participant=participant, relationship=relationship, author_id=author
    )
    if response.submitted_at is not None:
        raise ValidationError(
            {"answers": _("You have submitted this review; its answers can no longer change.")}
        )
    return response


def _checked_answers(
    answers: Sequence[AnswerIn], questions: Mapping[int, TemplateQuestion]
) -> dict[str, dict[str, Any]]:
    """The answers as stored (empty ones left out), or a ValidationError naming each wrong
    one as ``answers.<index>.<field>``: a question this relationship does not answer, one
    answered twice, a rating off the question's scale, a part the question does not take."""
    ranks = set(JobLevel.objects.values_list("rank", flat=True))
    errors: dict[str, str] = {}
    stored: dict[str, dict[str, Any]] = {}
    for index, answer in enumerate(answers):
        at = f"answers.{index}"
        question = questions.get(answer.question_id)
        if question is None:
            errors[f"{at}.question_id"] = _("This question is not yours to answer in this review.")
            continue
        if str(question.pk) in stored:
            errors[f"{at}.question_id"] = _("Each question is answered once.")
            continue
        items = [item for item in answer.items if item]
        if answer.rating is not None:
            if question.kind == QuestionKind.RATING:
                top = len(question.points.all())
                if answer.rating > top:
                    errors[f"{at}.rating"] = _("Choose a point of the scale, 1 to %(top)s.") % {
                        "top": top
                    }
            elif question.kind == QuestionKind.COMPETENCY:
                if answer.rating not in ranks:
                    errors[f"{at}.rating"] = _("Choose one of the job levels.")
            else:
                errors[f"{at}.rating"] = _("This question takes no rating.")
        if items and question.kind not in LIST_KINDS:
            errors[f"{at}.items"] = _("This question takes no list.")
        if answer.rating is not None or answer.text or items:
            stored[str(question.pk)] = {
                "rating": answer.rating,
                "text": answer.text,
                "items": items,
            }
    if errors:
        raise ValidationError(errors)
    return stored


def _unanswered(question: TemplateQuestion, answer: Mapping[str, Any] | None) -> bool:
    """Whether a question still needs its answer before submitting: a rating for the
    rated kinds, the text of a text question or an area to improve, one item of a list.
    Goal results need none (they show the goals; a comment is optional)."""
    answer = answer or {}
    if question.kind in SCORED_KINDS:
        return answer.get("rating") is None
    if question.kind in TEXT_KINDS:
        return not answer.get("text")
    if question.kind in LIST_KINDS:
        return not answer.get("items")
    return False


@transaction.atomic
def review_draft_save(
    *,
    viewer: Viewer,
    participant: CycleParticipant,
    relationship: str,
    answers: Sequence[AnswerIn | Mapping[str, Any]],
    overall_rating: int | None = None,
    potential: int | None = None,
    now: datetime | None = None,
) -> ReviewResponse:
    """Replace the viewer's draft answers (self-assessment or manager's review). Only its
    author may, before the phase's deadline (or HR's reopening) and before submitting.
    The manager's draft also replaces their proposed overall rating and potential (on the
    participant); ``potential`` only where the cycle's template asks for it."""
    now = now or timezone.now()
    parsed = parse_items(AnswerIn, answers, field="answers")
    response = _response_for_writing(viewer, participant, relationship, now=now)
    questions = {
        q.pk: q for q in answering_questions(participant.cycle.template_version_id, relationship)
    }
    errors = _proposal_problems(participant, relationship, overall_rating, potential)
    try:
        stored = _checked_answers(parsed, questions)
    except ValidationError as exc:
        raise ValidationError({**exc.message_dict, **errors}) from exc
    if errors:
        raise ValidationError(errors)
    response.answers = stored
    response.save(update_fields=["answers", "updated_at"])
    _audit_answers(viewer, response, "draft", {"answers": True, "answered": len(stored)})
    if relationship == Relationship.MANAGER:
        _proposal_save(viewer, participant, overall_rating, potential)
    return response


def _proposal_problems(
    participant: CycleParticipant,
    relationship: str,
    overall_rating: int | None,
    potential: int | None,
) -> dict[str, str]:
    """An overall rating or potential from anyone but the manager, or potential where the
    template does not ask for it (the scales themselves are the schema's)."""
    errors: dict[str, str] = {}
    if relationship != Relationship.MANAGER:
        if overall_rating is not None:
            errors["overall_rating"] = _("Only the manager proposes an overall rating.")
        if potential is not None:
            errors["potential"] = _("Only the manager proposes potential.")
    elif potential is not None and not participant.cycle.template_version.asks_potential:
        errors["potential"] = _("This cycle's template does not ask for potential.")
    return errors


def _proposal_save(
    viewer: Viewer, participant: CycleParticipant, overall_rating: int | None, potential: int | None
) -> None:
    """Keep the manager's proposal on the participant (audited when it changed)."""
    fresh = CycleParticipant.objects.select_for_update().get(pk=participant.pk)
    changed = diff(fresh, {"proposed_rating": overall_rating, "potential": potential})
    if not changed:
        return
    CycleParticipant.objects.filter(pk=fresh.pk).update(
        **{name: new for name, (_old, new) in changed.items()}
    )
    for name, (_old, new) in changed.items():
        setattr(participant, name, new)
    audit_write(actor=viewer, action="review.manager.propose", target=fresh, changes=changed)


def _proposal_missing(participant: CycleParticipant) -> dict[str, str]:
    """What the manager must still propose before submitting."""
    errors: dict[str, str] = {}
    if participant.proposed_rating is None:
        errors["overall_rating"] = _("Propose an overall rating before you submit.")
    if participant.potential is None and participant.cycle.template_version.asks_potential:
        errors["potential"] = _("Propose the person's potential before you submit.")
    return errors


@transaction.atomic
def review_submit(
    *,
    viewer: Viewer,
    participant: CycleParticipant,
    relationship: str,
    now: datetime | None = None,
) -> ReviewResponse:
    """Submit the viewer's saved answers. Every question that needs an answer must have
    one (a ValidationError names each as ``questions.<id>``); after that the answers never
    change, and the other party may see them once they have submitted too. The manager
    must also have proposed an overall rating (and potential, where the template asks);
    submitting fixes the proposal as the final rating until calibration changes it."""
    now = now or timezone.now()
    response = _response_for_writing(viewer, participant, relationship, now=now)
    errors = {
        f"questions.{q.pk}": _("Answer this question before you submit.")
        for q in answering_questions(participant.cycle.template_version_id, relationship)
        if _unanswered(q, response.answers.get(str(q.pk)))
    }
    fresh: CycleParticipant | None = None
    if relationship == Relationship.MANAGER:
        fresh = (
            CycleParticipant.objects.select_for_update()
            .select_related("cycle__template_version")
            .get(pk=participant.pk)
        )
        errors.update(_proposal_missing(fresh))
    if errors:
        raise ValidationError(errors)
    response.submitted_at = now
    response.save(update_fields=["submitted_at", "updated_at"])
    work_changed(participant.cycle_id)
    _audit_answers(viewer, response, "submit", {"answered": len(response.answers)})
    if fresh is not None:
        final = {"final_rating": fresh.proposed_rating, "final_potential": fresh.potential}
        changed = diff(fresh, final)
        CycleParticipant.objects.filter(pk=fresh.pk).update(**final)
        for name, value in final.items():
            setattr(participant, name, value)
        if changed:
            audit_write(actor=viewer, action="review.manager.final", target=fresh, changes=changed)
    return response


# --- nudges ------------------------------------------------------------------------------


@transaction.atomic
def participant_nudge(
    *, viewer: Viewer, participant: CycleParticipant, phase: str, now: datetime | None = None
) -> int:
    """HR reminds whoever owes a late phase's work (the person for their self-assessment,
    their manager for the manager's review) with one e-mail through the outbox, at most
    once a (UTC) day per person nudged. ``participant`` comes from
    ``selectors.participant_to_nudge``. Returns the delivery's id."""
    require_hr(viewer)
    now = now or timezone.now()
    relationship = TRACKED_PHASES.get(Phase(phase)) if phase in PHASE_ORDER else None
    if relationship is None:
        raise ValidationError(
            {"phase": _("Only the self-assessment and the manager's review can be nudged.")}
        )
    phases = {p.kind: p for p in CyclePhase.objects.filter(cycle_id=participant.cycle_id)}
    states = work_states(
        phases, zone_name=participant.person.time_zone, values=participant.__dict__, now=now
    )
    if not next(s.late for s in states if s.phase == phase):
        raise ValidationError({"phase": _("This work is not late: there is nothing to nudge.")})
    whom = answer_author(participant, relationship)
    if whom is None:
        raise ValidationError({"phase": _("This person had no manager at the launch.")})
    day = now.astimezone(UTC).date()
    if Delivery.objects.filter(
        person_id=whom, key__startswith=f"{reminders.NUDGE_PREFIX}{day.isoformat()}:"
    ).exists():
        raise ValidationError(
            {"phase": _("They were already nudged today; you can nudge them again tomorrow.")}
        )
    ids = deliveries_record(
        person_keys=[(whom, reminders.nudge_key(day, participant.pk, phase))], now=now
    )
    deliveries_enqueue_on_commit(ids)
    audit_write(
        actor=viewer,
        action="review_cycle.nudge",
        target=participant.cycle,
        changes={"person": whom, "participant": participant.person_id, "phase": phase},
    )
    return ids[0] if ids else 0


# --- peer and upward reviewers -------------------------------------------------------------


def _open_for_nomination(participant: CycleParticipant, now: datetime) -> None:
    if participant.cycle.status != ReviewCycle.Status.LAUNCHED:
        raise ValidationError({"cycle": _("This review cycle is closed.")})
    require_phase_open(participant, Phase.PEER_NOMINATION, now=now)


def _peer_problems(
    participant: CycleParticipant, ids: Sequence[int], field_name: str
) -> dict[str, str]:
    """Each id that cannot be a peer: unknown or gone, the person themself, their manager
    at the launch (who reads the peer aggregate, and could subtract their own answer from
    it), or already their upward reviewer."""
    usable = set(
        Person.objects.filter(pk__in=set(ids))
        .exclude(status=Person.Status.LEFT)
        .values_list("pk", flat=True)
    )
    upward = set(
        ReviewerAssignment.objects.filter(
            participant=participant, relationship=Relationship.UPWARD
        ).values_list("reviewer_id", flat=True)
    )
    errors: dict[str, str] = {}
    for index, person_id in enumerate(ids):
        at = f"{field_name}.{index}"
        if person_id not in usable:
            errors[at] = _("No one in the organisation has id %(id)s.") % {"id": person_id}
        elif person_id == participant.person_id:
            errors[at] = _("Nobody reviews themself as a peer.")
        elif person_id == participant.manager_id:
            errors[at] = _(
                "Their manager reads the peer answers combined, so cannot be one of the peers."
            )
        elif person_id in upward:
            errors[at] = _("This person already reviews them as a direct report.")
        elif person_id in ids[:index]:
            errors[at] = _("Each peer is named once.")
    return errors


def _peers(participant: CycleParticipant) -> dict[int, ReviewerAssignment]:
    return {
        a.reviewer_id: a
        for a in ReviewerAssignment.objects.select_for_update().filter(
            participant=participant, relationship=Relationship.PEER
        )
    }


@transaction.atomic
def peer_nominate(
    *,
    viewer: Viewer,
    participant: CycleParticipant,
    reviewer_ids: Sequence[int],
    now: datetime | None = None,
) -> list[ReviewerAssignment]:
    """The participant names the peers they would like to review them, between the
    cycle's fewest and most, while peer nomination is open. Nominations their manager has
    not decided yet are replaced; approved, removed and declined ones stay as they are."""
    if viewer.person_id is None or viewer.person_id != participant.person_id:
        raise Http404
    _open_for_nomination(participant, now or timezone.now())
    cycle = participant.cycle
    ids = list(reviewer_ids)
    errors = _peer_problems(participant, ids, "reviewer_ids")
    existing = _peers(participant)
    decided = {
        pid for pid, a in existing.items() if a.status != ReviewerAssignment.Status.NOMINATED
    }
    wanted = [pid for pid in ids if pid not in decided]
    total = len(
        set(ids)
        | {p for p, a in existing.items() if a.status == ReviewerAssignment.Status.APPROVED}
    )
    if not errors and not cycle.min_peers <= total <= cycle.max_peers:
        errors["reviewer_ids"] = _("Name between %(low)s and %(high)s peers.") % {
            "low": cycle.min_peers,
            "high": cycle.max_peers,
        }
    if errors:
        raise ValidationError(errors)
    ReviewerAssignment.objects.filter(
        participant=participant,
        relationship=Relationship.PEER,
        status=ReviewerAssignment.Status.NOMINATED,
    ).exclude(reviewer_id__in=wanted).delete()
    ReviewerAssignment.objects.bulk_create(
        [
            ReviewerAssignment(
                participant=participant, reviewer_id=pid, relationship=Relationship.PEER
            )
            for pid in wanted
            if pid not in existing
        ]
    )
    work_changed(cycle.pk)
    audit_write(
        actor=viewer,
        action="review.peers.nominate",
        target=participant,
        changes={"peers": sorted(ids)},
    )
    return list(_peers(participant).values())


@transaction.atomic
def peer_decide(
    *,
    viewer: Viewer,
    participant: CycleParticipant,
    approve: Sequence[int] = (),
    remove: Sequence[int] = (),
    add: Sequence[int] = (),
    now: datetime | None = None,
) -> list[ReviewerAssignment]:
    """The participant's manager (at the launch) approves nominated peers, removes peers
    and adds their own, while peer nomination is open; approved peers stay within the
    cycle's most."""
    if viewer.person_id is None or viewer.person_id != participant.manager_id:
        raise Http404
    _open_for_nomination(participant, now or timezone.now())
    existing = _peers(participant)
    errors = _peer_problems(participant, list(add), "add")
    for field_name, ids in (("approve", approve), ("remove", remove)):
        for index, pid in enumerate(ids):
            if pid not in existing:
                errors[f"{field_name}.{index}"] = _("This person is not among the peers.")
    if errors:
        raise ValidationError(errors)
    status = ReviewerAssignment.Status
    for pid in approve:
        if existing[pid].status == status.NOMINATED:
            existing[pid].status = status.APPROVED
    for pid in remove:
        existing[pid].status = status.REMOVED
    for pid in add:
        if pid in existing:
            existing[pid].status = status.APPROVED
        else:
            existing[pid] = ReviewerAssignment(
                participant=participant,
                reviewer_id=pid,
                relationship=Relationship.PEER,
                status=status.APPROVED,
            )
    approved = sum(1 for a in existing.values() if a.status == status.APPROVED)
    if approved > participant.cycle.max_peers:
        raise ValidationError(
            {
                "approve": _("At most %(n)s peers review each person.")
                % {"n": participant.cycle.max_peers}
            }
        )
    for assignment in existing.values():
        assignment.save()
    work_changed(participant.cycle_id)
    audit_write(
        actor=viewer,
        action="review.peers.decide",
        target=participant,
        changes={"approve": sorted(approve), "remove": sorted(remove), "add": sorted(add)},
    )
    return list(existing.values())


@transaction.atomic
def reviewer_decline(
    *, viewer: Viewer, assignment: ReviewerAssignment, reason: str, now: datetime | None = None
) -> ReviewerAssignment:
    """A nominated or approved reviewer declines, saying why, before the peer and upward
    reviews' deadline and before answering."""
    if viewer.person_id is None or viewer.person_id != assignment.reviewer_id:
        raise Http404
    participant = assignment.participant
    if participant.cycle.status != ReviewCycle.Status.LAUNCHED:
        raise ValidationError({"cycle": _("This review cycle is closed.")})
    require_phase_open(participant, Phase.PEER_REVIEWS, now=now or timezone.now())
    assignment = ReviewerAssignment.objects.select_for_update().get(pk=assignment.pk)
    status = ReviewerAssignment.Status
    if assignment.status not in (status.NOMINATED, status.APPROVED):
        raise ValidationError({"reason": _("You are no longer asked for this review.")})
    if ReviewResponse.objects.filter(
        participant=participant, author_id=viewer.person_id, submitted_at__isnull=False
    ).exists():
        raise ValidationError({"reason": _("You have already submitted this review.")})
    assignment.status = status.DECLINED
    assignment.decline_reason = reason
    assignment.save(update_fields=["status", "decline_reason"])
    work_changed(participant.cycle_id)
    audit_write(
        actor=viewer,
        action="review.reviewer.decline",
        target=assignment,
        changes={"decline_reason": reason},
    )
    return assignment
