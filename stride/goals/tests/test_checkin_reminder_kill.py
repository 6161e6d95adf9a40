"""A worker killed with ``kill -9`` in the middle of a reminder batch loses nothing and
duplicates nothing.

The invariant under test: every person due a check-in reminder gets one — at least once,
and at most one per person per ISO week. Everything here is real: two ``stride worker``
processes, an on-disk database both open (a SQLite file, or the PostgreSQL test database),
Django's SMTP backend talking to an SMTP server (aiosmtpd) run by the test.

To make the kill land mid-batch every time, the SMTP server holds the ``RCPT`` of message
number ``HOLD_AT`` until the test has killed the worker: by then the worker has sent
``HOLD_AT - 1`` messages and claimed the next one. A second worker, started with a short
stale timeout, must then send exactly the remaining ones.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import time as clock_time
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

REPO = Path(__file__).resolve().parents[3]
PEOPLE = 100
HOLD_AT = 30
STALE_SECONDS = 2
# Every wait below ends by itself; generous, as two cores are shared by several runs.
DEADLINE = 120.0
PORTS = range(18100, 18200)


# --- Run inside the subprocesses (``python -c``), against the shared database -------------


def populate() -> None:
    """100 active people with a login, each due a reminder at any moment of the week (the
    reminder is set for Monday 00:00 in UTC)."""
    from stride.goals.models import CheckInPreference
    from stride.org import services as org

    for i in range(PEOPLE):
        person = org.person_create(
            actor=None, name=f"Person {i:03d}", email=f"person{i:03d}@example.com"
        )
        CheckInPreference.objects.create(
            person=person,
            reminder_weekday=CheckInPreference.Weekday.MONDAY,
            reminder_time=clock_time(0, 0),
        )


def inspect() -> None:
    """Print the outbox's and the task queue's state as JSON."""
    from django_tasks_db.models import DBTaskResult

    from stride.notify.models import Delivery

    deliveries = Delivery.objects.filter(key__startswith="checkin-reminder:")
    sends = DBTaskResult.objects.filter(task_path="stride.notify.tasks.send_deliveries")
    state = {
        "recorded": deliveries.count(),
        "sent": deliveries.filter(sent_at__isnull=False).count(),
        "claimed_unsent": deliveries.filter(sent_at__isnull=True, claimed_at__isnull=False).count(),
        "skipped": deliveries.filter(skipped_at__isnull=False).count(),
        "tasks": dict(Counter(DBTaskResult.objects.values_list("status", flat=True))),
        "send_tasks_unfinished": sends.filter(status__in=["READY", "RUNNING"]).count(),
        "send_task_starts": sorted(len(ids) for ids in sends.values_list("worker_ids", flat=True)),
    }
    print(json.dumps(state))


# --- The SMTP server --------------------------------------------------------------------


class Recorder:
    """Accepts and records every message, except that it holds the ``hold_at``-th RCPT
    until ``released`` is set, then refuses it (the client is dead by then anyway)."""

    def __init__(self, hold_at: int) -> None:
        self.hold_at = hold_at
        self.rcpts = 0
        self.holding = threading.Event()
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.recipients: list[str] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        self.rcpts += 1
        if self.rcpts == self.hold_at:
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        subject = message_from_bytes(envelope.content)["Subject"]
        assert "check-in" in subject
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def received(self) -> list[str]:
        with self.lock:
            return list(self.recipients)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18100-18199")


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder(hold_at=HOLD_AT)
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        recorder.released.set()
        controller.stop()


# --- The processes ----------------------------------------------------------------------


@pytest.fixture
def environment(tmp_path: Path, smtp: tuple[Recorder, int]) -> dict[str, str]:
    """What every process of the test sees: the shared database and the SMTP server."""
    _, port = smtp
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "TASKS_BACKEND", "WORKER_STALE_SECONDS"}
    }
    env |= {
        "STRIDE_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "stride.settings",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "60",
    }
    if connection.vendor == "postgresql":
        # The test database itself: this test is transactional, so what the processes
        # write is theirs to see, and it is flushed afterwards.
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        # SQLite: a migrated file of the test's own under STRIDE_DATA_DIR (the test
        # database may live in memory, where no other process can open it).
        _run(env, ["-m", "stride.cli", "migrate", "-v0"])
    return env


def _run(env: dict[str, str], args: list[str]) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _call(env: dict[str, str], function: str) -> str:
    code = (
        "import django; django.setup(); "
        f"from stride.goals.tests.test_checkin_reminder_kill import {function}; {function}()"
    )
    return _run(env, ["-c", code])


def _state(env: dict[str, str]) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(_call(env, "inspect").strip().splitlines()[-1])
    return state


class Worker:
    """A ``stride worker`` process whose output is collected in the background."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "stride.cli", "worker", "--interval", "0.2"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.reader = threading.Thread(target=self._pump, daemon=True)
        self.reader.start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def stop(self, signum: int) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        code = self.process.wait(timeout=DEADLINE)
        self.reader.join(timeout=10)
        return code

    def text(self) -> str:
        return "".join(self.output)


