"""Middleware that belongs to the project rather than to one app."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from stride.views import healthz

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answer ``GET /healthz`` before host validation and the HTTPS redirect.

    A load balancer probes each host by its IP address or ``localhost``, usually over plain
    HTTP, so the request carries neither the public host name nor HTTPS. Django would answer
    400 (``ALLOWED_HOSTS``) or 301 (``SECURE_SSL_REDIRECT``). Answering here, first in the
    chain, skips both and nothing else: the answer is only ``{"status": "ok"}`` and never
    reads the ``Host`` header, so a forged host name cannot reach any other page this way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)


class ServerTimingMiddleware:
    """Say how long Stride took to answer: ``Server-Timing: app;dur=7.1`` (milliseconds).

    First in the chain, so the figure covers every middleware, the view and the template,
    and not the network or the web server's queue. Browsers show it in their developer
    tools, and ``stride bench`` reads it per page under load (see bench/README.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
        return response
