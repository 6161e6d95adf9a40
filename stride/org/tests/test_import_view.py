from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stride.notify.models import Delivery
from stride.org.importer import people_import
from stride.org.models import Person, RoleGrant
from stride.org.services import role_grant
from stride.org.tests.hr_files import HR_BAD_ROWS, HR_ROWS, as_csv, as_xlsx
from stride.testing import Cast, make_csv, row, table_sizes

URL = "/people/import/"
TEMPLATE_URL = "/people/import/template.csv"


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")


def test_hr_admins_see_the_upload_form_with_labelled_fields(cast: Cast) -> None:
    response = cast.client(cast.hr).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_file">' in html
    assert '<label for="id_dry_run"' in html
    assert 'type="file"' in html
    assert TEMPLATE_URL in html


@pytest.mark.parametrize("member", ["skip", "manager", "alice", "outsider", "salesmanager"])
def test_everyone_else_gets_404(cast: Cast, member: str) -> None:
    client = cast.client(cast.members[member])
    assert client.get(URL).status_code == 404
    assert (
        client.post(URL, {"file": upload(make_csv([row("x@acme.test", "X")]))}).status_code == 404
    )
    assert client.get(TEMPLATE_URL).status_code == 404
    assert not Person.objects.filter(email="x@acme.test").exists()


def test_anonymous_visitors_are_sent_to_log_in(cast: Cast) -> None:
    response = cast.client(None).get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_errors_are_shown_by_line_and_nothing_is_saved(cast: Cast) -> None:
    before = table_sizes()
    text = make_csv(
        [
            row("ok@acme.test", "Fine"),
            row("bad@acme.test", "Bad", manager="ghost@acme.test"),
            row("tz@acme.test", "Zone", time_zone="Nowhere/Land"),
        ]
    )
    response = cast.client(cast.hr).post(URL, {"file": upload(text)})

    assert response.status_code == 422
    html = response.content.decode()
    assert "nothing was imported" in html
    assert '<th scope="row">3</th><td><code>manager_email</code></td>' in html
    assert '<th scope="row">4</th><td><code>time_zone</code></td>' in html
    assert "ghost@acme.test" in html
    assert table_sizes() == before


def test_a_good_file_is_imported_and_summarised(cast: Cast) -> None:
    text = make_csv([row("new@acme.test", "Nia New", manager="manager@example.com")])
    response = cast.client(cast.hr).post(URL, {"file": upload(text)})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Import finished" in html
    assert "1 person created" in html
    assert Person.objects.get(email="new@acme.test").manager == cast.manager


def test_a_dry_run_shows_what_would_change_without_saving(cast: Cast) -> None:
    before = table_sizes()
    text = make_csv(
        [["alice@example.com", "Alice Report", "Staff Engineer"]], header=["email", "name", "title"]
    )
    response = cast.client(cast.hr).post(URL, {"file": upload(text), "dry_run": "on"})

    html = response.content.decode()
    assert "Dry run: nothing was saved" in html
    assert "1 person updated" in html
    assert "Engineer → Staff Engineer" in html
    assert table_sizes() == before
    assert Person.objects.get(pk=cast.alice.pk).title == "Engineer"


def test_a_post_without_a_file_shows_a_field_error(cast: Cast) -> None:
    response = cast.client(cast.hr).post(URL, {})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()


