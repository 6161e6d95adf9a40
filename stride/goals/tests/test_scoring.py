"""Goal arithmetic: progress, weights, status, pace, projections and periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from stride.lib.scoring import (
    GRACE_DAYS,
    RISK_MARGIN,
    Health,
    KeyResultPace,
    clamp_progress,
    effective_status,
    expected_progress,
    key_result_expected,
    objective_health,
    pace,
    parse_period,
    period_choices,
    project_value,
    quarter,
    shift_quarter,
    weighted_progress,
)

D = Decimal


def test_progress_is_the_share_of_the_way_from_start_to_target() -> None:
    assert clamp_progress(start=D(0), target=D(200), current=D(50)) == 0.25
    assert clamp_progress(start=D(100), target=D(200), current=D(150)) == 0.5


def test_progress_works_for_targets_that_go_down() -> None:
    # Bring open bugs down from 50 to 10: at 30 we are half-way.
    assert clamp_progress(start=D(50), target=D(10), current=D(30)) == 0.5
    assert clamp_progress(start=D(50), target=D(10), current=D(10)) == 1.0


@pytest.mark.parametrize(
    ("start", "target", "current", "expected"),
    [
        (0, 100, 150, 1.0),  # overshooting counts as done, not 150 %
        (0, 100, -20, 0.0),  # going backwards counts as nothing, not negative
        (50, 10, 70, 0.0),  # a decreasing target moving the wrong way
        (50, 10, 0, 1.0),  # ... and beyond its target
    ],
)
def test_progress_is_clamped_to_between_nothing_and_done(
    start: int, target: int, current: int, expected: float
) -> None:
    assert clamp_progress(start=D(start), target=D(target), current=D(current)) == expected


def test_a_zero_span_counts_as_done_only_when_the_value_is_there() -> None:
    assert clamp_progress(start=D(5), target=D(5), current=D(5)) == 1.0
    assert clamp_progress(start=D(5), target=D(5), current=D(4)) == 0.0


def test_objective_progress_weighs_each_key_result() -> None:
    # One key result done (weight 3), one at nothing (weight 1): three quarters there.
    assert weighted_progress([(D(3), 1.0), (D(1), 0.0)]) == 0.75
    assert weighted_progress([(D(1), 0.5), (D(1), 0.25)]) == 0.375


def test_an_objective_without_key_results_has_no_progress() -> None:
    assert weighted_progress([]) == 0.0
    assert weighted_progress([(D(0), 1.0)]) == 0.0


def test_a_goal_fully_progressed_is_achieved_even_before_its_end() -> None:
    status = effective_status(
        progress=1.0, status="at_risk", period_end=date(2026, 6, 30), today=date(2026, 5, 1)
    )
    assert status == "achieved"


def test_a_goal_past_its_period_and_not_reached_is_missed_not_in_progress() -> None:
    status = effective_status(
        progress=0.9, status="on_track", period_end=date(2026, 6, 30), today=date(2026, 7, 1)
    )
    assert status == "missed"


def test_a_running_goal_keeps_its_owners_reading() -> None:
    status = effective_status(
        progress=0.4, status="at_risk", period_end=date(2026, 6, 30), today=date(2026, 6, 30)
    )
    assert status == "at_risk"


def test_expected_progress_is_the_elapsed_share_of_the_period() -> None:
    start, end = date(2026, 4, 1), date(2026, 6, 30)  # 90 days
    assert expected_progress(period_start=start, period_end=end, on=start) == 0.0
    assert expected_progress(period_start=start, period_end=end, on=date(2026, 5, 16)) == 0.5
    assert expected_progress(period_start=start, period_end=end, on=end) == 1.0


def test_expected_progress_stays_within_the_period() -> None:
    start, end = date(2026, 4, 1), date(2026, 6, 30)
    assert expected_progress(period_start=start, period_end=end, on=date(2026, 1, 1)) == 0.0
    assert expected_progress(period_start=start, period_end=end, on=date(2027, 1, 1)) == 1.0


def test_a_one_day_period_is_expected_done_on_its_day() -> None:
    day = date(2026, 4, 1)
    assert expected_progress(period_start=day, period_end=day, on=day) == 1.0
    assert expected_progress(period_start=day, period_end=day, on=date(2026, 3, 31)) == 0.0


def test_pace_compares_progress_with_the_expected_share() -> None:
    assert pace(actual=0.7, expected=0.5) == "ahead"
    assert pace(actual=0.52, expected=0.5) == "on_pace"
    assert pace(actual=0.2, expected=0.5) == "behind"


def test_a_steady_history_projects_its_line_to_the_end() -> None:
    t0 = datetime(2026, 4, 1, tzinfo=UTC)
    # Ten a week, every week.
    history = [(t0 + timedelta(weeks=w), D(10 * w)) for w in range(5)]
    projected = project_value(history, at=t0 + timedelta(weeks=13))
    assert projected == D(130)


def test_a_projection_follows_a_decreasing_value_too() -> None:
    t0 = datetime(2026, 4, 1, tzinfo=UTC)
    history = [(t0, D(50)), (t0 + timedelta(days=10), D(40)), (t0 + timedelta(days=20), D(30))]
    assert project_value(history, at=t0 + timedelta(days=40)) == D(10)


def test_a_noisy_history_projects_the_best_fitting_line() -> None:
    t0 = datetime(2026, 4, 1, tzinfo=UTC)
    history = [(t0, D(0)), (t0 + timedelta(days=1), D(2)), (t0 + timedelta(days=2), D(2))]
    # Least squares through (0,0), (1,2), (2,2): y = 1/3 + x.
    assert project_value(history, at=t0 + timedelta(days=3)) == D("3.3333")


def test_no_projection_without_enough_history() -> None:
    t0 = datetime(2026, 4, 1, tzinfo=UTC)
    assert project_value([], at=t0) is None
    assert project_value([(t0, D(1))], at=t0 + timedelta(days=5)) is None
    # Two values typed a minute apart say nothing about a quarter.
    burst = [(t0, D(0)), (t0 + timedelta(minutes=1), D(10))]
    assert project_value(burst, at=t0 + timedelta(days=90)) is None


def test_quarters_run_from_the_first_to_the_last_day_of_three_months() -> None:
    q = quarter(date(2026, 5, 13))
    assert (q.key, q.start, q.end) == ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30))
    q4 = quarter(date(2026, 12, 31))
    assert (q4.start, q4.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert shift_quarter(date(2026, 10, 1), 1) == date(2027, 1, 1)
    assert shift_quarter(date(2026, 1, 1), -1) == date(2025, 10, 1)


def test_a_period_key_names_a_quarter_or_everything_active() -> None:
    today = date(2026, 5, 13)
    assert parse_period("2025-Q4", today=today).start == date(2025, 10, 1)
    assert parse_period("active", today=today).start is None
    # Anything unknown falls back to the current quarter rather than failing.
    for junk in (None, "", "2026-Q5", "x-Q1", "99999-Q1"):
        assert parse_period(junk, today=today).key == "2026-Q2"


def test_the_period_picker_offers_this_next_active_and_earlier_quarters() -> None:
    keys = [p.key for p in period_choices(today=date(2026, 5, 13), back=2)]
    assert keys == ["2026-Q2", "2026-Q3", "active", "2026-Q1", "2025-Q4"]


# --- the health rule ------------------------------------------------------------------------

Q4 = (date(2026, 10, 1), date(2026, 12, 31))


def health(*krs: tuple[float, date], status: str = "on_track", today: date) -> Health:
    return objective_health(
        key_results=[KeyResultPace(weight=D(1), progress=p, set_up=day) for p, day in krs],
        status=status,
        period_start=Q4[0],
        period_end=Q4[1],
        today=today,
    )


def test_a_key_result_is_paced_from_the_day_it_was_set_up_not_the_period_start() -> None:
    # Set up on 16 November: 45 days to go; on 25 November 9 of them have passed.
    kr_day = date(2026, 11, 16)
    assert key_result_expected(
        set_up=kr_day, period_start=Q4[0], period_end=Q4[1], on=date(2026, 11, 25)
    ) == pytest.approx(9 / 45)
    # Set up before the period: paced from the period's start.
    assert key_result_expected(
        set_up=date(2026, 9, 20), period_start=Q4[0], period_end=Q4[1], on=date(2026, 11, 25)
    ) == pytest.approx(55 / 91)


def test_a_key_result_set_up_today_is_exactly_on_pace_even_on_the_last_day() -> None:
    for day in (date(2026, 11, 25), Q4[1]):
        assert key_result_expected(set_up=day, period_start=Q4[0], period_end=Q4[1], on=day) == 0


def test_an_objective_set_up_today_mid_quarter_is_too_early_to_tell_and_not_at_risk() -> None:
    today = date(2026, 11, 25)
    reading = health((0.0, today), today=today)
    assert (reading.reading, reading.expected, reading.at_risk) == ("too_early", 0.0, False)
    # Still too early six days on, with nothing done; readable on the seventh.
    assert health((0.0, today), today=today + timedelta(days=6)).reading == "too_early"
    later = health((0.0, today), today=today + timedelta(days=7))
    assert (later.reading, later.at_risk, later.reason) == ("behind", True, "projection")


def test_the_owners_word_makes_a_goal_at_risk_even_when_too_early_to_tell() -> None:
    today = date(2026, 11, 25)
    for status in ("at_risk", "off_track"):
        reading = health((0.0, today), status=status, today=today)
        assert (reading.reading, reading.at_risk, reading.reason) == ("too_early", True, "owner")


def test_at_risk_starts_just_below_the_margin() -> None:
    # Ten of the twenty days gone: expected 50 %. At 42.5 % the steady rate ends at exactly
    # 85 % of the target (1 − RISK_MARGIN): not at risk; at 42 % it ends at 84 %: at risk.
    start, end = date(2026, 10, 1), date(2026, 10, 21)

    def at(progress: float) -> Health:
        return objective_health(
            key_results=[KeyResultPace(weight=D(1), progress=progress, set_up=start)],
            status="on_track",
            period_start=start,
            period_end=end,
            today=date(2026, 10, 11),
        )

    assert RISK_MARGIN == 0.15 and GRACE_DAYS == 7
    inside, outside = at(0.425), at(0.42)
    assert (inside.projected, inside.at_risk, inside.reading) == (0.85, False, "behind")
    assert (outside.projected, outside.at_risk, outside.reason) == (0.84, True, "projection")


def test_the_projection_weighs_each_readable_key_result_and_leaves_out_young_ones() -> None:
    today = date(2026, 11, 25)
    # One key result done, one at half its expected share, one set up two days ago.
    reading = health((1.0, Q4[0]), (0.3, Q4[0]), (0.0, today - timedelta(days=2)), today=today)
    assert reading.projected == pytest.approx((1.0 + 0.3 / (55 / 91)) / 2)
    assert reading.expected == pytest.approx((55 / 91 + 55 / 91 + 2 / 38) / 3)


def test_closed_goals_have_no_reading_and_only_a_miss_is_at_risk() -> None:
    done = health((1.0, Q4[0]), today=date(2026, 11, 25))
    assert (done.status, done.reading, done.at_risk) == ("achieved", None, False)
    missed = health((0.5, Q4[0]), today=date(2027, 1, 2))
    assert (missed.status, missed.reading, missed.at_risk, missed.reason) == (
        "missed",
        None,
        True,
        "missed",
    )
    assert missed.expected == 1.0


def test_a_goal_whose_period_is_still_to_come_is_not_read() -> None:
    early = health((0.0, date(2026, 9, 25)), today=date(2026, 9, 28))
    assert (early.reading, early.at_risk, early.expected) == (None, False, 0.0)


def test_a_milestone_not_yet_done_counts_in_pace_but_in_no_projection() -> None:
    today = date(2026, 11, 25)
    milestone = KeyResultPace(weight=D(1), progress=0.0, set_up=Q4[0], projectable=False)
    on_pace = KeyResultPace(weight=D(1), progress=0.6, set_up=Q4[0])
    reading = objective_health(
        key_results=[milestone, on_pace],
        status="on_track",
        period_start=Q4[0],
        period_end=Q4[1],
        today=today,
    )
    assert reading.reading == "behind"  # 30 % done where 60 % was expected
    assert reading.projected == pytest.approx(0.6 / (55 / 91))  # the milestone left out
    assert not reading.at_risk
    only = objective_health(
        key_results=[milestone],
        status="on_track",
        period_start=Q4[0],
        period_end=Q4[1],
        today=today,
    )
    assert (only.reading, only.projected, only.at_risk) == ("behind", None, False)
