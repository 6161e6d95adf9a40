"""Reminders of a review cycle's deadlines, sent where each person lives.

Invariant: one reminder per person, cycle and phase, sent from 09:00 local time two days
before the phase's last day and never after its deadline (the end of that day, local
time). "Once" is kept by ``Delivery``'s unique (person, key): only the sweep whose insert
went in queues the sending (``stride.notify.outbox``). Until the answers of a phase exist,
everyone who owes the phase's work is reminded; the phases a participant owes themself are
the self-assessment and the peer nomination.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from stride.lib.cycle_dates import deadline
from stride.notify.models import Delivery
from stride.notify.outbox import deliveries_enqueue_on_commit, deliveries_record
from stride.org.models import Person
from stride.reviews.models import CycleParticipant, CyclePhase, Phase, ReviewCycle

logger = logging.getLogger(__name__)

KEY_PREFIX = "review-reminder:"
#: The phases whose work each participant owes themself.
OWED_BY_PARTICIPANT = (Phase.SELF_ASSESSMENT, Phase.PEER_NOMINATION)
REMIND_DAYS_BEFORE = 2
REMIND_AT = time(9, 0)


def reminder_key(cycle_id: int, phase: str) -> str:
    return f"{KEY_PREFIX}{cycle_id}:{phase}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def reminder_window(ends_on: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From 09:00 local two days before the last day, to the deadline."""
    opens = datetime.combine(ends_on - timedelta(days=REMIND_DAYS_BEFORE), REMIND_AT, zone)
    return opens, deadline(ends_on, zone)


def review_reminders_due(*, now: datetime) -> list[tuple[int, str]]:
    """(person id, key) for everyone whose reminder is due at ``now`` and not yet recorded:
    one query for the phases near their end, one per such phase for its participants."""
    today = now.astimezone(UTC).date()
    phases = CyclePhase.objects.filter(
        cycle__status=ReviewCycle.Status.LAUNCHED,
        kind__in=OWED_BY_PARTICIPANT,
        # Local dates are within a day of UTC's.
        ends_on__gte=today - timedelta(days=1),
        ends_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE + 1),
    ).values_list("cycle_id", "kind", "ends_on")
    due: list[tuple[int, str]] = []
    for cycle_id, kind, ends_on in phases:
        key = reminder_key(cycle_id, kind)
        reminded = Delivery.objects.filter(person=OuterRef("person_id"), key=key)
        rows = (
            CycleParticipant.objects.filter(
                cycle_id=cycle_id,
                person__status=Person.Status.ACTIVE,
                person__user__is_active=True,
            )
            .filter(~Exists(reminded))
            .order_by("person_id")
            .values_list("person_id", "person__time_zone")
        )
        for person_id, zone_name in rows:
            opens, closes = reminder_window(ends_on, _zone(zone_name))
            if opens <= now < closes:
                due.append((person_id, key))
    return due


@transaction.atomic
def review_reminder_sweep(*, now: datetime | None = None) -> list[int]:
    """Record every review reminder due at ``now`` and queue their sending on commit;
    returns the ids this run recorded (running it again records nothing new)."""
    now = now or timezone.now()
    due = review_reminders_due(now=now)
    ids = deliveries_record(person_keys=due, now=now)
    deliveries_enqueue_on_commit(ids)
    logger.log(
        logging.INFO if due else logging.DEBUG,
        "Review reminder sweep: %d due, %d claimed by this run",
        len(due),
        len(ids),
    )
    return ids


def _parse(key: str) -> tuple[int, str]:
    cycle_id, phase = key.removeprefix(KEY_PREFIX).split(":", 1)
    return int(cycle_id), phase


def review_reminder_messages(deliveries: Sequence[Delivery]) -> dict[int, EmailMessage | None]:
    """Each pending reminder's e-mail, or None when it is no longer wanted: the cycle is
    no longer running, the person left, or the deadline passed where they live."""
    now = timezone.now()
    wanted_keys = {_parse(d.key) for d in deliveries}
    phases = {
        (p.cycle_id, p.kind): p
        for p in CyclePhase.objects.filter(
            cycle_id__in={c for c, _k in wanted_keys},
            cycle__status=ReviewCycle.Status.LAUNCHED,
        ).select_related("cycle")
    }
    messages: dict[int, EmailMessage | None] = {}
    for delivery in deliveries:
        phase = phases.get(_parse(delivery.key))
        person = delivery.person
        zone = _zone(person.time_zone)
        live = (
            phase is not None
            and person.status == Person.Status.ACTIVE
            and now < deadline(phase.ends_on, zone)
        )
        messages[delivery.pk] = reminder_message(person=person, phase=phase) if live else None
    return messages


def reminder_message(*, person: Person, phase: CyclePhase | None) -> EmailMessage:
    assert phase is not None
    context = {
        "person": person,
        "cycle": phase.cycle,
        "phase": Phase(phase.kind).label,
        "ends_on": phase.ends_on,
        "url": settings.SITE_URL + reverse("home"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("reviews/email/reminder_subject.txt", context).split())
        body = render_to_string("reviews/email/reminder.txt", context)
    return EmailMessage(subject=subject, body=body, to=[person.email])
