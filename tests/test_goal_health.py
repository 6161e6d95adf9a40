"""One story about a goal's health on every page that shows it, on the team page and in the
API (issue 6, item 3): the same badge, the same words, the same "at risk".

The clock stands on 25 November, day 56 of the quarter (1 October … 31 December): a key
result set up on 1 October is expected at 55/91 ≈ 60 % of the way; at risk means the rate
kept since set-up would end the quarter below 85 % of the target, so below about 51.4 %
today (``stride.lib.scoring``)."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from stride.goals.models import Objective
from stride.testing import Cast, first_kr, make_objective, record

pytestmark = pytest.mark.clock

TEAM_PAGE = reverse("goals:team_checkins")

# Every page that shows an objective's health, as (name, who looks, address).
PAGES: list[tuple[str, str, Callable[[Cast, Objective], str]]] = [
    ("my goals", "alice", lambda c, o: reverse("goals:my_goals")),
    ("person goals", "manager", lambda c, o: reverse("goals:person_goals", args=[c.alice.pk])),
    ("team goals", "bob", lambda c, o: f"{reverse('goals:team_goals')}?team={c.product.pk}"),
    ("company goals", "alice", lambda c, o: reverse("goals:alignment")),
    ("objective detail", "manager", lambda c, o: reverse("goals:objective_detail", args=[o.pk])),
]


def team_goal(cast: Cast, *, status: str = "on_track", now: bool = False) -> Objective:
    """Alice's team objective (shown on all the pages above), one key result 0 → 100."""
    return make_objective(
        cast,
        cast.alice,
        "Ship the new onboarding",
        level=Objective.Level.TEAM,
        team=cast.product,
        status=status,
        key_results=[{"title": "Teams onboarded", "start": 0, "target": 100}],
        created_at=None if now else "period start",
    )


def pages(cast: Cast, objective: Objective) -> dict[str, str]:
    out = {}
    for name, who, url in PAGES:
        response = cast.client(getattr(cast, who)).get(url(cast, objective))
        assert response.status_code == 200, name
        out[name] = html_lib.unescape(response.content.decode())
    return out


def api_health(cast: Cast, objective: Objective) -> dict[str, Any]:
    client = cast.client(cast.manager)
    one = client.get(f"/api/v1/objectives/{objective.pk}").json()
    listed = client.get("/api/v1/objectives", {"owner_id": cast.alice.pk}).json()["results"]
    assert [o["health"] for o in listed if o["id"] == objective.pk] == [one["health"]]
    return one["health"]  # type: ignore[no-any-return]


def risk_section(cast: Cast) -> str:
    page = html_lib.unescape(cast.client(cast.manager).get(TEAM_PAGE).content.decode())
    return page[page.index("Goals at risk") : page.index("Mood over the last")]


def badge(state: str, label: str, tone: str) -> str:
    return f'<span class="badge health-{tone}" data-health="{state}">{label}</span>'


def test_an_objective_created_today_mid_quarter_is_too_early_to_tell_everywhere(
    cast: Cast,
) -> None:
    objective = team_goal(cast, now=True)
    shown = pages(cast, objective)
    for name, html in shown.items():
        assert badge("too_early", "On track · too early to tell", "neutral") in html, name
        assert "behind" not in html.lower(), name
        assert "at risk" not in html.lower().replace("goals at risk", ""), name
    assert "Set up on 25 Nov 2026: its pace counts from then." in shown["objective detail"]
    # The chart's expected-pace line starts where the badge's pace does: today.
    figure = re.search(
        rf'<script type="application/json" id="chart-objective-{objective.pk}-data">(.*?)</script>',
        shown["my goals"],
    )
    assert figure is not None
    line = json.loads(figure.group(1))["data"][0]
    assert (line["name"], line["x"]) == ("Expected pace", ["2026-11-25", "2026-12-31"])
    health = api_health(cast, objective)
    assert (health["state"], health["reading"], health["at_risk"]) == (
        "too_early",
        "too_early",
        False,
    )
    assert health["expected_progress"] == 0.0 and health["projected_progress"] is None
    risks = risk_section(cast)
    assert "Ship the new onboarding" not in risks
    assert "No goal of these people is at risk" in risks


