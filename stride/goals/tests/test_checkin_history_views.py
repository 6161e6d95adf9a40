"""A manager follows their people: names on the team page lead to the person, each person
has a check-in history page (for whoever may read their check-ins), and one check-in leads
back to that history and to the person's check-ins before and after it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stride.access.models import AuditEntry
from stride.goals.models import CheckIn
from stride.testing import Cast, check_in, choose_partner
from stride.testing.clock import Clock

pytestmark = pytest.mark.clock

TEAM = reverse("goals:team_checkins")


def history(person_id: int) -> str:
    return reverse("goals:person_checkins", args=[person_id])


def detail(checkin: CheckIn) -> str:
    return reverse("goals:checkin_detail", args=[checkin.pk])


def test_names_on_the_team_page_lead_to_the_profile_the_history_and_the_goals(
    cast: Cast,
) -> None:
    html = cast.client(cast.manager).get(TEAM).content.decode()
    assert f'href="{reverse("org:person", args=[cast.alice.pk])}">Alice Report</a>' in html
    assert f'href="{history(cast.alice.pk)}"' in html
    assert f'href="{reverse("goals:person_goals", args=[cast.alice.pk])}"' in html


def test_after_the_week_rolls_over_last_weeks_check_in_is_still_a_link(cast: Cast) -> None:
    earlier = check_in(cast, cast.alice, weeks_ago=1, plans="Plan of last week")
    html = cast.client(cast.manager).get(TEAM).content.decode()
    assert f'href="{detail(earlier)}"' in html
    assert "last: 2026-W47" in html


@pytest.mark.parametrize("who", ["alice", "manager", "skip", "salesmanager", "hr"])
def test_the_person_managers_partner_and_hr_see_the_history_newest_first(
    cast: Cast, who: str
) -> None:
    choose_partner(cast, cast.alice, cast.salesmanager)
    older = check_in(cast, cast.alice, weeks_ago=2, plans="Plan Alpha")
    newer = check_in(cast, cast.alice, plans="Plan Beta")
    check_in(cast, cast.bob, plans="Bob's own plan")
    response = cast.client(getattr(cast, who)).get(history(cast.alice.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Plan Beta") < html.index("Plan Alpha")
    assert f'href="{detail(newer)}"' in html and f'href="{detail(older)}"' in html
    assert f'href="{reverse("goals:person_goals", args=[cast.alice.pk])}"' in html
    assert f'href="{reverse("org:person", args=[cast.alice.pk])}"' in html
    assert "Bob's own plan" not in html


@pytest.mark.parametrize("who", ["bob", "outsider", "rep"])
def test_a_peer_an_outsider_and_a_rep_get_404_and_see_no_name_or_text(cast: Cast, who: str) -> None:
    choose_partner(cast, cast.alice, cast.salesmanager)
    check_in(cast, cast.alice, plans="Plan Alpha", progress="Progress Alpha")
    response = cast.client(getattr(cast, who)).get(history(cast.alice.pk))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Alice Report" not in html
    assert "Plan Alpha" not in html and "Progress Alpha" not in html


def test_a_history_with_no_check_in_yet_says_so(cast: Cast) -> None:
    html = cast.client(cast.manager).get(history(cast.bob.pk)).content.decode()
    assert "Bob Report has not checked in yet." in html


def test_reading_someone_elses_history_is_audited(cast: Cast) -> None:
    checkin = check_in(cast, cast.alice, weeks_ago=1)
    before = AuditEntry.objects.count()
    cast.client(cast.manager).get(history(cast.alice.pk))
    assert AuditEntry.objects.count() > before
    assert AuditEntry.objects.filter(target_id=str(checkin.pk)).exists()


def test_the_history_is_paginated_and_costs_the_same_queries_however_long(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    check_in(cast, cast.alice)
    client = cast.client(cast.manager)
    client.get(history(cast.alice.pk))
    with CaptureQueriesContext(connection) as few:
        assert client.get(history(cast.alice.pk)).status_code == 200
    baseline = len(few)
    for ago in range(1, 30):
        check_in(cast, cast.alice, weeks_ago=ago)
    with django_assert_max_num_queries(baseline):
        html = client.get(history(cast.alice.pk)).content.decode()
    assert "Page 1 of 2" in html
    page_two = client.get(history(cast.alice.pk) + "?page=2").content.decode()
    assert "2026-W20" in page_two


def test_a_check_in_links_to_the_history_and_the_check_ins_before_and_after(
    cast: Cast, clock: Clock
) -> None:
    first = check_in(cast, cast.alice, weeks_ago=3)
    # No check-in two weeks ago: "previous" skips the empty week.
    middle = check_in(cast, cast.alice, weeks_ago=1)
    last = check_in(cast, cast.alice)
    check_in(cast, cast.bob, weeks_ago=2)
    client = cast.client(cast.manager)

    html = client.get(detail(middle)).content.decode()
    assert f'href="{history(cast.alice.pk)}"' in html
    assert f'href="{detail(first)}" rel="prev"' in html
    assert f'href="{detail(last)}" rel="next"' in html

    first_html = client.get(detail(first)).content.decode()
    assert 'rel="prev"' not in first_html
    assert f'href="{detail(middle)}" rel="next"' in first_html
    assert 'rel="next"' not in client.get(detail(last)).content.decode()


def test_the_profile_links_the_history_for_those_who_may_read_it(cast: Cast) -> None:
    profile = reverse("org:person", args=[cast.alice.pk])
    link = f'href="{history(cast.alice.pk)}"'

    def shown_to(who: str) -> bool:
        return link in cast.client(getattr(cast, who)).get(profile).content.decode()

    assert shown_to("manager") and shown_to("alice") and shown_to("hr")
    assert not shown_to("bob")
