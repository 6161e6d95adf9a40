"""Weekly check-in pages: the form, one check-in with its comments, my check-ins and those
shared with me, one person's check-in history, check-in settings, and the manager's team
page.

Views are thin: they read through ``checkins.selectors`` (which take the viewer and answer
404 for anything the viewer may not see) and write through ``checkins.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from stride.access.viewer import Viewer
from stride.goals.checkins import selectors as sel
from stride.goals.checkins import services
from stride.goals.checkins.forms import (
    CheckInForm,
    CommentForm,
    KeyResultRowForm,
    PreferenceForm,
    copy_errors,
)
from stride.goals.models import CheckIn
from stride.lib.charts import Chart, figure_json, plotly_template
from stride.org.models import Person
from stride.org.selectors import people_visible_to

PAGE_SIZE = 20
PARTNER_SUGGESTIONS = 50


def _viewer(request: HttpRequest) -> Viewer:
    return request.viewer  # type: ignore[attr-defined]


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- the form -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checkin_form(request: HttpRequest) -> HttpResponse:
    """This week's check-in (the person's own ISO week); edits it if it already exists."""
    viewer = _viewer(request)
    now = timezone.now()
    week = sel.week_context(viewer, now)
    rows = sel.checkin_form_rows(viewer, week)
    status = 200
    if request.method == "POST":
        form = CheckInForm(request.POST)
        row_forms = [KeyResultRowForm(request.POST, row=row) for row in rows]
        # Only rows the person changed or confirmed are part of the check-in (the rule is
        # ``KeyResultRowForm.is_reported``); they are parsed by the same ``KeyResultReport``
        # schema as the API's ``kr_updates`` items.
        filled = [f for f in row_forms if f.is_reported()]
        rows_valid = all([f.is_valid() for f in filled])
        if form.is_valid() and rows_valid:
            try:
                checkin = services.checkin_submit(
                    viewer=viewer,
                    mood=form.cleaned_data["mood"],
                    progress=form.cleaned_data["progress"],
                    plans=form.cleaned_data["plans"],
                    problems=form.cleaned_data["problems"],
                    kr_updates=[f.as_update() for f in filled],
                    now=now,
                )
            except ValidationError as exc:
                _copy_submit_errors(form, filled, exc)
            else:
                messages.success(
                    request, _("Your check-in for %(week)s is saved.") % {"week": checkin.iso_week}
                )
                return redirect("goals:checkin_detail", checkin_id=checkin.pk)
        status = 422
    else:
        form = CheckInForm(initial=CheckInForm.initial_for(week.current))
        row_forms = [KeyResultRowForm(row=row) for row in rows]
    return TemplateResponse(
        request,
        "goals/checkins/form.html",
        {
            "form": form,
            "row_forms": row_forms,
            "week": week,
            "zone": viewer.require_person().time_zone,
            # On a fresh GET the rows load through htmx (the server-rendered copy is the
            # no-JavaScript fallback); a re-rendered POST keeps what the person typed.
            "rows_via_htmx": request.method == "GET",
        },
        status=status,
    )


def _copy_submit_errors(
    form: CheckInForm, filled: list[KeyResultRowForm], exc: ValidationError
) -> None:
    for name, msgs in exc.message_dict.items():
        parts = name.split(".")
        if parts[0] == "kr_updates" and len(parts) >= 2 and parts[1].isdigit():
            index = int(parts[1])
            target = filled[index] if index < len(filled) else None
            field = parts[2] if len(parts) > 2 else None
            for msg in msgs:
                if target is None:
                    form.add_error(None, msg)
                else:
                    target.add_error(field if field in target.fields else None, msg)
        else:
            for msg in msgs:
                form.add_error(name if name in form.fields else None, msg)


@login_required
@require_GET
def checkin_kr_rows(request: HttpRequest) -> HttpResponse:
    """The key-result rows of the check-in form, prefilled (loaded by htmx)."""
    viewer = _viewer(request)
    week = sel.week_context(viewer, timezone.now())
    rows = sel.checkin_form_rows(viewer, week)
    return TemplateResponse(
        request,
        "goals/checkins/form.html#kr_rows",
        {"row_forms": [KeyResultRowForm(row=row) for row in rows], "week": week},
    )


# --- one check-in and its comments ----------------------------------------------------


def _detail_context(viewer: Viewer, checkin: CheckIn, comment_form: CommentForm) -> dict[str, Any]:
    me = viewer.require_person()
    previous, following = sel.neighbours(viewer, checkin)
    return {
        "checkin": checkin,
        "previous": previous,
        "next": following,
        "updates": sel.reported_updates(checkin),
        "comments": list(checkin.comments.all()),
        "comment_form": comment_form,
        "is_mine": checkin.person_id == me.pk,
        "zone": me.time_zone,
    }


@login_required
@require_GET
def checkin_detail(request: HttpRequest, checkin_id: int) -> HttpResponse:
    viewer = _viewer(request)
    checkin = sel.checkin_detail_for_viewer(viewer, checkin_id)
    return TemplateResponse(
        request, "goals/checkins/detail.html", _detail_context(viewer, checkin, CommentForm())
    )


@login_required
@require_POST
@vary_on_headers("HX-Request")
def checkin_comment_add(request: HttpRequest, checkin_id: int) -> HttpResponse:
    """Add a comment. htmx gets the comments section back; without JavaScript the browser
    is sent back to the check-in."""
    viewer = _viewer(request)
    checkin = sel.checkin_detail_for_viewer(viewer, checkin_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.checkin_comment_add(
                viewer=viewer, checkin=checkin, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            copy_errors(form, exc)
        else:
            if not _is_htmx(request):
                messages.success(request, _("Your comment is posted."))
                return redirect(reverse("goals:checkin_detail", args=[checkin.pk]) + "#comments")
            checkin = sel.checkin_detail_for_viewer(viewer, checkin_id)
            form = CommentForm()
    context = _detail_context(viewer, checkin, form)
    if _is_htmx(request):
        # htmx swaps only 2xx answers, so errors come back as 200 with the messages shown.
        return TemplateResponse(request, "goals/checkins/detail.html#comments", context)
    return TemplateResponse(request, "goals/checkins/detail.html", context, status=422)


# --- lists ----------------------------------------------------------------------------


@login_required
@require_GET
def checkin_list(request: HttpRequest) -> HttpResponse:
    """My check-ins and the check-ins shared with me, each paginated."""
    viewer = _viewer(request)
    mine = Paginator(sel.my_checkins(viewer), PAGE_SIZE).get_page(request.GET.get("page"))
    shared = Paginator(sel.shared_with_me(viewer), PAGE_SIZE).get_page(
        request.GET.get("shared_page")
    )
    week = sel.week_context(viewer, timezone.now())
    return TemplateResponse(
        request,
        "goals/checkins/list.html",
        {"mine": mine, "shared": shared, "week": week},
    )


@login_required
@require_GET
def person_checkins(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person's check-in history, newest first and paginated; 404 for a viewer who
    may not read that person's check-ins."""
    viewer = _viewer(request)
    person = sel.checkin_author_for_viewer(viewer, person_id)
    page = Paginator(sel.person_checkins(viewer, person), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "goals/checkins/person.html",
        {"person": person, "page": page, "is_me": person.pk == viewer.person_id},
    )


