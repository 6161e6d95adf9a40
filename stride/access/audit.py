"""The audit log: every write and every read of a sensitive record leaves one entry."""

from __future__ import annotations

from typing import Any

from django.db import models

from stride.access.models import AuditEntry
from stride.access.viewer import Viewer


def _label(obj: models.Model) -> str:
    return str(obj)[:254]


def audit_write(
    *,
    actor: Viewer | None,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record a write. Call inside the service's transaction so both land or neither."""
    return _record(
        actor=actor, kind=AuditEntry.Kind.WRITE, action=action, target=target, changes=changes or {}
    )


def audit_read(*, actor: Viewer, action: str, target: models.Model) -> AuditEntry:
    """Record that ``actor`` looked at a sensitive record."""
    return _record(actor=actor, kind=AuditEntry.Kind.READ, action=action, target=target, changes={})


def _record(
    *,
    actor: Viewer | None,
    kind: str,
    action: str,
    target: models.Model,
    changes: dict[str, Any],
) -> AuditEntry:
    person = actor.person if actor else None
    return AuditEntry.objects.create(
        actor=person,
        actor_label=person.email if person else "system",
        kind=kind,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=_label(target),
        changes=_jsonable(changes),
        via=actor.via if actor else "system",
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def diff(instance: models.Model, data: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field in ``data`` whose value differs."""
    out: dict[str, list[Any]] = {}
    for name, new in data.items():
        old = getattr(instance, name)
        if old != new:
            out[name] = [old, new]
    return out
