from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from stride.lib.health import database_answers


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("goals:my_goals")


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability for load balancers; reveals nothing else."""
    database_answers()
    return JsonResponse({"status": "ok"})
