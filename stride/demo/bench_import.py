"""The import benchmark (issue 6, item 10a): ``people_import`` against a plain insert of the
same rows, in one run, on a fresh database.

The parent (``stride bench``) wipes a database of its own (``<data dir>/bench/import/`` on
SQLite, ``<name>_bench_import`` next to a PostgreSQL ``DATABASE_URL``) and runs this module
as a child pointed at it, so settings are read once, as in production. The child migrates,
writes a CSV of ``rows`` people as an HR system exports it (its column names, a reporting
tree, teams, time zones, start dates), and then, ``rounds`` times, alternately:

* **plain insert** — the rows' logins and people, values ready (ids, managers, paths
  computed before the clock starts), sent the fastest way the database takes them:
  ``executemany`` of one prepared ``INSERT`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL;
* **import** — ``people_import`` on the CSV bytes: reading, header mapping, validation of
  every row against the database, the tree, and the writes (logins, login addresses, people,
  audit entries), with invitations off.

Each round runs in a transaction that is rolled back, so every round starts from the same
empty tables; the commit is timed in neither. The result is the median rate of each (rows
per second) and their ratio; the target is an import at ≥ ⅓ of the plain insert's rate.
"""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from stride.demo import bench

TARGET_RATIO = 1 / 3
DEFAULT_ROWS = 10_000
REPLY = "@@bench-import "
HEADER = [
    "Employee ID",
    "Full Name",
    "Work Email",
    "Job Title",
    "Department",
    "Manager Email",
    "Time Zone",
    "Start Date",
]
ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC"]


def people_rows(count: int) -> list[list[str]]:
    """``count`` people in a tree of spans of eight, each after their manager's row."""
    rows = []
    for i in range(count):
        manager = f"p{(i - 1) // 8}@bench.test" if i else ""
        hired = date(2015, 1, 1) + timedelta(days=(i * 37) % 3650)
        rows.append(
            [
                f"E{i:06d}",
                f"Person {i}",
                f"p{i}@bench.test",
                "Engineer" if i % 8 else "Manager",
                f"Team {i % 50}",
                manager,
                ZONES[i % len(ZONES)],
                hired.isoformat(),
            ]
        )
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


# --- In the child ---------------------------------------------------------------------------


def _plain_insert(rows: list[list[str]]) -> float:
    """Seconds to insert the rows' logins and people, everything computed beforehand."""
    from django.db import transaction
    from django.utils import timezone

    from stride.lib.bulk import db_value, insert_rows, reserve_ids
    from stride.org.models import Person, Team, User

    with transaction.atomic():
        teams = {f"Team {i}": Team.objects.create(name=f"Team {i}").pk for i in range(50)}
        user_ids = reserve_ids(User, len(rows))
        person_ids = reserve_ids(Person, len(rows))
        id_of = {row[2]: pk for row, pk in zip(rows, person_ids, strict=True)}
        paths: dict[int, str] = {}
        now = db_value(timezone.now())
        users, people = [], []
        for row, user_id, pk in zip(rows, user_ids, person_ids, strict=True):
            manager = id_of.get(row[5])
            paths[pk] = f"{paths[manager] if manager else '/'}{pk}/"
            users.append((user_id, "!x", None, False, "", "", row[2], False, True, now, 0))
            people.append(
                (pk, user_id, row[1], row[2], row[3], teams[row[4]], manager, paths[pk], row[6],
                 db_value(date.fromisoformat(row[7])), "active", row[0])
            )  # fmt: skip
        started = time.perf_counter()
        insert_rows(User, _USER_FIELDS, users)
        insert_rows(Person, _PERSON_FIELDS, people)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


_USER_FIELDS = (
    "id", "password", "last_login", "is_superuser", "first_name", "last_name", "email",
    "is_staff", "is_active", "date_joined", "session_epoch",
)  # fmt: skip
_PERSON_FIELDS = (
    "id", "user", "name", "email", "title", "team", "manager", "path", "time_zone",
    "hire_date", "status", "external_id",
)  # fmt: skip


