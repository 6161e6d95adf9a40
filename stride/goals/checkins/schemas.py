"""Input schemas of the check-in operations: one per write, used by the API and the pages."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field

from stride.lib.fields import (
    Amount,
    ClockTime,
    CommentText,
    Confidence,
    Id,
    LongText,
    Mood,
    Note,
    Weekday,
)

MAX_KR_UPDATES = 200


class KeyResultReport(Schema):
    """What a check-in says about one key result of one of the author's own objectives."""

    key_result_id: Id = Field(description="A key result of one of your own objectives.")
    value: Amount
    confidence: Confidence | None = None
    note: Note = ""


class CheckInSubmit(Schema):
    """This week's check-in; submitting again in the same week updates it."""

    mood: Mood
    progress: LongText = ""
    plans: LongText = ""
    problems: LongText = ""
    kr_updates: list[KeyResultReport] = Field(default_factory=list, max_length=MAX_KR_UPDATES)


class CommentCreate(Schema):
    body: CommentText


class CheckInSettings(Schema):
    """The accountability partner (by e-mail; empty for none) and the weekly reminder."""

    partner_email: str = Field(default="", max_length=254)
    reminder_weekday: Weekday = 4
    reminder_time: ClockTime
    reminders_enabled: bool = False
