"""HR admins read the audit log on its page and through ``GET /api/v1/audit``; nobody else
learns it exists. What a manager reads of a report's private goal shows up there."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.urls import reverse

from stride.goals.checkins import services as checkin_services
from stride.goals.models import Objective
from stride.org.models import RoleGrant
from stride.testing import Cast, Clock, check_in, make_objective
from stride.testing.clock import NOW, TODAY

API = "/api/v1/audit"
PAGE = reverse("access:audit_log")


pytestmark = pytest.mark.clock


def secret_of_alice(cast: Cast, title: str = "Find a new job") -> Objective:
    return make_objective(cast, cast.alice, title, visibility=Objective.Visibility.PRIVATE)


def test_hr_sees_the_managers_api_read_of_a_private_objective_in_the_audit_api(
    cast: Cast,
) -> None:
    secret = secret_of_alice(cast)
    assert cast.client(cast.manager).get(f"/api/v1/objectives/{secret.pk}").status_code == 200
    answer = cast.client(cast.hr).get(
        API, {"target_type": "goals.objective", "target_id": str(secret.pk), "kind": "read"}
    )
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert len(items) == 1
    entry = items[0]
    assert entry["actor"] == "manager@example.com"
    assert entry["actor_id"] == cast.manager.pk
    assert entry["action"] == "objective.read_private"
    assert (entry["target_id"], entry["target_label"]) == (str(secret.pk), "Find a new job")
    assert entry["via"] == "api"


def test_the_target_filter_finds_a_list_read_that_named_the_record_among_others(
    cast: Cast,
) -> None:
    first = secret_of_alice(cast, "First secret")
    second = secret_of_alice(cast, "Second secret")
    cast.client(cast.manager).get(f"/api/v1/objectives?owner_id={cast.alice.pk}")
    hr = cast.client(cast.hr)
    for objective in (first, second):
        items = hr.get(API, {"target_id": str(objective.pk), "kind": "read"}).json()["items"]
        assert len(items) == 1
        assert items[0]["target_id"] == ""
        assert set(items[0]["records"]) == {str(first.pk), str(second.pk)}
    assert hr.get(API, {"target_id": "999999", "kind": "read"}).json()["items"] == []


def test_the_audit_page_shows_hr_the_entry(cast: Cast) -> None:
    secret = secret_of_alice(cast)
    cast.client(cast.manager).get(f"/api/v1/objectives/{secret.pk}")
    page = cast.client(cast.hr).get(PAGE, {"target_id": str(secret.pk), "kind": "read"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "manager@example.com" in html
    assert "objective.read_private" in html
    assert "Find a new job" in html
    assert '<label for="id_target_id">' in html


def test_the_audit_page_answers_htmx_with_the_results_only(cast: Cast) -> None:
    page = cast.client(cast.hr).get(PAGE, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert b"<html" not in page.content
    assert b"entries" in page.content or b"entry" in page.content


def test_only_hr_admins_find_the_audit_log_in_the_navigation(cast: Cast) -> None:
    assert PAGE in cast.client(cast.hr).get("/goals/").content.decode()
    assert PAGE not in cast.client(cast.manager).get("/goals/").content.decode()


@pytest.mark.parametrize(
    "who", ["skip", "manager", "alice", "bob", "outsider", "salesmanager", "rep"]
)
def test_everyone_but_hr_gets_404_from_the_audit_page_and_api(cast: Cast, who: str) -> None:
    secret = secret_of_alice(cast)
    cast.client(cast.manager).get(f"/api/v1/objectives/{secret.pk}")
    client = cast.client(getattr(cast, who))
    page = client.get(PAGE)
    api = client.get(API)
    assert (page.status_code, api.status_code) == (404, 404)
    assert b"manager@example.com" not in page.content + api.content


def test_a_system_admin_gets_404_too(cast: Cast) -> None:
    RoleGrant.objects.create(person=cast.outsider, role=RoleGrant.Role.SYSTEM_ADMIN)
    client = cast.client(cast.outsider)
    assert (client.get(PAGE).status_code, client.get(API).status_code) == (404, 404)


def test_the_log_is_newest_first_and_filters_by_actor_action_and_dates(
    cast: Cast, clock: Clock
) -> None:
    secret = secret_of_alice(cast)
    clock.move_to(NOW - timedelta(days=10))
    cast.client(cast.manager).get(f"/api/v1/objectives/{secret.pk}")
    clock.move_to(NOW)
    cast.client(cast.skip).get(f"/api/v1/objectives/{secret.pk}")
    hr = cast.client(cast.hr)
    reads = hr.get(API, {"action": "objective.read_private"}).json()["items"]
    assert [r["actor"] for r in reads] == ["skip@example.com", "manager@example.com"]
    by_manager = hr.get(API, {"actor_id": str(cast.manager.pk), "kind": "read"}).json()["items"]
    assert [r["actor"] for r in by_manager] == ["manager@example.com"]
    by_email = hr.get(API, {"actor_email": "SKIP@example.com", "kind": "read"}).json()["items"]
    assert [r["actor"] for r in by_email] == ["skip@example.com"]
    day = (NOW - timedelta(days=10)).date().isoformat()
    that_day = hr.get(API, {"since": day, "until": day, "kind": "read"}).json()["items"]
    assert [r["actor"] for r in that_day] == ["manager@example.com"]
    stamps = [r["at"] for r in hr.get(API).json()["items"]]
    assert stamps == sorted(stamps, reverse=True)


def test_the_audit_api_pages_with_a_bounded_page_size(cast: Cast) -> None:
    secret = secret_of_alice(cast)
    client = cast.client(cast.manager)
    for _ in range(205):
        client.get(f"/api/v1/objectives/{secret.pk}")
    client = cast.client(cast.hr)
    assert client.get(API, {"kind": "read", "limit": "100000"}).status_code == 422
    answer = client.get(API, {"kind": "read", "limit": "500"}).json()
    assert answer["count"] == 205
    assert len(answer["items"]) == 205
    assert len(client.get(API, {"kind": "read", "limit": "200"}).json()["items"]) == 200


@pytest.mark.parametrize(
    "params",
    [
        {"since": "0001-01-01"},
        {"until": "9999-12-31"},
        {"actor_id": 10**20},
        {"kind": "delete"},
        {"target_id": "x" * 65},
        {"offset": str(10**20)},
    ],
)
def test_out_of_range_filters_answer_422(cast: Cast, params: dict[str, Any]) -> None:
    assert cast.client(cast.hr).get(API, params).status_code == 422


def test_an_out_of_range_date_on_the_page_is_named_and_ignored(cast: Cast) -> None:
    page = cast.client(cast.hr).get(PAGE, {"since": "0001-01-01"})
    assert page.status_code == 200
    assert "errorlist" in page.content.decode()


def test_writes_of_check_ins_and_comments_keep_lengths_not_the_words(cast: Cast) -> None:
    checkin = check_in(cast, cast.alice, mood=1, problems="I want to quit")
    checkin_services.checkin_comment_add(
        viewer=cast.viewer(cast.manager), checkin=checkin, body="Call me tonight"
    )
    answer = cast.client(cast.hr).get(API, {"kind": "write", "target_type": "goals.checkin"})
    submitted = answer.json()["items"][0]
    assert submitted["action"] == "checkin.submit"
    assert submitted["changes"]["problems"] == {"changed": True, "length": 14}
    assert submitted["changes"]["mood"] == {"changed": True}
    everything = cast.client(cast.hr).get(API, {"limit": "200"}).content.decode()
    assert "quit" not in everything
    assert "Call me" not in everything
    page = cast.client(cast.hr).get(PAGE).content.decode()
    assert "quit" not in page and "Call me" not in page


def test_dates_are_days_in_the_hr_admins_time_zone(cast: Cast, clock: Clock) -> None:
    # 23:30 UTC on 24 November is already 25 November in Berlin.
    cast.hr.time_zone = "Europe/Berlin"
    cast.hr.save()
    secret = secret_of_alice(cast)
    clock.move_to(datetime.combine(TODAY, time(0, 0), tzinfo=UTC) - timedelta(minutes=30))
    cast.client(cast.manager).get(f"/api/v1/objectives/{secret.pk}")
    clock.move_to(NOW)
    hr = cast.client(cast.hr)
    today, yesterday = TODAY.isoformat(), (TODAY - timedelta(days=1)).isoformat()
    on_25th = hr.get(API, {"since": today, "until": today, "kind": "read"})
    assert len(on_25th.json()["items"]) == 1
    on_24th = hr.get(API, {"since": yesterday, "until": yesterday, "kind": "read"})
    assert on_24th.json()["items"] == []


def test_the_largest_offset_answers_an_empty_page_and_a_larger_one_422(cast: Cast) -> None:
    client = cast.client(cast.hr)
    answer = client.get(API, {"offset": str(10**9)})
    assert answer.status_code == 200
    assert answer.json()["items"] == []
    assert client.get(API, {"offset": str(10**20)}).status_code == 422
