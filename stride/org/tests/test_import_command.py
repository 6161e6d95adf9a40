from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connections

from stride.access.models import AuditEntry
from stride.org.models import Person
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

    assert "2 created" in out and "Dry run" in out
    assert table_sizes() == before


def test_a_missing_file_is_a_clear_error(cast: Cast, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        run("people", str(tmp_path / "nope.csv"))
