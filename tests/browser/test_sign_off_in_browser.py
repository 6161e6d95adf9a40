"""Sharing and sign-off in a real browser: the manager shares alice's review with a meeting
time, alice reads it and acknowledges it with a comment, and the manager sees that."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from stride.reviews.models import CycleParticipant, ReviewResponse
from stride.testing import Cast
from stride.testing.reviews import complete_answers, launch_cycle, make_template, phases_from
from tests.browser.conftest import assert_accessible, login, logout

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_the_manager_shares_with_a_meeting_and_the_person_acknowledges(
    cast: Cast, desktop_page: Page
) -> None:
    today = timezone.localdate()
    # The sharing phase begins today; both sides submitted before (set directly).
    cycle = launch_cycle(
        cast,
        make_template(cast),
        name="Autumn reviews",
        team_ids=[cast.product.pk],
        phases=phases_from(today - timedelta(days=35)),
    )
    review = cycle.participants.get(person=cast.alice)
    for relationship, author in (("self", cast.alice), ("manager", cast.manager)):
        answers = {
            str(a["question_id"]): {
                "rating": a.get("rating"),
                "text": a["text"],
                "items": a.get("items", []),
            }
            for a in complete_answers(cycle, relationship, f"{relationship} words Dunlin")
        }
        ReviewResponse.objects.create(
            participant=review,
            relationship=relationship,
            author=author,
            answers=answers,
            submitted_at=timezone.now() - timedelta(days=10),
        )
    CycleParticipant.objects.filter(pk=review.pk).update(
        proposed_rating=3, final_rating=4, final_reason="Led the move"
    )
    page = desktop_page
    login(page, "manager@example.com")
    page.goto(f"/reviews/{review.pk}/")
    day = today + timedelta(days=3)
    page.get_by_label("Meeting time (optional, your time zone)").fill(f"{day.isoformat()}T10:30")
    page.get_by_label("Length (minutes)").fill("45")
    page.get_by_role("button", name="Share with Alice Report").click()
    page.get_by_text("Shared with Alice Report: they will get an e-mail.").wait_for()
    assert "45 minutes" in page.locator("#shared-status").inner_text()
    assert page.get_by_role("link", name="Add the meeting to your calendar (.ics)").is_visible()
    assert_accessible(page)
    logout(page)

    login(page, "alice@example.com")
    page.goto(f"/reviews/{review.pk}/")
    assert "Led the move" in page.locator("#outcome").inner_text()
    page.get_by_label("Comment (optional)").fill("Thanks, a fair summary.")
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("Acknowledged: your manager will see it.").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    assert download.value.suggested_filename == f"review-{review.pk}.pdf"
    logout(page)

    login(page, "manager@example.com")
    page.goto(f"/reviews/{review.pk}/")
    acknowledged = page.locator("#acknowledged-status").inner_text()
    assert "Acknowledged on" in acknowledged and "Thanks, a fair summary." in acknowledged
