"""Goal arithmetic, free of Django so it can be tested and reused anywhere.

- key-result progress: ``(current − start) / (target − start)`` clamped to [0, 1];
- objective progress: the weight-normalised mean of its key results' progress;
- expected progress: the elapsed share of the period (a steadily advancing goal);
- health: the one rule every page and the API apply to say whether a goal is on pace and
  whether it is at risk (``objective_health``, see its docstring for the invariants);
- projection: a least-squares line through the value history, read at the period's end;
- periods: calendar quarters, the unit goals are usually set for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

# Achieved and missed are derived from progress and the calendar, not only typed in.
ACHIEVED = "achieved"
MISSED = "missed"

Pace = Literal["ahead", "on_pace", "behind"]
# Within this distance of the expected progress a goal counts as on pace.
PACE_TOLERANCE = 0.05


def clamp_progress(*, start: Decimal, target: Decimal, current: Decimal) -> float:
    """``(current − start) / (target − start)`` clamped to [0, 1].

    Works for decreasing targets (target < start) because numerator and denominator change
    sign together. A key result whose target equals its start counts as reached only when
    current equals it."""
    span = target - start
    if span == 0:
        return 1.0 if current == target else 0.0
    return float(min(Decimal(1), max(Decimal(0), (current - start) / span)))


def weighted_progress(parts: Iterable[tuple[Decimal, float]]) -> float:
    """The weight-normalised mean of ``(weight, progress)`` pairs; 0 when there are none
    or the weights add up to nothing."""
    pairs = list(parts)
    total = sum((weight for weight, _ in pairs), Decimal(0))
    if not pairs or total <= 0:
        return 0.0
    return float(sum((w * Decimal(str(p)) for w, p in pairs), Decimal(0)) / total)


def effective_status(*, progress: float, status: str, period_end: date, today: date) -> str:
    """Achieved once fully progressed; missed when the period is over and it was not;
    otherwise the owner's own reading (the rule ``Objective.effective_status`` applies)."""
    if progress >= 1.0 or status == ACHIEVED:
        return ACHIEVED
    if today > period_end or status == MISSED:
        return MISSED
    return status


def expected_progress(*, period_start: date, period_end: date, on: date) -> float:
    """Where a steadily advancing goal would stand on ``on``: elapsed share of the period."""
    total = (period_end - period_start).days
    if total <= 0:
        return 1.0 if on >= period_end else 0.0
    elapsed = (on - period_start).days
    return min(1.0, max(0.0, elapsed / total))


def pace(*, actual: float, expected: float, tolerance: float = PACE_TOLERANCE) -> Pace:
    """Ahead of, on, or behind the pace a steadily advancing goal would keep."""
    if actual > expected + tolerance:
        return "ahead"
    if actual < expected - tolerance:
        return "behind"
    return "on_pace"


# --- health: one rule for pace and risk ---------------------------------------------------

Reading = Literal["too_early", "ahead", "on_pace", "behind"]
RiskReason = Literal["owner", "missed", "projection"]
# For this many days after a key result is set up (or after its period starts, if it was
# set up earlier) its pace says too little to read: its objective is "too early to tell"
# until at least one of its key results is older, and it counts in no projection.
GRACE_DAYS = 7
# At risk by the numbers: at the steady rate kept since set-up, the objective would end its
# period below 1 − RISK_MARGIN of its target (85 %).
RISK_MARGIN = 0.15
# The owner's own readings that make a goal at risk whatever the numbers say.
OWNER_RISKY = frozenset({"at_risk", "off_track"})


@dataclass(frozen=True)
class KeyResultPace:
    """What the rule needs of one key result: weight, progress now, day it was set up, and
    whether it advances by degrees (a milestone is done or not yet: no rate to carry on)."""

    weight: Decimal
    progress: float
    set_up: date
    projectable: bool = True


@dataclass(frozen=True)
class Health:
    """The computed reading of one objective (``objective_health``)."""

    status: str  # the effective status: the owner's reading, or achieved / missed
    progress: float
    expected: float
    reading: Reading | None  # None while the period has not started, or once closed
    projected: float | None  # share of the target reached at period end at today's rate
    at_risk: bool
    reason: RiskReason | None


def key_result_expected(*, set_up: date, period_start: date, period_end: date, on: date) -> float:
    """Where a key result set up on ``set_up`` would stand on ``on`` at a steady pace:
    the elapsed share of the span from its set-up (or the period start, if later) to the
    period end. A key result set up today is expected at 0: exactly on pace; once the
    period is over every key result was expected done."""
    begin = min(max(set_up, period_start), period_end)
    if on <= begin:
        return 0.0
    return expected_progress(period_start=begin, period_end=period_end, on=on)


