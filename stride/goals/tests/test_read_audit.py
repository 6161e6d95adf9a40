"""Every page and API operation that shows someone else's private objective or check-in
leaves an audit entry naming the records it showed; reading one's own leaves none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stride.access.models import AuditEntry
from stride.goals.checkins import services as checkin_services
from stride.goals.models import CheckIn, Objective
from stride.org.models import Person
from stride.testing import Cast, check_in, choose_partner, first_kr, make_objective

PRIVATE = Objective.Visibility.PRIVATE


pytestmark = pytest.mark.clock


def reads(actor: Person | None = None) -> dict[tuple[str, str], set[str]]:
    """``{(action, target type): ids named}`` over the read entries (of ``actor``)."""
    out: dict[tuple[str, str], set[str]] = {}
    entries = AuditEntry.objects.filter(kind=AuditEntry.Kind.READ)
    if actor is not None:
        entries = entries.filter(actor=actor)
    for entry in entries:
        ids = {entry.target_id} if entry.target_id else set(entry.changes["records"])
        out.setdefault((entry.action, entry.target_type), set()).update(ids)
    return out


@dataclass
class World:
    """Alice's records as her manager may see them: two private objectives (one of them
    at risk, one a private team objective), a public one with a check-in note, this week's
    check-in with a comment, and last week's."""

    secret: Objective
    secret_team: Objective
    public: Objective
    checkin: CheckIn
    last_week: CheckIn


@pytest.fixture
def world(cast: Cast) -> World:
    secret = make_objective(
        cast, cast.alice, "Find a new job", visibility=PRIVATE, status=Objective.Status.AT_RISK
    )
    secret_team = make_objective(cast, cast.alice, "Quiet reorg", visibility=PRIVATE)
    Objective.objects.filter(pk=secret_team.pk).update(
        level=Objective.Level.TEAM, team=cast.product
    )
    public = make_objective(cast, cast.alice, "Public roadmap")
    last_week = check_in(cast, cast.alice, weeks_ago=1, mood=2, problems="tired")
    checkin = check_in(
        cast,
        cast.alice,
        mood=1,
        problems="burnt out",
        kr_updates=[{"key_result_id": first_kr(public).pk, "value": 10, "note": "slow"}],
    )
    checkin_services.checkin_comment_add(
        viewer=cast.viewer(cast.manager), checkin=checkin, body="Let's talk"
    )
    return World(secret, secret_team, public, checkin, last_week)


def o(objective: Objective) -> str:
    return str(objective.pk)


@dataclass(frozen=True)
class Route:
    name: str
    url: Callable[[Cast, World], str]
    # What the manager's read of it must name: {(action, target type): ids}.
    named: Callable[[World], dict[tuple[str, str], set[str]]]


OBJ = ("objective.read_private", "goals.objective")
CHK = ("checkin.read", "goals.checkin")

