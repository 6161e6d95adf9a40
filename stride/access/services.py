"""Writes of the access app: personal access tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from stride.access.audit import audit_write
from stride.access.models import AccessToken
from stride.access.viewer import Viewer, viewer_for_person

TOKEN_PREFIX = "stride_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *,
    viewer: Viewer,
    name: str,
    scope: str = AccessToken.Scope.WRITE,
    expires_at: datetime | None = None,
) -> tuple[AccessToken, str]:
    """Create a token for the viewer (name and scope parsed by ``TokenCreate``). Returns
    the row and the secret, which is shown once and never stored: only its SHA-256 digest
    is kept."""
    if viewer.person is None:
        raise Http404
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        owner=viewer.person,
        name=name,
        prefix=prefix,
        digest=_digest(secret),
        scope=scope,
        expires_at=expires_at,
    )
    audit_write(
        actor=viewer, action="token.create", target=token, changes={"name": name, "scope": scope}
    )
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


@transaction.atomic
def token_revoke(*, viewer: Viewer, token_id: int) -> AccessToken:
    """Revoke one of the viewer's own tokens; anyone else's answers 404."""
    token = AccessToken.objects.filter(pk=token_id, owner_id=viewer.person_id).first()
    if token is None:
        raise Http404
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_write(actor=viewer, action="token.revoke", target=token)
    return token


def token_authenticate(raw: str) -> tuple[Viewer, AccessToken] | None:
    """The viewer behind a bearer token, or None when it is unknown, revoked or expired."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    prefix, _, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    token = (
        AccessToken.objects.select_related("owner")
        .prefetch_related("owner__grants")
        .filter(prefix=prefix)
        .first()
    )
    if token is None or not token.is_active:
        return None
    if not secrets.compare_digest(token.digest, _digest(secret)):
        return None
    if token.owner.has_left:
        return None
    now = timezone.now()
    # Touch at most once a minute so busy clients don't write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return viewer_for_person(token.owner, via="api"), token
