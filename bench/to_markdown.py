"""Print a ``stride bench`` results file as the Markdown tables used in BENCHMARKS.md.

python bench/to_markdown.py bench/results/latest.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def render(report: dict[str, Any]) -> str:
    parts = []
    if "sizes" in report:
        parts.append(render_pages(report))
    if "load" in report:
        parts.append(render_load(report["load"]))
    if "http" in report:
        parts.append(render_operations(report["http"]))
    return "\n\n".join(parts)


def _load(part: dict[str, Any], when: str) -> str:
    found = part.get(f"load_average_at_{when}")
    return f"{found[0]:.1f}" if found else "—"


def _tick(meets: bool | None) -> str:
    return "" if meets is None else ("✓" if meets else "✗")


def render_load(load: dict[str, Any]) -> str:
    lines = [
        f"{load['clients']} clients with no pause for {load['seconds']} s on {load['people']:,} "
        f"people, {load['workers']} gunicorn workers: **{load['requests_per_s']} requests/s**, "
        f"p50 {_ms(load['p50'])} ms, p95 {_ms(load['p95'])} ms, p99 {_ms(load['p99'])} ms over "
        f"{load['requests']:,} requests, {load['errors']} errors. "
        f"Load average (1 min) {_load(load, 'start')} at the start, {_load(load, 'end')} "
        "at the end.",
        "",
        "| call | requests | p50 ms | p95 ms | p99 ms | median server ms | target ≤ "
        f"{load['server_ms_target']:g} ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for call in load["calls"]:
        lines.append(
            f"| `{call['name']}` | {call['requests']:,} | {_ms(call['p50'])} | {_ms(call['p95'])} "
            f"| {_ms(call['p99'])} | {_ms(call['server_median_ms'])} "
            f"| {_tick(call['meets_target'])} |"
        )
    return "\n".join(lines)


def render_operations(found: dict[str, Any]) -> str:
    lines = [
        f"One client, a new connection per request, {found['people']:,} people, "
        f"{found['workers']} gunicorn workers; "
        f"{found['operations'][0]['requests']} timed runs of each after warm-up. "
        f"Load average (1 min) {_load(found, 'start')} at the start, {_load(found, 'end')} "
        "at the end.",
        "",
        "| operation | median ms | p95 ms | median server ms | target | |",
        "| --- | ---: | ---: | ---: | --- | :---: |",
    ]
    for row in found["operations"]:
        lines.append(
            f"| {row['name']} | {_ms(row['median_ms'])} | {_ms(row['p95_ms'])} "
            f"| {_ms(row['server_median_ms'])} | {row['target'] or '—'} "
            f"| {_tick(row['meets_target'])} |"
        )
    return "\n".join(lines)


def render_pages(report: dict[str, Any]) -> str:
    machine = report["machine"]
    settings = report["settings"]
    large, small = report["sizes"]
    lines = [
        f"Database: {machine['database']}. Command: `{report['command']}` "
        f"({settings['requests']} timed requests per page and size after "
        f"{settings['warmup']} warm-up, sizes alternating request by request; finished "
        f"{report['finished_at']}; load average (1 min) {_load(machine, 'start')} at the "
        f"start of the run, {_load(machine, 'end')} at its end).",
        "",
        "| | " + f"{large['people']:,} people | {small['people']:,} people |",
        "| --- | ---: | ---: |",
    ]
    for label, key in (
        ("check-ins", "checkins"),
        ("key-result updates", "key_result_updates"),
        ("objectives", "objectives"),
    ):
        lines.append(f"| {label} | {large['build'][key]:,} | {small['build'][key]:,} |")
    lines.append(
        f"| build time | {large['build']['seconds']:.0f} s | {small['build']['seconds']:.0f} s |"
    )
    lines.append(
        f"| measured as | {large['viewer']['email']} ({large['viewer']['direct_reports']} "
        f"reports) | {small['viewer']['email']} ({small['viewer']['direct_reports']} reports) |"
    )
    lines += [
        "",
        f"| page | median ms {large['people']:,} | p95 ms {large['people']:,} "
        f"| median ms {small['people']:,} | p95 ms {small['people']:,} | queries "
        f"| median ratio | p95 ratio | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    small_pages = {p["path"]: p for p in small["pages"]}
    for page, row in zip(large["pages"], report["comparison"], strict=True):
        other = small_pages[page["path"]]
        ratio = row["median_ratio"]
        meets = row["same_queries"] and ratio is not None and ratio < report["target_ratio"]
        queries = (
            str(row["queries_large"])
            if row["same_queries"]
            else f"{row['queries_large']} vs {row['queries_small']}"
        )
        lines.append(
            f"| {page['name']} `{page['path']}` | {_ms(page['median_ms'])} "
            f"| {_ms(page['p95_ms'])} | {_ms(other['median_ms'])} | {_ms(other['p95_ms'])} "
            f"| {queries} | {ratio if ratio is not None else '—'}× "
            f"| {row['p95_ratio'] if row['p95_ratio'] is not None else '—'}× "
            f"| {'✓' if meets else '✗'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.json")
    print(render(json.loads(path.read_text())))
