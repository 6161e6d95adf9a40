"""The viewer: who is asking, resolved once per request and passed to every selector."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from stride.access.roles import Role

if TYPE_CHECKING:  # ``org`` sits above ``access``: only the type checker looks there.
    from stride.org.models import Person


@dataclass(frozen=True)
class Viewer:
    """Who is looking. ``person`` is None for anonymous visitors and for logins with no
    person record (a bare system account); such viewers see no one's data."""

    person: Person | None
    roles: frozenset[str] = field(default_factory=frozenset)
    via: str = "web"
    # Whether anyone reports to the person: read with the login (no extra query) so the
    # navigation offers "My team" only to managers. None when not looked up (API callers).
    has_reports: bool | None = None
    # Flags that apps registered (``register_viewer_flag``), read with the login in the
    # same query: the navigation offers "Reviews" to people who have one, for instance.
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.person is not None

    @property
    def is_hr_admin(self) -> bool:
        return Role.HR_ADMIN in self.roles

    @property
    def is_system_admin(self) -> bool:
        return Role.SYSTEM_ADMIN in self.roles

    def require_person(self) -> Person:
        """The viewer's person; 404 for a login without one (it has nothing to show)."""
        if self.person is None:
            raise Http404
        return self.person

    @property
    def person_id(self) -> int | None:
        return self.person.pk if self.person else None

    def manages(self, other: Person) -> bool:
        """True when ``other`` is anywhere below the viewer in the reporting tree."""
        return (
            self.person is not None
            and bool(self.person.path)
            and other.is_in_subtree_of(self.person)
        )

    def is_self_or_manager_of(self, other: Person) -> bool:
        return self.person is not None and (other.pk == self.person.pk or self.manages(other))

    def subtree_q(self, prefix: str = "", include_self: bool = True) -> Q:
        """A filter for people (through ``prefix``) at or below the viewer in the tree."""
        # An empty path would be a prefix of every path: treat it as managing nobody.
        if self.person is None or not self.person.path:
            return Q(pk__in=[])
        q = Q(**{f"{prefix}path__startswith": self.person.path})
        if not include_self:
            q &= ~Q(**{f"{prefix}pk": self.person.pk})
        return q


ANONYMOUS = Viewer(person=None)


def role_flags(person: str) -> dict[str, Exists]:
    """Annotations saying, for the person at ``person`` (an ``OuterRef`` path such as
    ``"person__pk"``), whether they hold each role: read with the login or the token in
    the same query, instead of a second one for the grants on every request."""
    person_field: Any = get_user_model()._meta.get_field("person")
    grant_field: Any = person_field.related_model._meta.get_field("grants")
    grant_model: Any = grant_field.related_model
    return {
        f"holds_{role.value}": Exists(
            grant_model._default_manager.filter(person_id=OuterRef(person), role=role.value)
        )
        for role in Role
    }


def roles_flagged(row: Any) -> frozenset[str]:
    """The roles a row annotated with ``role_flags`` holds."""
    return frozenset(role.value for role in Role if getattr(row, f"holds_{role.value}", False))


#: name → a condition on the person (given as ``OuterRef``) that apps register; see
#: ``Viewer.flags``. Kept here, not in the apps, because ``access`` may import no app.
_FLAGS: dict[str, Callable[[Any], Any]] = {}


def register_viewer_flag(name: str, condition: Callable[[Any], Any]) -> None:
    """``condition(person_ref)`` returns a boolean expression (an ``Exists``) about the
    person whose primary key ``person_ref`` refers to; the flag is set when it holds."""
    _FLAGS[name] = condition
    _logins_with_person.cache_clear()  # the next lookup reads the new flag too


@cache
def _logins_with_person() -> Any:
    """Logins with their person, roles, registered flags and whether anyone reports to
    them: built once per process (and again after a flag is registered), filtered per
    request. Building the annotations cost as much as running the query."""
    user_model = get_user_model()
    person_field: Any = user_model._meta.get_field("person")
    person_model: Any = person_field.related_model
    reports = person_model._default_manager.filter(manager_id=OuterRef("person__pk"))
    return (
        user_model._default_manager.select_related("person")
        .annotate(person_has_reports=Exists(reports), **role_flags("person__pk"))
        .annotate(**{f"flag_{n}": make(OuterRef("person__pk")) for n, make in _FLAGS.items()})
    )


def viewer_for_user(user: Any, *, via: str = "web") -> Viewer:
    """Resolve a Django user into a viewer: one query for the login's person, their roles
    and whether anyone reports to them. The person is reached through the user model's
    ``person`` relation, so this module needs nothing from ``org`` at run time."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    found = _logins_with_person().filter(pk=user.pk).first()
    person: Person | None = getattr(found, "person", None) if found is not None else None
    if person is None or person.has_left:
        # People who have left see nothing, even through a session opened before they left.
        return ANONYMOUS
    flags = frozenset(n for n in _FLAGS if getattr(found, f"flag_{n}", False))
    return Viewer(
        person=person,
        roles=roles_flagged(found),
        via=via,
        has_reports=bool(getattr(found, "person_has_reports", False)),
        flags=flags,
    )


def viewer_for_person(person: Person, *, via: str = "web") -> Viewer:
    roles = frozenset(grant.role for grant in person.grants.all())
    return Viewer(person=person, roles=roles, via=via)
