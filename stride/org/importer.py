"""The HRIS import of people: a CSV or XLSX export is checked row by row, then written in one go.

Reading the file, matching its header to ``FIELDS`` (each field's own name or the names HR
systems give it, or an explicit mapping) and collecting line-numbered problems belong to the
import toolkit, ``stride.lib.tabular``; this module holds what is particular to people.

Invariants ``people_import`` keeps:

* **Validate first, then write.** Every row is checked — required fields, e-mail syntax and
  duplicates, time zone, date, status, the manager (in the file or already in Stride) and the
  reporting tree the file would produce together with everyone already in the database — before
  anything is written. One error anywhere means nothing is written at all.
* **Idempotent.** A person is matched by ``external_id`` when the row has one, else by e-mail.
  Only fields that differ are written and audited (``{field: [old, new]}``); importing the same
  file twice writes nothing and audits nothing the second time.
* **The tree stays materialised.** ``Person.path`` is recomputed in tree order for everyone whose
  place changes — the moved people and their whole subtrees — so prefix queries stay correct.
* **Bounded queries, at the speed of the database.** The database is read once up front
  (people, logins, teams) and written with bulk statements, never a query per row: re-importing
  10,000 unchanged people costs five queries. New rows go in as plain tuples through
  ``stride.lib.bulk`` (COPY on PostgreSQL, one prepared INSERT run many times on SQLite) with
  their ids reserved first, and their login addresses and audit entries are built by the
  database from the rows just written; no model instance is made per row.
* **Invited once.** With ``invite``, each new person with a login gets one invitation to set a
  password, recorded in the outbox in the same transaction (``stride.org.invitations``).

Blank cells: a column left out of the header is not touched for people who already exist. A
column that is present but empty clears ``title``, ``team``, ``manager_email`` (the person then
has no manager) and ``hire_date``; an empty ``time_zone``, ``status`` or ``external_id`` keeps the
current value (``UTC`` and ``active`` for new people), because those are identifiers or settings
an HR export often omits rather than deliberately clears.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import secrets
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import IO, Any, TypeVar

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stride.access.models import AuditEntry
from stride.access.viewer import Viewer
from stride.lib.bulk import date_adapter, db_value, id_range, insert_rows, reserve_ids
from stride.lib.fields import DATE_MAX, DATE_MIN
from stride.lib.tabular import (
    BadDate,
    Field,
    HeaderMap,
    NoProgress,
    Problem,
    Progress,
    Table,
    gc_paused,
    map_header,
    parse_date,
    read_table,
    records,
)
from stride.org.invitations import invitations_record
from stride.org.models import Person, Team, User
from stride.org.services import leavers_lock_out, login_emails_set, logins_set_active

COLUMNS: tuple[str, ...] = (
    "email",
    "name",
    "title",
    "team",
    "manager_email",
    "time_zone",
    "hire_date",
    "status",
    "external_id",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("email", "name")
STATUSES: tuple[str, ...] = tuple(Person.Status.values)
BATCH_SIZE = 500
# Person.path is a varchar(1000); a chain deeper than that cannot be stored.
MAX_PATH_LENGTH = Person._meta.get_field("path").max_length or 1000
_MAX_LENGTHS = {
    "email": 254,
    "name": Person._meta.get_field("name").max_length,
    "title": Person._meta.get_field("title").max_length,
    "team": Team._meta.get_field("name").max_length,
    "manager_email": 254,
    "time_zone": Person._meta.get_field("time_zone").max_length,
    "external_id": Person._meta.get_field("external_id").max_length,
}
_SHORTEST_LIMIT = min(limit for limit in _MAX_LENGTHS.values() if limit is not None)
# Fields of Person the import may change, in the order they are reported.
_PERSON_FIELDS = (
    "email",
    "name",
    "title",
    "team",
    "manager",
    "time_zone",
    "hire_date",
    "status",
    "external_id",
)

T = TypeVar("T")


# One problem with the file: ``line`` counts from 1, the header being line 1 (a CSV's lines,
# or a spreadsheet's rows).
RowError = Problem
ImportProgress = Progress

# The columns an HR system's export may have, by the names HR systems give them. A title
# matches with case, spaces and punctuation ignored ("Work E-mail" is "workemail").
FIELDS: tuple[Field, ...] = (
    Field(
        "email",
        gettext_lazy("E-mail"),
        required=True,
        aliases=(
            "Work Email",
            "E-mail",
            "Email Address",
            "Work Email Address",
            "Mail",
            "Business Email",
            "Company Email",
        ),
    ),
    Field(
        "name",
        gettext_lazy("Name"),
        required=True,
        aliases=("Full Name", "Employee Name", "Display Name"),
    ),
    Field("title", gettext_lazy("Job title"), aliases=("Job Title", "Position", "Role", "Job")),
    Field(
        "team", gettext_lazy("Team"), aliases=("Department", "Dept", "Team Name", "Group", "Unit")
    ),
    Field(
        "manager_email",
        gettext_lazy("Manager's e-mail"),
        aliases=(
            "Manager Email",
            "Manager E-mail",
            "Supervisor Email",
            "Reports To Email",
            "Line Manager Email",
        ),
    ),
    Field("time_zone", gettext_lazy("Time zone"), aliases=("Time Zone", "Timezone", "TZ", "Zone")),
    Field(
        "hire_date",
        gettext_lazy("Hire date"),
        aliases=(
            "Start Date",
            "Hire Date",
            "Date of Joining",
            "Joining Date",
            "Date Hired",
            "Employment Start Date",
        ),
    ),
    Field("status", gettext_lazy("Status"), aliases=("Employment Status", "Employee Status")),
    Field(
        "external_id",
        gettext_lazy("Employee id"),
        aliases=(
            "Employee ID",
            "Employee Number",
            "Emp ID",
            "External ID",
            "Employee No",
            "Personnel Number",
            "Staff ID",
            "Worker ID",
            "ID",
        ),
    ),
)


@dataclass(slots=True)
class RowChange:
    """What the import did (or, in a dry run, would do) to one row's person."""

    line: int
    email: str
    name: str
    action: str  # "created" or "updated"
    # For "updated" ``{field: [old, new]}``; for "created" ``{field: value}``, worked out when
    # first read: a page shows a few hundred of 10,000 (the audit log gets its own copy).
    pending: dict[str, Any] | Callable[[], dict[str, Any]]

    @property
    def changes(self) -> dict[str, Any]:
        if callable(self.pending):
            self.pending = self.pending()
        return self.pending


