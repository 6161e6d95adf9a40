"""Shared set-up for the goal tests (no tests here): a frozen day in the second quarter of
2026, objectives made through the services, and row counts to prove nothing was written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import time_machine

from conftest import Cast
from stride.access.models import AuditEntry
from stride.goals import services
from stride.goals.models import KeyResult, KeyResultUpdate, Objective
from stride.org.models import Person, Team

# Wednesday 13 May 2026, midday UTC: 42 of the 90 days of Q2 have passed.
NOW = datetime(2026, 5, 13, 12, 0, tzinfo=UTC)
TODAY = date(2026, 5, 13)
Q2 = (date(2026, 4, 1), date(2026, 6, 30))
Q1 = (date(2026, 1, 1), date(2026, 3, 31))
Q2_START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


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
    period: tuple[date, date] = Q2,
    status: str = Objective.Status.ON_TRACK,
    key_results: list[dict[str, Any]] | None = None,
    created_at: datetime | None = Q2_START,
) -> Objective:
    """An objective owned by ``owner`` (written by ``by``, default the owner), created at
    ``created_at`` so that later values form a history inside the period."""
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
        return services.objective_create(**kwargs)
    with time_machine.travel(created_at, tick=False):
        return services.objective_create(**kwargs)


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
    kr.refresh_from_db()
    return services.key_result_record_value(
        viewer=cast.viewer(person),
        key_result=kr,
        value=value,
        confidence=confidence,
        note=note,
        at=at,
    )


def row_counts() -> dict[str, int]:
    return {
        "objectives": Objective.objects.count(),
        "key_results": KeyResult.objects.count(),
        "updates": KeyResultUpdate.objects.count(),
        "audit": AuditEntry.objects.count(),
    }
