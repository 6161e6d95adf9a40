"""Sharing and sign-off: the manager shares a review, the person acknowledges it.

Rules (issue 7, item 9):

* The manager at the launch shares the review with the person once their manager's review
  is submitted and the cycle's sharing phase has begun (its first day, where the person
  lives), optionally with a meeting time and length. Sharing is once: a second try is
  refused (409). Sharing e-mails the person through the outbox (``SHARED_PREFIX``); when a
  meeting is set, the e-mail carries it as an ``.ics`` invitation (``meeting_ics``).
* The person acknowledges a shared review, with an optional comment, once (409 after).
  The manager sees the acknowledgement and the comment.
* The person sees the final rating and its reason only once the review is shared; the
  manager sees them always.

Reads take the viewer (``selectors.review_for_viewer`` decides who is a party: the person
and their manager at the launch; anyone else 404). Writes are audited in their transaction;
the comment is private text (the audit keeps only that it changed, ``apps.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stride.access.audit import audit_write
from stride.access.viewer import Viewer
from stride.notify.models import Delivery
from stride.notify.outbox import deliveries_enqueue_on_commit, deliveries_record
from stride.org.models import Person
from stride.reviews.models import (
    CycleParticipant,
    CyclePhase,
    OverallRating,
    Phase,
    Relationship,
    ReviewCycle,
    ReviewResponse,
)
from stride.reviews.selectors import ReviewRole

#: The outbox key of the e-mail telling the person their review is shared.
SHARED_PREFIX = "review-shared:"
#: How far ahead a meeting may be set.
MEETING_HORIZON = timedelta(days=366)


def shared_key(participant_id: int) -> str:
    return f"{SHARED_PREFIX}{participant_id}"


# --- reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignOff:
    """What the sign-off part of a review shows its viewer."""

    role: ReviewRole
    manager_submitted: bool
    sharing_starts_on: date | None
    can_share: bool  # the manager, now
    why_not: str  # why the manager cannot share yet ("" when they can or it is shared)

    @property
    def participant(self) -> CycleParticipant:
        return self.role.participant

    @property
    def is_manager(self) -> bool:
        return self.role.relationship == Relationship.MANAGER

    @property
    def shared(self) -> bool:
        return self.participant.shared_at is not None

    @property
    def acknowledged(self) -> bool:
        return self.participant.acknowledged_at is not None

    @property
    def can_acknowledge(self) -> bool:
        return not self.is_manager and self.shared and not self.acknowledged

    @property
    def shows_final(self) -> bool:
        """The final rating and its reason: the manager always, the person once shared."""
        return self.is_manager or self.shared

    @property
    def final_rating_label(self) -> str:
        rating = self.participant.final_rating
        return str(OverallRating(rating).label) if rating else ""

    @property
    def has_meeting(self) -> bool:
        return self.participant.meeting_at is not None

    @property
    def meeting_ends_at(self) -> datetime | None:
        return meeting_end(self.participant)

    @property
    def zone_name(self) -> str:
        """The viewer's time zone, in which the page shows the meeting."""
        who = self.participant.manager if self.is_manager else self.participant.person
        return who.time_zone if who is not None else "UTC"

    @property
    def pdf_allowed(self) -> bool:
        return self.is_manager or self.shared


def meeting_end(participant: CycleParticipant) -> datetime | None:
    if participant.meeting_at is None:
        return None
    return participant.meeting_at + timedelta(minutes=participant.meeting_minutes)


def _sharing_phase(participant: CycleParticipant) -> CyclePhase | None:
    return CyclePhase.objects.filter(cycle_id=participant.cycle_id, kind=Phase.SHARING).first()


def _manager_submitted(participant: CycleParticipant) -> bool:
    return ReviewResponse.objects.filter(
        participant=participant,
        relationship=Relationship.MANAGER,
        author_id=participant.manager_id,
        submitted_at__isnull=False,
    ).exists()


def _share_problem(
    participant: CycleParticipant,
    *,
    submitted: bool,
    phase: CyclePhase | None,
    now: datetime,
) -> str:
    """Why the review cannot be shared at ``now`` ("" when it can)."""
    if participant.shared_at is not None:
        return _("This review was already shared.")
    if participant.cycle.status != ReviewCycle.Status.LAUNCHED:
        return _("This review cycle is closed.")
    if not submitted:
        return _("Submit your review first: you can share it once it is submitted.")
    if phase is None:
        return _("This cycle has no sharing phase.")
    today = now.astimezone(participant.person.zone).date()
    if today < phase.starts_on:
        return _("You can share this review from %(day)s, when the sharing phase begins.") % {
            "day": phase.starts_on.isoformat()
        }
    return ""


