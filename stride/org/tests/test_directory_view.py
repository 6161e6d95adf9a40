from __future__ import annotations

import pytest

from stride.org.models import Person
from stride.testing import Cast, add_reports, count_queries

URL = "/people/"


def names(html: str, cast: Cast) -> set[str]:
    return {p.name for p in Person.objects.all() if f">{p.name}</a>" in html}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("alice", {"Alice Report"}),  # name
        ("rep@example", {"Rita Rep"}),  # e-mail
        ("accountant", {"Olga Outsider"}),  # title
        ("sales", {"Sid Sales", "Rita Rep"}),  # team
    ],
)
def test_it_finds_people_by_name_email_title_or_team(
    cast: Cast, query: str, expected: set[str]
) -> None:
    response = cast.client(cast.alice).get(URL, {"q": query})
    assert response.status_code == 200
    assert names(response.content.decode(), cast) == expected


def test_the_page_has_a_labelled_search_form_that_works_without_javascript(cast: Cast) -> None:
    html = cast.client(cast.alice).get(URL).content.decode()
    assert '<label for="id_q">' in html
    assert 'method="get"' in html and 'hx-get="/people/"' in html
    assert names(html, cast) == {p.name for p in cast.members.values()}


def test_an_htmx_request_gets_only_the_results(cast: Cast) -> None:
    response = cast.client(cast.alice).get(URL, {"q": "bob"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert names(html, cast) == {"Bob Report"}
    assert "HX-Request" in response["Vary"]


def test_results_are_paginated(cast: Cast) -> None:
    add_reports(cast.manager, 30)  # "Zed extra …" sort after the cast
    client = cast.client(cast.alice)

    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()

    assert "Page 1 of 2" in first and "Zed extra 016" in first and "Zed extra 017" not in first
    assert "Zed extra 017" in second and ">Alice Report</a>" not in second
    assert 'href="?page=2"' in first


def test_people_who_left_are_hidden_from_colleagues_but_not_from_hr(cast: Cast) -> None:
    Person.objects.filter(pk=cast.bob.pk).update(status=Person.Status.LEFT)
    assert "Bob Report" not in cast.client(cast.outsider).get(URL).content.decode()
    assert "Bob Report" in cast.client(cast.hr).get(URL).content.decode()
    # His former manager still finds him.
    assert "Bob Report" in cast.client(cast.manager).get(URL).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(cast: Cast) -> None:
    assert cast.client(None).get(URL).status_code == 302


def test_the_number_of_queries_does_not_grow_with_the_organisation(cast: Cast) -> None:
    client = cast.client(cast.alice)
    add_reports(cast.manager, 5, prefix="few")
    few = count_queries(client, URL + "?q=e")
    few_htmx = count_queries(client, URL + "?q=e", HX_Request="true")
    add_reports(cast.manager, 40, prefix="many")
    assert count_queries(client, URL + "?q=e") == few
    assert count_queries(client, URL + "?q=e", HX_Request="true") == few_htmx
    assert few <= 8
