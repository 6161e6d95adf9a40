"""Writes of goals: objectives, key results and their values.

Every function validates first, then writes inside one transaction and records the audit
entry there too, so a failure leaves nothing behind. Field errors are raised as
``ValidationError({field: message})`` so forms and the API can name the field."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from stride.access.audit import audit_write, diff
from stride.access.viewer import Viewer
from stride.goals.models import CheckIn, KeyResult, KeyResultUpdate, Objective
from stride.goals.selectors import can_edit_objective, objectives_visible_to
from stride.lib.scoring import VALUE_LIMIT, parse_number
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
# Alignment runs downwards: a team objective may align to a company one, not the reverse.
LEVEL_RANK: dict[str, int] = {
    Objective.Level.COMPANY: 0,
    Objective.Level.TEAM: 1,
    Objective.Level.PERSONAL: 2,
}


def _check_objective(viewer: Viewer, data: dict[str, Any], instance: Objective | None) -> None:
    errors: dict[str, str] = {}
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors["title"] = _("Give the objective a title.")
    elif len(title.strip()) > 200:
        errors["title"] = _("Use at most 200 characters.")
    start, end = data.get("period_start"), data.get("period_end")
    for name, value in (("period_start", start), ("period_end", end)):
        if not isinstance(value, date):
            errors[name] = _("Enter a date.")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["period_end"] = _("The period must end on or after its start.")
    level = data.get("level")
    if level not in Objective.Level.values:
        errors["level"] = _("Level must be one of: %(values)s.") % {
            "values": ", ".join(Objective.Level.values)
        }
    if data.get("visibility") not in Objective.Visibility.values:
        errors["visibility"] = _("Visibility must be one of: %(values)s.") % {
            "values": ", ".join(Objective.Visibility.values)
        }
    if data.get("status") not in Objective.Status.values:
        errors["status"] = _("Status must be one of: %(values)s.") % {
            "values": ", ".join(Objective.Status.values)
        }
    team: Team | None = data.get("team")
    if level == Objective.Level.TEAM and team is None:
        errors["team"] = _("A team objective needs a team.")
    elif (
        level == Objective.Level.TEAM
        and team is not None
        and (instance is None or instance.team_id != team.pk or instance.level != level)
        and not _may_speak_for_team(viewer, data.get("owner") or viewer.person, team)
    ):
        errors["team"] = _(
            "Only members of this team, the managers of its members and HR admins set its "
            "objectives."
        )
    # Setting a company objective is reserved; keeping one you were given is not.
    becomes_company = level == Objective.Level.COMPANY and (
        instance is None or instance.level != Objective.Level.COMPANY
    )
    if becomes_company and not viewer.is_hr_admin and not _is_top_level(viewer):
        errors["level"] = _(
            "Only HR admins and the head of the organisation set company objectives."
        )
    owner: Person | None = data.get("owner")
    owner_changes = instance is None or owner is None or owner.pk != instance.owner_id
    if (
        owner is not None
        and owner_changes
        and not (viewer.is_hr_admin or viewer.is_self_or_manager_of(owner))
    ):
        errors["owner"] = _("You can only set objectives for yourself or people you manage.")
    parent: Objective | None = data.get("parent")
    if parent is not None:
        if level in LEVEL_RANK and LEVEL_RANK[parent.level] > LEVEL_RANK[level]:
            errors["parent"] = _(
                "A %(level)s objective cannot align to a %(parent)s objective: alignment "
                "runs from company to team to personal."
            ) % {
                "level": Objective.Level(level).label.lower(),
                "parent": Objective.Level(parent.level).label.lower(),
            }
        elif instance is not None:
            node: Objective | None = parent
            seen = 0
            while node is not None and seen < 100:
                if node.pk == instance.pk:
                    errors["parent"] = _(
                        "An objective cannot align to itself or to one aligned to it."
                    )
                    break
                node = node.parent
                seen += 1
    if errors:
        raise ValidationError(errors)


def _may_speak_for_team(viewer: Viewer, owner: Person | None, team: Team) -> bool:
    """A team objective is set by HR, by a member of the team for themselves, or by a
    manager of someone in the team."""
    if viewer.is_hr_admin or (owner is not None and owner.team_id == team.pk):
        return True
    return Person.objects.filter(viewer.subtree_q(), team_id=team.pk).exists()


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
            errors["team_id"] = _("No team has id %(id)s.") % {"id": team_id}
    if parent_id is not None:
        out["parent"] = objectives_visible_to(viewer).filter(pk=parent_id).first()
        if out["parent"] is None:
            errors["parent_id"] = _("No objective you can see has id %(id)s.") % {"id": parent_id}
    if owner_id is not None:
        out["owner"] = Person.objects.filter(pk=owner_id).first()
        if out["owner"] is None or not (
            viewer.is_hr_admin or viewer.is_self_or_manager_of(out["owner"])
        ):
            errors["owner_id"] = _("You can only set objectives for yourself or people you manage.")
    if errors:
        raise ValidationError(errors)
    return out


def _prefixed(prefix: str, exc: ValidationError) -> dict[str, list[str]]:
    return {f"{prefix}.{field}": msgs for field, msgs in exc.message_dict.items()}


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
    viewer). Only the owner's own managers and HR admins may create for someone else.

    The objective and every key result are validated before anything is written; errors
    of key result *i* are named ``key_results.i.<field>``. All of it lands, or nothing."""
    me = viewer.require_person()
    owner = owner or me
    data = {
        "title": title,
        "description": description or "",
        "level": level,
        "owner": owner,
        "team": team,
        "parent": parent,
        "period_start": period_start,
        "period_end": period_end,
        "visibility": visibility,
        "status": status,
    }
    errors: dict[str, list[str]] = {}
    try:
        _check_objective(viewer, data, None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for index, kr in enumerate(key_results or []):
        try:
            _check_key_result(kr)
        except ValidationError as exc:
            errors.update(_prefixed(f"key_results.{index}", exc))
    if errors:
        raise ValidationError(errors)
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
        except ValidationError as exc:  # pragma: no cover - checked above; kept as a guard
            raise ValidationError(_prefixed(f"key_results.{index}", exc)) from exc
    return objective


@transaction.atomic
def objective_update(*, viewer: Viewer, objective: Objective, **changes: Any) -> Objective:
    """Change an objective's fields. Unknown fields are refused, not ignored."""
    if not can_edit_objective(viewer, objective):
        raise Http404
    unknown = set(changes) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed.") for name in sorted(unknown)}
        )
    data = {name: getattr(objective, name) for name in OBJECTIVE_FIELDS}
    data.update(changes)
    _check_objective(viewer, data, objective)
    if isinstance(changes.get("title"), str):
        changes["title"] = changes["title"].strip()
    if "description" in changes:
        changes["description"] = changes["description"] or ""
    changed = diff(objective, changes)
    if not changed:
        return objective
    for name, value in changes.items():
        setattr(objective, name, value)
    objective.save()
    audit_write(actor=viewer, action="objective.update", target=objective, changes=changed)
    return objective


