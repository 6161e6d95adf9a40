"""``stride import people FILE.csv [--dry-run]``: the HRIS import from the command line."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from stride.access.viewer import Viewer
from stride.org.importer import ImportReport, people_import

# The command line acts as the system: no person, but the audit log says it came from here.
CLI_ACTOR = Viewer(person=None, via="cli")


class _RichProgress:
    """Feeds the importer's stages into one rich progress bar per stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def stage(self, name: str, total: int) -> None:
        if self.task is not None:
            task = self.progress.tasks[self.task]
            self.progress.update(self.task, completed=task.total)
        self.task = self.progress.add_task(name, total=max(total, 1))

    def advance(self, amount: int = 1) -> None:
        if self.task is not None and amount:
            self.progress.advance(self.task, amount)


class Command(BaseCommand):
    help = "Import data into Stride. Kinds: people (a CSV export from your HR system)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        people = kinds.add_parser(
            "people",
            help="People from a CSV file; every row is checked before anything is saved.",
            description=(
                "Columns: email,name,title,team,manager_email,time_zone,hire_date,status,"
                "external_id (email and name required). Nothing is saved if any row has a "
                "problem; each problem is printed as 'line N: column: message'."
            ),
        )
        people.add_argument("file", type=Path, help="The CSV file (UTF-8, with a header row)")
        people.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without saving anything",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] != "people":  # argparse allows only known kinds; be explicit anyway
            raise CommandError(f"Unknown kind {options['kind']!r}")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc

        stream = options.get("stderr") or sys.stderr
        console = Console(file=stream)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
            # Into a file or a pipe a bar is only noise; the errors and counts are what matter.
            disable=not console.is_terminal,
        ) as progress:
            report = people_import(
                actor=CLI_ACTOR,
                file=data,
                dry_run=options["dry_run"],
                progress=_RichProgress(progress),
            )

        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} problem(s) in {path}; nothing was imported.")
        self.stdout.write(self._summary(report))

    @staticmethod
    def _summary(report: ImportReport) -> str:
        text = (
            f"{report.rows} rows: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )
        if report.teams_created:
            text += f"; {report.teams_created} new team(s)"
        if report.moved:
            text += f"; {report.moved} people moved in the reporting tree"
        text += "."
        if report.dry_run:
            text += " Dry run: nothing was saved."
        return text
