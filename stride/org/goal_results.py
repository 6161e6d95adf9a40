"""A person's goal results for a span of dates, as other apps may read them.

Reviews show a person's objectives and their progress beside the goal-results questions,
but reviews and goals are independent apps (the import-linter contract): neither imports
the other. So the goals app registers its reader here, in the layer both may use, from its
``AppConfig.ready()``, and reviews asks through ``goal_results``. The reader applies the
goals' own visibility rules (and audits private reads) for the viewer it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from stride.access.viewer import Viewer
from stride.org.models import Person


@dataclass(frozen=True)
class GoalResult:
    objective_id: int
    title: str
    period_start: date
    period_end: date
    progress: float  # 0…1
    status: str  # the goal's effective status (on track, at risk, achieved, missed, …)


Reader = Callable[[Viewer, Person, date, date], list[GoalResult]]
_readers: list[Reader] = []


def register_goal_results(reader: Reader) -> None:
    if reader not in _readers:
        _readers.append(reader)


def goal_results(viewer: Viewer, person: Person, start: date, end: date) -> list[GoalResult]:
    """The objectives ``person`` owns whose period overlaps ``start``…``end`` and that
    ``viewer`` may see, with their progress; empty when no goals app is installed."""
    return [result for reader in _readers for result in reader(viewer, person, start, end)]
