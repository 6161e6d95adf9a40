"""The named test cast, built in code, shared by every app's tests.

skip (skip-level manager, heads Product)
├── manager (manager, Product)
│   ├── alice (report, Product)
│   └── bob   (report, Product)
└── outsider (Finance — another team, not under manager)
hr        (HR admin, People team, reports to skip)
salesmanager (Sales) └── rep (Sales)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from stride.access.viewer import Viewer, viewer_for_person
from stride.org import services as org
from stride.org.models import Person, RoleGrant, Team

PASSWORD = "correct horse battery staple"


@dataclass
class Cast:
    product: Team
    finance: Team
    people_team: Team
    sales: Team
    skip: Person
    manager: Person
    alice: Person
    bob: Person
    outsider: Person
    hr: Person
    salesmanager: Person
    rep: Person

    def viewer(self, person: Person) -> Viewer:
        person.refresh_from_db()
        return viewer_for_person(person)

    def client(self, person: Person | None) -> Client:
        client = Client()
        if person is not None:
            assert person.user is not None
            client.force_login(person.user)
        return client

    @property
    def members(self) -> dict[str, Person]:
        return {
            name: getattr(self, name)
            for name in ("skip", "manager", "alice", "bob", "outsider", "hr", "salesmanager", "rep")
        }


def build_cast() -> Cast:
    mk = org.person_create
    product = org.team_get_or_create(actor=None, name="Product")
    finance = org.team_get_or_create(actor=None, name="Finance")
    people_team = org.team_get_or_create(actor=None, name="People")
    sales = org.team_get_or_create(actor=None, name="Sales", is_sales=True)
    skip = mk(
        actor=None,
        name="Sam Skip",
        email="skip@example.com",
        team=product,
        title="VP Product",
        password=PASSWORD,
    )
    manager = mk(
        actor=None,
        name="Mia Manager",
        email="manager@example.com",
        team=product,
        manager=skip,
        title="Engineering Manager",
        password=PASSWORD,
        time_zone="Europe/Berlin",
    )
    alice = mk(
        actor=None,
        name="Alice Report",
        email="alice@example.com",
        team=product,
        manager=manager,
        title="Engineer",
        password=PASSWORD,
        time_zone="Europe/Berlin",
    )
    bob = mk(
        actor=None,
        name="Bob Report",
        email="bob@example.com",
        team=product,
        manager=manager,
        title="Engineer",
        password=PASSWORD,
        time_zone="America/New_York",
    )
    outsider = mk(
        actor=None,
        name="Olga Outsider",
        email="outsider@example.com",
        team=finance,
        manager=skip,
        title="Accountant",
        password=PASSWORD,
    )
    hr = mk(
        actor=None,
        name="Hana HR",
        email="hr@example.com",
        team=people_team,
        manager=skip,
        title="HR Partner",
        password=PASSWORD,
    )
    org.role_grant(actor=None, person=hr, role=RoleGrant.Role.HR_ADMIN)
    salesmanager = mk(
        actor=None,
        name="Sid Sales",
        email="salesmanager@example.com",
        team=sales,
        title="Sales Manager",
        password=PASSWORD,
    )
    rep = mk(
        actor=None,
        name="Rita Rep",
        email="rep@example.com",
        team=sales,
        manager=salesmanager,
        title="Account Executive",
        password=PASSWORD,
    )
    return Cast(
        product,
        finance,
        people_team,
        sales,
        skip,
        manager,
        alice,
        bob,
        outsider,
        hr,
        salesmanager,
        rep,
    )