@dataclass
class ImportReport:
    """The outcome: errors (then nothing was written) or the counts and the changes."""

    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    teams_created: int = 0
    # People whose place in the tree (path) changed, including untouched people below a move.
    moved: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    # What the header said: the file's columns nobody maps (left out of the import) and the
    # column each field was read from.
    header: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    # "line" for CSV files, "row" for spreadsheets: what the numbers of errors and changes count.
    unit: str = "line"
    # True when ``hold_for_mapping`` kept the import from writing: the header needs a look.
    held: bool = False
    # The people sent (or, in a dry run, who would be sent) an invitation to set a password.
    invited: list[RowChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class _Existing:
    """A person already in the database, as read once at the start."""

    pk: int
    email: str
    name: str
    title: str
    team_id: int | None
    manager_id: int | None
    path: str
    time_zone: str
    hire_date: date | None
    status: str
    external_id: str | None
    user_id: int | None


@dataclass(slots=True)
class _Row:
    line: int
    cells: dict[str, str]
    email: str = ""
    name: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    valid_email: bool = False
    # Node key in the final tree: the pk of an existing person, or a negative number for a new one.
    key: int = 0
    existing: _Existing | None = None
    manager_key: int | None = None
    manager_ok: bool = True


# --- Validating one row on its own --------------------------------------------------------

_zone_cache: dict[str, bool] = {}


def _known_zone(value: str) -> bool:
    if value not in _zone_cache:
        try:
            zoneinfo.ZoneInfo(value)
            _zone_cache[value] = True
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            _zone_cache[value] = False
    return _zone_cache[value]


# Addresses of the plainest form — a dot-atom of letters, digits and ._%+- before the @, a
# domain of letter-digit labels and a letter top-level domain — are a subset of what Django's
# validator accepts, and nearly every address in an HR file is one. Matching them with one
# regular expression first spares Django's several checks per cell; anything else still goes
# through Django's validator, so the verdict is Django's.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


def _email_ok(value: str) -> bool:
    if len(value) <= 254 and _PLAIN_EMAIL.fullmatch(value):
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _parse_row(row: _Row, columns: Set[str], errors: list[RowError]) -> None:
    """Check the cells of one row and convert them; ``row.values`` holds only the columns
    that will set something (see the module docstring for blank cells)."""
    line, cells = row.line, row.cells

    def fail(name: str, message: str) -> None:
        errors.append(RowError(line, name, message))

    for name, value in cells.items():
        # Every limit is at least _SHORTEST_LIMIT: most cells need only this one comparison.
        if len(value) > _SHORTEST_LIMIT:
            limit = _MAX_LENGTHS.get(name)
            if limit is not None and len(value) > limit:
                fail(name, _("is longer than %(limit)d characters") % {"limit": limit})

    # A required column the header lacks is reported once, on the header line.
    row.email = cells.get("email", "").lower()
    if not row.email:
        if "email" in columns:
            fail("email", _("is required"))
    elif not _email_ok(row.email):
        fail("email", _("“%(value)s” is not a valid e-mail address") % {"value": row.email})
    else:
        row.valid_email = True

    row.name = cells.get("name", "")
    if not row.name and "name" in columns:
        fail("name", _("is required"))

    values = row.values
    if "title" in columns:
        values["title"] = cells.get("title", "")
    if "team" in columns:
        values["team"] = cells.get("team", "") or None
    if "manager_email" in columns:
        manager_email = cells.get("manager_email", "").lower()
        if manager_email and not _email_ok(manager_email):
            fail(
                "manager_email",
                _("“%(value)s” is not a valid e-mail address") % {"value": manager_email},
            )
            row.manager_ok = False
        values["manager_email"] = manager_email or None
    zone = cells.get("time_zone", "")
    if zone:
        known = _zone_cache.get(zone)
        if known is None:
            known = _known_zone(zone)
        if known:
            values["time_zone"] = zone
        else:
            fail(
                "time_zone",
                _("“%(value)s” is not a known time zone (use a name like Europe/Berlin)")
                % {"value": zone},
            )
    if "hire_date" in columns:
        raw_date = cells.get("hire_date", "")
        values["hire_date"] = None
        if raw_date:
            try:
                values["hire_date"] = parse_date(raw_date, earliest=DATE_MIN, latest=DATE_MAX)
            except BadDate as exc:
                fail("hire_date", str(exc))
    status = cells.get("status", "").lower()
    if status:
        if status in STATUSES:
            values["status"] = status
        else:
            fail(
                "status",
                _("“%(value)s” is not one of: %(allowed)s")
                % {"value": status, "allowed": ", ".join(STATUSES)},
            )
    external_id = cells.get("external_id", "")
    if external_id:
        values["external_id"] = external_id


# --- The whole file against the database --------------------------------------------------


def _load_people() -> list[_Existing]:
    return [
        _Existing(*values)
        for values in Person.objects.order_by().values_list(
            "pk",
            "email",
            "name",
            "title",
            "team_id",
            "manager_id",
            "path",
            "time_zone",
            "hire_date",
            "status",
            "external_id",
            "user_id",
        )
    ]


def _match_rows(
    rows: list[_Row],
    people: list[_Existing],
    users_by_email: dict[str, tuple[int, bool]],
    errors: list[RowError],
) -> dict[str, _Row]:
    """Give each row its person (or a new key) and return the file's rows by e-mail."""
    by_email = {p.email.lower(): p for p in people}
    by_external = {p.external_id: p for p in people if p.external_id}
    file_emails: dict[str, _Row] = {}
    file_externals: dict[str, _Row] = {}
    matched: dict[int, _Row] = {}
    next_new = -1
    for row in rows:
        if not row.valid_email:
            continue
        first = file_emails.get(row.email)
        if first is not None:
            errors.append(
                RowError(row.line, "email", _("also on line %(line)d") % {"line": first.line})
            )
            row.valid_email = False
            continue
        file_emails[row.email] = row
        external_id: str | None = row.values.get("external_id")
        if external_id:
            first = file_externals.get(external_id)
            if first is not None:
                errors.append(
                    RowError(
                        row.line, "external_id", _("also on line %(line)d") % {"line": first.line}
                    )
                )
                continue
            file_externals[external_id] = row
        person = by_external.get(external_id) if external_id else None
        if person is None:
            person = by_email.get(row.email)
            if person is not None and external_id and person.external_id not in (None, ""):
                errors.append(
                    RowError(
                        row.line,
                        "email",
                        _(
                            "already belongs to %(name)s, whose external id is "
                            "“%(theirs)s”, not “%(ours)s”"
                        )
                        % {
                            "name": person.name,
                            "theirs": person.external_id,
                            "ours": external_id,
                        },
                    )
                )
                continue
        elif person.email.lower() != row.email:
            holder = by_email.get(row.email)
            if holder is not None and holder.pk != person.pk:
                errors.append(
                    RowError(
                        row.line,
                        "email",
                        _("already belongs to another person (%(name)s)") % {"name": holder.name},
                    )
                )
                continue
        if person is not None:
            twin = matched.get(person.pk)
            if twin is not None:
                errors.append(
                    RowError(
                        row.line,
                        "email",
                        _("is the same person as on line %(line)d") % {"line": twin.line},
                    )
                )
                continue
            matched[person.pk] = row
            row.existing = person
            row.key = person.pk
        else:
            row.key = next_new
            next_new -= 1
        # The login follows the person's e-mail, so it must not be someone else's login.
        user = users_by_email.get(row.email)
        own_user_id = person.user_id if person else None
        if user is not None and user[1] and user[0] != own_user_id:
            errors.append(RowError(row.line, "email", _("is already the login of another person")))
    return file_emails


def _resolve_managers(
    rows: list[_Row],
    file_emails: dict[str, _Row],
    people: list[_Existing],
    errors: list[RowError],
) -> None:
    by_email = {p.email.lower(): p for p in people}
    for row in rows:
        # Rows with an error of their own (no key) still get their manager checked.
        if "manager_email" not in row.values or not row.manager_ok:
            continue
        manager_email = row.values["manager_email"]
        if manager_email is None:
            row.manager_key = None
            continue
        in_file = file_emails.get(manager_email)
        if in_file is not None and not in_file.key:
            # That row has an error of its own already; one message is enough.
            row.manager_ok = False
            continue
        if in_file is not None:
            row.manager_key = in_file.key
        elif manager_email in by_email:
            row.manager_key = by_email[manager_email].pk
        else:
            errors.append(
                RowError(
                    row.line,
                    "manager_email",
                    _("no person with the e-mail %(email)s in this file or in Stride")
                    % {"email": manager_email},
                )
            )
            row.manager_ok = False
            continue
        if row.key and row.manager_key == row.key:
            errors.append(
                RowError(row.line, "manager_email", _("a person cannot manage themselves"))
            )
            row.manager_ok = False


def _final_parents(rows: list[_Row], people: list[_Existing]) -> dict[int, int | None]:
    parents: dict[int, int | None] = {p.pk: p.manager_id for p in people}
    for row in rows:
        if not row.key:
            continue
        if "manager_email" in row.values and row.manager_ok:
            parents[row.key] = row.manager_key
        elif row.existing is None:
            parents[row.key] = None
    return parents


def _find_cycles(parents: Mapping[int, int | None]) -> list[list[int]]:
    """Every cycle of the parent map, each as its node keys in order."""
    state: dict[int, int] = {}  # 1: on the current walk, 2: known to reach a root
    cycles: list[list[int]] = []
    for start in parents:
        if start in state:
            continue
        walk: list[int] = []
        node: int | None = start
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            node = parents.get(node)
        if node is not None and state[node] == 1:
            cycles.append(walk[walk.index(node) :])
        for visited in walk:
            state[visited] = 2
    return cycles


def _tree_order(parents: Mapping[int, int | None]) -> Iterator[int]:
    """Node keys, each after its manager (breadth first from the people with no manager)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for node, parent in parents.items():
        children[parent].append(node)
    queue = list(children.get(None, []))
    for node in queue:
        yield node
        queue.extend(children.get(node, ()))


def _check_tree(
    rows: list[_Row],
    people: list[_Existing],
    parents: dict[int, int | None],
    errors: list[RowError],
) -> None:
    row_by_key = {row.key: row for row in rows if row.key}
    label = {p.pk: p.email for p in people} | {row.key: row.email for row in row_by_key.values()}
    cycles = _find_cycles(parents)
    for cycle in cycles:
        chain = " → ".join(label[member] for member in [*cycle, cycle[0]])
        for member in cycle:
            row = row_by_key.get(member)
            # Only rows that set a manager can close a cycle: the database's tree has none.
            if row is not None and "manager_email" in row.values:
                errors.append(
                    RowError(
                        row.line,
                        "manager_email",
                        _("would make a cycle in the reporting tree: %(chain)s") % {"chain": chain},
                    )
                )
    if cycles:
        return
    # The path of a new person is not known before it is written; assume the widest id.
    widest = len(str(max(parents, default=0) + len(row_by_key) + 1))
    length: dict[int, int] = {}
    too_deep: set[int] = set()
    for node in _tree_order(parents):
        parent = parents[node]
        own = (len(str(node)) if node > 0 else widest) + 1
        length[node] = (length[parent] if parent is not None else 1) + own
        if length[node] > MAX_PATH_LENGTH:
            # Blame the nearest row of the file at or above the node.
            blamed: int | None = node
            while blamed is not None and blamed not in row_by_key:
                blamed = parents[blamed]
            if blamed is not None:
                too_deep.add(blamed)
    for key in too_deep:
        errors.append(
            RowError(
                row_by_key[key].line, "manager_email", _("the reporting chain would be too deep")
            )
        )


# --- Working out the changes ------------------------------------------------------------


@dataclass
class _Plan:
    new_rows: list[_Row] = field(default_factory=list)
    updates: list[tuple[_Row, dict[str, list[Any]]]] = field(default_factory=list)
    new_teams: dict[str, str] = field(default_factory=dict)  # casefolded name -> name to create


def _plan(
    rows: list[_Row],
    teams: dict[str, tuple[int, str]],
    people: list[_Existing],
    report: ImportReport,
) -> _Plan:
    plan = _Plan()
    email_of = {p.pk: p.email for p in people} | {row.key: row.email for row in rows if row.key}
    team_name = {pk: name for pk, name in teams.values()}
    known_team: set[str] = set()  # names (as written) already found or planned
    for row in rows:
        team = row.values.get("team")
        if team and team not in known_team:
            known_team.add(team)
            if team.casefold() not in teams:
                plan.new_teams.setdefault(team.casefold(), team)
        person = row.existing
        if person is None:
            plan.new_rows.append(row)
            report.created += 1
            team_label = None
            if team:
                known = teams.get(team.casefold())
                team_label = known[1] if known else plan.new_teams[team.casefold()]
            report.changes.append(
                RowChange(
                    row.line,
                    row.email,
                    row.name,
                    "created",
                    partial(_audit_create, row, team_label, email_of),
                )
            )
            continue
        changes: dict[str, list[Any]] = {}
        if person.email != row.email:
            changes["email"] = [person.email, row.email]
        if person.name != row.name:
            changes["name"] = [person.name, row.name]
        values = row.values
        if "title" in values and person.title != values["title"]:
            changes["title"] = [person.title, values["title"]]
        if "team" in values:
            old_team = team_name.get(person.team_id) if person.team_id else None
            new_team = values["team"]
            if new_team is not None:
                known = teams.get(new_team.casefold())
                new_team = known[1] if known else plan.new_teams[new_team.casefold()]
            if old_team != new_team:
                changes["team"] = [old_team, new_team]
        if "manager_email" in values and person.manager_id != row.manager_key:
            changes["manager"] = [
                email_of.get(person.manager_id) if person.manager_id else None,
                email_of.get(row.manager_key) if row.manager_key else None,
            ]
        for name in ("time_zone", "hire_date", "status", "external_id"):
            if name in values and getattr(person, name) != values[name]:
                changes[name] = [getattr(person, name), values[name]]
        if changes:
            plan.updates.append((row, changes))
            report.updated += 1
            report.changes.append(
                RowChange(row.line, row.email, row.name, "updated", _jsonable(changes))
            )
        else:
            report.unchanged += 1
    report.teams_created = len(plan.new_teams)
    return plan


def _audit_create(row: _Row, team: str | None, email_of: Mapping[int, str]) -> dict[str, Any]:
    """A new person's fields as they will be stored (empty ones left out): the report's
    "created" change, and what ``_audit_new_people`` writes to the audit log."""
    values = row.values
    changes: dict[str, Any] = {"email": row.email, "name": row.name}
    if values.get("title"):
        changes["title"] = values["title"]
    if team:
        changes["team"] = team  # as the team is named in Stride, whatever the file's case
    changes["time_zone"] = values.get("time_zone", "UTC")
    hired = values.get("hire_date")
    if hired is not None:
        changes["hire_date"] = hired.isoformat()
    changes["status"] = values.get("status", Person.Status.ACTIVE.value)
    if values.get("external_id"):
        changes["external_id"] = values["external_id"]
    if row.manager_key is not None:
        changes["manager"] = email_of.get(row.manager_key)
    return changes


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- Writing ----------------------------------------------------------------------------


def _batches(items: Sequence[T], size: int = BATCH_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unusable_passwords(count: int) -> list[str]:
    """What make_password(None) stores, ``count`` times: the unusable prefix and 40 random
    characters, from one call to the system's random source instead of 40 per login."""
    text = base64.urlsafe_b64encode(secrets.token_bytes(30 * count)).decode()
    return [UNUSABLE_PASSWORD_PREFIX + text[i * 40 : (i + 1) * 40] for i in range(count)]


def _update_rows(
    model: type[Person] | type[User],
    fields: Sequence[str],
    rows: Sequence[tuple[int, Sequence[Any]]],
    progress: ImportProgress | None = None,
) -> None:
    """``UPDATE … SET fields WHERE id = …`` for many ``(pk, values)`` with executemany.
    Django's bulk_update builds a CASE expression per row and field, which alone takes
    several seconds at 10,000 rows; a prepared statement run many times takes milliseconds."""
    model_fields = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in model_fields)  # type: ignore[union-attr,arg-type]
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608 (names only)
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [
            f.get_db_prep_save(value, connection)  # type: ignore[union-attr]
            for f, value in zip(model_fields, values, strict=True)
        ]
        + [pk]
        for pk, values in rows
    ]
    with connection.cursor() as cursor:
        for batch in _batches(params):
            cursor.executemany(sql, batch)
            if progress is not None:
                progress.advance(len(batch))


