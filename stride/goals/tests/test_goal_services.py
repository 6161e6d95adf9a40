"""Writes of goals: validation that names the field and writes nothing, audit, history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from stride.access.models import AuditEntry
from stride.access.viewer import Viewer
from stride.goals import services
from stride.goals.models import KeyResult, KeyResultUpdate, Objective
from stride.goals.schemas import ObjectiveCreate, ValueRecord
from stride.lib.input import InvalidInput, parse
from stride.testing import Cast, first_kr, make_objective, record, row_counts
from stride.testing.clock import NOW, THIS_QUARTER

pytestmark = pytest.mark.clock


def create(cast: Cast, *, viewer: Viewer | None = None, **overrides: Any) -> Objective:
    """Create as the API and the goal form do: parse ``ObjectiveCreate`` (objects given
    as ``owner``/``team``/``parent`` travel as their ids), then call the service. Schema
    problems are raised as a ``ValidationError`` keyed like the service's."""
    data: dict[str, Any] = {
        "title": "Grow the user base",
        "period_start": THIS_QUARTER[0],
        "period_end": THIS_QUARTER[1],
        "key_results": [{"title": "Active users", "target": 100}],
    }
    for name, value in overrides.items():
        if name in {"owner", "team", "parent"}:
            data[f"{name}_id"] = value.pk if value is not None else None
        else:
            data[name] = value
    viewer = viewer or cast.viewer(cast.alice)
    try:
        parsed = parse(ObjectiveCreate, data)
    except InvalidInput as exc:
        raise ValidationError(
            {".".join(str(part) for part in p.loc): p.msg for p in exc.problems}
        ) from exc
    fields = services.with_refs(viewer, parsed.model_dump(exclude={"key_results"}))
    return services.objective_create(viewer=viewer, **fields, key_results=parsed.key_results)


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- creating ---------------------------------------------------------------------------


def test_creating_an_objective_keeps_its_key_results_and_their_starting_values(
    cast: Cast,
) -> None:
    objective = create(
        cast,
        key_results=[
            {"title": "Active users", "start": 10, "target": 100, "current": 25},
            {"title": "Revenue", "kind": "currency", "unit": "eur", "target": 5000},
        ],
    )
    users, revenue = objective.key_results.order_by("position")
    assert objective.owner == cast.alice
    assert (users.start, users.current) == (Decimal(10), Decimal(25))
    # Starting value, then the current value: both in the history, newest last.
    assert list(users.updates.values_list("value", flat=True)) == [Decimal(10), Decimal(25)]
    assert revenue.unit == "EUR"


def test_creating_writes_an_audit_entry_for_the_objective_and_each_key_result(
    cast: Cast,
) -> None:
    objective = create(cast)
    actions = list(AuditEntry.objects.values_list("action", "actor_id", "target_id"))
    assert ("objective.create", cast.alice.pk, str(objective.pk)) in actions
    assert ("key_result.create", cast.alice.pk, str(first_kr(objective).pk)) in actions


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"period_end": THIS_QUARTER[0] - timedelta(days=1)}, "period_end"),
        ({"level": "galaxy"}, "level"),
        ({"visibility": "everyone"}, "visibility"),
        ({"status": "great"}, "status"),
        ({"level": "team"}, "team_id"),
        ({"level": "company"}, "level"),
        ({"key_results": [{"title": "Users"}]}, "key_results.0.target"),
        ({"key_results": [{"title": "Users", "target": "lots"}]}, "key_results.0.target"),
        ({"key_results": [{"title": "Users", "start": 5, "target": 5}]}, "key_results.0.target"),
        ({"key_results": [{"title": "", "target": 5}]}, "key_results.0.title"),
        (
            {"key_results": [{"title": "Pay", "kind": "currency", "target": 5}]},
            "key_results.0.unit",
        ),
        ({"key_results": [{"title": "Users", "target": 5, "weight": 0}]}, "key_results.0.weight"),
        ({"key_results": [{"title": "Users", "target": 5, "kind": "vibes"}]}, "key_results.0.kind"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    cast: Cast, overrides: dict[str, Any], field: str
) -> None:
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        create(cast, **overrides)
    assert field in errors_of(exc)
    assert row_counts() == before


def test_every_bad_key_result_is_reported_at_once(cast: Cast) -> None:
    # The schema reports every malformed field together …
    with pytest.raises(ValidationError) as exc:
        create(
            cast,
            title="",
            key_results=[{"title": "Fine", "target": 1}, {"title": "", "target": 3}, {"title": ""}],
        )
    assert set(errors_of(exc)) == {"title", "key_results.1.title", "key_results.2.title"}
    # … and the service every broken domain rule together.
    with pytest.raises(ValidationError) as exc:
        create(
            cast,
            key_results=[
                {"title": "Fine", "target": 1},
                {"title": "No target"},
                {"title": "Flat", "start": 3, "target": 3},
            ],
        )
    assert set(errors_of(exc)) == {"key_results.1.target", "key_results.2.target"}
    assert Objective.objects.count() == 0


