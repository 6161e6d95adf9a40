"""Reads of check-ins: streaks, the team status and what a check-in reveals to whom."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.http import Http404

from stride.goals.checkins import selectors as sel
from stride.goals.models import Objective
from stride.testing import Cast, check_in, choose_partner, first_kr, make_objective
from stride.testing.clock import NOW, THIS_MONDAY, Clock

pytestmark = pytest.mark.clock


def weeks(*ago: int) -> set[date]:
    return {THIS_MONDAY - timedelta(weeks=n) for n in ago}


def test_a_streak_counts_consecutive_weeks_ending_this_week() -> None:
    assert sel.streak(weeks(0, 1, 2, 4), THIS_MONDAY) == 3


def test_a_streak_still_counts_while_this_weeks_checkin_is_to_come() -> None:
    assert sel.streak(weeks(1, 2), THIS_MONDAY) == 2


def test_a_streak_is_broken_by_a_missed_week() -> None:
    assert sel.streak(weeks(2, 3, 4), THIS_MONDAY) == 0
    assert sel.streak(set(), THIS_MONDAY) == 0


def test_team_status_shows_streaks_last_mood_and_who_checked_in(cast: Cast) -> None:
    for ago, mood in [(0, 5), (1, 4), (2, 3), (4, 1)]:
        check_in(cast, cast.alice, mood=mood, weeks_ago=ago)
    for ago in (1, 2):
        check_in(cast, cast.bob, mood=2, weeks_ago=ago)
    status = sel.team_status(cast.viewer(cast.manager), now=NOW)
    by_name = {m.person.name: m for m in status.members}
    assert list(by_name) == ["Alice Report", "Bob Report"]
    alice, bob = by_name["Alice Report"], by_name["Bob Report"]
    assert (alice.checked_in, alice.streak, alice.last_mood) == (True, 3, 5)
    assert (bob.checked_in, bob.streak, bob.last_mood) == (False, 2, 2)
    assert bob.last_week_label == "2026-W47"
    assert status.checked_in_count == 1


def test_a_streak_longer_than_the_window_is_shown_as_capped(cast: Cast) -> None:
    for ago in range(sel.STREAK_WINDOW_WEEKS + 3):
        check_in(cast, cast.alice, weeks_ago=ago)
    (alice,) = [
        m for m in sel.team_status(cast.viewer(cast.manager), now=NOW).members if m.checked_in
    ]
    assert alice.streak == sel.STREAK_WINDOW_WEEKS
    assert alice.streak_capped


def test_the_mood_trend_is_the_mean_mood_per_week_over_eight_weeks(cast: Cast) -> None:
    check_in(cast, cast.alice, mood=5, weeks_ago=0)
    check_in(cast, cast.bob, mood=2, weeks_ago=0)
    check_in(cast, cast.alice, mood=3, weeks_ago=7)
    check_in(cast, cast.alice, mood=1, weeks_ago=8)  # outside the eight weeks
    trend = sel.team_status(cast.viewer(cast.manager), now=NOW).mood_trend
    assert [w.label for w in trend] == [f"2026-W{n}" for n in range(41, 49)]
    assert [(w.mean, w.count) for w in trend] == [(3.0, 1)] + [(None, 0)] * 6 + [(3.5, 2)]


def test_the_whole_subtree_includes_reports_of_reports(cast: Cast) -> None:
    viewer = cast.viewer(cast.skip)
    direct = {m.person.name for m in sel.team_status(viewer, now=NOW).members}
    everyone = {m.person.name for m in sel.team_status(viewer, now=NOW, whole_subtree=True).members}
    assert "Alice Report" not in direct
    assert {"Mia Manager", "Olga Outsider", "Hana HR"} <= direct
    assert {"Alice Report", "Bob Report"} <= everyone
    assert "Rita Rep" not in everyone


def test_goals_at_risk_are_owner_flagged_missed_or_projected_short(cast: Cast) -> None:
    make_objective(cast, cast.alice, "Risky", status=Objective.Status.AT_RISK)
    make_objective(cast, cast.alice, "Fine but slow")  # 0 % of the way, 61 % of the time gone
    fast = make_objective(cast, cast.bob, "Fast")
    check_in(cast, cast.bob, kr_updates=[{"key_result_id": first_kr(fast).pk, "value": 70}])
    make_objective(
        cast,
        cast.bob,
        "Missed",
        period=(date(2026, 7, 1), date(2026, 11, 1)),  # ended three weeks ago, not reached
    )
    make_objective(cast, cast.outsider, "Not in the team", status=Objective.Status.OFF_TRACK)
    at_risk = sel.team_status(cast.viewer(cast.manager), now=NOW).at_risk
    assert [(r.objective.title, r.health.state, r.reason) for r in at_risk] == [
        ("Missed", "missed", "missed"),
        ("Risky", "at_risk", "owner"),
        ("Fine but slow", "falling_short", "projection"),
    ]


def test_someone_without_reports_gets_an_empty_team(cast: Cast) -> None:
    status = sel.team_status(cast.viewer(cast.alice), now=NOW)
    assert status.members == [] and status.at_risk == [] and not status.has_mood_data


def test_a_partner_sees_the_checkin_but_not_key_results_of_private_objectives(
    cast: Cast,
) -> None:
    choose_partner(cast, cast.alice, cast.salesmanager)
    public = first_kr(make_objective(cast, cast.alice, "Public goal"))
    secret = first_kr(
        make_objective(cast, cast.alice, "Secret goal", visibility=Objective.Visibility.PRIVATE)
    )
    checkin = check_in(
        cast,
        cast.alice,
        kr_updates=[
            {"key_result_id": public.pk, "value": 10},
            {"key_result_id": secret.pk, "value": 20},
        ],
    )
    seen_by_partner = sel.checkin_detail_for_viewer(cast.viewer(cast.salesmanager), checkin.pk)
    assert [u.key_result_id for u in sel.reported_updates(seen_by_partner)] == [public.pk]
    seen_by_manager = sel.checkin_detail_for_viewer(cast.viewer(cast.manager), checkin.pk)
    assert {u.key_result_id for u in sel.reported_updates(seen_by_manager)} == {
        public.pk,
        secret.pk,
    }


@pytest.mark.parametrize("who", ["bob", "outsider", "rep"])
def test_people_outside_the_circle_cannot_fetch_a_checkin(cast: Cast, who: str) -> None:
    checkin = check_in(cast, cast.alice)
    with pytest.raises(Http404):
        sel.checkin_detail_for_viewer(cast.viewer(getattr(cast, who)), checkin.pk)


def test_the_form_lists_key_results_of_active_objectives_with_the_last_confidence(
    cast: Cast, clock: Clock
) -> None:
    clock.move_to(NOW - timedelta(weeks=3))
    active = make_objective(cast, cast.alice, "Active")
    make_objective(cast, cast.alice, "Last year", period=(date(2025, 1, 1), date(2025, 12, 31)))
    make_objective(cast, cast.bob, "Bob's")
    kr = first_kr(active)
    clock.move_to(NOW - timedelta(weeks=1))
    check_in(cast, cast.alice, kr_updates=[{"key_result_id": kr.pk, "value": 12, "confidence": 6}])
    clock.move_to(NOW)
    viewer = cast.viewer(cast.alice)
    rows = sel.checkin_form_rows(viewer, sel.week_context(viewer, NOW))
    assert [(r.key_result.pk, r.key_result.current, r.confidence) for r in rows] == [(kr.pk, 12, 6)]
