"""The HR import page in a real browser: an Excel export with a column no alias knows goes
through the mapping step (the row problems shown with it), is matched, and imports; the
result says who was invited. axe finds no serious problem on either step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from stride.notify.models import Delivery
from stride.org.models import Person
from stride.org.tests.hr_files import HR_HEADER, HR_ROWS, as_xlsx
from stride.testing import Cast
from tests.browser.conftest import assert_accessible, login

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_hr_maps_an_odd_column_of_an_excel_export_and_imports_it(
    cast: Cast, desktop_page: Page
) -> None:
    page = desktop_page
    # The export calls the e-mail column "Login" and carries a column Stride has no use for.
    header = ["Login" if title == "Work Email" else title for title in HR_HEADER]
    rows = [[*row, "CC-7"] for row in HR_ROWS]
    data = as_xlsx(rows, [*header, "Cost Centre"])

    login(page, "hr@example.com")
    page.goto("/people/import/")
    assert page.get_by_label("Send invitations").is_checked()
    page.get_by_label("File (CSV or Excel)").set_input_files(
        files=[{"name": "export.xlsx", "mimeType": XLSX, "buffer": data}]
    )
    page.get_by_role("button", name="Import").click()

    page.get_by_role("heading", name="Match the columns").wait_for()
    assert "this required column is missing" in page.inner_text("main")
    assert page.get_by_label("Name:", exact=True).input_value() == "Full Name"
    assert not Person.objects.filter(email="pat@acme.test").exists()
    assert_accessible(page)

    page.get_by_label("E-mail:", exact=True).select_option("Login")
    page.get_by_role("button", name="Import").click()

    page.get_by_role("heading", name="Import finished").wait_for()
    text = page.inner_text("main")
    assert "3 people created" in text and "3 people invited" in text
    assert "pat@acme.test" in text
    assert_accessible(page)
    pat = Person.objects.select_related("manager").get(email="pat@acme.test")
    assert pat.manager is not None and pat.manager.email == "lee@acme.test"
    assert Delivery.objects.filter(key="org-invite").count() == 3
