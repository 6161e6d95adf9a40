"""Weekly check-in pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


@login_required
def checkin_form(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "goals/my_goals.html", {})