def _wait_until(condition: Any, what: str, workers: list[Worker], *, every: float = 0.1) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(w.text()[-4000:] for w in workers)
            raise AssertionError(f"gave up waiting for {what}\n{logs}")
        for worker in workers:
            if worker.process.poll() is not None and worker.process.returncode != -9:
                raise AssertionError(f"a worker exited while waiting for {what}\n{worker.text()}")
        time.sleep(every)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_every_person_exactly_one_reminder(
    environment: dict[str, str], smtp: tuple[Recorder, int]
) -> None:
    recorder, _ = smtp
    _call(environment, "populate")
    workers: list[Worker] = []
    try:
        # The first worker sweeps (everyone is due), then sends its batch of 100 until the
        # SMTP server holds message number HOLD_AT.
        first = Worker(environment)
        workers.append(first)
        _wait_until(recorder.holding.is_set, f"message {HOLD_AT} to be in flight", workers)
        first.process.send_signal(signal.SIGKILL)
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL
        killed_at = time.monotonic()
        recorder.released.set()
        sent_before_kill = recorder.received()
        after_kill = _state(environment)

        assert len(sent_before_kill) == HOLD_AT - 1
        assert after_kill["recorded"] == PEOPLE
        # Each message was stamped right after the server accepted it: nothing is lost
        # from the record, and the message in flight is held by a (now dead) claim.
        assert after_kill["sent"] == HOLD_AT - 1
        assert after_kill["claimed_unsent"] == 1
        assert after_kill["tasks"].get("RUNNING") == 1  # the killed batch, stuck

        # A second worker presumes the first dead once its claims are STALE_SECONDS old.
        time.sleep(max(0.0, killed_at + STALE_SECONDS + 0.5 - time.monotonic()))
        second = Worker(environment | {"WORKER_STALE_SECONDS": str(STALE_SECONDS)})
        workers.append(second)
        _wait_until(lambda: len(recorder.received()) >= PEOPLE, "every reminder", workers)
        _wait_until(
            lambda: _state(environment)["send_tasks_unfinished"] == 0,
            "the send queue to drain",
            workers,
            every=1.0,  # each look starts a Python process: leave the CPU to the workers
        )
        assert second.stop(signal.SIGTERM) == 0, second.text()
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait(timeout=DEADLINE)

    received = recorder.received()
    final = _state(environment)
    per_person = Counter(received)
    print(
        f"kill test: {len(sent_before_kill)} sent before the kill, "
        f"{len(received) - len(sent_before_kill)} after recovery, {len(received)} in all, "
        f"{len(per_person)} people; state after kill {after_kill}; final {final}"
    )
    assert sorted(per_person) == [f"person{i:03d}@example.com" for i in range(PEOPLE)]
    assert set(per_person.values()) == {1}
    assert len(received) - len(sent_before_kill) == PEOPLE - HOLD_AT + 1
    assert final["sent"] == PEOPLE
    assert final["claimed_unsent"] == 0
    assert final["tasks"].get("RUNNING", 0) == 0
    # The killed batch was started again (by the second worker) rather than left running.
    assert max(final["send_task_starts"]) == 2
    assert "Recovered at start-up: 1 tasks queued again" in second.text()
