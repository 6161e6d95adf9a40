"""Input schemas of the goal operations: one per write, used by the API and the pages.

Each is built from ``stride.lib.fields``, so a limit is written once and stated in the
OpenAPI document. The services receive parsed values and keep only the rules that need
the database or the viewer (ownership, alignment, milestones, permissions).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from stride.lib.fields import (
    Amount,
    Confidence,
    Day,
    Id,
    LongText,
    Moment,
    Note,
    PatchSchema,
    Position,
    Title,
    Unit,
    Weight,
    unset,
)

Level = Literal["company", "team", "personal"]
Visibility = Literal["public", "team", "private"]
StatusValue = Literal["on_track", "at_risk", "off_track", "achieved", "missed"]
Kind = Literal["number", "percent", "currency", "milestone"]

MAX_KEY_RESULTS = 20
# Clocks drift; a value stamped a little ahead of the server's time is still "now".
FUTURE_SLACK = timedelta(minutes=5)


class KeyResultCreate(Schema):
    """A new key result. Its start value (default 0) becomes the first entry of its
    history; a different ``current`` the second."""

    title: Title
    kind: Kind = "number"
    unit: Unit = ""
    start: Amount | None = Field(default=None, description="Default 0.")
    target: Amount | None = Field(
        default=None, description="Required except for milestones (which run from 0 to 1)."
    )
    current: Amount | None = Field(
        default=None, description="Where it stands now, if not at start."
    )
    weight: Weight = Field(default=Decimal(1), json_schema_extra={"default": 1})


class KeyResultChange(PatchSchema):
    """Send only the fields to change. A new value goes to ``…/updates`` instead."""

    title: Title = unset()
    kind: Kind = unset()
    unit: Unit = unset()
    start: Amount = unset()
    target: Amount = unset()
    weight: Weight = unset()
    position: Position = unset()


class ObjectiveCreate(Schema):
    """A new objective, with its key results: created whole or not at all."""

    title: Title
    description: LongText = ""
    level: Level = "personal"
    team_id: Id | None = Field(default=None, description="Needed for team objectives.")
    parent_id: Id | None = Field(default=None, description="Align to this objective.")
    owner_id: Id | None = Field(
        default=None, description="Yourself by default; managers and HR admins may set others."
    )
    period_start: Day
    period_end: Day
    visibility: Visibility = "public"
    status: StatusValue = "on_track"
    key_results: list[KeyResultCreate] = Field(default_factory=list, max_length=MAX_KEY_RESULTS)


class ObjectiveChange(PatchSchema):
    """Send only the fields to change; ``parent_id`` and ``team_id`` may be null (unset)."""

    title: Title = unset()
    description: LongText = unset()
    level: Level = unset()
    team_id: Id | None = None
    parent_id: Id | None = None
    owner_id: Id = unset()
    period_start: Day = unset()
    period_end: Day = unset()
    visibility: Visibility = unset()
    status: StatusValue = unset()


class ValueRecord(Schema):
    """A new value of a key result, appended to its history."""

    value: Amount
    confidence: Confidence | None = None
    note: Note = ""
    at: Moment | None = Field(
        default=None,
        description="When the value was true (default now); a moment in the future is "
        "refused with 409.",
    )
