"""The heart of Stride in a real browser: a person writes their weekly check-in, updating a
key result from the prefilled form, and their manager sees it on the team page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from stride.goals import services as goals
from stride.goals.models import CheckIn, KeyResult, KeyResultUpdate
from stride.testing import Cast
from tests.browser.conftest import (
    VIEWPORTS,
    Size,
    assert_accessible,
    assert_no_horizontal_scroll,
    login,
)

pytestmark = pytest.mark.browser


def give_alice_a_goal(cast: Cast) -> KeyResult:
    today = date.today()
    objective = goals.objective_create(
        viewer=cast.viewer(cast.alice),
        title="Launch the self-service portal",
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=60),
        key_results=[{"title": "Pilot customers live", "start": 0, "target": 10}],
    )
    return objective.key_results.get()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_check_in_written_in_the_browser_reaches_the_managers_team_page(
    cast: Cast, new_page: Callable[[Size], Page], size: Size
) -> None:
    key_result = give_alice_a_goal(cast)

    page = new_page(size)
    login(page, "alice@example.com")
    if size == "phone":  # the navigation is folded into its menu
        page.get_by_role("navigation", name="Main").get_by_text("Menu", exact=True).click()
    # One "Check-ins" entry in the navigation; its page leads with this week's check-in.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Check-ins", exact=True
    ).click()
    page.get_by_role("link", name=re.compile("Write this week's check-in")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Weekly check-in")
    # The key result arrives prefilled through htmx.
    row = page.get_by_role("group", name="Pilot customers live")
    expect(row).to_be_visible()
    page.get_by_label("4 — Good").check()
    page.get_by_label("Progress").fill("Two pilot customers went live.")
    page.get_by_label("Plans").fill("Onboard the third pilot.")
    row.get_by_label("New value").fill("2")
    row.get_by_label("Confidence (0–10)").fill("7")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Submit check-in").click()
    page.wait_for_load_state("networkidle")

    checkin = CheckIn.objects.get(person=cast.alice)
    assert checkin.progress == "Two pilot customers went live."
    key_result.refresh_from_db()
    assert key_result.current == 2

    manager_page = new_page(size)
    login(manager_page, "manager@example.com")
    manager_page.goto("/team/")
    this_week = manager_page.get_by_role("region", name="This week")
    alice_row = this_week.get_by_role("row").filter(has_text="Alice Report")
    expect(alice_row).to_contain_text("Checked in")
    expect(this_week.get_by_role("row").filter(has_text="Bob Report")).not_to_contain_text(
        "Checked in"
    )
    assert_accessible(manager_page)
    assert_no_horizontal_scroll(manager_page)
    alice_row.get_by_role("link", name="Checked in").click()
    expect(manager_page.get_by_text("Two pilot customers went live.")).to_be_visible()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_saving_a_check_in_that_changes_one_key_result_of_several_adds_exactly_one_history_row(
    cast: Cast, new_page: Callable[[Size], Page], size: Size
) -> None:
    today = date.today()
    objective = goals.objective_create(
        viewer=cast.viewer(cast.alice),
        title="Grow the community",
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=60),
        key_results=[
            {"title": "Forum members", "start": 0, "target": 400},
            {"title": "Meetups held", "start": 0, "target": 6},
            {"title": "Newsletter readers", "start": 100, "target": 1000},
            {"title": "Guides written", "start": 0, "target": 12},
        ],
    )
    members, meetups, _readers, guides = objective.key_results.order_by("position", "id")
    before = KeyResultUpdate.objects.count()

    page = new_page(size)
    login(page, "alice@example.com")
    page.goto("/check-ins/new")
    page.get_by_label("3 — Okay").check()
    # Every key result arrives prefilled with its current value; only one is changed.
    for title in ("Forum members", "Meetups held", "Newsletter readers", "Guides written"):
        expect(page.get_by_role("group", name=title).get_by_label("New value")).not_to_have_value(
            ""
        )
    page.get_by_role("group", name="Meetups held").get_by_label("New value").fill("2")
    page.get_by_role("button", name="Submit check-in").click()
    expect(page.get_by_text("Your check-in for")).to_be_visible()

    checkin = CheckIn.objects.get(person=cast.alice)
    assert KeyResultUpdate.objects.count() == before + 1
    only = KeyResultUpdate.objects.get(checkin=checkin)
    assert (only.key_result_id, only.value) == (meetups.pk, 2)
    members.refresh_from_db()
    assert members.current == 0

    # Editing the check-in: nothing typed, one key result that did not move is confirmed.
    page.goto("/check-ins/new")
    page.get_by_role("group", name="Guides written").get_by_label("Confirmed").check()
    page.get_by_role("button", name="Update check-in").click()
    expect(page.get_by_text("Your check-in for")).to_be_visible()
    assert KeyResultUpdate.objects.count() == before + 2
    added = KeyResultUpdate.objects.filter(checkin=checkin).order_by("key_result__position")
    assert [(u.key_result_id, u.value) for u in added] == [(meetups.pk, 2), (guides.pk, 0)]


def test_without_javascript_a_check_in_records_only_the_key_result_that_changed(
    cast: Cast, browser: Browser, live_server: LiveServer
) -> None:
    key_result = give_alice_a_goal(cast)
    today = date.today()
    goals.objective_create(
        viewer=cast.viewer(cast.alice),
        title="Hire the support team",
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=60),
        key_results=[{"title": "Support hires", "start": 0, "target": 3}],
    )
    before = KeyResultUpdate.objects.count()
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=VIEWPORTS["desktop"]
    )
    try:
        page = context.new_page()
        login(page, "alice@example.com")
        page.goto("/check-ins/new")
        # The server-rendered rows (the <noscript> fallback) are the form's rows.
        page.get_by_label("4 — Good").check()
        page.get_by_role("group", name="Pilot customers live").get_by_label("New value").fill("3")
        page.get_by_role("button", name="Submit check-in").click()
        expect(page.get_by_text("Your check-in for")).to_be_visible()
    finally:
        context.close()
    assert KeyResultUpdate.objects.count() == before + 1
    assert KeyResultUpdate.objects.get(checkin__isnull=False).key_result_id == key_result.pk


def test_a_peer_cannot_open_the_check_in(cast: Cast, new_page: Callable[[Size], Page]) -> None:
    give_alice_a_goal(cast)
    from stride.goals.checkins import services as checkin_services

    checkin = checkin_services.checkin_submit(
        viewer=cast.viewer(cast.alice), mood=3, progress="Private thoughts"
    )
    page = new_page("desktop")
    login(page, "bob@example.com")
    response = page.goto(f"/check-ins/{checkin.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_text("Private thoughts")).to_have_count(0)
