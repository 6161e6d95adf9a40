"""Writes of goals: objectives, key results and their values.

Every function validates first, then writes inside one transaction and records the audit
entry there too, so a failure leaves nothing behind. Field errors are raised as
``ValidationError({field: message})`` so forms and the API can name the field."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from stride.access.audit import audit_write, diff
from stride.access.viewer import Viewer
from stride.goals.models import CheckIn, KeyResult, KeyResultUpdate, Objective
from stride.goals.selectors import can_edit_objective, objectives_visible_to
from stride.org.models import Person, Team

OBJECTIVE_FIELDS = (
    "title",
    "description",
    "level",
    "team",
    "parent",
    "period_start",
    "period_end",
    "visibility",
    "status",
    "owner",
)
KEY_RESULT_FIELDS = ("title", "kind", "unit", "start", "target", "weight", "position")


def _require_person(viewer: Viewer) -> Person:
    if viewer.person is None:
        raise Http404
    return viewer.person


def _check_objective(viewer: Viewer, data: dict[str, Any], instance: Objective | None) -> None:
    errors: dict[str, str] = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = "Give the objective a title."
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        errors["period_end"] = "The period must end on or after its start."
    level = data.get("level")
    if level not in Objective.Level.values:
        errors["level"] = f"Level must be one of: {', '.join(Objective.Level.values)}."
    if data.get("visibility") not in Objective.Visibility.values:
        errors["visibility"] = (
            f"Visibility must be one of: {', '.join(Objective.Visibility.values)}."
        )
    if data.get("status") not in Objective.Status.values:
        errors["status"] = f"Status must be one of: {', '.join(Objective.Status.values)}."
    if level == Objective.Level.TEAM and data.get("team") is None:
        errors["team"] = "A team objective needs a team."
    if level == Objective.Level.COMPANY and not viewer.is_hr_admin and not _is_top_level(viewer):
        errors["level"] = "Only HR admins and the head of the organisation set company objectives."
    owner: Person | None = data.get("owner")
    if owner is not None and not (viewer.is_hr_admin or viewer.is_self_or_manager_of(owner)):
        errors["owner"] = "You can only set objectives for yourself or people you manage."
    parent: Objective | None = data.get("parent")
    if parent is not None and instance is not None:
        node: Objective | None = parent
        seen = 0
        while node is not None and seen < 100:
            if node.pk == instance.pk:
                errors["parent"] = "An objective cannot align to itself or to one aligned to it."
                break
            node = node.parent
            seen += 1
    if errors:
        raise ValidationError(errors)


def _is_top_level(viewer: Viewer) -> bool:
    return viewer.person is not None and viewer.person.manager_id is None


def resolve_refs(
    viewer: Viewer,
    *,
    team_id: int | None = None,
    parent_id: int | None = None,
    owner_id: int | None = None,
) -> dict[str, Any]:
    """Turn ids from a form or the API into objects the viewer may use, or field errors."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if team_id is not None:
        out["team"] = Team.objects.filter(pk=team_id).first()
        if out["team"] is None:
            errors["team_id"] = f"No team has id {team_id}."
    if parent_id is not None:
        out["parent"] = objectives_visible_to(viewer).filter(pk=parent_id).first()
        if out["parent"] is None:
            errors["parent_id"] = f"No objective you can see has id {parent_id}."
    if owner_id is not None:
        out["owner"] = Person.objects.filter(pk=owner_id).first()
        if out["owner"] is None or not (
            viewer.is_hr_admin or viewer.is_self_or_manager_of(out["owner"])
        ):
            errors["owner_id"] = "You can only set objectives for yourself or people you manage."
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def objective_create(
    *,
    viewer: Viewer,
    title: str,
    period_start: date,
    period_end: date,
    description: str = "",
    level: str = Objective.Level.PERSONAL,
    owner: Person | None = None,
    team: Team | None = None,
    parent: Objective | None = None,
    visibility: str = Objective.Visibility.PUBLIC,
    status: str = Objective.Status.ON_TRACK,
    key_results: list[dict[str, Any]] | None = None,
) -> Objective:
    """Create an objective (with optional key results) owned by ``owner`` (default: the
    viewer). Only the owner's own managers and HR admins may create for someone else."""
    me = _require_person(viewer)
    owner = owner or me
    data = {
        "title": title,
        "description": description,
        "level": level,
        "owner": owner,
        "team": team,
        "parent": parent,
        "period_start": period_start,
        "period_end": period_end,
        "visibility": visibility,
        "status": status,
    }
    _check_objective(viewer, data, None)
    objective = Objective.objects.create(**{**data, "title": title.strip()})
    audit_write(
        actor=viewer,
        action="objective.create",
        target=objective,
        changes={k: v for k, v in data.items() if v not in (None, "")},
    )
    for index, kr in enumerate(key_results or []):
        try:
            key_result_create(viewer=viewer, objective=objective, **{"position": index, **kr})
        except ValidationError as exc:
            raise ValidationError(
                {f"key_results.{index}.{field}": msgs for field, msgs in exc.message_dict.items()}
            ) from exc
    return objective


