"""End-to-end tests in a real headless Chromium, driven by Playwright's sync API.

What this module gives a browser test
-------------------------------------
Fixtures (use them by naming them as arguments):

``browser``        one Chromium for the whole session, launched from ``/usr/bin/chromium``.
``desktop_page``   a fresh page (own cookies) at 1280×800, its ``base_url`` set to the live
                   server, so ``page.goto("/goals/")`` works.
``phone_page``     the same at a 390×844 phone (mobile viewport, touch).
``any_page``       parametrised over both: a test that takes it runs once per size, with
                   ids ``[desktop]`` and ``[phone]``; ``viewport_width(page)`` tells which.
``new_page``       a factory, ``new_page("phone")``, for tests that need two people logged in
                   at once (each call is a separate browser context).

Helpers (import them: ``from tests.browser.conftest import login, assert_accessible``):

``login(page, email, password=PASSWORD)``   logs in through the real form and waits for
                                             the landing page (``/goals/``).
``logout(page)``                             logs out through the account menu.
``assert_accessible(page)``                  runs axe-core on the current page and fails on
                                             any *serious* or *critical* violation, listing
                                             each with the offending elements.
``assert_no_horizontal_scroll(page)``        the page is no wider than its viewport.

People: request the ``cast`` fixture (``stride.testing``, loaded by the root ``conftest.py``)
and log in as any of them with ``login(page, "manager@example.com")``; they all share
``stride.testing.PASSWORD``. Data made
in the test is visible to the server because ``live_server`` runs each test in a real,
committed transaction (pytest-django's ``transactional_db``).

Under pytest-xdist (``make test`` runs ``-n auto``) each worker process starts its own
Chromium and its own live server on a free port (pytest-django's default address,
``localhost`` with port 0), against its own test database: workers never share a port.

Mark browser test modules with ``pytestmark = pytest.mark.browser`` so ``-m "not browser"``
leaves them out.

Without Chromium at ``/usr/bin/chromium`` the tests skip with a message saying how to install
it — unless ``STRIDE_REQUIRE_BROWSER=1`` (set by ``.ci/run``), when they fail instead, so CI
cannot pass without having run them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest

from stride.testing import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

# Playwright's sync API keeps an asyncio loop running in this thread; Django would otherwise
# refuse ORM calls made from the test body (fixtures, assertions) as "async-unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
MISSING_CHROMIUM = (
    "Chromium not found at /usr/bin/chromium — run `apt-get install -y chromium` "
    "to run the browser tests"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

Size = Literal["desktop", "phone"]
VIEWPORTS: dict[str, dict[str, int]] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
# Generous enough for a loaded CI machine; a real failure still fails, only later.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("STRIDE_REQUIRE_BROWSER") == "1":
            pytest.fail(MISSING_CHROMIUM + " (STRIDE_REQUIRE_BROWSER=1 requires them)")
        pytest.skip(MISSING_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[Size], Page]]:
    contexts = []

    def make(size: Size) -> Page:
        phone = size == "phone"
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORTS[size],  # type: ignore[arg-type]
            is_mobile=phone,
            has_touch=phone,
            locale="en",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def desktop_page(new_page: Callable[[Size], Page]) -> Page:
    return new_page("desktop")


@pytest.fixture
def phone_page(new_page: Callable[[Size], Page]) -> Page:
    return new_page("phone")


@pytest.fixture(params=["desktop", "phone"])
def any_page(request: pytest.FixtureRequest, new_page: Callable[[Size], Page]) -> Page:
    return new_page(request.param)


def viewport_width(page: Page) -> int:
    size = page.viewport_size
    assert size is not None
    return int(size["width"])


def login(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the real login form and wait until the landing page has loaded."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/goals/")


def logout(page: Page) -> None:
    """Log out the way a person does: open the account menu, press "Log out"."""
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")


def assert_no_horizontal_scroll(page: Page) -> None:
    width = viewport_width(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, (
        f"{page.url} is {scroll_width}px wide in a {width}px viewport: it scrolls sideways"
    )


def assert_accessible(page: Page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """Run axe-core on the page as it is now and fail on violations of the given impact."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [v for v in results.response["violations"] if v.get("impact") in impacts]
    if violations:
        lines = [f"axe found {len(violations)} {'/'.join(impacts)} problem(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
        pytest.fail("\n".join(lines))
