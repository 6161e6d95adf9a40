"""The growth graph and the development plan: who sees which cycle's ratings, what the
page's chart and the API carry, and keeping the plan."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stride.access.models import AuditEntry
from stride.reviews.growth import selectors, services
from stride.reviews.models import (
    Competency,
    CycleParticipant,
    DevelopmentItem,
    ReviewResponse,
)
from stride.testing import Cast
from stride.testing.builders import first_kr, make_objective, record
from stride.testing.clock import TODAY
from stride.testing.growth import build_history, growth_cycle, manager_rates

pytestmark = pytest.mark.clock

GROWTH_AREA = "Growth area Stonechat"
ACTIONS = "Actions Whinchat"


def names(growth: selectors.Growth) -> list[str]:
    return [p.cycle.name for p in growth.points]


def growth_as(cast: Cast, who: Any, person: Any = None) -> selectors.Growth:
    viewer = cast.viewer(who)
    person = person or cast.alice
    return selectors.growth_of(viewer, selectors.growth_access(viewer, person.pk))


# --- who sees which cycle ----------------------------------------------------------------


def test_the_person_sees_a_cycle_only_once_shared(cast: Cast) -> None:
    history = build_history(cast)
    growth = growth_as(cast, cast.alice)
    assert names(growth) == ["Review 2025", "Review spring 2026"]
    assert [p.overall for p in growth.points] == [4, 3]
    assert [[c.rating for c in p.competencies] for p in growth.points] == [[2], [3]]
    assert {c.expected for p in growth.points for c in p.competencies} == {2}
    # A closed cycle whose review was never shared stays hidden, as on the review page.
    CycleParticipant.objects.filter(pk=history.closed.pk).update(shared_at=None)
    assert names(growth_as(cast, cast.alice)) == ["Review spring 2026"]


def test_the_person_reads_the_managers_ratings_only_after_submitting_their_own(
    cast: Cast,
) -> None:
    """The review page's mutual rule holds on the growth graph too."""
    history = build_history(cast)
    ReviewResponse.objects.filter(participant=history.shared, relationship="self").update(
        submitted_at=None
    )
    growth = growth_as(cast, cast.alice)
    assert [[c.rating for c in p.competencies] for p in growth.points] == [[2], [None]]
    # Their manager still reads them.
    assert [c.rating for c in growth_as(cast, cast.manager).points[1].competencies] == [3]


def test_current_managers_see_every_launched_cycle(cast: Cast) -> None:
    build_history(cast)
    for who in (cast.manager, cast.skip):
        growth = growth_as(cast, who)
        assert names(growth) == ["Review 2025", "Review spring 2026", "Review autumn 2026"]
        assert growth.points[-1].overall == 5
        # Only the manager's answers: bob's peer rating (3) is not the competency's.
        assert [c.rating for c in growth.points[-1].competencies] == [1]


def test_strangers_and_hr_get_404(cast: Cast) -> None:
    build_history(cast)
    for who in (cast.bob, cast.outsider, cast.hr, cast.salesmanager):
        with pytest.raises(Http404):
            selectors.growth_access(cast.viewer(who), cast.alice.pk)


def test_a_former_manager_sees_the_cycles_they_managed_but_not_the_plan(cast: Cast) -> None:
    history = build_history(cast)
    # Alice's manager at the spring cycle's launch was bob (then moved on).
    CycleParticipant.objects.filter(pk=history.shared.pk).update(manager=cast.bob)
    ReviewResponse.objects.filter(participant=history.shared).update(author=cast.bob)
    growth = growth_as(cast, cast.bob)
    assert names(growth) == ["Review spring 2026"]
    assert [c.rating for c in growth.points[0].competencies] == [3]
    with pytest.raises(Http404):
        selectors.plan_access(cast.viewer(cast.bob), cast.alice.pk)


def test_goal_achievement_is_the_mean_progress_of_the_periods_objectives(cast: Cast) -> None:
    history = build_history(cast)
    start = TODAY - timedelta(days=40)
    for title, value in (("Ship search", 5), ("Cut churn", 10)):
        objective = make_objective(
            cast,
            cast.alice,
            title,
            period=(start, TODAY + timedelta(days=40)),
            key_results=[{"title": f"{title} result", "start": 0, "target": 10}],
        )
        record(cast, cast.alice, first_kr(objective), value)
    growth = growth_as(cast, cast.manager)
    latest = growth.points[-1]
    assert latest.participant.pk == history.unshared.pk
    assert latest.goal_count == 2
    assert latest.goal_achievement == pytest.approx(0.75)
    assert growth.points[0].goal_achievement is None  # nothing in 2025's year


def test_reading_growth_is_audited(cast: Cast) -> None:
    history = build_history(cast)
    growth_as(cast, cast.manager)
    entry = AuditEntry.objects.filter(
        action="review.growth_read", target_type="reviews.cycleparticipant"
    ).get()
    assert entry.actor_id == cast.manager.pk
    assert str(history.unshared.pk) in entry.changes["records"]


