"""Review pages for HR admins: the template builder and the competency framework.

Every page answers 404 to anyone but HR admins (the selectors and services decide). The
builder is plain server-rendered forms, one per action, each posting and coming back to
the builder, so it works without JavaScript.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from stride.access.viewer import Viewer
from stride.lib.exports import safe_cell
from stride.lib.forms import SchemaForm, spread_service_errors
from stride.lib.input import InputProblem, InvalidInput, parse, problems_from_django
from stride.reviews import anonymity, calibration, selectors, services, views_sign_off
from stride.reviews.forms import (
    AnalyticsFilterForm,
    CompetencyForm,
    CycleForm,
    JobLevelAssignForm,
    JobLevelForm,
    NudgeForm,
    PersonLookupForm,
    QuestionForm,
    ReopenForm,
    SectionForm,
    TemplateForm,
    competency_initial,
    question_initial,
)
from stride.reviews.models import OverallRating, Potential, ReviewTemplate, TemplateSection
from stride.reviews.schemas import AnswersIn, Nudge, PeerDecision, QuestionIn, ReviewDecline


def _viewer(request: HttpRequest) -> Viewer:
    viewer: Viewer = request.viewer  # type: ignore[attr-defined]
    return viewer


def _builder(template: ReviewTemplate, anchor: str = "") -> HttpResponse:
    url = reverse("reviews:template_detail", args=[template.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _saved(request: HttpRequest, form: SchemaForm, action: Any) -> Any:
    """Run ``action`` (a service call) when the form parses; its domain errors go onto
    the form. Returns the service's result, or None when nothing was saved."""
    if not form.is_valid():
        return None
    try:
        return action()
    except ValidationError as exc:
        spread_service_errors(exc, form)
        return None


# --- templates ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def templates(request: HttpRequest) -> HttpResponse:
    """Every template, and a form to start a new one."""
    viewer = _viewer(request)
    listed = list(selectors.templates_for(viewer))
    form = TemplateForm(request.POST or None)
    if request.method == "POST":
        made = _saved(
            request,
            form,
            lambda: services.template_create(
                viewer=viewer,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                asks_potential=form.cleaned_data["asks_potential"],
            ),
        )
        if made is not None:
            messages.success(request, _("Template created: now add its sections."))
            return _builder(made)
    return TemplateResponse(
        request,
        "reviews/templates.html",
        {"templates": listed, "form": form},
        status=422 if form.errors else 200,
    )


def _builder_page(
    request: HttpRequest,
    viewer: Viewer,
    template: ReviewTemplate,
    status: int = 200,
    **forms: SchemaForm,
) -> HttpResponse:
    """The builder: the latest version's sections and questions, with a form for each
    change (``forms`` replaces the blank ones, to show a refused form's problems)."""
    version = selectors.latest_version(template)
    context: dict[str, Any] = {
        "template": template,
        "version": version,
        "sections": selectors.section_shares(version),
        "locked": selectors.version_is_locked(version),
        "cycles": list(selectors.cycles_using(viewer, template)[:20]),
        "versions": list(selectors.versions_of(template)[:20]),
        "rename_form": TemplateForm(
            initial={
                "name": template.name,
                "description": template.description,
                "asks_potential": version.asks_potential,
            }
        ),
        "section_form": SectionForm(),
        **forms,
    }
    return TemplateResponse(request, "reviews/template_detail.html", context, status=status)


def _builder_write(
    request: HttpRequest,
    viewer: Viewer,
    template: ReviewTemplate,
    *,
    form_name: str,
    form: SchemaForm,
    save: Callable[[], Any],
    done: str,
) -> HttpResponse:
    """Save through ``save`` and return to the builder (at the new or changed section),
    or show the builder again with ``form``'s problems."""
    saved = _saved(request, form, save)
    if saved is None:
        return _builder_page(request, viewer, template, status=422, **{form_name: form})
    messages.success(request, done)
    return _builder(template, f"section-{saved.pk}" if isinstance(saved, TemplateSection) else "")


@login_required
@require_safe
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    viewer = _viewer(request)
    return _builder_page(request, viewer, selectors.template_for_viewer(viewer, template_id))


@login_required
@require_POST
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    form = TemplateForm(request.POST)
    return _builder_write(
        request,
        viewer,
        template,
        form_name="rename_form",
        form=form,
        save=lambda: services.template_update(
            viewer=viewer,
            template=template,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            asks_potential=form.cleaned_data["asks_potential"],
        ),
        done=_("Template saved."),
    )


