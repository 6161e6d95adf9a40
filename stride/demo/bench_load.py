"""Parts (b) and (c) of ``stride bench``: Stride served over HTTP as ``stride demo`` serves
it (gunicorn, ``WEB_CONCURRENCY`` workers), on a scratch copy of a benchmark organisation.

(b) *Load*: many clients with no pause for a bounded time over a mix of pages and API
calls, driven by locust (``stride/demo/locustfile.py``) in a process of its own; the run
prints requests/s, p50/p95/p99 and each call's median server time, read from the
``Server-Timing`` header Stride sends with every answer.

(c) *Single operations*: one client, a new connection per request (as a script or an
integration would call the API): get one objective, record a key-result value, list 1,000
people (two pages of 500, the API's largest page).

Both write (sessions, tokens, recorded values), so they run on a copy of the cached
database, made afresh each run: the cached organisations stay exactly as built, and the
page benchmark measures the same data every week.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stride.demo.bench import Target, load_average, percentile, pg_admin_connect
from stride.demo.processes import gunicorn_command

#: Targets from issue 6, item 10.
LOAD_SERVER_MS_TARGET = 15.0
GET_OBJECTIVE_MS_TARGET = 5.0
LIST_PEOPLE_MS_TARGET = 15.0
LIST_PEOPLE_P95_FACTOR = 2.0

SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")
LOCUSTFILE = Path(__file__).with_name("locustfile.py")


# --- Scratch databases ---------------------------------------------------------------------


def scratch_target(target: Target) -> Target:
    """Where the copy of ``target`` that the HTTP parts may write to lives."""
    if target.vendor == "sqlite":
        data_dir = Path(target.env["STRIDE_DATA_DIR"]).parent / f"scratch-{target.size}"
        return replace(
            target,
            location=str(data_dir / "stride.sqlite3"),
            env={"STRIDE_DATA_DIR": str(data_dir), "DATABASE_URL": ""},
            marker=data_dir / "unused.json",
        )
    name = f"{target.location}_scratch"
    url = target.database_url.rsplit("/", 1)[0] + "/" + name
    if "?" in target.database_url.rsplit("/", 1)[1]:
        url += "?" + target.database_url.split("?", 1)[1]
    return replace(target, location=name, env={"DATABASE_URL": url}, database_url=url)


def copy_database(source: Target, copy: Target) -> None:
    """Replace ``copy`` with a copy of ``source`` (SQLite's online backup; PostgreSQL's
    ``CREATE DATABASE … TEMPLATE``)."""
    if source.vendor == "sqlite":
        data_dir = Path(copy.env["STRIDE_DATA_DIR"])
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        with (
            contextlib.closing(sqlite3.connect(source.location)) as src,
            contextlib.closing(sqlite3.connect(copy.location)) as dst,
        ):
            src.backup(dst)
        return
    from psycopg import sql

    with pg_admin_connect(source.database_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy.location))
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(copy.location), sql.Identifier(source.location)
            )
        )


def drop_database(copy: Target) -> None:
    if copy.vendor == "sqlite":
        shutil.rmtree(Path(copy.env["STRIDE_DATA_DIR"]), ignore_errors=True)
        return
    from psycopg import sql

    with pg_admin_connect(copy.database_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy.location))
        )


# --- In a child, with Django set up on the scratch database --------------------------------


def credentials() -> dict[str, Any]:
    """Signed-in sessions and personal access tokens for the typical manager and one of
    their reports, and the records the calls read and write: the manager's current
    objective and a key result of each person's."""
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from stride.access.services import token_create
    from stride.access.viewer import viewer_for_person
    from stride.demo.bench import typical_manager
    from stride.goals.models import KeyResult
    from stride.org.models import Person

    manager = typical_manager()
    if manager is None:
        raise RuntimeError("No manager with 5–8 direct reports to measure as.")
    today = timezone.localdate()
    current = KeyResult.objects.filter(
        objective__period_start__lte=today,
        objective__period_end__gte=today,
        kind=KeyResult.Kind.NUMBER,
    ).select_related("objective")
    reports = Person.objects.filter(manager=manager, user__isnull=False).order_by("pk")
    employee = next(
        (p for p in reports if current.filter(objective__owner=p).exists()), reports.first()
    )
    assert employee is not None
    found = {}
    for role, person in (("manager", manager), ("employee", employee)):
        client = Client()
        assert person.user is not None
        client.force_login(person.user)
        _, secret = token_create(viewer=viewer_for_person(person), name="stride bench")
        kr = current.filter(objective__owner=person).order_by("objective_id", "id").first()
        if kr is None:
            raise RuntimeError(f"{person.email} has no current numeric key result to record.")
        found[role] = {
            "email": person.email,
            "cookie": f"{settings.SESSION_COOKIE_NAME}="
            f"{client.cookies[settings.SESSION_COOKIE_NAME].value}",
            "token": secret,
            "objective_id": kr.objective_id,
            "key_result_id": kr.pk,
            "value": str(kr.current),
        }
    return found