ROUTES = [
    Route(
        "API objective",
        lambda c, w: f"/api/v1/objectives/{w.secret.pk}",
        lambda w: {OBJ: {o(w.secret)}},
    ),
    Route(
        "API objectives of a person",
        lambda c, w: f"/api/v1/objectives?owner_id={c.alice.pk}",
        lambda w: {OBJ: {o(w.secret), o(w.secret_team)}},
    ),
    Route(
        "API key result",
        lambda c, w: f"/api/v1/key-results/{first_kr(w.secret).pk}",
        lambda w: {
            OBJ: {o(w.secret)},
            ("key_result.read_private", "goals.keyresult"): {str(first_kr(w.secret).pk)},
        },
    ),
    Route(
        "API key-result history with a check-in note",
        lambda c, w: f"/api/v1/key-results/{first_kr(w.public).pk}/updates",
        lambda w: {CHK: {str(w.checkin.pk)}},
    ),
    Route(
        "objective page",
        lambda c, w: f"/goals/{w.secret.pk}/",
        lambda w: {OBJ: {o(w.secret)}},
    ),
    Route(
        "objective page with a check-in note",
        lambda c, w: f"/goals/{w.public.pk}/",
        lambda w: {CHK: {str(w.checkin.pk)}},
    ),
    Route(
        "person's goals page",
        lambda c, w: f"/goals/person/{c.alice.pk}/",
        lambda w: {OBJ: {o(w.secret), o(w.secret_team)}},
    ),
    Route(
        "team goals page",
        lambda c, w: f"/goals/team/?team={c.product.pk}",
        lambda w: {OBJ: {o(w.secret), o(w.secret_team)}},
    ),
    Route(
        "company goals page",
        lambda c, w: "/goals/company/",
        lambda w: {OBJ: {o(w.secret_team)}},
    ),
    Route(
        "API check-ins of a person",
        lambda c, w: f"/api/v1/check-ins?person_id={c.alice.pk}",
        lambda w: {CHK: {str(w.checkin.pk), str(w.last_week.pk)}},
    ),
    Route(
        "API check-in",
        lambda c, w: f"/api/v1/check-ins/{w.checkin.pk}",
        lambda w: {CHK: {str(w.checkin.pk)}},
    ),
    Route(
        "API check-in comments",
        lambda c, w: f"/api/v1/check-ins/{w.checkin.pk}/comments",
        lambda w: {CHK: {str(w.checkin.pk)}},
    ),
    Route(
        "check-in page",
        lambda c, w: f"/check-ins/{w.checkin.pk}/",
        lambda w: {CHK: {str(w.checkin.pk)}},
    ),
    Route(
        "team page (moods and goals at risk)",
        lambda c, w: "/team/",
        # Both private goals are shown at risk: one says so, the other is projected short.
        lambda w: {
            CHK: {str(w.checkin.pk), str(w.last_week.pk)},
            OBJ: {o(w.secret), o(w.secret_team)},
        },
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_the_managers_read_leaves_an_entry_naming_the_records_shown(
    cast: Cast, world: World, route: Route
) -> None:
    response = cast.client(cast.manager).get(route.url(cast, world))
    assert response.status_code == 200
    assert reads(cast.manager) == route.named(world)
    entries = AuditEntry.objects.filter(kind=AuditEntry.Kind.READ)
    assert {e.via for e in entries} == {"api" if "/api/" in route.url(cast, world) else "web"}


# The team page shows a manager's reports, never the viewer's own records.
OWN_ROUTES = [route for route in ROUTES if not route.name.startswith("team page")]


@pytest.mark.parametrize("route", OWN_ROUTES, ids=lambda r: r.name)
def test_the_owner_reading_her_own_records_leaves_no_entry(
    cast: Cast, world: World, route: Route
) -> None:
    response = cast.client(cast.alice).get(route.url(cast, world))
    assert response.status_code == 200
    assert reads() == {}


def test_a_colleague_who_may_see_only_public_goals_leaves_no_entry(
    cast: Cast, world: World
) -> None:
    client = cast.client(cast.bob)
    assert client.get(f"/api/v1/objectives?owner_id={cast.alice.pk}").status_code == 200
    assert client.get(f"/goals/person/{cast.alice.pk}/").status_code == 200
    assert client.get(f"/goals/{world.public.pk}/").status_code == 200
    assert reads() == {}


def test_a_page_of_a_list_names_only_the_records_on_that_page(cast: Cast, world: World) -> None:
    client = cast.client(cast.manager)
    first = client.get(f"/api/v1/check-ins?person_id={cast.alice.pk}&limit=1").json()
    assert [item["id"] for item in first["items"]] == [world.checkin.pk]
    assert reads() == {CHK: {str(world.checkin.pk)}}


def test_the_accountability_partner_reading_shared_check_ins_is_audited(
    cast: Cast, world: World
) -> None:
    choose_partner(cast, cast.alice, cast.outsider)
    response = cast.client(cast.outsider).get("/check-ins/")
    assert response.status_code == 200
    assert reads(cast.outsider) == {CHK: {str(world.checkin.pk), str(world.last_week.pk)}}


def test_the_hr_admin_reading_the_objectives_list_is_audited(cast: Cast, world: World) -> None:
    cast.client(cast.hr).get("/api/v1/objectives?limit=100")
    assert reads(cast.hr) == {OBJ: {o(world.secret), o(world.secret_team)}}


def test_a_list_read_is_one_query_whatever_the_page_size(cast: Cast) -> None:
    for n in range(12):
        make_objective(cast, cast.alice, f"Secret {n}", visibility=PRIVATE)
    client = cast.client(cast.manager)
    url = f"/api/v1/objectives?owner_id={cast.alice.pk}"
    client.get(f"{url}&page_size=2")  # warm per-process caches
    with CaptureQueriesContext(connection) as small:
        client.get(f"{url}&page_size=2")
    with CaptureQueriesContext(connection) as large:
        client.get(f"{url}&page_size=12")
    assert len(small) == len(large)
    inserts = [q for q in large.captured_queries if "audit" in q["sql"] and "INSERT" in q["sql"]]
    assert len(inserts) == 1
    assert len(AuditEntry.objects.order_by("-id").first().changes["records"]) == 12  # type: ignore[union-attr]


def test_a_private_goal_offered_as_a_parent_in_the_goal_form_is_audited(cast: Cast) -> None:
    # The form offers the owner's managers' objectives to align to; for HR (owner by
    # default) that includes skip's private one, named by its title.
    secret = make_objective(cast, cast.skip, "Reorganise Product", visibility=PRIVATE)
    page = cast.client(cast.hr).get("/goals/new")
    assert "Reorganise Product" in page.content.decode()
    assert reads(cast.hr) == {OBJ: {o(secret)}}
