from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connections

from stride.access.models import AuditEntry
from stride.notify.models import Delivery
from stride.notify.tests.conftest import CaptureCallbacks
from stride.org.models import Person
from stride.org.tests.hr_files import HR_BAD_ROWS, HR_ROWS, as_csv, as_xlsx
from stride.testing import Cast, make_csv, row, table_sizes

GOOD = make_csv(
    [
        row("lee@acme.test", "Lee Lead", team="Platform", manager="skip@example.com"),
        row("pat@acme.test", "Pat Person", team="Platform", manager="lee@acme.test"),
    ]
)
BAD = make_csv(
    [
        row("lee@acme.test", "Lee Lead", manager="ghost@acme.test"),
        row("pat@acme.test", "Pat Person", time_zone="Atlantis/Capital"),
        row("lee@acme.test", "Lee Again"),
    ]
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_file_and_prints_the_counts(cast: Cast, tmp_path: Path) -> None:
    out, _err = run("people", str(write(tmp_path, GOOD)))

    assert "2 created, 0 updated, 0 unchanged" in out
    pat = Person.objects.get(email="pat@acme.test")
    assert pat.manager is not None and pat.manager.email == "lee@acme.test"
    entry = AuditEntry.objects.get(action="person.create", target_id=str(pat.pk))
    assert (entry.actor_label, entry.via) == ("system", "cli")


def test_a_second_run_reports_everyone_unchanged(cast: Cast, tmp_path: Path) -> None:
    path = str(write(tmp_path, GOOD))
    run("people", path)
    audit = AuditEntry.objects.count()

    out, _err = run("people", path)

    assert "0 created, 0 updated, 2 unchanged" in out
    assert AuditEntry.objects.count() == audit


def test_errors_go_to_stderr_one_per_line_and_nothing_is_written(
    cast: Cast, tmp_path: Path
) -> None:
    before = table_sizes()
    err = StringIO()
    with pytest.raises(CommandError, match="3 problem") as raised:
        call_command("import", "people", str(write(tmp_path, BAD)), stdout=StringIO(), stderr=err)

    assert raised.value.returncode == 1  # the exit status on the command line

    lines = err.getvalue().splitlines()
    assert lines[0].startswith("line 2: manager_email: ")
    assert lines[1].startswith("line 3: time_zone: ")
    assert lines[2] == "line 4: email: also on line 2"
    assert table_sizes() == before


def test_the_console_script_exits_non_zero_on_errors(
    cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(write(tmp_path, BAD))
    # run_from_argv closes every connection when it ends, which would end the test's
    # transaction on PostgreSQL; keep it open so the test can look at the data afterwards.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["stride", "import", "people", path]).execute()

    assert exit_info.value.code != 0
    assert "line 3: time_zone:" in capsys.readouterr().err
    assert not Person.objects.filter(email="pat@acme.test").exists()


def test_a_dry_run_writes_nothing(cast: Cast, tmp_path: Path) -> None:
    before = table_sizes()
    out, _err = run("people", str(write(tmp_path, GOOD)), "--dry-run")

    assert "would create 2" in out and "Dry run" in out
    assert "would create: lee@acme.test" in out
    assert table_sizes() == before


def test_a_missing_file_is_a_clear_error(cast: Cast, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        run("people", str(tmp_path / "nope.csv"))


# --- The file HR already has ------------------------------------------------------------------


def write_bytes(tmp_path: Path, data: bytes, suffix: str) -> str:
    path = tmp_path / f"export{suffix}"
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(("build", "suffix"), [(as_csv, ".csv"), (as_xlsx, ".xlsx")])
def test_an_hris_export_imports_with_its_own_column_names(
    cast: Cast, tmp_path: Path, build: Callable[..., bytes], suffix: str
) -> None:
    out, _err = run("people", write_bytes(tmp_path, build(HR_ROWS), suffix), "--no-invite")

    assert "3 created" in out
    pat = Person.objects.select_related("manager", "team").get(email="pat@acme.test")
    assert (pat.name, pat.title, pat.team and pat.team.name) == (
        "Pat Person",
        "Engineer",
        "Platform",
    )
    assert pat.manager is not None and pat.manager.email == "lee@acme.test"
    assert (pat.external_id, pat.time_zone, pat.hire_date) == (
        "1003",
        "America/New_York",
        date(2024, 1, 8),
    )


@pytest.mark.parametrize(("build", "unit"), [(as_csv, "line"), (as_xlsx, "row")])
def test_the_same_export_with_bad_rows_lists_each_bad_row_and_writes_nothing(
    cast: Cast, tmp_path: Path, build: Callable[..., bytes], unit: str
) -> None:
    before = table_sizes()
    err = StringIO()
    path = write_bytes(tmp_path, build(HR_BAD_ROWS), ".csv" if unit == "line" else ".xlsx")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "people", path, stdout=StringIO(), stderr=err)

    printed = err.getvalue()
    for line, field in [(3, "email"), (4, "manager_email"), (4, "time_zone"), (4, "hire_date"),
                        (5, "name")]:  # fmt: skip
        assert f"{unit} {line}: {field}: " in printed
    assert "YYYY-MM-DD" in printed
    assert table_sizes() == before


def test_map_names_a_column_no_alias_knows_and_overrides_an_alias(
    cast: Cast, tmp_path: Path
) -> None:
    header = ["Login", "Work Email", "Full Name", "Cost Centre"]
    rows = [["ana@acme.test", "ana.private@mail.test", "Ana Admin", "CC-7"]]
    path = write_bytes(tmp_path, as_xlsx(rows, header), ".xlsx")

    out, err = run("people", path, "--map", "email=Login", "--no-invite")

    assert "1 created" in out
    assert Person.objects.filter(email="ana@acme.test").exists()
    assert "Ignored column(s), not mapped to any field: Work Email, Cost Centre" in err


def test_a_named_sheet_is_read_and_an_unknown_one_is_refused(cast: Cast, tmp_path: Path) -> None:
    path = write_bytes(tmp_path, as_xlsx(HR_ROWS, other_sheet_first=True), ".xlsx")
    with pytest.raises(CommandError):
        call_command("import", "people", path, "--sheet", "Staff", stdout=StringIO(),
                     stderr=(err := StringIO()))  # fmt: skip
    assert "its sheets are: Read me, Employees" in err.getvalue()

    out, _err = run("people", path, "--sheet", "Employees", "--no-invite")
    assert "3 created" in out


def test_a_bad_map_option_is_a_clear_error(cast: Cast, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="FIELD=COLUMN"):
        run("people", write_bytes(tmp_path, as_csv(HR_ROWS), ".csv"), "--map", "Login")


def test_new_people_are_invited_once_and_a_dry_run_says_who_would_be(
    cast: Cast,
    tmp_path: Path,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    path = write_bytes(tmp_path, as_csv(HR_ROWS), ".csv")
    out, _err = run("people", path, "--dry-run")
    assert "would invite 3" in out and "would invite: pat@acme.test" in out
    assert Delivery.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        out, _err = run("people", path)
    assert "invited 3" in out
    assert sorted(m.to[0] for m in mail.outbox) == [
        "casey@acme.test",
        "lee@acme.test",
        "pat@acme.test",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        out, _err = run("people", path)
    assert "invited" not in out
    assert len(mail.outbox) == 3


def test_a_large_dry_run_names_fifty_people_and_counts_the_rest(cast: Cast, tmp_path: Path) -> None:
    rows = [row(f"p{i}@acme.test", f"Person {i}") for i in range(60)]
    out, _err = run("people", str(write(tmp_path, make_csv(rows))), "--dry-run", "--no-invite")

    assert out.count("\nwould create: ") == 51
    assert "would create: … and 10 more" in out
    assert "invite" not in out
