"""Shared field types: every limit of Stride's input, written once.

Each type is a ``typing.Annotated`` pydantic type. The API's input schemas and the web
forms (through ``stride.lib.forms.SchemaForm``) validate with the same schema classes built
from these types, so a value gets the same verdict on a page and through ``/api/v1``, and
the OpenAPI document states every limit (schemathesis checks that it does).

Bounds are chosen so that no value the domain accepts can break a page later: dates lie in
``DATE_MIN`` … ``DATE_MAX`` (every time zone can represent a day in that range, and period
arithmetic a quarter or a week away stays inside ``datetime``'s range), numbers fit the
database columns they are stored in, and ids fit a signed 64-bit integer.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from stride.lib import ids as _ids

_UTC = UTC

# --- dates and times ----------------------------------------------------------------------

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)
DATE_RANGE_TEXT = f"{DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}"


def _date_in_range(value: date) -> date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(f"Enter a date from {DATE_RANGE_TEXT}.")
    return value


# The whole rule for a date, written as a pattern so the OpenAPI document states it exactly:
# years 1900-2199, real months and days, 29 February only in leap years (1900 and 2100 are
# not; 2000 is). What matches is accepted and nothing else, on the pages and the API.
_DAY_BODY = (
    r"(?:(?:19|20|21)\d{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))"
    r"|(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)-02-29)"
)
DAY_PATTERN = f"^{_DAY_BODY}$"
MOMENT_PATTERN = (
    f"^{_DAY_BODY}T(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{{1,6}})?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
)
_DAY = re.compile(DAY_PATTERN)
_MOMENT = re.compile(MOMENT_PATTERN)


def _iso_day(value: Any) -> Any:
    # pydantic would also read a number (or text like "0") as a Unix timestamp.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DAY.match(value.strip()):
        raise ValueError(f"Enter a date (YYYY-MM-DD) from {DATE_RANGE_TEXT}.")
    return value.strip()


def _iso_moment(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _MOMENT.match(value.strip()):
        raise ValueError(
            "Enter a date and time with its UTC offset, such as 2026-11-30T09:00:00+01:00, "
            f"from {DATE_RANGE_TEXT}."
        )
    return value.strip()


def _datetime_in_range(value: datetime) -> datetime:
    # Compare the UTC calendar date so that every zone's local date stays inside the
    # range too (zones differ from UTC by at most a day).
    _date_in_range(value.astimezone(_UTC).date())
    return value


Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    AfterValidator(_date_in_range),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DAY_PATTERN,
            "description": f"A date (YYYY-MM-DD) from {DATE_RANGE_TEXT}.",
        }
    ),
]
"""A calendar date within ``DATE_MIN`` … ``DATE_MAX``."""

Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_moment),
    AfterValidator(_datetime_in_range),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MOMENT_PATTERN,
            "description": (
                f"A date and time with its UTC offset (ISO 8601), from {DATE_RANGE_TEXT}."
            ),
        }
    ),
]
"""A timezone-aware instant within the date range."""

ClockTime = Annotated[time, Field(description="A time of day, HH:MM.")]

# --- text ----------------------------------------------------------------------------------

TITLE_MAX = 200
TEXT_MAX = 10_000
NOTE_MAX = 2_000
COMMENT_MAX = 5_000


# Whitespace as JSON Schema patterns (ECMA-262 regular expressions) define ``\s``: what the
# OpenAPI document's ``\S`` means. Python's ``str.strip()`` would also strip U+0085 and
# U+001C-U+001F, which ECMA counts as text.
WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000\ufeff")
)


def _stripped(value: str) -> str:
    # After the length check, so the limit is the one the document states (on the text as
    # sent); then surrounding whitespace goes, as the document's pattern counts it.
    return value.strip(WHITESPACE)


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("This field cannot be blank.")
    return value


# Text that must say something: at least one character that is not whitespace.
_SOMETHING = {"pattern": r"\S"}

Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TITLE_MAX),
    AfterValidator(_stripped),
    AfterValidator(_not_blank),
    Field(
        description=f"1 to {TITLE_MAX} characters, not only spaces (surrounding ones are removed).",
        json_schema_extra=_SOMETHING,
    ),
]
LongText = Annotated[
    str,
    StringConstraints(max_length=TEXT_MAX),
    AfterValidator(_stripped),
    Field(description=f"At most {TEXT_MAX:,} characters."),
]
Note = Annotated[
    str,
    StringConstraints(max_length=NOTE_MAX),
    AfterValidator(_stripped),
    Field(description=f"At most {NOTE_MAX:,} characters."),
]
CommentText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=COMMENT_MAX),
    AfterValidator(_stripped),
    AfterValidator(_not_blank),
    Field(
        description=f"1 to {COMMENT_MAX:,} characters, not only spaces.",
        json_schema_extra=_SOMETHING,
    ),
]
ShortName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    AfterValidator(_stripped),
    AfterValidator(_not_blank),
    Field(description="1 to 100 characters, not only spaces.", json_schema_extra=_SOMETHING),
]
Unit = Annotated[
    str,
    StringConstraints(max_length=16),
    AfterValidator(_stripped),
    Field(description="At most 16 characters; a three-letter ISO code for currency."),
]

# --- numbers -------------------------------------------------------------------------------

# A key result's numbers are stored as DecimalField(18, 4), but SQLite (the embedded
# default) keeps a decimal as a REAL, exact to 15 significant digits: a value must fit 11
# digits before the point and 4 after, or it comes back rounded (and 99,999,999,999,999.97
# came back as 10^14, which no longer fits the column and broke every page showing it).
VALUE_LIMIT = Decimal("1e11")
VALUE_STEP = Decimal("0.0001")


def _exact_decimal(value: Any) -> Any:
    """A JSON number arrives as a binary float: take it as the shortest decimal that reads
    back as the same float (``repr``), which is exactly what the client wrote whenever it
    wrote at most 15 significant digits. So ``1.2345`` is 1.2345, and ``1.23456`` or the
    float noise ``0.30000000000000004`` have too many decimal places and are refused, as a
    JSON Schema validator judges ``multipleOf: 0.0001``."""
    if isinstance(value, float) and value == value and abs(value) < float(VALUE_LIMIT):
        return Decimal(repr(value))
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_exact_decimal),
    WithJsonSchema(
        {
            "type": "number",
            "exclusiveMinimum": -float(VALUE_LIMIT),
            "exclusiveMaximum": float(VALUE_LIMIT),
            "multipleOf": float(VALUE_STEP),
            "description": "A number below 10^11 (100 billion) in size, at most 4 decimal places.",
        }
    ),
    Field(gt=-VALUE_LIMIT, lt=VALUE_LIMIT, max_digits=15, decimal_places=4),
]
"""A key result's start, target or value."""