def sign_off_for(role: ReviewRole, *, now: datetime) -> SignOff:
    """The sign-off state of a review for one of its parties (two queries)."""
    participant = role.participant
    submitted = _manager_submitted(participant)
    phase = _sharing_phase(participant)
    problem = _share_problem(participant, submitted=submitted, phase=phase, now=now)
    is_manager = role.relationship == Relationship.MANAGER
    return SignOff(
        role=role,
        manager_submitted=submitted,
        sharing_starts_on=phase.starts_on if phase else None,
        can_share=is_manager and not problem,
        why_not=problem if participant.shared_at is None else "",
    )


def meeting_for_viewer(role: ReviewRole) -> CycleParticipant:
    """The review whose meeting invitation a party downloads: 404 when no meeting is set
    or, for the person, before the review is shared."""
    participant = role.participant
    if participant.meeting_at is None:
        raise Http404
    if role.relationship != Relationship.MANAGER and participant.shared_at is None:
        raise Http404
    return participant


def pdf_for_viewer(role: ReviewRole) -> ReviewRole:
    """A review the viewer may export: the manager always, the person once shared."""
    if role.relationship != Relationship.MANAGER and role.participant.shared_at is None:
        raise Http404
    return role


# --- writes ------------------------------------------------------------------------------


def _locked(participant: CycleParticipant) -> CycleParticipant:
    return (
        CycleParticipant.objects.select_for_update(of=("self",))
        .select_related("cycle", "person", "manager")
        .get(pk=participant.pk)
    )


@transaction.atomic
def review_share(
    *,
    viewer: Viewer,
    role: ReviewRole,
    meeting_at: datetime | None = None,
    meeting_minutes: int = 30,
    now: datetime | None = None,
) -> CycleParticipant:
    """The manager shares the review with the person (``role`` from
    ``selectors.review_for_viewer``; the person gets 404), once their review is submitted
    and the sharing phase has begun; with an optional meeting, which must lie ahead (within
    a year). E-mails the person, with the meeting as a calendar invitation."""
    now = now or timezone.now()
    if role.relationship != Relationship.MANAGER or viewer.person_id is None:
        raise Http404
    participant = _locked(role.participant)
    if participant.manager_id != viewer.person_id:
        raise Http404
    problem = _share_problem(
        participant,
        submitted=_manager_submitted(participant),
        phase=_sharing_phase(participant),
        now=now,
    )
    if problem:
        raise ValidationError({"review": problem})
    if meeting_at is not None:
        if meeting_at <= now:
            raise ValidationError({"meeting_at": _("Choose a meeting time that is still ahead.")})
        if meeting_at > now + MEETING_HORIZON:
            raise ValidationError({"meeting_at": _("Choose a meeting time within a year.")})
    participant.shared_at = now
    participant.meeting_at = meeting_at
    participant.meeting_minutes = meeting_minutes
    participant.save(update_fields=["shared_at", "meeting_at", "meeting_minutes"])
    audit_write(
        actor=viewer,
        action="review.share",
        target=participant,
        changes={
            "shared_at": now,
            "meeting_at": meeting_at,
            "meeting_minutes": meeting_minutes if meeting_at else None,
        },
    )
    ids = deliveries_record(
        person_keys=[(participant.person_id, shared_key(participant.pk))], now=now
    )
    deliveries_enqueue_on_commit(ids)
    role.participant.__dict__.update(
        shared_at=now, meeting_at=meeting_at, meeting_minutes=meeting_minutes
    )
    return participant


