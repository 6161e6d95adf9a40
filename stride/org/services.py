"""Writes of the org app. Each keeps ``Person.path`` in step with ``Person.manager``."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr

from stride.access.audit import audit_write
from stride.access.services import tokens_revoke_for_people
from stride.access.viewer import Viewer
from stride.org.models import Person, RoleGrant, Team, User, validate_time_zone


def login_emails_set(user_emails: dict[int, str]) -> None:
    """Make each user's e-mail their one verified, primary allauth address.

    allauth authenticates through its ``EmailAddress`` table as well as ``User.email``; a
    stale row would let an old address keep logging in, and a missing verified row makes a
    first single sign-on treat the account as unproven. HR's directory is the source of
    truth for addresses, so its addresses count as verified, and an address HR gives one
    login is taken off any other login that still carries it."""
    from allauth.account.models import EmailAddress

    items = list(user_emails.items())
    for start in range(0, len(items), 1000):
        batch = dict(items[start : start + 1000])
        EmailAddress.objects.filter(
            Q(user_id__in=list(batch)) | Q(email__in=[e.lower() for e in batch.values()])
        ).delete()
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=user_id, email=email.lower(), verified=True, primary=True)
                for user_id, email in batch.items()
            ]
        )


def logins_set_active(*, user_ids: list[int], active: bool) -> None:
    """Let these logins sign in, or not. An inactive login is refused by Django's auth
    backends at the next request, so turning one off also ends its open sessions."""
    for start in range(0, len(user_ids), 1000):
        User.objects.filter(pk__in=user_ids[start : start + 1000]).exclude(is_active=active).update(
            is_active=active
        )


def leavers_lock_out(*, actor: Viewer | None, person_ids: list[int], user_ids: list[int]) -> None:
    """What leaving does to access, for good: the logins are turned off, every session
    they had is ended and every personal access token is revoked (audited).

    Turning a login off alone is undone by reactivation, which would bring old session
    cookies and tokens back to life. So each login's session epoch is raised (it is part of
    the session hash Django checks; one UPDATE per thousand logins, no scan of the session
    table) and tokens get ``revoked_at``, which nothing clears. Someone who comes back logs
    in afresh and makes new tokens. Call inside the caller's transaction."""
    logins_set_active(user_ids=user_ids, active=False)
    for start in range(0, len(user_ids), 1000):
        User.objects.filter(pk__in=user_ids[start : start + 1000]).update(
            session_epoch=F("session_epoch") + 1
        )
    tokens_revoke_for_people(person_ids=person_ids, reason="left", actor=actor)


def path_for(person_id: int, manager: Person | None) -> str:
    return f"{manager.path if manager else '/'}{person_id}/"


def _validate_manager(person: Person | None, manager: Person | None) -> None:
    if manager is None or person is None or person.pk is None:
        return
    if manager.pk == person.pk or manager.path.startswith(person.path):
        raise ValidationError(
            {"manager": "That manager reports to this person: the tree would have a cycle."}
        )


@transaction.atomic
def person_create(
    *,
    actor: Viewer | None,
    name: str,
    email: str,
    title: str = "",
    team: Team | None = None,
    manager: Person | None = None,
    time_zone: str = "UTC",
    hire_date: date | None = None,
    status: str = Person.Status.ACTIVE,
    external_id: str | None = None,
    password: str | None = None,
) -> Person:
    """Create a person (and their login), placed in the tree under ``manager``."""
    email = email.strip().lower()
    person = Person(
        name=name.strip(),
        email=email,
        title=title,
        team=team,
        manager=manager,
        time_zone=time_zone,
        hire_date=hire_date,
        status=status,
        external_id=external_id or None,
    )
    person.full_clean(exclude=["user", "path"])
    # Without a password the login is unusable until the person resets it (or uses SSO).
    user = User.objects.filter(email=email).first() or User.objects.create_user(email, password)
    login_emails_set({user.pk: email})
    person.user = user
    person.save()
    person.path = path_for(person.pk, manager)
    person.save(update_fields=["path"])
    if status == Person.Status.LEFT:
        leavers_lock_out(actor=actor, person_ids=[person.pk], user_ids=[user.pk])
    audit_write(
        actor=actor,
        action="person.create",
        target=person,
        changes={"email": email, "manager": manager.pk if manager else None},
    )
    return person


@transaction.atomic
def person_set_manager(*, actor: Viewer | None, person: Person, manager: Person | None) -> Person:
    """Move a person (and their whole subtree) under a new manager."""
    person.refresh_from_db()
    if manager is not None:
        manager.refresh_from_db()
    _validate_manager(person, manager)
    old_path = person.path
    new_path = path_for(person.pk, manager)
    old_manager_id = person.manager_id
    person.manager = manager
    person.path = new_path
    person.save(update_fields=["manager", "path"])
    if old_path != new_path:
        # Rewrite the prefix of everyone below in one statement.
        Person.objects.filter(path__startswith=old_path).exclude(pk=person.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
    audit_write(
        actor=actor,
        action="person.set_manager",
        target=person,
        changes={"manager": [old_manager_id, manager.pk if manager else None]},
    )
    return person


@transaction.atomic
def role_grant(*, actor: Viewer | None, person: Person, role: str) -> RoleGrant:
    if role not in RoleGrant.Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    grant, created = RoleGrant.objects.get_or_create(
        person=person, role=role, defaults={"granted_by": actor.person if actor else None}
    )
    if created:
        audit_write(actor=actor, action="role.grant", target=person, changes={"role": role})
    return grant


@transaction.atomic
def team_get_or_create(*, actor: Viewer | None, name: str, is_sales: bool = False) -> Team:
    team, created = Team.objects.get_or_create(name=name.strip(), defaults={"is_sales": is_sales})
    if created:
        audit_write(actor=actor, action="team.create", target=team, changes={"name": team.name})
    return team


__all__ = [
    "leavers_lock_out",
    "path_for",
    "person_create",
    "person_set_manager",
    "role_grant",
    "team_get_or_create",
    "validate_time_zone",
]
