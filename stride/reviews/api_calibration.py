"""API: calibration (issue 7, item 8). Scoped like the page: anyone who does not calibrate
the cycle or the review gets 404 (``reviews.calibration``)."""

# No ``from __future__ import annotations``: django-ninja reads the handlers' annotations.
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

from stride.lib.ids import Id
from stride.reviews import calibration, calibration_services
from stride.reviews.api import _viewer, router
from stride.reviews.schemas import CalibrateIn, ReactionIn, ReactionValue

MAX_ROWS = 500


class CalibrationQuery(Schema):
    team_id: Id | None = Field(default=None, description="Only this team (as at the launch).")
    manager_id: Id | None = Field(default=None, description="Only this manager's reports.")
    level_id: Id | None = Field(default=None, description="Only this job level.")
    limit: int = Field(
        default=calibration.PAGE_SIZE,
        ge=1,
        le=MAX_ROWS,
        description=f"Rows per page (1 to {MAX_ROWS}).",
    )
    offset: int = Field(default=0, ge=0, le=1_000_000_000, description="Rows to skip.")


class ReactionCountsOut(Schema):
    agree: int
    question: int
    no_view: int


class MyReactionOut(Schema):
    reaction: ReactionValue
    comment: str


class CalibrationRowOut(Schema):
    review_id: int
    person_id: int
    name: str
    team_id: int | None
    team: str
    manager_id: int | None
    manager: str
    job_level: str = Field(description="The person's job level; empty when none is set.")
    proposed_rating: int | None = Field(description="The manager's proposal, 1 to 5.")
    proposed_potential: int | None = Field(description="The manager's proposal, 1 to 3.")
    final_rating: int | None = Field(description="The proposal unless calibration changed it.")
    final_potential: int | None
    final_reason: str = Field(description="Why calibration last changed it; empty otherwise.")
    shared: bool = Field(description="Shared with the person: it no longer changes.")
    reactions: ReactionCountsOut
    questioned_by: list[str] = Field(
        description="The calibrators who questioned the proposal (reactions are not anonymous)."
    )
    my_reaction: MyReactionOut | None


class DistributionRowOut(Schema):
    id: int | None = Field(description="The team, manager or job level; null for none.")
    name: str
    counts: dict[str, int] = Field(description='Final ratings counted: {"1": n, …, "5": n}.')
    unrated: int
    total: int


class DistributionOut(Schema):
    groups: list[DistributionRowOut] = Field(description="The largest groups first.")
    more: int = Field(description="Smaller groups left out; filter to see them.")


class DistributionsOut(Schema):
    by_team: DistributionOut
    by_manager: DistributionOut
    by_level: DistributionOut


class BoxPersonOut(Schema):
    review_id: int
    person_id: int
    name: str


class NineBoxCellOut(Schema):
    performance: Literal["low", "moderate", "high"] = Field(
        description="The final rating: 1–2 low, 3 moderate, 4–5 high."
    )
    potential: int = Field(description="The final potential, 1 (low) to 3 (high).")
    count: int
    people: list[BoxPersonOut] = Field(
        description=f"Up to {calibration.NINE_BOX_NAMES} (the first to join the cycle), sorted by "
        "name; ``count`` counts them all."
    )


class CalibrationOut(Schema):
    cycle_id: int
    count: int = Field(description="People matching the filters (all pages).")
    items: list[CalibrationRowOut] = Field(description="One page of people, by name.")
    distributions: DistributionsOut
    nine_box: list[NineBoxCellOut]
    nine_box_unplaced: int = Field(description="People without a rating or a potential yet.")