@transaction.atomic
def objective_edit(
    *,
    viewer: Viewer,
    objective: Objective,
    changes: dict[str, Any],
    key_results: list[dict[str, Any]],
) -> Objective:
    """Apply one edit of an objective and of its key results, as the goal form sends it.

    ``key_results`` rows carry ``id`` for an existing key result (with ``delete: True`` to
    remove it) or no id for a new one. Every row is tried and every error reported
    (``key_results.i.<field>`` for row *i*); if any fails, nothing of the edit is kept."""
    if not can_edit_objective(viewer, objective):
        raise Http404
    errors: dict[str, list[str]] = {}
    try:
        objective_update(viewer=viewer, objective=objective, **changes)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    existing = {kr.pk: kr for kr in objective.key_results.all()}
    for index, row in enumerate(key_results):
        row = dict(row)
        kr_id, delete = row.pop("id", None), bool(row.pop("delete", False))
        try:
            if kr_id is not None:
                kr = existing.get(kr_id)
                if kr is None:
                    raise ValidationError(
                        {"id": _("This key result is not part of the objective.")}
                    )
                if delete:
                    key_result_delete(viewer=viewer, key_result=kr)
                else:
                    key_result_update(viewer=viewer, key_result=kr, **{"position": index, **row})
            elif not delete:
                key_result_create(viewer=viewer, objective=objective, **{"position": index, **row})
        except ValidationError as exc:
            errors.update(_prefixed(f"key_results.{index}", exc))
    if errors:
        # Raising inside the atomic block rolls back whatever the valid rows wrote.
        raise ValidationError(errors)
    return objective


