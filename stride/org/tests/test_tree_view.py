from __future__ import annotations

from stride.org.models import Person
from stride.testing import Cast, add_reports, count_queries

TREE = "/people/tree/"


def reports_url(person: Person) -> str:
    return f"/people/{person.pk}/reports"


def test_the_tree_starts_at_the_people_with_no_manager(cast: Cast) -> None:
    html = cast.client(cast.alice).get(TREE).content.decode()

    assert f'href="/people/{cast.skip.pk}/">Sam Skip</a>' in html
    assert f'href="/people/{cast.salesmanager.pk}/">Sid Sales</a>' in html
    # Deeper levels are not loaded until asked for.
    assert "Mia Manager" not in html
    assert "3 direct reports" in html  # skip: manager, outsider, hr


def test_each_node_loads_its_reports_lazily_with_a_plain_link_beside(cast: Cast) -> None:
    html = cast.client(cast.alice).get(TREE).content.decode()
    url = reports_url(cast.skip)
    assert f'hx-get="{url}"' in html
    assert f'href="{url}"' in html


def test_expanding_a_node_with_htmx_returns_just_its_branch(cast: Cast) -> None:
    response = cast.client(cast.alice).get(reports_url(cast.skip), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<ul class="tree">')
    for name in ("Mia Manager", "Olga Outsider", "Hana HR"):
        assert f">{name}</a>" in html
    assert "Alice Report" not in html  # one level at a time
    assert "2 direct reports" in html  # manager's own node can expand further


def test_without_javascript_the_reports_link_opens_a_page_with_the_reporting_line(
    cast: Cast,
) -> None:
    html = cast.client(cast.bob).get(reports_url(cast.manager)).content.decode()

    assert "<html" in html
    assert "Direct reports of Mia Manager" in html
    assert f'href="/people/{cast.skip.pk}/">Sam Skip</a>' in html  # breadcrumb
    assert ">Alice Report</a>" in html and ">Bob Report</a>" in html


def test_someone_who_left_is_hidden_from_colleagues_and_their_reports_page_is_404(
    cast: Cast,
) -> None:
    Person.objects.filter(pk=cast.bob.pk).update(status=Person.Status.LEFT)

    html = cast.client(cast.outsider).get(reports_url(cast.manager)).content.decode()
    assert ">Bob Report</a>" not in html
    assert cast.client(cast.outsider).get(reports_url(cast.bob)).status_code == 404
    assert ">Bob Report</a>" in cast.client(cast.hr).get(reports_url(cast.manager)).content.decode()
    # Counts match what expanding shows.
    assert (
        "1 direct report" in cast.client(cast.outsider).get(reports_url(cast.skip)).content.decode()
    )


def test_a_long_list_of_reports_is_paged_with_a_show_more_link(cast: Cast) -> None:
    add_reports(cast.manager, 105)
    client = cast.client(cast.alice)
    first = client.get(reports_url(cast.manager), headers={"HX-Request": "true"}).content.decode()
    assert "Show more" in first and "?page=2" in first

    more = client.get(
        reports_url(cast.manager) + "?page=2", headers={"HX-Request": "true"}
    ).content.decode()
    assert more.strip().startswith("<li>")
    assert "Zed extra 104" in more and "Show more" not in more


def test_anonymous_visitors_are_sent_to_log_in(cast: Cast) -> None:
    assert cast.client(None).get(TREE).status_code == 302
    assert cast.client(None).get(reports_url(cast.skip)).status_code == 302


def test_the_number_of_queries_does_not_grow_with_the_organisation(cast: Cast) -> None:
    client = cast.client(cast.alice)
    add_reports(cast.manager, 5, prefix="few")
    add_reports(cast.skip, 5, prefix="fewtop")
    urls = [
        (TREE, {}),
        (reports_url(cast.manager), {"HX_Request": "true"}),
        (reports_url(cast.skip), {"HX_Request": "true"}),
        (reports_url(cast.manager), {}),
    ]
    few = [count_queries(client, url, **headers) for url, headers in urls]

    add_reports(cast.manager, 40, prefix="many")
    add_reports(cast.skip, 40, prefix="manytop")
    for person in Person.objects.filter(email__startswith="manytop")[:10]:
        add_reports(person, 2, prefix=f"deep{person.pk}-")

    assert [count_queries(client, url, **headers) for url, headers in urls] == few
    assert max(few) <= 9
