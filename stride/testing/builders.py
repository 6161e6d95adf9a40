"""Builders shared by the tests: goals and check-ins made through the services (so every
rule a real write keeps holds for test data too), import files, row counts, query counts.

Nothing here freezes time; builders that take a moment (``created_at``, ``at``, ``now``)
write as of that moment, and otherwise as of the current (usually frozen) time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stride.access.models import AuditEntry
from stride.goals import services as goals
from stride.goals.checkins import services as checkin_services
from stride.goals.models import CheckIn, CheckInPreference, KeyResult, KeyResultUpdate, Objective
from stride.lib.scoring import quarter
from stride.org import services as org
from stride.org.importer import COLUMNS
from stride.org.models import Person, Team, User
from stride.testing.cast import Cast

# --- goals ----------------------------------------------------------------------------------


def make_objective(
    cast: Cast,
    owner: Person,
    title: str = "Grow the user base",
    *,
    by: Person | None = None,
    visibility: str = Objective.Visibility.PUBLIC,
    level: str = Objective.Level.PERSONAL,
    team: Team | None = None,
    parent: Objective | None = None,
    period: tuple[date, date] | None = None,
    status: str = Objective.Status.ON_TRACK,
    key_results: list[dict[str, Any]] | None = None,
    created_at: datetime | Literal["period start"] | None = "period start",
) -> Objective:
    """An objective owned by ``owner``, written by ``by`` (default: the owner), for
    ``period`` (default: the quarter of the current, usually frozen, day).

    It is written at ``created_at``: by default 09:00 UTC on the first day of the period
    (or now, if that is still to come), so that later values form a history inside the
    period; ``None`` writes it now."""
    if period is None:
        current = quarter(timezone.now().date())
        assert current.start is not None and current.end is not None
        period = (current.start, current.end)
    if created_at == "period start":
        start = datetime.combine(period[0], time(9, 0), tzinfo=UTC)
        created_at = start if start <= timezone.now() else None
    kwargs: dict[str, Any] = {
        "viewer": cast.viewer(by or owner),
        "owner": owner,
        "title": title,
        "period_start": period[0],
        "period_end": period[1],
        "visibility": visibility,
        "level": level,
        "team": team,
        "parent": parent,
        "status": status,
        "key_results": key_results
        if key_results is not None
        else [{"title": f"{title}: users", "start": 0, "target": 100, "unit": "users"}],
    }
    if created_at is None:
        return goals.objective_create(**kwargs)
    with time_machine.travel(created_at, tick=False):
        return goals.objective_create(**kwargs)


def first_kr(objective: Objective) -> KeyResult:
    kr = objective.key_results.order_by("position", "id").first()
    assert kr is not None
    return kr


def record(
    cast: Cast,
    person: Person,
    kr: KeyResult,
    value: Any,
    *,
    at: datetime | None = None,
    confidence: int | None = None,
    note: str = "",
) -> KeyResultUpdate:
    """A new value of ``kr`` recorded by ``person`` (dated ``at``, default now)."""
    kr.refresh_from_db()
    return goals.key_result_record_value(
        viewer=cast.viewer(person),
        key_result=kr,
        value=value,
        confidence=confidence,
        note=note,
        at=at,
    )


def row_counts() -> dict[str, int]:
    """Rows of the goal tables and the audit log, to prove a refused write wrote nothing."""
    return {
        "objectives": Objective.objects.count(),
        "key_results": KeyResult.objects.count(),
        "updates": KeyResultUpdate.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


# --- check-ins ------------------------------------------------------------------------------


def check_in(
    cast: Cast,
    person: Person,
    *,
    mood: int = 4,
    now: datetime | None = None,
    weeks_ago: int = 0,
    **fields: Any,
) -> CheckIn:
    """Check in as ``person`` at ``now`` (default: the current, usually frozen, time)."""
    when = (now or timezone.now()) - timedelta(weeks=weeks_ago)
    return checkin_services.checkin_submit(
        viewer=cast.viewer(person), mood=mood, now=when, **fields
    )


def choose_partner(cast: Cast, person: Person, partner: Person) -> CheckInPreference:
    """``person`` shares their check-ins with ``partner`` (reminders Fridays 15:00)."""
    return checkin_services.checkin_preference_update(
        viewer=cast.viewer(person),
        partner=partner,
        reminder_weekday=4,
        reminder_time=time(15, 0),
        reminders_enabled=True,
    )


# --- people and imports ---------------------------------------------------------------------


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
    """A row of an import file in the order of ``COLUMNS``."""
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


def add_reports(
    manager: Person, count: int, *, prefix: str = "extra", password: str | None = None
) -> list[Person]:
    """``count`` new direct reports of ``manager``, named so they sort after the cast."""
    return [
        org.person_create(
            actor=None,
            name=f"Zed {prefix} {index:03d}",
            email=f"{prefix}{index}@example.com",
            title="Engineer",
            team=manager.team,
            manager=manager,
            password=password,
        )
        for index in range(count)
    ]


def count_queries(client: Client, url: str, **headers: str) -> int:
    """How many queries one GET of ``url`` costs (it must answer 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return len(queries)
