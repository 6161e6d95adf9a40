"""Shared set-up for the check-in tests (no tests here): a fixed week, objectives with key
results made through the goals services, and check-ins written through the service."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from conftest import Cast
from stride.goals import services as goals
from stride.goals.checkins import services as checkin_services
from stride.goals.models import CheckIn, CheckInPreference, KeyResult, Objective
from stride.org.models import Person

# Wednesday of ISO week 2026-W48, midday in UTC: the same week in every cast member's zone.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
THIS_MONDAY = date(2026, 11, 23)
QUARTER = (date(2026, 10, 1), date(2026, 12, 31))


def objective_for(
    cast: Cast,
    owner: Person,
    title: str = "Ship the mobile app",
    *,
    visibility: str = Objective.Visibility.PUBLIC,
    status: str = Objective.Status.ON_TRACK,
    key_results: list[dict[str, Any]] | None = None,
    period: tuple[date, date] = QUARTER,
) -> Objective:
    return goals.objective_create(
        viewer=cast.viewer(owner),
        title=title,
        period_start=period[0],
        period_end=period[1],
        visibility=visibility,
        status=status,
        key_results=key_results
        if key_results is not None
        else [{"title": f"{title}: users", "start": 0, "target": 100}],
    )


def first_kr(objective: Objective) -> KeyResult:
    return objective.key_results.order_by("position", "id").first()  # type: ignore[return-value]


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
    return checkin_services.checkin_preference_update(
        viewer=cast.viewer(person),
        partner=partner,
        reminder_weekday=4,
        reminder_time=time(15, 0),
        reminders_enabled=True,
    )