@login_required
@require_POST
def section_add(request: HttpRequest, template_id: int) -> HttpResponse:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    form = SectionForm(request.POST)
    return _builder_write(
        request,
        viewer,
        template,
        form_name="section_form",
        form=form,
        save=lambda: services.section_add(viewer=viewer, template=template, **form.cleaned_data),
        done=_("Section added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, template_id: int, section_id: int) -> HttpResponse:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    section = selectors.section_of_latest(template, section_id)
    form = SectionForm(
        request.POST or None,
        initial={
            "title": section.title,
            "description": section.description,
            "weight": section.weight,
        },
    )
    if request.method == "POST":
        saved = _saved(
            request,
            form,
            lambda: services.section_update(
                viewer=viewer, template=template, section_id=section.pk, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, _("Section saved."))
            return _builder(template, f"section-{saved.pk}")
    return TemplateResponse(
        request,
        "reviews/section_form.html",
        {"template": template, "section": section, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def section_delete(request: HttpRequest, template_id: int, section_id: int) -> HttpResponse:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    services.section_delete(viewer=viewer, template=template, section_id=section_id)
    messages.success(request, _("Section removed."))
    return _builder(template)


def _question_flow(
    request: HttpRequest,
    template: ReviewTemplate,
    *,
    initial: dict[str, Any],
    context: dict[str, Any],
    save: Callable[[QuestionIn], Any],
    done: str,
) -> HttpResponse:
    """The question form (adding or editing): on a valid post, ``save`` the parsed
    question and go back to the builder at it; else show the form with its problems."""
    viewer = _viewer(request)
    form = QuestionForm(
        request.POST or None, competencies=selectors.competencies_for(viewer), initial=initial
    )
    if request.method == "POST":

        def run() -> Any:
            assert isinstance(form.parsed, QuestionIn)
            return save(form.parsed)

        saved = _saved(request, form, run)
        if saved is not None:
            messages.success(request, done)
            return _builder(template, f"question-{saved.pk}")
    return TemplateResponse(
        request,
        "reviews/question_form.html",
        {"template": template, "form": form, **context},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_add(request: HttpRequest, template_id: int, section_id: int) -> HttpResponse:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    section = selectors.section_of_latest(template, section_id)
    return _question_flow(
        request,
        template,
        initial={"answered_by": ["self", "manager"]},
        context={"section": section, "question": None},
        save=lambda question: services.question_add(
            viewer=viewer, template=template, section_id=section.pk, question=question
        ),
        done=_("Question added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, template_id: int, question_id: int) -> HttpResponse:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    stored = selectors.question_of_latest(template, question_id)
    return _question_flow(
        request,
        template,
        initial=question_initial(stored),
        context={"section": stored.section, "question": stored},
        save=lambda question: services.question_update(
            viewer=viewer, template=template, question_id=stored.pk, question=question
        ),
        done=_("Question saved."),
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, template_id: int, question_id: int) -> HttpResponse:
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    services.question_delete(viewer=viewer, template=template, question_id=question_id)
    messages.success(request, _("Question removed."))
    return _builder(template)


@login_required
@require_safe
def template_preview(request: HttpRequest, template_id: int) -> HttpResponse:
    """The form as a person would see it; with ``?email=`` the competency questions
    show that person's expected level beside the scale."""
    viewer = _viewer(request)
    template = selectors.template_for_viewer(viewer, template_id)
    lookup = PersonLookupForm(request.GET or None)
    person = None
    if lookup.is_valid() and lookup.cleaned_data["email"]:
        person = selectors.person_by_email(viewer, lookup.cleaned_data["email"])
        if person is None:
            lookup.add_error("email", _("Nobody you can see has this e-mail address."))
    version = selectors.latest_version(template)
    return TemplateResponse(
        request,
        "reviews/template_preview.html",
        {
            "template": template,
            "version": version,
            "lookup": lookup,
            "person": person,
            "expected": selectors.job_level_of(person) if person else None,
            "levels": list(selectors.job_levels(viewer)),
        },
    )


# --- competencies ------------------------------------------------------------------------


@login_required
@require_safe
def competencies(request: HttpRequest) -> HttpResponse:
    """The framework: job levels, competencies with a description per level, and where to
    set a person's job level."""
    viewer = _viewer(request)
    selectors.require_hr(viewer)
    lookup = PersonLookupForm(request.GET or None)
    person = None
    if lookup.is_valid() and lookup.cleaned_data["email"]:
        person = selectors.person_by_email(viewer, lookup.cleaned_data["email"])
        if person is None:
            lookup.add_error("email", _("Nobody you can see has this e-mail address."))
    return TemplateResponse(
        request,
        "reviews/competencies.html",
        _framework_context(viewer) | {"lookup": lookup, "found": person},
    )


def _framework_context(viewer: Viewer) -> dict[str, Any]:
    levels = list(selectors.job_levels(viewer))
    return {
        "levels": levels,
        "competencies": list(selectors.competencies_for(viewer)),
        "level_form": JobLevelForm(),
    }


@login_required
@require_POST
def job_level_add(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    selectors.require_hr(viewer)
    form = JobLevelForm(request.POST)
    made = _saved(
        request, form, lambda: services.job_level_create(viewer=viewer, **form.cleaned_data)
    )
    if made is not None:
        messages.success(request, _("Job level added."))
        return redirect("reviews:competencies")
    context = _framework_context(viewer) | {"level_form": form, "lookup": PersonLookupForm()}
    return TemplateResponse(request, "reviews/competencies.html", context, status=422)


def _competency_page(
    request: HttpRequest, viewer: Viewer, competency_id: int | None
) -> HttpResponse:
    competency = (
        selectors.competency_for_hr(viewer, competency_id) if competency_id is not None else None
    )
    selectors.require_hr(viewer)
    levels = list(selectors.job_levels(viewer))
    initial = competency_initial(competency) if competency is not None else None
    form = CompetencyForm(request.POST or None, job_levels=levels, initial=initial)
    if request.method == "POST":

        def save() -> Any:
            assert form.parsed is not None
            data = form.parsed.model_dump()
            if competency is None:
                return services.competency_create(viewer=viewer, **data)
            return services.competency_update(viewer=viewer, competency=competency, **data)

        saved = _saved(request, form, save)
        if saved is not None:
            messages.success(request, _("Competency saved."))
            return redirect(f"{reverse('reviews:competencies')}#competency-{saved.pk}")
    return TemplateResponse(
        request,
        "reviews/competency_form.html",
        {"form": form, "competency": competency},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def competency_add(request: HttpRequest) -> HttpResponse:
    return _competency_page(request, _viewer(request), None)


@login_required
@require_http_methods(["GET", "POST"])
def competency_edit(request: HttpRequest, competency_id: int) -> HttpResponse:
    return _competency_page(request, _viewer(request), competency_id)


@login_required
@require_http_methods(["GET", "POST"])
def person_job_level(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = _viewer(request)
    selectors.require_hr(viewer)
    person = selectors.person_for_hr(viewer, person_id)
    levels = list(selectors.job_levels(viewer))
    current = selectors.job_level_of(person)
    form = JobLevelAssignForm(
        request.POST or None,
        job_levels=levels,
        initial={"job_level": str(current.pk) if current else ""},
    )
    if request.method == "POST":

        def save() -> Any:
            level_id = form.cleaned_data["job_level_id"]
            level = services.job_level_by_id(level_id) if level_id is not None else None
            services.person_job_level_set(viewer=viewer, person=person, job_level=level)
            return True

        if _saved(request, form, save):
            messages.success(request, _("Job level saved."))
            return redirect("reviews:competencies")
    return TemplateResponse(
        request,
        "reviews/person_job_level.html",
        {"person": person, "form": form, "current": current},
        status=422 if form.errors else 200,
    )


# --- cycles ------------------------------------------------------------------------------

PARTICIPANTS_PAGE_SIZE = 50


@login_required
@require_safe
def cycles(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    listed = list(selectors.cycles_for(viewer)[:100])
    return TemplateResponse(request, "reviews/cycles.html", {"cycles": listed})


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    form = CycleForm(
        request.POST or None,
        templates=selectors.templates_for(viewer),
        teams=selectors.teams_for(viewer),
    )
    if request.method == "POST":

        def save() -> Any:
            assert form.parsed is not None
            return services.cycle_create(viewer=viewer, **form.parsed.model_dump())

        made = _saved(request, form, save)
        if made is not None:
            messages.success(
                request, _("Cycle saved as a draft: check who takes part, then launch.")
            )
            return redirect("reviews:cycle_detail", cycle_id=made.pk)
    return TemplateResponse(
        request,
        "reviews/cycle_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_safe
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """A cycle's calendar and filter; before the launch, how many people it would take;
    after, progress per team and the participants, each with a form to reopen a phase."""
    viewer = _viewer(request)
    now = timezone.now()
    cycle = selectors.cycle_for_viewer(viewer, cycle_id)
    launched = cycle.status != cycle.Status.DRAFT
    page: Page[Any] | None = (
        Paginator(selectors.ParticipantsByName(cycle), PARTICIPANTS_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        if launched
        else None
    )
    return TemplateResponse(
        request,
        "reviews/cycle_detail.html",
        {
            "cycle": cycle,
            "phases": selectors.ordered_phases(cycle),
            "launched": launched,
            "candidates": None if launched else selectors.cycle_candidates(cycle).count(),
            "progress": selectors.cycle_progress(cycle, now=now) if launched else [],
            "rows": _participant_rows(cycle, page, now=now),
            "page": page,
            "phase_choices": ReopenForm.base_fields["phase"].choices,  # type: ignore[attr-defined]
        },
    )


@login_required
@require_safe
def cycle_analytics(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """HR's view of a cycle's ratings by team, job level and relationship: each figure
    stands for at least the anonymity threshold of respondents, in every combination."""
    viewer = _viewer(request)
    teams, levels = anonymity.analytics_choices(viewer)  # 404 for anyone but HR
    form = AnalyticsFilterForm(request.GET, teams=teams, levels=levels)
    result = anonymity.cycle_analytics(
        viewer, cycle_id, anonymity.AnalyticsFilters(**form.filters()), now=timezone.now()
    )
    return TemplateResponse(
        request,
        "reviews/cycle_analytics.html",
        {"cycle": result.cycle, "form": form, "result": result},
    )


def _participant_rows(cycle: Any, page: Any, *, now: Any) -> list[tuple[Any, Any]]:
    """Each participant of the page with the state of its tracked phases."""
    if page is None:
        return []
    participants = list(page)
    states = selectors.participant_states(cycle, participants, now=now)
    return [(p, states[p.pk]) for p in participants]


@login_required
@require_POST
def cycle_launch(request: HttpRequest, cycle_id: int) -> HttpResponse:
    viewer = _viewer(request)
    cycle = selectors.cycle_for_viewer(viewer, cycle_id)
    try:
        services.cycle_launch(viewer=viewer, cycle=cycle)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, str(text))
    else:
        messages.success(request, _("Cycle launched."))
    return redirect("reviews:cycle_detail", cycle_id=cycle.pk)


@login_required
@require_POST
def participant_reopen(request: HttpRequest, participant_id: int) -> HttpResponse:
    """Reopen a phase for one participant; problems are shown at the top of the page."""
    viewer = _viewer(request)
    participant = selectors.participant_for_hr(viewer, participant_id)
    cycle = participant.cycle
    form = ReopenForm(request.POST)

    def save() -> Any:
        assert form.parsed is not None
        return services.phase_reopen(
            viewer=viewer, participant=participant, **form.parsed.model_dump()
        )

    if _saved(request, form, save) is not None:
        messages.success(request, _("Phase reopened for this person."))
    else:
        for field, errors in form.errors.items():
            for text in errors:
                messages.error(request, f"{field}: {text}" if field != "__all__" else str(text))
    return redirect("reviews:cycle_detail", cycle_id=cycle.pk)


@login_required
@require_POST
def participant_nudge(request: HttpRequest, participant_id: int) -> HttpResponse:
    """Nudge whoever owes a participant's late work; problems are shown at the top."""
    viewer = _viewer(request)
    participant = selectors.participant_to_nudge(viewer, participant_id)
    form = NudgeForm(request.POST)

    def save() -> Any:
        assert isinstance(form.parsed, Nudge)
        services.participant_nudge(viewer=viewer, participant=participant, phase=form.parsed.phase)
        return True

    if _saved(request, form, save) is not None:
        messages.success(request, _("Nudged: they will get an e-mail."))
    else:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, str(text))
    return redirect("reviews:cycle_detail", cycle_id=participant.cycle_id)


@login_required
@require_safe
def cycle_export(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The participants as CSV: person, team, manager and, per phase, its deadline date,
    the day HR reopened it until and, for each phase with work, its state."""
    viewer = _viewer(request)
    cycle = selectors.cycle_for_viewer(viewer, cycle_id)
    phases = selectors.ordered_phases(cycle)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cycle-{cycle.pk}-progress.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["name", "email", "team", "manager"]
        + [f"{p.kind}_ends_on" for p in phases]
        + [f"{p.kind}_reopened_until" for p in phases]
        + [f"{kind}_status" for kind in selectors.PROGRESS_PHASES]
    )
    now = timezone.now()
    dated = {p.kind: p for p in phases}
    for participant in selectors.cycle_participants(cycle).iterator(chunk_size=1000):
        reopened = {r.kind: r.until for r in participant.reopenings.all()}
        states = selectors.work_states(
            dated, zone_name=participant.person.time_zone, values=participant.__dict__, now=now
        )
        cells = (
            [
                participant.person.name,
                participant.person.email,
                participant.team.name if participant.team else "",
                participant.manager.email if participant.manager else "",
            ]
            + [p.ends_on.isoformat() for p in phases]
            + [reopened[p.kind].isoformat() if p.kind in reopened else "" for p in phases]
            + [_csv_state(s) for s in states]
        )
        # A name like "=HYPERLINK(…)" must not run as a formula in HR's spreadsheet.
        writer.writerow([safe_cell(cell) for cell in cells])
    return response


def _csv_state(state: selectors.WorkState) -> str:
    """``submitted`` (a response) or ``done`` (peers nominated, every review in), ``late``
    past the deadline, else empty."""
    if state.done:
        return "submitted" if state.nudgeable else "done"
    return "late" if state.late else ""


# --- a person's reviews: the self-assessment and the manager's review --------------------


@login_required
@require_safe
def my_reviews(request: HttpRequest) -> HttpResponse:
    """The reviews the viewer takes part in: their own and their reports'."""
    viewer = _viewer(request)
    listed = list(selectors.reviews_of(viewer)[:MY_REVIEWS_SHOWN])
    return TemplateResponse(
        request,
        "reviews/my_reviews.html",
        {
            "own": [p for p in listed if p.person_id == viewer.person_id],
            "reports": [p for p in listed if p.person_id != viewer.person_id],
            "requests": list(selectors.review_requests_of(viewer)[:MY_REVIEWS_SHOWN]),
            "calibrating": calibration.calibrated_cycles(viewer),
        },
    )


MY_REVIEWS_SHOWN = 200


def answers_from_post(packet: selectors.ReviewPacket, data: Any) -> list[dict[str, Any]]:
    """The page's fields (``q<id>-rating``, ``q<id>-text``, ``q<id>-items`` one item a
    line) as the rows of ``AnswersIn``, in the order of the page's questions, so a problem
    at ``answers.<i>`` belongs to the i-th question."""
    rows = []
    for row in packet.rows:
        prefix = f"q{row.question.pk}-"
        rating = (data.get(f"{prefix}rating") or "").strip()
        rows.append(
            {
                "question_id": row.question.pk,
                "rating": rating or None,
                "text": data.get(f"{prefix}text", ""),
                "items": [
                    line for line in (data.get(f"{prefix}items") or "").splitlines() if line.strip()
                ],
            }
        )
    return rows


PROPOSAL_FIELDS = ("overall_rating", "potential")


def proposal_from_post(packet: selectors.ReviewPacket, data: Any) -> dict[str, Any]:
    """The manager's overall rating and potential radio groups as ``AnswersIn``'s fields
    (nothing from anyone else's page, which has no such fields)."""
    if packet.relationship != "manager":
        return {}
    return {name: (data.get(name) or "").strip() or None for name in PROPOSAL_FIELDS}


def _proposal_choices(packet: selectors.ReviewPacket, posted: Any) -> list[dict[str, Any]]:
    """The manager's radio groups: the overall rating, and potential where the template
    asks for it, each with its chosen value (what was posted, else what is stored)."""
    if packet.relationship != "manager":
        return []
    participant = packet.role.participant
    groups = [
        ("overall_rating", _("Overall rating"), OverallRating.choices, "proposed_rating"),
    ]
    if participant.cycle.template_version.asks_potential:
        groups.append(("potential", _("Potential"), Potential.choices, "potential"))
    out = []
    for name, legend, choices, stored in groups:
        value = (
            _int_or_none(posted.get(name)) if posted is not None else getattr(participant, stored)
        )
        out.append(
            {
                "name": name,
                "legend": legend,
                "choices": choices,
                "value": value,
                "label": dict(choices).get(value, "") if value is not None else "",
            }
        )
    return out


def _problems_by_question(
    packet: selectors.ReviewPacket, problems: list[InputProblem]
) -> tuple[dict[int | str, list[str]], list[str]]:
    """Problems placed on the question they name (``answers.<i>…`` by position,
    ``questions.<id>`` by id) or on the manager's overall rating or potential; the rest
    are the page's."""
    positions = [row.question.pk for row in packet.rows]
    on_question: dict[int | str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        loc = problem.loc
        if len(loc) >= 2 and loc[0] == "answers" and isinstance(loc[1], int):
            on_question.setdefault(positions[loc[1]], []).append(problem.msg)
        elif len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
            on_question.setdefault(loc[1], []).append(problem.msg)
        elif loc and loc[0] in PROPOSAL_FIELDS:
            on_question.setdefault(str(loc[0]), []).append(problem.msg)
        else:
            general.append(problem.msg)
    return on_question, general


def _review_page(
    request: HttpRequest,
    packet: selectors.ReviewPacket,
    url: str,
    *,
    request_id: int | None = None,
    status: int = 200,
    problems: list[InputProblem] | None = None,
    posted: Any = None,
) -> HttpResponse:
    on_question, general = _problems_by_question(packet, problems or [])
    rows = packet.rows
    if posted is not None:  # show what was sent, not what is stored, beside its problems
        sent = {a["question_id"]: a for a in answers_from_post(packet, posted)}
        for row in rows:
            answer = sent[row.question.pk]
            row.answer = {**answer, "rating": _int_or_none(answer["rating"])}
    participant = packet.role.participant
    return TemplateResponse(
        request,
        "reviews/review.html",
        {
            "packet": packet,
            "participant": participant,
            "person": participant.person,
            "cycle": participant.cycle,
            "rows": [(row, on_question.get(row.question.pk, [])) for row in rows],
            "proposal": [
                (group, on_question.get(group["name"], []))
                for group in _proposal_choices(packet, posted)
            ],
            "general_problems": general,
            "is_self": packet.relationship == "self",
            "anonymous": packet.relationship in selectors.ANONYMOUS,
            "aggregates": None
            if packet.relationship in selectors.ANONYMOUS
            else anonymity.aggregates_for(_viewer(request), participant, now=timezone.now()),
            "form_url": url,
            "request_id": request_id,
            "outcome": calibration.outcome_for(participant, packet.relationship),
            **views_sign_off.sign_off_context(packet, now=timezone.now()),
        },
        status=status,
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    """The viewer's side of a review: the person's self-assessment, or their manager's
    review. ``action=save`` keeps a draft (also what the page's autosave posts, through
    htmx, answering only the draft's status line); ``action=submit`` saves, then submits."""
    viewer = _viewer(request)
    role = selectors.review_for_viewer(viewer, review_id)
    return _answer_view(request, viewer, role, reverse("reviews:review", args=[review_id]))


def _answer_view(
    request: HttpRequest,
    viewer: Viewer,
    role: selectors.ReviewRole,
    url: str,
    request_id: int | None = None,
) -> HttpResponse:
    """Show the viewer's answers in ``role`` at ``url``, or save (and submit) them."""
    now = timezone.now()
    if request.method != "POST":
        packet = selectors.review_packet(viewer, role, now=now)
        return _review_page(request, packet, url, request_id=request_id)
    packet = selectors.writing_packet(viewer, role, now=now)
    problems: list[InputProblem] = []
    try:
        parsed = parse(
            AnswersIn,
            {
                "answers": answers_from_post(packet, request.POST),
                **proposal_from_post(packet, request.POST),
            },
        )
        services.review_draft_save(
            viewer=viewer,
            participant=role.participant,
            relationship=role.relationship,
            answers=parsed.answers,
            overall_rating=parsed.overall_rating,
            potential=parsed.potential,
            now=now,
        )
        if request.POST.get("action") == "submit":
            services.review_submit(
                viewer=viewer, participant=role.participant, relationship=role.relationship, now=now
            )
    except InvalidInput as exc:
        problems = exc.problems
    except ValidationError as exc:
        problems = problems_from_django(exc)
    if request.htmx:  # type: ignore[attr-defined]
        # The autosave: only the status line changes (a refused draft says why).
        return TemplateResponse(
            request,
            "reviews/review.html#autosave-status",
            {"saved_at": None if problems else now, "autosave_problems": problems},
        )
    if problems:
        fresh = selectors.writing_packet(viewer, role, now=now)
        return _review_page(
            request,
            fresh,
            url,
            request_id=request_id,
            status=422,
            problems=problems,
            posted=request.POST,
        )
    if request.POST.get("action") == "submit":
        messages.success(request, _("Submitted."))
    else:
        messages.success(request, _("Draft saved."))
    return redirect(url)


# --- peer and upward reviewers -------------------------------------------------------------


def _emails(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _people_ids(viewer: Viewer, field_name: str, text: str) -> tuple[list[int], list[str]]:
    """The ids of the people named by e-mail in ``text``, and a problem for each unknown."""
    emails = _emails(text)
    found = selectors.people_by_emails(viewer, emails)
    problems = [
        _("Nobody has the e-mail address %(email)s.") % {"email": e}
        for e in emails
        if e.lower() not in found
    ]
    return [found[e.lower()] for e in emails if e.lower() in found], problems


@login_required
@require_http_methods(["GET", "POST"])
def peers(request: HttpRequest, review_id: int) -> HttpResponse:
    """A review's peer reviewers. The person nominates (by e-mail, one a line); their
    manager approves, removes and adds (``peers_decide``)."""
    viewer = _viewer(request)
    role = selectors.review_for_viewer(viewer, review_id)
    problems: list[str] = []
    if request.method == "POST":
        if role.relationship != "self":
            raise Http404
        ids, problems = _people_ids(viewer, "reviewer_ids", request.POST.get("emails", ""))
        if not problems:
            try:
                services.peer_nominate(
                    viewer=viewer, participant=role.participant, reviewer_ids=ids
                )
            except ValidationError as exc:
                problems = [p.msg for p in problems_from_django(exc)]
            else:
                messages.success(request, _("Peers nominated: your manager will decide."))
                return redirect("reviews:peers", review_id=review_id)
    participant = role.participant
    return TemplateResponse(
        request,
        "reviews/peers.html",
        {
            "participant": participant,
            "cycle": participant.cycle,
            "is_self": role.relationship == "self",
            "peers": list(selectors.peers_of(participant)),
            "problems": problems,
        },
        status=422 if problems else 200,
    )


@login_required
@require_POST
def peers_decide(request: HttpRequest, review_id: int) -> HttpResponse:
    """The manager's decisions: ``approve`` and ``remove`` name peers by id, ``add`` by
    e-mail (one a line)."""
    viewer = _viewer(request)
    role = selectors.review_for_viewer(viewer, review_id)
    if role.relationship != "manager":
        raise Http404
    add, problems = _people_ids(viewer, "add", request.POST.get("add", ""))
    try:
        decided = parse(
            PeerDecision,
            {
                "approve": request.POST.getlist("approve"),
                "remove": request.POST.getlist("remove"),
                "add": add,
            },
        )
        if not problems:
            services.peer_decide(
                viewer=viewer, participant=role.participant, **decided.model_dump()
            )
    except InvalidInput as exc:
        problems = [p.msg for p in exc.problems]
    except ValidationError as exc:
        problems = [p.msg for p in problems_from_django(exc)]
    for text in problems:
        messages.error(request, text)
    if not problems:
        messages.success(request, _("Peers updated."))
    return redirect("reviews:peers", review_id=review_id)


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def review_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """A peer's or report's answers about someone: their own only."""
    viewer = _viewer(request)
    assignment = selectors.review_request_for_viewer(viewer, request_id)
    role = selectors.ReviewRole(assignment.participant, assignment.relationship)
    url = reverse("reviews:request", args=[request_id])
    return _answer_view(request, viewer, role, url, request_id=request_id)


@login_required
@require_POST
def review_request_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    viewer = _viewer(request)
    assignment = selectors.review_request_for_viewer(viewer, request_id)
    try:
        parsed = parse(ReviewDecline, {"reason": request.POST.get("reason", "")})
        services.reviewer_decline(viewer=viewer, assignment=assignment, reason=parsed.reason)
    except InvalidInput as exc:
        for problem in exc.problems:
            messages.error(request, problem.msg)
        return redirect("reviews:request", request_id=request_id)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, str(text))
        return redirect("reviews:request", request_id=request_id)
    messages.success(request, _("You declined this review."))
    return redirect("reviews:mine")
