"""Stride's layout as a person sees it at 1280 and 390 px: every form label sits with its
control, and on a phone the navigation is folded into a menu and no main page scrolls
sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from stride.goals.models import Objective
from stride.reviews.growth import services as growth_services
from stride.testing import Cast
from stride.testing.builders import first_kr, make_objective, record
from stride.testing.growth import build_history
from tests.browser.conftest import assert_no_horizontal_scroll, login, viewport_width

pytestmark = pytest.mark.browser

# How far (px) a label may stand from its control: the label's bottom margin is 4 px; a
# checkbox's label stands up to twice as far to its right (a space and a row gap).
NEAR = 12

# For every visible label tied to a visible control: the label's box and the control's box,
# and whether the control is a checkbox or radio (whose label stands to its right).
LABEL_BOXES = """() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  return [...document.querySelectorAll('main label')]
    .filter((label) => label.control && visible(label) && visible(label.control))
    .map((label) => ({
      text: label.textContent.trim(),
      label: box(label),
      control: box(label.control),
      check: ['checkbox', 'radio'].includes(label.control.type),
    }));
}"""


def misplaced_labels(page: Page) -> list[str]:
    """The labels on the page that do not sit next to their control: directly above it
    (overlapping it sideways), or to its left on the same line (to its right for a checkbox)."""
    problems = []
    pairs = page.evaluate(LABEL_BOXES)
    assert pairs, f"no labelled controls found on {page.url}"
    for pair in pairs:
        label, control = pair["label"], pair["control"]
        overlaps_sideways = label["left"] < control["right"] and control["left"] < label["right"]
        overlaps_vertically = label["top"] < control["bottom"] and control["top"] < label["bottom"]
        above = overlaps_sideways and -2 <= control["top"] - label["bottom"] <= NEAR
        left = overlaps_vertically and -2 <= control["left"] - label["right"] <= NEAR * 2
        right = (
            pair["check"]
            and overlaps_vertically
            and -2 <= label["left"] - control["right"] <= NEAR * 2
        )
        around = (  # <label><input> text</label>, as radio choices are drawn
            label["left"] <= control["left"]
            and control["right"] <= label["right"]
            and label["top"] <= control["top"]
            and control["bottom"] <= label["bottom"]
        )
        if not (above or left or right or around):
            problems.append(f"{pair['text']!r}: label {label}, control {control}")
    return problems


@pytest.fixture
def goal(cast: Cast) -> Objective:
    objective = make_objective(
        cast,
        cast.alice,
        "Launch the self-service portal",
        key_results=[
            {"title": "Pilot customers live", "start": 0, "target": 10},
            {"title": "Support tickets per week", "start": 40, "target": 10, "unit": "tickets"},
        ],
    )
    record(
        cast,
        cast.alice,
        first_kr(objective),
        3,
        confidence=7,
        note="Two more pilots signed this week after the demo at the partner day.",
    )
    return objective


def form_pages(objective: Objective) -> list[str]:
    return [
        "/goals/new",
        f"/goals/{objective.pk}/edit",
        f"/goals/{objective.pk}/key-results/new",
        f"/goals/{objective.pk}/",
        "/check-ins/new",
        "/check-ins/settings",
        "/access/tokens/",
    ]


def test_every_form_label_sits_next_to_its_control(
    cast: Cast, goal: Objective, any_page: Page
) -> None:
    page = any_page
    login(page, "alice@example.com")
    problems = []
    for path in form_pages(goal):
        response = page.goto(path)
        assert response is not None and response.ok, path
        page.wait_for_load_state("networkidle")  # the check-in form loads its rows with htmx
        problems += [f"{path} at {viewport_width(page)} px: {p}" for p in misplaced_labels(page)]
    assert not problems, "labels away from their controls:\n" + "\n".join(problems)


def test_a_form_with_errors_says_so_as_an_error(cast: Cast, desktop_page: Page) -> None:
    page = desktop_page
    login(page, "alice@example.com")
    page.goto("/goals/new")
    page.get_by_role("button", name="Create objective").click()
    alert = page.get_by_role("alert").filter(has_text="Please correct the errors")
    assert alert.is_visible()
    colour = alert.evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(185, 28, 28)", f"the error box is {colour}, not the error red"
    assert not misplaced_labels(page)


def test_on_a_phone_the_navigation_is_folded_and_no_page_scrolls_sideways(
    cast: Cast, goal: Objective, phone_page: Page
) -> None:
    page = phone_page
    login(page, "manager@example.com")
    for path in ["/goals/", f"/goals/{goal.pk}/", "/check-ins/new", "/team/", "/people/"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert_no_horizontal_scroll(page)
        nav = page.get_by_role("navigation", name="Main")
        assert not nav.get_by_role("link", name="My goals").is_visible(), (
            f"{path}: the navigation links show before the menu is opened"
        )
        header = page.locator(".site-header").bounding_box()
        assert header is not None and header["height"] < 80, f"{path}: header is {header}"

    # The key results read fully: the projection of each stays inside the screen.
    page.goto(f"/goals/{goal.pk}/")
    note = page.get_by_text("Two more pilots signed")
    box = note.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390

    # Opening the menu shows the links, inside the screen, and they lead where they say.
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Menu").click()
    people = nav.get_by_role("link", name="People", exact=True)
    assert people.is_visible()
    box = people.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert_no_horizontal_scroll(page)
    people.click()
    page.wait_for_url("**/people/")


def test_at_desktop_width_the_navigation_links_stand_in_a_row(
    cast: Cast, goal: Objective, desktop_page: Page
) -> None:
    page = desktop_page
    login(page, "alice@example.com")
    nav = page.get_by_role("navigation", name="Main")
    assert not nav.get_by_text("Menu", exact=True).is_visible()
    tops = {
        round(nav.get_by_role("link", name=name, exact=True).bounding_box()["y"])  # type: ignore[index]
        for name in ("My goals", "Check-ins", "People")
    }
    assert len(tops) == 1, f"the links are on several lines: {tops}"
    page.goto(f"/goals/{goal.pk}/")
    assert page.get_by_role("columnheader", name="Confidence").first.is_visible()


# What HR fills in: the import, the audit log's filter and the review builder's forms.
HR_FORM_PAGES = [
    "/people/import/",
    "/access/audit/",
    "/reviews/templates/",
    "/reviews/cycles/new",
    "/reviews/competencies/new",
]


def test_every_hr_form_label_sits_next_to_its_control_and_nothing_scrolls_sideways(
    cast: Cast, any_page: Page
) -> None:
    page = any_page
    login(page, "hr@example.com")
    assert_forms_fit(page, HR_FORM_PAGES)


def assert_forms_fit(page: Page, paths: list[str]) -> None:
    """Each page opens, does not scroll sideways, and keeps its labels on their controls."""
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, path
        page.wait_for_load_state("networkidle")
        assert_no_horizontal_scroll(page)
        problems += [f"{path} at {viewport_width(page)} px: {p}" for p in misplaced_labels(page)]
    assert not problems, "labels away from their controls:\n" + "\n".join(problems)


def test_the_growth_page_and_a_plan_item_form_lay_out_at_both_widths(
    cast: Cast, any_page: Page
) -> None:
    """The growth graph draws (plotly, no inline script), the development plan's forms
    keep their labels on their controls, and nothing scrolls sideways on a phone."""
    build_history(cast)
    item = growth_services.development_item_create(
        viewer=cast.viewer(cast.alice),
        person=cast.alice,
        growth_area="Facilitate the quarterly planning workshop",
        actions="Shadow the next two workshops, then run one with a peer reviewing it.",
    )
    page = any_page
    login(page, "manager@example.com")
    growth = f"/reviews/people/{cast.alice.pk}/growth"
    assert_forms_fit(page, [growth, f"/reviews/development-items/{item.pk}/edit"])

    page.goto(growth)
    drawn = page.locator("#growth-ratings-chart[data-drawn] .main-svg").first
    drawn.wait_for()
    assert drawn.is_visible()
    box = page.locator("#growth-ratings-chart").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport_width(page)
