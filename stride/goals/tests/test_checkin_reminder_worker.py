"""Check-in reminders through the real ``stride worker``: its database queue, its scheduler."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from stride.goals.checkins.reminders import checkin_reminder_sweep
from stride.goals.tests.conftest import BERLIN_1505
from stride.notify.models import Delivery
from stride.testing import Cast, Clock

# The worker runs in this process (``call_command``), on the shared frozen clock.
pytestmark = pytest.mark.clock


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db(transaction=True)
def test_worker_once_sends_each_due_reminder_exactly_once(cast: Cast, clock: Clock) -> None:
    clock.move_to(BERLIN_1505)
    call_command("worker", "--once")
    call_command("worker", "--once")  # same minute: the slot is taken, nothing runs
    clock.shift(timedelta(minutes=1))
    call_command("worker", "--once")  # next minute: the sweep runs and finds no one
    assert recipients() == ["alice@example.com", "manager@example.com"]
    assert Delivery.objects.filter(sent_at__isnull=False).count() == 2
    # Other apps' periodic jobs (the reviews' reminder sweep) run too; not this test's subject.
    paths = list(
        DBTaskResult.objects.exclude(task_path__startswith="stride.reviews.").values_list(
            "task_path", "status"
        )
    )
    assert sorted(paths) == [
        ("stride.goals.checkins.tasks.sweep_checkin_reminders", "SUCCESSFUL"),
        ("stride.goals.checkins.tasks.sweep_checkin_reminders", "SUCCESSFUL"),
        ("stride.notify.tasks.prune_finished_work", "SUCCESSFUL"),
        ("stride.notify.tasks.recover_stale_work", "SUCCESSFUL"),
        ("stride.notify.tasks.recover_stale_work", "SUCCESSFUL"),
        ("stride.notify.tasks.send_deliveries", "SUCCESSFUL"),
    ]


@pytest.mark.django_db(transaction=True)
def test_worker_once_with_an_in_process_backend_still_sends_reminders(
    cast: Cast, clock: Clock, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    clock.move_to(BERLIN_1505)
    call_command("worker", "--once")
    call_command("worker", "--once")
    assert recipients() == ["alice@example.com", "manager@example.com"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_the_same_moment_send_each_reminder_once(
    cast: Cast, clock: Clock
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers; SQLite runs one writer at a time anyway")
    first_claimed = threading.Event()
    second_started = threading.Event()
    claimed: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                claimed["first"] = checkin_reminder_sweep(now=BERLIN_1505)
                first_claimed.set()
                # Commit only once the second worker is on its way: it saw no claim yet.
                second_started.wait(timeout=10)
        except BaseException as error:
            errors.append(error)
        finally:
            first_claimed.set()
            connection.close()

    def second() -> None:
        try:
            first_claimed.wait(timeout=10)
            second_started.set()
            claimed["second"] = checkin_reminder_sweep(now=BERLIN_1505)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=first), threading.Thread(target=second)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    assert len(claimed["first"]) == 2
    assert claimed["second"] == []
    clock.move_to(BERLIN_1505)
    call_command("worker", "--once", "--no-scheduler")
    assert recipients() == ["alice@example.com", "manager@example.com"]
