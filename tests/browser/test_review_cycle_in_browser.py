"""A whole review cycle in a real headless Chromium, as the people who run it (issue 7,
"Done when"): HR launches a cycle; the person writes and submits their self-assessment
(at 390 px) and nominates a peer; their manager approves; the peer answers (at 390 px) and
a direct report answers upward; the manager writes the review with the overall rating and
potential and submits it; HR calibrates (questions the proposal, changes it with a reason);
the manager reads the outcome and shares the review with a meeting; the person acknowledges
it with a comment (at 390 px) and downloads the PDF; the manager sees the acknowledgement.

No clock is moved: every phase takes work from its first day until its own last day, so
HR lays the phases out as an overlapping calendar that starts today (each ends a week after
the one before, as the form allows), and each step is inside its dates. The cycle's dates
are typed into the form as HR would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

from stride.reviews.models import CycleParticipant
from stride.testing import Cast
from stride.testing.builders import check_in
from stride.testing.reviews import make_template
from tests.browser.conftest import assert_no_horizontal_scroll, login

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

CYCLE = "Autumn reviews Tern"
PEER_WORDS = "Keep pairing on the hard bugs, Alice"
UPWARD_WORDS = "Keep shielding the team from churn"
ALICE_PLANS = "Finish the Kestrel migration"
CALIBRATION_REASON = "The search launch was shared with Bob"
PHASES = [
    "Self-assessment",
    "Peer nomination and approval",
    "Peer and upward reviews",
    "Manager review",
    "Calibration",
    "Sharing and sign-off",
]


def open_reviews(page: Page) -> None:
    """The Reviews link of the main navigation (behind the menu on a phone)."""
    nav = page.get_by_role("navigation", name="Main")
    if not nav.get_by_role("link", name="Reviews").is_visible():
        nav.locator("summary").first.click()
    nav.get_by_role("link", name="Reviews").click()


def hr_launches_the_cycle(page: Page) -> None:
    login(page, "hr@example.com")
    page.goto("/reviews/cycles/")
    page.get_by_role("link", name="New cycle").click()
    page.get_by_label("Name").fill(CYCLE)
    page.get_by_label("Template").select_option(label="Annual review")
    page.get_by_label("Product").check()
    page.get_by_label("Fewest peers to nominate").fill("1")
    page.get_by_label("Most peers").fill("3")
    today = date.today()
    for index, phase in enumerate(PHASES):
        page.get_by_label(f"{phase} starts").fill(today.isoformat())
        ends = today + timedelta(days=7 * index + 6)
        page.get_by_label(f"{phase} ends").fill(ends.isoformat())
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Cycle saved as a draft").wait_for()
    page.get_by_text("4 people match now.").wait_for()  # Product: skip, manager, alice, bob
    page.get_by_role("button", name="Launch the cycle").click()
    page.get_by_text("Cycle launched.").wait_for()
    assert "Progress by team" in page.locator("main").inner_text()


def alice_writes_her_self_assessment(page: Page) -> None:
    login(page, "alice@example.com")
    open_reviews(page)
    page.get_by_role("link", name=f"{CYCLE}: self-assessment").click()
    for question in ("How well were goals met?", "How good was the work?"):
        page.get_by_role("group", name=question).get_by_label("4. Above").check()
    page.get_by_label("One per line").fill("Shipped the search page\nMentored Bob")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Submitted on").wait_for()
    assert_no_horizontal_scroll(page)


def alice_nominates_bob(page: Page) -> None:
    page.get_by_role("link", name="Peer reviewers").click()
    page.get_by_label("Nominate peers").fill("bob@example.com")
    page.get_by_role("button", name="Nominate").click()
    page.get_by_text("Peers nominated: your manager will decide.").wait_for()
    assert "Bob Report" in page.locator("main").inner_text()


def manager_approves_bob(page: Page) -> None:
    login(page, "manager@example.com")
    open_reviews(page)
    page.get_by_role("link", name=f"{CYCLE}: Alice Report").click()
    page.get_by_role("link", name="Peer reviewers").click()
    page.get_by_label("Approve Bob Report").check()
    page.get_by_role("button", name="Save decisions").click()
    page.get_by_text("Peers updated.").wait_for()
    assert "Approved" in page.locator("main").inner_text()


def answer_request(page: Page, about: str, words: str) -> None:
    """The signed-in reviewer opens their request about ``about`` and submits ``words``."""
    open_reviews(page)
    page.get_by_role("link", name=f"{CYCLE}: {about}").click()
    assert "anonymous" in page.locator("main").inner_text()
    page.get_by_label("Your answer").fill(words)
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Submitted on").wait_for()
    assert_no_horizontal_scroll(page)


def manager_writes_the_review(page: Page) -> None:
    page.goto("/reviews/mine/")
    page.get_by_role("link", name=f"{CYCLE}: Alice Report").click()
    main = page.locator("main")
    # The period's check-ins, for the manager only.
    summary = page.locator("#checkin-summary")
    assert "Checked in 1 of" in summary.inner_text()
    assert ALICE_PLANS in summary.inner_text()
    for question in ("How well were goals met?", "How good was the work?"):
        page.get_by_role("group", name=question).get_by_label("4. Above").check()
    # Submitting without the proposal names what is missing.
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Propose an overall rating before you submit.").wait_for()
    page.get_by_role("group", name="Overall rating").get_by_label("4. Exceeds expectations").check()
    page.get_by_role("group", name="Potential").get_by_label("3. High").check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Submitted on").wait_for()
    shown = main.inner_text()
    assert "Exceeds expectations" in shown and "High" in shown
    # Both have submitted: the manager now sees alice's self-assessment.
    assert "Shipped the search page" in shown


def calibrators_settle_the_rating(page: Page) -> None:
    """HR (a calibrator of the whole cycle) questions the proposal, then changes it with a
    reason (a change without one is refused); alice moves in the 9-box."""
    page.goto("/reviews/cycles/")
    page.get_by_role("link", name=CYCLE).click()
    page.get_by_role("link", name="Calibration", exact=True).click()
    review = CycleParticipant.objects.get(cycle__name=CYCLE, person__email="alice@example.com")
    assert "Alice Report" in page.locator('[data-box="high-3"]').inner_text()
    row = page.locator(f"#review-{review.pk}")
    row.get_by_label("Question").check()
    row.get_by_label("Comment (optional)").fill("Was the search page hers alone?")
    row.get_by_role("button", name="Save reaction").click()
    page.get_by_text("Reaction saved.").wait_for()
    row = page.locator(f"#review-{review.pk}")
    row.get_by_label("Final rating").select_option("3")
    row.get_by_role("button", name="Change rating").click()
    page.locator(f"#review-{review.pk} .errorlist").wait_for()
    row = page.locator(f"#review-{review.pk}")
    row.get_by_label("Final rating").select_option("3")
    row.get_by_label("Reason (the manager reads it)").fill(CALIBRATION_REASON)
    row.get_by_role("button", name="Change rating").click()
    page.get_by_text("Rating changed.").wait_for()
    assert "Alice Report" in page.locator('[data-box="moderate-3"]').inner_text()


def open_alices_review(page: Page) -> None:
    page.goto("/reviews/mine/")
    page.get_by_role("link", name=f"{CYCLE}: Alice Report").click()


def manager_sees_the_outcome_and_shares(page: Page) -> None:
    open_alices_review(page)
    main = page.locator("main")
    outcome = page.locator("#outcome").inner_text()
    assert "3 · Meets expectations" in outcome and CALIBRATION_REASON in outcome
    meeting = date.today() + timedelta(days=3)
    page.get_by_label("Meeting time (optional, your time zone)").fill(f"{meeting}T10:30")
    page.get_by_label("Length (minutes)").fill("45")
    page.get_by_role("button", name="Share with Alice Report").click()
    page.get_by_text("Shared with Alice Report: they will get an e-mail.").wait_for()
    assert "45 minutes" in page.locator("#shared-status").inner_text()
    assert page.get_by_role("link", name="Add the meeting to your calendar (.ics)").is_visible()
    assert "Proposed by the manager" in main.inner_text()


def alice_acknowledges(page: Page) -> None:
    """At 390 px: alice reads her shared review, acknowledges it, downloads the PDF."""
    open_reviews(page)
    page.get_by_role("link", name=f"{CYCLE}: self-assessment").click()
    assert CALIBRATION_REASON in page.locator("#outcome").inner_text()
    page.get_by_label("Comment (optional)").fill("Thanks, a fair summary.")
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("Acknowledged: your manager will see it.").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert_no_horizontal_scroll(page)


def manager_sees_the_acknowledgement(page: Page) -> None:
    open_alices_review(page)
    acknowledged = page.locator("#acknowledged-status").inner_text()
    assert "Acknowledged on" in acknowledged and "Thanks, a fair summary." in acknowledged
    review = CycleParticipant.objects.get(cycle__name=CYCLE, person__email="alice@example.com")
    assert review.shared_at is not None and review.acknowledged_at is not None


def test_a_review_cycle_runs_in_the_browser(cast: Cast, new_page: Callable[[str], Page]) -> None:
    make_template(cast)  # "Annual review": self, manager, peer and upward questions
    check_in(cast, cast.alice, mood=4, plans=ALICE_PLANS)

    hr = new_page("desktop")
    hr_launches_the_cycle(hr)

    alice = new_page("phone")  # 390 px
    alice_writes_her_self_assessment(alice)
    alice_nominates_bob(alice)

    manager = new_page("desktop")
    manager_approves_bob(manager)

    bob = new_page("phone")  # 390 px
    login(bob, "bob@example.com")
    answer_request(bob, "Alice Report", PEER_WORDS)
    # A direct report reviews their manager upward.
    answer_request(alice, "Mia Manager", UPWARD_WORDS)

    manager_writes_the_review(manager)
    review = CycleParticipant.objects.get(cycle__name=CYCLE, person=cast.alice)
    assert (review.final_rating, review.final_potential) == (4, 3)

    calibrators_settle_the_rating(hr)
    manager_sees_the_outcome_and_shares(manager)
    alice_acknowledges(alice)
    manager_sees_the_acknowledgement(manager)
