from __future__ import annotations

from pathlib import Path

import pytest

from stride.demo import bench_import
from stride.org.models import Person, User
from stride.testing import table_sizes


def test_the_benchmark_file_is_an_hr_export_that_imports_with_its_tree(db: None) -> None:
    rows = bench_import.people_rows(40)
    before = table_sizes()

    # Both measurements roll back: every round starts from the same empty tables.
    assert bench_import._plain_insert(rows) > 0
    assert bench_import._import(bench_import.as_csv(rows), 40) > 0

    assert table_sizes() == before
    assert not Person.objects.exists() and not User.objects.exists()


def test_a_file_that_does_not_import_stops_the_benchmark(db: None) -> None:
    rows = bench_import.people_rows(10)
    rows[3][2] = "not an address"
    with pytest.raises(RuntimeError, match="did not import"):
        bench_import._import(bench_import.as_csv(rows), 10)


def test_the_import_benchmark_has_a_database_of_its_own(tmp_path: Path) -> None:
    sqlite = bench_import.target(tmp_path, "")
    assert sqlite.env["STRIDE_DATA_DIR"] == str(tmp_path / "import")
    pg = bench_import.target(tmp_path, "postgres://u@db:5432/stride")
    assert pg.location == "stride_bench_import"
    assert pg.env["DATABASE_URL"] == "postgres://u@db:5432/stride_bench_import"