@transaction.atomic
def objective_update(*, viewer: Viewer, objective: Objective, **changes: Any) -> Objective:
    """Change an objective's fields. Unknown fields are refused, not ignored."""
    if not can_edit_objective(viewer, objective):
        raise Http404
    unknown = set(changes) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in sorted(unknown)})
    data = {name: getattr(objective, name) for name in OBJECTIVE_FIELDS}
    data.update(changes)
    _check_objective(viewer, data, objective)
    changed = diff(objective, changes)
    if not changed:
        return objective
    for name, value in changes.items():
        setattr(objective, name, value.strip() if name == "title" else value)
    objective.save()
    audit_write(actor=viewer, action="objective.update", target=objective, changes=changed)
    return objective


@transaction.atomic
def objective_delete(*, viewer: Viewer, objective: Objective) -> None:
    if not can_edit_objective(viewer, objective):
        raise Http404
    audit_write(
        actor=viewer,
        action="objective.delete",
        target=objective,
        changes={"title": objective.title},
    )
    objective.delete()


def _decimal(errors: dict[str, str], field: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = "Enter a number."
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e14"):
        errors[field] = "Enter a finite number below 10^14."
        return None
    return number


def _check_key_result(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out = dict(data)
    if not (data.get("title") or "").strip():
        errors["title"] = "Give the key result a title."
    kind = data.get("kind", KeyResult.Kind.NUMBER)
    if kind not in KeyResult.Kind.values:
        errors["kind"] = f"Kind must be one of: {', '.join(KeyResult.Kind.values)}."
    for field in ("start", "target", "weight"):
        out[field] = _decimal(errors, field, data.get(field))
    if kind == KeyResult.Kind.MILESTONE:
        out["start"], out["target"] = Decimal(0), Decimal(1)
    if out.get("target") is None and "target" not in errors:
        errors["target"] = "Set a target."
    if out.get("start") is None and "start" not in errors:
        out["start"] = Decimal(0)
    if out.get("weight") is None and "weight" not in errors:
        out["weight"] = Decimal(1)
    elif out.get("weight") is not None and out["weight"] <= 0:
        errors["weight"] = "The weight must be above zero."
    if (
        out.get("target") is not None
        and out.get("start") is not None
        and out["target"] == out["start"]
    ):
        errors["target"] = "The target must differ from the start value."
    if kind == KeyResult.Kind.CURRENCY:
        unit = (data.get("unit") or "").strip().upper()
        if len(unit) != 3 or not unit.isalpha():
            errors["unit"] = "Give a three-letter ISO currency code, such as EUR."
        out["unit"] = unit
    elif kind == KeyResult.Kind.PERCENT:
        out["unit"] = "%"
    if errors:
        raise ValidationError(errors)
    out["title"] = data["title"].strip()
    return out


@transaction.atomic
def key_result_create(
    *,
    viewer: Viewer,
    objective: Objective,
    title: str,
    target: Any,
    start: Any = 0,
    current: Any = None,
    kind: str = KeyResult.Kind.NUMBER,
    unit: str = "",
    weight: Any = 1,
    position: int | None = None,
) -> KeyResult:
    """Add a key result. Its starting value becomes the first entry of its history."""
    if not can_edit_objective(viewer, objective):
        raise Http404
    data = _check_key_result(
        {
            "title": title,
            "target": target,
            "start": start,
            "kind": kind,
            "unit": unit,
            "weight": weight,
        }
    )
    if position is None:
        position = objective.key_results.count()
    kr = KeyResult.objects.create(
        objective=objective,
        position=position,
        current=data["start"],
        **{k: data[k] for k in ("title", "kind", "unit", "start", "target", "weight")},
    )
    KeyResultUpdate.objects.create(
        key_result=kr, value=kr.start, author=viewer.person, at=timezone.now()
    )
    audit_write(
        actor=viewer,
        action="key_result.create",
        target=kr,
        changes={k: data[k] for k in ("title", "kind", "start", "target", "weight")},
    )
    if current is not None and Decimal(str(current)) != kr.start:
        key_result_record_value(viewer=viewer, key_result=kr, value=current)
    return kr


@transaction.atomic
def key_result_update(*, viewer: Viewer, key_result: KeyResult, **changes: Any) -> KeyResult:
    """Change a key result's definition (not its value: see ``key_result_record_value``)."""
    if not can_edit_objective(viewer, key_result.objective):
        raise Http404
    unknown = set(changes) - set(KEY_RESULT_FIELDS)
    if unknown:
        raise ValidationError(
            {name: "This field cannot be changed here." for name in sorted(unknown)}
        )
    merged = {name: getattr(key_result, name) for name in KEY_RESULT_FIELDS}
    merged.update(changes)
    data = _check_key_result(merged)
    new = {k: data[k] for k in changes}
    changed = diff(key_result, new)
    for name, value in new.items():
        setattr(key_result, name, value)
    if changed:
        key_result.save()
        audit_write(actor=viewer, action="key_result.update", target=key_result, changes=changed)
    return key_result


@transaction.atomic
def key_result_record_value(
    *,
    viewer: Viewer,
    key_result: KeyResult,
    value: Any,
    confidence: int | None = None,
    note: str = "",
    checkin: CheckIn | None = None,
    at: datetime | None = None,
) -> KeyResultUpdate:
    """Record a new value for a key result and append it to the history.

    Keeps the invariant ``key_result.current == newest update's value``."""
    if not can_edit_objective(viewer, key_result.objective):
        raise Http404
    errors: dict[str, str] = {}
    number = _decimal(errors, "value", value)
    if number is None and "value" not in errors:
        errors["value"] = "Enter the new value."
    if confidence is not None and not (0 <= int(confidence) <= 10):
        errors["confidence"] = "Confidence runs from 0 (no chance) to 10 (certain)."
    if key_result.kind == KeyResult.Kind.MILESTONE and number not in (None, Decimal(0), Decimal(1)):
        errors["value"] = "A milestone is either 0 (not yet) or 1 (done)."
    if errors:
        raise ValidationError(errors)
    assert number is not None
    when = at or timezone.now()
    update = KeyResultUpdate.objects.create(
        key_result=key_result,
        value=number,
        confidence=confidence,
        note=note.strip(),
        author=viewer.person,
        checkin=checkin,
        at=when,
    )
    old = key_result.current
    # Only move ``current`` when this is the newest entry (back-filled history keeps it).
    newest = key_result.updates.order_by("-at", "-id").values_list("pk", flat=True).first()
    if newest == update.pk:
        key_result.current = number
        key_result.save(update_fields=["current"])
    audit_write(
        actor=viewer,
        action="key_result.record_value",
        target=key_result,
        changes={"current": [old, number], "confidence": confidence},
    )
    return update
