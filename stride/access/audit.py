"""The audit log: every write and every read of a sensitive record leaves an entry.

Reads. A selector that returns someone else's sensitive record (a private objective, a
check-in) audits the read itself, so no view or API handler can forget it:

- ``audit_reads`` writes the entry for records already in hand (one query, or none when
  nothing sensitive was read);
- ``audited(queryset, …)`` returns the same queryset that, each time it is *evaluated*
  (iterated, sliced and listed, ``get()``, ``first()``), writes one entry naming the
  sensitive rows it fetched. A list page or a paginated API answer therefore names
  exactly the records of the page it shows, in one INSERT whatever the page size;
  ``count()`` and ``exists()`` read no record and write nothing. (A cursor-paged API
  list fetches one row beyond its page to know whether there is a next one; that row is
  named too: the log may say a little more was read, never less.)

An entry names its records: one record → ``target_id`` is its id; several of one type →
``target_id`` is empty and ``changes`` is ``{"records": ["12", "15", …]}`` with the
labels joined in ``target_label`` (``access.selectors.audit_log`` finds both by target).

Writes. ``audit_write`` keeps what changed. Fields that hold someone's private text
(registered by their app with ``register_private_fields``) are kept as *that* they
changed and their lengths, never as copies of the text: HR reads this log, and an
investigator needs to know what was done, not to re-read the notes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from stride.access.models import AuditEntry
from stride.access.viewer import Viewer

# (target type as ``app.model``, target id, label)
AuditTarget = tuple[str, str, str]
M = TypeVar("M", bound=models.Model)

#: The actor label of an entry whose author must stay unknown.
ANONYMOUS_ACTOR = "anonymous"

_PRIVATE_FIELDS: dict[str, frozenset[str]] = {}
_LABELS: dict[str, Callable[[Any], str]] = {}


def register_private_fields(
    model: type[models.Model],
    fields: Iterable[str],
    *,
    label: Callable[[Any], str] | None = None,
) -> None:
    """Declare fields of ``model`` that hold private text (or a private value such as a
    mood): writes of them are audited without their content. ``label`` replaces the
    record's ``str()`` in entries when that would quote the private text."""
    name = model._meta.label_lower
    _PRIVATE_FIELDS[name] = _PRIVATE_FIELDS.get(name, frozenset()) | frozenset(fields)
    if label is not None:
        _LABELS[name] = label


def _label(obj: models.Model) -> str:
    labeller = _LABELS.get(obj._meta.label_lower, str)
    return labeller(obj)[:254]


def target_of(obj: models.Model) -> AuditTarget:
    return (obj._meta.label_lower, str(obj.pk), _label(obj))


