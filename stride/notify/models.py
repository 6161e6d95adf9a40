"""Records that make notifications idempotent."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Delivery(models.Model):
    """One notification sent (or being sent) to one person for one occasion.

    ``key`` names the occasion (``checkin-reminder:2026-W48``); the unique constraint on
    (person, key) is what guarantees that a restarted or duplicated worker sends nothing
    twice: the row is claimed in a transaction before the e-mail goes out on commit."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(max_length=100)
    channel = models.CharField(max_length=16, default="email")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="delivery_once"),
        ]

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
