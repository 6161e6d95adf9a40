"""Who sees which objective: public, team and private, for every member of the cast."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.http import Http404

from stride.goals import selectors
from stride.goals.models import Objective
from stride.lib.scoring import quarter
from stride.testing import Cast, first_kr, make_objective, record
from stride.testing.clock import QUARTER_START, TODAY

EVERYONE = {"skip", "manager", "alice", "bob", "outsider", "hr", "salesmanager", "rep"}
SEES: dict[str, set[str]] = {
    # The owner, the whole manager chain above her (manager, skip) and HR.
    Objective.Visibility.PRIVATE: {"alice", "manager", "skip", "hr"},
    # ... plus the rest of her team (bob).
    Objective.Visibility.TEAM: {"alice", "manager", "skip", "hr", "bob"},
    Objective.Visibility.PUBLIC: EVERYONE,
}


pytestmark = pytest.mark.clock


@pytest.mark.parametrize("visibility", list(SEES))
@pytest.mark.parametrize("name", sorted(EVERYONE))
def test_each_cast_member_sees_exactly_what_the_visibility_allows(
    cast: Cast, visibility: str, name: str
) -> None:
    objective = make_objective(cast, cast.alice, visibility=visibility)
    viewer = cast.viewer(getattr(cast, name))
    kr = first_kr(objective)
    if name in SEES[visibility]:
        assert selectors.objective_for_viewer(viewer, objective.pk) == objective
        assert selectors.key_result_for_viewer(viewer, kr.pk) == kr
        assert objective in selectors.objectives_visible_to(viewer)
    else:
        with pytest.raises(Http404):
            selectors.objective_for_viewer(viewer, objective.pk)
        with pytest.raises(Http404):
            selectors.key_result_for_viewer(viewer, kr.pk)
        assert objective not in selectors.objectives_visible_to(viewer)


def test_a_team_objective_is_seen_by_that_team_not_by_the_owners_team(cast: Cast) -> None:
    objective = make_objective(
        cast,
        cast.outsider,
        level=Objective.Level.TEAM,
        team=cast.finance,
        visibility=Objective.Visibility.TEAM,
    )
    for name in ("outsider", "skip", "hr"):
        selectors.objective_for_viewer(cast.viewer(getattr(cast, name)), objective.pk)
    for name in ("alice", "manager", "rep"):
        with pytest.raises(Http404):
            selectors.objective_for_viewer(cast.viewer(getattr(cast, name)), objective.pk)


@pytest.mark.parametrize("name", ["manager", "skip", "hr"])
def test_managers_and_hr_may_edit_what_they_see_of_their_reports(cast: Cast, name: str) -> None:
    objective = make_objective(cast, cast.alice, visibility=Objective.Visibility.PRIVATE)
    viewer = cast.viewer(getattr(cast, name))
    assert selectors.objective_for_editor(viewer, objective.pk) == objective


def test_a_peer_who_may_read_may_still_not_edit(cast: Cast) -> None:
    objective = make_objective(cast, cast.alice)
    bob = cast.viewer(cast.bob)
    selectors.objective_for_viewer(bob, objective.pk)
    with pytest.raises(Http404):
        selectors.objective_for_editor(bob, objective.pk)
    with pytest.raises(Http404):
        selectors.key_result_for_editor(bob, first_kr(objective).pk)


def test_a_hidden_parent_is_not_named_in_lists(cast: Cast) -> None:
    secret = make_objective(cast, cast.manager, "Secret", visibility=Objective.Visibility.PRIVATE)
    child = make_objective(cast, cast.alice, "Child", parent=secret, by=cast.manager)
    as_bob = selectors.objectives_listed_for(cast.viewer(cast.bob)).get(pk=child.pk)
    as_alice = selectors.objectives_listed_for(cast.viewer(cast.alice)).get(pk=child.pk)
    as_skip = selectors.objectives_listed_for(cast.viewer(cast.skip)).get(pk=child.pk)
    assert selectors.visible_parent(as_bob) is None
    assert selectors.visible_parent(as_alice) is None  # private to the manager's chain
    assert selectors.visible_parent(as_skip) == secret


def test_history_is_read_in_one_query_and_kept_to_each_period(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    objective = make_objective(cast, cast.alice)
    kr = first_kr(objective)
    record(cast, cast.alice, kr, 20, at=QUARTER_START + timedelta(days=7))
    record(cast, cast.alice, kr, 30, at=QUARTER_START + timedelta(days=14))
    # A value from before the period does not belong in this period's history.
    record(cast, cast.alice, kr, 5, at=QUARTER_START - timedelta(days=10))
    other = make_objective(cast, cast.alice, "Other")
    alice = cast.viewer(cast.alice)
    objectives = list(
        selectors.objectives_of_person(alice, cast.alice, quarter(TODAY), today=TODAY)
    )
    with django_assert_num_queries(1):
        history = selectors.key_result_history(alice, objectives)
    assert [value for _at, value in history[kr.pk]] == [0, 20, 30]
    assert [value for _at, value in history[first_kr(other).pk]] == [0]
