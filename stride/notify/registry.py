"""Where apps plug into the background machinery without ``notify`` knowing them.

``notify`` owns the outbox (``Delivery``), the schedule and the worker; it imports no domain
app. Each app registers, from its ``AppConfig.ready()``:

* its periodic jobs (``PeriodicJob``): the scheduler runs each once per slot;
* its kinds of delivery (``DeliveryKind``): for every ``Delivery`` whose key starts with the
  kind's prefix, ``render`` decides whether it is still wanted and builds its message.

Registration is idempotent by name or prefix (a second ``ready()`` in tests replaces the
entry), and the registries are read only after every app is ready.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.mail import EmailMessage
from django_tasks.base import Task

if TYPE_CHECKING:
    from stride.notify.models import Delivery

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PeriodicJob:
    """A task the scheduler enqueues once per ``every`` across all workers."""

    name: str
    every: timedelta
    task: Task[[], Any]

    def slot_for(self, now: datetime) -> datetime:
        """The start of the period ``now`` falls in, counted from the Unix epoch in UTC."""
        return _EPOCH + ((now - _EPOCH) // self.every) * self.every


# Given the pending deliveries of one kind (their ``person`` loaded), return for each id the
# message to send, or None when it is no longer wanted (it is then marked skipped).
Render = Callable[[Sequence["Delivery"]], dict[int, EmailMessage | None]]


@dataclass(frozen=True)
class DeliveryKind:
    """How the deliveries whose key starts with ``prefix`` are turned into e-mail."""

    prefix: str
    render: Render


_jobs: dict[str, PeriodicJob] = {}
_kinds: dict[str, DeliveryKind] = {}


def register_job(job: PeriodicJob) -> None:
    _jobs[job.name] = job


def register_delivery_kind(kind: DeliveryKind) -> None:
    if not kind.prefix:
        raise ValueError("a delivery kind needs a key prefix")
    _kinds[kind.prefix] = kind


def periodic_jobs() -> tuple[PeriodicJob, ...]:
    """Every registered job, by name (a stable order for logs and tests)."""
    return tuple(sorted(_jobs.values(), key=lambda job: job.name))


def delivery_kind_for(key: str) -> DeliveryKind | None:
    """The kind whose prefix ``key`` starts with (the longest, should prefixes nest)."""
    matches = [kind for prefix, kind in _kinds.items() if key.startswith(prefix)]
    return max(matches, key=lambda kind: len(kind.prefix), default=None)
