"""The audit page in a real browser: HR finds it in the navigation, filters it (htmx swaps
the results in) and axe finds no serious problem, at desktop and phone widths."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from stride.goals.models import Objective
from stride.testing import Cast, make_objective
from tests.browser.conftest import assert_accessible, login

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_hr_filters_the_audit_log_by_target(cast: Cast, any_page: Page) -> None:
    page = any_page
    secret = make_objective(
        cast, cast.alice, "Find a new job", visibility=Objective.Visibility.PRIVATE
    )
    make_objective(cast, cast.alice, "Other secret", visibility=Objective.Visibility.PRIVATE)
    login(page, "manager@example.com")
    page.goto(f"/api/v1/objectives/{secret.pk}")
    page.context.clear_cookies()

    login(page, "hr@example.com")
    nav = page.get_by_role("navigation", name="Main")
    if not nav.get_by_role("link", name="Audit log").is_visible():
        nav.locator("summary, button").first.click()  # a collapsed phone menu
    nav.get_by_role("link", name="Audit log").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Audit log"
    assert_accessible(page)

    page.get_by_label("Target id").fill(str(secret.pk))
    page.get_by_label("Kind").select_option("read")
    page.get_by_role("button", name="Filter").click()
    results = page.locator("#results")
    results.get_by_text("1 entry.").wait_for()
    assert "manager@example.com" in results.inner_text()
    assert "Find a new job" in results.inner_text()
    assert f"target_id={secret.pk}" in page.url
    assert_accessible(page)
