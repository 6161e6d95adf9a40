"""``stride worker``: the real database worker and scheduler, run as the command runs them."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from stride.testing import THIS_MONDAY, Cast, Clock

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.clock  # the cast, too, is made on the frozen clock
@pytest.mark.django_db(transaction=True)
def test_worker_once_without_the_scheduler_only_runs_queued_tasks(cast: Cast, clock: Clock) -> None:
    # Friday 15:05 in Berlin: the scheduler, had it run, would remind alice and the manager.
    friday = THIS_MONDAY + timedelta(days=4)
    clock.move_to(datetime.combine(friday, time(15, 5), tzinfo=ZoneInfo("Europe/Berlin")))
    call_command("worker", "--once", "--no-scheduler")
    assert mail.outbox == []
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_worker_refuses_to_run_forever_without_the_database_backend(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with pytest.raises(CommandError, match="database task backend"):
        call_command("worker")


# --- The long-running worker, in a process of its own ---------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A migrated SQLite database of its own, so the process never meets the test database."""
    path = tmp_path_factory.mktemp("worker")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TASKS_BACKEND"}}
    env |= {"STRIDE_DATA_DIR": str(path), "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
    subprocess.run(
        [sys.executable, "-m", "stride.cli", "migrate", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
        timeout=120,
    )
    yield env


def _lines(process: subprocess.Popen[str]) -> tuple[queue.Queue[str], threading.Thread]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    return lines, reader


def _wait_for(lines: queue.Queue[str], text: str, seen: list[str]) -> None:
    while not any(text in line for line in seen):
        seen.append(lines.get(timeout=60))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_worker_and_its_scheduler_stop_cleanly_on_a_signal(
    data_dir: dict[str, str], signum: int
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "stride.cli", "worker", "--interval", "0.2"],
        cwd=REPO,
        env=data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    try:
        lines, reader = _lines(process)
        _wait_for(lines, "Starting worker", seen)
        _wait_for(lines, "Scheduler started", seen)
        process.send_signal(signum)
        returncode = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(timeout=10)  # the process has exited: its output ends
    output = "".join(seen) + "".join(_drain(lines))
    assert returncode == 0, output
    assert "Scheduler stopped" in output
    assert "stopped" in output.splitlines()[-1]


def _drain(lines: queue.Queue[str]) -> Iterator[str]:
    while True:
        try:
            yield lines.get_nowait()
        except queue.Empty:
            return