def test_people_set_objectives_only_for_themselves_and_those_they_manage(cast: Cast) -> None:
    with pytest.raises(ValidationError) as exc:
        create(cast, owner=cast.bob)
    assert "owner_id" in errors_of(exc)
    mine = create(cast, viewer=cast.viewer(cast.manager), owner=cast.bob)
    assert mine.owner == cast.bob
    hrs = create(cast, viewer=cast.viewer(cast.hr), owner=cast.rep)
    assert hrs.owner == cast.rep


def test_company_objectives_are_set_by_the_head_of_the_organisation_or_hr(cast: Cast) -> None:
    for person in (cast.skip, cast.hr):
        objective = create(cast, viewer=cast.viewer(person), level="company")
        assert objective.level == Objective.Level.COMPANY
    with pytest.raises(ValidationError) as exc:
        create(cast, viewer=cast.viewer(cast.manager), level="company")
    assert "level" in errors_of(exc)


def test_alignment_runs_from_company_to_team_to_person(cast: Cast) -> None:
    personal = create(cast)
    with pytest.raises(ValidationError) as exc:
        create(
            cast,
            viewer=cast.viewer(cast.manager),
            level="team",
            team=cast.product,
            parent=personal,
        )
    assert "parent_id" in errors_of(exc)
    company = create(cast, viewer=cast.viewer(cast.skip), level="company")
    team = create(
        cast, viewer=cast.viewer(cast.manager), level="team", team=cast.product, parent=company
    )
    assert team.parent == company


def test_an_objective_cannot_align_to_one_aligned_to_it(cast: Cast) -> None:
    top = create(cast, title="Top")
    below = create(cast, title="Below", parent=top)
    with pytest.raises(ValidationError) as exc:
        services.objective_update(viewer=cast.viewer(cast.alice), objective=top, parent=below)
    assert "parent_id" in errors_of(exc)
    top.refresh_from_db()
    assert top.parent_id is None


# --- changing ---------------------------------------------------------------------------


def test_updating_records_what_changed(cast: Cast) -> None:
    objective = create(cast)
    services.objective_update(
        viewer=cast.viewer(cast.alice), objective=objective, title="Grow faster", status="at_risk"
    )
    entry = AuditEntry.objects.filter(action="objective.update").get()
    assert entry.changes["title"] == ["Grow the user base", "Grow faster"]
    assert entry.changes["status"] == ["on_track", "at_risk"]


def test_unknown_fields_are_refused_not_ignored(cast: Cast) -> None:
    objective = create(cast)
    with pytest.raises(ValidationError) as exc:
        services.objective_update(
            viewer=cast.viewer(cast.alice), objective=objective, created_at=NOW
        )
    assert "created_at" in errors_of(exc)


@pytest.mark.parametrize("name", ["bob", "outsider", "rep"])
def test_only_the_owner_their_managers_and_hr_may_change_an_objective(
    cast: Cast, name: str
) -> None:
    objective = create(cast)
    with pytest.raises(Http404):
        services.objective_update(
            viewer=cast.viewer(getattr(cast, name)), objective=objective, title="Mine now"
        )
    for person in (cast.manager, cast.skip, cast.hr):
        services.objective_update(
            viewer=cast.viewer(person), objective=objective, title=f"Seen by {person.name}"
        )


def test_keeping_a_company_objective_one_was_given_is_allowed(cast: Cast) -> None:
    objective = create(cast, viewer=cast.viewer(cast.hr), level="company", owner=cast.manager)
    services.objective_update(
        viewer=cast.viewer(cast.manager), objective=objective, status="at_risk"
    )
    objective.refresh_from_db()
    assert objective.status == Objective.Status.AT_RISK


def test_an_edit_of_objective_and_key_results_lands_whole_or_not_at_all(cast: Cast) -> None:
    objective = create(
        cast, key_results=[{"title": "Users", "target": 100}, {"title": "Bugs", "target": 5}]
    )
    users, bugs = objective.key_results.order_by("position")
    before = row_counts()
    with pytest.raises(ValidationError) as exc:
        services.objective_edit(
            viewer=cast.viewer(cast.alice),
            objective=objective,
            changes={"title": "Renamed"},
            key_results=[
                {"id": users.pk, "title": "Users", "target": 200},
                {"id": bugs.pk, "delete": True},
                {"title": "New one"},  # no target
            ],
        )
    assert set(errors_of(exc)) == {"key_results.2.target"}
    objective.refresh_from_db()
    users.refresh_from_db()
    assert objective.title == "Grow the user base"
    assert users.target == Decimal(100)
    assert KeyResult.objects.filter(pk=bugs.pk).exists()
    assert row_counts() == before


