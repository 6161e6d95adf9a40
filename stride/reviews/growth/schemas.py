"""Input of the development plan's writes, shared by the growth page and the API."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field

from stride.lib.fields import Day, Id, LongText, PatchSchema, Title, unset

DevelopmentStatus = Literal["not_started", "in_progress", "done", "dropped"]


class DevelopmentItemIn(Schema):
    """An item of a person's development plan. ``cycle_id`` names the review it came out
    of: one of the person's cycles the caller may see (409 otherwise)."""

    growth_area: Title = Field(description="What to grow in: 1 to 200 characters.")
    actions: LongText = ""
    due_on: Day | None = None
    status: DevelopmentStatus = "not_started"
    cycle_id: Id | None = None


class DevelopmentItemChange(PatchSchema):
    """A change to an item: only the fields sent change; ``due_on`` and ``cycle_id`` may
    be sent as null to clear them."""

    growth_area: Title = unset()
    actions: LongText = unset()
    due_on: Day | None = None
    status: DevelopmentStatus = unset()
    cycle_id: Id | None = None
