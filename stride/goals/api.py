"""API: objectives, key results and their value updates.

Reads go through ``goals.selectors`` (an objective the caller may not see answers 404);
writes go through ``goals.services`` (one that the caller may see but not change also
answers 404). A service's ``ValidationError`` becomes a 422 naming the field, such as
``["body", "key_results", "0", "target"]``, and nothing is written.
"""

# No ``from __future__ import annotations`` here: django-ninja reads the handlers'
# annotations at run time, and ``Query[...]`` behind a string breaks the OpenAPI document.
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from stride.access.viewer import Viewer
from stride.goals import selectors, services
from stride.goals.health import ObjectiveHealth, State, objective_health
from stride.goals.models import KeyResult, KeyResultUpdate, Objective
from stride.goals.schemas import (
    KeyResultChange,
    KeyResultCreate,
    Kind,
    Level,
    ObjectiveChange,
    ObjectiveCreate,
    StatusValue,
    ValueRecord,
    Visibility,
)
from stride.lib.fields import Day
from stride.lib.ids import Id
from stride.lib.pagination import StrideCursorPagination, StridePagination
from stride.lib.scoring import GRACE_DAYS, RISK_MARGIN, Reading, RiskReason, project_value
from stride.lib.weeks import local_today

router = Router(tags=["goals"])

UTC = ZoneInfo("UTC")


def _viewer(request: HttpRequest) -> Viewer:
    return request.auth  # type: ignore[attr-defined]


def _zone(viewer: Viewer) -> ZoneInfo:
    return viewer.person.zone if viewer.person is not None else UTC


def _caller_zone(context: dict[str, Any] | None) -> ZoneInfo:
    """The caller's zone (the schemas' resolvers get the request in context)."""
    request = (context or {}).get("request")
    viewer = getattr(request, "auth", None)
    return _zone(viewer) if isinstance(viewer, Viewer) else UTC


def _today(context: dict[str, Any] | None) -> date:
    """Today where the caller lives."""
    return local_today(timezone.now(), _caller_zone(context))


# --- out ----------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    name: str


class TeamRef(Schema):
    id: int
    name: str


class KeyResultOut(Schema):
    id: int
    objective_id: int
    title: str
    kind: Kind
    unit: str
    start: Decimal
    target: Decimal
    current: Decimal
    weight: Decimal
    position: int
    direction: Literal["increasing", "decreasing"]
    progress: float = Field(description="(current − start) / (target − start), clamped to [0, 1]")
    created_at: datetime = Field(
        description="When the key result was set up: its pace is measured from this day "
        "(or from the period's start, if later)."
    )

    @staticmethod
    def resolve_progress(obj: KeyResult) -> float:
        return obj.progress()


class KeyResultDetailOut(KeyResultOut):
    projected_value: Decimal | None = Field(
        description="The value at the end of the objective's period at the pace so far "
        "(a least-squares line through this period's history); null without enough history."
    )


def _health(obj: Objective, context: dict[str, Any]) -> ObjectiveHealth:
    """The objective's health for the caller, worked out once per answer."""
    cached: ObjectiveHealth | None = getattr(obj, "_health", None)
    if cached is None:
        zone = _caller_zone(context)
        cached = objective_health(obj, today=local_today(timezone.now(), zone), zone=zone)
        obj._health = cached  # type: ignore[attr-defined]
    return cached


class HealthOut(Schema):
    """A goal's health by the one rule every page shows (docs/goals.md, "Health")."""

    state: State = Field(
        description="The owner's status and the computed reading as one state: achieved, "
        "missed, off_track and at_risk (the owner's word, or the period ended), "
        "falling_short (the owner says on track but the projection misses the target by "
        "more than the margin), behind (on track by the owner, behind the expected pace), "
        "on_track (on or ahead of pace), too_early (set up less than "
        f"{GRACE_DAYS} days ago), not_started (the period is still to come)."
    )
    label: str = Field(description="The words of the health badge on the goal pages.")
    summary: str = Field(
        description="The sentence the goal pages show: who says what, with the numbers."
    )
    reading: Reading | None = Field(
        description="The computed pace: progress against expected_progress within 5 points; "
        "too_early for a goal set up less than "
        f"{GRACE_DAYS} days ago; null before the period or once achieved or missed."
    )
    expected_progress: float = Field(
        description="Where a steadily advancing goal would stand today, each key result "
        "measured from the day it was set up (weight-normalised mean)."
    )
    projected_progress: float | None = Field(
        description="Share of the target reached at the period end at the rate each key "
        "result has kept since it was set up (capped at 1; milestones left out); null while "
        "too early to tell or when only milestones remain."
    )
    at_risk: bool = Field(
        description="True when the owner says at risk or off track, the goal was missed, or "
        f"projected_progress is below {round((1 - RISK_MARGIN) * 100)} %. Never true by "
        "computation for a goal too early to tell."
    )
    risk_reason: RiskReason | None = Field(
        description="Why at_risk: owner (the owner's status), missed, or projection."
    )
    why: str = Field(description="Why at_risk, in words; empty when not at risk.")