def objective_health(
    *,
    key_results: Sequence[KeyResultPace],
    status: str,
    period_start: date,
    period_end: date,
    today: date,
) -> Health:
    """The one health rule. Invariants:

    - pace is measured per key result from its set-up day (``key_result_expected``); the
      objective's expected progress is the weight-normalised mean, like its progress;
    - a key result set up today is exactly on pace; an objective none of whose key results
      is ``GRACE_DAYS`` past its set-up (or period start) reads "too early to tell";
    - ``reading`` compares progress with expected progress within ``PACE_TOLERANCE``;
    - the projection is each readable key result's steady rate since set-up carried to the
      period end (``progress / expected``, capped at 1), weight-averaged; milestones (done
      or not yet) have no rate and count in no projection;
    - at risk ⇔ the owner says at risk or off track, or the goal is missed, or (readable
      and still open) the projection is below ``1 − RISK_MARGIN``; a goal too early to
      tell is never at risk by computation, an achieved one never at risk.
    """
    progress = weighted_progress((kr.weight, kr.progress) for kr in key_results)
    effective = effective_status(
        progress=progress, status=status, period_end=period_end, today=today
    )
    expected_of = [
        key_result_expected(
            set_up=kr.set_up, period_start=period_start, period_end=period_end, on=today
        )
        for kr in key_results
    ]
    expected = weighted_progress(
        (kr.weight, e) for kr, e in zip(key_results, expected_of, strict=True)
    )
    if effective == ACHIEVED:
        return Health(effective, progress, expected, None, None, False, None)
    if effective == MISSED:
        return Health(effective, progress, expected, None, None, True, "missed")
    owner_says = status in OWNER_RISKY
    if today < period_start:
        reason: RiskReason | None = "owner" if owner_says else None
        return Health(effective, progress, 0.0, None, None, owner_says, reason)
    readable = [
        (kr, e)
        for kr, e in zip(key_results, expected_of, strict=True)
        if (today - max(kr.set_up, period_start)).days >= GRACE_DAYS and e > 0
    ]
    if not readable:
        reason = "owner" if owner_says else None
        return Health(effective, progress, expected, "too_early", None, owner_says, reason)
    rates = [(kr.weight, min(1.0, kr.progress / e)) for kr, e in readable if kr.projectable]
    projected = weighted_progress(rates) if rates else None
    falls_short = projected is not None and projected < 1 - RISK_MARGIN
    reason = "owner" if owner_says else "projection" if falls_short else None
    return Health(
        effective,
        progress,
        expected,
        pace(actual=progress, expected=expected),
        projected,
        reason is not None,
        reason,
    )


def project_value(
    history: Sequence[tuple[datetime, Decimal]],
    *,
    at: datetime,
    min_span_days: float = 1.0,
) -> Decimal | None:
    """Project the value at ``at`` from a least-squares line through the history.

    Returns None when no pace can be known: fewer than two points, or points that span
    less than ``min_span_days`` (two values typed a minute apart say nothing about a
    quarter, and their slope would project absurd numbers)."""
    if len(history) < 2:
        return None
    t0 = history[0][0]
    xs = [(when - t0).total_seconds() / 86400 for when, _ in history]
    ys = [float(value) for _, value in history]
    if max(xs) - min(xs) < min_span_days:
        return None
    n = len(xs)
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    var_x = sum((x - mean_x) ** 2 for x in xs)
    if var_x == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var_x
    intercept = mean_y - slope * mean_x
    x_at = (at - t0).total_seconds() / 86400
    return Decimal(str(round(intercept + slope * x_at, 4)))


# --- periods --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A span of dates goals are listed for. ``key`` is what a URL carries: ``2026-Q2`` for
    a quarter, ``active`` for every goal whose period has not ended (``start`` is None)."""

    key: str
    start: date | None
    end: date | None

    @property
    def is_quarter(self) -> bool:
        return self.start is not None

    @property
    def label(self) -> str:
        if self.start is None:
            return self.key
        return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"


ACTIVE = "active"


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def shift_quarter(start: date, quarters: int) -> date:
    """The first day of the quarter ``quarters`` after (or before) the one ``start`` is in."""
    index = start.year * 4 + (start.month - 1) // 3 + quarters
    return date(index // 4, 3 * (index % 4) + 1, 1)


def quarter(day: date) -> Period:
    """The calendar quarter ``day`` falls in."""
    start = quarter_start(day)
    end = shift_quarter(start, 1) - timedelta(days=1)
    return Period(key=f"{start.year}-Q{(start.month - 1) // 3 + 1}", start=start, end=end)


def parse_period(key: str | None, *, today: date) -> Period:
    """``2026-Q2`` → that quarter; ``active`` → every goal not yet over; anything else
    (including nothing) → the quarter ``today`` is in."""
    if key == ACTIVE:
        return Period(key=ACTIVE, start=None, end=None)
    if key:
        year, sep, number = key.partition("-Q")
        if sep and year.isdigit() and number in {"1", "2", "3", "4"} and 1900 < int(year) < 3000:
            return quarter(date(int(year), 3 * (int(number) - 1) + 1, 1))
    return quarter(today)


def period_choices(*, today: date, back: int = 4) -> list[Period]:
    """The periods a goal list offers: this quarter, next quarter, everything active, and
    the ``back`` quarters before this one."""
    this = quarter_start(today)
    choices = [quarter(this), quarter(shift_quarter(this, 1)), Period(ACTIVE, None, None)]
    choices += [quarter(shift_quarter(this, -n)) for n in range(1, back + 1)]
    return choices
