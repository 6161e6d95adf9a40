"""The demo organisation: a believable company generated from a seed.

This is a seed loader, not a user-driven write: it fills an empty database in one
transaction, with explicit ids so rows can point at each other before they are written,
``bulk_create`` for people and plain ``executemany`` (``COPY`` on PostgreSQL) for the
million-row tables. It bypasses the services, which validate and audit one row at a time
and would take hours at 10,000 people, and keeps the invariants they keep:

- ``Person.path`` is ``/<root id>/…/<own id>/`` along the ``manager`` chain;
- a key result's ``current`` equals the value of its newest ``KeyResultUpdate`` (or its
  ``start`` when it has none);
- one check-in per person per ISO week, ``week_start`` being that week's Monday in the
  person's own time zone and ``submitted_at`` falling inside that week there.

Nothing depends on the wall clock except ``today`` (default: the current date) and nothing
random escapes the seed: the organisation's shape comes from ``random.Random(seed)``, each
person's own goals and weeks from ``random.Random(f"{seed}/{email}")``, all consumed in a
fixed order. The same seed, size and ``today`` give the same organisation, and a demo
login's own goals and check-ins are the same whatever the size (the benchmark relies on it).
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from stride.demo import content
from stride.demo.content import KRTemplate, ObjectiveTemplate, TeamSpec
from stride.demo.review_cycles import add_review_cycles
from stride.demo.reviews import add_review_setup
from stride.goals.models import (
    CheckIn,
    CheckInComment,
    CheckInPreference,
    KeyResult,
    KeyResultUpdate,
    Objective,
)
from stride.lib.scoring import clamp_progress
from stride.lib.weeks import week_start
from stride.org.models import Person, RoleGrant, Team, User
from stride.org.services import login_emails_set
from stride.reviews.models import CycleParticipant, ReviewerAssignment, ReviewResponse

DEMO_PASSWORD = "demo"
MIN_PEOPLE = 30

# The logins printed by ``stride demo``; every one of them has the password ``demo``.
HR_EMAIL = "hr@example.com"
MANAGER_EMAIL = "manager@example.com"
EMPLOYEE_EMAIL = "employee@example.com"
PEER_EMAIL = "peer@example.com"
PARTNER_EMAIL = "partner@example.com"  # employee@'s accountability partner
SALESMANAGER_EMAIL = "salesmanager@example.com"
REP_EMAIL = "rep@example.com"

ProgressCallback = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as each stage advances (for a progress bar)."""

STAGE_PEOPLE = "People and goals"
STAGE_CHECKINS = "Weekly check-ins"

_Q = Objective.Level
_V = Objective.Visibility
_S = Objective.Status


class GeneratorError(RuntimeError):
    """The demo organisation cannot be generated here (too small, or not an empty org)."""


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    name: str
    title: str


@dataclass
class Summary:
    seed: int
    today: date
    weeks: int
    people: int
    teams: int
    objectives: int
    key_results: int
    key_result_updates: int
    checkins: int
    comments: int
    preferences: int
    seconds: float
    logins: list[DemoLogin]


# --- The plan, held in light objects; model instances are made only to be inserted -------


@dataclass(slots=True, eq=False)
class _Person:
    id: int
    user_id: int
    seq: int
    first: str
    last: str
    email: str
    team: int | None  # index into content.TEAMS; None for the CEO
    manager: _Person | None
    path: str
    zone: str
    title: str = ""
    hire_date: date = date(2000, 1, 1)
    first_monday: date = date(2000, 1, 3)  # of the week they joined
    reliability: float = 1.0
    mood: float = 3.8
    reminder_weekday: int = 4
    reminder_hour: int = 15
    reminder_minute: int = 0
    reminders_enabled: bool = True
    partner: _Person | None = None
    role: str = ""
    reports: list[_Person] = field(default_factory=list)
    krs: list[_KR] = field(default_factory=list)
    # Everything about the person's own goals and weeks comes from this generator, seeded
    # by their e-mail: a demo login's goals and check-ins are then the same in an
    # organisation of 150 and of 10,000, which keeps the benchmark's comparison fair.
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(slots=True, eq=False)
class _Objective:
    id: int
    title: str
    description: str
    level: str
    owner: _Person
    team_id: int | None
    parent: _Objective | None
    theme: str
    period_start: date
    period_end: date
    visibility: str
    krs: list[_KR] = field(default_factory=list)
    status: str = _S.ON_TRACK
    perf: float = 1.0  # how well it goes: its key results end near this share of target


