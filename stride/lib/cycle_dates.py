"""A review cycle's calendar, free of Django: the order of its phases and their deadlines.

Phases run in a fixed order (self-assessment → peer nomination → peer and upward reviews
→ manager review → calibration → sharing). Each ends on a date; the work for it is due by
the end of that day where each person lives, so someone in Auckland and someone in Los
Angeles both get the whole last day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class DatedPhase:
    kind: str
    starts_on: date
    ends_on: date


#: What can be wrong with a phase: (code, the other phase it is compared with or "").
Problem = tuple[str, str]
UNKNOWN = "unknown"
REPEATED = "repeated"
ENDS_BEFORE_START = "ends_before_start"
STARTS_BEFORE_PREVIOUS = "starts_before_previous"
ENDS_BEFORE_PREVIOUS = "ends_before_previous"


def phase_problems(phases: Sequence[DatedPhase], order: Sequence[str]) -> dict[str, Problem]:
    """What is wrong with ``phases`` as a cycle's calendar, keyed ``<index>.<field>`` (the
    index into ``phases``): each kind once and known, each phase ending on or after its
    start, and, in ``order``, each phase starting no earlier than the one before starts
    and ending no earlier than it ends (phases may overlap, never run backwards)."""
    problems: dict[str, Problem] = {}
    seen: dict[str, int] = {}
    for index, phase in enumerate(phases):
        if phase.kind not in order:
            problems[f"{index}.kind"] = (UNKNOWN, "")
        elif phase.kind in seen:
            problems[f"{index}.kind"] = (REPEATED, "")
        seen.setdefault(phase.kind, index)
        if phase.ends_on < phase.starts_on:
            problems[f"{index}.ends_on"] = (ENDS_BEFORE_START, "")
    ranked = sorted(
        ((order.index(p.kind), i, p) for i, p in enumerate(phases) if p.kind in order),
        key=lambda item: item[0],
    )
    for (_r, _i, before), (_rank, index, phase) in pairwise(ranked):
        if phase.starts_on < before.starts_on:
            problems.setdefault(f"{index}.starts_on", (STARTS_BEFORE_PREVIOUS, before.kind))
        if phase.ends_on < before.ends_on:
            problems.setdefault(f"{index}.ends_on", (ENDS_BEFORE_PREVIOUS, before.kind))
    return problems


def deadline(ends_on: date, zone: ZoneInfo) -> datetime:
    """The instant a phase ending on ``ends_on`` closes for someone living in ``zone``:
    midnight at the end of that day, local time."""
    return datetime.combine(ends_on + timedelta(days=1), time.min, tzinfo=zone)


def is_open(now: datetime, *, ends_on: date, zone: ZoneInfo, reopened_until: date | None) -> bool:
    """Whether work for a phase is still accepted at ``now``: before its deadline, or
    before the end of the day HR reopened it until for this person."""
    if now < deadline(ends_on, zone):
        return True
    return reopened_until is not None and now < deadline(reopened_until, zone)
