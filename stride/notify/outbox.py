"""The outbox: record deliveries once, send each at least once, and never twice on purpose.

Invariant (at least once, without duplicates): a ``Delivery`` row is recorded once per
(person, key); every message is claimed in its own short transaction just before it is
sent and stamped ``sent_at`` in another right after the mail server accepted it, so a worker
killed in the middle of a batch leaves the messages it sent stamped, at most the one in
flight claimed, and the rest pending. Claims older than ``settings.WORKER_STALE_SECONDS``
are taken over by the next send (``stride.notify.recovery`` queues one), so every pending
row is sent eventually; the only way to a second copy is a worker dying in the instant
between the server's "250 OK" and the ``sent_at`` stamp.

No database transaction is held open while a mail server answers.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from stride.notify.claims import insert_ignoring_conflicts
from stride.notify.models import Delivery
from stride.notify.registry import delivery_kind_for

logger = logging.getLogger(__name__)

# Deliveries per send task: several workers share a large wave (everyone in one zone at
# Friday 15:00) instead of one worker sending thousands of e-mails alone.
SEND_BATCH = 100


def stale_after() -> timedelta:
    """How old a claim (or a running task) must be before its worker is presumed dead."""
    return timedelta(seconds=settings.WORKER_STALE_SECONDS)


_PROCESS_TOKEN = get_random_string(6)


def worker_name() -> str:
    # Readable in the outbox (which host and process holds a claim), and unique even where
    # every worker is process 1 of a container that restarts under the same host name.
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{_PROCESS_TOKEN}"[:64]


def deliveries_record(
    *, person_keys: Iterable[tuple[int, str]], channel: str = "email", now: datetime
) -> list[int]:
    """Record a delivery for each (person id, key), skipping any already recorded (by this
    or any other worker); return the ids of the rows this call created, the only ones its
    caller should queue. Call it inside the caller's transaction."""
    # A raw INSERT: every NOT NULL column is given, as the model's defaults are not applied.
    rows = [(person_id, key, channel, now, now, 0, "", "") for person_id, key in person_keys]
    created = insert_ignoring_conflicts(
        Delivery,
        fields=[
            "person",
            "key",
            "channel",
            "created_at",
            "queued_at",
            "attempts",
            "claimed_by",
            "last_error",
        ],
        rows=rows,
        conflict_fields=["person", "key"],
    )
    return [pk for (pk,) in created]


def deliveries_enqueue_on_commit(delivery_ids: Sequence[int]) -> None:
    """Queue the sending of ``delivery_ids`` once the current transaction commits (before
    that the rows do not exist for a worker). Should the process die between commit and
    queueing, the recovery job finds the rows pending and queues them."""
    if delivery_ids:
        transaction.on_commit(partial(_enqueue_sends, list(delivery_ids)))


def _enqueue_sends(delivery_ids: list[int]) -> None:
    from stride.notify.tasks import send_deliveries

    for start in range(0, len(delivery_ids), SEND_BATCH):
        send_deliveries.enqueue(delivery_ids[start : start + SEND_BATCH])


def _claimable(now: datetime) -> Q:
    return Q(sent_at__isnull=True, skipped_at__isnull=True, attempts__lt=Delivery.MAX_ATTEMPTS) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - stale_after())
    )


def delivery_claim(*, delivery_id: int, worker: str) -> bool:
    """Claim one delivery for sending: one ``UPDATE … WHERE`` that succeeds only if the row
    is neither sent nor skipped and nobody holds a live claim on it. True if this call won.

    A single statement in autocommit: PostgreSQL re-checks the condition after waiting for
    a concurrent claimer's commit, SQLite runs one writer at a time, so two workers can
    never both win the same row."""
    now = timezone.now()
    won = (
        Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
            claimed_at=now, claimed_by=worker, attempts=F("attempts") + 1
        )
        == 1
    )
    return won


def delivery_mark_sent(*, delivery_id: int, worker: str) -> None:
    Delivery.objects.filter(pk=delivery_id, claimed_by=worker, sent_at__isnull=True).update(
        sent_at=timezone.now(), last_error=""
    )


def delivery_mark_failed(*, delivery_id: int, worker: str, error: str) -> None:
    """Keep the claim: the row is tried again once it is stale (a natural back-off), by
    whichever worker the recovery job's task lands on."""
    Delivery.objects.filter(pk=delivery_id, claimed_by=worker, sent_at__isnull=True).update(
        last_error=error[:2000]
    )