@transaction.atomic
def objective_delete(*, viewer: Viewer, objective: Objective) -> None:
    """Delete an objective with its key results and their history; objectives aligned to
    it stay, unaligned."""
    if not can_edit_objective(viewer, objective):
        raise Http404
    audit_write(
        actor=viewer,
        action="objective.delete",
        target=objective,
        changes={"title": objective.title, "owner": objective.owner_id},
    )
    objective.delete()


def _decimal(errors: dict[str, str], field: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    number = parse_number(value)
    if number is None:
        errors[field] = _("Enter a number.")
    elif abs(number) >= VALUE_LIMIT:
        errors[field] = _("Enter a finite number below 10^14.")
        return None
    return number


def _check_key_result(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out = dict(data)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors["title"] = _("Give the key result a title.")
    elif len(title.strip()) > 200:
        errors["title"] = _("Use at most 200 characters.")
    kind = data.get("kind") or KeyResult.Kind.NUMBER
    out["kind"] = kind
    if kind not in KeyResult.Kind.values:
        errors["kind"] = _("Kind must be one of: %(values)s.") % {
            "values": ", ".join(KeyResult.Kind.values)
        }
    for field in ("start", "target", "weight", "current"):
        out[field] = _decimal(errors, field, data.get(field))
    if kind == KeyResult.Kind.MILESTONE:
        out["start"], out["target"] = Decimal(0), Decimal(1)
        if out.get("current") not in (None, Decimal(0), Decimal(1)):
            errors["current"] = _("A milestone is either 0 (not yet) or 1 (done).")
    if out.get("target") is None and "target" not in errors:
        errors["target"] = _("Set a target.")
    if out.get("start") is None and "start" not in errors:
        out["start"] = Decimal(0)
    if out.get("weight") is None and "weight" not in errors:
        out["weight"] = Decimal(1)
    elif out.get("weight") is not None and out["weight"] <= 0:
        errors["weight"] = _("The weight must be above zero.")
    elif out.get("weight") is not None and out["weight"] >= Decimal(10000):
        errors["weight"] = _("The weight must be below 10,000.")
    if (
        out.get("target") is not None
        and out.get("start") is not None
        and out["target"] == out["start"]
    ):
        errors["target"] = _("The target must differ from the start value.")
    unit = data.get("unit") or ""
    if not isinstance(unit, str) or len(unit.strip()) > 16:
        errors["unit"] = _("Use at most 16 characters.")
    elif kind == KeyResult.Kind.CURRENCY:
        unit = unit.strip().upper()
        if len(unit) != 3 or not unit.isalpha():
            errors["unit"] = _("Give a three-letter ISO currency code, such as EUR.")
        out["unit"] = unit
    elif kind == KeyResult.Kind.PERCENT:
        out["unit"] = "%"
    else:
        out["unit"] = unit.strip()
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
    target: Any = None,
    start: Any = 0,
    current: Any = None,
    kind: str = KeyResult.Kind.NUMBER,
    unit: str = "",
    weight: Any = 1,
    position: int | None = None,
) -> KeyResult:
    """Add a key result. Its starting value becomes the first entry of its history (and a
    different ``current`` the second), so ``current`` always equals the newest entry."""
    if not can_edit_objective(viewer, objective):
        raise Http404
    data = _check_key_result(
        {
            "title": title,
            "target": target,
            "start": start,
            "current": current,
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
    if data["current"] is not None and data["current"] != kr.start:
        key_result_record_value(viewer=viewer, key_result=kr, value=data["current"])
    return kr


@transaction.atomic
def key_result_update(*, viewer: Viewer, key_result: KeyResult, **changes: Any) -> KeyResult:
    """Change a key result's definition (not its value: see ``key_result_record_value``)."""
    if not can_edit_objective(viewer, key_result.objective):
        raise Http404
    unknown = set(changes) - set(KEY_RESULT_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed here.") for name in sorted(unknown)}
        )
    merged = {name: getattr(key_result, name) for name in KEY_RESULT_FIELDS}
    merged.update(changes)
    data = _check_key_result(merged)
    names = set(changes)
    if data["kind"] == KeyResult.Kind.MILESTONE:
        # A milestone runs from 0 to 1 whatever it was before.
        names |= {"start", "target"}
    if data["kind"] in (KeyResult.Kind.PERCENT, KeyResult.Kind.CURRENCY):
        names.add("unit")
    new = {k: data[k] for k in names if k in KEY_RESULT_FIELDS}
    if "position" in new:
        new["position"] = int(new["position"])
    changed = diff(key_result, new)
    for name, value in new.items():
        setattr(key_result, name, value)
    if changed:
        key_result.save()
        audit_write(actor=viewer, action="key_result.update", target=key_result, changes=changed)
    return key_result


@transaction.atomic
def key_result_delete(*, viewer: Viewer, key_result: KeyResult) -> None:
    """Remove a key result and its history; the objective's progress no longer counts it."""
    if not can_edit_objective(viewer, key_result.objective):
        raise Http404
    audit_write(
        actor=viewer,
        action="key_result.delete",
        target=key_result,
        changes={"title": key_result.title, "objective": key_result.objective_id},
    )
    key_result.delete()


# Clocks drift; a value stamped a little ahead of the server's time is still "now".
FUTURE_SLACK = timedelta(minutes=5)


@transaction.atomic
def key_result_record_value(
    *,
    viewer: Viewer,
    key_result: KeyResult,
    value: Any,
    confidence: int | None = None,
    note: str | None = "",
    checkin: CheckIn | None = None,
    at: datetime | None = None,
) -> KeyResultUpdate:
    """Record a new value for a key result and append it to the history.

    Keeps the invariant ``key_result.current == newest update's value``: a back-dated
    value joins the history without moving ``current``."""
    if not can_edit_objective(viewer, key_result.objective):
        raise Http404
    errors: dict[str, str] = {}
    number = _decimal(errors, "value", value)
    if number is None and "value" not in errors:
        errors["value"] = _("Enter the new value.")
    if confidence is not None:
        try:
            confidence = int(confidence)
        except (TypeError, ValueError):
            confidence = -1
        if not 0 <= confidence <= 10:
            errors["confidence"] = _("Confidence runs from 0 (no chance) to 10 (certain).")
    if key_result.kind == KeyResult.Kind.MILESTONE and number not in (None, Decimal(0), Decimal(1)):
        errors["value"] = _("A milestone is either 0 (not yet) or 1 (done).")
    note = (note or "").strip()
    if len(note) > 5000:
        errors["note"] = _("Use at most 5,000 characters.")
    now = timezone.now()
    if at is not None and timezone.is_naive(at):
        errors["at"] = _("Give the time with its time zone.")
    elif at is not None and at > now + FUTURE_SLACK:
        errors["at"] = _("A value cannot be recorded for the future.")
    if errors:
        raise ValidationError(errors)
    assert number is not None
    when = at or now
    update = KeyResultUpdate.objects.create(
        key_result=key_result,
        value=number,
        confidence=confidence,
        note=note,
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
        changes={
            "value": number,
            "current": [old, key_result.current],
            "confidence": confidence,
            "at": when,
        },
    )
    return update
