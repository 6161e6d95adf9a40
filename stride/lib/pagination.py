"""Stride's pagination: every list answers at most ``MAX_PAGE_SIZE`` items a page.

django-ninja's own classes read their limits from settings that are easy to misname (the
installed version reads ``NINJA_PAGINATION_MAX_LIMIT``, not ``…_MAX_PER_PAGE_SIZE``) and,
by default, accept any ``limit`` and any ``offset``. These classes state their bounds in
their input schemas instead, so a request beyond them answers 422 naming the parameter and
the bounds appear in the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, PaginationBase

#: The most items any list answers in one page.
MAX_PAGE_SIZE = 500
#: The page size when the caller names none.
DEFAULT_PAGE_SIZE = 50
#: The largest offset a list accepts. Far beyond any list Stride keeps, and small enough
#: that ``offset + limit`` fits a 64-bit database integer.
MAX_OFFSET = 1_000_000_000
#: ``a<n>``: the items after ``n``; ``b<n>``: the items before it (``n`` up to 18 digits,
#: so it fits a 64-bit key whatever it is).
CURSOR_PATTERN = r"^[ab][0-9]{1,18}$"


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


class StrideCursorPagination(PaginationBase):
    """Keyset pages over one unique integer field (``ordering=("id",)``, ascending):
    ``?page_size=`` (1 … 500, default 50) and ``?cursor=`` from the ``next`` or
    ``previous`` link of the page before; answers ``{"next", "previous", "results"}``.

    A cursor is ``a<n>`` (the items after ``n``) or ``b<n>`` (the items before ``n``).
    Its pattern is the whole rule, so the OpenAPI document states exactly which cursors
    are valid; any ``n`` is a position, whether or not an item has that value. Unlike
    ninja's ``CursorPagination`` (a base64 cursor whose contents reach the database), a
    cursor cannot fail after it passes the schema, and the page costs one query."""

    items_attribute = "results"

    class Input(Schema):
        page_size: int = Field(
            DEFAULT_PAGE_SIZE,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"Items per page (1 to {MAX_PAGE_SIZE}).",
        )
        cursor: str | None = Field(
            None,
            pattern=CURSOR_PATTERN,
            description="Where to continue, from a `next` or `previous` link.",
        )

    class Output(Schema):
        next: str | None = Field(description="The following page, or null at the end.")
        previous: str | None = Field(description="The page before, or null at the start.")
        results: list[Any]

    def __init__(self, *, ordering: tuple[str, ...] = ("id",), **kwargs: Any) -> None:
        if len(ordering) != 1 or ordering[0].startswith("-"):
            raise ValueError("StrideCursorPagination orders by one ascending unique field")
        self.field = ordering[0]
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        size: int = pagination.page_size
        cursor: str | None = pagination.cursor
        field = self.field
        following: str | None
        previous: str | None
        if cursor is not None and cursor.startswith("b"):
            before = int(cursor[1:])
            rows = list(
                queryset.filter(**{f"{field}__lt": before}).order_by(f"-{field}")[: size + 1]
            )
            more_before = len(rows) > size
            rows = rows[:size][::-1]
            previous = f"b{self._key(rows[0])}" if more_before else None
            following = f"a{self._key(rows[-1])}" if rows else f"a{max(before - 1, 0)}"
        else:
            if cursor is not None:
                queryset = queryset.filter(**{f"{field}__gt": int(cursor[1:])})
            rows = list(queryset.order_by(field)[: size + 1])
            more_after = len(rows) > size
            rows = rows[:size]
            following = f"a{self._key(rows[-1])}" if more_after else None
            previous = f"b{self._key(rows[0])}" if cursor is not None and rows else None
        return {
            "next": _with_cursor(request, following),
            "previous": _with_cursor(request, previous),
            "results": rows,
        }

    def _key(self, item: Any) -> int:
        return int(getattr(item, self.field))


def _with_cursor(request: HttpRequest, cursor: str | None) -> str | None:
    """The request's own URL with ``cursor`` in place of the one it had."""
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
