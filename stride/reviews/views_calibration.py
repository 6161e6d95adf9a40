"""The calibration page: calibrators react to proposed ratings, read distributions and the
9-box, and change ratings with a reason. Plain forms that post and come back to the page
(with its filters), so it works without JavaScript; anyone who does not calibrate the
cycle gets 404 (``calibration.calibration_scope``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from stride.access.viewer import Viewer
from stride.lib.forms import SchemaForm, spread_service_errors
from stride.reviews import calibration, calibration_services
from stride.reviews.calibration_forms import CalibrateForm, ReactionForm
from stride.reviews.models import CalibrationReaction, OverallRating, Potential
from stride.reviews.schemas import CalibrateIn, ReactionIn

#: The page's query parameters kept when a form comes back to it.
KEPT = ("team", "manager", "level", "page")


def _viewer(request: HttpRequest) -> Viewer:
    viewer: Viewer = request.viewer  # type: ignore[attr-defined]
    return viewer


def _number(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _filters(query: QueryDict) -> calibration.CalibrationFilters:
    return calibration.CalibrationFilters(
        team_id=_number(query.get("team")),
        manager_id=_number(query.get("manager")),
        level_id=_number(query.get("level")),
    )


def _kept(query: QueryDict) -> str:
    """The filters and page of ``query`` (only those, and only numbers) as a query string."""
    return urlencode({k: n for k in KEPT if (n := _number(query.get(k))) is not None})


@dataclass
class RowForms:
    """What a row's two forms show: the stored values, or what was posted with its
    problems (rendered as plain inputs: 50 rows of widget templates cost more than the
    rest of the page)."""

    reaction: str = ""
    comment: str = ""
    rating: str = ""
    potential: str = ""
    reason: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    failed_form: str = ""  # "reaction" or "change"

    @property
    def general(self) -> list[str]:
        """Problems no field shows."""
        return self.errors.get("__all__", [])

    @classmethod
    def failed(cls, stored: RowForms, form: SchemaForm) -> RowForms:
        posted = form.data
        errors = {name: [str(e) for e in found] for name, found in form.errors.items()}
        if isinstance(form, ReactionForm):
            return replace(
                stored,
                reaction=posted.get("reaction", ""),
                comment=posted.get("comment", ""),
                errors=errors,
                failed_form="reaction",
            )
        return replace(
            stored,
            rating=posted.get("rating", ""),
            potential=posted.get("potential", ""),
            reason=posted.get("reason", ""),
            errors=errors,
            failed_form="change",
        )


def _options(choices: list[calibration.Choice], chosen: int | None) -> str:
    """A select's options, built here rather than in a template loop: a cycle over the
    whole organisation has a manager filter of a thousand or more names."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((c.value, " selected" if c.value == chosen else "", c.label) for c in choices),
    )


def _page(
    request: HttpRequest,
    scope: calibration.CalibrationScope,
    query: QueryDict,
    *,
    failed: tuple[int, SchemaForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    filters = _filters(query)
    now = timezone.now()
    page = Paginator(calibration.calibration_list(scope, filters), calibration.PAGE_SIZE).get_page(
        query.get("page")
    )
    rows = []
    for participant in page:
        row = calibration.calibration_row(scope.viewer, participant)
        entry = RowForms(
            reaction=row.mine.reaction if row.mine else "",
            comment=row.mine.comment if row.mine else "",
            rating=str(row.final_rating or ""),
            potential=str(row.final_potential or ""),
        )
        if failed is not None and failed[0] == participant.pk:
            entry = RowForms.failed(entry, failed[1])
        rows.append((row, entry))
    phase = calibration.calibration_phase(scope.cycle)
    choices = calibration.filter_choices(scope)
    return TemplateResponse(
        request,
        "reviews/calibration.html",
        {
            "scope": scope,
            "cycle": scope.cycle,
            "rows": rows,
            "page": page,
            "filters": filters,
            "options": {
                "team": _options(choices.teams, filters.team_id),
                "manager": _options(choices.managers, filters.manager_id),
                "level": _options(choices.levels, filters.level_id),
            },
            "distributions": calibration.distributions(scope, filters),
            "nine_box": calibration.nine_box(scope, filters),
            "phase": phase,
            "reactions_open": scope.open
            and calibration.reactions_open(scope.viewer, phase, now=now),
            "kept": _kept(query),
            "reactions": CalibrationReaction.Reaction.choices,
            "ratings": OverallRating.choices,
            "potentials": Potential.choices,
            "filter_query": urlencode(
                {k: n for k in ("team", "manager", "level") if (n := _number(query.get(k)))}
            ),
        },
        status=status,
    )


@login_required
@require_safe
def calibration_page(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The participants the viewer calibrates (filtered by team, manager and job level,
    50 a page) with their proposals, reactions and final ratings; the distributions of
    final ratings by team, manager and level; and the 9-box."""
    return _page(request, calibration.calibration_scope(_viewer(request), cycle_id), request.GET)


def _back(scope: calibration.CalibrationScope, posted: QueryDict, review_id: int) -> HttpResponse:
    url = reverse("reviews:calibration", args=[scope.cycle.pk])
    query = QueryDict(posted.get("back", ""))
    kept = _kept(query)
    return redirect(f"{url}{'?' + kept if kept else ''}#review-{review_id}")


def _write(
    request: HttpRequest, review_id: int, form_class: type[SchemaForm], done: str
) -> HttpResponse:
    viewer = _viewer(request)
    scope, participant = calibration.calibration_participant(viewer, review_id)
    form = form_class(
        request.POST, auto_id=f"{'react' if form_class is ReactionForm else 'change'}{review_id}-%s"
    )
    status = 422
    if form.is_valid():
        try:
            if isinstance(form.parsed, ReactionIn):
                calibration_services.calibration_react(
                    scope=scope, participant=participant, **form.parsed.model_dump()
                )
            else:
                assert isinstance(form.parsed, CalibrateIn)
                calibration_services.calibration_change(
                    scope=scope, participant=participant, **form.parsed.model_dump()
                )
        except ValidationError as exc:
            spread_service_errors(exc, form)
            status = 409
        else:
            messages.success(request, done)
            return _back(scope, request.POST, review_id)
    back = QueryDict(request.POST.get("back", ""))
    return _page(request, scope, back, failed=(review_id, form), status=status)


@login_required
@require_POST
def calibration_react(request: HttpRequest, review_id: int) -> HttpResponse:
    """Record the viewer's reaction to a proposed rating."""
    return _write(request, review_id, ReactionForm, _("Reaction saved."))


@login_required
@require_POST
def calibration_change(request: HttpRequest, review_id: int) -> HttpResponse:
    """Change a final rating or potential, with a reason."""
    return _write(request, review_id, CalibrateForm, _("Rating changed."))
