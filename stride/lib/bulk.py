"""Writing many rows at the speed the database allows: the write half of every import.

``bulk_create`` builds a model instance per row and compiles a multi-row ``INSERT`` per
batch; at 10,000 rows that is most of an import's time. ``insert_rows`` sends rows as plain
tuples: PostgreSQL's ``COPY … FROM STDIN`` (psycopg streams them), elsewhere one prepared
``INSERT`` run with ``executemany``. Values must already be what the column stores — the
caller adapts dates and date-times once with ``db_value`` — and every column is given, as the
model's defaults are not applied. ``reserve_ids`` hands out primary keys first, so rows that
point at each other (a person and their manager) are each written once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models

BATCH_SIZE = 2000


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    return [str(model._meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (values in the order of ``fields``, ready for the database) into
    ``model``'s table in the current transaction; return how many were written."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(column) for column in _columns(model, fields))
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Names come from the model's metadata, quoted by the backend; values are streamed.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH_SIZE:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` consecutive primary keys for rows of ``model`` not yet inserted.

    Other writers of the table are kept out until the transaction ends: on PostgreSQL the
    table is locked (SHARE ROW EXCLUSIVE: reads go on, writes wait), so no other insert can
    take a value from its sequence, which is then moved on by ``count`` in one step; on SQLite
    the caller's IMMEDIATE transaction already holds the write lock, and the ids after the
    highest ever used (``sqlite_sequence`` remembers deleted ones) are free."""
    if not count:
        return []
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s),"
                " nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
                [table, pk_column, table, pk_column, count],
            )
            (last,) = cursor.fetchone()
            return list(range(last - count + 1, last + 1))
        assert connection.vendor == "sqlite", "Stride runs on PostgreSQL or SQLite"
        cursor.execute(
            f"SELECT MAX(n) FROM (SELECT seq AS n FROM sqlite_sequence WHERE name = %s"  # noqa: S608
            f" UNION ALL SELECT MAX({quote(pk_column)}) FROM {quote(table)})",
            [table],
        )
        (highest,) = cursor.fetchone() or (None,)
        start = (highest or 0) + 1
        return list(range(start, start + count))


def id_range(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """A condition for ``column`` among ids handed out by one ``reserve_ids`` call."""
    assert list(ids) == list(range(ids[0], ids[0] + len(ids))), "reserved ids are consecutive"
    return f"{column} BETWEEN %s AND %s", [ids[0], ids[-1]]


def db_value(value: date | datetime | None) -> Any:
    """A date or an aware date-time as the current database stores it (SQLite keeps text,
    in UTC for date-times; psycopg adapts both itself)."""
    if value is None or connection.vendor == "postgresql":
        return value
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return connection.ops.adapt_datefield_value(value)


def date_adapter() -> Callable[[date | None], Any]:
    """``db_value`` for dates, decided once for many rows (the connection proxy's lookups
    cost more than the conversion itself)."""
    if connection.vendor == "postgresql":
        return _same
    return _iso_or_none


def _same(value: date | None) -> Any:
    return value


def _iso_or_none(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


__all__ = ["date_adapter", "db_value", "id_range", "insert_rows", "reserve_ids"]