class ObjectiveOut(Schema):
    id: int
    visibility: Visibility
    title: str
    description: str
    level: Level
    owner: PersonRef
    team: TeamRef | None
    parent_id: int | None = Field(
        description="The objective this one is aligned to; null when none or not visible to you."
    )
    period_start: date
    period_end: date
    status: StatusValue = Field(description="The owner's own reading.")
    effective_status: StatusValue = Field(
        description="Achieved when fully progressed, missed when the period ended before "
        "that, otherwise the owner's reading."
    )
    progress: float = Field(description="Weight-normalised mean of the key results' progress.")
    expected_progress: float = Field(
        description="Where a steadily advancing goal would stand today, each key result "
        "measured from the day it was set up (the same as health.expected_progress)."
    )
    health: HealthOut
    key_results: list[KeyResultOut]

    @staticmethod
    def resolve_parent_id(obj: Objective) -> int | None:
        parent = selectors.visible_parent(obj)
        return parent.pk if parent is not None else None

    @staticmethod
    def resolve_progress(obj: Objective) -> float:
        return obj.progress()

    @staticmethod
    def resolve_effective_status(obj: Objective, context: dict[str, Any]) -> str:
        return obj.effective_status(_today(context))

    @staticmethod
    def resolve_expected_progress(obj: Objective, context: dict[str, Any]) -> float:
        return _health(obj, context).expected

    @staticmethod
    def resolve_health(obj: Objective, context: dict[str, Any]) -> dict[str, Any]:
        health = _health(obj, context)
        return {
            "state": health.state,
            "label": health.label,
            "summary": health.summary,
            "reading": health.reading,
            "expected_progress": health.expected,
            "projected_progress": health.projected,
            "at_risk": health.at_risk,
            "risk_reason": health.reason,
            "why": health.why,
        }


class ObjectiveDetailOut(ObjectiveOut):
    key_results: list[KeyResultDetailOut]  # type: ignore[assignment]


class UpdateOut(Schema):
    """A value update. ``note``, ``confidence`` and ``checkin_id`` are empty when the update
    was written in a check-in the caller may not read."""

    id: int
    key_result_id: int
    value: Decimal
    confidence: int | None
    note: str
    author: PersonRef | None
    checkin_id: int | None
    at: datetime

    @staticmethod
    def resolve_note(obj: KeyResultUpdate) -> str:
        return selectors.checkin_details(obj)[0]

    @staticmethod
    def resolve_confidence(obj: KeyResultUpdate) -> int | None:
        return selectors.checkin_details(obj)[1]

    @staticmethod
    def resolve_checkin_id(obj: KeyResultUpdate) -> int | None:
        return selectors.checkin_details(obj)[2]


# --- in: the operations' input schemas live in ``goals.schemas`` ---------------------------


class ObjectiveFilters(Schema):
    owner_id: Id | None = None
    team_id: Id | None = None
    level: Level | None = None
    status: StatusValue | None = Field(default=None, description="The owner's stored status.")
    active_on: Day | None = Field(
        default=None, description="Only objectives whose period includes this date."
    )
    q: str = Field(default="", max_length=100, description="Search titles and descriptions.")


# --- helpers ----------------------------------------------------------------------------


def _with_projections(viewer: Viewer, objective: Objective) -> Objective:
    """Attach ``projected_value`` to each key result, from one history query."""
    zone = _zone(viewer)
    history = selectors.key_result_history(viewer, [objective], zone=zone)
    end = datetime.combine(objective.period_end + timedelta(days=1), time.min, tzinfo=zone)
    for kr in objective.key_results.all():
        kr.projected_value = project_value(history.get(kr.pk, []), at=end)  # type: ignore[attr-defined]
    return objective


def _detail(viewer: Viewer, objective_id: int) -> Objective:
    objective = selectors.objectives_listed_for(viewer).filter(pk=objective_id).first()
    if objective is None:
        raise Http404
    return _with_projections(viewer, objective)


def _kr_detail(viewer: Viewer, kr: KeyResult) -> KeyResult:
    objective = _detail(viewer, kr.objective_id)
    return next(k for k in objective.key_results.all() if k.pk == kr.pk)


# --- objectives ---------------------------------------------------------------------------


