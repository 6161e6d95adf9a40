from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stride.org.importer import people_import
from stride.org.models import Person
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
