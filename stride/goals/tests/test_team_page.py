"""The manager's team page: who checked in this week, streaks, goals at risk, mood trend."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import plotly.graph_objects as go
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stride.goals.models import Objective
from stride.org import services as org
from stride.org.models import Person
from stride.testing import Cast, check_in, first_kr, make_objective
from stride.testing.clock import NOW, Clock

TEAM = reverse("goals:team_checkins")


pytestmark = pytest.mark.clock


def row_of(html: str, name: str) -> str:
    # The name is a link to the person's profile.
    match = re.search(
        rf"<tr>\s*<th scope=\"row\"><a href=\"[^\"]+\">{re.escape(name)}</a>.*?</tr>", html, re.S
    )
    assert match is not None, f"no row for {name}"
    return match.group(0)


def test_the_manager_sees_who_checked_in_this_week_with_links(cast: Cast) -> None:
    alices = check_in(cast, cast.alice, mood=5)
    check_in(cast, cast.bob, weeks_ago=1, mood=2)
    response = cast.client(cast.manager).get(TEAM)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 of 2 people have checked in this week." in html
    alice = row_of(html, "Alice Report")
    assert reverse("goals:checkin_detail", args=[alices.pk]) in alice
    assert "Checked in (2026-W48)" in alice
    assert "5/5" in alice
    bob = row_of(html, "Bob Report")
    assert "Not yet" in bob
    assert "last: 2026-W47" in bob
    assert "2/5" in bob


def test_the_manager_sees_streaks(cast: Cast) -> None:
    for ago in (0, 1, 2, 3):
        check_in(cast, cast.alice, weeks_ago=ago)
    for ago in (1, 3, 4):
        check_in(cast, cast.bob, weeks_ago=ago)
    html = cast.client(cast.manager).get(TEAM).content.decode()
    assert "4 weeks" in row_of(html, "Alice Report")
    assert "1 week<" in row_of(html, "Bob Report")


def test_the_mood_trend_is_a_plotly_chart_with_a_table_alternative(cast: Cast) -> None:
    check_in(cast, cast.alice, mood=5)
    check_in(cast, cast.bob, mood=2)
    check_in(cast, cast.alice, mood=3, weeks_ago=1)
    html = cast.client(cast.manager).get(TEAM).content.decode()
    assert '<script src="/static/vendor/plotly/plotly.min.js' in html
    assert '<script src="/static/stride/charts.js' in html  # draws it (no inline script)
    data = re.search(
        r'<script type="application/json" id="mood-trend-chart-data">(.*?)</script>', html, re.S
    )
    assert data is not None
    figure = json.loads(data.group(1))
    (trace,) = figure["data"]
    assert trace["x"][-2:] == ["2026-W47", "2026-W48"]
    assert trace["y"][-2:] == [3.0, 3.5]
    assert len(trace["x"]) == 8
    # Exactly what plotly's graph objects write for this trace and layout with the
    # "plotly_white" template (the page writes the data directly, which is much faster).
    reference = go.Figure(
        data=figure["data"], layout={**figure["layout"], "template": "plotly_white"}
    )
    assert json.loads(reference.to_json()) == figure
    table = html[html.index("Mean mood per week") :]
    assert re.search(r"<th scope=\"row\">2026-W48</th>\s*<td>3.5</td>\s*<td>2</td>", table)
    assert re.search(r"<th scope=\"row\">2026-W47</th>\s*<td>3.0</td>\s*<td>1</td>", table)


def test_without_any_checkin_there_is_no_chart_but_the_table_remains(cast: Cast) -> None:
    html = cast.client(cast.manager).get(TEAM).content.decode()
    assert "plotly.min.js" not in html
    assert "Mean mood per week" in html
    assert "0 of 2 people have checked in this week." in html


def test_the_manager_sees_goals_at_risk_including_private_ones(cast: Cast) -> None:
    make_objective(cast, cast.alice, "Secret but risky", visibility="private", status="at_risk")
    make_objective(cast, cast.bob, "Slow starter")  # nothing done, 60 % of the quarter gone
    healthy = make_objective(cast, cast.bob, "Healthy")
    check_in(cast, cast.bob, kr_updates=[{"key_result_id": first_kr(healthy).pk, "value": 90}])
    make_objective(cast, cast.outsider, "Elsewhere", status=Objective.Status.OFF_TRACK)
    html = cast.client(cast.manager).get(TEAM).content.decode()
    risks = html[html.index("Goals at risk") : html.index("Mood over the last")]
    assert "Secret but risky" in risks and "The owner says “At risk”." in risks
    assert "Slow starter" in risks and "On track, but projected to fall short" in risks
    # Nothing done with 60 % of the quarter gone: the list says why it is there.
    assert "it would reach 0% of the target by the period end (at risk below 85%)" in risks
    assert "Healthy" not in risks
    assert "Elsewhere" not in risks


def test_the_skip_level_sees_the_whole_subtree_with_the_toggle(cast: Cast) -> None:
    check_in(cast, cast.alice)
    client = cast.client(cast.skip)
    direct = client.get(TEAM).content.decode()
    assert "Mia Manager" in direct and "Alice Report" not in direct
    everyone = client.get(TEAM, {"scope": "subtree"}).content.decode()
    assert "Alice Report" in everyone and "Bob Report" in everyone
    assert "Rita Rep" not in everyone
    assert 'aria-current="page">Everyone below me' in everyone


@pytest.mark.parametrize("who", ["alice", "rep", "hr"])
def test_someone_without_reports_gets_a_friendly_empty_page(cast: Cast, who: str) -> None:
    check_in(cast, cast.bob)
    response = cast.client(getattr(cast, who)).get(TEAM)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No one reports to you" in html
    assert "Bob Report" not in html


def test_people_who_left_are_not_listed(cast: Cast) -> None:
    Person.objects.filter(pk=cast.bob.pk).update(status=Person.Status.LEFT)
    html = cast.client(cast.manager).get(TEAM).content.decode()
    assert "Bob Report" not in html
    assert "Alice Report" in html


def _grow_team(cast: Cast, reports: int, weeks: int) -> None:
    for n in range(reports):
        person = org.person_create(
            actor=None,
            name=f"Extra Report {n}",
            email=f"extra{n}@example.com",
            team=cast.product,
            manager=cast.manager,
            time_zone=["Asia/Tokyo", "America/Los_Angeles", "UTC"][n % 3],
        )
        make_objective(cast, person, f"Goal {n}", status="at_risk")
        for ago in range(weeks):
            check_in(cast, person, mood=1 + (n + ago) % 5, weeks_ago=ago)


@pytest.mark.parametrize("scope", ["", "subtree"])
def test_the_team_page_needs_the_same_queries_for_a_bigger_team_and_longer_history(
    cast: Cast, django_assert_max_num_queries: Any, scope: str
) -> None:
    make_objective(cast, cast.alice, "Alice's goal", status="off_track")
    check_in(cast, cast.alice)
    client = cast.client(cast.skip if scope else cast.manager)
    with CaptureQueriesContext(connection) as small:
        assert client.get(TEAM, {"scope": scope}).status_code == 200
    baseline = len(small)  # read now: every request clears the connection's query log
    assert baseline <= 10
    _grow_team(cast, reports=6, weeks=30)
    with django_assert_max_num_queries(baseline):
        html = client.get(TEAM, {"scope": scope}).content.decode()
    assert "Extra Report 5" in html
    assert "26+ weeks" in html  # the streak window caps what one query reads


def test_members_in_far_zones_are_judged_by_their_own_week(cast: Cast, clock: Clock) -> None:
    tokyo = org.person_create(
        actor=None,
        name="Taro Tokyo",
        email="taro@example.com",
        team=cast.product,
        manager=cast.manager,
        time_zone="Asia/Tokyo",
    )
    # Sunday 22:00 UTC: Monday 07:00 in Tokyo (a new week), Sunday 17:00 in New York.
    sunday_night = NOW + timedelta(days=4, hours=10)
    clock.move_to(sunday_night - timedelta(hours=1))
    check_in(cast, cast.bob)
    check_in(cast, tokyo)  # Monday 06:00 in Tokyo: already week 49 for Taro
    clock.move_to(sunday_night)
    html = cast.client(cast.manager).get(TEAM).content.decode()
    assert "Checked in (2026-W48)" in row_of(html, "Bob Report")
    assert "Checked in (2026-W49)" in row_of(html, "Taro Tokyo")
