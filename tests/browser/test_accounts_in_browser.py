"""Logging in and out in a real browser, at desktop and phone widths, and axe on the pages
everyone sees first."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from stride.access.tests.test_accounts import current_code, turn_on_totp
from stride.testing import PASSWORD, Cast
from tests.browser.conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    login,
    logout,
    viewport_width,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def unexpiring_code(secret: str) -> str:
    """The authenticator code of this moment, never one about to expire: allauth accepts a code
    only within its own 30-second step, and the server checks it a moment after we type it."""
    remaining = 30 - time.time() % 30
    if remaining < 5:
        time.sleep(remaining + 0.2)
    return current_code(secret)


def test_a_person_logs_in_and_out(cast: Cast, any_page: Page) -> None:
    page = any_page
    page.goto("/goals/")
    # Asking for a page while logged out leads to the login form.
    assert "/accounts/login/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Log in to Stride"
    assert_no_horizontal_scroll(page)

    login(page, "alice@example.com")
    nav = page.get_by_role("navigation", name="Main")
    if viewport_width(page) < 768:  # on a phone the links are folded into the menu
        nav.get_by_text("Menu", exact=True).click()
    assert nav.get_by_role("link", name="My goals").is_visible()
    assert_no_horizontal_scroll(page)

    logout(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Log in to Stride"
    page.goto("/goals/")
    assert "/accounts/login/" in page.url


def test_the_nav_stays_usable_at_phone_width(cast: Cast, phone_page: Page) -> None:
    page = phone_page
    login(page, "alice@example.com")
    assert viewport_width(page) == 390
    nav = page.get_by_role("navigation", name="Main")
    # The links are folded into a menu, so the header stays one line high.
    assert not nav.get_by_role("link", name="My goals", exact=True).is_visible()
    nav.get_by_text("Menu", exact=True).click()
    for name in ("My goals", "Check-ins", "People"):
        link = nav.get_by_role("link", name=name, exact=True)
        assert link.is_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The account menu opens inside the screen and its entries can be reached.
    page.locator(".account-menu summary").click()
    assert page.get_by_role("link", name="Change password").is_visible()
    assert_no_horizontal_scroll(page)
    # Only one header menu is open at a time: the account menu folded the links away.
    assert not nav.get_by_role("link", name="People", exact=True).is_visible()
    nav.get_by_text("Menu", exact=True).click()
    assert not page.get_by_role("link", name="Change password").is_visible()
    nav.get_by_role("link", name="People", exact=True).click()
    page.wait_for_url("**/people/")


def test_a_wrong_password_is_announced_in_the_browser(cast: Cast, desktop_page: Page) -> None:
    page = desktop_page
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()
    assert "not correct" in page.get_by_role("alert").inner_text()
    assert "/accounts/login/" in page.url


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/password/reset/", "/accounts/signup/"]
)
def test_the_entrance_pages_have_no_serious_accessibility_problems(
    db: None, any_page: Page, url: str
) -> None:
    any_page.goto(url)
    assert_accessible(any_page)
    assert_no_horizontal_scroll(any_page)


def test_the_second_factor_step_works_and_is_accessible(cast: Cast, phone_page: Page) -> None:
    assert cast.alice.user is not None
    secret = turn_on_totp(cast.alice.user)
    page = phone_page
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_label("Code").fill(unexpiring_code(secret))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/goals/")


def test_the_stylesheet_is_served(db: None, desktop_page: Page) -> None:
    desktop_page.goto("/accounts/login/")
    href = desktop_page.locator('link[rel="stylesheet"]').first.get_attribute("href")
    assert href is not None
    assert desktop_page.request.get(href).status == 200, f"{href} is not served"
    # The page really is styled: the site header gets its dark background from app.css.
    background = desktop_page.locator(".site-header").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert background != "rgba(0, 0, 0, 0)"


def test_the_landing_page_after_login_is_accessible(cast: Cast, any_page: Page) -> None:
    # Checked straight after logging in, while the "signed in" message is still shown.
    login(any_page, "alice@example.com")
    assert_accessible(any_page)
    assert_no_horizontal_scroll(any_page)


@pytest.mark.parametrize("url", ["/goals/", "/people/"])
def test_pages_after_login_have_no_serious_accessibility_problems(
    cast: Cast, desktop_page: Page, url: str
) -> None:
    login(desktop_page, "manager@example.com")
    desktop_page.goto(url)
    assert_accessible(desktop_page)
