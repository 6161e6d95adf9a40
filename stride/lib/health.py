"""What the health check asks of the database (kept out of the views, which never query
the database directly)."""

from __future__ import annotations

from django.db import connection


def database_answers() -> bool:
    """True when the default database runs a trivial query; raises if it cannot."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)