# --- In the parent: the server -------------------------------------------------------------


def free_port(preferred: int = 0) -> int:
    """``preferred``, or any port free now when it is 0."""
    if preferred:
        return preferred
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def web_concurrency() -> int:
    """Gunicorn workers, as ``stride demo`` and ``stride serve`` read them."""
    from stride.lib.env import env_int

    return env_int("WEB_CONCURRENCY", 2, minimum=1)


@contextlib.contextmanager
def served(target: Target, *, port: int, workers: int, log: Path) -> Iterator[str]:
    """Serve ``target`` with gunicorn, as ``stride demo`` does, until the block ends."""
    argv = gunicorn_command(host="127.0.0.1", port=port, workers=workers)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603
            argv, env={**os.environ, **target.env}, stdout=out, stderr=out
        )
        address = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while not _answers(f"{address}/healthz"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"The web server did not start; see {log}.")
                time.sleep(0.2)
            yield address
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own http:// URL
            return True
    except (urllib.error.URLError, OSError):
        return False


# --- (b) the load run ----------------------------------------------------------------------


def load_calls(creds: dict[str, Any]) -> list[dict[str, Any]]:
    """The mix: pages as the manager and as their report (signed-in sessions), API reads
    and a recorded value with bearer tokens. ``weight`` is each call's share of the mix."""
    manager, employee = creds["manager"], creds["employee"]

    def page(path: str, who: dict[str, Any], role: str, weight: int) -> dict[str, Any]:
        return {
            "name": f"{path} ({role})",
            "method": "GET",
            "path": path,
            "headers": {"Cookie": who["cookie"]},
            "weight": weight,
        }

    def api(name: str, path: str, who: dict[str, Any], weight: int, **extra: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {who['token']}", "Accept": "application/json"}
        if "body" in extra:
            headers["Content-Type"] = "application/json"
        return {
            "name": name,
            "method": "GET",
            "path": path,
            "headers": headers,
            "weight": weight,
            **extra,
        }

    objective = manager["objective_id"]
    key_result = employee["key_result_id"]
    return [
        page("/goals/", manager, "manager", 2),
        page("/team/", manager, "manager", 2),
        page("/goals/team/", manager, "manager", 1),
        page("/goals/company/", manager, "manager", 1),
        page("/people/", manager, "manager", 1),
        page("/goals/", employee, "employee", 2),
        page("/check-ins/new", employee, "employee", 2),
        api("GET /api/v1/me", "/api/v1/me", employee, 2),
        api("GET /api/v1/objectives", "/api/v1/objectives", manager, 2),
        api("GET /api/v1/objectives/{id}", f"/api/v1/objectives/{objective}", manager, 2),
        api(
            "POST /api/v1/key-results/{id}/updates",
            f"/api/v1/key-results/{key_result}/updates",
            employee,
            1,
            method="POST",
            body=json.dumps({"value": employee["value"], "note": "stride bench"}),
        ),
    ]


def run_load(
    address: str,
    calls: list[dict[str, Any]],
    *,
    clients: int,
    seconds: int,
    workdir: Path,
) -> dict[str, Any]:
    """Run locust headless against ``address``; every answer's time and server time."""
    workdir.mkdir(parents=True, exist_ok=True)
    plan, results = workdir / "load-plan.json", workdir / "load-samples.json"
    results.unlink(missing_ok=True)
    plan.write_text(json.dumps({"calls": calls, "results": str(results)}))
    argv = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        address,
        "--users",
        str(clients),
        "--spawn-rate",
        str(clients),  # all clients within the first second
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    with (workdir / "locust.log").open("wb") as log:
        code = subprocess.call(  # noqa: S603
            argv, env={**os.environ, "STRIDE_LOAD_PLAN": str(plan)}, stdout=log, stderr=log
        )
    if code != 0 or not results.exists():
        raise RuntimeError(f"locust failed (exit code {code}); see {workdir / 'locust.log'}.")
    return summarise_load(json.loads(results.read_text()), clients=clients, seconds=seconds)


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None}
    return {
        "p50": round(percentile(values, 50), 1),
        "p95": round(percentile(values, 95), 1),
        "p99": round(percentile(values, 99), 1),
    }