@transaction.atomic
def review_acknowledge(
    *, viewer: Viewer, role: ReviewRole, comment: str = "", now: datetime | None = None
) -> CycleParticipant:
    """The person acknowledges their shared review, with an optional comment; once."""
    now = now or timezone.now()
    if role.relationship != Relationship.SELF or viewer.person_id is None:
        raise Http404
    participant = _locked(role.participant)
    if participant.person_id != viewer.person_id:
        raise Http404
    if participant.shared_at is None:
        raise ValidationError(
            {"review": _("Your manager has not shared this review with you yet.")}
        )
    if participant.acknowledged_at is not None:
        raise ValidationError({"review": _("You have already acknowledged this review.")})
    participant.acknowledged_at = now
    participant.acknowledgement = comment
    participant.save(update_fields=["acknowledged_at", "acknowledgement"])
    audit_write(
        actor=viewer,
        action="review.acknowledge",
        target=participant,
        changes={"acknowledged_at": now, "acknowledgement": comment},
    )
    role.participant.__dict__.update(acknowledged_at=now, acknowledgement=comment)
    return participant


# --- the calendar invitation -----------------------------------------------------------------


def _site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "stride.invalid"


def meeting_uid(participant: CycleParticipant) -> str:
    """One UID per review, so a calendar treats every copy as the same meeting."""
    return f"review-{participant.pk}@{_site_host()}"


def meeting_ics(participant: CycleParticipant) -> bytes:
    """The review meeting as an iCalendar invitation (RFC 5545 / 5546 ``REQUEST``): the
    manager organises, the person attends; times in UTC. ``participant`` has its person,
    manager and cycle loaded and a meeting set."""
    from icalendar import Calendar, Event, vCalAddress, vText

    start = participant.meeting_at
    end = meeting_end(participant)
    assert start is not None and end is not None
    person = participant.person
    manager = participant.manager
    url = settings.SITE_URL + reverse("reviews:review", args=[participant.pk])
    calendar = Calendar()
    calendar.add("prodid", "-//Stride//Reviews//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", meeting_uid(participant))
    event.add("dtstamp", (participant.shared_at or start).astimezone(UTC))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("sequence", 0)
    event.add("status", "CONFIRMED")
    event.add(
        "summary",
        _("Review meeting: %(person)s (%(cycle)s)")
        % {"person": person.name, "cycle": participant.cycle.name},
    )
    event.add(
        "description",
        _("Talk through the review of %(person)s for %(cycle)s.\n%(url)s")
        % {"person": person.name, "cycle": participant.cycle.name, "url": url},
    )
    event.add("url", url)
    if manager is not None:
        organizer = vCalAddress(f"mailto:{manager.email}")
        organizer.params["cn"] = vText(manager.name)
        event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["cn"] = vText(person.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("TRUE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def meeting_filename(participant: CycleParticipant) -> str:
    return f"review-{participant.pk}-meeting.ics"


# --- the e-mail ----------------------------------------------------------------------------


def shared_messages(deliveries: Sequence[Delivery]) -> dict[int, EmailMessage | None]:
    """Each pending "your review is shared" e-mail, with the meeting invitation attached
    when one is set; None when the person left or the review is no longer shared."""
    ids = {int(d.key.removeprefix(SHARED_PREFIX)) for d in deliveries}
    participants = {
        p.pk: p
        for p in CycleParticipant.objects.filter(pk__in=ids).select_related(
            "cycle", "person", "manager"
        )
    }
    messages: dict[int, EmailMessage | None] = {}
    for delivery in deliveries:
        participant = participants.get(int(delivery.key.removeprefix(SHARED_PREFIX)))
        wanted = (
            participant is not None
            and participant.shared_at is not None
            and participant.person_id == delivery.person_id
            and delivery.person.status != Person.Status.LEFT
        )
        messages[delivery.pk] = shared_message(participant) if wanted and participant else None
    return messages


def shared_message(participant: CycleParticipant) -> EmailMessage:
    from email.mime.text import MIMEText

    person = participant.person
    context = {
        "person": person,
        "manager": participant.manager,
        "cycle": participant.cycle,
        "meeting_at": participant.meeting_at.astimezone(person.zone)
        if participant.meeting_at
        else None,
        "meeting_minutes": participant.meeting_minutes,
        "zone": person.time_zone,
        "url": settings.SITE_URL + reverse("reviews:review", args=[participant.pk]),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("reviews/email/shared_subject.txt", context).split())
        body = render_to_string("reviews/email/shared.txt", context)
    message = EmailMessage(subject=subject, body=body, to=[person.email])
    if participant.meeting_at is not None:
        part = MIMEText(meeting_ics(participant).decode(), "calendar", "utf-8")
        part.set_param("method", "REQUEST")
        part.add_header("Content-Disposition", "attachment", filename=meeting_filename(participant))
        message.attach(part)
    return message
