"""Key results that existed before they recorded their set-up time are dated from their
first recorded value (or their objective's creation), so their pace is not reset to the
day of the upgrade (migration ``0003_keyresult_created_at``)."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps

from stride.goals.models import KeyResult
from stride.testing import Cast, first_kr, make_objective, record
from stride.testing.clock import QUARTER_START

pytestmark = pytest.mark.clock

migration = importlib.import_module("stride.goals.migrations.0003_keyresult_created_at")


def test_existing_key_results_are_dated_from_their_first_value_or_their_objective(
    cast: Cast,
) -> None:
    objective = make_objective(cast, cast.alice, "Grow")
    with_history = first_kr(objective)
    record(cast, cast.alice, with_history, 5, at=QUARTER_START - timedelta(days=3))
    without = KeyResult.objects.create(objective=objective, title="No history", target=5)
    # As the upgrade finds them: every row dated the day the column was added.
    KeyResult.objects.update(created_at=QUARTER_START + timedelta(days=40))
    migration.backfill(apps, None)
    with_history.refresh_from_db()
    without.refresh_from_db()
    assert with_history.created_at == QUARTER_START - timedelta(days=3)
    assert without.created_at == objective.created_at == QUARTER_START