def summarise_load(samples: dict[str, Any], *, clients: int, seconds: int) -> dict[str, Any]:
    """Requests/s, p50/p95/p99 over every answer, and per call the same with the median
    server time (``Server-Timing``). An answer other than the one expected is an error."""
    elapsed = samples["elapsed_s"]
    every: list[float] = []
    calls = []
    for name, found in samples["calls"].items():
        times = found["client_ms"]
        every.extend(times)
        server = found["server_ms"]
        calls.append(
            {
                "name": name,
                "requests": len(times),
                "errors": found["errors"],
                "statuses": found["statuses"],
                **_stats(times),
                "server_median_ms": round(percentile(server, 50), 1) if server else None,
                "meets_target": bool(server)
                and percentile(server, 50) <= LOAD_SERVER_MS_TARGET
                and not found["errors"],
            }
        )
    return {
        "clients": clients,
        "seconds": seconds,
        "elapsed_s": round(elapsed, 1),
        "requests": len(every),
        "errors": sum(c["errors"] for c in calls),
        "requests_per_s": round(len(every) / elapsed, 1) if elapsed else None,
        **_stats(every),
        "calls": calls,
        "server_ms_target": LOAD_SERVER_MS_TARGET,
    }


# --- (c) single operations -----------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    server_ms: float | None


def http_call(
    address: str, method: str, path: str, token: str, body: dict[str, Any] | None = None
) -> Answer:
    """One request on a new connection, closed after the answer."""
    host, port = address.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        timing = SERVER_TIMING.match(response.getheader("Server-Timing") or "")
        return Answer(response.status, data, float(timing.group(1)) if timing else None)
    finally:
        conn.close()


def single_operations(address: str, creds: dict[str, Any]) -> list[tuple[str, Callable[[], float]]]:
    """Each operation as a callable that performs it once and returns the server time
    (summed over its requests); it raises when an answer is not the expected one."""
    manager = creds["manager"]
    token = manager["token"]

    def expect(answer: Answer, status: int) -> float:
        if answer.status != status:
            raise RuntimeError(f"answered HTTP {answer.status}: {answer.body[:200]!r}")
        return answer.server_ms or 0.0

    def get_objective() -> float:
        path = f"/api/v1/objectives/{manager['objective_id']}"
        return expect(http_call(address, "GET", path, token), 200)

    def record_value() -> float:
        path = f"/api/v1/key-results/{manager['key_result_id']}/updates"
        body = {"value": manager["value"], "note": "stride bench"}
        return expect(http_call(address, "POST", path, token, body), 201)

    def list_people() -> float:
        # Two pages of 500 (the API's largest page); a smaller organisation (the tests')
        # is listed whole, in as many of those requests as it fills.
        server, received = 0.0, 0
        for offset in (0, 500):
            answer = http_call(address, "GET", f"/api/v1/people?limit=500&offset={offset}", token)
            server += expect(answer, 200)
            page = json.loads(answer.body)
            received += len(page["items"])
            if received >= min(1000, page["count"]):
                break
        if received != min(1000, page["count"]):
            raise RuntimeError(f"the people list gave {received} people, not 1,000")
        return server

    return [
        ("Get one objective: GET /api/v1/objectives/{id}", get_objective),
        ("Record a key-result value: POST /api/v1/key-results/{id}/updates", record_value),
        ("List 1,000 people: GET /api/v1/people?limit=500 at offsets 0 and 500", list_people),
    ]


