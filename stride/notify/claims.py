"""Claiming rows under a unique constraint: the primitive that makes the worker idempotent.

Several workers (or a restarted one) may decide at the same moment that the same reminder is
due or the same periodic slot has come. Each of them inserts its claim; the unique constraint
lets exactly one insert through, and only the worker whose row went in acts on it.

Django's ``bulk_create(ignore_conflicts=True)`` cannot tell which rows it created, and that is
the one thing a claim must know, so this is a single ``INSERT … ON CONFLICT DO NOTHING
RETURNING`` statement, which PostgreSQL and SQLite (≥ 3.35) both understand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router

# Rows per statement: keeps SQLite well under its bound-parameter limit and PostgreSQL's
# statements small, while 10,000 claims still take only 20 statements.
BATCH_SIZE = 500


def insert_ignoring_conflicts(
    model: type[models.Model],
    *,
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict_fields: Sequence[str],
    returning: Sequence[str] = ("pk",),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (values in the order of ``fields``), skipping any that would break the
    unique constraint on ``conflict_fields``; return ``returning`` of the rows inserted.

    A row already there — committed, or being inserted by a concurrent transaction that then
    commits — is not returned: PostgreSQL waits for the other transaction and skips the row;
    SQLite serialises writers, so the second one sees the first one's row."""
    if not rows:
        return []
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    model_fields = [_concrete(model, name) for name in fields]
    columns = ", ".join(quote(_column(f)) for f in model_fields)
    conflict = ", ".join(quote(_column(_concrete(model, name))) for name in conflict_fields)
    returned = ", ".join(quote(_column(_concrete(model, name))) for name in returning)
    placeholder = "(" + ", ".join(["%s"] * len(model_fields)) + ")"
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        params: list[Any] = []
        for row in batch:
            params.extend(
                field.get_db_prep_save(value, connection)
                for field, value in zip(model_fields, row, strict=True)
            )
        # Table and column names come from the model's own metadata, quoted by the backend;
        # every value is a bound parameter.
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
            f"VALUES {', '.join([placeholder] * len(batch))} "
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {returned}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            out.extend(tuple(r) for r in cursor.fetchall())
    return out


def _concrete(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def _column(field: models.Field[Any, Any]) -> str:
    assert field.column is not None  # concrete fields always have one
    return field.column
