"""Stride's pagination: every list answers at most ``MAX_PAGE_SIZE`` items a page.

django-ninja's own classes read their limits from settings that are easy to misname (the
installed version reads ``NINJA_PAGINATION_MAX_LIMIT``, not ``…_MAX_PER_PAGE_SIZE``) and,
by default, accept any ``limit`` and any ``offset``. These classes state their bounds in
their input schemas instead, so a request beyond them answers 422 naming the parameter and
the bounds appear in the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import CursorPagination, LimitOffsetPagination
from pydantic import ValidationError as PydanticValidationError

from stride.lib.ids import MAX_ID

#: The most items any list answers in one page.
MAX_PAGE_SIZE = 500
#: The page size when the caller names none.
DEFAULT_PAGE_SIZE = 50
#: The largest offset a list accepts. Far beyond any list Stride keeps, and small enough
#: that ``offset + limit`` fits a 64-bit database integer.
MAX_OFFSET = 1_000_000_000


class StridePagination(LimitOffsetPagination):
    """``?limit=`` (1 … 500, default 50) and ``?offset=`` (0 … 10⁹); answers
    ``{"items": […], "count": n}``."""

    class Input(Schema):
        limit: int = Field(
            DEFAULT_PAGE_SIZE,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"Items per page (1 to {MAX_PAGE_SIZE}).",
        )
        offset: int = Field(
            0,
            ge=0,
            le=MAX_OFFSET,
            description="Items to skip from the start of the list.",
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


class StrideCursorPagination(CursorPagination):
    """``?page_size=`` (1 … 500, default 50) and an opaque ``?cursor=`` taken from the
    ``next``/``previous`` links of the page before. A cursor that Stride did not make
    answers 422."""

    class Input(Schema):
        page_size: int | None = Field(
            None,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"Items per page (1 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} if absent).",
        )
        cursor: str | None = Field(
            None,
            max_length=200,
            description="The position to continue from, from a `next` or `previous` link.",
        )

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("page_size", DEFAULT_PAGE_SIZE)
        super().__init__(max_page_size=MAX_PAGE_SIZE, **kwargs)

    def _find_position(self, queryset: QuerySet[Any], cursor: Any) -> QuerySet[Any]:
        # The position comes back from the client inside the cursor; check it as the
        # ordering field's value so a forged one answers 422 instead of reaching the
        # database (a non-number, or a number beyond 64 bits, makes the query fail).
        if cursor.p is not None:
            try:
                field = queryset.model._meta.get_field(self._order_attribute)
            except FieldDoesNotExist:
                field = None
            try:
                value = field.to_python(cursor.p) if field is not None else cursor.p
            except Exception:
                raise _invalid_cursor() from None
            if isinstance(field, models.IntegerField) and not -MAX_ID <= value <= MAX_ID:
                raise _invalid_cursor()
        return super()._find_position(queryset, cursor)

    class Cursor(CursorPagination.Cursor):
        @classmethod
        def from_encoded_param(
            cls, encoded_param: str | None, context: Any = None
        ) -> CursorPagination.Cursor:
            # ninja lets a well-encoded cursor with bad fields raise pydantic's error (500).
            try:
                return super().from_encoded_param(encoded_param, context)
            except (PydanticValidationError, ValidationError):
                raise _invalid_cursor() from None


def _invalid_cursor() -> ValidationError:
    return ValidationError(
        [{"loc": ["query", "cursor"], "msg": "This cursor is not valid.", "type": "value_error"}]
    )
