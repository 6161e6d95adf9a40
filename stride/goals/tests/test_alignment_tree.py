"""The company alignment tree: company → team → personal, as far as the viewer may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stride.goals import selectors
from stride.goals.models import Objective
from stride.lib.scoring import quarter
from stride.testing import Cast, make_objective
from stride.testing.clock import LAST_QUARTER, TODAY

PRIVATE = Objective.Visibility.PRIVATE
ALIGNMENT = reverse("goals:alignment")


pytestmark = pytest.mark.clock


def shape(nodes: list[selectors.AlignmentNode]) -> list[Any]:
    """The tree as nested ``(title, [children])`` pairs, easy to compare."""
    return [(n.objective.title, shape(n.children)) for n in nodes]


@pytest.fixture
def company(cast: Cast) -> dict[str, Objective]:
    c = make_objective(cast, cast.skip, "Win the market", level=Objective.Level.COMPANY)
    team = make_objective(
        cast,
        cast.manager,
        "Ship the app",
        level=Objective.Level.TEAM,
        team=cast.product,
        parent=c,
    )
    alice = make_objective(cast, cast.alice, "Build sign-up", parent=team)
    hidden_team = make_objective(
        cast,
        cast.manager,
        "Quiet rewrite",
        level=Objective.Level.TEAM,
        team=cast.product,
        parent=c,
        visibility=PRIVATE,
    )
    bob = make_objective(cast, cast.bob, "Rewrite billing", parent=hidden_team)
    secret = make_objective(cast, cast.salesmanager, "Secret deal", visibility=PRIVATE)
    rep = make_objective(cast, cast.rep, "Close five deals", parent=secret)
    loose = make_objective(cast, cast.outsider, "Close the books")
    make_objective(
        cast, cast.skip, "Last quarter", level=Objective.Level.COMPANY, period=LAST_QUARTER
    )
    return {"company": c, "team": team, "alice": alice, "bob": bob, "rep": rep, "loose": loose}


def test_the_tree_runs_from_company_to_team_to_person(
    cast: Cast, company: dict[str, Objective]
) -> None:
    tree = selectors.alignment_tree(cast.viewer(cast.hr), quarter(TODAY), today=TODAY)
    assert shape(tree.roots) == [
        (
            "Win the market",
            [
                ("Quiet rewrite", [("Rewrite billing", [])]),
                ("Ship the app", [("Build sign-up", [])]),
            ],
        )
    ]
    assert shape(tree.unaligned) == [
        ("Close the books", []),
        ("Secret deal", [("Close five deals", [])]),
    ]


def test_a_hidden_parents_children_hang_under_the_nearest_visible_ancestor(
    cast: Cast, company: dict[str, Objective]
) -> None:
    tree = selectors.alignment_tree(cast.viewer(cast.outsider), quarter(TODAY), today=TODAY)
    # The outsider cannot see the private "Quiet rewrite" nor the "Secret deal".
    # Bob's objective moves up to the company objective; team objectives come first.
    assert shape(tree.roots) == [
        ("Win the market", [("Ship the app", [("Build sign-up", [])]), ("Rewrite billing", [])])
    ]
    titles = {title for title, _children in shape(tree.unaligned)}
    assert titles == {"Close five deals", "Close the books"}
    html = cast.client(cast.outsider).get(ALIGNMENT).content.decode()
    assert "Quiet rewrite" not in html
    assert "Secret deal" not in html


def test_the_tree_shows_only_the_chosen_period(cast: Cast, company: dict[str, Objective]) -> None:
    viewer = cast.viewer(cast.hr)
    tree = selectors.alignment_tree(viewer, quarter(LAST_QUARTER[0]), today=TODAY)
    assert shape(tree.roots) == [("Last quarter", [])]


def test_a_cycle_in_the_data_does_not_lose_its_members(
    cast: Cast, company: dict[str, Objective]
) -> None:
    # The services refuse cycles; an import or a hand edit might still make one.
    a, b = company["alice"], company["loose"]
    Objective.objects.filter(pk=a.pk).update(parent=b)
    Objective.objects.filter(pk=b.pk).update(parent=a)
    tree = selectors.alignment_tree(cast.viewer(cast.hr), quarter(TODAY), today=TODAY)
    flat: list[str] = []
    stack = [*tree.roots, *tree.unaligned]
    while stack:
        node = stack.pop()
        flat.append(node.objective.title)
        stack.extend(node.children)
    assert "Build sign-up" in flat and "Close the books" in flat


def test_the_page_shows_the_tree_with_progress_and_status(
    cast: Cast, company: dict[str, Objective]
) -> None:
    response = cast.client(cast.alice).get(ALIGNMENT)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Win the market") < html.index("Ship the app")
    # The personal level is counted under its team objective, not listed, so the page stays
    # small at any size; each one is on the team objective's own page.
    assert "Build sign-up" not in html
    assert "personal objectives aligned" in html or "personal objective aligned" in html
    team_page = cast.client(cast.alice).get(f"/goals/{company['team'].pk}/").content.decode()
    assert "Build sign-up" in team_page
    assert '<progress max="100" value="0"' in html
    assert "On track" in html
    assert "Last quarter" not in html
    last = cast.client(cast.alice).get(ALIGNMENT, {"period": "2026-Q3"}).content.decode()
    assert "Last quarter" in last and "Win the market" not in last


def test_the_tree_takes_the_same_queries_however_many_objectives(
    cast: Cast, company: dict[str, Objective]
) -> None:
    viewer = cast.viewer(cast.outsider)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            selectors.alignment_tree(viewer, quarter(TODAY), today=TODAY)
        return len(queries)

    before = count()
    parent = company["team"]
    for n in range(12):
        objective = make_objective(cast, cast.alice, f"More {n}", parent=parent)
        hidden = make_objective(cast, cast.bob, f"Hidden {n}", visibility=PRIVATE)
        make_objective(cast, cast.bob, f"Below hidden {n}", parent=hidden)
        parent = objective if n % 3 else parent
    assert count() == before <= 3
