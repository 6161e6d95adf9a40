"""Small builders shared by the org tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stride.access.models import AuditEntry
from stride.org import services
from stride.org.importer import COLUMNS
from stride.org.models import Person, Team, User


def make_csv(rows: Sequence[Sequence[str]], header: Sequence[str] = COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def row(
    email: str,
    name: str,
    *,
    title: str = "",
    team: str = "",
    manager: str = "",
    time_zone: str = "",
    hire_date: str = "",
    status: str = "",
    external_id: str = "",
) -> list[str]:
    """A row in the order of ``COLUMNS``."""
    return [email, name, title, team, manager, time_zone, hire_date, status, external_id]


def table_sizes() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "users": User.objects.count(),
        "teams": Team.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def snapshot() -> list[tuple[object, ...]]:
    """Every stored field of every person, to compare before and after."""
    return list(
        Person.objects.order_by("pk").values_list(
            "pk",
            "user_id",
            "name",
            "email",
            "title",
            "team_id",
            "manager_id",
            "path",
            "time_zone",
            "hire_date",
            "status",
            "external_id",
        )
    )


def add_reports(manager: Person, count: int, *, prefix: str = "extra") -> list[Person]:
    """``count`` new direct reports of ``manager``, named so they sort after the cast."""
    return [
        services.person_create(
            actor=None,
            name=f"Zed {prefix} {index:03d}",
            email=f"{prefix}{index}@example.com",
            title="Engineer",
            team=manager.team,
            manager=manager,
        )
        for index in range(count)
    ]


def count_queries(client: Client, url: str, **headers: str) -> int:
    """How many queries one GET of ``url`` costs (it must answer 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return len(queries)