def test_an_objective_its_owner_marks_at_risk_is_at_risk_everywhere(cast: Cast) -> None:
    objective = team_goal(cast, status="at_risk")
    record(cast, cast.alice, first_kr(objective), 70)  # ahead of the 60 % expected
    for name, html in pages(cast, objective).items():
        assert badge("at_risk", "At risk", "warn") in html, name
    detail = pages(cast, objective)["objective detail"]
    assert "Owner: At risk · ahead of pace (70% done, 60% expected by now)" in detail
    health = api_health(cast, objective)
    assert (health["state"], health["at_risk"], health["risk_reason"]) == ("at_risk", True, "owner")
    risks = risk_section(cast)
    assert "Ship the new onboarding" in risks and "The owner says “At risk”." in risks


def test_a_projection_that_misses_by_more_than_the_margin_reads_the_same_everywhere(
    cast: Cast,
) -> None:
    objective = team_goal(cast)
    record(cast, cast.alice, first_kr(objective), 40)  # 40 / 60.4 → 66 % by the period end
    label = "On track, but projected to fall short"
    words = (
        "Owner: On track · 20 points behind the expected pace (40% done, 60% expected by "
        "now); projected to reach 66% of the target by the period end"
    )
    shown = pages(cast, objective)
    for name, html in shown.items():
        assert badge("falling_short", label, "warn") in html, name
    assert words in shown["objective detail"] and words in shown["my goals"]
    health = api_health(cast, objective)
    assert (health["state"], health["label"], health["summary"]) == ("falling_short", label, words)
    assert (health["at_risk"], health["risk_reason"]) == (True, "projection")
    assert health["projected_progress"] == pytest.approx(0.4 / (55 / 91), abs=1e-6)
    risks = risk_section(cast)
    assert badge("falling_short", label, "warn") in risks
    assert health["why"] in risks
    assert "it would reach 66% of the target by the period end (at risk below 85%)" in risks


@pytest.mark.parametrize(("value", "at_risk"), [(51, True), (52, False)])
def test_the_margin_decides_at_risk_on_the_goal_page_the_team_page_and_in_the_api(
    cast: Cast, value: int, at_risk: bool
) -> None:
    """51 % done today ends the quarter at 84.4 % of the target; 52 % at 86.0 %."""
    objective = team_goal(cast)
    record(cast, cast.alice, first_kr(objective), value)
    state = "falling_short" if at_risk else "behind"
    label = "On track, but projected to fall short" if at_risk else "On track, but behind pace"
    detail = pages(cast, objective)["objective detail"]
    assert badge(state, label, "warn") in detail
    assert api_health(cast, objective)["at_risk"] is at_risk
    assert ("Ship the new onboarding" in risk_section(cast)) is at_risk


def test_on_track_by_the_owner_and_behind_by_the_numbers_is_never_green_beside_red(
    cast: Cast,
) -> None:
    objective = team_goal(cast)
    record(cast, cast.alice, first_kr(objective), 52)  # behind pace, not at risk
    for name, html in pages(cast, objective).items():
        assert badge("behind", "On track, but behind pace", "warn") in html, name
        # No green badge and no red pace word for this goal: one amber story.
        assert "health-ok" not in html and "status-on_track" not in html, name
        assert "Behind pace" not in html and "pace-behind" not in html, name
        assert "health-bad" not in html, name


def test_the_api_documents_every_health_field(cast: Cast) -> None:
    doc = cast.client(cast.alice).get("/api/v1/openapi.json").json()
    schema = doc["components"]["schemas"]["HealthOut"]
    assert set(schema["properties"]) == {
        "state",
        "label",
        "summary",
        "reading",
        "expected_progress",
        "projected_progress",
        "at_risk",
        "risk_reason",
        "why",
    }
    for name, field in schema["properties"].items():
        assert field.get("description"), name