def _import(data: bytes, expected: int) -> float:
    from django.db import transaction

    from stride.access.viewer import Viewer
    from stride.org.importer import people_import

    with transaction.atomic():
        started = time.perf_counter()
        report = people_import(actor=Viewer(person=None, via="cli"), file=data, invite=False)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    if report.errors or report.created != expected:
        raise RuntimeError(f"the benchmark file did not import: {report.errors[:5]}")
    return elapsed


def child(rows_count: int, rounds: int) -> dict[str, Any]:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    rows = people_rows(rows_count)
    data = as_csv(rows)
    plain: list[float] = []
    imported: list[float] = []
    _plain_insert(rows)  # warm-up: caches, prepared statements, the file system
    for _round in range(rounds):
        plain.append(_plain_insert(rows))
        imported.append(_import(data, rows_count))
    plain_s, import_s = statistics.median(plain), statistics.median(imported)
    return {
        "rows": rows_count,
        "rounds": rounds,
        "database": bench.database_description(),
        "plain_seconds": [round(s, 4) for s in plain],
        "import_seconds": [round(s, 4) for s in imported],
        "plain_rows_per_s": round(rows_count / plain_s),
        "import_rows_per_s": round(rows_count / import_s),
        "ratio": round(plain_s / import_s, 3),
        "target_ratio": round(TARGET_RATIO, 3),
    }


# --- In the parent --------------------------------------------------------------------------


def target(bench_dir: Path, database_url: str) -> bench.Target:
    """Where the import benchmark's own database lives (wiped before every run)."""
    is_pg = database_url.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}
    if is_pg:
        parts = urlsplit(database_url)
        name = f"{parts.path.lstrip('/') or 'stride'}_bench_import"
        url = urlunsplit(parts._replace(path=f"/{name}"))
        return bench.Target(
            size=0,
            vendor="postgresql",
            location=name,
            env={"DATABASE_URL": url},
            marker=bench_dir / f"pg-{name}.json",
            database_url=url,
        )
    data_dir = bench_dir / "import"
    return bench.Target(
        size=0,
        vendor="sqlite",
        location=str(data_dir / "stride.sqlite3"),
        env={"STRIDE_DATA_DIR": str(data_dir), "DATABASE_URL": ""},
        marker=bench_dir / "sqlite-import.json",
    )


def run(*, bench_dir: Path, database_url: str, rows: int, rounds: int) -> dict[str, Any]:
    """Wipe the import database, measure in a child, return its figures."""
    where = target(bench_dir, database_url)
    bench.wipe(where)
    bench.ensure_database(where)
    argv = [sys.executable, "-m", "stride.demo.bench_import", str(rows), str(rounds)]
    done = subprocess.run(  # noqa: S603
        argv, env={**os.environ, **where.env}, capture_output=True, text=True, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith(REPLY):
            result: dict[str, Any] = json.loads(line[len(REPLY) :])
            return result
    raise RuntimeError(f"The import benchmark failed:\n{done.stderr[-3000:]}")


def describe(result: dict[str, Any]) -> str:
    meets = "✓" if result["ratio"] >= TARGET_RATIO else "✗"
    return (
        f"Import of {result['rows']:,} new people ({result['database']['version']}, median of "
        f"{result['rounds']}): plain insert {result['plain_rows_per_s']:,} rows/s, "
        f"people_import {result['import_rows_per_s']:,} rows/s — ratio "
        f"{result['ratio']:.0%} (target ≥ {TARGET_RATIO:.0%}) {meets}"
    )


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stride.settings")
    django.setup()
    rows, rounds = int(sys.argv[1]), int(sys.argv[2])
    sys.stdout.write(REPLY + json.dumps(child(rows, rounds)) + "\n")


if __name__ == "__main__":
    main()
