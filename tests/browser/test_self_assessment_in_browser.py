"""A person writes their self-assessment in a real browser at 1280 and 390 px: the Reviews
link in the navigation, an answer saved by the page's autosave (htmx, no inline script)
that a reload keeps, then Submit; axe finds no serious problem."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from stride.testing import Cast
from stride.testing.reviews import launch_cycle, make_template
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, login

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_a_person_drafts_reloads_and_submits_their_self_assessment(
    cast: Cast, any_page: Page
) -> None:
    launch_cycle(cast, make_template(cast), name="Spring reviews", team_ids=[cast.product.pk])
    page = any_page
    login(page, "alice@example.com")
    nav = page.get_by_role("navigation", name="Main")
    if not nav.get_by_role("link", name="Reviews").is_visible():
        nav.locator("summary").first.click()  # the phone menu
    nav.get_by_role("link", name="Reviews").click()
    page.get_by_role("link", name="Spring reviews: self-assessment").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Self-assessment"

    # Autosave: typing is saved without pressing a button.
    page.get_by_label("One per line").fill("Shipped the search page\nMentored Bob")
    page.get_by_role("status").filter(has_text="Draft saved at").wait_for()
    page.reload()
    assert page.get_by_label("One per line").input_value() == (
        "Shipped the search page\nMentored Bob"
    )
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    # Submitting with a rating missing names it; then answer everything and submit.
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Answer this question before you submit.").first.wait_for()
    for question in ("How well were goals met?", "How good was the work?"):
        page.get_by_role("group", name=question).get_by_label("4. Above").check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Submitted on").wait_for()
    assert "Shipped the search page" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Submit").count() == 0
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
