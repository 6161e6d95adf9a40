"""People pages: the organisation tree, search, a person's profile, the HR import page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from stride.org import selectors


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    query = request.GET.get("q", "")
    people = selectors.people_search(viewer, query)[:50]
    return TemplateResponse(request, "org/directory.html", {"people": people, "q": query})
