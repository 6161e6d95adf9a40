"""A cycle's results for HR: one row per participant, for CSV and XLSX exports.

Only what HR runs a cycle on: who (person, e-mail, team and manager at the launch, job
level), whether the self-assessment and the manager's review were submitted, the proposed
and final rating and potential with the reason, and when the review was shared and
acknowledged. Never a peer's or report's answer, nor who reviewed whom. One query for the
rows, streamed in chunks, whatever the cycle's size; the export is audited as a read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from stride.access.audit import audit_read
from stride.access.viewer import Viewer
from stride.reviews.models import (
    CycleParticipant,
    OverallRating,
    PersonJobLevel,
    Potential,
    Relationship,
    ReviewCycle,
    ReviewResponse,
)
from stride.reviews.selectors import require_hr

CHUNK = 2000


def results_header() -> list[str]:
    return [
        _("Person"),
        _("E-mail"),
        _("Team"),
        _("Manager"),
        _("Job level"),
        _("Self-assessment submitted (UTC)"),
        _("Manager review submitted (UTC)"),
        _("Proposed rating"),
        _("Potential"),
        _("Final rating"),
        _("Final potential"),
        _("Reason"),
        _("Shared (UTC)"),
        _("Acknowledged (UTC)"),
    ]


def _submitted_at(relationship: str) -> Subquery:
    return Subquery(
        ReviewResponse.objects.filter(
            participant=OuterRef("pk"), relationship=relationship, submitted_at__isnull=False
        ).values("submitted_at")[:1]
    )


def _label(choices: Any, value: int | None) -> str:
    return f"{value} {choices(value).label}" if value else ""


def cycle_results(viewer: Viewer, cycle: ReviewCycle) -> Iterator[list[Any]]:
    """The cycle's results, one list per participant (by name), in ``results_header``'s
    order. HR admins only (404 for anyone else); auditing the export when called."""
    require_hr(viewer)
    audit_read(actor=viewer, action="review_cycle.results_export", target=cycle)
    rows = (
        CycleParticipant.objects.filter(cycle=cycle)
        .annotate(
            self_at=_submitted_at(Relationship.SELF),
            manager_at=_submitted_at(Relationship.MANAGER),
            # The level now (the launch's snapshot is ``CycleParticipant.job_level``).
            current_level=Subquery(
                PersonJobLevel.objects.filter(person_id=OuterRef("person_id")).values(
                    "level__name"
                )[:1]
            ),
        )
        .order_by("person__name", "id")
        .values_list(
            "person__name",
            "person__email",
            "team__name",
            "manager__name",
            "current_level",
            "self_at",
            "manager_at",
            "proposed_rating",
            "potential",
            "final_rating",
            "final_potential",
            "final_reason",
            "shared_at",
            "acknowledged_at",
        )
    )
    for row in rows.iterator(chunk_size=CHUNK):
        (name, email, team, manager, level, self_at, manager_at) = row[:7]
        proposed, potential, final, final_potential, reason, shared, acknowledged = row[7:]
        yield [
            name,
            email,
            team or "",
            manager or "",
            level or "",
            self_at,
            manager_at,
            _label(OverallRating, proposed),
            _label(Potential, potential),
            _label(OverallRating, final),
            _label(Potential, final_potential),
            reason,
            shared,
            acknowledged,
        ]