def audit_write(
    *,
    actor: Viewer | None,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record a write. Call inside the service's transaction so both land or neither."""
    private = _PRIVATE_FIELDS.get(target._meta.label_lower, frozenset())
    kept = {
        name: _redacted(value) if name in private else value
        for name, value in (changes or {}).items()
    }
    return AuditEntry.objects.create(
        **_actor_fields(actor),
        kind=AuditEntry.Kind.WRITE,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=_label(target),
        changes=_jsonable(kept),
    )


def audit_anonymous_write(
    *, action: str, target: models.Model, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """Record a write whose author must stay unknown (a peer's or a report's review
    answers): the entry says what was done to ``target``, never by whom or through what,
    and keeps no private field's content. Call inside the service's transaction.

    Its time is the day only (midnight UTC): the exact moment would line it up with the
    author's own named entries of the same minute (reading the page they answered on).
    The log never shows such an entry's id either, nor orders it by it (see
    ``access.selectors.audit_log``), since ids follow the order entries were written."""
    return AuditEntry.objects.create(
        at=anonymous_time(timezone.now()),
        actor=None,
        actor_label=ANONYMOUS_ACTOR,
        via="",
        kind=AuditEntry.Kind.WRITE,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=_label(target),
        changes=_jsonable(changes or {}),
    )


def anonymous_time(moment: datetime) -> datetime:
    """What an anonymous entry keeps of the moment it was written: its day (UTC)."""
    return datetime.combine(moment.astimezone(UTC).date(), time.min, tzinfo=UTC)


def is_anonymous(entry: AuditEntry) -> bool:
    return entry.actor_id is None and entry.actor_label == ANONYMOUS_ACTOR


def audit_read(*, actor: Viewer, action: str, target: models.Model) -> AuditEntry:
    """Record that ``actor`` looked at one sensitive record."""
    return audit_reads(actor=actor, action=action, targets=[target_of(target)])[0]


def audit_reads(*, actor: Viewer, action: str, targets: Iterable[AuditTarget]) -> list[AuditEntry]:
    """Record that ``actor`` read ``targets``: one entry per target type (a page of one
    kind of record is one entry), all written in one query; nothing when empty."""
    by_type: dict[str, dict[str, str]] = {}
    for target_type, target_id, label in targets:
        by_type.setdefault(target_type, {}).setdefault(target_id, label)
    if not by_type:
        return []
    who = _actor_fields(actor)
    entries = []
    for target_type, records in by_type.items():
        ids = list(records)
        single = len(ids) == 1
        entries.append(
            AuditEntry(
                **who,
                kind=AuditEntry.Kind.READ,
                action=action,
                target_type=target_type,
                target_id=ids[0] if single else "",
                target_label=("; ".join(records.values()))[:254],
                changes={} if single else {"records": ids},
            )
        )
    if len(entries) == 1:
        # One INSERT in autocommit: bulk_create would add a transaction around it.
        entries[0].save(force_insert=True)
        return entries
    return AuditEntry.objects.bulk_create(entries)


def _actor_fields(actor: Viewer | None) -> dict[str, Any]:
    person = actor.person if actor else None
    return {
        "actor": person,
        "actor_label": person.email if person else "system",
        "via": actor.via if actor else "system",
    }


def _redacted(value: Any) -> Any:
    """What a private field's change keeps: that it changed, and how long the text is."""
    if isinstance(value, list | tuple) and len(value) == 2:  # a diff: [old, new]
        if all(isinstance(v, str) for v in value):
            return {"changed": True, "length": [len(value[0]), len(value[1])]}
        return {"changed": True}
    if isinstance(value, str):
        return {"changed": True, "length": len(value)}
    return {"changed": True}


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


# --- querysets that audit what they fetch ------------------------------------------------


class _ReadAudit:
    """What to record when an audited queryset fetches its rows."""

    def __init__(
        self, actor: Viewer, action: str, target: Callable[[Any], AuditTarget | None]
    ) -> None:
        self.actor = actor
        self.action = action
        self.target = target

    def __call__(self, rows: Iterable[Any]) -> None:
        # ``values()`` rows are not records; selectors that read values audit by hand.
        found = (self.target(row) for row in rows if isinstance(row, models.Model))
        audit_reads(actor=self.actor, action=self.action, targets=[t for t in found if t])


class _AuditOnFetch(models.QuerySet[Any]):
    """Mixed into a queryset's own class by ``audited``; the audit travels with every
    clone (filter, order_by, slice) and fires once per evaluation."""

    _read_audit: _ReadAudit | None = None

    def _clone(self) -> Any:
        clone = super()._clone()  # type: ignore[misc]
        clone._read_audit = self._read_audit
        return clone

    def _iterator(self, use_chunked_fetch: bool, chunk_size: int | None) -> Any:
        # ``iterator()`` (which form choice fields use) does not go through _fetch_all.
        rows = super()._iterator(use_chunked_fetch, chunk_size)  # type: ignore[misc]
        if self._read_audit is None:
            yield from rows
            return
        read: list[Any] = []
        for row in rows:
            read.append(row)
            yield row
        self._read_audit(read)

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._read_audit is not None:
            self._read_audit(self._result_cache or [])


_AUDITED_CLASSES: dict[type, type] = {}


def audited(
    queryset: models.QuerySet[M],
    *,
    actor: Viewer,
    action: str,
    target: Callable[[M], AuditTarget | None],
) -> models.QuerySet[M]:
    """``queryset``, auditing each evaluation: ``target(row)`` names the record a row
    shows when it is sensitive for ``actor`` (None when it is not, e.g. their own)."""
    base = type(queryset)
    if issubclass(base, _AuditOnFetch):
        base = base.__mro__[2]
    cls = _AUDITED_CLASSES.get(base)
    if cls is None:
        cls = type(f"Audited{base.__name__}", (_AuditOnFetch, base), {})
        _AUDITED_CLASSES[base] = cls
    clone: Any = queryset.all()
    clone.__class__ = cls
    clone._read_audit = _ReadAudit(actor, action, target)
    return clone
