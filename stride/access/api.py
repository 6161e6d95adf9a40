"""API: obtaining and revoking personal access tokens; the audit log for HR admins."""

# No ``from __future__ import annotations``: django-ninja builds a paginated operation's
# query model from its signature at run time (see ``org.api``).
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from stride.access import services
from stride.access.audit import is_anonymous
from stride.access.models import AuditEntry
from stride.access.schemas import TokenExchange
from stride.access.selectors import (
    AuditFilters,
    audit_log,
)
from stride.access.viewer import Viewer, viewer_for_user
from stride.lib.fields import Day
from stride.lib.ids import Id
from stride.lib.pagination import StridePagination

router = Router(tags=["auth"])


class ErrorOut(Schema):
    detail: str


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
    response={201: TokenOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
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
@paginate(StridePagination)
def token_list(request: HttpRequest) -> object:
    """Your own tokens, newest first (revoked and expired ones included)."""
    viewer: Viewer = request.auth  # type: ignore[attr-defined]
    from stride.access.selectors import tokens_of

    return tokens_of(viewer).order_by("-created_at", "-id")


@router.delete("/auth/tokens/{token_id}", response={204: None}, summary="Revoke one of my tokens")
def token_revoke(request: HttpRequest, token_id: Id) -> Status[None]:
    services.token_revoke(viewer=request.auth, token_id=token_id)  # type: ignore[attr-defined]
    return Status(204, None)


# --- the audit log (HR admins) ----------------------------------------------------------


class AuditEntryOut(Schema):
    id: int | None = Field(
        description="Null for an anonymous entry (a peer's or report's review answers): "
        "ids follow the order entries were written, which would date it."
    )
    at: datetime = Field(
        description="An anonymous entry keeps only its day (midnight UTC), so it cannot be "
        "lined up with its author's other entries."
    )
    actor_id: int | None
    actor: str = Field(description="The actor's e-mail address when the entry was written.")
    kind: Literal["write", "read"] = Field(description="A write, or a read of a sensitive record.")
    action: str
    target_type: str = Field(description="Like goals.objective or goals.checkin.")
    target_id: str = Field(description="Empty when the entry names several records.")
    target_label: str
    records: list[str] = Field(
        description="The ids of the records a list read showed (empty for one record)."
    )
    changes: dict[str, Any] = Field(
        description="What a write changed. Private text is recorded by length only."
    )
    via: str = Field(description="web, api, cli, task or system.")

    @staticmethod
    def resolve_id(obj: AuditEntry) -> int | None:
        return None if is_anonymous(obj) else obj.pk

    @staticmethod
    def resolve_actor(obj: AuditEntry) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_records(obj: AuditEntry) -> list[str]:
        records = obj.changes.get("records", []) if obj.kind == AuditEntry.Kind.READ else []
        return [str(r) for r in records]

    @staticmethod
    def resolve_changes(obj: AuditEntry) -> dict[str, Any]:
        return {} if obj.kind == AuditEntry.Kind.READ else dict(obj.changes)


class AuditQuery(Schema):
    actor_id: Id | None = Field(default=None, description="Who acted.")
    actor_email: str | None = Field(
        default=None, max_length=254, description="Who acted, by e-mail address."
    )
    target_type: str | None = Field(
        default=None, max_length=64, description="Like goals.objective or goals.checkin."
    )
    target_id: str | None = Field(
        default=None,
        max_length=64,
        description="Entries about this record, lists that named it included.",
    )
    action: str | None = Field(
        default=None, max_length=64, description="Like objective.read_private or checkin.update."
    )
    kind: Literal["write", "read"] | None = None
    since: Day | None = Field(default=None, description="From this day (your zone).")
    until: Day | None = Field(default=None, description="To this day, included (your zone).")


@router.get(
    "/audit",
    response=list[AuditEntryOut],
    summary="The audit log (HR admins)",
    tags=["audit"],
    # Only HR admins may read it; anyone else gets 404, which the document must declare
    # though the path has no id (found by the authorization walk's response check).
    openapi_extra={
        "responses": {
            "404": {
                "description": "Not an HR admin: the log is not visible to you.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        }
    },
)
@paginate(StridePagination)
def audit_list(request: HttpRequest, filters: Query[AuditQuery]) -> object:
    """Every write and every read of someone else's sensitive record, newest first.
    Only HR admins may read it; anyone else gets 404."""
    viewer: Viewer = request.auth  # type: ignore[attr-defined]
    return audit_log(viewer, AuditFilters(**filters.dict()))
