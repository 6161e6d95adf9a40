from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from stride.lib.health import database_answers


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("goals:my_goals")


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability for load balancers; reveals nothing else."""
    database_answers()
    return JsonResponse({"status": "ok"})


def closed(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """A route a library offers that Stride switches off: it answers as if it did not exist."""
    raise Http404
