"""Reads of the access app, scoped by the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, Case, F, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.http import Http404

from stride.access.audit import ANONYMOUS_ACTOR
from stride.access.models import AccessToken, AuditEntry
from stride.access.viewer import Viewer
from stride.lib.fields import DATE_MAX, DATE_MIN


def tokens_of(viewer: Viewer) -> QuerySet[AccessToken]:
    """The viewer's own tokens; nobody sees anyone else's."""
    return AccessToken.objects.filter(owner_id=viewer.person_id)


def can_read_audit_log(viewer: Viewer) -> bool:
    """HR admins read the audit log. (System admins look after configuration, not the
    people's records the log names.)"""
    return viewer.is_authenticated and viewer.is_hr_admin


def audit_entries_visible_to(viewer: Viewer) -> QuerySet[AuditEntry]:
    """The whole log for HR admins; nothing for anyone else."""
    if not can_read_audit_log(viewer):
        return AuditEntry.objects.none()
    return AuditEntry.objects.select_related("actor")


# The audit log's date filter takes days in this range (a day is turned into a moment in
# the viewer's zone, which must stay inside what the database and Python can hold).
# Every date the domain accepts (``stride.lib.fields``); the audit filters take the same.
AUDIT_EARLIEST = DATE_MIN
AUDIT_LATEST = DATE_MAX
# Ids are the database's 64-bit keys.
MAX_ID = 2**63 - 1
# The most entries one page of the log shows (page and API).
AUDIT_PAGE_SIZE = 50
AUDIT_PAGE_MAX = 200


@dataclass(frozen=True)
class AuditFilters:
    """What an HR admin narrows the log by. Dates are whole days in the viewer's zone,
    both ends included."""

    actor_id: int | None = None
    actor_email: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    action: str | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None


def audit_log(viewer: Viewer, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The audit log, newest first, narrowed by ``filters``; 404 for anyone but HR.

    A target id finds the entries about that record, including reads of a list that named
    it among others (``changes["records"]``, see ``access.audit``)."""
    if not can_read_audit_log(viewer):
        raise Http404
    qs = audit_entries_visible_to(viewer)
    if filters.actor_id is not None:
        qs = qs.filter(actor_id=filters.actor_id)
    if filters.actor_email:
        # The label keeps the address even after the person record is gone.
        qs = qs.filter(actor_label__iexact=filters.actor_email.strip())
    if filters.target_type:
        qs = qs.filter(target_type=filters.target_type)
    if filters.target_id:
        # The records of a list read are stored as JSON strings: '"12"' matches 12 only.
        named = Q(
            target_id="",
            kind=AuditEntry.Kind.READ,
            changes_text__contains=f'"{filters.target_id}"',
        )
        qs = qs.annotate(changes_text=Cast("changes", output_field=TextField())).filter(
            Q(target_id=filters.target_id) | named
        )
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    zone = viewer.person.zone if viewer.person is not None else ZoneInfo("UTC")
    if filters.since is not None:
        since = min(max(filters.since, AUDIT_EARLIEST), AUDIT_LATEST)
        qs = qs.filter(at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if filters.until is not None:
        end = min(max(filters.until, AUDIT_EARLIEST), AUDIT_LATEST) + timedelta(days=1)
        qs = qs.filter(at__lt=datetime.combine(end, time.min, tzinfo=zone))
    # An anonymous entry (``audit_anonymous_write``) keeps only its day, so it sorts after
    # that day's named entries; among such entries the order is by what they say, never
    # by id, which would give away the order they were written in.
    anonymous = Q(actor__isnull=True, actor_label=ANONYMOUS_ACTOR)
    return qs.annotate(
        seq=Case(When(anonymous, then=Value(0)), default=F("id"), output_field=BigIntegerField()),
    ).order_by("-at", "-seq", "action", "target_type", "target_id")
