"""Scoring as the stored objectives see it: weights, decreasing targets, achieved/missed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from stride.goals.models import Objective
from stride.testing import Cast, make_objective, record
from stride.testing.clock import LAST_QUARTER, TODAY

pytestmark = pytest.mark.clock


def test_objective_progress_is_the_weighted_mean_of_its_key_results(cast: Cast) -> None:
    objective = make_objective(
        cast,
        cast.alice,
        key_results=[
            {"title": "Signed customers", "start": 0, "target": 10, "weight": 3},
            {"title": "Open bugs", "start": 50, "target": 10, "weight": 1},
        ],
    )
    customers, bugs = objective.key_results.order_by("position")
    record(cast, cast.alice, customers, 10)  # done
    record(cast, cast.alice, bugs, 30)  # half-way down
    objective.refresh_from_db()
    assert objective.progress() == pytest.approx((3 * 1.0 + 1 * 0.5) / 4)


def test_a_decreasing_key_result_shows_its_direction(cast: Cast) -> None:
    objective = make_objective(
        cast, cast.alice, key_results=[{"title": "Churn", "start": 8, "target": 3}]
    )
    kr = objective.key_results.get()
    assert kr.direction == "decreasing"
    record(cast, cast.alice, kr, 4)
    kr.refresh_from_db()
    assert kr.progress() == pytest.approx(0.8)


def test_a_goal_whose_period_ended_unreached_is_missed(cast: Cast) -> None:
    objective = make_objective(cast, cast.alice, period=LAST_QUARTER, created_at=None)
    assert objective.effective_status(TODAY) == Objective.Status.MISSED
    # ... even though its owner last said it was on track.
    assert objective.status == Objective.Status.ON_TRACK


def test_a_reached_goal_is_achieved_in_or_after_its_period(cast: Cast) -> None:
    objective = make_objective(cast, cast.alice, period=LAST_QUARTER, created_at=None)
    record(cast, cast.alice, objective.key_results.get(), 100)
    objective.refresh_from_db()
    assert objective.effective_status(TODAY) == Objective.Status.ACHIEVED
    assert objective.effective_status(date(2026, 2, 1)) == Objective.Status.ACHIEVED


def test_a_running_goal_shows_the_owners_reading(cast: Cast) -> None:
    objective = make_objective(cast, cast.alice, status=Objective.Status.AT_RISK)
    assert objective.effective_status(TODAY) == Objective.Status.AT_RISK
    assert objective.effective_status(TODAY + timedelta(days=60)) == Objective.Status.MISSED


def test_a_milestone_is_nothing_until_done(cast: Cast) -> None:
    objective = make_objective(
        cast, cast.alice, key_results=[{"title": "Launch", "kind": "milestone"}]
    )
    kr = objective.key_results.get()
    assert (kr.start, kr.target) == (Decimal(0), Decimal(1))
    assert kr.progress() == 0.0
    record(cast, cast.alice, kr, 1)
    kr.refresh_from_db()
    assert kr.progress() == 1.0
