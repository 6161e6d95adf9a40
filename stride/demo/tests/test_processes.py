"""The supervisor behind ``stride demo`` and ``stride serve``: children live and die as a
group. Real child processes, no mocks: each child is a tiny Python program."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from stride.demo.processes import Child, gunicorn_command, supervise, worker_command


def _sleeper(pid_file: Path) -> Child:
    code = (
        "import os, pathlib, time; "
        f"pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid())); "
        "time.sleep(120)"
    )
    return Child("sleeper", [sys.executable, "-c", code])


def _waits_for(pid_file: Path, code: str) -> list[str]:
    """A child that waits until the sleeper has started, then runs ``code``."""
    return [
        sys.executable,
        "-c",
        "import os, pathlib, signal, sys, time\n"
        f"p = pathlib.Path({str(pid_file)!r})\n"
        "while not p.exists() or not p.read_text(): time.sleep(0.05)\n" + code,
    ]


def _is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_child_that_dies_stops_the_others_and_its_code_is_returned(tmp_path: Path) -> None:
    pid_file = tmp_path / "sleeper.pid"
    messages: list[str] = []
    code = supervise(
        [_sleeper(pid_file), Child("crasher", _waits_for(pid_file, "sys.exit(3)"))],
        say=messages.append,
        poll_seconds=0.05,
    )
    assert code == 3
    assert _is_gone(int(pid_file.read_text()))
    assert any("crasher" in m and "3" in m for m in messages)


def test_a_child_that_ends_cleanly_still_counts_as_a_failure(tmp_path: Path) -> None:
    pid_file = tmp_path / "sleeper.pid"
    code = supervise(
        [_sleeper(pid_file), Child("quitter", _waits_for(pid_file, "sys.exit(0)"))],
        say=lambda _: None,
        poll_seconds=0.05,
    )
    assert code == 1
    assert _is_gone(int(pid_file.read_text()))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_stops_every_child_and_returns_zero(
    tmp_path: Path, sig: signal.Signals
) -> None:
    pid_file = tmp_path / "sleeper.pid"
    # The second child plays the operator: it signals the supervisor (its parent).
    operator = _waits_for(pid_file, f"os.kill(os.getppid(), {int(sig)}); time.sleep(120)")
    messages: list[str] = []
    previous = signal.getsignal(sig)
    code = supervise(
        [_sleeper(pid_file), Child("operator", operator)],
        say=messages.append,
        poll_seconds=0.05,
    )
    assert code == 0
    assert _is_gone(int(pid_file.read_text()))
    assert any(sig.name in m for m in messages)
    assert signal.getsignal(sig) == previous


def test_the_web_server_is_gunicorn_serving_stride_with_an_access_log() -> None:
    argv = gunicorn_command(host="127.0.0.1", port=8123, workers=3)
    assert Path(argv[0]).name == "gunicorn" or argv[1:3] == ["-m", "gunicorn"]
    assert "stride.wsgi" in argv
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--access-logfile") + 1] == "-"


def test_the_worker_is_stride_worker_from_the_same_installation() -> None:
    argv = worker_command()
    assert argv[-3:] == ["worker", "--verbosity", "1"]
    assert worker_command(verbosity=0)[-3:] == ["worker", "--verbosity", "0"]
    assert Path(argv[0]).parent == Path(sys.executable).parent


def test_a_child_runs_with_its_own_variables_on_top_of_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIDE_KEPT", "inherited")
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8000")
    seen = tmp_path / "seen.txt"
    code = (
        "import os, pathlib; "
        f"pathlib.Path({str(seen)!r}).write_text("
        "os.environ['STRIDE_KEPT'] + ' ' + os.environ['SITE_URL'])"
    )
    child = Child("printer", [sys.executable, "-c", code], {"SITE_URL": "http://127.0.0.1:8123"})
    supervise([child], say=lambda _: None, poll_seconds=0.05)
    assert seen.read_text() == "inherited http://127.0.0.1:8123"


def test_the_ready_announcement_comes_once_after_the_children_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "sleeper.pid"
    marker = tmp_path / "announced"
    announced: list[bool] = []

    def announce() -> None:
        announced.append(True)
        marker.write_text("yes")

    # The second child leaves once the announcement has been made.
    leaver = _waits_for(
        pid_file,
        f"m = pathlib.Path({str(marker)!r})\nwhile not m.exists(): time.sleep(0.05)\n",
    )
    code = supervise(
        [_sleeper(pid_file), Child("leaver", leaver)],
        say=lambda _: None,
        poll_seconds=0.05,
        ready=lambda: pid_file.exists() and bool(pid_file.read_text()),
        when_ready=announce,
    )
    assert code == 1
    assert announced == [True]
