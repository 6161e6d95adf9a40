"""Background tasks of the machinery itself: each one fetches ids and calls a service. All
are idempotent, so a task re-queued after its worker died may simply run again."""

from __future__ import annotations

from django_tasks import task

from stride.notify import housekeeping, outbox, recovery


@task()
def send_deliveries(delivery_ids: list[int]) -> int:
    """Send recorded deliveries, each claimed and stamped on its own; sent ones are skipped."""
    return len(outbox.deliveries_send(delivery_ids=delivery_ids))


@task()
def prune_finished_work() -> dict[str, int]:
    """Daily: drop finished task results and schedule slots older than two weeks."""
    return housekeeping.finished_work_prune()


@task()
def recover_stale_work() -> dict[str, int]:
    """Every minute: re-queue tasks and deliveries whose worker died (see ``recovery``)."""
    return recovery.stale_work_recover()
