"""A manager of managers calibrates in a real browser: finds the calibration from "My
reviews", questions a proposed rating with a comment, changes it with a reason, and sees
the person move in the 9-box; the manager then reads the final rating and the reason on
the review. axe finds no serious problem."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from stride.reviews.models import CycleParticipant
from stride.testing import Cast
from stride.testing.reviews import launch_cycle, make_template
from tests.browser.conftest import assert_accessible, login, logout

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

REASON = "Led the billing migration Garganey"


def test_a_skip_level_reacts_changes_a_rating_and_sees_the_nine_box_move(
    cast: Cast, desktop_page: Page
) -> None:
    cycle = launch_cycle(
        cast, make_template(cast), name="Autumn reviews", team_ids=[cast.product.pk]
    )
    for person, rating, potential in ((cast.alice, 3, 2), (cast.bob, 2, 1)):
        CycleParticipant.objects.filter(cycle=cycle, person=person).update(
            proposed_rating=rating,
            potential=potential,
            final_rating=rating,
            final_potential=potential,
        )
    alice = CycleParticipant.objects.get(cycle=cycle, person=cast.alice)
    page = desktop_page
    login(page, "skip@example.com")
    page.goto("/reviews/mine/")
    page.get_by_role("link", name="Calibrate Autumn reviews").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Calibration: Autumn reviews"
    assert "Alice Report" in page.locator('[data-box="moderate-2"]').inner_text()
    assert_accessible(page)

    row = page.locator(f"#review-{alice.pk}")
    row.get_by_label("Question").check()
    row.get_by_label("Comment (optional)").fill("Was the launch hers?")
    row.get_by_role("button", name="Save reaction").click()
    page.get_by_text("Reaction saved.").wait_for()
    row = page.locator(f"#review-{alice.pk}")
    assert "Questioned by: Sam Skip" in row.inner_text()
    assert "Question: 1" in row.inner_text()

    # A change without a reason is refused and changes nothing.
    row.get_by_label("Final rating").select_option("5")
    row.get_by_role("button", name="Change rating").click()
    page.locator(f"#review-{alice.pk} .errorlist").wait_for()
    assert "Alice Report" in page.locator('[data-box="moderate-2"]').inner_text()

    row = page.locator(f"#review-{alice.pk}")
    row.get_by_label("Final rating").select_option("5")
    row.get_by_label("Final potential").select_option("3")
    row.get_by_label("Reason (the manager reads it)").fill(REASON)
    row.get_by_role("button", name="Change rating").click()
    page.get_by_text("Rating changed.").wait_for()
    assert "Alice Report" in page.locator('[data-box="high-3"]').inner_text()
    assert "Alice Report" not in page.locator('[data-box="moderate-2"]').inner_text()
    assert f"Changed in calibration: {REASON}" in page.locator(f"#review-{alice.pk}").inner_text()
    assert_accessible(page)

    logout(page)
    login(page, "manager@example.com")
    page.goto(f"/reviews/{alice.pk}/")
    outcome = page.locator("#outcome").inner_text()
    assert "5 · Far exceeds expectations" in outcome
    assert REASON in outcome