# --- settings -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checkin_settings(request: HttpRequest) -> HttpResponse:
    """Accountability partner and weekly reminder (day and time in the person's zone)."""
    viewer = _viewer(request)
    me = viewer.require_person()
    pref = services.checkin_preference_for(me)
    status = 200
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            partner = _partner_from(viewer, form)
            if not form.errors:
                try:
                    services.checkin_preference_update(
                        viewer=viewer,
                        partner=partner,
                        reminder_weekday=form.cleaned_data["reminder_weekday"],
                        reminder_time=form.cleaned_data["reminder_time"],
                        reminders_enabled=form.cleaned_data["reminders_enabled"],
                    )
                except ValidationError as exc:
                    copy_errors(form, exc, {"partner": "partner_email"})
                else:
                    messages.success(request, _("Your check-in settings are saved."))
                    return redirect("goals:checkin_settings")
        status = 422
    else:
        form = PreferenceForm(initial=PreferenceForm.initial_for(pref))
    suggestions = (
        people_visible_to(viewer)
        .filter(team_id=me.team_id, status=Person.Status.ACTIVE)
        .exclude(pk=me.pk)
        .order_by("name")[:PARTNER_SUGGESTIONS]
        if me.team_id
        else []
    )
    return TemplateResponse(
        request,
        "goals/checkins/settings.html",
        {"form": form, "pref": pref, "zone": me.time_zone, "suggestions": suggestions},
        status=status,
    )


def _partner_from(viewer: Viewer, form: PreferenceForm) -> Person | None:
    email = (form.cleaned_data.get("partner_email") or "").strip()
    if not email:
        return None
    partner = people_visible_to(viewer).filter(email__iexact=email).first()
    if partner is None:
        form.add_error("partner_email", _("No one in Stride has this e-mail address."))
    return partner


# --- the manager's team page ----------------------------------------------------------


@login_required
@require_GET
def team_checkins(request: HttpRequest) -> HttpResponse:
    """Who of my reports checked in this week, streaks, goals at risk and mood trend."""
    viewer = _viewer(request)
    whole_subtree = request.GET.get("scope") == "subtree"
    status = sel.team_status(viewer, now=timezone.now(), whole_subtree=whole_subtree)
    chart = mood_trend_chart(status.mood_trend) if status.has_mood_data else None
    return TemplateResponse(
        request,
        "goals/checkins/team.html",
        {
            "team": status,
            "chart": chart,
            "streak_window": sel.STREAK_WINDOW_WEEKS,
            "mood_weeks": sel.MOOD_TREND_WEEKS,
        },
    )


def mood_trend_chart(trend: list[sel.MoodWeek]) -> Chart:
    """The mood-trend chart; its numbers are also in the table beside it on the page."""
    labels = [str(label) for _value, label in CheckIn.Mood.choices]
    # Plotly's figure data written directly (what go.Figure would produce for the same
    # trace and layout), so the page does not build and validate graph objects each time.
    fig = {
        "data": [
            {
                "type": "scatter",
                "x": [week.label for week in trend],
                "y": [week.mean for week in trend],
                "customdata": [week.count for week in trend],
                "mode": "lines+markers",
                "connectgaps": False,
                "name": _("Mean mood"),
                "hovertemplate": _("%{x}: %{y:.1f} (%{customdata} check-ins)") + "<extra></extra>",
            }
        ],
        "layout": {
            "template": plotly_template("plotly_white"),
            "height": 320,
            "margin": {"l": 70, "r": 20, "t": 20, "b": 50},
            "yaxis": {
                "range": [0.5, 5.5],
                "tickvals": [1, 2, 3, 4, 5],
                "ticktext": labels,
                "title": {"text": _("Mean mood")},
                "fixedrange": True,
            },
            "xaxis": {"title": {"text": _("ISO week")}, "fixedrange": True, "type": "category"},
            "showlegend": False,
        },
    }
    return Chart(
        dom_id="mood-trend-chart",
        figure_json=figure_json(fig),
        caption=_("Mean mood per week; the same figures are in the table below."),
    )
