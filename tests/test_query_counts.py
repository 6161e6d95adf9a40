"""Every page and every API read costs the same number of queries in a small and a larger
organisation.

The routes are not listed by hand: web pages come from the URL resolver (as the
authorization walk finds them; routes that only take POST are left out) and API reads from
the OpenAPI document, so a route added later is measured the day it is added. Each is read
by the manager (whose team grows) and by an HR admin (who sees everything), first in the
world of the authorization walk, then after ``GROWTH`` more people join the manager's team,
each with public, team and private objectives, key results with recorded values, two weeks
of check-ins and a comment on each. A count that changes with the organisation is an N+1
query (or an unbounded list): fix it in the selector.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stride.api import api
from stride.testing.world import World, grow
from tests.test_authorization import WEB, web_routes

GROWTH = 4
READERS = ("manager", "hr")


def get_pages() -> list[str]:
    """Every named web route except those that only take writes (per the walk's table)."""
    return sorted(
        name
        for name in web_routes()
        if not ((name, "get") not in WEB and any(key[0] == name for key in WEB))
    )


def api_reads() -> list[str]:
    document = api.get_openapi_schema()
    return sorted(path for path, operations in document["paths"].items() if "get" in operations)


def ids_to_fill(world: World) -> dict[str, int]:
    """Ids for the routes' parameters, chosen where the organisation grows: the manager as
    the person, the Product team's objective and key result, alice's check-in."""
    team = next(t for t in world.targets["objective_id"] if t.name == "team")
    return {
        **world.path_ids(),
        "person_id": world.cast.manager.pk,
        **team.ids,
    }


def queries_for(client: Client, url: str) -> tuple[int, int, list[str]]:
    """The answer's status and the queries one GET of ``url`` costs."""
    # The first read warms per-process caches (content types, the site); the second counts.
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, len(captured), [q["sql"] for q in captured.captured_queries]


def shapes(sql: list[str]) -> Counter[str]:
    """Queries with their literals blanked, so the same query for another row compares equal."""
    return Counter(re.sub(r"'[^']*'|\b\d+\b", "?", query)[:300] for query in sql)


def counts(world: World, url: str) -> dict[str, tuple[int, int, list[str]]]:
    return {member: queries_for(world.cast.client(world.person(member)), url) for member in READERS}


def assert_same_counts(world: World, url: str) -> None:
    small = counts(world, url)
    # A route only some may reach (HR's import page) is measured for those who reach it.
    reached = [member for member, (status, _n, _sql) in small.items() if status < 400]
    assert reached, f"GET {url}: nobody of {READERS} reaches it: {small}"
    grow(world, GROWTH)
    large = counts(world, url)
    wrong = []
    for member in reached:
        status, count, sql = small[member]
        more_status, more, more_sql = large[member]
        if (more_status, more) != (status, count):
            extra = list((shapes(more_sql) - shapes(sql)).elements())[:3]
            wrong.append(
                f"as {member}, GET {url}: {status} in {count} queries, "
                f"then {more_status} in {more}; new: {extra}"
            )
    assert not wrong, "\n".join(wrong)


def _meeting_set(world: World) -> None:
    """Alice's review shared with a meeting (the walk's world has none to download)."""
    from django.utils import timezone

    from stride.reviews.models import CycleParticipant

    now = timezone.now()
    CycleParticipant.objects.filter(pk=world.path_ids()["review_id"]).update(
        shared_at=now, meeting_at=now + timedelta(days=2)
    )


# Pages that answer only in a state the walk's world does not reach: set it up first.
PREPARE = {"reviews:meeting": _meeting_set}


@pytest.mark.parametrize("name", get_pages())
def test_each_page_costs_the_same_queries_in_a_larger_organisation(world: World, name: str) -> None:
    route = web_routes()[name]
    if name in PREPARE:
        PREPARE[name](world)
    ids = ids_to_fill(world)
    assert_same_counts(
        world, reverse(name, kwargs={k: v for k, v in ids.items() if f":{k}>" in route})
    )


@pytest.mark.parametrize("template", api_reads())
def test_each_api_read_costs_the_same_queries_in_a_larger_organisation(
    world: World, template: str
) -> None:
    assert_same_counts(world, template.format(**ids_to_fill(world)))
