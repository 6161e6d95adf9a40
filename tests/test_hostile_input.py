"""Regressions for the faults hostile input found (issue 5): values at and beyond the edges
of what the domain accepts are refused whole, and what is accepted never breaks a page.

Before: an objective ending 9999-12-31 (or starting 0001-01-01, or a value dated
0001-01-01) was saved while the request answered 500, and from then on the owner's pages
and the API answered 500 for everyone; a target of 99,999,999,999,999.97 was stored, came
back from SQLite as 10^14 and broke every page that showed it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps

from stride.lib.fields import VALUE_LIMIT, VALUE_STEP
from stride.testing import TODAY, Cast, first_kr, make_objective

# On the shared frozen clock: TODAY is Wednesday 25 November 2026.
pytestmark = pytest.mark.clock
# The largest key-result value the schemas accept, as a JSON number.
BIGGEST = float(VALUE_LIMIT - VALUE_STEP)
START, END = TODAY - timedelta(days=10), TODAY + timedelta(days=80)


def row_counts() -> dict[str, int]:
    # Signing the test client in opens a session; that is not the request's doing.
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label != "sessions.Session"
    }


def post(cast: Cast, url: str, body: dict[str, Any]) -> Any:
    return cast.client(cast.alice).post(url, json.dumps(body), content_type="application/json")


def owner_pages_answer(cast: Cast) -> list[int]:
    client = cast.client(cast.alice)
    objective_ids = [o.pk for o in cast.alice.objectives.all()]
    urls = ["/goals/", f"/goals/person/{cast.alice.pk}/", "/check-ins/new", "/api/v1/objectives"]
    urls += [f"/goals/{pk}/" for pk in objective_ids]
    urls += [f"/api/v1/objectives/{pk}" for pk in objective_ids]
    statuses = [client.get(url).status_code for url in urls]
    statuses.append(cast.client(cast.manager).get("/team/").status_code)
    return statuses


@pytest.mark.parametrize(
    "change",
    [
        {"period_end": "9999-12-31"},
        {"period_start": "0001-01-01"},
        {"period_start": "1899-12-31"},
        {"period_end": "2200-01-01"},
        {"period_start": 0},
        {"key_results": [{"title": "Huge", "target": 1e14}]},
    ],
)
def test_an_objective_beyond_the_edges_is_refused_and_nothing_breaks(
    cast: Cast, change: dict[str, Any]
) -> None:
    before = row_counts()
    body = {"title": "Edge", "period_start": str(START), "period_end": str(END), **change}
    response = post(cast, "/api/v1/objectives", body)
    assert response.status_code == 422
    assert row_counts() == before
    assert set(owner_pages_answer(cast)) == {200}


def test_a_value_dated_in_year_one_is_refused(cast: Cast) -> None:
    objective = make_objective(
        cast,
        cast.alice,
        "Dated",
        period=(START, END),
        key_results=[{"title": "Count", "target": 10}],
        created_at=None,
    )
    kr = first_kr(objective)
    before = row_counts()
    for at in ("0001-01-01T00:00:00+00:00", "1899-12-31T23:00:00+00:00", 0):
        response = post(cast, f"/api/v1/key-results/{kr.pk}/updates", {"value": 3, "at": at})
        assert response.status_code == 422, at
    assert row_counts() == before
    assert set(owner_pages_answer(cast)) == {200}


def test_the_largest_values_accepted_still_show_on_every_page(cast: Cast) -> None:
    edge = {"period_start": "1900-01-01", "period_end": "2199-12-31"}
    body = {
        "title": "Everything at its edge",
        **edge,
        "key_results": [
            {"title": "Big", "start": -BIGGEST, "target": BIGGEST},
            {"title": "Small", "start": 0, "target": 0.0001, "current": 0.0001},
        ],
    }
    created = post(cast, "/api/v1/objectives", body)
    assert created.status_code == 201, created.content
    kr = created.json()["key_results"][0]
    recorded = post(
        cast,
        f"/api/v1/key-results/{kr['id']}/updates",
        {"value": BIGGEST, "at": "1900-01-01T00:00:00+00:00"},
    )
    assert recorded.status_code == 201, recorded.content
    assert set(owner_pages_answer(cast)) == {200}
