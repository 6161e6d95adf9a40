"""ISO weeks in a person's own time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def local_today(now: datetime, zone: ZoneInfo) -> date:
    """The calendar date ``now`` falls on where the person lives."""
    return now.astimezone(zone).date()


def current_week_start(now: datetime, zone: ZoneInfo) -> date:
    return week_start(local_today(now, zone))


def iso_label(monday: date) -> str:
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def parse_iso_week(label: str) -> date:
    """``2026-W48`` → the Monday of that week. Raises ValueError on anything else."""
    year_part, _, week_part = label.partition("-W")
    return date.fromisocalendar(int(year_part), int(week_part), 1)
