"""Writes of goals: objectives, key results and their values.

Input arrives parsed by the operation's schema (``goals.schemas``: lengths, ranges, dates,
number formats); these functions keep the rules that need the database or the viewer —
ownership, alignment, team rules, milestones. Every function checks first, then writes
inside one transaction and records the audit entry there too, so a failure leaves nothing
behind. Field errors are raised as ``ValidationError({field: message})`` (nested fields as
``key_results.1.target``) so forms and the API can name the field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
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
from stride.goals.schemas import FUTURE_SLACK, KeyResultCreate
from stride.goals.selectors import (
    can_edit_objective,
    may_set_company_objectives,
    objectives_visible_to,
)
from stride.lib.input import parse_items
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
    """The domain rules of an objective's fields, on the values it will have (for an
    edit: the stored ones merged with the changes)."""
    errors: dict[str, str] = {}
    start, end = data.get("period_start"), data.get("period_end")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["period_end"] = _("The period must end on or after its start.")
    level = data.get("level")
    team: Team | None = data.get("team")
    if level == Objective.Level.TEAM and team is None:
        errors["team_id"] = _("A team objective needs a team.")
    elif (
        level == Objective.Level.TEAM
        and team is not None
        and (instance is None or instance.team_id != team.pk or instance.level != level)
        and not _may_speak_for_team(viewer, data.get("owner") or viewer.person, team)
    ):
        errors["team_id"] = _(
            "Only members of this team, the managers of its members and HR admins set its "
            "objectives."
        )
    # Setting a company objective is reserved; keeping one you were given is not.
    becomes_company = level == Objective.Level.COMPANY and (
        instance is None or instance.level != Objective.Level.COMPANY
    )
    if becomes_company and not may_set_company_objectives(viewer):
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
        errors["owner_id"] = _("You can only set objectives for yourself or people you manage.")
    parent: Objective | None = data.get("parent")
    if parent is not None:
        if level in LEVEL_RANK and LEVEL_RANK[parent.level] > LEVEL_RANK[level]:
            errors["parent_id"] = _(
                "A %(level)s objective cannot align to a %(parent)s objective: alignment "
                "runs from company to team to personal."
            ) % {
                "level": Objective.Level(level).label.lower(),
                "parent": Objective.Level(parent.level).label.lower(),
            }
        elif (instance is None or parent.pk != instance.parent_id) and not _may_align_to(
            owner or viewer.person, parent, data
        ):
            errors["parent_id"] = _(
                "Align to a company or team objective, or to your own or one of your "
                "managers' objectives, whose period overlaps this one."
            )
        if "parent_id" not in errors and instance is not None:
            node: Objective | None = parent
            seen = 0
            while node is not None and seen < 100:
                if node.pk == instance.pk:
                    errors["parent_id"] = _(
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


def _may_align_to(owner: Person | None, parent: Objective, data: dict[str, Any]) -> bool:
    """What an objective may align to (the parent is one the viewer may see): a company
    or team objective, or a personal objective of its owner or of one of the owner's
    managers — never another colleague's — whose period overlaps this one's. The goal
    form offers the ones whose period has not ended (``selectors.parent_choices``); any
    other input meets this rule."""
    by_level = parent.level != Objective.Level.PERSONAL or (
        owner is not None and parent.owner_id in (*owner.ancestor_ids, owner.pk)
    )
    start, end = data.get("period_start"), data.get("period_end")
    overlaps = not (
        isinstance(start, date)
        and isinstance(end, date)
        and (parent.period_end < start or parent.period_start > end)
    )
    return by_level and overlaps


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


def with_refs(viewer: Viewer, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` as a schema gives them (``team_id``, ``parent_id``, ``owner_id``) with
    the ids swapped for the objects the viewer may use; a null team or parent unsets it.
    Unknown or unusable ids are field errors."""
    refs = ("team_id", "parent_id", "owner_id")
    out = {k: v for k, v in fields.items() if k not in refs}
    ids = {k: fields[k] for k in refs if fields.get(k) is not None}
    out.update(resolve_refs(viewer, **ids))
    for name in ("team_id", "parent_id"):
        if name in fields and fields[name] is None:
            out[name.removesuffix("_id")] = None
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
    key_results: Sequence[KeyResultCreate | Mapping[str, Any]] = (),
) -> Objective:
    """Create an objective (with optional key results) owned by ``owner`` (default: the
    viewer). Only the owner's own managers and HR admins may create for someone else.

    The objective and every key result are validated before anything is written; errors
    of key result *i* are named ``key_results.i.<field>``. All of it lands, or nothing.
    Key results given as mappings (by code, not by a page or the API) are parsed by
    ``KeyResultCreate`` first, so they meet the same rules."""
    me = viewer.require_person()
    key_results = parse_items(KeyResultCreate, key_results, field="key_results")
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
    for index, kr in enumerate(key_results):
        try:
            _check_key_result(kr.model_dump())
        except ValidationError as exc:
            errors.update(_prefixed(f"key_results.{index}", exc))
    if errors:
        raise ValidationError(errors)
    objective = Objective.objects.create(**data)
    audit_write(
        actor=viewer,
        action="objective.create",
        target=objective,
        changes={k: v for k, v in data.items() if v not in (None, "")},
    )
    for index, kr in enumerate(key_results):
        try:
            key_result_create(
                viewer=viewer, objective=objective, **{"position": index, **kr.model_dump()}
            )
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