def measure_operations(
    operations: list[tuple[str, Callable[[], float]]], *, requests: int, warmup: int
) -> list[dict[str, Any]]:
    """Each operation ``warmup`` times untimed, then ``requests`` times timed, one after
    the other; wall time as the client sees it (connection included) and server time."""
    results = []
    for name, operation in operations:
        for _ in range(warmup):
            operation()
        client, server = [], []
        for _ in range(requests):
            started = time.perf_counter()
            server.append(operation())
            client.append((time.perf_counter() - started) * 1000)
        results.append(
            {
                "name": name,
                "requests": requests,
                "median_ms": round(percentile(client, 50), 2),
                "p95_ms": round(percentile(client, 95), 2),
                "server_median_ms": round(percentile(server, 50), 2),
                "target": _operation_target(name),
            }
        )
    for row in results:
        row["meets_target"] = _meets(row)
    return results


def _operation_target(name: str) -> str:
    if name.startswith("Get one objective"):
        return f"median ≤ {GET_OBJECTIVE_MS_TARGET:g} ms"
    if name.startswith("List 1,000 people"):
        return f"median ≤ {LIST_PEOPLE_MS_TARGET:g} ms, p95 ≤ {LIST_PEOPLE_P95_FACTOR:g}× median"
    return ""


def _meets(row: dict[str, Any]) -> bool | None:
    if row["name"].startswith("Get one objective"):
        return bool(row["median_ms"] <= GET_OBJECTIVE_MS_TARGET)
    if row["name"].startswith("List 1,000 people"):
        return bool(
            row["median_ms"] <= LIST_PEOPLE_MS_TARGET
            and row["p95_ms"] <= LIST_PEOPLE_P95_FACTOR * row["median_ms"]
        )
    return None


# --- In the parent: one part, start to end -------------------------------------------------


def run_part(
    part: str,
    target: Target,
    *,
    credentials_of: Callable[[Target], dict[str, Any]],
    options: dict[str, Any],
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Copy ``target``'s database, make credentials in it (``credentials_of`` runs a child
    on the copy), serve it with gunicorn and run ``part`` ("load" or "http") against it."""
    copy = scratch_target(target)
    say(f"Copying the {target.size:,}-person database to {copy.location}…")
    copy_database(target, copy)
    try:
        creds = credentials_of(copy)
        workers = web_concurrency()
        port = free_port(options["port"])
        workdir = Path(options["workdir"])
        with served(copy, port=port, workers=workers, log=workdir / f"gunicorn-{part}.log") as url:
            say(f"Serving it at {url} with {workers} gunicorn workers (WEB_CONCURRENCY).")
            found: dict[str, Any] = {
                "load_average_at_start": load_average(),
                "people": target.size,
                "workers": workers,
                "viewer": creds["manager"]["email"],
                "report": creds["employee"]["email"],
            }
            if part == "load":
                say(
                    f"{options['clients']} clients with no pause for {options['load_seconds']} s "
                    "over the mix of pages and API calls (bench/README.md)…"
                )
                found.update(
                    run_load(
                        url,
                        load_calls(creds),
                        clients=options["clients"],
                        seconds=options["load_seconds"],
                        workdir=workdir,
                    )
                )
            else:
                say(
                    f"One client, a new connection per request: {options['http_warmup']} "
                    f"warm-up and {options['http_requests']} timed runs of each operation…"
                )
                found["operations"] = measure_operations(
                    single_operations(url, creds),
                    requests=options["http_requests"],
                    warmup=options["http_warmup"],
                )
            found["load_average_at_end"] = load_average()
            return found
    finally:
        drop_database(copy)
