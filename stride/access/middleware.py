from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from stride.access.viewer import viewer_for_user


class ViewerMiddleware:
    """Attach ``request.viewer``, resolved lazily on first use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.viewer = SimpleLazyObject(lambda: viewer_for_user(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)
