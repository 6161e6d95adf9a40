"""The benchmark behind ``stride bench``: the same pages on a large and a small organisation.

Each organisation lives in a database of its own (SQLite files under ``<data dir>/bench/``,
or ``<name>_bench_<size>`` next to a PostgreSQL ``DATABASE_URL``) and is measured in a
child process started with that database in its environment, so settings are read once,
exactly as in production. Databases are built with the demo generator and reused while
their marker file still describes what this run asks for.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

GENERATOR_VERSION = 4  # bump when the generator's output changes: cached databases rebuild


@dataclass(frozen=True)
class Page:
    name: str
    path: str


PAGES = [
    Page("My goals", "/goals/"),
    Page("Check-in form", "/check-ins/new"),
    Page("Team page", "/team/"),
    Page("Objectives API", "/api/v1/objectives"),
    # Beyond the four the issue names: the pages whose size once grew with the organisation.
    Page("Team goals", "/goals/team/"),
    Page("Company alignment", "/goals/company/"),
    Page("Check-ins API", "/api/v1/check-ins"),
    Page("People directory", "/people/"),
]


@dataclass
class PageResult:
    name: str
    path: str
    status: int | None = None
    error: str = ""
    requests: int = 0
    queries: int | None = None
    median_ms: float | None = None
    p95_ms: float | None = None
    min_ms: float | None = None
    bytes: int | None = None
    times_ms: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.error


@dataclass
class Target:
    """Where one organisation size lives, and the environment that points a child at it."""

    size: int
    vendor: str  # sqlite | postgresql
    location: str  # a file path or a database name
    env: dict[str, str]
    marker: Path
    database_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def pg_bench_url(database_url: str, size: int) -> tuple[str, str]:
    """``postgres://…/stride`` → (``postgres://…/stride_bench_<size>``, that name)."""
    parts = urlsplit(database_url)
    base = parts.path.lstrip("/") or "stride"
    name = f"{base}_bench_{size}"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def targets(*, sizes: list[int], bench_dir: Path, database_url: str) -> list[Target]:
    out = []
    is_pg = database_url.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}
    for size in sizes:
        if is_pg:
            url, name = pg_bench_url(database_url, size)
            out.append(
                Target(
                    size=size,
                    vendor="postgresql",
                    location=name,
                    env={"DATABASE_URL": url},
                    marker=bench_dir / f"pg-{name}.json",
                    database_url=url,
                )
            )
        else:
            data_dir = bench_dir / str(size)
            out.append(
                Target(
                    size=size,
                    vendor="sqlite",
                    location=str(data_dir / "stride.sqlite3"),
                    env={"STRIDE_DATA_DIR": str(data_dir), "DATABASE_URL": ""},
                    marker=bench_dir / f"sqlite-{size}.json",
                )
            )
    return out


def wanted_marker(*, size: int, weeks: int, seed: int, today: date) -> dict[str, Any]:
    """What a cached database must have been built with to be reused."""
    return {
        "people": size,
        "weeks": weeks,
        "seed": seed,
        "generator": GENERATOR_VERSION,
        "today": today.isoformat(),
    }


def read_marker(path: Path) -> dict[str, Any] | None:
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def marker_matches(path: Path, wanted: dict[str, Any]) -> bool:
    found = read_marker(path)
    return found is not None and all(found.get(key) == value for key, value in wanted.items())


def build_day(markers: list[Path], *, today: date) -> date:
    """The ``today`` to build with: that of a database already built this ISO week, so both
    sizes share one (the viewer's own week then looks the same in both), else ``today``.

    Check-ins run up to the build's week; a database built in an earlier week has an empty
    "this week" and would measure a different page, so it is not reused."""
    for path in markers:
        found = read_marker(path)
        if found is None or not isinstance(found.get("today"), str):
            continue
        try:
            built = date.fromisoformat(found["today"])
        except ValueError:
            continue
        if built.isocalendar()[:2] == today.isocalendar()[:2] and built <= today:
            return built
    return today


def wipe(target: Target) -> None:
    """Remove a size's database so the next child builds it from scratch."""
    target.marker.unlink(missing_ok=True)
    if target.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(target.location + suffix).unlink(missing_ok=True)
    else:
        _pg_admin(target.database_url, target.location, drop=True)


