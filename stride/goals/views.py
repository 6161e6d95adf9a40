"""Goal pages: my goals, a person's and a team's goals, the company alignment tree, an
objective's detail with its history, and creating and editing objectives in the browser.

Views are thin: selectors read (scoped by the viewer; 404 for what is not theirs to see),
services write, ``display`` works out what to show. An htmx request renders a named
partial of the same template.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from stride.access.viewer import Viewer
from stride.goals import selectors, services
from stride.goals.display import detail_rows, objective_rows, tree_rows
from stride.goals.forms import (
    KeyResultForm,
    KeyResultFormSet,
    KeyResultValueForm,
    ObjectiveForm,
    apply_service_errors,
    key_result_initial,
    with_extra_row,
)
from stride.goals.models import Objective
from stride.lib.scoring import Period, parse_period, period_choices
from stride.lib.weeks import local_today
from stride.org.models import Person
from stride.org.selectors import person_for_viewer, teams_visible_to

UTC = ZoneInfo("UTC")
KR_PREFIX = "kr"


def _viewer(request: HttpRequest) -> Viewer:
    return request.viewer  # type: ignore[attr-defined]


def _clock(viewer: Viewer) -> tuple[date, ZoneInfo]:
    """Today and the time zone, as the viewer lives them."""
    zone = viewer.person.zone if viewer.person is not None else UTC
    return local_today(timezone.now(), zone), zone


def _period_options(today: date) -> list[tuple[str, str]]:
    """``(key, label)`` for the period picker, in ``period_choices``' order: this quarter,
    next quarter, all active goals, then earlier quarters."""
    options = []
    for index, period in enumerate(period_choices(today=today)):
        if not period.is_quarter:
            label = _("All active goals")
        elif index == 0:
            label = _("%(quarter)s (this quarter)") % {"quarter": period.label}
        elif index == 1:
            label = _("%(quarter)s (next quarter)") % {"quarter": period.label}
        else:
            label = period.label
        options.append((period.key, label))
    return options


def _period(request: HttpRequest, today: date) -> Period:
    return parse_period(request.GET.get("period"), today=today)


def _list_template(request: HttpRequest, template: str, partial: str) -> str:
    return f"{template}#{partial}" if request.htmx else template  # type: ignore[attr-defined]


# --- lists ------------------------------------------------------------------------------


@login_required
@vary_on_headers("HX-Request")
def my_goals(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    today, zone = _clock(viewer)
    period = _period(request, today)
    rows = []
    if viewer.person is not None:
        objectives = list(
            selectors.objectives_of_person(viewer, viewer.person, period, today=today)
        )
        rows = objective_rows(viewer, objectives, today=today, zone=zone)
    return TemplateResponse(
        request,
        _list_template(request, "goals/my_goals.html", "objective_list"),
        {
            "rows": rows,
            "period": period,
            "periods": _period_options(today),
            "today": today,
        },
    )


@login_required
@vary_on_headers("HX-Request")
def person_goals(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = _viewer(request)
    person = person_for_viewer(viewer, person_id)
    today, zone = _clock(viewer)
    period = _period(request, today)
    objectives = list(selectors.objectives_of_person(viewer, person, period, today=today))
    return TemplateResponse(
        request,
        _list_template(request, "goals/person_goals.html", "objective_list"),
        {
            "person": person,
            "rows": objective_rows(viewer, objectives, today=today, zone=zone),
            "period": period,
            "periods": _period_options(today),
            "today": today,
        },
    )


@login_required
@vary_on_headers("HX-Request")
def team_goals(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    today, zone = _clock(viewer)
    period = _period(request, today)
    # Every team is listed in the picker; the one shown is found among them (one query).
    teams = list(teams_visible_to(viewer).order_by("name"))
    raw = request.GET.get("team", "")
    if raw:
        wanted = int(raw) if raw.isdigit() else None
    else:
        wanted = viewer.person.team_id if viewer.person is not None else None
    team = next((t for t in teams if t.pk == wanted), None)
    if raw and team is None:
        raise Http404
    team_rows: list[Any] = []
    people: list[tuple[Person, list[Any]]] = []
    if team is not None:
        raw_page = request.GET.get("page", "1")
        page_number = int(raw_page) if raw_page.isdigit() else 1
        goals = selectors.team_goals(viewer, team, period, today=today, page=page_number)
        team_rows = objective_rows(
            viewer, goals.team_objectives, today=today, zone=zone, charts=False
        )
        people = [
            (
                group.person,
                objective_rows(viewer, group.objectives, today=today, zone=zone, charts=False),
            )
            for group in goals.people
        ]
    return TemplateResponse(
        request,
        _list_template(request, "goals/team_goals.html", "team_list"),
        {
            "team": team,
            "teams": teams,
            "team_rows": team_rows,
            "people": people,
            "goals_page": goals if team is not None else None,
            "period": period,
            "periods": _period_options(today),
            "today": today,
        },
    )


@login_required
@vary_on_headers("HX-Request")
def alignment(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    today, zone = _clock(viewer)
    period = _period(request, today)
    # Company and team objectives, with a count of the personal ones aligned to each: the
    # personal level is thousands of rows at 10,000 people and lives on each objective's
    # own page (its aligned objectives) and on people's and teams' goal pages.
    tree = selectors.alignment_tree(
        viewer, period, today=today, levels=(Objective.Level.COMPANY, Objective.Level.TEAM)
    )
    roots, unaligned = tree_rows(viewer, tree, today=today, zone=zone)
    return TemplateResponse(
        request,
        _list_template(request, "goals/alignment.html", "tree"),
        {
            "roots": roots,
            "unaligned": unaligned,
            "size": tree.size,
            "period": period,
            "periods": _period_options(today),
            "today": today,
        },
    )


# --- one objective ------------------------------------------------------------------------


def _detail_context(
    viewer: Viewer,
    objective: Objective,
    *,
    value_forms: dict[int, KeyResultValueForm] | None = None,
    recorded: int | None = None,
) -> dict[str, Any]:
    today, zone = _clock(viewer)
    parent, children = selectors.objective_alignment(viewer, objective)
    updates = selectors.key_result_updates_of_objective(viewer, objective)
    row = detail_rows(viewer, objective, updates, today=today, zone=zone, parent=parent)
    if row.can_edit:
        for kr_row in row.key_results:
            form = (value_forms or {}).get(kr_row.kr.pk) or KeyResultValueForm(
                prefix=f"kr{kr_row.kr.pk}"
            )
            if kr_row.is_milestone:
                form.fields["value"].help_text = _("0 while not done yet, 1 once done.")
            kr_row.value_form = form
    return {
        "objective": objective,
        "row": row,
        "can_edit": row.can_edit,
        "children": objective_rows(viewer, children, today=today, zone=zone, charts=False),
        "recorded": recorded,
        "today": today,
        "zone": zone,
    }


@login_required
def objective_detail(request: HttpRequest, objective_id: int) -> HttpResponse:
    viewer = _viewer(request)
    objective = selectors.objective_for_viewer(viewer, objective_id)
    return TemplateResponse(
        request, "goals/objective_detail.html", _detail_context(viewer, objective)
    )


@login_required
@require_POST
@vary_on_headers("HX-Request")
def key_result_value(request: HttpRequest, key_result_id: int) -> HttpResponse:
    """Record a new value. htmx swaps the key result's section (and the objective's
    summary, out of band); without JavaScript this is a plain POST and redirect."""
    viewer = _viewer(request)
    kr = selectors.key_result_for_editor(viewer, key_result_id)
    form = KeyResultValueForm(request.POST, prefix=f"kr{kr.pk}")
    recorded = False
    if form.is_valid():
        try:
            services.key_result_record_value(
                viewer=viewer, key_result=kr, **form.cleaned_data_for_service()
            )
            recorded = True
        except ValidationError as exc:
            apply_service_errors(exc, form)
    detail_url = reverse("goals:objective_detail", args=[kr.objective_id])
    if recorded and not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, _("Value recorded for “%(title)s”.") % {"title": kr.title})
        return redirect(f"{detail_url}#kr-{kr.pk}")
    objective = selectors.objective_for_viewer(viewer, kr.objective_id)
    context = _detail_context(
        viewer,
        objective,
        value_forms={} if recorded else {kr.pk: form},
        recorded=kr.pk if recorded else None,
    )
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps only 2xx answers, so field errors come back as 200 with the errors.
        context["kr_row"] = next(r for r in context["row"].key_results if r.kr.pk == kr.pk)
        return TemplateResponse(request, "goals/objective_detail.html#value_recorded", context)
    return TemplateResponse(request, "goals/objective_detail.html", context, status=422)


# --- create, edit, delete -------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    *,
    form: ObjectiveForm,
    formset: Any,
    objective: Objective | None,
    status: int = 200,
) -> TemplateResponse:
    return TemplateResponse(
        request,
        "goals/objective_form.html",
        {"form": form, "formset": formset, "objective": objective},
        status=status,
    )


@login_required
def objective_create(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    viewer.require_person()
    today, _zone = _clock(viewer)
    if request.method != "POST":
        return _form_page(
            request,
            form=ObjectiveForm(viewer=viewer, today=today),
            formset=KeyResultFormSet(prefix=KR_PREFIX),
            objective=None,
        )
    if "add_row" in request.POST:
        return _form_page(
            request,
            form=ObjectiveForm(initial=request.POST.dict(), viewer=viewer, today=today),
            formset=KeyResultFormSet(with_extra_row(request.POST, KR_PREFIX), prefix=KR_PREFIX),
            objective=None,
        )
    form = ObjectiveForm(request.POST, viewer=viewer, today=today)
    formset = KeyResultFormSet(request.POST, prefix=KR_PREFIX)
    if form.is_valid() and formset.is_valid():
        _rows, form_index = formset.service_rows()
        try:
            objective = services.objective_create(
                viewer=viewer,
                **services.with_refs(viewer, form.service_fields()),
                key_results=[formset.forms[i].parsed_key_result() for i in form_index],
            )
        except ValidationError as exc:
            apply_service_errors(exc, form, formset, form_index)
        else:
            messages.success(request, _("Objective created."))
            return redirect("goals:objective_detail", objective_id=objective.pk)
    return _form_page(request, form=form, formset=formset, objective=None, status=422)


@login_required
def objective_edit(request: HttpRequest, objective_id: int) -> HttpResponse:
    viewer = _viewer(request)
    objective = selectors.objective_for_editor(viewer, objective_id)
    today, _zone = _clock(viewer)
    initial = key_result_initial(objective)
    if request.method != "POST":
        return _form_page(
            request,
            form=ObjectiveForm(viewer=viewer, today=today, objective=objective),
            formset=KeyResultFormSet(prefix=KR_PREFIX, initial=initial),
            objective=objective,
        )
    if "add_row" in request.POST:
        return _form_page(
            request,
            form=ObjectiveForm(
                initial=request.POST.dict(), viewer=viewer, today=today, objective=objective
            ),
            formset=KeyResultFormSet(
                with_extra_row(request.POST, KR_PREFIX), prefix=KR_PREFIX, initial=initial
            ),
            objective=objective,
        )
    form = ObjectiveForm(request.POST, viewer=viewer, today=today, objective=objective)
    formset = KeyResultFormSet(request.POST, prefix=KR_PREFIX, initial=initial)
    if form.is_valid() and formset.is_valid():
        rows, form_index = formset.service_rows()
        try:
            changes = form.changes(services.with_refs(viewer, form.service_fields()))
            services.objective_edit(
                viewer=viewer, objective=objective, changes=changes, key_results=rows
            )
        except ValidationError as exc:
            apply_service_errors(exc, form, formset, form_index)
        else:
            messages.success(request, _("Objective saved."))
            return redirect("goals:objective_detail", objective_id=objective.pk)
    return _form_page(request, form=form, formset=formset, objective=objective, status=422)


@login_required
def objective_delete(request: HttpRequest, objective_id: int) -> HttpResponse:
    viewer = _viewer(request)
    objective = selectors.objective_for_editor(viewer, objective_id)
    if request.method == "POST":
        title = objective.title
        services.objective_delete(viewer=viewer, objective=objective)
        messages.success(request, _("Objective “%(title)s” deleted.") % {"title": title})
        return redirect("goals:my_goals")
    return TemplateResponse(
        request, "goals/objective_confirm_delete.html", {"objective": objective}
    )


@login_required
def key_result_create(request: HttpRequest, objective_id: int) -> HttpResponse:
    viewer = _viewer(request)
    objective = selectors.objective_for_editor(viewer, objective_id)
    form = KeyResultForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                kr = services.key_result_create(
                    viewer=viewer, objective=objective, **form.service_kwargs()
                )
            except ValidationError as exc:
                apply_service_errors(exc, form)
            else:
                messages.success(request, _("Key result added."))
                detail_url = reverse("goals:objective_detail", args=[objective.pk])
                return redirect(f"{detail_url}#kr-{kr.pk}")
    return TemplateResponse(
        request,
        "goals/key_result_form.html",
        {"form": form, "objective": objective},
        status=status,
    )