@dataclass(slots=True, eq=False)
class _KR:
    id: int
    objective: _Objective
    title: str
    kind: str
    unit: str
    start: Decimal
    target: Decimal
    step: float
    weight: Decimal
    position: int
    final: float  # share of (target − start) reached by the end of the period
    shape: float  # pace: < 1 starts fast, > 1 starts slow
    done_at: float  # milestones: share of the period when done (> 1: not this period)
    current: Decimal = Decimal(0)


@dataclass
class _Ids:
    """Explicit primary keys, so rows can point at each other before they are inserted."""

    next: dict[type[models.Model], int] = field(default_factory=dict)

    def take(self, model: type[models.Model]) -> int:
        if model not in self.next:
            self.next[model] = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        value = self.next[model]
        self.next[model] = value + 1
        return value


_ZONES: dict[str, ZoneInfo] = {}


def _zone(name: str) -> ZoneInfo:
    if name not in _ZONES:
        _ZONES[name] = ZoneInfo(name)
    return _ZONES[name]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum() or ch == "-")


def _quantize(value: float, step: float) -> Decimal:
    decimals = 0 if step >= 1 else len(f"{step:.4f}".rstrip("0").split(".")[1])
    return Decimal(f"{round(value / step) * step:.{decimals}f}")


def _fmt(value: Decimal, kind: str) -> str:
    if kind == KeyResult.Kind.CURRENCY:
        return f"{int(value):,}"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _team_index(name: str) -> int:
    return next(i for i, spec in enumerate(content.TEAMS) if spec.name == name)


def _quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    next_start = (
        date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    )
    return start, next_start - timedelta(days=1)


