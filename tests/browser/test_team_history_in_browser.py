"""A manager follows a report in a real browser: from the team page to the report's check-in
history, to an earlier week's check-in, and from there to the week before it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from stride.testing import Cast, check_in
from tests.browser.conftest import (
    Size,
    assert_accessible,
    assert_no_horizontal_scroll,
    login,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_manager_reaches_a_reports_earlier_check_in_from_the_team_page(
    cast: Cast, new_page: Callable[[Size], Page], size: Size
) -> None:
    # Alice has not checked in this week: only earlier weeks exist.
    check_in(cast, cast.alice, weeks_ago=3, progress="Wrote the onboarding guide.")
    check_in(cast, cast.alice, weeks_ago=2, progress="Interviewed five pilot customers.")

    page = new_page(size)
    login(page, "manager@example.com")
    page.goto("/team/")
    row = (
        page.get_by_role("region", name="This week")
        .get_by_role("row")
        .filter(has_text="Alice Report")
    )
    expect(row).to_contain_text("Not yet")
    row.get_by_role("link", name="Check-ins of Alice Report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check-ins of Alice Report")
    expect(page.get_by_role("link", name="Goals of Alice Report")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    # Newest first: the latest of her check-ins heads the table.
    page.get_by_role("row").nth(1).get_by_role("link").click()
    expect(page.get_by_text("Interviewed five pilot customers.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Previous check-in").click()
    expect(page.get_by_text("Wrote the onboarding guide.")).to_be_visible()
    expect(page.get_by_role("link", name="Previous check-in")).to_have_count(0)
    page.get_by_role("link", name="All check-ins of Alice Report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-ins of Alice Report")


def test_a_peer_is_refused_a_reports_history(cast: Cast, new_page: Callable[[Size], Page]) -> None:
    check_in(cast, cast.alice, weeks_ago=1, progress="Private thoughts")
    page = new_page("desktop")
    login(page, "bob@example.com")
    response = page.goto(f"/check-ins/person/{cast.alice.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_text("Private thoughts")).to_have_count(0)
    expect(page.get_by_text("Alice Report")).to_have_count(0)