# --- the page ---------------------------------------------------------------------------


def chart_data(html: str, dom_id: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{dom_id}-data">(.*?)</script>', html)
    assert found, f"no {dom_id} on the page"
    return json.loads(found.group(1))


def test_the_page_plots_the_ratings_the_viewer_may_see(cast: Cast) -> None:
    build_history(cast)
    url = reverse("reviews:growth", args=[cast.alice.pk])
    html = cast.client(cast.manager).get(url).content.decode()
    ratings = chart_data(html, "growth-ratings-chart")
    overall = next(t for t in ratings["data"] if t["name"] == "Overall rating")
    assert overall["y"] == [4, 3, 5]
    assert overall["customdata"] == ["Review 2025", "Review spring 2026", "Review autumn 2026"]
    competencies = chart_data(html, "growth-competencies-chart")
    by_name = {t["name"]: t["y"] for t in competencies["data"]}
    assert by_name == {"Communication": [2, 3, 1], "Expected level": [2, 2, 2]}
    assert "vendor/plotly/plotly.min.js" in html and "stride/charts.js" in html

    mine = cast.client(cast.alice).get(url).content.decode()
    overall = next(
        t for t in chart_data(mine, "growth-ratings-chart")["data"] if t["name"] == "Overall rating"
    )
    assert overall["y"] == [4, 3]
    assert "Review autumn 2026" not in mine  # not shared yet: neither rating nor name


def test_the_person_page_links_to_growth_for_those_who_may_see_it(cast: Cast) -> None:
    url = reverse("reviews:growth", args=[cast.alice.pk])
    person_page = reverse("org:person", args=[cast.alice.pk])
    for who, shown in ((cast.alice, True), (cast.manager, True), (cast.bob, False)):
        html = cast.client(who).get(person_page).content.decode()
        assert (f'href="{url}"' in html) is shown, who.name
    mine = cast.client(cast.alice).get(reverse("reviews:mine")).content.decode()
    assert f'href="{url}"' in mine and "My growth" in mine


def test_the_plan_is_kept_on_the_page_with_overdue_marking(cast: Cast) -> None:
    history = build_history(cast)
    url = reverse("reviews:growth", args=[cast.alice.pk])
    client = cast.client(cast.alice)
    answer = client.post(
        url,
        {
            "growth_area": GROWTH_AREA,
            "actions": ACTIONS,
            "due_on": (TODAY - timedelta(days=1)).isoformat(),
            "status": "in_progress",
            "cycle": str(history.shared.cycle_id),
        },
    )
    assert answer.status_code == 302
    item = DevelopmentItem.objects.get()
    assert (item.person, item.created_by, item.cycle_id) == (
        cast.alice,
        cast.alice,
        history.shared.cycle_id,
    )
    html = cast.client(cast.manager).get(url).content.decode()
    assert GROWTH_AREA in html and ACTIONS in html and "Overdue" in html

    edit = reverse("reviews:development_item_edit", args=[item.pk])
    answer = cast.client(cast.manager).post(
        edit, {"growth_area": GROWTH_AREA, "actions": "", "due_on": "", "status": "done"}
    )
    assert answer.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.due_on, item.cycle_id) == ("done", None, None)
    assert "Overdue" not in cast.client(cast.alice).get(url).content.decode()

    refused = client.post(edit, {"growth_area": " ", "status": "done"})
    assert refused.status_code == 422
    assert "This field cannot be blank." in refused.content.decode()

    # An unshared cycle is not one alice may name.
    refused = client.post(
        url, {"growth_area": "x", "status": "done", "cycle": str(history.unshared.cycle_id)}
    )
    assert refused.status_code == 422
    assert "Select a valid choice" in refused.content.decode() or (
        "review cycles" in refused.content.decode()
    )

    assert (
        cast.client(cast.bob).post(edit, {"growth_area": "x", "status": "done"}).status_code == 404
    )
    delete = reverse("reviews:development_item_delete", args=[item.pk])
    assert cast.client(cast.bob).post(delete).status_code == 404
    assert cast.client(cast.alice).post(delete).status_code == 302
    assert not DevelopmentItem.objects.exists()
    actions = list(
        AuditEntry.objects.filter(target_type="reviews.developmentitem")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "development_item.create",
        "development_item.update",
        "development_item.delete",
    ]
    # The plan's words stay out of the audit log HR reads.
    logged = json.dumps(list(AuditEntry.objects.values_list("changes", "target_label")))
    assert GROWTH_AREA not in logged and ACTIONS not in logged


