"""Object ids: the one type for every id that enters Stride, in API paths, filters and
bodies, and the ``<id:…>`` converter for page URLs.

Primary keys are 64-bit signed integers on SQLite and PostgreSQL. A larger number does not
fit a query parameter of either database (SQLite raises ``OverflowError``, PostgreSQL an
out-of-range error), so it must be refused where it enters, as bad input (4xx), and never
reach the database.
"""

from __future__ import annotations

from typing import Annotated

from django.urls import register_converter
from pydantic import Field

#: The largest primary key the databases can hold (signed 64-bit).
MAX_ID = 2**63 - 1

Id = Annotated[
    int,
    Field(ge=1, le=MAX_ID, description=f"An object id: a whole number from 1 to {MAX_ID}."),
]
"""An object id (1 … 2^63−1). Out of range answers 422 naming the field, like any bad value."""


class IdConverter:
    """``<id:name>`` in a URL pattern: 1 to 18 digits, so every match fits a 64-bit key
    (18 nines < 2^63−1). A longer number does not match and the page answers 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)


# URL modules import this module for the converter; registering at import time happens once.
register_converter(IdConverter, "id")
