"""Links that apps above ``org`` add to a person's page.

A person's page (``org:person``) belongs to ``org``, which may import no app above it. An
app that has a page about a person (reviews' growth graph, for instance) registers a
``PersonLink`` from its ``AppConfig.ready()``; the page shows each link whose ``shown``
test passes for the viewer. ``shown`` must not query the database (the person page's
query count may not grow with the apps installed): decide from the viewer and the person
already in hand, and let the linked page answer 404 where the finer rule says no.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from stride.access.viewer import Viewer
from stride.org.models import Person


@dataclass(frozen=True)
class PersonLink:
    label: str | Promise  # translated when shown (a lazy string)
    url_name: str  # a route taking ``person_id``
    shown: Callable[[Viewer, Person], bool]


@dataclass(frozen=True)
class ShownLink:
    label: str
    url: str


_links: dict[str, PersonLink] = {}


def register_person_link(link: PersonLink) -> None:
    """Add (or replace, by route name) a link on people's pages."""
    _links[link.url_name] = link


def person_links(viewer: Viewer, person: Person) -> list[ShownLink]:
    """The registered links ``viewer`` is offered on ``person``'s page, in registration
    order."""
    return [
        ShownLink(str(link.label), reverse(link.url_name, kwargs={"person_id": person.pk}))
        for link in _links.values()
        if link.shown(viewer, person)
    ]