Weight = Annotated[
    Decimal,
    WithJsonSchema(
        {
            "type": "number",
            "exclusiveMinimum": 0,
            "exclusiveMaximum": 10_000,
            "multipleOf": 0.01,
            "description": "Above 0 and below 10,000, with at most 2 decimal places.",
        }
    ),
    Field(gt=0, lt=10_000, max_digits=6, decimal_places=2),
]
Mood = Annotated[int, Field(ge=1, le=5, description="1 (awful) to 5 (great).")]
Confidence = Annotated[int, Field(ge=0, le=10, description="0 (no chance) to 10 (certain).")]
Position = Annotated[int, Field(ge=0, le=1000, description="Order on the page, 0 to 1000.")]
Weekday = Annotated[int, Field(ge=0, le=6, description="0 (Monday) to 6 (Sunday).")]

# Object ids (1 … 2^63−1) have their own module, with the URL converter for pages.
Id = _ids.Id
ID_MAX = _ids.MAX_ID

# --- PATCH helpers -------------------------------------------------------------------------


def unset() -> Any:
    """The default of a PATCH field: ``title: Title = unset()`` may be left out (it stays
    None and is not in ``model_fields_set``) but not sent as null. The schema class must be
    a ``PatchSchema``, whose OpenAPI document offers no null either. Read a PATCH with
    ``model_dump(exclude_unset=True)``."""
    return Field(default=None)


def _no_null_defaults(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        if prop.get("default", ...) is None and "anyOf" not in prop:
            del prop["default"]


class PatchSchema(Schema):
    """Input of a PATCH: every field may be left out. A field typed without ``None``
    (declared with ``unset()``) refuses an explicit null, and the document shows no null
    default for it; a field typed ``X | None`` may be sent as null to clear it."""

    model_config = ConfigDict(json_schema_extra=_no_null_defaults)
