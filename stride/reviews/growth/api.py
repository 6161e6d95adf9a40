"""API: a person's growth across review cycles and their development plan.

Scoped like the growth page: the person (cycles shared with them or closed), their
current managers (every launched cycle) and their manager at a cycle's launch (that
cycle) read the growth; the person and their current managers keep the plan. Everyone
else gets 404.
"""

# No ``from __future__ import annotations``: django-ninja reads the handlers' annotations.
import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from stride.access.viewer import Viewer
from stride.lib.ids import Id
from stride.lib.pagination import StridePagination
from stride.reviews.growth import selectors, services
from stride.reviews.growth.schemas import (
    DevelopmentItemChange,
    DevelopmentItemIn,
    DevelopmentStatus,
)
from stride.reviews.models import DevelopmentItem

router = Router(tags=["reviews"])


def _viewer(request: HttpRequest) -> Viewer:
    viewer: Viewer = request.auth  # type: ignore[attr-defined]
    return viewer


class CompetencyRatingOut(Schema):
    competency_id: int
    name: str
    rating: int | None = Field(
        description="The manager's rating: a job level's rank (null when not rated)."
    )
    expected_level: int | None = Field(
        description="The rank of the person's job level: the level expected of them."
    )


class GrowthCycleOut(Schema):
    cycle_id: int
    cycle_name: str
    date: dt.date = Field(description="The cycle's last day (its sharing and sign-off).")
    overall_rating: int | None = Field(
        description="1 to 5: the final rating after calibration, else the manager's "
        "proposal; null when neither is set."
    )
    overall_rating_final: bool = Field(description="Whether calibration settled the rating.")
    goal_achievement: float | None = Field(
        description="Mean progress (0 to 1) of the person's objectives of the year up to "
        "the self-assessment's last day that the caller may see; null when none."
    )
    goal_count: int = Field(description="How many objectives the mean is over.")
    competencies: list[CompetencyRatingOut] = Field(
        description="The manager's submitted competency ratings (never a peer's or "
        "report's answers)."
    )


class GrowthOut(Schema):
    person_id: int
    expected_level: int | None = Field(description="The rank of the person's job level.")
    cycles: list[GrowthCycleOut] = Field(
        description=f"Oldest first; the latest {selectors.MAX_CYCLES} cycles at most."
    )


class DevelopmentItemOut(Schema):
    id: int
    person_id: int
    cycle_id: int | None
    growth_area: str
    actions: str
    due_on: dt.date | None
    status: DevelopmentStatus
    overdue: bool = Field(
        description="Not started or in progress, and due before today where the person lives."
    )
    created_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_overdue(item: DevelopmentItem) -> bool:
        return selectors.is_overdue(item, _today_where_they_live(item))


def _today_where_they_live(item: DevelopmentItem) -> dt.date:
    return timezone.localtime(timezone.now(), item.person.zone).date()


@router.get(
    "/people/{person_id}/growth",
    response=GrowthOut,
    summary="A person's ratings and goal achievement across review cycles",
)
def growth(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    """One entry per review cycle the caller may see: the person sees a cycle once their
    review was shared or the cycle closed; their current managers every launched cycle;
    their manager at a cycle's launch that cycle. Anyone else gets 404."""
    viewer = _viewer(request)
    grown = selectors.growth_of(viewer, selectors.growth_access(viewer, person_id))
    return {
        "person_id": grown.access.person.pk,
        "expected_level": grown.expected_level,
        "cycles": [
            {
                "cycle_id": p.cycle.pk,
                "cycle_name": p.cycle.name,
                "date": p.on,
                "overall_rating": p.overall,
                "overall_rating_final": p.overall_final,
                "goal_achievement": p.goal_achievement,
                "goal_count": p.goal_count,
                "competencies": [
                    {
                        "competency_id": c.competency_id,
                        "name": c.name,
                        "rating": c.rating,
                        "expected_level": c.expected,
                    }
                    for c in p.competencies
                ],
            }
            for p in grown.points
        ],
    }


@router.get(
    "/people/{person_id}/development-items",
    response=list[DevelopmentItemOut],
    summary="A person's development plan",
)
@paginate(StridePagination)
def development_item_list(request: HttpRequest, person_id: Id) -> QuerySet[DevelopmentItem]:
    """Items still to do first (soonest due first), then done and dropped ones. The person
    and their current managers only."""
    viewer = _viewer(request)
    access = selectors.plan_access(viewer, person_id)
    return selectors.development_items(viewer, access)


@router.post(
    "/people/{person_id}/development-items",
    response={201: DevelopmentItemOut},
    summary="Add an item to a person's development plan",
)
def development_item_create(
    request: HttpRequest, person_id: Id, payload: DevelopmentItemIn
) -> Status[DevelopmentItem]:
    """The person or a current manager; a ``cycle_id`` that is not one of the person's
    review cycles the caller may see answers 409."""
    viewer = _viewer(request)
    access = selectors.plan_access(viewer, person_id)
    item = services.development_item_create(
        viewer=viewer, person=access.person, **payload.model_dump()
    )
    return Status(201, item)


@router.patch(
    "/development-items/{development_item_id}",
    response=DevelopmentItemOut,
    summary="Change a development plan item",
)
def development_item_update(
    request: HttpRequest, development_item_id: Id, payload: DevelopmentItemChange
) -> DevelopmentItem:
    viewer = _viewer(request)
    item = selectors.development_item_for_keeper(viewer, development_item_id)
    return services.development_item_update(
        viewer=viewer, item=item, **payload.model_dump(exclude_unset=True)
    )


@router.delete(
    "/development-items/{development_item_id}",
    response={204: None},
    summary="Delete a development plan item",
)
def development_item_delete(request: HttpRequest, development_item_id: Id) -> Status[None]:
    viewer = _viewer(request)
    item = selectors.development_item_for_keeper(viewer, development_item_id)
    services.development_item_delete(viewer=viewer, item=item)
    return Status(204, None)