def _check_key_result(data: dict[str, Any]) -> dict[str, Any]:
    """The rules of a key result that depend on its kind (the schema checked each field's
    shape): a milestone runs from 0 to 1; others need a target that differs from the
    start; a currency names its ISO code; a percentage's unit is "%". Returns the values
    to store, defaults filled in."""
    errors: dict[str, str] = {}
    out = dict(data)
    kind = data.get("kind") or KeyResult.Kind.NUMBER
    out["kind"] = kind
    if kind == KeyResult.Kind.MILESTONE:
        out["start"], out["target"] = Decimal(0), Decimal(1)
        if out.get("current") not in (None, Decimal(0), Decimal(1)):
            errors["current"] = _("A milestone is either 0 (not yet) or 1 (done).")
    if out.get("target") is None:
        errors["target"] = _("Set a target.")
    if out.get("start") is None:
        out["start"] = Decimal(0)
    if out.get("weight") is None:
        out["weight"] = Decimal(1)
    if out.get("target") is not None and out["target"] == out["start"]:
        errors["target"] = _("The target must differ from the start value.")
    unit = (data.get("unit") or "").strip()
    if kind == KeyResult.Kind.CURRENCY:
        unit = unit.upper()
        if len(unit) != 3 or not unit.isalpha():
            errors["unit"] = _("Give a three-letter ISO currency code, such as EUR.")
    elif kind == KeyResult.Kind.PERCENT:
        unit = "%"
    out["unit"] = unit
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def key_result_create(
    *,
    viewer: Viewer,
    objective: Objective,
    title: str,
    target: Decimal | None = None,
    start: Decimal | None = None,
    current: Decimal | None = None,
    kind: str = KeyResult.Kind.NUMBER,
    unit: str = "",
    weight: Decimal = Decimal(1),
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
    # Set up now: pace is measured from this moment, which is also the start value's.
    now = timezone.now()
    kr = KeyResult.objects.create(
        objective=objective,
        position=position,
        current=data["start"],
        created_at=now,
        **{k: data[k] for k in ("title", "kind", "unit", "start", "target", "weight")},
    )
    KeyResultUpdate.objects.create(key_result=kr, value=kr.start, author=viewer.person, at=now)
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


@transaction.atomic
def key_result_record_value(
    *,
    viewer: Viewer,
    key_result: KeyResult,
    value: Decimal,
    confidence: int | None = None,
    note: str = "",
    checkin: CheckIn | None = None,
    at: datetime | None = None,
) -> KeyResultUpdate:
    """Record a new value for a key result and append it to the history (the value's
    shape, the confidence's range, the note's length and ``at`` not being in the future
    were checked by ``ValueRecord``; a milestone's value is 0 or 1).

    Keeps the invariant ``key_result.current == newest update's value``: a back-dated
    value joins the history without moving ``current``."""
    if not can_edit_objective(viewer, key_result.objective):
        raise Http404
    if key_result.kind == KeyResult.Kind.MILESTONE and value not in (Decimal(0), Decimal(1)):
        raise ValidationError({"value": _("A milestone is either 0 (not yet) or 1 (done).")})
    number = value
    now = timezone.now()
    if at is not None and at > now + FUTURE_SLACK:
        raise ValidationError({"at": _("A value cannot be recorded for the future.")})
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
