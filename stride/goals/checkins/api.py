"""API: weekly check-ins and their comments.

Reads go through ``checkins.selectors`` (a check-in the caller may not see answers 404, and
key-result updates of objectives the caller may not see are left out); writes go through
``checkins.services``, whose field errors become 422 answers naming the field."""

# No ``from __future__ import annotations`` here: django-ninja builds the query-parameter
# model of a paginated operation from its signature, and string annotations there leave
# that model "not fully defined" (``Query[...]`` cannot be resolved) at request time.
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from stride.access.viewer import Viewer
from stride.goals.checkins import selectors as sel
from stride.goals.checkins import services
from stride.goals.checkins.schemas import CheckInSubmit, CommentCreate
from stride.goals.models import CheckIn, CheckInComment, KeyResultUpdate
from stride.lib.ids import Id
from stride.lib.pagination import StridePagination
from stride.lib.weeks import parse_iso_week

router = Router(tags=["check-ins"])

# Years 0001-9999 (what ``date`` holds) and weeks 01-53. The pattern is the whole rule, so
# the OpenAPI document states it: a week 53 in a year of 52 weeks is a week no check-in
# can be in, and the list answers empty.
WEEK_PATTERN = (
    r"^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-W(?:0[1-9]|[1-4][0-9]|5[0-3])$"
)


class KeyResultUpdateOut(Schema):
    id: int
    key_result_id: int
    key_result_title: str
    objective_id: int
    objective_title: str
    value: Decimal
    confidence: int | None
    note: str
    at: datetime


class CheckInOut(Schema):
    id: int
    person_id: int
    person_name: str
    week: str = Field(description="ISO week in the author's time zone, like 2026-W48.")
    week_start: date = Field(description="The Monday of that week.")
    mood: int
    progress: str
    plans: str
    problems: str
    submitted_at: datetime
    updated_at: datetime
    kr_updates: list[KeyResultUpdateOut] = Field(
        description="Key-result values reported in this check-in that you may see."
    )

    @staticmethod
    def resolve_person_name(obj: CheckIn) -> str:
        return obj.person.name

    @staticmethod
    def resolve_week(obj: CheckIn) -> str:
        return obj.iso_week

    @staticmethod
    def resolve_kr_updates(obj: CheckIn) -> list[dict[str, object]]:
        return [_update_out(update) for update in sel.reported_updates(obj)]


def _plain(value: Decimal) -> Decimal:
    """``12.5000`` → ``12.5`` and ``100.0000`` → ``100`` (never ``1E+2``)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _update_out(update: KeyResultUpdate) -> dict[str, object]:
    kr = update.key_result
    return {
        "id": update.pk,
        "key_result_id": kr.pk,
        "key_result_title": kr.title,
        "objective_id": kr.objective_id,
        "objective_title": kr.objective.title,
        "value": _plain(update.value),
        "confidence": update.confidence,
        "note": update.note,
        "at": update.at,
    }


class CheckInFilters(Schema):
    person_id: Id | None = Field(default=None, description="Only this person's check-ins.")
    week: str | None = Field(
        default=None, pattern=WEEK_PATTERN, description="An ISO week such as 2026-W48."
    )
    shared_with_me: bool = Field(
        default=False, description="Only check-ins of people whose partner you are."
    )


class CommentOut(Schema):
    id: int
    checkin_id: int
    author_id: int
    author_name: str
    body: str
    created_at: datetime

    @staticmethod
    def resolve_author_name(obj: CheckInComment) -> str:
        return obj.author.name


def _viewer(request: HttpRequest) -> Viewer:
    return request.auth  # type: ignore[attr-defined]


@router.get("/check-ins", response=list[CheckInOut], summary="Check-ins I may see")
@paginate(StridePagination)
def checkin_list(request: HttpRequest, filters: Query[CheckInFilters]) -> object:
    """Your own check-ins, those of everyone below you in the reporting tree, and those of
    people whose accountability partner you are; newest week first."""
    week_start, no_such_week = None, False
    try:
        week_start = parse_iso_week(filters.week) if filters.week else None
    except ValueError:  # week 53 of a year with 52: no check-in is in it
        no_such_week = True
    found = sel.checkin_list(
        _viewer(request),
        person_id=filters.person_id,
        week_start=week_start,
        shared_with_me=filters.shared_with_me,
    )
    return found.none() if no_such_week else found


@router.post("/check-ins", response={201: CheckInOut}, summary="Submit this week's check-in")
def checkin_submit(request: HttpRequest, payload: CheckInSubmit) -> Status[CheckIn]:
    """Write your check-in for the current ISO week in your own time zone. Submitting
    again in the same week updates that check-in. Key-result updates must name key
    results of your own objectives."""
    viewer = _viewer(request)
    checkin = services.checkin_submit(
        viewer=viewer,
        mood=payload.mood,
        progress=payload.progress,
        plans=payload.plans,
        problems=payload.problems,
        kr_updates=payload.kr_updates,
    )
    return Status(201, sel.checkin_detail_for_viewer(viewer, checkin.pk))


@router.get("/check-ins/{checkin_id}", response=CheckInOut, summary="One check-in")
def checkin_detail(request: HttpRequest, checkin_id: Id) -> CheckIn:
    return sel.checkin_detail_for_viewer(_viewer(request), checkin_id)


@router.get(
    "/check-ins/{checkin_id}/comments",
    response=list[CommentOut],
    summary="Comments on a check-in",
)
@paginate(StridePagination)
def comment_list(request: HttpRequest, checkin_id: Id) -> object:
    viewer = _viewer(request)
    checkin = sel.checkin_summary_for_viewer(viewer, checkin_id)
    return sel.comments_for_viewer(viewer, checkin)


@router.post(
    "/check-ins/{checkin_id}/comments",
    response={201: CommentOut},
    summary="Comment on a check-in",
)
def comment_add(
    request: HttpRequest, checkin_id: Id, payload: CommentCreate
) -> Status[CheckInComment]:
    """Anyone who may see the check-in may comment; its author is told by e-mail."""
    viewer = _viewer(request)
    checkin = sel.checkin_summary_for_viewer(viewer, checkin_id)
    comment = services.checkin_comment_add(viewer=viewer, checkin=checkin, body=payload.body)
    return Status(201, comment)
