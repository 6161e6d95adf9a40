"""API: the signed-in person, the people directory, reporting lines and teams (scoped)."""

# No ``from __future__ import annotations``: django-ninja builds the query-parameter model of a
# paginated operation from its signature, and string annotations leave ``Query[...]``
# unresolved ("not fully defined") at request time.
import json
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from stride.access.viewer import Viewer
from stride.lib.ids import Id
from stride.lib.pagination import StridePagination
from stride.org import selectors
from stride.org.models import Person

router = Router(tags=["people"])


class TeamRef(Schema):
    id: int
    name: str


class PersonOut(Schema):
    id: int
    name: str
    email: str
    title: str
    team: TeamRef | None
    manager_id: int | None = Field(
        description="Null at the top of the tree, or when the manager is hidden from you."
    )
    time_zone: str

    @staticmethod
    def resolve_manager_id(
        obj: Person | dict[str, Any], context: dict[str, Any] | None = None
    ) -> int | None:
        if isinstance(obj, dict):  # already judged by ``_detail``
            value = obj.get("manager_id")
            return value if isinstance(value, int) else None
        request = (context or {}).get("request")
        viewer = getattr(request, "auth", None)
        if not isinstance(viewer, Viewer):
            # Without a caller to judge by, name no manager who has left.
            return obj.manager_id if obj.manager is None or obj.manager.status != "left" else None
        return selectors.visible_manager_id(viewer, obj)


class PersonDetailOut(PersonOut):
    hire_date: date | None = None
    status: str | None = None
    external_id: str | None = None


class MeOut(PersonDetailOut):
    roles: list[str]
    manages_people: bool


class TeamOut(Schema):
    id: int
    name: str
    is_sales: bool
    member_count: int = Field(description="People in the team who have not left")


class PeopleFilters(Schema):
    q: str = Field(default="", max_length=100, description="Search name, e-mail, title, team")
    team_id: Id | None = None
    manager_id: Id | None = None


def _detail(viewer: Viewer, person: Person) -> dict[str, object]:
    data: dict[str, object] = PersonOut.from_orm(person).dict()
    data["manager_id"] = selectors.visible_manager_id(viewer, person)
    if selectors.can_see_hr_details(viewer, person):
        data.update(
            hire_date=person.hire_date, status=person.status, external_id=person.external_id
        )
    return data


@router.get("/me", response=MeOut, summary="The signed-in person")
def me(request: HttpRequest) -> dict[str, object]:
    viewer: Viewer = request.auth  # type: ignore[attr-defined]
    assert viewer.person is not None
    person = selectors.person_for_viewer(viewer, viewer.person.pk)
    data = _detail(viewer, person)
    data["roles"] = sorted(viewer.roles)
    data["manages_people"] = person.reports.exists()
    return data


class PeopleQuery(PeopleFilters, StridePagination.Input):
    pass  # the directory's filters and its page (limit and offset, as every list)


class PagedPersonOut(Schema):
    items: list[PersonOut]
    count: int


@router.get("/people", response=PagedPersonOut, summary="People directory")
def people_list(request: HttpRequest, filters: Query[PeopleQuery]) -> HttpResponse:
    # The answer has the shape of every other paged list (``items`` and ``count``) but is
    # written as JSON from plain rows rather than validated as up to 500 ``PersonOut``
    # objects, which cost more than the rest of the request together. The tests check
    # every answer against the OpenAPI document instead.
    viewer: Viewer = request.auth  # type: ignore[attr-defined]
    qs = selectors.people_search(viewer, filters.q)
    if filters.team_id is not None:
        qs = qs.filter(team_id=filters.team_id)
    if filters.manager_id is not None:
        qs = qs.filter(manager_id=filters.manager_id)
    rows = selectors.directory_rows(viewer, qs.order_by("name", "id"))
    items = [
        {
            "id": row["id"],
            "name": row["name"],
            "email": row["email"],
            "title": row["title"],
            "team": {"id": row["team_id"], "name": row["team_name"]} if row["team_id"] else None,
            "manager_id": row["visible_manager_id"],
            "time_zone": row["time_zone"],
        }
        for row in rows[filters.offset : filters.offset + filters.limit]
    ]
    body = json.dumps({"items": items, "count": qs.count()}, ensure_ascii=False)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get("/people/{person_id}", response=PersonDetailOut, summary="One person")
def person_detail(request: HttpRequest, person_id: Id) -> dict[str, object]:
    viewer: Viewer = request.auth  # type: ignore[attr-defined]
    return _detail(viewer, selectors.person_for_viewer(viewer, person_id))


@router.get(
    "/people/{person_id}/reports", response=list[PersonOut], summary="A person's direct reports"
)
@paginate(StridePagination)
def person_reports(request: HttpRequest, person_id: Id) -> object:
    viewer: Viewer = request.auth  # type: ignore[attr-defined]
    manager = selectors.person_for_viewer(viewer, person_id)
    return selectors.direct_reports(viewer, manager).order_by("name", "id")


@router.get("/teams", response=list[TeamOut], summary="Teams")
@paginate(StridePagination)
def teams_list(request: HttpRequest) -> object:
    viewer: Viewer = request.auth  # type: ignore[attr-defined]
    return selectors.teams_visible_to(viewer).order_by("name", "id")