def test_an_edit_changes_adds_and_removes_key_results(cast: Cast) -> None:
    objective = create(
        cast, key_results=[{"title": "Users", "target": 100}, {"title": "Bugs", "target": 5}]
    )
    users, bugs = objective.key_results.order_by("position")
    services.objective_edit(
        viewer=cast.viewer(cast.alice),
        objective=objective,
        changes={"title": "Renamed"},
        key_results=[
            {"id": users.pk, "title": "Users", "target": 200},
            {"id": bugs.pk, "delete": True},
            {"title": "Revenue", "kind": "currency", "unit": "EUR", "target": 1000},
        ],
    )
    assert [kr.title for kr in objective.key_results.order_by("position")] == [
        "Users",
        "Revenue",
    ]
    users.refresh_from_db()
    assert users.target == Decimal(200)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"objective.update", "key_result.update", "key_result.delete"} <= actions


def test_a_key_result_of_another_objective_cannot_be_edited_through_this_one(
    cast: Cast,
) -> None:
    mine, other = create(cast, title="Mine"), create(cast, title="Other")
    with pytest.raises(ValidationError) as exc:
        services.objective_edit(
            viewer=cast.viewer(cast.alice),
            objective=mine,
            changes={},
            key_results=[{"id": first_kr(other).pk, "title": "Hijack", "target": 1}],
        )
    assert "key_results.0.id" in errors_of(exc)


def test_deleting_an_objective_leaves_its_children_unaligned(cast: Cast) -> None:
    parent = create(cast, title="Parent")
    child = create(cast, title="Child", parent=parent)
    services.objective_delete(viewer=cast.viewer(cast.alice), objective=parent)
    child.refresh_from_db()
    assert child.parent_id is None
    assert AuditEntry.objects.filter(action="objective.delete").count() == 1


def test_turning_a_key_result_into_a_milestone_makes_it_run_from_0_to_1(cast: Cast) -> None:
    kr = first_kr(create(cast))
    services.key_result_update(viewer=cast.viewer(cast.alice), key_result=kr, kind="milestone")
    kr.refresh_from_db()
    assert (kr.start, kr.target) == (Decimal(0), Decimal(1))


# --- values -----------------------------------------------------------------------------


def test_every_value_is_kept_and_current_is_the_newest(cast: Cast) -> None:
    objective = make_objective(cast, cast.alice)
    kr = first_kr(objective)
    for days, value in ((7, 10), (14, 25), (21, 20)):
        record(cast, cast.alice, kr, value, at=NOW - timedelta(days=28 - days), confidence=6)
    kr.refresh_from_db()
    assert kr.current == Decimal(20)
    values = list(kr.updates.order_by("at").values_list("value", flat=True))
    assert values == [Decimal(0), Decimal(10), Decimal(25), Decimal(20)]
    assert AuditEntry.objects.filter(action="key_result.record_value").count() == 3


def test_a_back_dated_value_joins_the_history_without_moving_current(cast: Cast) -> None:
    objective = make_objective(cast, cast.alice)
    kr = first_kr(objective)
    record(cast, cast.alice, kr, 40)
    record(cast, cast.alice, kr, 15, at=NOW - timedelta(days=20))
    kr.refresh_from_db()
    assert kr.current == Decimal(40)
    assert kr.updates.count() == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"value": "abc"}, "value"),
        ({"value": None}, "value"),
        ({"value": "1e20"}, "value"),
        ({"value": 5, "confidence": 11}, "confidence"),
        ({"value": 5, "confidence": "sure"}, "confidence"),
    ],
)
def test_a_bad_value_is_refused_by_its_schema_naming_the_field(
    kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse(ValueRecord, kwargs)
    assert (field,) in [p.loc for p in exc.value.problems]


def test_a_milestone_is_either_done_or_not(cast: Cast) -> None:
    objective = make_objective(
        cast, cast.alice, key_results=[{"title": "Launch", "kind": "milestone"}]
    )
    with pytest.raises(ValidationError) as exc:
        record(cast, cast.alice, first_kr(objective), 0.5)
    assert "value" in errors_of(exc)


def test_peers_cannot_record_values_on_someone_elses_key_result(cast: Cast) -> None:
    kr = first_kr(make_objective(cast, cast.alice))
    with pytest.raises(Http404):
        record(cast, cast.bob, kr, 50)
    assert KeyResultUpdate.objects.filter(key_result=kr).count() == 1


def test_nobody_outside_a_team_sets_its_team_objectives(cast: Cast) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_objective(
            cast, cast.outsider, "Product must do X", level=Objective.Level.TEAM, team=cast.product
        )
    assert "team_id" in error.value.message_dict
    assert not Objective.objects.filter(title="Product must do X").exists()


def test_members_and_managers_of_a_team_set_its_objectives(cast: Cast) -> None:
    mine = make_objective(
        cast, cast.alice, "Faster builds", level=Objective.Level.TEAM, team=cast.product
    )
    theirs = make_objective(
        cast, cast.salesmanager, "Product demo kit", level=Objective.Level.TEAM, team=cast.sales
    )
    assert mine.team == cast.product and theirs.team == cast.sales
