"""Authentication for the API: the browser's session, or a personal access token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from stride.access.services import token_authenticate
from stride.access.viewer import viewer_for_user

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class BearerTokenAuth(HttpBearer):
    openapi_description = "A personal access token: `Authorization: Bearer stride_…`"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_authenticate(token)
        if found is None:
            return None
        viewer, access_token = found
        if request.method not in SAFE_METHODS and access_token.scope != "write":
            raise HttpError(403, "This token has read scope only.")
        request.viewer = viewer  # type: ignore[attr-defined]
        return viewer


class SessionViewerAuth(SessionAuth):
    """The logged-in browser session (CSRF is checked by ninja for unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if not user:
            return None
        viewer = viewer_for_user(user, via="api")
        if viewer.person is None:
            return None
        request.viewer = viewer  # type: ignore[attr-defined]
        return viewer
