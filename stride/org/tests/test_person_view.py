from __future__ import annotations

from datetime import date

import pytest

from stride.org.models import Person
from stride.testing import Cast, add_reports, count_queries


def url(person: Person) -> str:
    return f"/people/{person.pk}/"


def test_the_profile_shows_who_someone_is_and_their_reporting_line(cast: Cast) -> None:
    html = cast.client(cast.outsider).get(url(cast.alice)).content.decode()

    assert "<h1>Alice Report</h1>" in html
    assert "Engineer" in html and "Product" in html and "alice@example.com" in html
    # Breadcrumb from the top: skip › manager › alice.
    skip_at = html.index(f'href="/people/{cast.skip.pk}/">Sam Skip</a>')
    manager_at = html.index(f'href="/people/{cast.manager.pk}/">Mia Manager</a>')
    assert skip_at < manager_at < html.index('<span aria-current="page">Alice Report</span>')


def test_the_profile_lists_direct_reports(cast: Cast) -> None:
    html = cast.client(cast.alice).get(url(cast.manager)).content.decode()
    assert f'href="/people/{cast.alice.pk}/">Alice Report</a>' in html
    assert f'href="/people/{cast.bob.pk}/">Bob Report</a>' in html


@pytest.mark.parametrize(
    ("member", "sees"),
    [
        ("alice", True),  # herself
        ("manager", True),
        ("skip", True),  # skip-level manager
        ("hr", True),
        ("bob", False),  # a peer
        ("outsider", False),
        ("rep", False),
    ],
)
def test_hr_details_are_shown_only_to_the_person_their_managers_and_hr(
    cast: Cast, member: str, sees: bool
) -> None:
    Person.objects.filter(pk=cast.alice.pk).update(hire_date=date(2022, 3, 14), external_id="HR-7")
    html = cast.client(cast.members[member]).get(url(cast.alice)).content.decode()
    assert ("HR details" in html) is sees
    assert ("2022-03-14" in html) is sees
    assert ("HR-7" in html) is sees


def test_someone_who_left_is_404_except_to_hr_and_their_former_managers(cast: Cast) -> None:
    Person.objects.filter(pk=cast.bob.pk).update(status=Person.Status.LEFT)
    for member in ("alice", "outsider", "rep"):
        assert cast.client(cast.members[member]).get(url(cast.bob)).status_code == 404
    for member in ("hr", "manager", "skip"):
        assert cast.client(cast.members[member]).get(url(cast.bob)).status_code == 200


def test_an_unknown_person_is_404(cast: Cast) -> None:
    assert cast.client(cast.hr).get("/people/999999/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(cast: Cast) -> None:
    assert cast.client(None).get(url(cast.alice)).status_code == 302


def test_the_number_of_queries_does_not_grow_with_reports_or_depth(cast: Cast) -> None:
    client = cast.client(cast.manager)
    add_reports(cast.alice, 5, prefix="few")
    few = count_queries(client, url(cast.alice))

    add_reports(cast.alice, 60, prefix="many")
    deep = cast.alice
    for level in range(5):
        (deep,) = add_reports(deep, 1, prefix=f"level{level}-")
    assert count_queries(client, url(cast.alice)) == few
    assert count_queries(client, url(deep)) <= few
    assert few <= 8


def test_a_manager_who_left_is_not_named_on_their_former_reports_profile(cast: Cast) -> None:
    from stride.org.models import Person

    Person.objects.filter(pk=cast.manager.pk).update(status=Person.Status.LEFT)
    page = cast.client(cast.outsider).get(f"/people/{cast.alice.pk}/")
    assert page.status_code == 200
    assert "Mia Manager" not in page.content.decode()
    # Her own managers (and HR) still see the line.
    assert "Mia Manager" in cast.client(cast.skip).get(f"/people/{cast.alice.pk}/").content.decode()