class _Generator:
    def __init__(self, *, seed: int, people: int, weeks: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.size = people
        self.weeks = weeks
        self.today = today
        self.ids = _Ids()
        self.people: list[_Person] = []
        self.by_team: list[list[_Person]] = [[] for _ in content.TEAMS]
        self.heads: list[_Person] = []
        self.email_counts: dict[str, int] = {}
        this_monday = week_start(today)
        self.mondays = [this_monday - timedelta(weeks=i) for i in reversed(range(weeks))]
        self.counts: dict[str, int] = {
            "objectives": 0,
            "key_results": 0,
            "key_result_updates": 0,
            "checkins": 0,
            "comments": 0,
        }
        self.logins: list[DemoLogin] = []
        # Nothing is dated on or after the start of ``today`` (UTC), so nothing is in the
        # future whenever the load runs that day.
        self.cutoff = datetime.combine(today, datetime.min.time())
        self.team_ids: list[int] = []
        self.employee: _Person | None = None
        self.manager: _Person | None = None

    # --- people ---------------------------------------------------------------------

    def _new_person(self, *, team: int | None, manager: _Person | None) -> _Person:
        rng = self.rng
        first, last = rng.choice(content.FIRST_NAMES), rng.choice(content.LAST_NAMES)
        local = f"{_slug(first)}.{_slug(last)}"
        n = self.email_counts.get(local, 0) + 1
        self.email_counts[local] = n
        email = f"{local}{n if n > 1 else ''}@example.com"
        if manager is None:
            zone = "Europe/Berlin"
        else:
            roll = rng.random()
            if roll < 0.75:
                zone = manager.zone
            elif roll < 0.9:
                region = next(r for r, zs in content.REGIONS.items() if manager.zone in zs)
                zone = rng.choice(content.REGIONS[region])
            else:
                zone = self._random_zone()
        pid = self.ids.take(Person)
        person = _Person(
            id=pid,
            user_id=self.ids.take(User),
            seq=len(self.people) + 1,
            first=first,
            last=last,
            email=email,
            team=team,
            manager=manager,
            path=f"{manager.path if manager else '/'}{pid}/",
            zone=zone,
        )
        if manager is not None:
            manager.reports.append(person)
        self.people.append(person)
        if team is not None:
            self.by_team[team].append(person)
        return person

    def _random_zone(self) -> str:
        regions = list(content.REGION_WEIGHTS)
        region = self.rng.choices(regions, weights=[content.REGION_WEIGHTS[r] for r in regions])
        return self.rng.choice(content.REGIONS[region[0]])

    def _fill(self, root: _Person, below: int, team: int) -> None:
        """Place ``below`` people under ``root``: small groups report to it directly; larger
        ones are split into sub-teams of at least six, each led by a manager."""
        if below <= 10:
            for _ in range(below):
                self._new_person(team=team, manager=root)
            return
        parts = max(2, min(self.rng.randint(5, 8), below // 6))
        weights = [self.rng.uniform(0.8, 1.2) for _ in range(parts)]
        sizes = [int(below * w / sum(weights)) for w in weights]
        for i in range(below - sum(sizes)):
            sizes[i % parts] += 1
        if min(sizes) < 6:
            sizes = [below // parts + (1 if i < below % parts else 0) for i in range(parts)]
        for size in sizes:
            lead = self._new_person(team=team, manager=root)
            self._fill(lead, size - 1, team)

    def build_people(self) -> None:
        ceo = self._new_person(team=None, manager=None)
        below = self.size - 1
        sizes = [int(below * spec.share) for spec in content.TEAMS]
        sizes[0] += below - sum(sizes)
        for index, size in enumerate(sizes):
            head = self._new_person(team=index, manager=ceo)
            head.zone = self._random_zone() if index else "America/New_York"
            self.heads.append(head)
            self._fill(head, size - 1, index)
        for person in self.people:
            spec = content.TEAMS[person.team] if person.team is not None else None
            person.title = self._title(person, spec)
        self._cast_demo_logins()
        for person in self.people:
            rng = person.rng = random.Random(f"{self.seed}/{person.email}")
            # Hire dates: most people joined long before the window, some during it.
            person.hire_date = self.today - timedelta(days=int(rng.triangular(20, 2900, 500)))
            roll = rng.random()
            person.reliability = (
                rng.uniform(0.92, 1.0)
                if roll < 0.7
                else rng.uniform(0.7, 0.92)
                if roll < 0.9
                else rng.uniform(0.35, 0.7)
            )
            person.mood = rng.uniform(2.9, 4.5)
            person.reminder_weekday = rng.choices([4, 3, 0], weights=[60, 25, 15])[0]
            person.reminder_hour, person.reminder_minute = rng.choice(
                [(15, 0), (16, 0), (9, 30), (17, 0), (11, 0)]
            )
            person.reminders_enabled = rng.random() < 0.92
        ceo.title = content.CEO_TITLE
        ceo.hire_date = self.today - timedelta(days=365 * 8 + 40)
        for head in self.heads:
            head.hire_date = min(head.hire_date, self.today - timedelta(days=365 * 4))
        window_start = self.mondays[0]
        for person in self.people:
            if person.role:
                # Demo logins have a full history and never skip a past week.
                person.reliability = 1.0
                person.hire_date = min(person.hire_date, window_start - timedelta(days=400))
        self._choose_partners()
        for person in self.people:
            person.first_monday = week_start(person.hire_date)

    def _title(self, person: _Person, spec: TeamSpec | None) -> str:
        if spec is None:
            return content.CEO_TITLE
        if person.manager is not None and person.manager.manager is None:
            return spec.head_title
        if person.reports:
            return (
                spec.director_title
                if any(r.reports for r in person.reports)
                else spec.manager_title
            )
        return self.rng.choice(spec.ic_titles)

    def _first_line(self, team: int, lo: int, hi: int) -> list[_Person]:
        return [
            p
            for p in self.by_team[team]
            if lo <= len(p.reports) <= hi and not any(r.reports for r in p.reports)
        ]

    def _cast_demo_logins(self) -> None:
        engineering, sales, people_team = (
            _team_index("Engineering"),
            _team_index("Sales"),
            _team_index("People"),
        )
        candidates = (
            self._first_line(engineering, 6, 8)
            or self._first_line(engineering, 5, 8)
            or [p for p in self.by_team[engineering] if len(p.reports) >= 5]
        )
        if not candidates:
            raise GeneratorError(
                f"{self.size} people are too few for the demo logins; use at least {MIN_PEOPLE}."
            )
        manager = candidates[0]
        employee, peer, partner = manager.reports[0], manager.reports[1], manager.reports[2]
        sales_leads = (
            self._first_line(sales, 5, 8)
            or self._first_line(sales, 3, 10)
            or [p for p in self.by_team[sales] if p.reports]
        )
        salesmanager = sales_leads[0]
        rep = salesmanager.reports[0]
        hr = next(p for p in self.by_team[people_team] if not p.reports)
        hr.title = content.HR_TITLE
        cast = [
            (hr, HR_EMAIL, "HR admin (sees the whole organisation)"),
            (manager, MANAGER_EMAIL, f"Manager of {len(manager.reports)} people"),
            (employee, EMPLOYEE_EMAIL, "Employee reporting to manager@"),
            (peer, PEER_EMAIL, "Peer of employee@ (same manager)"),
            (partner, PARTNER_EMAIL, "Accountability partner of employee@"),
            (salesmanager, SALESMANAGER_EMAIL, "Sales manager"),
            (rep, REP_EMAIL, "Sales rep reporting to salesmanager@"),
        ]
        for person, email, role in cast:
            person.email = email
            person.role = role
            self.logins.append(DemoLogin(email, role, person.name, person.title))
        employee.partner = partner
        peer.partner = employee
        self.employee = employee
        self.manager = manager

    def _choose_partners(self) -> None:
        rng = self.rng
        for person in self.people:
            if person.partner is not None or person.manager is None:
                continue
            if rng.random() >= 0.6:
                continue
            siblings = [p for p in person.manager.reports if p is not person]
            pool = siblings or [
                p for p in self.by_team[person.team or 0] if p is not person.manager
            ]
            choice = rng.choice(pool) if pool else None
            if choice is not None and choice is not person:
                person.partner = choice

    def insert_people(self) -> None:
        # Argon2 is slow on purpose: hash the demo password once and share the hash.
        demo_hash = make_password(DEMO_PASSWORD)
        no_login = make_password(None)
        teams = []
        for spec in content.TEAMS:
            team, _ = Team.objects.get_or_create(
                name=spec.name, defaults={"is_sales": spec.is_sales}
            )
            teams.append(team)
        self.team_ids = [t.pk for t in teams]
        users, persons, prefs = [], [], []
        for p in self.people:
            users.append(
                User(
                    id=p.user_id,
                    email=p.email,
                    password=demo_hash if p.role else no_login,
                    first_name=p.first[:150],
                    last_name=p.last[:150],
                    date_joined=datetime.combine(p.hire_date, datetime.min.time(), tzinfo=UTC),
                )
            )
            persons.append(
                Person(
                    id=p.id,
                    user_id=p.user_id,
                    name=p.name,
                    email=p.email,
                    title=p.title,
                    team_id=self.team_ids[p.team] if p.team is not None else None,
                    manager_id=p.manager.id if p.manager else None,
                    path=p.path,
                    time_zone=p.zone,
                    hire_date=p.hire_date,
                    status=Person.Status.ACTIVE,
                    external_id=f"EMP-{p.seq:05d}",
                )
            )
            prefs.append(
                CheckInPreference(
                    id=self.ids.take(CheckInPreference),
                    person_id=p.id,
                    partner_id=p.partner.id if p.partner else None,
                    reminder_weekday=p.reminder_weekday,
                    reminder_time=f"{p.reminder_hour:02d}:{p.reminder_minute:02d}",
                    reminders_enabled=p.reminders_enabled,
                )
            )
        _bulk(User, users)
        # Addresses come from HR and are verified: allauth's two-factor set-up and single
        # sign-on look for the verified row.
        login_emails_set({u.pk: u.email for u in users})
        _bulk(Person, persons)
        _bulk(CheckInPreference, prefs)
        hr_admins = [p for p in self.people if p.email == HR_EMAIL]
        hr_admins.append(self.heads[_team_index("People")])  # the Chief People Officer
        RoleGrant.objects.bulk_create(
            [RoleGrant(person_id=p.id, role=RoleGrant.Role.HR_ADMIN) for p in hr_admins]
        )

    # --- goals ----------------------------------------------------------------------

    def _make_objective(
        self,
        template: ObjectiveTemplate,
        *,
        level: str,
        owner: _Person,
        team_id: int | None,
        parent: _Objective | None,
        period: tuple[date, date],
        visibility: str,
        currency: str,
        rng: random.Random,
    ) -> _Objective:
        obj = _Objective(
            id=self.ids.take(Objective),
            title=template.title,
            description=template.description,
            level=level,
            owner=owner,
            team_id=team_id,
            parent=parent,
            theme=template.theme,
            period_start=period[0],
            period_end=period[1],
            visibility=visibility,
            perf=rng.triangular(0.45, 1.2, 1.0),
        )
        count = min(len(template.key_results), rng.choice((2, 2, 3)))
        for position, kt in enumerate(rng.sample(template.key_results, count)):
            obj.krs.append(self._make_kr(kt, obj, position, currency, rng))
        return obj

    def _make_kr(
        self, kt: KRTemplate, obj: _Objective, position: int, currency: str, rng: random.Random
    ) -> _KR:
        if kt.kind == KeyResult.Kind.MILESTONE:
            start, target = Decimal(0), Decimal(1)
        else:
            start = _quantize(rng.uniform(*kt.start), kt.step)
            target = start + _quantize(rng.uniform(*kt.change), kt.step)
            if target == start:
                target = start + _quantize(kt.change[1], kt.step)
        unit = currency if kt.kind == KeyResult.Kind.CURRENCY else ""
        symbol = content.CURRENCY_SYMBOLS.get(currency, currency + " ")
        title = kt.title.format(
            start=_fmt(start, kt.kind), target=_fmt(target, kt.kind), cur=symbol
        )
        final = obj.perf * rng.uniform(0.9, 1.12)
        return _KR(
            id=self.ids.take(KeyResult),
            objective=obj,
            title=title[:200],
            kind=kt.kind,
            unit=unit,
            start=start,
            target=target,
            step=kt.step,
            weight=Decimal(2) if rng.random() < 0.15 else Decimal(1),
            position=position,
            final=final,
            shape=rng.uniform(0.7, 1.6),
            done_at=rng.uniform(0.3, 0.95) if final >= 1 else 2.0,
            current=start,
        )

    def plan_quarter(self, period: tuple[date, date], is_last: bool) -> list[_Objective]:
        """Three company objectives, two team objectives per team aligned to them, and one
        or two personal objectives per person aligned to their team's (private development
        goals stand alone)."""
        rng = self.rng
        ceo = self.people[0]
        for person in self.people:
            person.krs = []
        objectives: list[_Objective] = []
        company = [
            self._make_objective(
                t,
                level=_Q.COMPANY,
                owner=ceo,
                team_id=None,
                parent=None,
                period=period,
                visibility=_V.PUBLIC,
                currency="EUR",
                rng=rng,
            )
            for t in rng.sample(content.COMPANY_OBJECTIVES, 3)
        ]
        objectives += company
        team_objectives: list[list[_Objective]] = []
        for index, spec in enumerate(content.TEAMS):
            head = self.heads[index]
            mine = []
            for t in rng.sample(content.TEAM_OBJECTIVES[spec.name], 2):
                mine.append(
                    self._make_objective(
                        t,
                        level=_Q.TEAM,
                        owner=head,
                        team_id=self.team_ids[index],
                        parent=_aligned(rng, company, t.theme),
                        period=period,
                        visibility=_V.TEAM if rng.random() < 0.15 else _V.PUBLIC,
                        currency=content.currency_for_zone(head.zone),
                        rng=rng,
                    )
                )
            team_objectives.append(mine)
            objectives += mine
        for person in self.people:
            if person.team is None or person in self.heads:
                continue
            if person.hire_date > period[1] - timedelta(days=30):
                continue  # joined too late to set goals for this quarter
            spec = content.TEAMS[person.team]
            pool = content.PERSONAL_OBJECTIVES[spec.name]
            rng = person.rng
            chosen: list[tuple[ObjectiveTemplate, str]] = []
            for template in rng.sample(pool, rng.choice((1, 2, 2))):
                roll = rng.random()
                if roll < 0.07:
                    # Private goals are mostly about one's own development.
                    chosen.append((rng.choice(content.DEVELOPMENT_OBJECTIVES), _V.PRIVATE))
                else:
                    chosen.append((template, _V.TEAM if roll < 0.2 else _V.PUBLIC))
            if is_last and person is self.employee and all(v != _V.PRIVATE for _, v in chosen):
                chosen.insert(0, (rng.choice(content.DEVELOPMENT_OBJECTIVES), _V.PRIVATE))
            for template, visibility in chosen:
                parent = _aligned(rng, team_objectives[person.team], template.theme)
                objectives.append(
                    self._make_objective(
                        template,
                        level=_Q.PERSONAL,
                        owner=person,
                        team_id=None,
                        # A development goal is one's own; it aligns to no team goal.
                        parent=None if visibility == _V.PRIVATE else parent,
                        period=period,
                        visibility=visibility,
                        currency=content.currency_for_zone(person.zone),
                        rng=rng,
                    )
                )
        for obj in objectives:
            obj.owner.krs.extend(obj.krs)
        return objectives

    def _value(self, kr: _KR, on: date) -> Decimal:
        span = (kr.objective.period_end - kr.objective.period_start).days or 1
        t = min(1.0, max(0.0, (on - kr.objective.period_start).days / span))
        if kr.kind == KeyResult.Kind.MILESTONE:
            return Decimal(1) if t >= kr.done_at else Decimal(0)
        share = max(0.0, kr.final * t**kr.shape + kr.objective.owner.rng.gauss(0, 0.03))
        value = float(kr.start) + float(kr.target - kr.start) * share
        if kr.kind == KeyResult.Kind.PERCENT:
            value = min(100.0, max(0.0, value))
        return _quantize(value, kr.step)

    # --- weekly check-ins -------------------------------------------------------------

    def simulate_week(self, monday: date, rows: _Rows) -> None:
        is_current = monday == self.mondays[-1]
        for person in self.people:
            if monday < person.first_monday:
                continue
            rng = person.rng
            day = min(6, max(0, person.reminder_weekday + rng.choice((-1, 0, 0, 0, 1))))
            hour = min(21, max(7, person.reminder_hour + rng.randint(-2, 3)))
            minute = rng.randrange(60)
            local_day = monday + timedelta(days=day)
            if not is_current and rng.random() > person.reliability:
                continue
            submitted = (
                datetime(
                    local_day.year,
                    local_day.month,
                    local_day.day,
                    hour,
                    minute,
                    tzinfo=_zone(person.zone),
                )
                .astimezone(UTC)
                .replace(tzinfo=None)
            )
            if is_current and (submitted >= self.cutoff or person is self.employee):
                # This week is still running: only those whose usual day has passed have
                # checked in, and employee@ has not, so the demo can show the form fresh.
                continue
            team_name = content.TEAMS[person.team].name if person.team is not None else ""
            progress_pool = content.PROGRESS.get(team_name, content.PROGRESS["Leadership"])
            plans_pool = content.PLANS.get(team_name, content.PLANS["Leadership"])
            mood = min(5, max(1, round(person.mood + rng.gauss(0, 0.7))))
            checkin_id = self.ids.take(CheckIn)
            edited = rng.random() < 0.1
            rows.checkins.add(
                checkin_id,
                person.id,
                monday,
                " ".join(rng.sample(progress_pool, rng.choice((1, 2)))),
                " ".join(rng.sample(plans_pool, rng.choice((1, 2)))),
                rng.choice(content.PROBLEMS) if rng.random() < 0.45 else "",
                mood,
                submitted,
                submitted + timedelta(minutes=rng.randint(5, 600)) if edited else submitted,
            )
            self._updates(person, checkin_id, submitted, local_day, rows)
            self._comments(person, checkin_id, submitted, rows)

    def _updates(
        self, person: _Person, checkin_id: int, at: datetime, on: date, rows: _Rows
    ) -> None:
        rng = person.rng
        if not person.krs:
            return
        chosen = [kr for kr in person.krs if rng.random() < 0.4]
        if not chosen and rng.random() < 0.6:
            chosen = [rng.choice(person.krs)]
        for kr in chosen:
            value = self._value(kr, on)
            linked = rng.random() >= 0.07
            confidence = min(10, max(0, round(10 * min(kr.final, 1.05) - 1 + rng.gauss(0, 1))))
            rows.updates.add(
                self.ids.take(KeyResultUpdate),
                kr.id,
                value,
                confidence if linked else None,
                rng.choice(content.UPDATE_NOTES) if rng.random() < 0.25 else "",
                person.id,
                checkin_id if linked else None,
                # An update outside the check-in is made a little earlier that week.
                at if linked else at - timedelta(hours=3),
            )
            # One update per key result per week, in week order: the last one written is
            # the newest, so it is the current value.
            kr.current = value

    def _comments(self, person: _Person, checkin_id: int, at: datetime, rows: _Rows) -> None:
        rng = person.rng
        manager = person.manager
        chance = 0.35 if manager is self.manager else 0.08
        cutoff = self.cutoff
        for author, pool, p in (
            (manager, content.MANAGER_COMMENTS, chance),
            (person.partner, content.PARTNER_COMMENTS, 0.04),
        ):
            # Always the same three draws, whether or not there is someone to comment.
            roll, hours, pick = rng.random(), rng.randint(2, 40), rng.random()
            created = at + timedelta(hours=hours)
            if author is None or roll >= p or created >= cutoff:
                continue
            body = pool[int(pick * len(pool))]
            rows.comments.add(self.ids.take(CheckInComment), checkin_id, author.id, body, created)

    def finish_quarter(self, objectives: list[_Objective]) -> None:
        for obj in objectives:
            progress = _progress(obj)
            if obj.period_end < self.today:
                obj.status = _S.ACHIEVED if progress >= 1.0 else _S.MISSED
            else:
                # The owner's reading: how they expect it to end, give or take.
                outlook = obj.perf + obj.owner.rng.gauss(0, 0.08)
                obj.status = (
                    _S.ON_TRACK
                    if outlook >= 0.85
                    else _S.AT_RISK
                    if outlook >= 0.65
                    else _S.OFF_TRACK
                )


class _Table:
    """Rows for one table, kept as plain tuples and written with one prepared statement
    (``executemany``) or, on PostgreSQL, ``COPY``: model instances and ``bulk_create``
    cost ten times more than the database itself at a million rows.

    Datetimes in rows are naive UTC: what Django stores on SQLite, and what PostgreSQL
    reads for a ``timestamptz`` in the UTC session Django opens."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self.model = model
        self.columns: list[str] = []
        for name in fields:
            f = model._meta.get_field(name)
            assert isinstance(f, models.Field)
            self.columns.append(f.column)
        self.rows: list[tuple[Any, ...]] = []

    def add(self, *values: Any) -> None:
        self.rows.append(values)

    def __len__(self) -> int:
        return len(self.rows)

    def flush(self) -> None:
        if not self.rows:
            return
        qn = connection.ops.quote_name
        table = qn(self.model._meta.db_table)
        columns = ", ".join(qn(column) for column in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                # Django registers the sqlite3 adapters for dates and decimals.
                marks = ", ".join(["%s"] * len(self.columns))
                # Table and column names come from the model, quoted by the backend.
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, self.rows)
        self.rows = []


class _Rows:
    def __init__(self) -> None:
        self.objectives = _Table(
            Objective,
            [
                "id", "title", "description", "level", "owner", "team", "parent",
                "period_start", "period_end", "visibility", "status", "created_at",
                "updated_at",
            ],
        )  # fmt: skip
        self.key_results = _Table(
            KeyResult,
            [
                "id", "objective", "title", "kind", "unit", "start", "target", "current",
                "weight", "position", "created_at",
            ],
        )  # fmt: skip
        self.checkins = _Table(
            CheckIn,
            [
                "id", "person", "week_start", "progress", "plans", "problems", "mood",
                "submitted_at", "updated_at",
            ],
        )  # fmt: skip
        self.updates = _Table(
            KeyResultUpdate,
            ["id", "key_result", "value", "confidence", "note", "author", "checkin", "at"],
        )
        self.comments = _Table(CheckInComment, ["id", "checkin", "author", "body", "created_at"])

    def flush(self) -> None:
        # Parents before children, so every foreign key points at a row that exists.
        for table in (
            self.objectives, self.key_results, self.checkins, self.updates, self.comments
        ):  # fmt: skip
            table.flush()


def _aligned(rng: random.Random, parents: Sequence[_Objective], theme: str) -> _Objective:
    """A parent of the same theme if there is one. Exactly one draw whatever the choice,
    so a person's own random stream does not depend on the organisation around them."""
    pool = [o for o in parents if o.theme == theme] or list(parents)
    return pool[int(rng.random() * len(pool))]


def _progress(obj: _Objective) -> float:
    total = sum((kr.weight for kr in obj.krs), Decimal(0))
    if not obj.krs or total <= 0:
        return 0.0
    done = sum(
        (
            kr.weight
            * Decimal(str(clamp_progress(start=kr.start, target=kr.target, current=kr.current)))
            for kr in obj.krs
        ),
        Decimal(0),
    )
    return float(done / total)


def _bulk(model: type[models.Model], objs: Iterable[Any], batch_size: int = 2000) -> None:
    # Django caps the batch to SQLite's parameter limit by itself.
    model.objects.bulk_create(list(objs), batch_size=batch_size)  # type: ignore[attr-defined]


def _add_goals(objectives: list[_Objective], rows: _Rows) -> None:
    if not objectives:
        return
    # Goals are set a few days before their quarter starts.
    planned = datetime.combine(
        objectives[0].period_start - timedelta(days=5), datetime.min.time()
    ) + timedelta(hours=10)
    for o in objectives:
        rows.objectives.add(
            o.id,
            o.title,
            o.description,
            o.level,
            o.owner.id,
            o.team_id,
            o.parent.id if o.parent else None,
            o.period_start,
            o.period_end,
            o.visibility,
            o.status,
            planned,
            planned,
        )
        for kr in o.krs:
            rows.key_results.add(
                kr.id,
                o.id,
                kr.title,
                kr.kind,
                kr.unit,
                kr.start,
                kr.target,
                kr.current,
                kr.weight,
                kr.position,
                planned,
            )


def _reset_sequences() -> None:
    """PostgreSQL's id sequences do not see explicit ids; move them past the new rows."""
    statements = connection.ops.sequence_reset_sql(
        no_style(),
        [
            User,
            Person,
            CheckInPreference,
            Objective,
            KeyResult,
            KeyResultUpdate,
            CheckIn,
            CheckInComment,
        ],
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@contextmanager
def _bulk_load_settings() -> Iterator[None]:
    """On SQLite, a page cache big enough for the indexes being filled: the default 2 MB
    turns a million-row load into disk-bound thrashing. Restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _ignore_progress(stage: str, done: int, total: int) -> None:
    return None


def generate(
    *,
    seed: int = 42,
    people: int = 150,
    weeks: int = 8,
    today: date | None = None,
    progress: ProgressCallback | None = None,
) -> Summary:
    """Load a demo organisation of ``people`` people with ``weeks`` weeks of check-ins
    (the last of them the week of ``today``) into an empty database, in one transaction.

    Raises ``GeneratorError`` when people already exist or ``people`` is below
    ``MIN_PEOPLE``."""
    if people < MIN_PEOPLE:
        raise GeneratorError(f"The demo needs at least {MIN_PEOPLE} people, not {people}.")
    if weeks < 1:
        raise GeneratorError(f"The demo needs at least one week of check-ins, not {weeks}.")
    started = time.perf_counter()
    today = today or timezone.localdate()
    report = progress or _ignore_progress
    with transaction.atomic(), _bulk_load_settings():
        if Person.objects.exists():
            raise GeneratorError(
                "People already exist in this database; the demo loads into an empty one."
            )
        gen = _Generator(seed=seed, people=people, weeks=weeks, today=today)
        report(STAGE_PEOPLE, 0, 1)
        gen.build_people()
        gen.insert_people()
        report(STAGE_PEOPLE, 1, 1)
        quarters: dict[tuple[date, date], list[date]] = {}
        for monday in gen.mondays:
            quarters.setdefault(_quarter_of(monday), []).append(monday)
        done_weeks = 0
        report(STAGE_CHECKINS, 0, weeks)
        last_period = list(quarters)[-1]
        for period, mondays in quarters.items():
            objectives = gen.plan_quarter(period, is_last=period == last_period)
            rows = _Rows()
            for monday in mondays:
                gen.simulate_week(monday, rows)
                done_weeks += 1
                if monday != mondays[-1]:
                    report(STAGE_CHECKINS, done_weeks, weeks)
            gen.finish_quarter(objectives)
            _add_goals(objectives, rows)
            gen.counts["objectives"] += len(rows.objectives)
            gen.counts["key_results"] += len(rows.key_results)
            gen.counts["checkins"] += len(rows.checkins)
            gen.counts["key_result_updates"] += len(rows.updates)
            gen.counts["comments"] += len(rows.comments)
            rows.flush()
            report(STAGE_CHECKINS, done_weeks, weeks)
        _reset_sequences()
        hr = Person.objects.get(email=HR_EMAIL)
        add_review_setup(hr)
        add_review_cycles(hr=hr, today=today, seed=seed)
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum would gather soon after a real import, so the
        # planner does not guess about tables that just grew by a million rows.
        tables = ", ".join(
            connection.ops.quote_name(m._meta.db_table)
            for m in (
                Person,
                Objective,
                KeyResult,
                KeyResultUpdate,
                CheckIn,
                CheckInComment,
                CycleParticipant,
                ReviewerAssignment,
                ReviewResponse,
            )
        )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
    return Summary(
        seed=seed,
        today=today,
        weeks=weeks,
        people=len(gen.people),
        teams=len(content.TEAMS),
        preferences=len(gen.people),
        seconds=round(time.perf_counter() - started, 1),
        logins=gen.logins,
        **gen.counts,
    )


__all__ = [
    "DEMO_PASSWORD",
    "EMPLOYEE_EMAIL",
    "HR_EMAIL",
    "MANAGER_EMAIL",
    "MIN_PEOPLE",
    "PARTNER_EMAIL",
    "PEER_EMAIL",
    "REP_EMAIL",
    "SALESMANAGER_EMAIL",
    "DemoLogin",
    "GeneratorError",
    "Summary",
    "generate",
]
