"""Reminders of a review cycle's deadlines, sent where each person lives, and HR's nudges.

Invariant: one reminder per person, cycle and phase, sent from 09:00 local time two days
before the phase's last day and never after its deadline (the end of that day, local
time); and one overdue reminder, sent from 09:00 local time on the day after the deadline
and only that day, to whoever has not submitted the work by then (and had it not reopened).
People who already did a phase's work (submitted the self-assessment, nominated at least
the cycle's fewest peers) get neither. "Once" is kept by ``Delivery``'s unique (person,
key): only the sweep whose insert went in queues the sending (``stride.notify.outbox``).
The phases a participant owes themself are the self-assessment and the peer nomination.
Managers get one overdue reminder per cycle the same way, from 09:00 their local time on
the day after the manager review's deadline, while a review of one of their reports is
not submitted (``manager_overdue_due``).

HR's nudges (``NUDGE_PREFIX``) are e-mails through the same outbox; their keys start with
the day, so "once a day per person" is one lookup (``services.participant_nudge``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
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
from stride.reviews.models import (
    CycleParticipant,
    CyclePhase,
    Phase,
    PhaseReopening,
    Relationship,
    ReviewCycle,
    ReviewResponse,
)
from stride.reviews.selectors import work_done

logger = logging.getLogger(__name__)

KEY_PREFIX = "review-reminder:"
OVERDUE_PREFIX = "review-overdue:"
NUDGE_PREFIX = "review-nudge:"
#: The phases whose work each participant owes themself.
OWED_BY_PARTICIPANT = (Phase.SELF_ASSESSMENT, Phase.PEER_NOMINATION)
REMIND_DAYS_BEFORE = 2
REMIND_AT = time(9, 0)


def reminder_key(cycle_id: int, phase: str, *, prefix: str = KEY_PREFIX) -> str:
    return f"{prefix}{cycle_id}:{phase}"


def nudge_key(day: date, participant_id: int, phase: str) -> str:
    """A nudge's key starts with its (UTC) day: one nudge a day per person is a lookup."""
    return f"{NUDGE_PREFIX}{day.isoformat()}:{participant_id}:{phase}"


