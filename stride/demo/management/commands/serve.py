"""``stride serve``: the production web server (gunicorn) alone, for deployments that run
the worker separately (see docs on running at scale)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from stride.demo.processes import Child, gunicorn_command, supervise
from stride.lib.env import ConfigError, env_int, env_str


class Command(BaseCommand):
    help = (
        "Serve Stride with gunicorn. Defaults come from HOST (127.0.0.1), PORT (8000) and "
        "WEB_CONCURRENCY (2 worker processes). Ctrl-C or SIGTERM stops it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        try:
            host = env_str("HOST", "127.0.0.1")
            port = env_int("PORT", 8000, minimum=1)
            workers = env_int("WEB_CONCURRENCY", 2, minimum=1)
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
        parser.add_argument("--host", default=host, help=f"Address to bind (default {host}).")
        parser.add_argument("--port", type=int, default=port, help=f"Port (default {port}).")
        parser.add_argument(
            "--workers",
            type=int,
            default=workers,
            help=f"Web worker processes (default {workers}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {options['port']}.")
        if options["workers"] < 1:
            raise CommandError(f"--workers must be at least 1, not {options['workers']}.")
        argv = gunicorn_command(
            host=options["host"], port=options["port"], workers=options["workers"]
        )
        self.stdout.write(f"Serving on http://{options['host']}:{options['port']}/")
        code = supervise([Child("web server", argv)], say=self.stdout.write)
        if code:
            raise CommandError("The web server stopped.", returncode=code)
