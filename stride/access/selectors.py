"""Reads of the access app, scoped by the viewer."""

from __future__ import annotations

from django.db.models import QuerySet

from stride.access.models import AccessToken, AuditEntry
from stride.access.viewer import Viewer


def tokens_of(viewer: Viewer) -> QuerySet[AccessToken]:
    """The viewer's own tokens; nobody sees anyone else's."""
    return AccessToken.objects.filter(owner_id=viewer.person_id)


def audit_entries_visible_to(viewer: Viewer) -> QuerySet[AuditEntry]:
    """The audit log is for HR admins and system admins only."""
    if not (viewer.is_hr_admin or viewer.is_system_admin):
        return AuditEntry.objects.none()
    return AuditEntry.objects.select_related("actor")