@router.get("/objectives", response=list[ObjectiveOut], summary="Objectives you may see")
@paginate(StrideCursorPagination, ordering=("id",))
def objective_list(request: HttpRequest, filters: Query[ObjectiveFilters]) -> QuerySet[Objective]:
    """Objectives visible to you, with their key results, in the order they were created.

    Pages are cursor-based: follow ``next`` (pass it as ``cursor``) until it is null. There
    is no total count, so a page costs the same in an organisation of any size; narrow the
    list with the filters (``active_on``, ``owner_id``, ``team_id`` …)."""
    qs = selectors.with_owner_and_parent_refs(selectors.objectives_listed_for(_viewer(request)))
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.team_id is not None:
        qs = qs.filter(team_id=filters.team_id)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    if filters.active_on is not None:
        qs = qs.filter(period_start__lte=filters.active_on, period_end__gte=filters.active_on)
    if filters.q.strip():
        term = filters.q.strip()
        qs = qs.filter(Q(title__icontains=term) | Q(description__icontains=term))
    return qs


@router.post("/objectives", response={201: ObjectiveDetailOut}, summary="Create an objective")
def objective_create(request: HttpRequest, payload: ObjectiveCreate) -> Status[Objective]:
    """Create an objective, optionally with its key results, in one step: it is created
    whole or not at all."""
    viewer = _viewer(request)
    data = payload.model_dump(exclude={"key_results"})
    objective = services.objective_create(
        viewer=viewer, **services.with_refs(viewer, data), key_results=payload.key_results
    )
    return Status(201, _detail(viewer, objective.pk))


@router.get("/objectives/{objective_id}", response=ObjectiveDetailOut, summary="One objective")
def objective_detail(request: HttpRequest, objective_id: Id) -> Objective:
    return _detail(_viewer(request), objective_id)


@router.patch(
    "/objectives/{objective_id}", response=ObjectiveDetailOut, summary="Change an objective"
)
def objective_update(request: HttpRequest, objective_id: Id, payload: ObjectiveChange) -> Objective:
    viewer = _viewer(request)
    objective = selectors.objective_for_editor(viewer, objective_id)
    changes = services.with_refs(viewer, payload.model_dump(exclude_unset=True))
    services.objective_update(viewer=viewer, objective=objective, **changes)
    return _detail(viewer, objective.pk)


@router.delete("/objectives/{objective_id}", response={204: None}, summary="Delete an objective")
def objective_delete(request: HttpRequest, objective_id: Id) -> Status[None]:
    """Delete an objective, its key results and their history."""
    viewer = _viewer(request)
    objective = selectors.objective_for_editor(viewer, objective_id)
    services.objective_delete(viewer=viewer, objective=objective)
    return Status(204, None)


# --- key results --------------------------------------------------------------------------


@router.post(
    "/objectives/{objective_id}/key-results",
    response={201: KeyResultDetailOut},
    summary="Add a key result",
)
def key_result_create(
    request: HttpRequest, objective_id: Id, payload: KeyResultCreate
) -> Status[KeyResult]:
    viewer = _viewer(request)
    objective = selectors.objective_for_editor(viewer, objective_id)
    kr = services.key_result_create(viewer=viewer, objective=objective, **payload.model_dump())
    return Status(201, _kr_detail(viewer, kr))


@router.get("/key-results/{key_result_id}", response=KeyResultDetailOut, summary="One key result")
def key_result_detail(request: HttpRequest, key_result_id: Id) -> KeyResult:
    viewer = _viewer(request)
    return _kr_detail(viewer, selectors.key_result_for_viewer(viewer, key_result_id))


@router.patch(
    "/key-results/{key_result_id}",
    response=KeyResultDetailOut,
    summary="Change a key result's definition",
)
def key_result_update(
    request: HttpRequest, key_result_id: Id, payload: KeyResultChange
) -> KeyResult:
    viewer = _viewer(request)
    kr = selectors.key_result_for_editor(viewer, key_result_id)
    changes = payload.model_dump(exclude_unset=True)
    services.key_result_update(viewer=viewer, key_result=kr, **changes)
    return _kr_detail(viewer, kr)


@router.get(
    "/key-results/{key_result_id}/updates",
    response=list[UpdateOut],
    summary="A key result's value history",
)
@paginate(StridePagination)
def key_result_update_list(request: HttpRequest, key_result_id: Id) -> QuerySet[KeyResultUpdate]:
    """Every value the key result has had, oldest first."""
    viewer = _viewer(request)
    kr = selectors.key_result_for_viewer(viewer, key_result_id)
    return selectors.key_result_updates(viewer, kr)


@router.post(
    "/key-results/{key_result_id}/updates",
    response={201: UpdateOut},
    summary="Record a new value",
)
def key_result_record_value(
    request: HttpRequest, key_result_id: Id, payload: ValueRecord
) -> Status[KeyResultUpdate]:
    viewer = _viewer(request)
    kr = selectors.key_result_for_editor(viewer, key_result_id)
    update = services.key_result_record_value(
        viewer=viewer,
        key_result=kr,
        value=payload.value,
        confidence=payload.confidence,
        note=payload.note,
        at=payload.at,
    )
    return Status(201, update)
