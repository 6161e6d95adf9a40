"""Middleware that belongs to the project rather than to one app."""

from __future__ import annotations

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
