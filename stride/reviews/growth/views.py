"""The growth page (a person's ratings and goal achievement across review cycles, with
their development plan) and the plan's item pages.

Reached from the person's page (``org:person``, through ``org.person_links``) and from
"My reviews" ("My growth"). The selectors decide who sees what; everyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stride.reviews.growth import selectors, services
from stride.reviews.growth.charts import competencies_chart, ratings_chart
from stride.reviews.growth.forms import DevelopmentItemForm, item_initial
from stride.reviews.views import _saved, _viewer

ITEMS_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def growth(request: HttpRequest, person_id: int) -> HttpResponse:
    """The growth graph and the development plan; a POST adds an item to the plan."""
    viewer = _viewer(request)
    access = selectors.growth_access(viewer, person_id)
    person = access.person
    form: DevelopmentItemForm | None = None
    if access.keeps_plan:
        cycles = selectors.plan_cycles(viewer, access)
        form = DevelopmentItemForm(request.POST or None, cycles=cycles)
    if request.method == "POST":
        if form is None:
            selectors.plan_access(viewer, person_id)  # 404: a former manager keeps no plan
        assert form is not None
        made = _saved(
            request,
            form,
            lambda: services.development_item_create(
                viewer=viewer, person=person, **form.cleaned_data
            ),
        )
        if made is not None:
            messages.success(request, _("Added to the development plan."))
            return redirect("reviews:growth", person_id=person.pk)
    grown = selectors.growth_of(viewer, access)
    page = None
    rows: list[tuple[Any, bool]] = []
    if access.keeps_plan:
        page = Paginator(selectors.development_items(viewer, access), ITEMS_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        today = timezone.localtime(timezone.now(), person.zone).date()
        rows = [(item, selectors.is_overdue(item, today)) for item in page]
    return TemplateResponse(
        request,
        "reviews/growth.html",
        {
            "person": person,
            "access": access,
            "growth": grown,
            "ratings_chart": ratings_chart(grown) if grown.points else None,
            "competencies_chart": competencies_chart(grown),
            "form": form,
            "page": page,
            "rows": rows,
        },
        status=422 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def development_item_edit(request: HttpRequest, development_item_id: int) -> HttpResponse:
    viewer = _viewer(request)
    item = selectors.development_item_for_keeper(viewer, development_item_id)
    access = selectors.plan_access(viewer, item.person_id)
    form = DevelopmentItemForm(
        request.POST or None,
        initial=item_initial(item),
        cycles=selectors.plan_cycles(viewer, access),
    )
    if request.method == "POST":
        saved = _saved(
            request,
            form,
            lambda: services.development_item_update(viewer=viewer, item=item, **form.cleaned_data),
        )
        if saved is not None:
            messages.success(request, _("Development plan item saved."))
            return redirect("reviews:growth", person_id=item.person_id)
    return TemplateResponse(
        request,
        "reviews/development_item_form.html",
        {"item": item, "person": access.person, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def development_item_delete(request: HttpRequest, development_item_id: int) -> HttpResponse:
    viewer = _viewer(request)
    item = selectors.development_item_for_keeper(viewer, development_item_id)
    person_id = item.person_id
    services.development_item_delete(viewer=viewer, item=item)
    messages.success(request, _("Development plan item deleted."))
    return redirect("reviews:growth", person_id=person_id)
