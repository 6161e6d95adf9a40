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
    machine = report["machine"]
    settings = report["settings"]
    large, small = report["sizes"]
    lines = [
        f"Database: {machine['database']}. Command: `{report['command']}` "
        f"({settings['requests']} timed requests per page and size after "
        f"{settings['warmup']} warm-up, sizes alternating request by request; finished "
        f"{report['finished_at']}).",
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
