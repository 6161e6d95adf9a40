"""``stride bench``: where the databases live, how pages are measured and judged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from stride.demo import bench, bench_load, bench_reviews
from stride.demo.generator import generate
from stride.demo.management.commands.bench import Command as BenchCommand

TODAY = date(2025, 11, 26)


def test_postgres_databases_are_named_after_the_configured_one() -> None:
    url, name = bench.pg_bench_url("postgres://postgres:pw@127.0.0.1:5432/stride?sslmode=off", 150)
    assert name == "stride_bench_150"
    assert url == "postgres://postgres:pw@127.0.0.1:5432/stride_bench_150?sslmode=off"


def test_sqlite_sizes_get_a_data_directory_each_under_the_bench_directory(
    tmp_path: Path,
) -> None:
    large, small = bench.targets(sizes=[10_000, 150], bench_dir=tmp_path, database_url="")
    assert large.vendor == small.vendor == "sqlite"
    assert large.env == {"STRIDE_DATA_DIR": str(tmp_path / "10000"), "DATABASE_URL": ""}
    assert small.location == str(tmp_path / "150" / "stride.sqlite3")
    assert large.marker != small.marker


def test_postgres_sizes_point_the_child_at_their_own_database(tmp_path: Path) -> None:
    (large,) = bench.targets(
        sizes=[10_000], bench_dir=tmp_path, database_url="postgres://u@db:5432/test"
    )
    assert large.vendor == "postgresql"
    assert large.location == "test_bench_10000"
    assert large.env == {"DATABASE_URL": "postgres://u@db:5432/test_bench_10000"}


def test_a_cached_database_is_reused_only_for_what_it_was_built_with(tmp_path: Path) -> None:
    marker = tmp_path / "m.json"
    wanted = bench.wanted_marker(size=150, weeks=104, seed=42, today=TODAY)
    assert not bench.marker_matches(marker, wanted)
    marker.write_text(json.dumps({**wanted, "seconds": 3.0}))
    assert bench.marker_matches(marker, wanted)
    assert not bench.marker_matches(
        marker, bench.wanted_marker(size=150, weeks=104, seed=43, today=TODAY)
    )
    assert not bench.marker_matches(
        marker, bench.wanted_marker(size=10_000, weeks=104, seed=42, today=TODAY)
    )


def test_both_sizes_are_built_as_of_the_same_day_within_a_week(tmp_path: Path) -> None:
    built = tmp_path / "large.json"
    missing = tmp_path / "small.json"
    assert bench.build_day([built, missing], today=TODAY) == TODAY
    built.write_text(json.dumps({"today": "2025-11-24"}))  # Monday of the same week
    assert bench.build_day([missing, built], today=TODAY) == date(2025, 11, 24)
    # From last week: too old, both are built afresh as of today.
    assert bench.build_day([built], today=date(2025, 12, 2)) == date(2025, 12, 2)


def test_the_95th_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert bench.percentile(values, 95) == 19.0
    assert bench.percentile([5.0], 95) == 5.0
    assert bench.percentile([float(v) for v in range(1, 31)], 95) == 29.0


def _size(people: int, queries: int, median: float, status: int = 200) -> dict[str, Any]:
    page = {
        "name": "My goals",
        "path": "/goals/",
        "status": status,
        "error": "" if status == 200 else f"answered HTTP {status}",
        "queries": queries if status == 200 else None,
        "median_ms": median,
        "p95_ms": median * 2,
    }
    return {"people": people, "pages": [page]}


def test_the_comparison_flags_query_counts_that_depend_on_size() -> None:
    (same,) = bench.compare(_size(10_000, 7, 12.0), _size(150, 7, 10.0))
    assert same["same_queries"] and same["median_ratio"] == 1.2 and same["p95_ratio"] == 1.2
    (grows,) = bench.compare(_size(10_000, 9, 12.0), _size(150, 7, 10.0))
    assert not grows["same_queries"]


def test_a_summary_gives_the_median_and_nearest_rank_95th_percentile() -> None:
    page = bench.PageResult("My goals", "/goals/", status=200, queries=7)
    page.times_ms = [10.0, 30.0, 20.0, 40.0, 50.0]
    bench.summarise(page)
    assert page.requests == 5 and page.median_ms == 30.0 and page.p95_ms == 50.0
    assert page.min_ms == 10.0


def test_a_page_that_differs_or_fails_makes_the_run_fail() -> None:
    command = BenchCommand()

    def report(large: dict[str, Any], small: dict[str, Any]) -> dict[str, Any]:
        return {"sizes": [large, small], "comparison": bench.compare(large, small)}

    assert command._verdicts(report(_size(10_000, 7, 12.0), _size(150, 7, 10.0))) == []
    (differs,) = command._verdicts(report(_size(10_000, 9, 12.0), _size(150, 7, 10.0)))
    assert "9 queries" in differs and "7" in differs
    (missing,) = command._verdicts(report(_size(10_000, 7, 1.0, 404), _size(150, 7, 10.0)))
    assert "/goals/" in missing and "404" in missing


@pytest.mark.django_db
def test_it_measures_every_page_as_a_manager_with_five_to_eight_reports() -> None:
    generate(people=40, weeks=2, today=TODAY)
    manager = bench.typical_manager()
    assert manager is not None and manager.email == "manager@example.com"
    probe = bench.PageProbe(manager)
    for page in bench.PAGES:
        answer = probe.get(page.path)
        assert answer["status"] == 200 and not answer["error"], (page.path, answer)
        assert answer["ms"] > 0 and answer["bytes"] > 0
        assert probe.queries(page.path) > 0
    missing = probe.get("/no-such-page/")
    assert missing["status"] == 404 and "404" in missing["error"]


@pytest.mark.django_db
def test_the_reviews_part_launches_a_cycle_over_everyone_with_about_six_reviewers_each() -> None:
    from stride.reviews.models import ReviewCycle, ReviewResponse

    generate(people=40, weeks=1, today=TODAY)
    built = bench_reviews.bench_cycle(seed=42, today=TODAY)
    assert built["participants"] == 40 and 4 <= built["reviewers_per_participant"] <= 7
    assert ReviewResponse.objects.filter(participant__cycle_id=built["cycle_id"]).exists()
    again = bench_reviews.bench_cycle(seed=42, today=TODAY)  # found, not built twice
    assert again["cycle_id"] == built["cycle_id"] and "seconds" not in again
    cycles = ReviewCycle.objects.count()
    launch = bench_reviews.launch_seconds(TODAY, rounds=1)
    assert launch["median_s"] > 0 and ReviewCycle.objects.count() == cycles  # rolled back
    paths = bench_reviews.page_paths(built["cycle_id"])
    probes = {key: bench.PageProbe(p) for key, p in bench_reviews.viewers().items()}
    for page in bench_reviews.PAGES:
        path = paths[page.name]
        if path is None:  # the calibration page, before it exists on this branch
            continue
        answer = probes[page.viewer].get(path)
        assert answer["status"] == 200 and not answer["error"], (page.name, answer)
        assert probes[page.viewer].queries(path) > 0


def _bench(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # SQLite files under tmp_path: this is about the harness
    env["STRIDE_DATA_DIR"] = str(tmp_path / "data")
    argv = [sys.executable, "-m", "stride.cli", "bench", "--sizes=60,40", "--weeks=2"]
    argv += ["--requests=2", "--warmup=1", f"--output={tmp_path / 'latest.json'}", *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)


def test_the_whole_benchmark_runs_in_one_command_and_reuses_its_databases(
    tmp_path: Path,
) -> None:
    # Every part, each kept small: the load run and the import have tests of their own.
    first = _bench(
        tmp_path,
        "--clients=2",
        "--load-seconds=2",
        "--http-requests=2",
        "--http-warmup=1",
        "--import-rows=200",
        "--import-rounds=1",
    )
    assert first.returncode == 0, first.stdout + first.stderr
    report = json.loads((tmp_path / "latest.json").read_text())
    assert report["load"]["clients"] == 2 and report["http"]["operations"]
    assert json.loads((tmp_path / "latest-import.json").read_text())
    assert [s["people"] for s in report["sizes"]] == [60, 40]
    assert (tmp_path / "data" / "bench" / "60" / "stride.sqlite3").exists()
    assert all(s["build"]["seconds"] >= 0 for s in report["sizes"])
    for size in report["sizes"]:
        assert all(page["status"] == 200 and page["requests"] == 2 for page in size["pages"])
    assert {row["path"] for row in report["comparison"]} == {p.path for p in bench.PAGES}
    assert report["ok"] and report["machine"]["nproc"] >= 1
    assert "Building an organisation of 60 people" in first.stdout
    # The reviews part ran on the same databases (reused, not built again).
    reviews = json.loads((tmp_path / "latest-reviews.json").read_text())
    assert [s["people"] for s in reviews["sizes"]] == [60, 40] and reviews["ok"]
    assert all(s["launch"]["median_s"] > 0 for s in reviews["sizes"])
    for size in reviews["sizes"]:
        assert [p["name"] for p in size["pages"]][:2] == [
            "HR progress page",
            "Manager's review page",
        ]
        assert all(page["status"] == 200 and page["requests"] == 2 for page in size["pages"])
    assert "Launch of a cycle over everyone:" in first.stdout

    second = _bench(tmp_path, "--only=pages")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Reusing" in second.stdout and "Building" not in second.stdout
    again = json.loads((tmp_path / "latest.json").read_text())
    assert [s["build"]["built_at"] for s in again["sizes"]] == [
        s["build"]["built_at"] for s in report["sizes"]
    ]

    third = _bench(tmp_path, "--only=pages", "--rebuild")
    assert third.returncode == 0, third.stdout + third.stderr
    assert "Building an organisation of 40 people" in third.stdout


def test_the_http_parts_serve_a_copy_with_gunicorn_and_measure_it_with_real_clients(
    tmp_path: Path,
) -> None:
    built = _bench(tmp_path, "--only=pages")
    assert built.returncode == 0, built.stdout + built.stderr
    cached = tmp_path / "data" / "bench" / "40" / "stride.sqlite3"
    before = cached.stat().st_mtime_ns
    run = _bench(
        tmp_path,
        "--only=load,http",
        "--clients=3",
        "--load-seconds=3",
        "--http-requests=3",
        "--http-warmup=1",
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((tmp_path / "latest.json").read_text())
    assert "sizes" not in report  # --only: the pages were not measured again
    load = report["load"]
    assert load["people"] == 40 and load["clients"] == 3 and load["errors"] == 0
    assert load["requests"] > 0 and load["requests_per_s"] > 0  # (a loaded machine is slow)
    measured = [call for call in load["calls"] if call["requests"]]
    assert {call["name"] for call in measured} >= {"/team/ (manager)", "GET /api/v1/me"}
    # Every answer said how long the server took (the Server-Timing header).
    assert all(call["server_median_ms"] > 0 for call in measured)
    assert "requests/s" in run.stdout and "p99" in run.stdout
    operations = report["http"]["operations"]
    assert report["http"]["people"] == 60
    assert [op["name"].split(":")[0] for op in operations] == [
        "Get one objective",
        "Record a key-result value",
        "List 1,000 people",
    ]
    assert all(op["requests"] == 3 and 0 < op["median_ms"] <= op["p95_ms"] for op in operations)
    # The runs wrote to a scratch copy, removed afterwards: the cached organisation is as built.
    assert cached.stat().st_mtime_ns == before
    assert not (tmp_path / "data" / "bench" / "scratch-40").exists()


def test_a_load_summary_counts_requests_per_second_and_judges_each_calls_server_time() -> None:
    samples = {
        "elapsed_s": 2.0,
        "calls": {
            "fast": {
                "client_ms": [10.0, 20.0, 30.0],
                "server_ms": [5.0, 6.0, 7.0],
                "errors": 0,
                "statuses": {"200": 3},
            },
            "slow": {
                "client_ms": [40.0],
                "server_ms": [16.0],
                "errors": 1,
                "statuses": {"200": 1, "500": 1},
            },
        },
    }
    summary = bench_load.summarise_load(samples, clients=2, seconds=2)
    assert summary["requests"] == 4 and summary["requests_per_s"] == 2.0
    assert summary["p50"] == 20.0 and summary["p99"] == 40.0 and summary["errors"] == 1
    fast, slow = summary["calls"]
    assert fast["server_median_ms"] == 6.0 and fast["meets_target"]
    assert not slow["meets_target"]
