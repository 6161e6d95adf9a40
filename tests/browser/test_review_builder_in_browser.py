"""HR builds a review template in a real browser, without any script of the page's own:
the Reviews link in the navigation (inside the phone menu at 390 px), a new template, a
section and an anchored rating with its scale; axe finds no serious problem."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from stride.testing import Cast
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, login

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_hr_builds_a_template_with_an_anchored_rating(cast: Cast, any_page: Page) -> None:
    page = any_page
    login(page, "hr@example.com")
    nav = page.get_by_role("navigation", name="Main")
    if not nav.get_by_role("link", name="Reviews").is_visible():
        nav.locator("summary").first.click()  # the phone menu
    nav.get_by_role("link", name="Reviews").click()
    page.get_by_role("navigation", name="Reviews").get_by_role(
        "link", name="Review templates"
    ).click()
    page.get_by_label("Name").fill("Year-end review")
    page.get_by_role("button", name="Create template").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Year-end review"

    page.get_by_label("Section title").fill("Results")
    page.get_by_label("Weight in the overall score").fill("3")
    page.get_by_role("button", name="Add section").click()
    page.get_by_role("link", name="Add a question to Results").click()
    page.get_by_label("Kind").select_option("rating")
    page.get_by_label("Question").fill("How well were goals met?")
    page.get_by_label("Point 1 label").fill("Below")
    page.get_by_label("Point 2 label").fill("Meets")
    page.get_by_label("Point 3 label").fill("Above")
    page.get_by_label("Point 3 description").fill("Raised the bar for the team.")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_role("button", name="Add question").click()

    section = page.locator("section", has_text="Results").first
    section.locator("strong", has_text="How well were goals met?").wait_for()
    assert "3 — Above: Raised the bar for the team." in section.inner_text()
    assert "100%" in section.inner_text()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