def ensure_database(target: Target) -> None:
    if target.vendor == "sqlite":
        Path(target.env["STRIDE_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    else:
        _pg_admin(target.database_url, target.location, drop=False)


def _pg_admin(database_url: str, name: str, *, drop: bool) -> None:
    """Create (or drop) a database, connected to the server's maintenance database."""
    from psycopg import sql

    with pg_admin_connect(database_url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if drop and exists:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        elif not drop and not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def pg_admin_connect(database_url: str) -> Any:
    """An autocommit connection to the maintenance database of ``database_url``'s server."""
    import dj_database_url
    import psycopg
    from psycopg.conninfo import make_conninfo

    params = dj_database_url.parse(database_url)
    given = {
        "host": params.get("HOST"),
        "port": params.get("PORT"),
        "user": params.get("USER"),
        "password": params.get("PASSWORD"),
    }
    conninfo = make_conninfo(dbname="postgres", **{k: str(v) for k, v in given.items() if v})
    return psycopg.connect(conninfo, autocommit=True)


# --- In the child, with Django set up on the target database -----------------------------


def database_description() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    return {
        "vendor": connection.vendor,
        "version": version,
        "name": str(connection.settings_dict["NAME"]),
    }


def typical_manager() -> Any:
    """A first-line manager with 5–8 direct reports: ``manager@example.com`` when the
    demo gave them such a team (it always tries to), else the first such person."""
    from django.db.models import Count, Exists, OuterRef

    from stride.demo.generator import MANAGER_EMAIL
    from stride.org.models import Person

    has_reports = Person.objects.filter(manager=OuterRef("pk"))
    managers_of_managers = Person.objects.filter(manager=OuterRef("pk"), reports__isnull=False)
    candidates = (
        Person.objects.annotate(n=Count("reports"))
        .filter(n__gte=5, n__lte=8, user__isnull=False)
        .filter(Exists(has_reports))
        .exclude(Exists(managers_of_managers))
        .select_related("user")
    )
    return candidates.filter(email=MANAGER_EMAIL).first() or candidates.order_by("pk").first()


class PageProbe:
    """In a child process: one signed-in client that fetches a page when asked, in process
    (server time, no network), and reports what happened."""

    def __init__(self, person: Any) -> None:
        from django.test import Client

        self.person = person
        self.client = Client(raise_request_exception=True)
        self.client.force_login(person.user)

    def get(self, path: str) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            response = self.client.get(path)
        except Exception as exc:  # a broken page is a result to report, not a crash
            last = traceback.extract_tb(exc.__traceback__)[-1]
            error = f"{type(exc).__name__}: {exc} ({last.filename}:{last.lineno})"
            return {"status": 500, "ms": None, "bytes": None, "error": error}
        elapsed = (time.perf_counter() - started) * 1000
        status = response.status_code
        return {
            "status": status,
            "ms": round(elapsed, 3),
            "bytes": len(response.content),
            "error": "" if status == 200 else f"answered HTTP {status}",
        }

    def queries(self, path: str) -> int:
        """The page's reads. The audit log's own INSERT is left out: a manager's page writes
        one entry when it shows someone's private record, which depends on whether their
        reports chose to keep anything private, not on the size of the organisation."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            self.client.get(path)
        audit_insert = 'INSERT INTO "access_auditentry"'
        return sum(1 for q in captured.captured_queries if not q["sql"].startswith(audit_insert))


def summarise(result: PageResult) -> PageResult:
    times = result.times_ms
    result.requests = len(times)
    if times:
        result.median_ms = round(statistics.median(times), 2)
        result.p95_ms = round(percentile(times, 95), 2)
        result.min_ms = round(min(times), 2)
    return result


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with ``pct`` % of values at or below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats
    return ordered[int(rank) - 1]


# --- In the parent ------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import django

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": ram_gib,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def load_average() -> list[float] | None:
    """The 1-, 5- and 15-minute load averages, where the system reports them."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def compare(large: dict[str, Any], small: dict[str, Any]) -> list[dict[str, Any]]:
    """Per page: the query counts at both sizes and the large/small latency ratios."""
    rows = []
    small_pages = {p["path"]: p for p in small["pages"]}
    for page in large["pages"]:
        other = small_pages.get(page["path"], {})
        both_ok = page.get("status") == 200 and other.get("status") == 200
        row: dict[str, Any] = {
            "page": page["name"],
            "path": page["path"],
            "queries_large": page.get("queries"),
            "queries_small": other.get("queries"),
            "same_queries": both_ok and page.get("queries") == other.get("queries"),
            "median_ratio": None,
            "p95_ratio": None,
        }
        if both_ok and other.get("median_ms") and other.get("p95_ms"):
            row["median_ratio"] = round(page["median_ms"] / other["median_ms"], 2)
            row["p95_ratio"] = round(page["p95_ms"] / other["p95_ms"], 2)
        rows.append(row)
    return rows


def as_dicts(results: list[PageResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]