def _row_out(row: calibration.CalibrationRow) -> dict[str, Any]:
    p = row.participant
    return {
        "review_id": p.pk,
        "person_id": p.person_id,
        "name": p.person.name,
        "team_id": p.team_id,
        "team": p.team.name if p.team else "",
        "manager_id": p.manager_id,
        "manager": p.manager.name if p.manager else "",
        "job_level": row.level,
        "proposed_rating": p.proposed_rating,
        "proposed_potential": p.potential,
        "final_rating": row.final_rating,
        "final_potential": row.final_potential,
        "final_reason": p.final_reason if row.changed else "",
        "shared": p.shared_at is not None,
        "reactions": row.counts,
        "questioned_by": row.questioned_by,
        "my_reaction": (
            {"reaction": row.mine.reaction, "comment": row.mine.comment} if row.mine else None
        ),
    }


def _distribution_out(dist: calibration.Distribution) -> dict[str, Any]:
    return {
        "groups": [
            {
                "id": r.key,
                "name": r.label,
                "counts": {str(rating): n for rating, n in r.cells},
                "unrated": r.unrated,
                "total": r.total,
            }
            for r in dist.rows
        ],
        "more": dist.more,
    }


@router.get(
    "/review-cycles/{cycle_id}/calibration",
    response=CalibrationOut,
    summary="Calibrate a cycle: proposed and final ratings, distributions, the 9-box",
)
def cycle_calibration(
    request: HttpRequest, cycle_id: Id, filters: Query[CalibrationQuery]
) -> dict[str, Any]:
    """For HR admins (the whole cycle) and managers of managers (their part of it), never
    one's own review. ``items`` is one page (``limit``/``offset``, by name); the
    distributions and the 9-box count every row matching the filters."""
    viewer = _viewer(request)
    scope = calibration.calibration_scope(viewer, cycle_id)
    chosen = calibration.CalibrationFilters(
        team_id=filters.team_id, manager_id=filters.manager_id, level_id=filters.level_id
    )
    listed = calibration.calibration_list(scope, chosen)
    count = listed.count()
    page = listed[filters.offset : filters.offset + filters.limit]
    dists = {d.by: _distribution_out(d) for d in calibration.distributions(scope, chosen)}
    box = calibration.nine_box(scope, chosen)
    return {
        "cycle_id": scope.cycle.pk,
        "count": count,
        "items": [_row_out(calibration.calibration_row(viewer, p)) for p in page],
        "distributions": {
            "by_team": dists["team"],
            "by_manager": dists["manager"],
            "by_level": dists["level"],
        },
        "nine_box": [
            {
                "performance": cell.performance_label,
                "potential": cell.potential,
                "count": cell.count,
                "people": [p.__dict__ for p in cell.people],
            }
            for cell in box.cells
        ],
        "nine_box_unplaced": box.unplaced,
    }


def _written(
    request: HttpRequest, review_id: int, write: Callable[..., Any], payload: Schema
) -> dict[str, Any]:
    """Run ``write`` (a calibration service) on a review the caller calibrates; its row."""
    scope, participant = calibration.calibration_participant(_viewer(request), review_id)
    write(scope=scope, participant=participant, **payload.model_dump())
    return _row_out(calibration.calibration_row_for(scope, review_id))


@router.put(
    "/reviews/{review_id}/reaction",
    response=CalibrationRowOut,
    summary="React to a proposed rating before calibration (calibrators)",
)
def review_reaction(request: HttpRequest, review_id: Id, payload: ReactionIn) -> dict[str, Any]:
    """Replaces your earlier reaction. Taken from the manager's proposal until the
    calibration phase ends; no submitted proposal yet, a phase over, a review shared or a closed
    cycle answers 409 (``reaction``)."""
    return _written(request, review_id, calibration_services.calibration_react, payload)


@router.post(
    "/reviews/{review_id}/calibrate",
    response=CalibrationRowOut,
    summary="Change a final rating or potential, with a reason (calibrators)",
)
def review_calibrate(request: HttpRequest, review_id: Id, payload: CalibrateIn) -> dict[str, Any]:
    """A blank ``reason`` or a rating off the scale answers 422; a review already shared,
    a closed cycle, no submitted proposal yet, or no change at all answers 409 (``rating``)."""
    return _written(request, review_id, calibration_services.calibration_change, payload)
