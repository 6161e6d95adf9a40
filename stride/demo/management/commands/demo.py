"""``stride demo``: migrate, load the demo organisation once, serve it (gunicorn and
``stride worker`` together; Ctrl-C stops both), and print the logins once it answers.

The web server and the worker are told the address the demo serves (``SITE_URL``, for the
links in e-mails) and write e-mails to files under ``EMAIL_FILE_PATH`` with one line each
in the terminal, unless the administrator set ``SITE_URL`` or ``EMAIL_BACKEND``."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from argparse import ArgumentParser
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone
from rich import box
from rich.table import Table

from stride.demo import generator
from stride.demo.console import console_for, progress_bars
from stride.demo.processes import Child, gunicorn_command, supervise, worker_command
from stride.lib.env import ConfigError, env_int
from stride.notify.models import ScheduleSlot
from stride.org.models import Person

ROLES = {
    generator.HR_EMAIL: "HR admin",
    generator.MANAGER_EMAIL: "Manager of {reports}",
    generator.EMPLOYEE_EMAIL: "Reports to manager@",
    generator.PEER_EMAIL: "Peer of employee@",
    generator.PARTNER_EMAIL: "Partner of employee@",
    generator.SALESMANAGER_EMAIL: "Sales manager of {reports}",
    generator.REP_EMAIL: "Sales rep",
}
HOST = "127.0.0.1"
DEMO_EMAIL_BACKEND = "stride.demo.mail.EmailBackend"


def demo_environment(
    *, host: str, port: int, environ: Mapping[str, str] = os.environ
) -> dict[str, str]:
    """What the demo's web server and worker get on top of ``environ``: the address served
    as ``SITE_URL`` and the demo's file e-mail backend, each unless set in ``environ``."""
    env: dict[str, str] = {}
    if not environ.get("SITE_URL"):
        env["SITE_URL"] = f"http://{host}:{port}"
    if not environ.get("EMAIL_BACKEND"):
        env["EMAIL_BACKEND"] = DEMO_EMAIL_BACKEND
    return env


def _ready_check(address: str, *, worker_wait_seconds: float = 10.0) -> Callable[[], bool]:
    """Ready once the web server answers and the worker has made its first scheduler tick
    (a slot claimed since now), or ``worker_wait_seconds`` after the web server answered:
    a slot already claimed in this minute by an earlier run must not hide the logins."""
    started = timezone.now()
    web_up_at: list[float] = []

    def ready() -> bool:
        if not web_up_at:
            if not _answers(f"{address}/healthz"):
                return False
            web_up_at.append(time.monotonic())
        if time.monotonic() - web_up_at[0] >= worker_wait_seconds:
            return True
        return ScheduleSlot.objects.filter(claimed_at__gte=started).exists()

    return ready


def _answers(url: str) -> bool:
    """Whether the web server at ``url`` answers at all (any HTTP status counts)."""
    # Not shorter: requests that time out while gunicorn's workers boot still wait in the
    # listen queue and are answered (and logged) later, one access-log line each.
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own http:// URL
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def _port_and_workers() -> tuple[int, int]:
    """``PORT`` and ``WEB_CONCURRENCY`` (gunicorn workers), as ``stride serve`` reads them."""
    try:
        return env_int("PORT", 8000, minimum=1), env_int("WEB_CONCURRENCY", 2, minimum=1)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = (
        "Load the demo organisation (once), serve it on "
        "http://127.0.0.1:$PORT ($WEB_CONCURRENCY gunicorn workers, 2 by default) with the "
        "background worker, e-mails written under "
        "EMAIL_FILE_PATH with links to that address; print the logins. Ctrl-C stops both."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="Load the demo and print the logins only."
        )
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--people", type=int, default=150, help="Size of the organisation (default 150)."
        )
        parser.add_argument(
            "--weeks", type=int, default=8, help="Weeks of check-in history (default 8)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = console_for(self.stdout)
        port, workers = _port_and_workers()
        call_command(
            "migrate",
            interactive=False,
            verbosity=max(0, options["verbosity"] - 1),
            stdout=self.stdout,
        )
        if Person.objects.filter(email=generator.HR_EMAIL).exists():
            console.print("The demo organisation is already loaded; keeping it as it is.")
        else:
            others = Person.objects.count()
            if others:
                raise CommandError(
                    f"This database already holds {others} people who are not the demo "
                    "organisation. Load the demo into an empty one: set STRIDE_DATA_DIR to a "
                    "new directory (SQLite) or DATABASE_URL to an empty database."
                )
            console.print(
                f"Loading the demo organisation ({options['people']} people, "
                f"{options['weeks']} weeks of check-ins, seed {options['seed']})…"
            )
            try:
                with progress_bars(console) as progress:
                    summary = generator.generate(
                        seed=options["seed"],
                        people=options["people"],
                        weeks=options["weeks"],
                        progress=progress,
                    )
            except generator.GeneratorError as exc:
                raise CommandError(str(exc)) from None
            console.print(
                f"Loaded {summary.people} people in {summary.teams} teams, "
                f"{summary.objectives} objectives with {summary.key_results} key results, "
                f"{summary.checkins} check-ins in {summary.seconds:.1f} s."
            )
        address = f"http://{HOST}:{port}"

        def print_logins() -> None:
            console.print(self._logins_table())
            console.print(f"Open {address}/ and sign in with any login above.")

        if options["no_serve"]:
            print_logins()
            return
        env = demo_environment(host=HOST, port=port)
        console.print("Starting the web server and the worker; press Ctrl-C to stop both.")
        if env.get("EMAIL_BACKEND") == DEMO_EMAIL_BACKEND:
            console.print(
                f"E-mails are written to {settings.EMAIL_FILE_PATH}/, one line each here."
            )
        # The logins come last, once the web server answers and the worker has started, so
        # their start-up lines do not push the logins out of sight.
        code = supervise(
            [
                Child("web server", gunicorn_command(host=HOST, port=port, workers=workers), env),
                # Quiet: the terminal keeps one line per e-mail and the logins in view,
                # not a start and an end line for every task the worker runs.
                Child("worker", worker_command(verbosity=0), env),
            ],
            say=console.print,
            ready=_ready_check(address),
            when_ready=print_logins,
        )
        if code:
            raise CommandError("Stopped because a child process ended.", returncode=code)

    def _logins_table(self) -> Table:
        people = {
            p.email: p
            for p in Person.objects.filter(email__in=ROLES)
            .select_related("team")
            .annotate(report_count=Count("reports"))
        }
        table = Table(title="Demo logins", box=box.SIMPLE_HEAD, title_justify="left")
        table.add_column("E-mail", no_wrap=True)
        table.add_column("Password", no_wrap=True)
        table.add_column("Role", no_wrap=True)
        table.add_column("Name")
        for email, role in ROLES.items():
            person = people.get(email)
            if person is None:
                continue
            table.add_row(
                email,
                generator.DEMO_PASSWORD,
                role.format(reports=person.report_count),
                person.name,
            )
        return table
