"""Records that make notifications idempotent: the outbox and the schedule's claims."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Delivery(models.Model):
    """One notification to one person for one occasion: the outbox row of its sending.

    ``key`` names the occasion (``checkin-reminder:2026-W48``); its prefix names the kind of
    delivery, which the owning app registered with ``stride.notify.registry``. The unique
    constraint on (person, key) means an occasion is recorded once however many workers
    notice it. The row then goes through these states:

    * pending — ``sent_at`` and ``skipped_at`` empty; ``claimed_at`` empty or stale;
    * being sent — claimed by one worker (``claimed_at``, ``claimed_by``) in its own short
      transaction, right before that one message goes out;
    * sent (``sent_at``), stamped right after the mail server accepted the message;
    * skipped (``skipped_at``): no longer wanted (the person checked in meanwhile) or given
      up after ``MAX_ATTEMPTS`` failed tries (``last_error`` says why).

    Invariant: at most one worker holds a live claim on a row, and a row is sent at least
    once unless skipped. A claim older than ``settings.WORKER_STALE_SECONDS`` belongs to a
    worker presumed dead, and the row is sent again; only a worker that dies after the mail
    server accepted the message but before ``sent_at`` was stamped can cause a second copy.
    """

    MAX_ATTEMPTS = 5

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(max_length=100)
    channel = models.CharField(max_length=16, default="email")
    created_at = models.DateTimeField(default=timezone.now)
    # When a send task was last queued for the row: recovery re-queues a pending row at most
    # once per stale period, however long the queue.
    queued_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="delivery_once"),
        ]
        indexes = [
            # The recovery job looks for pending rows every minute; sent rows are the vast
            # majority and stay out of this index.
            models.Index(
                fields=["queued_at"],
                condition=Q(sent_at__isnull=True, skipped_at__isnull=True),
                name="delivery_pending_idx",
            ),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.key} → {self.person}"


class ScheduleSlot(models.Model):
    """A periodic job's run for one time slot, claimed once across every worker."""

    name = models.CharField(max_length=64)
    slot = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="scheduleslot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"
