"""Goal arithmetic, free of Django so it can be tested and reused anywhere."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal


def clamp_progress(*, start: Decimal, target: Decimal, current: Decimal) -> float:
    """``(current − start) / (target − start)`` clamped to [0, 1].

    Works for decreasing targets (target < start) because numerator and denominator change
    sign together. A key result whose target equals its start counts as reached only when
    current equals it."""
    span = target - start
    if span == 0:
        return 1.0 if current == target else 0.0
    return float(min(Decimal(1), max(Decimal(0), (current - start) / span)))


def expected_progress(*, period_start: date, period_end: date, on: date) -> float:
    """Where a steadily advancing goal would stand on ``on``: elapsed share of the period."""
    total = (period_end - period_start).days
    if total <= 0:
        return 1.0 if on >= period_end else 0.0
    elapsed = (on - period_start).days
    return min(1.0, max(0.0, elapsed / total))


def project_value(history: Sequence[tuple[datetime, Decimal]], *, at: datetime) -> Decimal | None:
    """Project the value at ``at`` from a least-squares line through the history.

    Returns None with fewer than two points in time (no pace can be known)."""
    if len(history) < 2:
        return None
    t0 = history[0][0]
    xs = [(when - t0).total_seconds() / 86400 for when, _ in history]
    ys = [float(value) for _, value in history]
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
