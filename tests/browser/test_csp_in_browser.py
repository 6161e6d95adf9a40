"""The Content-Security-Policy in a real browser: pages that run JavaScript (a chart, the
goal form's quick picks, two-factor set-up, the recovery codes, the API docs, the admin)
still work with inline scripts forbidden, and the browser reports no violation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from stride.goals.models import KeyResult, KeyResultUpdate, Objective
from stride.testing import PASSWORD, Cast
from tests.browser.conftest import Size, login

pytestmark = pytest.mark.browser

# Collects what the page itself reports: run before any page script, so every violation
# event is caught. Init scripts are injected by the browser's debugging protocol and are
# not themselves subject to the page's policy.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


class Watched:
    """A page whose console errors, script errors and CSP violations are recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        url = str(message.location.get("url", ""))
        # Stride has no favicon; the browser's own request for one is not a page problem.
        if message.type == "error" and not url.endswith("/favicon.ico"):
            self.problems.append(f"console {message.type}: {message.text} ({url})")

    def visit(self, url: str) -> str:
        """Open ``url`` and return its Content-Security-Policy header."""
        response = self.page.goto(url)
        assert response is not None and response.ok, url
        return self.policy_of_current_page(response.headers)

    def policy_of_current_page(self, headers: dict[str, str]) -> str:
        policy = headers.get("content-security-policy", "")
        script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
        assert script_src.split()[1:] == ["'self'"], policy
        return policy

    def assert_clean(self) -> None:
        violations = self.page.evaluate("window.__violations || []")
        assert violations == [], f"{self.page.url}: {violations}"
        assert self.problems == [], f"{self.page.url}: {self.problems}"


def objective_with_history(cast: Cast) -> Objective:
    today = timezone.localdate()
    objective = Objective.objects.create(
        title="Launch the self-service portal",
        owner=cast.alice,
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=60),
    )
    kr = KeyResult.objects.create(
        objective=objective, title="Pilot customers live", start=0, target=10, current=4
    )
    now = timezone.now()
    for days_ago, value in ((20, 1), (10, 3), (2, 4)):
        KeyResultUpdate.objects.create(
            key_result=kr,
            value=Decimal(value),
            author=cast.alice,
            at=now - timedelta(days=days_ago),
        )
    return objective


@pytest.fixture
def watched(new_page: Callable[[Size], Page]) -> Watched:
    return Watched(new_page("desktop"))


def test_a_chart_draws_under_the_policy(cast: Cast, watched: Watched) -> None:
    objective = objective_with_history(cast)
    login(watched.page, "alice@example.com")
    watched.visit(f"/goals/{objective.pk}/")
    expect(watched.page.locator("[data-plotly-figure][data-drawn] .main-svg").first).to_be_visible()
    watched.assert_clean()


def test_the_goal_form_quick_picks_work_under_the_policy(cast: Cast, watched: Watched) -> None:
    login(watched.page, "alice@example.com")
    watched.visit("/goals/new")
    picks = watched.page.locator("[data-quick-picks] button[data-start]")
    expect(picks.first).to_be_visible()
    last = picks.last
    start, end = last.get_attribute("data-start"), last.get_attribute("data-end")
    last.click()
    expect(watched.page.locator("[name='period_start']")).to_have_value(str(start))
    expect(watched.page.locator("[name='period_end']")).to_have_value(str(end))
    watched.assert_clean()


def test_two_factor_set_up_and_recovery_codes_work_under_the_policy(
    cast: Cast, watched: Watched
) -> None:
    page = watched.page
    login(page, "alice@example.com")
    page.goto("/accounts/2fa/totp/activate/")
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/accounts/2fa/totp/activate/")) as info:
        page.get_by_role("button").filter(has_text="Confirm").click()
    watched.policy_of_current_page(info.value.headers)
    qr = page.locator("img.auth-qr, img[src^='data:']").first
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth > 0", qr.element_handle())
    watched.assert_clean()


def test_the_recovery_codes_page_runs_allauths_script_under_the_policy(
    cast: Cast, watched: Watched
) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    page = watched.page
    login(page, "alice@example.com")  # a fresh login counts as recent authentication
    assert cast.alice.user is not None
    TOTP.activate(cast.alice.user, generate_totp_secret())
    RecoveryCodes.activate(cast.alice.user)
    watched.visit("/accounts/2fa/recovery-codes/")
    if "/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button").filter(has_text="Confirm").click()
        page.wait_for_url("**/accounts/2fa/recovery-codes/")
    assert page.url.endswith("/accounts/2fa/recovery-codes/")
    expect(page.locator("h1")).to_be_visible()
    watched.assert_clean()


def test_the_api_docs_work_under_the_policy(cast: Cast, watched: Watched) -> None:
    login(watched.page, "alice@example.com")
    watched.visit("/api/v1/docs")
    expect(watched.page.locator(".swagger-ui .opblock").first).to_be_visible(
        timeout=30_000  # a large document on a busy machine
    )
    watched.assert_clean()


def test_the_admin_works_under_the_policy(cast: Cast, watched: Watched) -> None:
    assert cast.hr.user is not None
    cast.hr.user.is_staff = cast.hr.user.is_superuser = True
    cast.hr.user.save()
    page = watched.page
    watched.visit("/admin/login/")
    page.locator("#id_username").fill("hr@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type='submit']").click()
    page.wait_for_url("**/admin/")
    watched.visit("/admin/account/emailaddress/")
    expect(page.locator("#changelist")).to_be_visible()
    watched.assert_clean()
