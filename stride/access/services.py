"""Writes of the access app: personal access tokens (created, revoked one by one, or all
at once when a password is reset or a person leaves)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from stride.access.audit import audit_write
from stride.access.models import AccessToken, AuditEntry
from stride.access.viewer import Viewer, role_flags, roles_flagged

if TYPE_CHECKING:  # ``org`` sits above ``access``: only the type checker looks there.
    from stride.org.models import Person

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


@cache
def _tokens_with_owner() -> QuerySet[AccessToken]:
    """Tokens with their owner and the owner's roles: built once per process (never
    evaluated itself), filtered per request. Building it cost as much as the query."""
    return AccessToken.objects.select_related("owner").annotate(**role_flags("owner_id"))


def token_authenticate(raw: str) -> tuple[Viewer, AccessToken] | None:
    """The viewer behind a bearer token, or None when it is unknown, revoked or expired."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    prefix, _, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    token = _tokens_with_owner().filter(prefix=prefix).first()
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
    return Viewer(person=token.owner, roles=roles_flagged(token), via="api"), token


# Why a token was revoked without its owner asking, as written in the audit log.
REVOKE_REASONS = ("password_reset", "left")


@transaction.atomic
def tokens_revoke_all(*, owner: Person, reason: str, actor: Viewer | None = None) -> int:
    """Revoke every active token of ``owner`` (a password reset, or leaving the
    organisation). Each revoked token gets an audit entry naming the reason; tokens already
    revoked or expired keep their state. Returns how many were revoked."""
    return tokens_revoke_for_people(person_ids=[owner.pk], reason=reason, actor=actor)


@transaction.atomic
def tokens_revoke_for_people(
    *, person_ids: list[int], reason: str, actor: Viewer | None = None
) -> int:
    """Revoke every active token of these people, in batches, with one audit entry per
    token. Revocation is for good: nothing in Stride clears ``revoked_at``."""
    if reason not in REVOKE_REASONS:
        raise ValueError(f"Unknown revocation reason {reason!r}")
    now = timezone.now()
    person = actor.person if actor else None
    revoked = 0
    for start in range(0, len(person_ids), 1000):
        batch = person_ids[start : start + 1000]
        tokens = list(
            AccessToken.objects.select_for_update()
            .filter(owner_id__in=batch, revoked_at__isnull=True)
            .only("pk", "name", "prefix")
        )
        if not tokens:
            continue
        AccessToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    at=now,
                    actor=person,
                    actor_label=person.email if person else "system",
                    action="token.revoke",
                    target_type=AccessToken._meta.label_lower,
                    target_id=str(token.pk),
                    target_label=str(token)[:254],
                    changes={"reason": reason},
                    via=actor.via if actor else "system",
                )
                for token in tokens
            ]
        )
        revoked += len(tokens)
    return revoked
