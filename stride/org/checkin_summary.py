"""A summary of a person's weekly check-ins over a span of dates, as other apps may read it.

A manager writing a review sees how the period went week by week: how many weeks the
person checked in of those expected, their streaks, their mood month by month, the latest
problems and plans, and how many key results their check-ins moved. Reviews and goals are
independent apps (the import-linter contract), so, like ``stride.org.goal_results``, the
goals app registers its reader here from its ``AppConfig.ready()`` and reviews asks through
``checkin_summary``. The reader applies the check-ins' own visibility rules for the viewer
it is given and audits the read (someone else's check-ins are sensitive records).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from stride.access.viewer import Viewer
from stride.org.models import Person

#: How many recent problems and plans a summary quotes, and how much of each.
HEADLINES = 4
HEADLINE_CHARS = 140


@dataclass(frozen=True)
class CheckinHeadline:
    week_start: date
    problems: str  # shortened to HEADLINE_CHARS
    plans: str


@dataclass(frozen=True)
class MoodMonth:
    month: date  # its first day
    mean: float  # 1 (awful) … 5 (great)
    count: int


@dataclass(frozen=True)
class CheckinSummary:
    start: date  # the first week's Monday counted (the period's, or the hire date's)
    end: date  # the last week's Monday counted (the period's, or this week's)
    weeks_expected: int
    weeks_checked_in: int
    current_streak: int  # consecutive weeks ending with the last one counted (or the one before)
    longest_streak: int
    mood_months: list[MoodMonth] = field(default_factory=list)  # oldest first
    headlines: list[CheckinHeadline] = field(default_factory=list)  # newest first
    key_results_updated: int = 0


Reader = Callable[[Viewer, Person, date, date, datetime], CheckinSummary | None]
_readers: list[Reader] = []


def register_checkin_summary(reader: Reader) -> None:
    if reader not in _readers:
        _readers.append(reader)


def checkin_summary(
    viewer: Viewer, person: Person, start: date, end: date, *, now: datetime
) -> CheckinSummary | None:
    """``person``'s check-ins of ``start``…``end`` summed up for ``viewer``; None when no
    goals app is installed or the viewer may not read that person's check-ins."""
    for reader in _readers:
        found = reader(viewer, person, start, end, now)
        if found is not None:
            return found
    return None