def test_services_refuse_strangers_and_foreign_cycles(cast: Cast) -> None:
    history = build_history(cast)
    with pytest.raises(Http404):
        services.development_item_create(
            viewer=cast.viewer(cast.bob), person=cast.alice, growth_area="x"
        )
    with pytest.raises(ValidationError) as refused:
        services.development_item_create(
            viewer=cast.viewer(cast.alice),
            person=cast.alice,
            growth_area="x",
            cycle_id=history.unshared.cycle_id,
        )
    assert "cycle_id" in refused.value.message_dict
    # Her manager may name it: they see that cycle.
    made = services.development_item_create(
        viewer=cast.viewer(cast.manager),
        person=cast.alice,
        growth_area="x",
        cycle_id=history.unshared.cycle_id,
    )
    assert made.cycle_id == history.unshared.cycle_id
    assert not DevelopmentItem.objects.exclude(pk=made.pk).exists()


# --- the API -----------------------------------------------------------------------------


def api_call(client: Any, method: str, url: str, body: Any = None) -> Any:
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_the_growth_api_answers_the_series(cast: Cast) -> None:
    build_history(cast)
    url = f"/api/v1/people/{cast.alice.pk}/growth"
    body = cast.client(cast.manager).get(url).json()
    assert body["person_id"] == cast.alice.pk and body["expected_level"] == 2
    assert [c["cycle_name"] for c in body["cycles"]] == [
        "Review 2025",
        "Review spring 2026",
        "Review autumn 2026",
    ]
    assert [c["overall_rating"] for c in body["cycles"]] == [4, 3, 5]
    assert body["cycles"][0]["competencies"][0] | {"competency_id": 0} == {
        "competency_id": 0,
        "name": "Communication",
        "rating": 2,
        "expected_level": 2,
    }
    mine = cast.client(cast.alice).get(url).json()
    assert [c["overall_rating"] for c in mine["cycles"]] == [4, 3]
    assert cast.client(cast.bob).get(url).status_code == 404
    assert cast.client(cast.hr).get(url).status_code == 404


def test_the_development_items_api(cast: Cast) -> None:
    build_history(cast)
    url = f"/api/v1/people/{cast.alice.pk}/development-items"
    manager = cast.client(cast.manager)
    made = api_call(
        manager,
        "post",
        url,
        {"growth_area": GROWTH_AREA, "actions": ACTIONS, "due_on": "2026-11-01"},
    )
    assert made.status_code == 201, made.content
    item = made.json()
    assert (item["status"], item["overdue"], item["created_by_id"]) == (
        "not_started",
        True,
        cast.manager.pk,
    )
    listed = cast.client(cast.alice).get(url).json()
    assert listed["count"] == 1 and listed["items"][0]["growth_area"] == GROWTH_AREA

    one = f"/api/v1/development-items/{item['id']}"
    changed = api_call(cast.client(cast.alice), "patch", one, {"status": "done"})
    assert changed.json()["status"] == "done" and changed.json()["overdue"] is False
    assert changed.json()["actions"] == ACTIONS  # what was not sent stays

    bad = api_call(manager, "patch", one, {"growth_area": "x" * 201})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "growth_area"]
    bad = api_call(manager, "post", url, {"growth_area": "x", "due_on": "2300-01-01"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "due_on"]
    conflict = api_call(manager, "patch", one, {"cycle_id": 10**9})
    assert conflict.status_code == 409 and conflict.json()["detail"][0]["loc"] == [
        "body",
        "cycle_id",
    ]

    bob = cast.client(cast.bob)
    assert bob.get(url).status_code == 404
    assert api_call(bob, "patch", one, {"status": "dropped"}).status_code == 404
    assert bob.delete(one).status_code == 404
    assert cast.client(cast.alice).delete(one).status_code == 204
    assert cast.client(cast.alice).get(url).json()["count"] == 0


# --- query counts ------------------------------------------------------------------------


def _queries(client: Any, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queries_stay_the_same_with_more_cycles_and_items(cast: Cast) -> None:
    build_history(cast)
    page = reverse("reviews:growth", args=[cast.alice.pk])
    urls = [
        page,
        f"/api/v1/people/{cast.alice.pk}/growth",
        f"/api/v1/people/{cast.alice.pk}/development-items",
    ]
    client = cast.client(cast.manager)
    services.development_item_create(
        viewer=cast.viewer(cast.alice), person=cast.alice, growth_area="first"
    )
    before = [_queries(client, url) for url in urls]
    competency_id = Competency.objects.get().pk
    for n in range(3):
        cycle = growth_cycle(cast, f"More {n}", 300 - n * 50, competency_id)
        participant = manager_rates(cycle, cast.alice, cast.manager, 2)
        participant.final_rating = 3
        participant.save()
        services.development_item_create(
            viewer=cast.viewer(cast.alice), person=cast.alice, growth_area=f"more {n}"
        )
    after = [_queries(client, url) for url in urls]
    assert after == before
    assert len(growth_as(cast, cast.manager).points) == 6