def _done(phase: str) -> Any:
    """Whether the participant (``OuterRef("pk")``) already did ``phase``'s work: submitted
    their self-assessment, nominated at least the cycle's fewest peers."""
    return work_done(phase)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def reminder_window(ends_on: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From 09:00 local two days before the last day, to the deadline."""
    opens = datetime.combine(ends_on - timedelta(days=REMIND_DAYS_BEFORE), REMIND_AT, zone)
    return opens, deadline(ends_on, zone)


def overdue_window(ends_on: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From 09:00 local on the day after the last day, to the end of that day."""
    day_after = ends_on + timedelta(days=1)
    return datetime.combine(day_after, REMIND_AT, zone), deadline(day_after, zone)


def review_reminders_due(*, now: datetime, overdue: bool = False) -> list[tuple[int, str]]:
    """(person id, key) for everyone whose reminder (or, with ``overdue``, overdue
    reminder) is due at ``now`` and not yet recorded, leaving out whoever submitted the
    work (and, when overdue, whoever HR reopened the phase for): one query for the phases
    near their end, one per such phase for its participants."""
    today = now.astimezone(UTC).date()
    # Local dates are within a day of UTC's.
    if overdue:
        near = {"ends_on__gte": today - timedelta(days=2), "ends_on__lte": today}
    else:
        near = {
            "ends_on__gte": today - timedelta(days=1),
            "ends_on__lte": today + timedelta(days=REMIND_DAYS_BEFORE + 1),
        }
    phases = CyclePhase.objects.filter(
        cycle__status=ReviewCycle.Status.LAUNCHED, kind__in=OWED_BY_PARTICIPANT, **near
    ).values_list("cycle_id", "kind", "ends_on")
    window = overdue_window if overdue else reminder_window
    due: list[tuple[int, str]] = []
    for cycle_id, kind, ends_on in phases:
        key = reminder_key(cycle_id, kind, prefix=OVERDUE_PREFIX if overdue else KEY_PREFIX)
        reminded = Delivery.objects.filter(person=OuterRef("person_id"), key=key)
        rows = CycleParticipant.objects.filter(
            cycle_id=cycle_id,
            person__status=Person.Status.ACTIVE,
            person__user__is_active=True,
        ).filter(~Exists(reminded))
        rows = rows.filter(~_done(kind))
        if overdue:
            reopened = PhaseReopening.objects.filter(participant=OuterRef("pk"), kind=kind)
            rows = rows.filter(~Exists(reopened))
        for person_id, zone_name in rows.order_by("person_id").values_list(
            "person_id", "person__time_zone"
        ):
            opens, closes = window(ends_on, _zone(zone_name))
            if opens <= now < closes:
                due.append((person_id, key))
    return due


def manager_overdue_due(*, now: datetime) -> list[tuple[int, str]]:
    """(manager id, key) for each manager (at the launch) with a report's review not
    submitted by the manager review's deadline (and not reopened), from 09:00 on the day
    after it, their local time, and only that day: one reminder per manager and cycle,
    however many reviews they owe."""
    today = now.astimezone(UTC).date()
    phases = CyclePhase.objects.filter(
        cycle__status=ReviewCycle.Status.LAUNCHED,
        kind=Phase.MANAGER_REVIEW,
        ends_on__gte=today - timedelta(days=2),
        ends_on__lte=today,
    ).values_list("cycle_id", "ends_on")
    due: list[tuple[int, str]] = []
    for cycle_id, ends_on in phases:
        key = reminder_key(cycle_id, Phase.MANAGER_REVIEW, prefix=OVERDUE_PREFIX)
        reminded = Delivery.objects.filter(person=OuterRef("manager_id"), key=key)
        reopened = PhaseReopening.objects.filter(
            participant=OuterRef("pk"), kind=Phase.MANAGER_REVIEW
        )
        managers = (
            CycleParticipant.objects.filter(
                cycle_id=cycle_id,
                manager__status=Person.Status.ACTIVE,
                manager__user__is_active=True,
            )
            .filter(~Exists(reminded), ~work_done(Phase.MANAGER_REVIEW), ~Exists(reopened))
            .order_by("manager_id")
            .values_list("manager_id", "manager__time_zone")
            .distinct()
        )
        for manager_id, zone_name in managers:
            opens, closes = overdue_window(ends_on, _zone(zone_name))
            if opens <= now < closes:
                due.append((manager_id, key))
    return due


@transaction.atomic
def review_reminder_sweep(*, now: datetime | None = None) -> list[int]:
    """Record every review reminder due at ``now`` and queue their sending on commit;
    returns the ids this run recorded (running it again records nothing new)."""
    now = now or timezone.now()
    due = (
        review_reminders_due(now=now)
        + review_reminders_due(now=now, overdue=True)
        + manager_overdue_due(now=now)
    )
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
    cycle_id, phase = key.split(":", 2)[1:]
    return int(cycle_id), phase


def review_reminder_messages(deliveries: Sequence[Delivery]) -> dict[int, EmailMessage | None]:
    """Each pending reminder's e-mail (before the deadline, or overdue), or None when it
    is no longer wanted: the cycle is no longer running, the person left, submitted the
    work meanwhile, or the reminder's day passed where they live."""
    now = timezone.now()
    wanted_keys = {_parse(d.key) for d in deliveries}
    cycle_ids = {c for c, _k in wanted_keys}
    phases = {
        (p.cycle_id, p.kind): p
        for p in CyclePhase.objects.filter(
            cycle_id__in=cycle_ids,
            cycle__status=ReviewCycle.Status.LAUNCHED,
        ).select_related("cycle")
    }
    submitted = set(
        ReviewResponse.objects.filter(
            participant__cycle_id__in=cycle_ids,
            relationship=Relationship.SELF,
            submitted_at__isnull=False,
        ).values_list("participant__cycle_id", "participant__person_id")
    )
    # Managers who still owe a review (of someone whose phase HR did not reopen).
    owing = set(
        CycleParticipant.objects.filter(cycle_id__in=cycle_ids)
        .filter(~work_done(Phase.MANAGER_REVIEW))
        .exclude(reopenings__kind=Phase.MANAGER_REVIEW)
        .values_list("cycle_id", "manager_id")
    )
    messages: dict[int, EmailMessage | None] = {}
    for delivery in deliveries:
        cycle_id, kind = _parse(delivery.key)
        phase = phases.get((cycle_id, kind))
        person = delivery.person
        zone = _zone(person.time_zone)
        overdue = delivery.key.startswith(OVERDUE_PREFIX)
        done = (kind == Phase.SELF_ASSESSMENT and (cycle_id, person.pk) in submitted) or (
            kind == Phase.MANAGER_REVIEW and (cycle_id, person.pk) not in owing
        )
        live = (
            phase is not None
            and person.status == Person.Status.ACTIVE
            and not done
            and now < (overdue_window if overdue else reminder_window)(phase.ends_on, zone)[1]
        )
        messages[delivery.pk] = (
            reminder_message(person=person, phase=phase, overdue=overdue) if live else None
        )
    return messages


def nudge_messages(deliveries: Sequence[Delivery]) -> dict[int, EmailMessage | None]:
    """Each pending nudge's e-mail, or None when the work was submitted meanwhile or the
    cycle stopped running."""
    parsed: dict[int, tuple[int, str]] = {}
    for delivery in deliveries:
        _day, pid, kind_text = delivery.key.removeprefix(NUDGE_PREFIX).split(":", 2)
        parsed[delivery.pk] = (int(pid), kind_text)
    participants = {
        p.pk: p
        for p in CycleParticipant.objects.filter(
            pk__in={pid for pid, _p in parsed.values()},
            cycle__status=ReviewCycle.Status.LAUNCHED,
        ).select_related("cycle", "person")
    }
    done = set(
        ReviewResponse.objects.filter(
            participant_id__in=participants, submitted_at__isnull=False
        ).values_list("participant_id", "relationship")
    )
    phases = {
        (p.cycle_id, p.kind): p
        for p in CyclePhase.objects.filter(cycle_id__in={p.cycle_id for p in participants.values()})
    }
    messages: dict[int, EmailMessage | None] = {}
    for delivery in deliveries:
        participant_id, kind = parsed[delivery.pk]
        participant = participants.get(participant_id)
        relationship = Relationship.SELF if kind == Phase.SELF_ASSESSMENT else Relationship.MANAGER
        phase = phases.get((participant.cycle_id, kind)) if participant else None
        if participant is None or phase is None or (participant_id, relationship) in done:
            messages[delivery.pk] = None
            continue
        context = {
            "person": delivery.person,
            "reviewed": participant.person,
            "self": relationship == Relationship.SELF,
            "cycle": participant.cycle,
            "phase": Phase(kind).label,
            "ends_on": phase.ends_on,
            "url": settings.SITE_URL + reverse("reviews:review", args=[participant.pk]),
        }
        messages[delivery.pk] = _email("nudge", context, delivery.person)
    return messages


def _email(name: str, context: dict[str, object], person: Person) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"reviews/email/{name}_subject.txt", context).split())
        body = render_to_string(f"reviews/email/{name}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[person.email])


def reminder_message(
    *, person: Person, phase: CyclePhase | None, overdue: bool = False
) -> EmailMessage:
    assert phase is not None
    context = {
        "person": person,
        "cycle": phase.cycle,
        "phase": Phase(phase.kind).label,
        "ends_on": phase.ends_on,
        "overdue": overdue,
        "url": settings.SITE_URL + reverse("home"),
    }
    return _email("reminder", context, person)
