"""The one frozen clock of the test suite.

Every test that asks for the ``clock`` fixture starts at ``NOW``: **Wednesday 25 November
2026, 12:00 UTC** — the middle of ISO week 2026-W48 (Monday 23 … Sunday 29 November) in
every time zone of the cast (Berlin 13:00, New York 07:00), and day 56 of the fourth quarter
(1 October … 31 December): goal pace counts 55 of its 91 days gone. The clock does not
tick: two reads of the time in a test give the same answer, so nothing depends on how fast
the machine is. A test moves it with ``clock.move_to(moment)`` or
``clock.shift(timedelta(...))``.

The clock is time-machine's ``time_machine`` fixture with a fixed start: it stops itself at
the end of the test, and it freezes only this process (a worker started as a subprocess
runs on the real time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
THIS_MONDAY = date(2026, 11, 23)
# The quarter NOW falls in, and the one before.
THIS_QUARTER = (date(2026, 10, 1), date(2026, 12, 31))
LAST_QUARTER = (date(2026, 7, 1), date(2026, 9, 30))
# 09:00 UTC on the quarter's first day: objectives made "at the start" date from here, so
# values recorded weekly after it form a history inside the quarter.
QUARTER_START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


class Clock:
    """The frozen time of one test (see the module docstring)."""

    def __init__(self, machine: time_machine.TimeMachineFixture) -> None:
        self._machine = machine
        self._now = NOW
        machine.move_to(NOW, tick=False)

    @property
    def now(self) -> datetime:
        """The frozen moment, in UTC."""
        return self._now

    @property
    def today(self) -> date:
        """The frozen day in UTC (a person's own day may differ: see their time zone)."""
        return self._now.date()

    def move_to(self, moment: datetime) -> None:
        """Jump to ``moment`` (timezone-aware) and stay there."""
        if moment.tzinfo is None:
            raise ValueError("the clock takes timezone-aware moments only")
        self._now = moment.astimezone(UTC)
        self._machine.move_to(self._now, tick=False)

    def shift(self, delta: timedelta) -> None:
        """Move forward (or back, with a negative ``delta``) by ``delta``."""
        self.move_to(self._now + delta)