def test_the_example_file_downloads_and_imports_cleanly(cast: Cast) -> None:
    response = cast.client(cast.hr).get(TEMPLATE_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert (
        text.splitlines()[0]
        == "email,name,title,team,manager_email,time_zone,hire_date,status,external_id"
    )
    report = people_import(actor=cast.viewer(cast.hr), file=text, dry_run=True)
    assert report.ok and report.created == 3


# --- The file HR already has: CSV or XLSX, the mapping step, invitations ----------------------


def hr_upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def upload_token(html: str) -> str:
    match = re.search(r'name="upload" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


@pytest.mark.parametrize(("build", "name"), [(as_csv, "export.csv"), (as_xlsx, "export.xlsx")])
def test_an_hris_export_imports_from_the_page_and_says_who_was_invited(
    cast: Cast, build: Callable[..., bytes], name: str
) -> None:
    response = cast.client(cast.hr).post(
        URL, {"file": hr_upload(build(HR_ROWS), name), "invite": "on"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "3 people created" in html
    assert "3 people invited" in html
    assert "Pat Person" in html and "pat@acme.test" in html
    pat = Person.objects.get(email="pat@acme.test")
    assert (pat.external_id, str(pat.hire_date)) == ("1003", "2024-01-08")
    assert Delivery.objects.filter(key="org-invite").count() == 3


@pytest.mark.parametrize(
    ("build", "name", "unit"), [(as_csv, "export.csv", "Line"), (as_xlsx, "export.xlsx", "Row")]
)
def test_the_export_with_bad_rows_lists_every_bad_row_and_saves_nothing(
    cast: Cast, build: Callable[..., bytes], name: str, unit: str
) -> None:
    before = table_sizes()
    response = cast.client(cast.hr).post(URL, {"file": hr_upload(build(HR_BAD_ROWS), name)})

    assert response.status_code == 422
    html = response.content.decode()
    assert f'<th scope="col">{unit}</th>' in html
    for line, field in [(3, "email"), (4, "manager_email"), (4, "time_zone"), (4, "hire_date"),
                        (5, "name")]:  # fmt: skip
        assert f'<th scope="row">{line}</th><td><code>{field}</code></td>' in html
    assert table_sizes() == before


def test_a_column_no_alias_knows_is_mapped_on_the_page_and_the_file_is_kept(cast: Cast) -> None:
    header = ["Login", "Full Name", "Cost Centre", "Boss"]
    rows = [
        ["ana@acme.test", "Ana Admin", "CC-1", ""],
        ["bo@acme.test", "Bo Builder", "CC-2", "ana@acme.test"],
    ]
    client = cast.client(cast.hr)
    before = table_sizes()
    first = client.post(URL, {"file": hr_upload(as_xlsx(rows, header), "odd.xlsx"), "invite": "on"})

    # The mapping step: every row checked, a select per field, the known column prefilled.
    assert first.status_code == 422  # no e-mail column yet
    html = first.content.decode()
    assert "Match the columns" in html
    assert '<label for="id_map_email">' in html
    assert '<option value="Full Name" selected>Full Name</option>' in html
    assert "this required column is missing" in html
    assert "<code>Cost Centre</code>" in html
    assert table_sizes() == before

    token = upload_token(html)
    second = client.post(
        URL,
        {
            "upload": token,
            "sheet": "",
            "map_email": "Login",
            "map_name": "Full Name",
            "map_manager_email": "Boss",
            "invite": "on",
        },
    )

    assert second.status_code == 200, second.content.decode()
    result = second.content.decode()
    assert "2 people created" in result
    assert "Columns left out: <code>Cost Centre</code>" in result
    bo = Person.objects.select_related("manager").get(email="bo@acme.test")
    assert bo.manager is not None and bo.manager.email == "ana@acme.test"
    # Imported: the kept file is gone, its token no longer works.
    again = client.post(URL, {"upload": token, "map_email": "Login", "map_name": "Full Name"})
    assert again.status_code == 422
    assert "no longer here" in again.content.decode()


def test_a_required_choice_left_empty_is_a_field_error_on_the_mapping_step(cast: Cast) -> None:
    client = cast.client(cast.hr)
    first = client.post(
        URL, {"file": hr_upload(as_csv([["a@acme.test", "A"]], ["Login", "Name"]), "x.csv")}
    )
    token = upload_token(first.content.decode())

    response = client.post(URL, {"upload": token, "map_email": "", "map_name": "Name"})

    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="field field-invalid"' in html
    assert "This field is required" in html
    assert not Person.objects.filter(email="a@acme.test").exists()


def test_another_hr_admin_cannot_use_someone_elses_kept_file(cast: Cast) -> None:
    first = cast.client(cast.hr).post(
        URL, {"file": hr_upload(as_csv([["a@acme.test", "A"]], ["Login", "Name"]), "x.csv")}
    )
    token = upload_token(first.content.decode())
    role_grant(actor=None, person=cast.outsider, role=RoleGrant.Role.HR_ADMIN)

    response = cast.client(cast.outsider).post(
        URL, {"upload": token, "map_email": "Login", "map_name": "Name"}
    )

    assert response.status_code == 422
    assert "no longer here" in response.content.decode()
    assert not Person.objects.filter(email="a@acme.test").exists()


def test_a_dry_run_on_the_page_says_would_create_and_would_invite(cast: Cast) -> None:
    before = table_sizes()
    response = cast.client(cast.hr).post(
        URL, {"file": hr_upload(as_csv(HR_ROWS), "x.csv"), "dry_run": "on", "invite": "on"}
    )

    html = response.content.decode()
    assert "Dry run: nothing was saved" in html
    assert "would create 3 people" in html
    assert "would invite 3 people" in html
    assert table_sizes() == before


def test_the_upload_form_offers_invitations_ticked(cast: Cast) -> None:
    html = cast.client(cast.hr).get(URL).content.decode()
    assert re.search(r'<input type="checkbox" name="invite"[^>]*checked', html)
    assert 'accept=".csv,.xlsx' in html
