"""API: obtaining and revoking personal access tokens."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from stride.access import services
from stride.access.schemas import TokenExchange
from stride.access.viewer import Viewer, viewer_for_user

router = Router(tags=["auth"])


class TokenOut(Schema):
    id: int
    token: str
    name: str
    scope: str
    token_type: str = "Bearer"


class TokenInfoOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


@router.post(
    "/auth/token",
    auth=None,
    response={201: TokenOut},
    summary="Exchange e-mail and password for a token",
)
def auth_token(request: HttpRequest, payload: TokenExchange) -> Status[dict[str, object]]:
    """Log in with e-mail and password and receive a new personal access token.

    Failed attempts count towards the same rate limit as the login page (allauth's
    adapter keeps one counter per address and per client IP for both)."""
    from allauth.account.adapter import get_adapter
    from allauth.mfa.utils import is_mfa_enabled
    from django.core.exceptions import ValidationError

    try:
        user = get_adapter(request).authenticate(
            request, email=payload.email.strip().lower(), password=payload.password
        )
    except ValidationError:
        raise HttpError(
            429, "Too many failed attempts; wait a few minutes and try again."
        ) from None
    viewer = viewer_for_user(user, via="api")
    if user is None or viewer.person is None or not user.is_active:
        raise HttpError(401, "E-mail or password is wrong.")
    if is_mfa_enabled(user):
        # A password alone must not get round the second factor: such people create
        # tokens on their Access tokens page, after signing in with both.
        raise HttpError(
            403,
            "Two-factor authentication is on for this account; create a token on the "
            "Access tokens page instead.",
        )
    token, secret = services.token_create(viewer=viewer, name=payload.name, scope=payload.scope)
    return Status(201, {"id": token.pk, "token": secret, "name": token.name, "scope": token.scope})


@router.get("/auth/tokens", response=list[TokenInfoOut], summary="My tokens")
def token_list(request: HttpRequest) -> object:
    viewer: Viewer = request.auth  # type: ignore[attr-defined]
    from stride.access.selectors import tokens_of

    return tokens_of(viewer)


@router.delete("/auth/tokens/{token_id}", response={204: None}, summary="Revoke one of my tokens")
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    services.token_revoke(viewer=request.auth, token_id=token_id)  # type: ignore[attr-defined]
    return Status(204, None)
