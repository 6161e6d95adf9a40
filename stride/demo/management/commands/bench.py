"""``stride bench`` (``make bench``): build a 10,000-person and a 150-person organisation with
two years of weekly check-ins, measure the main pages as a typical manager on both, and
fail when a page's query count depends on the size of the organisation. Then, over HTTP
against gunicorn (``stride.demo.bench_load``): a load run on the 150-person organisation
and single API operations on the 10,000-person one. Last, the people import against a plain
insert of the same rows (``stride.demo.bench_import``). ``--only`` runs some parts alone.

One command, three kinds of process. The parent prepares each size's database in a child
(migrate, build or reuse), then starts one measuring child per size, each with its own
database in its environment, and asks them for page loads in turn — large, small, small,
large, … — over a pipe, so a burst of load on the machine falls on both sizes alike."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from argparse import SUPPRESS, ArgumentParser, ArgumentTypeError
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich import box
from rich.console import Console
from rich.table import Table

from stride.demo import bench, bench_import, bench_load, bench_reviews
from stride.demo.console import console_for, progress_bars
from stride.demo.generator import generate

TARGET_RATIO = 1.5
PARTS = ("pages", "load", "http", "import", "reviews")
REPLY = "@@bench "  # marks the measuring child's answers among anything else it prints


def _sizes(value: str) -> list[int]:
    try:
        sizes = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise ArgumentTypeError("give sizes as numbers separated by commas") from None
    if len(sizes) != 2 or min(sizes) < 30:
        raise ArgumentTypeError("give two sizes of at least 30 people, e.g. 10000,150")
    return sorted(sizes, reverse=True)


def _parts(value: str) -> list[str]:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [part for part in parts if part not in PARTS]
    if unknown or not parts:
        raise ArgumentTypeError(f"choose from {', '.join(PARTS)}, separated by commas")
    return parts


def _fmt(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:g}{suffix}"


def _child_argv(
    target: bench.Target, phase: str, options: dict[str, Any], today: date
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "stride.cli",
        "bench",
        "--child",
        f"--phase={phase}",
        f"--size={target.size}",
        f"--weeks={options['weeks']}",
        f"--seed={options['seed']}",
        f"--today={today.isoformat()}",
        f"--marker={target.marker}",
    ]


class _Measurer:
    """The parent's handle on one measuring child: send a command, read its answer."""

    def __init__(self, target: bench.Target, argv: list[str], echo: IO[str]) -> None:
        self.target = target
        self.echo = echo
        self.proc = subprocess.Popen(  # noqa: S603
            argv,
            env={**os.environ, **target.env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                code = self.proc.wait()
                raise CommandError(
                    f"The measuring process for {self.target.size:,} people ended "
                    f"(exit code {code})."
                )
            if line.startswith(REPLY):
                answer: dict[str, Any] = json.loads(line[len(REPLY) :])
                return answer
            self.echo.write(line)  # anything else it printed, passed through

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(CommandError, BrokenPipeError):
                self.ask("quit")
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _alternate(
    measurers: list[_Measurer], name: str, path: str, asked: str, options: dict[str, Any]
) -> dict[int, bench.PageResult]:
    """One page at every size: warm-up then timed requests, the sizes taking turns (large,
    small, small, large, …) so a burst of load falls on both; then its query count. The
    children are asked for ``asked`` (a path, or a name they know the path of)."""
    results = {m.target.size: bench.PageResult(name, path) for m in measurers}
    for turn in range(options["warmup"] + options["requests"]):
        for m in measurers if turn % 2 == 0 else measurers[::-1]:
            result = results[m.target.size]
            if result.error:
                continue
            answer = m.ask(f"get {asked}")
            result.status, result.bytes = answer["status"], answer["bytes"]
            if answer["error"]:
                result.error = answer["error"]
            elif turn >= options["warmup"]:
                result.times_ms.append(answer["ms"])
    for m in measurers:
        result = results[m.target.size]
        if not result.error:
            result.queries = m.ask(f"queries {asked}")["queries"]
        bench.summarise(result)
    return results


def _tick(meets: bool | None) -> str:
    return "" if meets is None else ("✓" if meets else "✗")


def _load_table(load: dict[str, Any]) -> Table:
    table = Table(
        title=(
            f"Load: {load['clients']} clients, no pause, {load['seconds']} s, "
            f"{load['people']:,} people, {load['workers']} gunicorn workers — "
            f"{load['requests_per_s']} requests/s, p50 {load['p50']} ms, p95 {load['p95']} ms, "
            f"p99 {load['p99']} ms, {load['errors']} errors "
            f"(target: median server time ≤ {load['server_ms_target']:g} ms per call)"
        ),
        box=box.SIMPLE_HEAD,
        title_justify="left",
    )
    for column in ("Call", "Requests", "p50 ms", "p95 ms", "p99 ms", "Server median ms", "Target"):
        table.add_column(column, justify="left" if column == "Call" else "right")
    for call in load["calls"]:
        table.add_row(
            call["name"],
            str(call["requests"]),
            _fmt(call["p50"]),
            _fmt(call["p95"]),
            _fmt(call["p99"]),
            _fmt(call["server_median_ms"]),
            _tick(call["meets_target"]),
        )
    return table


def _operations_table(found: dict[str, Any]) -> Table:
    table = Table(
        title=(
            f"Single operations over HTTP: one client, a new connection per request, "
            f"{found['people']:,} people, {found['workers']} gunicorn workers"
        ),
        box=box.SIMPLE_HEAD,
        title_justify="left",
    )
    for column in ("Operation", "Median ms", "p95 ms", "Server median ms", "Target", ""):
        table.add_column(column, justify="left" if column in ("Operation", "Target") else "right")
    for row in found["operations"]:
        table.add_row(
            row["name"],
            _fmt(row["median_ms"]),
            _fmt(row["p95_ms"]),
            _fmt(row["server_median_ms"]),
            row["target"],
            _tick(row["meets_target"]),
        )
    return table


class Command(BaseCommand):
    help = (
        "Benchmark the main pages and API reads on an organisation of 10,000 people and one "
        "of 150 (two years of weekly check-ins each): median and 95th-percentile server time "
        "and SQL queries; then, against gunicorn, a load run on 150 people (requests/s, "
        "p50/p95/p99, median server time per call) and single API operations on 10,000. "
        "Exits non-zero when a page's query count differs between the sizes, a page does "
        "not answer or an answer under load is an error."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--sizes", type=_sizes, default=[10_000, 150], help="Two sizes (default 10000,150)."
        )
        parser.add_argument("--weeks", type=int, default=104, help="Weeks of check-ins (104).")
        parser.add_argument("--seed", type=int, default=42, help="Generator seed (42).")
        parser.add_argument(
            "--requests", type=int, default=30, help="Timed requests per page and size (30)."
        )
        parser.add_argument(
            "--warmup", type=int, default=5, help="Untimed requests per page and size first (5)."
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Build the databases again, even if cached."
        )
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="Where SQLite databases and markers live (default <data dir>/bench).",
        )
        parser.add_argument(
            "--only",
            type=_parts,
            default=list(PARTS),
            help="Run only these parts, separated by commas: pages (in process, both sizes), "
            "load (many clients over HTTP, smaller size), http (single operations over HTTP, "
            "larger size), import (the people import against a plain insert of the same "
            "rows), reviews (a review cycle over everyone with about six reviewers each: "
            "launch time and the review pages, both sizes). Default: all.",
        )
        parser.add_argument(
            "--clients", type=int, default=50, help="Load run: concurrent clients (50)."
        )
        parser.add_argument(
            "--load-seconds", type=int, default=60, help="Load run: duration in seconds (60)."
        )
        parser.add_argument(
            "--http-requests",
            type=int,
            default=50,
            help="Single operations: timed runs of each (50).",
        )
        parser.add_argument(
            "--http-warmup", type=int, default=5, help="Single operations: untimed runs first (5)."
        )
        parser.add_argument(
            "--port",
            type=int,
            default=0,
            help="Port for the HTTP parts' web server (default: any free port).",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=Path("bench/results/latest.json"),
            help="Results file (default bench/results/latest.json).",
        )
        parser.add_argument(
            "--import-rows",
            type=int,
            default=bench_import.DEFAULT_ROWS,
            help="People in the import benchmark's file (10000).",
        )
        parser.add_argument(
            "--import-rounds", type=int, default=5, help="Timed rounds of each (5)."
        )
        # Internal: one size, in a child process pointed at its database.
        parser.add_argument("--child", action="store_true", help=SUPPRESS)
        parser.add_argument(
            "--phase", choices=["prepare", "measure", "credentials", "reviews"], help=SUPPRESS
        )
        parser.add_argument("--size", type=int, help=SUPPRESS)
        parser.add_argument("--today", type=date.fromisoformat, help=SUPPRESS)
        parser.add_argument("--marker", type=Path, help=SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if min(options["requests"], options["warmup"]) < 1:
            raise CommandError("--requests and --warmup must be at least 1.")
        if min(options["clients"], options["load_seconds"], options["http_requests"]) < 1:
            raise CommandError("--clients, --load-seconds and --http-requests must be at least 1.")
        if not options["child"]:
            self._parent(options)
        elif options["phase"] == "prepare":
            self._prepare(options)
        elif options["phase"] == "reviews":
            self._serve_reviews(options)
        elif options["phase"] == "credentials":
            sys.stdout.write(REPLY + json.dumps(bench_load.credentials()) + "\n")
        else:
            self._serve_measurements(options)

    # --- parent ------------------------------------------------------------------------

    def _parent(self, options: dict[str, Any]) -> None:
        console = console_for(self.stdout)
        bench_dir = (options["dir"] or Path(settings.DATA_DIR) / "bench").resolve()
        bench_dir.mkdir(parents=True, exist_ok=True)
        if set(options["only"]) & {"pages", "load", "http"}:
            self._pages(console, bench_dir, options)
        if "import" in options["only"]:
            self._import(console, bench_dir, options)
        if "reviews" in options["only"]:
            self._reviews(console, bench_dir, options)

    def _import(self, console: Console, bench_dir: Path, options: dict[str, Any]) -> None:
        console.rule("Import against a plain insert of the same rows")
        result = bench_import.run(
            bench_dir=bench_dir,
            database_url=os.environ.get("DATABASE_URL", ""),
            rows=options["import_rows"],
            rounds=options["import_rounds"],
        )
        console.print(bench_import.describe(result))
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.with_name(output.stem + "-import.json").write_text(
            json.dumps(result, indent=2) + "\n"
        )

    def _reviews(self, console: Console, bench_dir: Path, options: dict[str, Any]) -> None:
        """Launch time and the review pages at both sizes, asked of one child per size in
        turn (large, small, small, large, …) like the pages part."""
        needed = dict.fromkeys(options["sizes"], True)
        targets, today, _builds = self._prepared(console, bench_dir, options, needed)
        console.rule("Reviews: a cycle over everyone, about six reviewers each")
        measurers = [
            _Measurer(t, _child_argv(t, "reviews", options, today), sys.stdout) for t in targets
        ]
        sizes: list[dict[str, Any]] = []
        try:
            hello = {m.target.size: m.ask("hello") for m in measurers}
            for m in measurers:
                found = hello[m.target.size]
                console.print(
                    f"{found['people']:,} people: {found['build']['participants']:,} "
                    f"participants, {found['build']['reviewers_per_participant']} reviewers "
                    f"each; launching a cycle over everyone took "
                    f"{found['launch']['median_s']} s (median of {found['launch']['rounds']})."
                )
            results: dict[int, list[bench.PageResult]] = {m.target.size: [] for m in measurers}
            for page in bench_reviews.PAGES:
                if any(hello[m.target.size]["paths"][page.name] is None for m in measurers):
                    console.print(f"  {page.name}: no {page.label} URL on this code yet; skipped.")
                    continue
                got = _alternate(measurers, page.name, page.label, page.name, options)
                for size, result in got.items():
                    results[size].append(result)
        finally:
            for m in measurers:
                m.close()
        for t in targets:
            found = hello[t.size]
            sizes.append(
                {
                    "people": found["people"],
                    "database": found["database"],
                    "build": found["build"],
                    "launch": found["launch"],
                    "viewer": found["viewer"],
                    "pages": bench.as_dicts(results[t.size]),
                }
            )
        large, small = sizes
        report: dict[str, Any] = {
            "command": " ".join(["stride", *sys.argv[1:]]) if "bench" in sys.argv else "",
            "machine": {**bench.machine(), "load_average": bench.load_average()},
            "settings": {k: options[k] for k in ("seed", "requests", "warmup")},
            "target_ratio": TARGET_RATIO,
            "sizes": sizes,
            "comparison": bench.compare(large, small),
            "launch_ratio": round(large["launch"]["median_s"] / small["launch"]["median_s"], 1)
            if small["launch"]["median_s"]
            else None,
        }
        failures = self._verdicts(report)
        report["ok"] = not failures
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.with_name(output.stem + "-reviews.json").write_text(
            json.dumps(report, indent=2) + "\n"
        )
        report["settings"]["weeks"] = options["weeks"]
        self._print_pages(console, report)
        console.print(
            f"Launch of a cycle over everyone: {large['launch']['median_s']} s at "
            f"{large['people']:,} people, {small['launch']['median_s']} s at "
            f"{small['people']:,} (it writes a row per participant and upward reviewer)."
        )
        if failures:
            raise CommandError(" ".join(failures))

    def _prepared(
        self,
        console: Console,
        bench_dir: Path,
        options: dict[str, Any],
        needed: dict[int, bool],
    ) -> tuple[list[bench.Target], date, dict[int, dict[str, Any]]]:
        """Both sizes' targets, the day they are built as of, and the build of each size
        ``needed`` (built now, or reused while its marker matches)."""
        targets = bench.targets(
            sizes=options["sizes"],
            bench_dir=bench_dir,
            database_url=os.environ.get("DATABASE_URL", ""),
        )
        today = (
            timezone.localdate()
            if options["rebuild"]
            else bench.build_day([t.marker for t in targets], today=timezone.localdate())
        )
        builds = {}
        for target in (t for t in targets if needed[t.size]):
            wanted = bench.wanted_marker(
                size=target.size, weeks=options["weeks"], seed=options["seed"], today=today
            )
            if options["rebuild"] or not bench.marker_matches(target.marker, wanted):
                bench.wipe(target)
            bench.ensure_database(target)
            console.rule(f"{target.size:,} people — {target.vendor} {target.location}")
            argv = _child_argv(target, "prepare", options, today)
            code = subprocess.call(argv, env={**os.environ, **target.env})  # noqa: S603
            found = bench.read_marker(target.marker)
            if code != 0 or found is None:
                raise CommandError(f"Preparing {target.size:,} people failed (exit code {code}).")
            builds[target.size] = found
        return targets, today, builds

    def _pages(self, console: Console, bench_dir: Path, options: dict[str, Any]) -> None:
        parts = options["only"]
        large_size, small_size = options["sizes"]
        needed = {
            large_size: "pages" in parts or "http" in parts,
            small_size: "pages" in parts or "load" in parts,
        }
        targets, today, builds = self._prepared(console, bench_dir, options, needed)
        large_target, small_target = targets
        report: dict[str, Any] = {
            "command": " ".join(["stride", *sys.argv[1:]]) if "bench" in sys.argv else "",
            "parts": parts,
            "machine": {
                **bench.machine(),
                "database": builds[next(iter(builds))]["database"],
                # Other work on the machine slows every figure: say how busy it was.
                "load_average_at_start": bench.load_average(),
            },
            "settings": {
                k: options[k]
                for k in (
                    "weeks",
                    "seed",
                    "requests",
                    "warmup",
                    "clients",
                    "load_seconds",
                    "http_requests",
                    "http_warmup",
                )
            },
            "target_ratio": TARGET_RATIO,
        }
        if "pages" in parts:
            console.rule("Pages, in process")
            sizes = self._measure(console, targets, options, today, builds)
            large, small = sizes
            report.update(sizes=sizes, comparison=bench.compare(large, small))
        http_options = {**options, "workdir": bench_dir / "http"}

        def credentials_of(copy: bench.Target) -> dict[str, Any]:
            argv = _child_argv(copy, "credentials", options, today)
            done = subprocess.run(  # noqa: S603
                argv, env={**os.environ, **copy.env}, capture_output=True, text=True
            )
            line = next((x for x in done.stdout.splitlines() if x.startswith(REPLY)), None)
            if done.returncode != 0 or line is None:
                raise CommandError(f"Making the benchmark's logins failed:\n{done.stderr}")
            answer: dict[str, Any] = json.loads(line[len(REPLY) :])
            return answer

        for part, target in (("load", small_target), ("http", large_target)):
            if part not in parts:
                continue
            console.rule("Load run over HTTP" if part == "load" else "Single operations over HTTP")
            try:
                report[part] = bench_load.run_part(
                    part,
                    target,
                    credentials_of=credentials_of,
                    options=http_options,
                    say=console.print,
                )
            except RuntimeError as exc:
                raise CommandError(str(exc)) from None
        report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        report["machine"]["load_average_at_end"] = bench.load_average()
        failures = self._verdicts(report)
        report["ok"] = not failures
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2) + "\n")
        self._print(console, report)
        console.print(f"Results written to {output}.")
        if failures:
            raise CommandError(" ".join(failures))

    def _measure(
        self,
        console: Console,
        targets: list[bench.Target],
        options: dict[str, Any],
        today: date,
        builds: dict[int, dict[str, Any]],
    ) -> list[dict[str, Any]]:
        measurers = [
            _Measurer(t, _child_argv(t, "measure", options, today), sys.stdout) for t in targets
        ]
        try:
            hello = {m.target.size: m.ask("hello") for m in measurers}
            for m in measurers:
                viewer = hello[m.target.size]["viewer"]
                console.print(
                    f"{m.target.size:,} people: as {viewer['email']} "
                    f"({viewer['direct_reports']} direct reports, {viewer['subtree']} below)."
                )
            console.print(
                f"{options['warmup']} warm-up and {options['requests']} timed requests per page "
                "and size, alternating the sizes request by request…"
            )
            pages: dict[int, list[bench.PageResult]] = {m.target.size: [] for m in measurers}
            for page in bench.PAGES:
                results = _alternate(measurers, page.name, page.path, page.path, options)
                for size, result in results.items():
                    pages[size].append(result)
        finally:
            for m in measurers:
                m.close()
        return [
            {
                "people": hello[t.size]["people"],
                "database": hello[t.size]["database"],
                "build": builds[t.size],
                "viewer": hello[t.size]["viewer"],
                "pages": bench.as_dicts(pages[t.size]),
            }
            for t in targets
        ]

    def _verdicts(self, report: dict[str, Any]) -> list[str]:
        failures = []
        if report.get("load", {}).get("errors"):
            failures.append(
                f"{report['load']['errors']} answers of the load run were errors "
                "(see the statuses in the results file)."
            )
        for size in report.get("sizes", []):
            broken = [p for p in size["pages"] if p["status"] != 200 or p["error"]]
            for page in broken:
                failures.append(
                    f"{page['path']} failed at {size['people']:,} people: {page['error']}."
                )
        for row in report.get("comparison", []):
            measured = row["queries_large"] is not None and row["queries_small"] is not None
            if measured and not row["same_queries"]:
                failures.append(
                    f"{row['path']} makes {row['queries_large']} queries at the large size "
                    f"but {row['queries_small']} at the small one."
                )
        return failures

    def _print(self, console: Console, report: dict[str, Any]) -> None:
        if "sizes" in report:
            self._print_pages(console, report)
        if "load" in report:
            console.print(_load_table(report["load"]))
        if "http" in report:
            console.print(_operations_table(report["http"]))

    def _print_pages(self, console: Console, report: dict[str, Any]) -> None:
        for size in report["sizes"]:
            viewer = size["viewer"]
            table = Table(
                title=(
                    f"{size['people']:,} people, {report['settings']['weeks']} weeks, "
                    f"{size['database']['version']}; as {viewer['email']} "
                    f"({viewer['direct_reports']} direct reports); "
                    f"{report['settings']['requests']} requests per page"
                ),
                box=box.SIMPLE_HEAD,
                title_justify="left",
            )
            for column in ("Page", "Path", "Status", "Median ms", "p95 ms", "Queries"):
                table.add_column(column, justify="right" if "ms" in column else "left")
            for page in size["pages"]:
                status = str(page["status"]) if not page["error"] else f"✗ {page['status']}"
                table.add_row(
                    page["name"],
                    page["path"],
                    status,
                    _fmt(page["median_ms"]),
                    _fmt(page["p95_ms"]),
                    _fmt(page["queries"]),
                )
            console.print(table)
            for page in size["pages"]:
                if page["error"]:
                    console.print(f"  ✗ {page['path']}: {page['error']}")
        large, small = (s["people"] for s in report["sizes"])
        table = Table(
            title=f"{large:,} vs {small:,} people (target: same queries, ratio < {TARGET_RATIO})",
            box=box.SIMPLE_HEAD,
            title_justify="left",
        )
        for column in ("Page", "Queries", "Same", "Median ratio", "p95 ratio", "Target"):
            table.add_column(column, justify="left" if column == "Page" else "right")
        for row in report["comparison"]:
            ratio = row["median_ratio"]
            meets = row["same_queries"] and ratio is not None and ratio < TARGET_RATIO
            table.add_row(
                row["page"],
                f"{_fmt(row['queries_large'])} / {_fmt(row['queries_small'])}",
                "yes" if row["same_queries"] else "NO",
                _fmt(ratio, "×"),
                _fmt(row["p95_ratio"], "×"),
                "✓" if meets else "✗",
            )
        console.print(table)

    # --- children ----------------------------------------------------------------------

    def _prepare(self, options: dict[str, Any]) -> None:
        """Migrate, then build the organisation unless the database already holds it."""
        from stride.org.models import Person

        console = console_for(self.stdout)
        size, marker, today = options["size"], options["marker"], options["today"]
        wanted = bench.wanted_marker(
            size=size, weeks=options["weeks"], seed=options["seed"], today=today
        )
        call_command("migrate", interactive=False, verbosity=0)
        people = Person.objects.count()
        if people == size and bench.marker_matches(marker, wanted):
            build = bench.read_marker(marker) or {}
            console.print(
                f"Reusing the organisation built {build.get('built_at')} "
                f"(in {build.get('seconds', 0):.0f} s)."
            )
            return
        if people:
            raise CommandError(
                f"The database holds {people:,} people, not a benchmark organisation of "
                f"{size:,}; run again with --rebuild."
            )
        console.print(
            f"Building an organisation of {size:,} people with {options['weeks']} weeks of "
            "weekly check-ins (cached for later runs)…"
        )
        with progress_bars(console) as progress:
            summary = generate(
                seed=options["seed"],
                people=size,
                weeks=options["weeks"],
                today=today,
                progress=progress,
            )
        build = {
            **wanted,
            "seconds": summary.seconds,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": bench.database_description()["version"],
            "objectives": summary.objectives,
            "key_results": summary.key_results,
            "key_result_updates": summary.key_result_updates,
            "checkins": summary.checkins,
            "comments": summary.comments,
        }
        marker.write_text(json.dumps(build, indent=2) + "\n")
        console.print(
            f"Built in {summary.seconds:.0f} s: {summary.checkins:,} check-ins, "
            f"{summary.key_result_updates:,} key-result updates, "
            f"{summary.objectives:,} objectives."
        )

    def _serve_reviews(self, options: dict[str, Any]) -> None:
        """The reviews part's child: add (or find) the benchmark's cycle, then answer
        ``hello``, ``get <page name>``, ``queries <page name>``, ``quit``. The database is
        the pages part's, prepared already; the benchmark's cycle is added on first use."""
        from stride.org.models import Person

        build = bench_reviews.bench_cycle(seed=options["seed"], today=options["today"])
        launch = bench_reviews.launch_seconds(options["today"])
        paths = bench_reviews.page_paths(build["cycle_id"])
        probes = {key: bench.PageProbe(p) for key, p in bench_reviews.viewers().items()}
        viewer_of = {page.name: page.viewer for page in bench_reviews.PAGES}

        def reply(answer: dict[str, Any]) -> None:
            sys.stdout.write(REPLY + json.dumps(answer) + "\n")
            sys.stdout.flush()

        for line in sys.stdin:
            command, _, name = line.strip().partition(" ")
            if command == "hello":
                reply(
                    {
                        "people": Person.objects.count(),
                        "database": bench.database_description(),
                        "build": build,
                        "launch": launch,
                        "paths": paths,
                        "viewer": {
                            "email": "hr@ (HR pages) and manager@",
                            "direct_reports": Person.objects.filter(
                                manager=probes["manager"].person
                            ).count(),
                        },
                    }
                )
            elif command in ("get", "queries"):
                probe, path = probes[viewer_of[name]], paths[name] or ""
                reply(probe.get(path) if command == "get" else {"queries": probe.queries(path)})
            elif command == "quit":
                reply({"bye": True})
                return
            else:
                reply({"error": f"unknown command {command!r}"})

    def _serve_measurements(self, options: dict[str, Any]) -> None:
        """Answer the parent's commands, one JSON line each: ``hello``, ``get <path>``,
        ``queries <path>``, ``quit``."""
        from stride.org.models import Person

        def reply(answer: dict[str, Any]) -> None:
            sys.stdout.write(REPLY + json.dumps(answer) + "\n")
            sys.stdout.flush()

        manager = bench.typical_manager()
        if manager is None:
            raise CommandError("No manager with 5–8 direct reports to measure as.")
        probe = bench.PageProbe(manager)
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "hello":
                below = Person.objects.filter(path__startswith=manager.path)
                reply(
                    {
                        "people": Person.objects.count(),
                        "database": bench.database_description(),
                        "viewer": {
                            "email": manager.email,
                            "direct_reports": Person.objects.filter(manager=manager).count(),
                            "subtree": below.exclude(pk=manager.pk).count(),
                            "depth": len(manager.ancestor_ids),
                        },
                    }
                )
            elif command == "get":
                reply(probe.get(argument))
            elif command == "queries":
                reply({"queries": probe.queries(argument)})
            elif command == "quit":
                reply({"bye": True})
                return
            else:
                reply({"error": f"unknown command {command!r}"})
