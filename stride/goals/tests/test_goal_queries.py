"""Query budgets: goal pages and the objectives API run a fixed number of queries, however
many objectives, key results and value updates there are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stride.goals.models import Objective
from stride.org.models import Person
from stride.testing import Cast, make_objective, record
from stride.testing.clock import QUARTER_START

PRIVATE = Objective.Visibility.PRIVATE


pytestmark = pytest.mark.clock


def grow(
    cast: Cast, owners: list[Person], *, objectives: int, key_results: int, weeks: int
) -> None:
    """Give each owner more objectives, each with key results and weekly values, some
    aligned to a company objective and some private."""
    company = make_objective(cast, cast.skip, "Company", level=Objective.Level.COMPANY)
    team = make_objective(
        cast,
        cast.manager,
        "Team",
        level=Objective.Level.TEAM,
        team=cast.product,
        parent=company,
    )
    for owner in owners:
        for n in range(objectives):
            objective = make_objective(
                cast,
                owner,
                f"{owner.name} goal {n}",
                by=cast.hr,
                parent=team if n % 2 else None,
                visibility=PRIVATE if n % 3 == 0 else Objective.Visibility.PUBLIC,
                key_results=[
                    {"title": f"KR {k}", "start": 0, "target": 10 * (k + 1)}
                    for k in range(key_results)
                ],
            )
            for kr in objective.key_results.all():
                for week in range(1, weeks + 1):
                    record(cast, cast.hr, kr, week, at=QUARTER_START + timedelta(weeks=week))


def queries(client: Client, url: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return len(captured)


def assert_flat(
    cast: Cast,
    viewer: Person,
    url: str,
    owners: Callable[[Cast], list[Person]],
    budget: int,
    **params: Any,
) -> None:
    client = cast.client(viewer)
    grow(cast, owners(cast), objectives=1, key_results=1, weeks=1)
    queries(client, url, **params)  # warm any per-process caches
    small = queries(client, url, **params)
    grow(cast, owners(cast), objectives=4, key_results=3, weeks=5)
    large = queries(client, url, **params)
    assert small == large, f"{url}: {small} queries with little data, {large} with more"
    assert large <= budget


def product(cast: Cast) -> list[Person]:
    return [cast.alice, cast.bob, cast.manager]


def test_my_goals_queries_do_not_grow(cast: Cast) -> None:
    assert_flat(cast, cast.alice, reverse("goals:my_goals"), lambda c: [c.alice], budget=10)


def test_my_goals_over_all_active_periods_queries_do_not_grow(cast: Cast) -> None:
    assert_flat(
        cast, cast.alice, reverse("goals:my_goals"), lambda c: [c.alice], 10, period="active"
    )


def test_a_persons_goals_queries_do_not_grow(cast: Cast) -> None:
    url = reverse("goals:person_goals", args=[cast.alice.pk])
    assert_flat(cast, cast.manager, url, lambda c: [c.alice], budget=11)


def test_team_goals_queries_do_not_grow(cast: Cast) -> None:
    # 9: one of them records the manager's read of the reports' private objectives.
    assert_flat(cast, cast.manager, reverse("goals:team_goals"), product, budget=9)


def test_the_alignment_tree_queries_do_not_grow(cast: Cast) -> None:
    # Bob cannot see alice's private objectives, so hidden ancestors come into play.
    assert_flat(cast, cast.bob, reverse("goals:alignment"), product, budget=10)


def test_the_objectives_api_queries_do_not_grow(cast: Cast) -> None:
    assert_flat(cast, cast.manager, "/api/v1/objectives", product, budget=8, limit=100)


def test_an_objective_page_queries_do_not_grow_with_its_history(cast: Cast) -> None:
    objective = make_objective(
        cast,
        cast.alice,
        key_results=[{"title": f"KR {k}", "target": 100} for k in range(2)],
    )
    make_objective(cast, cast.alice, "Child", parent=objective)
    client = cast.client(cast.alice)
    url = reverse("goals:objective_detail", args=[objective.pk])
    queries(client, url)
    small = queries(client, url)
    for kr in objective.key_results.all():
        for week in range(1, 6):
            record(cast, cast.alice, kr, week * 3, at=QUARTER_START + timedelta(weeks=week))
    for n in range(5):
        make_objective(cast, cast.alice, f"Child {n}", parent=objective)
    assert queries(client, url) == small <= 12