def deliveries_send(*, delivery_ids: Sequence[int]) -> list[int]:
    """Send the pending deliveries among ``delivery_ids``, each claimed and stamped on its
    own; return the ids this call sent. Rows already sent, skipped or held by a live claim
    of another worker are left alone, so queueing the same ids twice sends nothing twice.
    Rows their kind no longer wants (``render`` returned None) are marked skipped."""
    worker = worker_name()
    now = timezone.now()
    pending = list(
        Delivery.objects.filter(_claimable(now), pk__in=delivery_ids)
        .select_related("person")
        .order_by("pk")
    )
    by_kind: dict[str, list[Delivery]] = defaultdict(list)
    messages: dict[int, EmailMessage | None] = {}
    for delivery in pending:
        kind = delivery_kind_for(delivery.key)
        if kind is None:
            # An app that registered this kind is gone or not ready: keep the row pending
            # rather than lose it, and say so.
            logger.error("No delivery kind is registered for %r; left pending", delivery.key)
            continue
        by_kind[kind.prefix].append(delivery)
    for prefix, deliveries in by_kind.items():
        kind = delivery_kind_for(prefix)
        assert kind is not None
        messages.update(kind.render(deliveries))

    unwanted = [pk for pk, message in messages.items() if message is None]
    if unwanted:
        Delivery.objects.filter(_claimable(now), pk__in=unwanted).update(
            skipped_at=now, last_error="no longer wanted when its turn came"
        )

    sent: list[int] = []
    if not any(message is not None for message in messages.values()):
        return sent
    connection = get_connection()
    try:
        connection.open()
    except Exception:
        # Nothing is claimed yet: the rows stay pending and the recovery job queues them
        # again once they are stale.
        logger.exception("Could not reach the mail server; %d deliveries wait", len(pending))
        return sent
    try:
        for delivery in pending:
            message = messages.get(delivery.pk)
            if message is None or not delivery_claim(delivery_id=delivery.pk, worker=worker):
                continue
            try:
                accepted = connection.send_messages([message])
            except Exception as error:
                logger.exception("Could not send %s", delivery)
                delivery_mark_failed(delivery_id=delivery.pk, worker=worker, error=repr(error))
                # The connection may be half-dead after an error: start a fresh one.
                _reopen_quietly(connection)
                continue
            if accepted:
                delivery_mark_sent(delivery_id=delivery.pk, worker=worker)
                sent.append(delivery.pk)
            else:
                delivery_mark_failed(
                    delivery_id=delivery.pk, worker=worker, error="the mail backend sent nothing"
                )
    finally:
        _close_quietly(connection)
    logger.info("Sent %d of %d deliveries", len(sent), len(delivery_ids))
    return sent


def _close_quietly(connection: BaseEmailBackend) -> None:
    try:
        connection.close()
    except Exception:
        logger.debug("Closing a mail connection failed", exc_info=True)


def _reopen_quietly(connection: BaseEmailBackend) -> None:
    _close_quietly(connection)
    try:
        connection.open()
    except Exception:
        # The next message's send_messages tries again (and records its own error).
        logger.debug("Reopening the mail connection failed", exc_info=True)


def stale_deliveries_requeue(*, now: datetime | None = None) -> list[int]:
    """Queue again every pending delivery whose claim went stale (its worker died mid-send)
    or that was never claimed although queued longer than the stale period ago (its task
    was lost, or its worker died before reaching it); give up on rows that failed
    ``MAX_ATTEMPTS`` times. Returns the ids queued.

    Each row is re-queued at most once per stale period (``queued_at``), so a long queue
    does not snowball; sending twice is prevented by the claims, not by this."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    with transaction.atomic():
        gave_up = Delivery.objects.filter(
            sent_at__isnull=True,
            skipped_at__isnull=True,
            attempts__gte=Delivery.MAX_ATTEMPTS,
            claimed_at__lt=cutoff,
        ).update(skipped_at=now)
        ids = list(
            Delivery.objects.filter(_claimable(now), queued_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(queued_at=now)
            deliveries_enqueue_on_commit(ids)
    if ids or gave_up:
        logger.warning(
            "Recovered %d pending deliveries; gave up on %d after %d attempts",
            len(ids),
            gave_up,
            Delivery.MAX_ATTEMPTS,
        )
    return ids
