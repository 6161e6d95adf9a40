"""Weekly check-in reminders, sent at each person's own local day and time.

Invariant: at most one reminder per person per ISO week (the week in the person's own time
zone), and at least one for everyone due who has not checked in. "At most one" is kept by
``Delivery``'s unique (person, key) constraint: a sweep records the rows in its transaction
and only the sweep whose insert went in queues them. "At least one" is kept by the outbox
(``stride.notify.outbox``): each message is claimed and stamped on its own, and a worker
killed mid-batch leaves the rest pending for the recovery job. This module decides who is
due and what the message says; the sending belongs to ``notify``, which calls
``checkin_reminder_messages`` through the kind registered in ``GoalsConfig.ready()``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import BooleanField, Exists, IntegerField, OuterRef, Q, TimeField, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from stride.goals.models import CheckIn, CheckInPreference
from stride.lib.weeks import iso_label, parse_iso_week, week_start
from stride.notify.models import Delivery
from stride.notify.outbox import deliveries_enqueue_on_commit, deliveries_record
from stride.org.models import Person

logger = logging.getLogger(__name__)

KEY_PREFIX = "checkin-reminder:"
# People without a CheckInPreference row get what the model's defaults say.
DEFAULT_WEEKDAY = int(CheckInPreference.Weekday.FRIDAY)
DEFAULT_TIME = time(15, 0)


def reminder_key(monday: date) -> str:
    return f"{KEY_PREFIX}{iso_label(monday)}"


@dataclass(frozen=True)
class LocalClock:
    """What the wall clock says where a group of people live."""

    week_start: date
    weekday: int
    time: time


@dataclass(frozen=True)
class DueReminder:
    person_id: int
    week_start: date


def people_who_can_be_reminded(prefix: str = "") -> Q:
    """Active people with a working login (through ``prefix``): those who left, are on
    leave or cannot sign in are not asked to write a check-in."""
    return Q(
        **{
            f"{prefix}status": Person.Status.ACTIVE,
            f"{prefix}user__isnull": False,
            f"{prefix}user__is_active": True,
        }
    )


def local_clocks(now: datetime, zones: Sequence[str]) -> dict[str, LocalClock]:
    """Each zone's local week, weekday and time at ``now``; unknown zone names are skipped
    (and logged) rather than stopping everyone else's reminders."""
    clocks: dict[str, LocalClock] = {}
    for name in zones:
        try:
            local = now.astimezone(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("Skipping check-in reminders for unknown time zone %r", name)
            continue
        clocks[name] = LocalClock(
            week_start=week_start(local.date()),
            weekday=local.weekday(),
            time=local.time().replace(microsecond=0),
        )
    return clocks


def checkin_reminders_due(*, now: datetime) -> list[DueReminder]:
    """Everyone whose reminder is due at ``now`` and who has neither checked in nor been
    reminded this week. Two queries, however many people: the distinct time zones, then one
    query whose filter groups the zones that share a local clock."""
    eligible = Person.objects.filter(people_who_can_be_reminded())
    zones = list(eligible.order_by().values_list("time_zone", flat=True).distinct())
    clocks = local_clocks(now, zones)
    if not clocks:
        return []

    # Zones sharing a UTC offset share a clock, so the filter has one branch per offset
    # in use (a few dozen at most), not one per zone or per person.
    zones_by_clock: dict[LocalClock, list[str]] = defaultdict(list)
    for name, clock in clocks.items():
        zones_by_clock[clock].append(name)

    # At any instant the world's local dates span at most two ISO weeks.
    by_week: dict[date, Q] = {}
    for clock, names in zones_by_clock.items():
        due_now = Q(r_weekday__lt=clock.weekday) | Q(
            r_weekday=clock.weekday, r_time__lte=clock.time
        )
        by_week[clock.week_start] = by_week.get(clock.week_start, Q(pk__in=[])) | (
            Q(time_zone__in=names) & due_now
        )
    condition = Q(pk__in=[])
    for monday, zones_q in by_week.items():
        checked_in = CheckIn.objects.filter(person=OuterRef("pk"), week_start=monday)
        reminded = Delivery.objects.filter(person=OuterRef("pk"), key=reminder_key(monday))
        condition |= zones_q & ~Exists(checked_in) & ~Exists(reminded)

    rows = (
        eligible.annotate(
            r_weekday=Coalesce(
                "checkin_preference__reminder_weekday",
                Value(DEFAULT_WEEKDAY),
                output_field=IntegerField(),
            ),
            r_time=Coalesce(
                "checkin_preference__reminder_time",
                Value(DEFAULT_TIME),
                output_field=TimeField(),
            ),
            r_enabled=Coalesce(
                "checkin_preference__reminders_enabled",
                Value(True),
                output_field=BooleanField(),
            ),
        )
        .filter(condition, r_enabled=True)
        .order_by("pk")
        .values_list("pk", "time_zone")
    )
    return [DueReminder(person_id=pk, week_start=clocks[zone].week_start) for pk, zone in rows]


def deliveries_claim(*, due: Sequence[DueReminder], now: datetime) -> list[int]:
    """Record a Delivery for each due reminder, skipping any that another run already
    recorded; return the ids of the rows this call created — the only ones it may queue."""
    return deliveries_record(
        person_keys=[(d.person_id, reminder_key(d.week_start)) for d in due], now=now
    )


@transaction.atomic
def checkin_reminder_sweep(*, now: datetime | None = None) -> list[int]:
    """Record every check-in reminder due at ``now`` and, once the records are committed,
    queue their sending. Returns the ids of the deliveries this run recorded.

    Keeps the module's invariant: one reminder per person and week, queued only by the run
    that inserted its Delivery row."""
    now = now or timezone.now()
    due = checkin_reminders_due(now=now)
    delivery_ids = deliveries_claim(due=due, now=now)
    deliveries_enqueue_on_commit(delivery_ids)
    # Every minute finds no one most of the time; only a sweep that found someone is news.
    logger.log(
        logging.INFO if due else logging.DEBUG,
        "Check-in reminder sweep: %d due, %d claimed by this run",
        len(due),
        len(delivery_ids),
    )
    return delivery_ids


def _week_is_over(person: Person, monday: date, now: datetime) -> bool:
    try:
        zone = ZoneInfo(person.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date() > monday + timedelta(days=6)


def checkin_reminder_messages(deliveries: Sequence[Delivery]) -> dict[int, EmailMessage | None]:
    """For each pending reminder, its e-mail — or None when it is no longer wanted: the
    person checked in or stopped being eligible since the sweep (the queue may have
    waited), or the week is already over where they live (a reminder recovered after a
    long outage would only confuse). Two queries for the whole batch."""
    now = timezone.now()
    eligible = set(
        Person.objects.filter(
            people_who_can_be_reminded(), pk__in={d.person_id for d in deliveries}
        ).values_list("pk", flat=True)
    )
    weeks = {d.pk: parse_iso_week(d.key.removeprefix(KEY_PREFIX)) for d in deliveries}
    done = set(
        CheckIn.objects.filter(
            person_id__in={d.person_id for d in deliveries}, week_start__in=set(weeks.values())
        )
        .order_by()
        .values_list("person_id", "week_start")
    )
    messages: dict[int, EmailMessage | None] = {}
    for delivery in deliveries:
        monday = weeks[delivery.pk]
        wanted = (
            delivery.person_id in eligible
            and (delivery.person_id, monday) not in done
            and not _week_is_over(delivery.person, monday, now)
        )
        messages[delivery.pk] = (
            reminder_message(person=delivery.person, monday=monday) if wanted else None
        )
    return messages


def _settings_url() -> str | None:
    # The reminder names where to change it; a missing settings page must not stop the mail.
    try:
        return settings.SITE_URL + reverse("goals:checkin_settings")
    except NoReverseMatch:
        return None


def reminder_message(*, person: Person, monday: date) -> EmailMultiAlternatives:
    """The reminder e-mail (plain text with an HTML alternative) for ``monday``'s week."""
    iso = monday.isocalendar()
    context = {
        "person": person,
        "week_label": iso_label(monday),
        "week_number": iso.week,
        "week_year": iso.year,
        "week_start": monday,
        "week_end": monday + timedelta(days=6),
        "checkin_url": settings.SITE_URL + reverse("goals:checkin_form"),
        "settings_url": _settings_url(),
    }
    # People have no language of their own yet: the deployment's language is theirs.
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string("goals/email/checkin_reminder_subject.txt", context).split()
        )
        text = render_to_string("goals/email/checkin_reminder.txt", context)
        html = render_to_string("goals/email/checkin_reminder.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[person.email])
    message.attach_alternative(html, "text/html")
    return message