def _copy_login_addresses(user_ids: Sequence[int]) -> None:
    """Each new login's e-mail becomes its verified, primary allauth address — copied by the
    database from the logins just written (one statement, no row through Python). Logins
    that already got theirs (an address moved from a stale login) are skipped."""
    from allauth.account.models import EmailAddress

    if not user_ids:
        return
    quote = connection.ops.quote_name
    address = quote(EmailAddress._meta.db_table)
    login = quote(User._meta.db_table)
    where, params = id_range("u.id", user_ids)
    sql = (
        f"INSERT INTO {address} (user_id, email, verified, {quote('primary')}) "  # noqa: S608
        f"SELECT u.id, u.email, %s, %s FROM {login} u WHERE {where} "
        f"AND NOT EXISTS (SELECT 1 FROM {address} a WHERE a.user_id = u.id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, True, *params])


def _audit_new_people(
    person_ids: Sequence[int], *, at: Any, actor_id: int | None, actor_label: str, via: str
) -> None:
    """One ``person.create`` audit entry per new person, its ``changes`` the person's fields
    as stored (empty ones left out) — built by the database from the rows just written, so
    no entry passes through Python. Same content as ``_audit_create``."""
    if not person_ids:
        return
    quote = connection.ops.quote_name
    person, team = quote(Person._meta.db_table), quote(Team._meta.db_table)
    columns = (
        ("email", "p.email"),
        ("name", "p.name"),
        ("title", "NULLIF(p.title, '')"),
        ("team", "t.name"),
        ("time_zone", "p.time_zone"),
        ("hire_date", "p.hire_date"),
        ("status", "p.status"),
        ("external_id", "NULLIF(p.external_id, '')"),
        ("manager", "m.email"),
    )
    lateral = ""
    if connection.vendor == "postgresql":
        # A row turned into jsonb at once costs a third less than jsonb_build_object, which
        # looks up the type of every argument on every row.
        changes = "jsonb_strip_nulls(to_jsonb(c))"
        lateral = (
            "CROSS JOIN LATERAL (SELECT "
            + ", ".join(f"{expression} AS {key}" for key, expression in columns)
            + ") c "
        )
    else:
        # A JSON merge patch drops the members whose value is null.
        pairs = ", ".join(f"'{key}', {expression}" for key, expression in columns)
        changes = f"json_patch('{{}}', json_object({pairs}))"
    where, params = id_range("p.id", person_ids)
    sql = (
        f"INSERT INTO {quote(AuditEntry._meta.db_table)} (at, actor_id, actor_label, kind, "  # noqa: S608
        "action, target_type, target_id, target_label, changes, via) "
        "SELECT %s, %s, %s, %s, 'person.create', 'org.person', CAST(p.id AS TEXT), "
        f"SUBSTR(p.name, 1, 254), {changes}, %s FROM {person} p "
        f"LEFT JOIN {team} t ON t.id = p.team_id LEFT JOIN {person} m ON m.id = p.manager_id "
        f"{lateral}WHERE {where} ORDER BY p.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, actor_id, actor_label, AuditEntry.Kind.WRITE.value, via, *params])


def _lock_people_table() -> None:
    """Keep concurrent writers of the tree out while the import computes and writes paths.
    SQLite needs nothing: Stride opens its transactions IMMEDIATE, one writer at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Person._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


_USER_FIELDS = (
    "id",
    "password",
    "last_login",
    "is_superuser",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "session_epoch",
)
_PERSON_INSERT_FIELDS = (
    "id",
    "user",
    "name",
    "email",
    "title",
    "team",
    "manager",
    "path",
    "time_zone",
    "hire_date",
    "status",
    "external_id",
)
_AUDIT_FIELDS = (
    "at",
    "actor",
    "actor_label",
    "kind",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "changes",
    "via",
)


def _write(
    *,
    actor: Viewer | None,
    plan: _Plan,
    rows: list[_Row],
    people: list[_Existing],
    teams: dict[str, tuple[int, str]],
    users_by_email: dict[str, tuple[int, bool]],
    progress: ImportProgress,
    report: ImportReport,
) -> list[int]:
    """Write the plan; return the ids of the new people, in the order of ``plan.new_rows``.

    New rows (logins, addresses, people, audit entries) are sent as plain tuples through
    ``stride.lib.bulk`` — no model instance per row — with their ids reserved first."""
    from allauth.account.models import EmailAddress

    now = timezone.now()
    at = db_value(now)
    actor_person = actor.person if actor else None
    stamp_actor = actor_person.pk if actor_person else None
    stamp_label = actor_person.email if actor_person else "system"
    via = actor.via if actor else "system"
    audit: list[tuple[Any, ...]] = []

    def audit_row(action: str, target: str, pk: int, label: str, changes: Any) -> tuple[Any, ...]:
        return (
            at,
            stamp_actor,
            stamp_label,
            AuditEntry.Kind.WRITE.value,
            action,
            target,
            str(pk),
            label[:254],
            json.dumps(changes),
            via,
        )

    # Teams first, so people can point at them.
    team_ids = {key: pk for key, (pk, _name) in teams.items()}
    if plan.new_teams:
        created_teams = Team.objects.bulk_create(
            [Team(name=name) for name in plan.new_teams.values()], batch_size=BATCH_SIZE
        )
        for team in created_teams:
            team_ids[team.name.casefold()] = team.pk
            audit.append(
                audit_row("team.create", "org.team", team.pk, team.name, {"name": team.name})
            )

    def team_id(row: _Row) -> int | None:
        name = row.values.get("team")
        return team_ids[name.casefold()] if name else None

    # New people: a login with an unusable password (set by the invitation, a password
    # reset or SSO) each, reusing a login that already has the e-mail but belongs to nobody.
    user_ids = {email: pk for email, (pk, _linked) in users_by_email.items()}
    new_emails = [row.email for row in plan.new_rows if row.email not in users_by_email]
    for email, pk in zip(new_emails, reserve_ids(User, len(new_emails)), strict=True):
        user_ids[email] = pk
    insert_rows(
        User,
        _USER_FIELDS,
        (
            (user_ids[email], password, None, False, "", "", email, False, True, at, 0)
            for email, password in zip(
                new_emails, _unusable_passwords(len(new_emails)), strict=True
            )
        ),
    )
    # Each new login's address is its one verified address; an address some other login
    # still carries (a stale row) is moved, the rest are simply inserted.
    taken = set(EmailAddress.objects.values_list("email", flat=True)) if new_emails else set()
    login_emails_set({user_ids[e]: e for e in new_emails if e in taken})
    _copy_login_addresses([user_ids[e] for e in new_emails])
    progress.advance(len(plan.new_rows))

    # Ids first, so each new person is inserted once with its final manager and path.
    new_ids = reserve_ids(Person, len(plan.new_rows))
    pk_of = dict(zip((row.key for row in plan.new_rows), new_ids, strict=True))

    def real(key: int) -> int:
        return pk_of[key] if key < 0 else key

    def real_or_none(key: int | None) -> int | None:
        return None if key is None else real(key)

    # The tree: compute every path in tree order; new people take theirs as they are
    # inserted, existing people whose path differs (moved, or below someone who moved) are
    # updated afterwards.
    parents = {
        real(node): real_or_none(parent) for node, parent in _final_parents(rows, people).items()
    }
    current_path = {p.pk: p.path for p in people}
    paths: dict[int, str] = {}
    moved: list[tuple[int, list[Any]]] = []
    for node_pk in _tree_order(parents):
        parent = parents[node_pk]
        path = paths[node_pk] = f"{paths[parent] if parent is not None else '/'}{node_pk}/"
        if node_pk in current_path and current_path[node_pk] != path:
            moved.append((node_pk, [path]))
    report.moved = len(moved)

    active = Person.Status.ACTIVE.value
    as_date = date_adapter()
    insert_rows(
        Person,
        _PERSON_INSERT_FIELDS,
        (
            (
                pk,
                user_ids[row.email],
                row.name,
                row.email,
                row.values.get("title", ""),
                team_id(row),
                parents[pk],
                paths[pk],
                row.values.get("time_zone", "UTC"),
                as_date(row.values.get("hire_date")),
                row.values.get("status", active),
                row.values.get("external_id"),
            )
            for row, pk in zip(plan.new_rows, new_ids, strict=True)
        ),
    )
    progress.advance(len(plan.new_rows))

    # Existing people whose fields change: one bulk update per set of changed fields.
    by_fields: dict[tuple[str, ...], list[tuple[int, list[Any]]]] = defaultdict(list)
    email_changes: list[tuple[int, list[Any]]] = []
    for row, changes in plan.updates:
        person = row.existing
        assert person is not None
        fields = tuple(name for name in _PERSON_FIELDS if name in changes)
        values: list[Any] = []
        for name in fields:
            if name == "team":
                values.append(team_id(row))
            elif name == "manager":
                values.append(real_or_none(row.manager_key))
            elif name in ("email", "name"):
                values.append(getattr(row, name))
            else:
                values.append(row.values[name])
        by_fields[fields].append((person.pk, values))
        if "email" in changes and person.user_id is not None:
            email_changes.append((person.user_id, [row.email]))
        audit.append(
            audit_row("person.update", "org.person", person.pk, row.name, _jsonable(changes))
        )
    for fields, updates in by_fields.items():
        _update_rows(Person, fields, updates, progress)
    _update_rows(User, ["email"], email_changes)
    login_emails_set({user_id: values[0] for user_id, values in email_changes})

    _update_rows(Person, ["path"], moved)

    insert_rows(AuditEntry, _AUDIT_FIELDS, audit)
    _audit_new_people(new_ids, at=at, actor_id=stamp_actor, actor_label=stamp_label, via=via)

    # Leaving is for good: the login is turned off, its sessions ended and its tokens
    # revoked, so coming back later brings none of them back. Someone who comes back can
    # sign in again (afresh).
    leaving: list[tuple[int, int | None]] = [
        (pk, user_ids[row.email])
        for row, pk in zip(plan.new_rows, new_ids, strict=True)
        if row.values.get("status") == Person.Status.LEFT
    ]
    returning: list[int] = []
    for row, changes in plan.updates:
        if "status" in changes and row.existing is not None:
            if row.values.get("status") == Person.Status.LEFT:
                leaving.append((row.existing.pk, row.existing.user_id))
            elif row.existing.user_id:
                returning.append(row.existing.user_id)
    leavers_lock_out(
        actor=actor,
        person_ids=[person_id for person_id, _user_id in leaving],
        user_ids=[user_id for _person_id, user_id in leaving if user_id],
    )
    logins_set_active(user_ids=returning, active=True)
    return new_ids


# --- The service --------------------------------------------------------------------------


def _table_from_mappings(mappings: Iterable[Mapping[str, str | None]]) -> Table | None:
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for index, mapping in enumerate(mappings):
        if header is None:
            header = list(mapping)
        rows.append((index + 2, [(mapping.get(name) or "").strip() for name in header]))
    return None if header is None else Table(header=header, rows=rows)


def _read(
    file: bytes | str | IO[bytes] | IO[str] | None,
    rows: Iterable[Mapping[str, str | None]] | None,
    sheet: str | None,
) -> tuple[Table | None, list[Problem]]:
    if file is not None:
        return read_table(file if isinstance(file, bytes | str) else file.read(), sheet=sheet)
    assert rows is not None
    return _table_from_mappings(rows), []


def people_header(
    *,
    file: bytes | str,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> tuple[Table | None, HeaderMap | None, list[Problem]]:
    """The file's table and how its header maps to the people fields (for a mapping form),
    or the problems that stop the file from being read."""
    table, problems = read_table(file, sheet=sheet)
    if table is None:
        return None, None, problems
    return table, _map(table, mapping), []


def _map(table: Table, mapping: Mapping[str, str] | None) -> HeaderMap:
    return map_header(
        table.header, FIELDS, mapping=mapping, line=table.header_line, unit=table.unit
    )


@transaction.atomic
@gc_paused()
def people_import(
    *,
    actor: Viewer | None,
    file: bytes | str | IO[bytes] | IO[str] | None = None,
    rows: Iterable[Mapping[str, str | None]] | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    invite: bool = False,
    dry_run: bool = False,
    hold_for_mapping: bool = False,
    progress: ImportProgress | None = None,
) -> ImportReport:
    """Import people from a CSV or XLSX ``file`` (``sheet`` names a workbook's sheet; the
    first by default), or from already-split ``rows``: mappings of column to cell, the first
    one's keys taken as the header. Columns are matched to fields by ``mapping`` (field →
    column title), else by the aliases in ``FIELDS``; columns nobody maps are ignored and
    listed in ``report.ignored``. Validates everything, then writes everything or nothing;
    see the module docstring for the invariants.

    ``invite`` sends each new person with a login an e-mail to set their password (once per
    person, through the outbox, after commit). ``hold_for_mapping`` checks every row but
    writes nothing when the header needs a person's eye (ignored columns, a missing required
    one): the import page then shows the mapping step. ``actor`` None means the system (the
    command line passes a viewer with ``via="cli"`` and no person)."""
    if actor is not None and actor.person is not None and not actor.is_hr_admin:
        raise Http404
    if (file is None) == (rows is None):
        raise TypeError("Pass exactly one of file= or rows=")
    progress = progress or NoProgress()
    report = ImportReport(dry_run=dry_run)

    table, read_problems = _read(file, rows, sheet)
    if table is None:
        report.errors = read_problems
        return report
    report.unit, report.header = table.unit, table.header
    header_map = _map(table, mapping)
    report.ignored, report.missing = header_map.ignored, header_map.missing
    report.columns = header_map.titles
    if hold_for_mapping and header_map.needs_attention:
        report.held = report.dry_run = dry_run = True
    errors: list[RowError] = list(header_map.problems)
    if not table.header and not table.rows and rows is not None:
        return report  # no rows at all: nothing to do
    if not any(table.header):
        report.errors = errors
        return report
    columns = set(header_map.columns)
    width = len(table.header)
    report.rows = len(table.rows)

    progress.stage("Validating", report.rows * 2)
    parsed: list[_Row] = []
    for number, record in enumerate(records(table, header_map), start=1):
        if record.width > width:
            errors.append(
                RowError(
                    record.line,
                    "row",
                    _("has %(cells)d cells but the header names %(columns)d columns")
                    % {"cells": record.width, "columns": width},
                )
            )
        row = _Row(line=record.line, cells=record.cells)
        _parse_row(row, columns, errors)
        parsed.append(row)
        if number % BATCH_SIZE == 0:
            progress.advance(BATCH_SIZE)
    progress.advance(report.rows % BATCH_SIZE)

    if not dry_run:
        _lock_people_table()
    people = _load_people()
    linked_users = {p.user_id for p in people if p.user_id is not None}
    users_by_email = {
        email.lower(): (pk, pk in linked_users)
        for pk, email in User.objects.order_by().values_list("pk", "email")
    }
    teams = {name.casefold(): (pk, name) for pk, name in Team.objects.values_list("pk", "name")}

    file_emails = _match_rows(parsed, people, users_by_email, errors)
    if "email" in header_map.columns:
        # Without e-mails no manager in the file can be found; the header says why.
        _resolve_managers(parsed, file_emails, people, errors)
        _check_tree(parsed, people, _final_parents(parsed, people), errors)
    progress.advance(report.rows)
    if errors:
        # By line; within a line in the order found. The same message twice says nothing new.
        report.errors = [
            replace(error, unit=table.unit)
            for error in sorted(dict.fromkeys(errors), key=lambda error: error.line)
        ]
        return report

    plan = _plan(parsed, teams, people, report)
    if invite:
        created = {c.line: c for c in report.changes if c.action == "created"}
        report.invited = [
            created[row.line]
            for row in plan.new_rows
            if row.values.get("status") != Person.Status.LEFT
        ]
    if dry_run or not (plan.new_rows or plan.updates):
        return report
    progress.stage("Writing", len(plan.new_rows) * 2 + len(plan.updates))
    new_ids = _write(
        actor=actor,
        plan=plan,
        rows=parsed,
        people=people,
        teams=teams,
        users_by_email=users_by_email,
        progress=progress,
        report=report,
    )
    if report.invited:
        invited_lines = {change.line for change in report.invited}
        invitations_record(
            person_ids=[
                pk
                for row, pk in zip(plan.new_rows, new_ids, strict=True)
                if row.line in invited_lines
            ]
        )
    return report


def template_csv() -> str:
    """An example file with every column, offered for download on the import page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "ceo@example.com",
            "Casey Chief",
            "Chief Executive",
            "Leadership",
            "",
            "Europe/Berlin",
            "2019-04-01",
            "active",
            "HR-0001",
        ]
    )
    writer.writerow(
        [
            "lee@example.com",
            "Lee Lead",
            "Engineering Manager",
            "Product",
            "ceo@example.com",
            "Europe/Berlin",
            "2021-09-15",
            "active",
            "HR-0002",
        ]
    )
    writer.writerow(
        [
            "pat@example.com",
            "Pat Person",
            "Engineer",
            "Product",
            "lee@example.com",
            "America/New_York",
            "2024-01-08",
            "on_leave",
            "HR-0003",
        ]
    )
    return buffer.getvalue()


__all__ = [
    "COLUMNS",
    "FIELDS",
    "REQUIRED_COLUMNS",
    "ImportProgress",
    "ImportReport",
    "RowChange",
    "RowError",
    "people_header",
    "people_import",
    "template_csv",
]
