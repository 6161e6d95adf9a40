"""The goal pages: my goals, a person's goals, team goals, detail, create, edit, delete."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import pytest
from django.urls import reverse

from stride.goals.models import KeyResult, KeyResultUpdate, Objective
from stride.org.models import Person
from stride.testing import Cast, first_kr, make_objective, record, row_counts
from stride.testing.clock import LAST_QUARTER, QUARTER_START, THIS_QUARTER

MY_GOALS = reverse("goals:my_goals")
TEAM_GOALS = reverse("goals:team_goals")
CREATE = reverse("goals:objective_create")
PRIVATE = Objective.Visibility.PRIVATE
HTMX = {"HX-Request": "true"}


pytestmark = pytest.mark.clock


def detail(objective: Objective) -> str:
    return reverse("goals:objective_detail", args=[objective.pk])


def charts_in(html: str) -> dict[str, Any]:
    found = re.findall(r'<script type="application/json" id="([\w-]+)-data">(.*?)</script>', html)
    return {dom_id: json.loads(raw) for dom_id, raw in found}


@pytest.fixture
def growing(cast: Cast) -> Objective:
    """Alice's objective with two key results and five weeks of history: 55 of the 91 days
    of the quarter gone, users stand at 30 of 100 (expected: 60 %)."""
    objective = make_objective(
        cast,
        cast.alice,
        "Grow the user base",
        key_results=[
            {"title": "Weekly active users", "start": 0, "target": 100, "unit": "users"},
            {"title": "Open bugs", "start": 50, "target": 10},
        ],
    )
    users = first_kr(objective)
    for week, value in enumerate((6, 12, 18, 24, 30), start=1):
        record(
            cast, cast.alice, users, value, at=QUARTER_START + timedelta(weeks=week), confidence=7
        )
    return objective


# --- my goals -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(cast: Cast) -> None:
    response = cast.client(None).get(MY_GOALS)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_my_goals_shows_progress_status_pace_and_key_results(
    cast: Cast, growing: Objective
) -> None:
    make_objective(cast, cast.bob, "Bob's own goal")
    html = cast.client(cast.alice).get(MY_GOALS).content.decode()
    assert "Grow the user base" in html
    assert "Bob&#x27;s own goal" not in html and "Bob's own goal" not in html
    # Users at 30 %, bugs untouched: 15 % overall, as a bar and as text.
    assert '<progress max="100" value="15"' in html
    assert "<strong>15%</strong>" in html
    # The owner says on track, the numbers say far behind: one amber badge tells both.
    assert (
        '<span class="badge health-warn" data-health="falling_short">'
        "On track, but projected to fall short</span>"
    ) in html
    assert (
        "Owner: On track · 45 points behind the expected pace (15% done, 60% expected by "
        "now); projected to reach 25% of the target by the period end"
    ) in html
    assert "health-ok" not in html
    assert "30 users" in html and "100 users" in html


def test_my_goals_projects_each_key_result_to_the_end_of_the_period(
    cast: Cast, growing: Objective
) -> None:
    html = cast.client(cast.alice).get(MY_GOALS).content.decode()
    # Six a week from 1 October projects to about 78 by 1 January: short of the target.
    match = re.search(
        r'<span class="num">([\d.,]+) users</span> <span class="projection-short">', html
    )
    assert match is not None
    assert 70 < float(match.group(1).replace(",", "")) < 85
    # Bugs have only their starting value: no pace can be known yet.
    assert "not enough history yet" in html


def test_my_goals_draws_a_history_chart_with_plotly_served_locally(
    cast: Cast, growing: Objective
) -> None:
    html = cast.client(cast.alice).get(MY_GOALS).content.decode()
    assert '<script src="/static/vendor/plotly/plotly.min.js" defer>' in html
    assert not re.search(r'<script[^>]+src="(https?:)?//', html)  # no CDN, ever
    script = cast.client(cast.alice).get("/static/vendor/plotly/plotly.min.js")
    assert script.status_code == 200
    figure = charts_in(html)[f"chart-objective-{growing.pk}"]
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["Expected pace", "Weekly active users", "Open bugs"]
    users = figure["data"][1]
    assert users["y"] == [0, 6, 12, 18, 24, 30]
    # The text alternative: a caption with the numbers, and the data as a table.
    assert "15% done now, 60% expected by today" in html
    assert "Chart data as a table" in html


def test_every_chart_is_the_figure_plotlys_graph_objects_would_write(
    cast: Cast, growing: Objective
) -> None:
    # The pages write plotly's figure data directly (building graph objects on every
    # request was slow): graph objects given the same data validate it and change nothing.
    for url in (MY_GOALS, detail(growing)):
        charts = charts_in(cast.client(cast.alice).get(url).content.decode())
        assert charts, url
        for figure in charts.values():
            assert json.loads(go.Figure(figure).to_json()) == figure


def test_text_in_a_chart_cannot_break_out_of_its_script(cast: Cast) -> None:
    make_objective(
        cast,
        cast.alice,
        "Tricky",
        key_results=[{"title": "</script><script>alert(1)</script>", "target": 5}],
    )
    html = cast.client(cast.alice).get(MY_GOALS).content.decode()
    assert "<script>alert(1)" not in html
    figure = next(iter(charts_in(html).values()))
    assert figure["data"][1]["name"] == "</script><script>alert(1)</script>"


def test_my_goals_lists_the_current_quarter_unless_another_period_is_chosen(
    cast: Cast,
) -> None:
    make_objective(cast, cast.alice, "This quarter")
    make_objective(cast, cast.alice, "Last quarter", period=LAST_QUARTER, created_at=None)
    client = cast.client(cast.alice)
    now = client.get(MY_GOALS).content.decode()
    assert "This quarter" in now and "Last quarter" not in now
    before = client.get(MY_GOALS, {"period": "2026-Q3"}).content.decode()
    assert "Last quarter" in before and ">This quarter<" not in before
    # Last quarter's goal was never reached: it shows as missed, not on track.
    assert 'health-bad" data-health="missed">Missed<' in before
    active = client.get(MY_GOALS, {"period": "active"}).content.decode()
    assert "This quarter" in active and "Last quarter" not in active


def test_an_htmx_period_change_renders_only_the_list(cast: Cast, growing: Objective) -> None:
    response = cast.client(cast.alice).get(MY_GOALS, {"period": "active"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="objective-list"')
    assert "<html" not in html and "Grow the user base" in html
    assert "HX-Request" in response["Vary"]


# --- a person's goals -------------------------------------------------------------------------


def test_a_persons_page_shows_what_the_viewer_may_see_of_their_goals(cast: Cast) -> None:
    make_objective(cast, cast.alice, "Public one")
    make_objective(cast, cast.alice, "Private one", visibility=PRIVATE)
    url = reverse("goals:person_goals", args=[cast.alice.pk])
    as_manager = cast.client(cast.manager).get(url).content.decode()
    assert "Public one" in as_manager and "Private one" in as_manager
    as_bob = cast.client(cast.bob).get(url)
    assert as_bob.status_code == 200
    assert "Public one" in as_bob.content.decode()
    assert "Private one" not in as_bob.content.decode()


def test_a_person_the_viewer_may_not_see_answers_404(cast: Cast) -> None:
    Person.objects.filter(pk=cast.bob.pk).update(status=Person.Status.LEFT)
    url = reverse("goals:person_goals", args=[cast.bob.pk])
    assert cast.client(cast.outsider).get(url).status_code == 404
    assert cast.client(cast.manager).get(url).status_code == 200
    assert (
        cast.client(cast.alice).get(reverse("goals:person_goals", args=[99999])).status_code == 404
    )


# --- team goals -----------------------------------------------------------------------------


def test_team_goals_default_to_the_viewers_team_grouped_by_person(cast: Cast) -> None:
    make_objective(
        cast, cast.manager, "Ship the app", level=Objective.Level.TEAM, team=cast.product
    )
    make_objective(cast, cast.alice, "Alice's goal")
    make_objective(cast, cast.alice, "Alice's secret", visibility=PRIVATE)
    make_objective(cast, cast.bob, "Bob's goal")
    make_objective(cast, cast.rep, "Rita's goal")
    html = cast.client(cast.bob).get(TEAM_GOALS).content.decode()
    assert "Objectives of the Product team" in html
    assert "Ship the app" in html
    members = html[html.index("Personal objectives of its members") :]
    assert members.index("Alice Report") < members.index("Alice&#x27;s goal")
    assert members.index("Alice&#x27;s goal") < members.index("Bob Report")
    assert members.index("Bob Report") < members.index("Bob&#x27;s goal")
    assert "Alice&#x27;s secret" not in html
    assert "Rita" not in html
    manager = cast.client(cast.manager).get(TEAM_GOALS).content.decode()
    assert "Alice&#x27;s secret" in manager


def test_team_goals_of_another_team_show_only_what_may_be_seen(cast: Cast) -> None:
    make_objective(cast, cast.rep, "Rita's public goal")
    make_objective(cast, cast.rep, "Rita's team goal", visibility=Objective.Visibility.TEAM)
    html = cast.client(cast.alice).get(TEAM_GOALS, {"team": cast.sales.pk}).content.decode()
    assert "Rita&#x27;s public goal" in html
    assert "Rita&#x27;s team goal" not in html


@pytest.mark.parametrize("team", ["999999", "abc"])
def test_an_unknown_team_answers_404(cast: Cast, team: str) -> None:
    assert cast.client(cast.alice).get(TEAM_GOALS, {"team": team}).status_code == 404


def test_an_htmx_team_change_renders_only_the_list(cast: Cast) -> None:
    response = cast.client(cast.alice).get(TEAM_GOALS, {"team": cast.sales.pk}, headers=HTMX)
    assert response.content.decode().lstrip().startswith('<div id="team-list"')


# --- detail -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("alice", 200),
        ("manager", 200),
        ("skip", 200),
        ("hr", 200),
        ("bob", 404),
        ("outsider", 404),
        ("rep", 404),
        ("salesmanager", 404),
    ],
)
def test_a_private_objective_is_found_only_by_those_allowed(
    cast: Cast, name: str, status: int
) -> None:
    objective = make_objective(cast, cast.alice, visibility=PRIVATE)
    kr = first_kr(objective)
    client = cast.client(getattr(cast, name))
    assert client.get(detail(objective)).status_code == status
    # The same for every page about it, and no value recorded by those not allowed.
    for url in (
        reverse("goals:objective_edit", args=[objective.pk]),
        reverse("goals:objective_delete", args=[objective.pk]),
        reverse("goals:key_result_create", args=[objective.pk]),
    ):
        assert client.get(url).status_code == status
    response = client.post(reverse("goals:key_result_value", args=[kr.pk]), {f"kr{kr.pk}-value": 5})
    assert response.status_code == (302 if status == 200 else 404)


def test_the_detail_page_shows_history_updates_and_alignment(
    cast: Cast, growing: Objective
) -> None:
    parent = make_objective(cast, cast.skip, "Win the market", level=Objective.Level.COMPANY)
    Objective.objects.filter(pk=growing.pk).update(parent=parent)
    make_objective(cast, cast.alice, "Child goal", parent=growing)
    record(cast, cast.alice, first_kr(growing), 31, note="Launch week <b>!</b>", confidence=8)
    html = cast.client(cast.bob).get(detail(growing)).content.decode()
    assert "Contributes to" in html and "Win the market" in html
    assert "Child goal" in html
    # Each update: when, who, value, confidence and note.
    assert "Alice Report" in html and "31 users" in html and "8/10" in html
    assert "Launch week &lt;b&gt;!&lt;/b&gt;" in html
    charts = charts_in(html)
    users = charts[f"chart-kr-{first_kr(growing).pk}"]
    assert [t["name"] for t in users["data"]] == ["Target", "Value", "Projection"]
    assert "projected" in html


def test_a_hidden_parent_is_not_named_on_the_detail_page(cast: Cast) -> None:
    secret = make_objective(cast, cast.manager, "Secret plan", visibility=PRIVATE)
    child = make_objective(cast, cast.alice, "Visible child", parent=secret, by=cast.manager)
    html = cast.client(cast.bob).get(detail(child)).content.decode()
    assert "Secret plan" not in html
    assert "Not aligned to an objective you can see." in html


def test_readers_who_may_not_edit_see_no_edit_controls(cast: Cast, growing: Objective) -> None:
    bob = cast.client(cast.bob).get(detail(growing)).content.decode()
    alice = cast.client(cast.alice).get(detail(growing)).content.decode()
    for control in ("Record a new value", "objective_edit", "/edit", "Add a key result"):
        assert control not in bob
    assert "Record a new value" in alice and f"/goals/{growing.pk}/edit" in alice


def test_recording_a_value_without_javascript_redirects_back(
    cast: Cast, growing: Objective
) -> None:
    kr = first_kr(growing)
    prefix = f"kr{kr.pk}"
    response = cast.client(cast.alice).post(
        reverse("goals:key_result_value", args=[kr.pk]),
        {f"{prefix}-value": "42", f"{prefix}-confidence": "6", f"{prefix}-note": "Good week"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{detail(growing)}#kr-{kr.pk}"
    kr.refresh_from_db()
    assert kr.current == Decimal(42)
    update = kr.updates.order_by("-at", "-id").first()
    assert update is not None and (update.confidence, update.note) == (6, "Good week")


def test_recording_a_value_with_htmx_rerenders_the_key_result_and_summary(
    cast: Cast, growing: Objective
) -> None:
    kr = first_kr(growing)
    response = cast.client(cast.alice).post(
        reverse("goals:key_result_value", args=[kr.pk]),
        {f"kr{kr.pk}-value": "60"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<section id="kr-{kr.pk}"')
    assert "Value recorded." in html and "60 users" in html
    # The objective's summary comes along out of band: (60 % + 0 %) / 2 = 30 %.
    assert 'id="objective-summary"' in html and 'hx-swap-oob="true"' in html
    assert "<strong>30%</strong>" in html


def test_a_bad_value_is_refused_with_the_field_named_and_nothing_written(
    cast: Cast, growing: Objective
) -> None:
    kr = first_kr(growing)
    url = reverse("goals:key_result_value", args=[kr.pk])
    before = row_counts()
    plain = cast.client(cast.alice).post(url, {f"kr{kr.pk}-value": "lots"})
    assert plain.status_code == 422
    assert "Enter a number." in plain.content.decode()
    htmx = cast.client(cast.alice).post(
        url, {f"kr{kr.pk}-value": "5", f"kr{kr.pk}-confidence": "12"}, headers=HTMX
    )
    assert htmx.status_code == 200  # htmx swaps only 2xx answers
    assert "Enter 10 or less." in htmx.content.decode()
    assert row_counts() == before


def test_recording_a_value_needs_a_post(cast: Cast, growing: Objective) -> None:
    url = reverse("goals:key_result_value", args=[first_kr(growing).pk])
    assert cast.client(cast.alice).get(url).status_code == 405


# --- create, edit, delete -------------------------------------------------------------------


def objective_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Delight customers",
        "description": "Why it matters",
        "level": "personal",
        "team": "",
        "parent": "",
        "period_start": THIS_QUARTER[0].isoformat(),
        "period_end": THIS_QUARTER[1].isoformat(),
        "visibility": "team",
        "status": "on_track",
        "kr-TOTAL_FORMS": "2",
        "kr-INITIAL_FORMS": "0",
        "kr-MIN_NUM_FORMS": "0",
        "kr-MAX_NUM_FORMS": "20",
        "kr-0-title": "NPS",
        "kr-0-kind": "number",
        "kr-0-unit": "points",
        "kr-0-start": "20",
        "kr-0-target": "40",
        "kr-0-weight": "2",
        "kr-1-title": "",
        "kr-1-kind": "number",
        "kr-1-unit": "",
        "kr-1-start": "0",
        "kr-1-target": "",
        "kr-1-weight": "1",
    }
    data.update(overrides)
    return data


def test_the_new_objective_form_starts_on_this_quarter(cast: Cast) -> None:
    html = cast.client(cast.alice).get(CREATE).content.decode()
    assert 'name="period_start" value="2026-10-01"' in html
    assert 'name="period_end" value="2026-12-31"' in html
    assert 'data-start="2027-01-01" data-end="2027-03-31"' in html  # next quarter's pick
    # Alice manages nobody: she owns what she writes, so no owner field.
    assert 'name="owner"' not in html
    assert 'name="owner"' in cast.client(cast.manager).get(CREATE).content.decode()


def test_creating_an_objective_in_the_browser(cast: Cast) -> None:
    response = cast.client(cast.alice).post(CREATE, objective_post())
    objective = Objective.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(objective)
    assert (objective.owner, objective.visibility) == (cast.alice, "team")
    kr = objective.key_results.get()  # the blank second row is ignored
    assert (kr.title, kr.start, kr.target, kr.weight) == ("NPS", 20, 40, 2)


def test_field_errors_are_shown_and_nothing_is_written(cast: Cast) -> None:
    before = row_counts()
    response = cast.client(cast.alice).post(
        CREATE,
        objective_post(**{"period_end": "2026-03-01", "kr-1-title": "Churn", "kr-1-target": ""}),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "The period must end on or after its start." in html
    assert "nothing has been saved yet" in html
    # With the fields well formed, the service's rules speak on the row they concern.
    response = cast.client(cast.alice).post(
        CREATE, objective_post(**{"kr-1-title": "Churn", "kr-1-target": ""})
    )
    assert response.status_code == 422
    assert "Set a target." in response.content.decode()
    assert row_counts() == before


def test_adding_a_row_keeps_what_was_typed(cast: Cast) -> None:
    client = cast.client(cast.alice)
    response = client.post(CREATE, objective_post(add_row="1"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Delight customers"' in html and 'value="NPS"' in html
    assert re.search(r'name="kr-2-weight" value="1"', html)  # the new row has defaults
    assert Objective.objects.count() == 0
    # Filling in the new row and saving creates both key results.
    data = objective_post(**{"kr-TOTAL_FORMS": "3", "kr-2-kind": "number"})
    data.update({"kr-2-title": "Churn", "kr-2-start": "0", "kr-2-target": "5", "kr-2-weight": "1"})
    assert client.post(CREATE, data).status_code == 302
    assert sorted(KeyResult.objects.values_list("title", flat=True)) == ["Churn", "NPS"]


def test_aligning_offers_only_objectives_the_viewer_may_see(cast: Cast) -> None:
    make_objective(cast, cast.skip, "Public company goal", level=Objective.Level.COMPANY)
    make_objective(
        cast,
        cast.skip,
        "Private company goal",
        level=Objective.Level.COMPANY,
        visibility=PRIVATE,
    )
    html = cast.client(cast.alice).get(CREATE).content.decode()
    assert "Public company goal" in html
    assert "Private company goal" not in html


def test_a_manager_creates_an_objective_for_a_report(cast: Cast) -> None:
    response = cast.client(cast.manager).post(CREATE, objective_post(owner=cast.alice.pk))
    assert response.status_code == 302
    assert Objective.objects.get().owner == cast.alice
    bad = cast.client(cast.manager).post(CREATE, objective_post(owner=cast.rep.pk))
    assert bad.status_code == 422
    assert Objective.objects.count() == 1


def edit_post(objective: Objective, **overrides: Any) -> dict[str, Any]:
    krs = list(objective.key_results.order_by("position"))
    data: dict[str, Any] = {
        "title": objective.title,
        "description": objective.description,
        "level": objective.level,
        "team": objective.team_id or "",
        "parent": objective.parent_id or "",
        "period_start": objective.period_start.isoformat(),
        "period_end": objective.period_end.isoformat(),
        "visibility": objective.visibility,
        "status": objective.status,
        "kr-TOTAL_FORMS": str(len(krs) + 1),
        "kr-INITIAL_FORMS": str(len(krs)),
        "kr-MIN_NUM_FORMS": "0",
        "kr-MAX_NUM_FORMS": "20",
    }
    for i, kr in enumerate(krs):
        data.update(
            {
                f"kr-{i}-id": kr.pk,
                f"kr-{i}-title": kr.title,
                f"kr-{i}-kind": kr.kind,
                f"kr-{i}-unit": kr.unit,
                f"kr-{i}-start": kr.start.normalize(),
                f"kr-{i}-target": kr.target.normalize(),
                f"kr-{i}-weight": kr.weight.normalize(),
            }
        )
    n = len(krs)
    data.update(
        {
            f"kr-{n}-title": "",
            f"kr-{n}-kind": "number",
            f"kr-{n}-start": "0",
            f"kr-{n}-weight": "1",
        }
    )
    data.update(overrides)
    return data


def test_the_edit_form_is_filled_in(cast: Cast, growing: Objective) -> None:
    html = cast.client(cast.alice).get(reverse("goals:objective_edit", args=[growing.pk]))
    text = html.content.decode()
    assert 'value="Grow the user base"' in text
    assert 'value="Weekly active users"' in text and 'value="Open bugs"' in text
    assert "Remove this key result" in text


def test_editing_changes_the_objective_and_its_key_results_together(
    cast: Cast, growing: Objective
) -> None:
    users, bugs = growing.key_results.order_by("position")
    response = cast.client(cast.manager).post(
        reverse("goals:objective_edit", args=[growing.pk]),
        edit_post(
            growing,
            title="Grow faster",
            status="at_risk",
            **{"kr-0-target": "150", "kr-1-DELETE": "on", "kr-2-title": "Revenue"},
            **{"kr-2-kind": "currency", "kr-2-unit": "EUR", "kr-2-target": "9000"},
        ),
    )
    assert response.status_code == 302
    growing.refresh_from_db()
    assert (growing.title, growing.status) == ("Grow faster", "at_risk")
    titles = list(growing.key_results.order_by("position").values_list("title", "target"))
    assert titles == [("Weekly active users", 150), ("Revenue", 9000)]
    assert not KeyResult.objects.filter(pk=bugs.pk).exists()
    # The history of the key result that stays is untouched.
    assert KeyResultUpdate.objects.filter(key_result=users).count() == 6


def test_a_failed_edit_changes_nothing(cast: Cast, growing: Objective) -> None:
    before = row_counts()
    response = cast.client(cast.alice).post(
        reverse("goals:objective_edit", args=[growing.pk]),
        edit_post(growing, title="Renamed", **{"kr-1-DELETE": "on", "kr-0-target": "0"}),
    )
    assert response.status_code == 422
    assert "The target must differ from the start value." in response.content.decode()
    growing.refresh_from_db()
    assert growing.title == "Grow the user base"
    assert row_counts() == before


def test_peers_cannot_edit_or_delete(cast: Cast, growing: Objective) -> None:
    client = cast.client(cast.bob)
    edit = reverse("goals:objective_edit", args=[growing.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, edit_post(growing, title="Mine")).status_code == 404
    delete = reverse("goals:objective_delete", args=[growing.pk])
    assert client.post(delete).status_code == 404
    growing.refresh_from_db()
    assert growing.title == "Grow the user base"


def test_deleting_asks_first_then_deletes(cast: Cast, growing: Objective) -> None:
    url = reverse("goals:objective_delete", args=[growing.pk])
    client = cast.client(cast.alice)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Its 2 key results and the whole history" in confirm.content.decode()
    assert Objective.objects.filter(pk=growing.pk).exists()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == MY_GOALS
    assert not Objective.objects.filter(pk=growing.pk).exists()


def test_adding_one_key_result(cast: Cast, growing: Objective) -> None:
    url = reverse("goals:key_result_create", args=[growing.pk])
    client = cast.client(cast.alice)
    bad = client.post(url, {"title": "Revenue", "kind": "currency", "target": "10", "weight": "1"})
    assert bad.status_code == 422
    assert "three-letter ISO currency code" in bad.content.decode()
    good = client.post(
        url,
        {"title": "Revenue", "kind": "currency", "unit": "eur", "target": "10", "weight": "1"},
    )
    assert good.status_code == 302
    kr = growing.key_results.get(title="Revenue")
    assert kr.unit == "EUR" and kr.position == 2
    assert good["Location"].endswith(f"#kr-{kr.pk}")


def test_editing_keeps_an_alignment_the_editor_cannot_see(cast: Cast) -> None:
    secret = make_objective(
        cast, cast.manager, "Manager's private plan", visibility=Objective.Visibility.PRIVATE
    )
    mine = make_objective(cast, cast.alice, "Ship the search", parent=secret)
    data = edit_post(mine, title="Ship the new search")
    data["parent"] = ""  # the select cannot offer a parent alice may not see
    response = cast.client(cast.alice).post(reverse("goals:objective_edit", args=[mine.pk]), data)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.title == "Ship the new search"
    assert mine.parent_id == secret.pk
    page = cast.client(cast.alice).get(reverse("goals:objective_edit", args=[mine.pk]))
    assert b"Manager&#x27;s private plan" not in page.content
    assert b"Manager's private plan" not in page.content


def test_team_goals_show_a_large_team_a_page_of_people_at_a_time(cast: Cast) -> None:
    from stride.org import services as org

    for n in range(25):
        org.person_create(
            actor=None, name=f"Zed {n:02d}", email=f"zed{n}@example.com", team=cast.product
        )
    client = cast.client(cast.outsider)
    team = {"team": cast.product.pk}
    first = client.get(reverse("goals:team_goals"), team).content.decode()
    assert "Alice Report" in first and "More people" in first
    assert "Zed 24" not in first
    second = client.get(
        reverse("goals:team_goals"), {"team": cast.product.pk, "page": 2}
    ).content.decode()
    assert "Zed 24" in second and "Alice Report" not in second
    assert "Previous people" in second


def test_the_goal_form_offers_company_level_only_to_those_who_may_set_it(cast: Cast) -> None:
    company_option = '<option value="company"'
    for member, offered in ((cast.alice, False), (cast.manager, False), (cast.skip, True)):
        html = cast.client(member).get(CREATE).content.decode()
        assert (company_option in html) is offered, member.name
    assert company_option in cast.client(cast.hr).get(CREATE).content.decode()
    # What the form does not offer, the service refuses too (the same rule).
    response = cast.client(cast.alice).post(CREATE, objective_post(level="company"))
    assert response.status_code == 422
    assert "Only HR admins and the head of the organisation" in response.content.decode()


@pytest.mark.clock
def test_goals_read_the_way_people_say_them(cast: Cast) -> None:
    """Lower-is-better key results show their direction, money is written one way, and a
    milestone has no projection to fall short of."""
    objective = make_objective(
        cast,
        cast.alice,
        "Faster and cheaper",
        key_results=[
            {"title": "Build minutes", "start": 600, "target": 500, "unit": "min"},
            {"title": "Revenue", "kind": "currency", "unit": "EUR", "start": 0, "target": 37000},
            {"title": "Launch", "kind": "milestone"},
        ],
    )
    build, revenue, launch = objective.key_results.order_by("position")
    record(cast, cast.alice, build, 580)
    for kr_row_value, kr in ((0, launch), (12000, revenue)):
        record(cast, cast.alice, kr, kr_row_value)
    page = cast.client(cast.alice).get("/goals/").content.decode()
    assert "580 min</span> → <span" in page and "lower is better" in page
    assert "580 min</span> of" not in page
    assert "€37,000" in page and "37,000 EUR" not in page
    assert "no projection" in page
    detail = cast.client(cast.alice).get(f"/goals/{objective.pk}/").content.decode()
    assert "lower is better" in detail and "€12,000" in detail
    assert "it has no projection" in detail
