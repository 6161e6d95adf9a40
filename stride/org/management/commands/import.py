"""``stride import people FILE [--sheet NAME] [--map field=Column …] [--invite/--no-invite]
[--dry-run]``: the HRIS import from the command line (CSV or XLSX)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser, BooleanOptionalAction
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from stride.access.viewer import Viewer
from stride.lib.tabular import parse_mapping
from stride.org.importer import FIELDS, ImportReport, people_import

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
    help = "Import data into Stride. Kinds: people (a CSV or Excel export from your HR system)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        people = kinds.add_parser(
            "people",
            help="People from a CSV or XLSX file; every row is checked before anything is saved.",
            description=(
                "Fields: "
                + ", ".join(f.name + ("*" if f.required else "") for f in FIELDS)
                + " (* required). Columns are recognised by common names (Work Email, Full "
                "Name, Manager Email, Employee ID, Start Date, Time Zone…) with case, spaces "
                "and punctuation ignored; --map names any other. Columns nobody maps are "
                "ignored and listed. Nothing is saved if any row has a problem; each problem "
                "is printed as 'line N: field: message' ('row N' for a spreadsheet)."
            ),
        )
        people.add_argument(
            "file", type=Path, help="The CSV (UTF-8, with a header row) or .xlsx file"
        )
        people.add_argument(
            "--sheet", help="The workbook's sheet to read (default: the first); XLSX only"
        )
        people.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=(
                "Read FIELD from the column titled COLUMN, e.g. --map 'email=Login'; "
                "repeat for more fields. An empty COLUMN leaves the field out."
            ),
        )
        people.add_argument(
            "--invite",
            action=BooleanOptionalAction,
            default=True,
            help=(
                "E-mail each new person a link to set their password (default: on; "
                "nobody is invited twice)"
            ),
        )
        people.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without saving anything",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] != "people":  # argparse allows only known kinds; be explicit anyway
            raise CommandError(f"Unknown kind {options['kind']!r}")
        path: Path = options["file"]
        mapping, bad = parse_mapping(options["map"])
        if bad:
            raise CommandError(
                "--map takes FIELD=COLUMN (e.g. --map 'email=Work Login'), not: " + ", ".join(bad)
            )
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
                sheet=options["sheet"],
                mapping=mapping,
                invite=options["invite"],
                dry_run=options["dry_run"],
                progress=_RichProgress(progress),
            )

        if report.ignored:
            self.stderr.write(
                "Ignored column(s), not mapped to any field: " + ", ".join(report.ignored)
            )
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} problem(s) in {path}; nothing was imported.")
        self.stdout.write(self._summary(report))

    @staticmethod
    def _summary(report: ImportReport) -> str:
        if report.dry_run:
            text = (
                f"{report.rows} rows: would create {report.created}, would update "
                f"{report.updated}, {report.unchanged} unchanged"
            )
        else:
            text = (
                f"{report.rows} rows: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged"
            )
        if report.teams_created:
            text += f"; {report.teams_created} new team(s)"
        if report.moved:
            text += f"; {report.moved} people moved in the reporting tree"
        if report.invited:
            verb = "would invite" if report.dry_run else "invited"
            text += f"; {verb} {len(report.invited)}"
        text += "."
        if report.dry_run:
            text += " Dry run: nothing was saved."
        if report.dry_run:
            created = [c for c in report.changes if c.action == "created"]
            text += _listed("would create", [f"{c.email} ({c.name})" for c in created])
        verb = "would invite" if report.dry_run else "invited"
        text += _listed(verb, [c.email for c in report.invited])
        return text


LISTED = 50  # people named one per line; beyond, a count


def _listed(verb: str, names: list[str]) -> str:
    text = "".join(f"\n{verb}: {name}" for name in names[:LISTED])
    if len(names) > LISTED:
        text += f"\n{verb}: … and {len(names) - LISTED} more"
    return text
