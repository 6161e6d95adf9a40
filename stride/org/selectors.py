"""Reads of people, scoped by the viewer.

The directory (name, title, team, manager, e-mail) is open to every signed-in person, as an
org chart is in any organisation; HR details (hire date, status, external id) are shown only
to the person, their managers and HR admins (see ``can_see_hr_details``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.http import Http404

from stride.access.viewer import Viewer
from stride.org.models import Person, Team


def people_visible_to(viewer: Viewer) -> QuerySet[Person]:
    if not viewer.is_authenticated:
        return Person.objects.none()
    qs = Person.objects.select_related("team", "manager")
    if not viewer.is_hr_admin:
        # People who have left stay visible to HR and to their own former managers only.
        qs = qs.filter(~Q(status=Person.Status.LEFT) | viewer.subtree_q())
    return qs


def visible_manager_id(viewer: Viewer, person: Person) -> int | None:
    """The person's manager's id, if the viewer may see that manager (the same rule as
    ``people_visible_to``; uses the ``manager`` it selects, so no query)."""
    manager = person.manager
    if manager is None:
        return None
    if manager.status != Person.Status.LEFT or viewer.is_hr_admin or viewer.manages(manager):
        return manager.pk
    return None


def directory_rows(viewer: Viewer, qs: QuerySet[Person]) -> QuerySet[Any]:
    """The people of ``qs`` (from ``people_visible_to``) as plain rows for the directory
    API: id, name, e-mail, title, time zone, ``team_id`` and ``team_name``, and
    ``manager_id`` judged in the query by ``visible_manager_id``'s rule.

    The API lists up to 500 people a page; reading rows instead of three model instances
    per person (person, team, manager) is most of the saving that keeps a page fast."""
    manager: F | Case = F("manager_id")
    if not viewer.is_hr_admin:
        hidden = Q(manager__status=Person.Status.LEFT) & ~viewer.subtree_q("manager__")
        manager = Case(When(hidden, then=None), default=F("manager_id"))
    return qs.values("id", "name", "email", "title", "time_zone", "team_id").annotate(
        team_name=F("team__name"), visible_manager_id=manager
    )


def person_for_viewer(viewer: Viewer, person_id: int) -> Person:
    person = people_visible_to(viewer).filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


def can_see_hr_details(viewer: Viewer, person: Person) -> bool:
    return viewer.is_hr_admin or viewer.is_self_or_manager_of(person)


def people_search(viewer: Viewer, query: str) -> QuerySet[Person]:
    qs = people_visible_to(viewer)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(title__icontains=query)
            | Q(team__name__icontains=query)
        )
    return qs


def _with_report_count(viewer: Viewer, qs: QuerySet[Person]) -> QuerySet[Person]:
    """Annotate ``report_count``: the direct reports the viewer can see (so the number on an
    expandable tree node matches what expanding it shows)."""
    if viewer.is_hr_admin:
        return qs.annotate(report_count=Count("reports"))
    visible = ~Q(reports__status=Person.Status.LEFT) | viewer.subtree_q("reports__")
    return qs.annotate(report_count=Count("reports", filter=visible))


def direct_reports(viewer: Viewer, manager: Person) -> QuerySet[Person]:
    return _with_report_count(viewer, people_visible_to(viewer).filter(manager=manager))


def tree_roots(viewer: Viewer) -> QuerySet[Person]:
    """Where the viewer's organisation chart starts: people with no manager, and people whose
    manager the viewer may not see (someone who left), so nobody visible is unreachable."""
    qs = people_visible_to(viewer)
    top = Q(manager__isnull=True)
    if not viewer.is_hr_admin:
        top |= Q(manager__status=Person.Status.LEFT) & ~viewer.subtree_q("manager__")
    return _with_report_count(viewer, qs.filter(top))


def managers_of(viewer: Viewer, person: Person) -> list[Person]:
    """The person's reporting line from the top down, in one query (ids come from the path);
    managers the viewer may not see are left out."""
    ids = person.ancestor_ids
    if not ids:
        return []
    found = {p.pk: p for p in people_visible_to(viewer).filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def subtree_of(viewer: Viewer, manager: Person, *, include_self: bool = False) -> QuerySet[Person]:
    """Everyone below ``manager``; only the manager's own managers and HR see the full tree."""
    if not (viewer.is_hr_admin or viewer.is_self_or_manager_of(manager)):
        raise Http404
    qs = Person.objects.select_related("team", "manager").filter(path__startswith=manager.path)
    if not include_self:
        qs = qs.exclude(pk=manager.pk)
    return qs


def teams_visible_to(viewer: Viewer) -> QuerySet[Team]:
    if not viewer.is_authenticated:
        return Team.objects.none()
    return Team.objects.annotate(
        member_count=Count("members", filter=~Q(members__status=Person.Status.LEFT))
    )


def team_for_viewer(viewer: Viewer, team_id: int) -> Team:
    team = teams_visible_to(viewer).filter(pk=team_id).first()
    if team is None:
        raise Http404
    return team
