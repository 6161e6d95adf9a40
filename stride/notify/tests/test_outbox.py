"""The outbox and the recovery of a dead worker's work: at least once, never twice on purpose.

These run in one process with the clock moved by hand; the real kill of a real worker is
``stride/goals/tests/test_checkin_reminder_kill.py``.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stride.notify import registry, tasks
from stride.notify.models import Delivery
from stride.notify.outbox import (
    deliveries_record,
    deliveries_send,
    delivery_claim,
    stale_deliveries_requeue,
)
from stride.notify.recovery import MAX_TASK_ATTEMPTS, stale_work_recover, stuck_tasks_recover
from stride.notify.tests.conftest import CaptureCallbacks
from stride.testing import NOW, Cast, Clock

STALE = timedelta(seconds=600)


def _render(deliveries: Sequence[Delivery]) -> dict[int, EmailMessage | None]:
    # "test:skip" deliveries are no longer wanted by the app that recorded them.
    return {
        d.pk: None
        if d.key.endswith("skip")
        else EmailMessage(subject=d.key, body="Hello", to=[d.person.email])
        for d in deliveries
    }


@pytest.fixture
def kind(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.WORKER_STALE_SECONDS = int(STALE.total_seconds())
    monkeypatch.setitem(
        registry._kinds, "test:", registry.DeliveryKind(prefix="test:", render=_render)
    )


def record(cast: Cast, *keys: str, person: str = "alice") -> list[int]:
    return deliveries_record(
        person_keys=[(cast.members[person].pk, key) for key in keys], now=timezone.now()
    )


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# Every test starts on the shared frozen clock at NOW; those about staleness move it on.
pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def test_each_delivery_is_claimed_and_stamped_on_its_own(cast: Cast, kind: None) -> None:
    ids = record(cast, "test:a") + record(cast, "test:a", person="bob")
    with CaptureQueriesContext(connection) as queries:
        assert deliveries_send(delivery_ids=ids) == ids
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 4  # claim and stamp, for each of the two
    assert sent_to() == ["alice@example.com", "bob@example.com"]
    row = Delivery.objects.get(pk=ids[0])
    assert (row.sent_at, row.claimed_at, row.attempts) == (NOW, NOW, 1)
    assert row.claimed_by


def test_sending_the_same_ids_again_sends_nothing_twice(cast: Cast, kind: None) -> None:
    ids = record(cast, "test:a")
    deliveries_send(delivery_ids=ids)
    assert deliveries_send(delivery_ids=ids) == []
    assert sent_to() == ["alice@example.com"]


def test_a_live_claim_of_another_worker_is_left_alone(cast: Cast, kind: None, clock: Clock) -> None:
    [pk] = record(cast, "test:a")
    assert delivery_claim(delivery_id=pk, worker="other-worker")
    clock.move_to(NOW + STALE - timedelta(seconds=1))
    assert deliveries_send(delivery_ids=[pk]) == []
    assert mail.outbox == []


def test_a_stale_claim_of_a_dead_worker_is_taken_over_and_sent_once(
    cast: Cast, kind: None, clock: Clock
) -> None:
    [pk] = record(cast, "test:a")
    assert delivery_claim(delivery_id=pk, worker="killed-worker")
    clock.move_to(NOW + STALE + timedelta(seconds=1))
    assert deliveries_send(delivery_ids=[pk]) == [pk]
    assert deliveries_send(delivery_ids=[pk]) == []
    assert sent_to() == ["alice@example.com"]
    assert Delivery.objects.get(pk=pk).attempts == 2


def test_two_claims_of_the_same_row_cannot_both_win(cast: Cast, kind: None) -> None:
    [pk] = record(cast, "test:a")
    assert delivery_claim(delivery_id=pk, worker="one")
    assert not delivery_claim(delivery_id=pk, worker="two")


def test_a_delivery_its_app_no_longer_wants_is_skipped_for_good(
    cast: Cast, kind: None, clock: Clock
) -> None:
    ids = record(cast, "test:skip")
    assert deliveries_send(delivery_ids=ids) == []
    assert mail.outbox == []
    assert Delivery.objects.get(pk=ids[0]).skipped_at == NOW
    clock.move_to(NOW + 2 * STALE)
    assert stale_deliveries_requeue() == []


class RefusesBob:
    """An SMTP server that refuses one recipient for good and accepts everyone else."""

    def __init__(self) -> None:
        self.accepted: list[str] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.startswith("bob@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[RefusesBob]:
    handler = RefusesBob()
    port = next(p for p in range(18100, 18200) if _port_is_free(p))
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        yield handler
    finally:
        controller.stop()


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_a_refused_message_does_not_stop_the_others_and_is_tried_again_once_stale(
    cast: Cast, kind: None, smtp: RefusesBob, clock: Clock
) -> None:
    bob, alice = record(cast, "test:a", person="bob") + record(cast, "test:a")
    assert deliveries_send(delivery_ids=[bob, alice]) == [alice]
    assert smtp.accepted == ["alice@example.com"]
    refused = Delivery.objects.get(pk=bob)
    assert (refused.sent_at, refused.attempts) == (None, 1)
    assert "No such mailbox" in refused.last_error
    clock.move_to(NOW + timedelta(seconds=1))
    assert deliveries_send(delivery_ids=[bob]) == []  # its claim still holds: back off
    clock.move_to(NOW + STALE + timedelta(seconds=1))
    assert stale_deliveries_requeue(now=NOW + 2 * STALE) == [bob]
    assert deliveries_send(delivery_ids=[bob]) == []
    assert Delivery.objects.get(pk=bob).attempts == 2
    assert smtp.accepted == ["alice@example.com"]


def test_with_the_mail_server_down_nothing_is_claimed_and_all_wait(
    cast: Cast, kind: None, settings: Any
) -> None:
    ids = record(cast, "test:a") + record(cast, "test:a", person="bob")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    assert deliveries_send(delivery_ids=ids) == []
    assert list(Delivery.objects.values_list("claimed_at", "attempts")) == [(None, 0)] * 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliveries_send(delivery_ids=ids) == ids


def test_after_max_attempts_a_delivery_is_given_up(cast: Cast, kind: None, clock: Clock) -> None:
    [pk] = record(cast, "test:a")
    Delivery.objects.filter(pk=pk).update(
        attempts=Delivery.MAX_ATTEMPTS, claimed_at=NOW, last_error="refused"
    )
    clock.move_to(NOW + STALE + timedelta(seconds=1))
    assert not delivery_claim(delivery_id=pk, worker="w")
    assert stale_deliveries_requeue() == []
    assert Delivery.objects.get(pk=pk).skipped_at is not None


def test_recovery_requeues_stale_claims_and_lost_rows_but_not_fresh_ones(
    cast: Cast,
    kind: None,
    clock: Clock,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:
    claimed, lost = record(cast, "test:claimed", "test:lost")
    delivery_claim(delivery_id=claimed, worker="killed-worker")
    clock.move_to(NOW + STALE - timedelta(seconds=1))
    fresh = record(cast, "test:fresh")[0]
    assert stale_deliveries_requeue() == []  # nobody is stale yet
    later = NOW + STALE + timedelta(seconds=1)
    clock.move_to(later)
    with django_capture_on_commit_callbacks(execute=True):
        assert stale_deliveries_requeue() == [claimed, lost]
        # Queued again: not again in the next minute, however long the queue.
        assert stale_deliveries_requeue(now=later + timedelta(minutes=1)) == []
    queued = DBTaskResult.objects.get(task_path="stride.notify.tasks.send_deliveries")
    assert queued.args_kwargs["args"] == [[claimed, lost]]
    assert fresh not in queued.args_kwargs["args"][0]


def test_a_delivery_of_an_unknown_kind_is_left_pending(cast: Cast, kind: None) -> None:
    ids = record(cast, "nobody-registered-this:1")
    assert deliveries_send(delivery_ids=ids) == []
    row = Delivery.objects.get(pk=ids[0])
    assert (row.sent_at, row.skipped_at, row.attempts) == (None, None, 0)


def _running(started: object, starts: int) -> str:
    result = tasks.prune_finished_work.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=started, worker_ids=[f"w{i}" for i in range(starts)]
    )
    return result.id


def test_a_task_left_running_by_a_killed_worker_is_queued_again(
    settings: Any, clock: Clock
) -> None:
    settings.WORKER_STALE_SECONDS = int(STALE.total_seconds())
    stuck = _running(NOW, starts=1)
    busy = _running(NOW + STALE, starts=1)  # started recently: its worker may be alive
    clock.move_to(NOW + STALE + timedelta(seconds=1))
    assert stuck_tasks_recover() == {"requeued": 1, "failed": 0}
    assert DBTaskResult.objects.get(pk=stuck).status == "READY"
    assert DBTaskResult.objects.get(pk=busy).status == "RUNNING"


def test_a_task_that_killed_its_worker_too_often_is_failed(settings: Any, clock: Clock) -> None:
    settings.WORKER_STALE_SECONDS = int(STALE.total_seconds())
    stuck = _running(NOW, starts=MAX_TASK_ATTEMPTS)
    clock.move_to(NOW + STALE + timedelta(seconds=1))
    assert stale_work_recover() == {"requeued": 0, "failed": 1, "deliveries": 0}
    row = DBTaskResult.objects.get(pk=stuck)
    assert row.status == "FAILED"
    assert row.exception_class_path == "stride.notify.recovery.WorkerLost"
    assert "stopped each time" in row.traceback
