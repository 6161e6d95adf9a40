"""Writes of the development plan: the person and their current managers keep it.

Each write checks who asks (404 for anyone else, as the selectors answer), keeps the rule
that an item's cycle is one of the person's reviews the writer may see (409), and writes
in one transaction with its audit entry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from stride.access.audit import audit_write, diff
from stride.access.viewer import Viewer
from stride.org.models import Person
from stride.reviews.growth.selectors import GrowthAccess, visible_participations
from stride.reviews.models import DevelopmentItem, ReviewCycle

FIELDS = ("growth_area", "actions", "due_on", "status")


def _require_keeper(viewer: Viewer, person: Person) -> None:
    if not viewer.is_self_or_manager_of(person):
        raise Http404


def _cycle(viewer: Viewer, person: Person, cycle_id: int | None) -> ReviewCycle | None:
    if cycle_id is None:
        return None
    access = GrowthAccess(
        person=person,
        is_self=viewer.person_id == person.pk,
        manages=viewer.person_id != person.pk and viewer.manages(person),
    )
    found = visible_participations(viewer, access).filter(cycle_id=cycle_id).first()
    if found is None:
        raise ValidationError(
            {"cycle_id": _("Choose one of %(name)s's review cycles.") % {"name": person.name}}
        )
    return found.cycle


@transaction.atomic
def development_item_create(
    *,
    viewer: Viewer,
    person: Person,
    growth_area: str,
    actions: str = "",
    due_on: date | None = None,
    status: str = DevelopmentItem.Status.NOT_STARTED,
    cycle_id: int | None = None,
) -> DevelopmentItem:
    _require_keeper(viewer, person)
    item = DevelopmentItem.objects.create(
        person=person,
        cycle=_cycle(viewer, person, cycle_id),
        growth_area=growth_area,
        actions=actions,
        due_on=due_on,
        status=status,
        created_by=viewer.person,
    )
    audit_write(
        actor=viewer,
        action="development_item.create",
        target=item,
        changes={
            "person": person.pk,
            "cycle": cycle_id,
            **{name: getattr(item, name) for name in FIELDS},
        },
    )
    return item


@transaction.atomic
def development_item_update(
    *, viewer: Viewer, item: DevelopmentItem, **changes: Any
) -> DevelopmentItem:
    """Change the fields given (the others stay); ``cycle_id`` None clears the cycle."""
    _require_keeper(viewer, item.person)
    data = {name: changes[name] for name in FIELDS if name in changes}
    if "cycle_id" in changes:
        cycle = _cycle(viewer, item.person, changes["cycle_id"])
        data["cycle_id"] = cycle.pk if cycle else None
    changed = diff(item, data)
    if not changed:
        return item
    for name, (_old, new) in changed.items():
        setattr(item, name, new)
    item.save()
    audit_write(actor=viewer, action="development_item.update", target=item, changes=changed)
    return item


@transaction.atomic
def development_item_delete(*, viewer: Viewer, item: DevelopmentItem) -> None:
    _require_keeper(viewer, item.person)
    audit_write(
        actor=viewer,
        action="development_item.delete",
        target=item,
        changes={"person": item.person_id, "growth_area": item.growth_area},
    )
    item.delete()
