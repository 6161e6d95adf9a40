"""Writes of weekly check-ins: submitting one, commenting on one, and check-in settings.

Invariants kept here (never in ``save()`` or signals):
- one check-in per person per ISO week, the week being the one ``now`` falls in where the
  person lives (``current_week_start(now, person.zone)``); submitting again in the same week
  updates that check-in, and the unique constraint on (person, week_start) backs this up
  when two submissions race;
- key-result values reported in a check-in go through ``key_result_record_value`` so every
  value change is appended to the key result's history and linked to the check-in;
- everything is validated before anything is written, inside one transaction, and audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stride.access.audit import audit_write, diff
from stride.access.viewer import Viewer
from stride.goals.checkins.schemas import KeyResultReport
from stride.goals.models import (
    CheckIn,
    CheckInComment,
    CheckInPreference,
    KeyResult,
    KeyResultUpdate,
)
from stride.goals.selectors import checkin_visibility_q
from stride.goals.services import key_result_record_value
from stride.lib.input import parse_items
from stride.lib.weeks import current_week_start, iso_label
from stride.org.models import Person


@dataclass(frozen=True)
class _KeyResultReport:
    key_result: KeyResult
    value: Decimal
    confidence: int | None
    note: str


def _check_kr_updates(
    person: Person, reports: Sequence[KeyResultReport], errors: dict[str, str]
) -> list[_KeyResultReport]:
    """The domain rules of the key-result part of a check-in, with one query: each names
    a key result of the person's own objectives, at most once, and a milestone's value is
    0 or 1. Errors are keyed ``kr_updates.<index>.<field>`` so a form or the API can point
    at the exact row."""
    # Only key results of the person's own objectives belong in their check-in; anyone
    # else's (even one they may edit as a manager) is refused as if it did not exist.
    mine = {
        kr.pk: kr
        for kr in KeyResult.objects.select_related("objective__owner").filter(
            pk__in=[r.key_result_id for r in reports], objective__owner_id=person.pk
        )
    }
    out: list[_KeyResultReport] = []
    seen: set[int] = set()
    for index, report in enumerate(reports):
        at = f"kr_updates.{index}"
        kr = mine.get(report.key_result_id)
        if kr is None:
            errors[f"{at}.key_result_id"] = _("None of your key results has this id.")
        elif report.key_result_id in seen:
            errors[f"{at}.key_result_id"] = _("This key result is already in the check-in.")
        seen.add(report.key_result_id)
        if (
            kr is not None
            and kr.kind == KeyResult.Kind.MILESTONE
            and report.value not in (Decimal(0), Decimal(1))
        ):
            errors[f"{at}.value"] = _("A milestone is either 0 (not yet) or 1 (done).")
        if kr is not None:
            out.append(_KeyResultReport(kr, report.value, report.confidence, report.note))
    return out


def _lock_or_create_checkin(
    person: Person, week: date, fields: dict[str, Any], now: datetime
) -> tuple[CheckIn, bool]:
    """This week's check-in of ``person``, locked for update, or a new one made of ``fields``.

    Two submissions racing for the same new week both try to insert; the loser's insert
    fails on the unique constraint inside a savepoint and it then updates the winner's row."""
    existing = CheckIn.objects.select_for_update().filter(person=person, week_start=week).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                person=person, week_start=week, submitted_at=now, updated_at=now, **fields
            )
        return checkin, True
    except IntegrityError:
        return CheckIn.objects.select_for_update().get(person=person, week_start=week), False


@transaction.atomic
def checkin_submit(
    *,
    viewer: Viewer,
    mood: int,
    progress: str = "",
    plans: str = "",
    problems: str = "",
    kr_updates: Sequence[KeyResultReport | Mapping[str, Any]] = (),
    now: datetime | None = None,
) -> CheckIn:
    """Write the viewer's check-in for the ISO week ``now`` falls in, in their own zone
    (the fields were parsed by ``CheckInSubmit``).

    A second submission in the same week updates the same check-in. Key-result updates
    must name key results of the viewer's own objectives; each is appended to that key
    result's history and linked to the check-in (an identical repeat of what this check-in
    already reported for a key result is not appended twice). Nothing is written unless
    every key-result update is acceptable."""
    person = viewer.require_person()
    now = now or timezone.now()
    errors: dict[str, str] = {}
    reports = _check_kr_updates(
        person, parse_items(KeyResultReport, kr_updates, field="kr_updates"), errors
    )
    if errors:
        raise ValidationError(errors)
    texts = {"progress": progress, "plans": plans, "problems": problems}
    mood_value = mood

    week = current_week_start(now, person.zone)
    fields: dict[str, Any] = {"mood": mood_value, **texts}
    checkin, created = _lock_or_create_checkin(person, week, fields, now)
    if created:
        changes: dict[str, Any] = {name: value for name, value in fields.items() if value}
    else:
        changes = diff(checkin, fields)
        for name, value in fields.items():
            setattr(checkin, name, value)
        checkin.updated_at = now
        checkin.save()

    reported = _latest_reported(checkin) if not created else {}
    recorded: list[dict[str, Any]] = []
    for index, report in enumerate(reports):
        previous = reported.get(report.key_result.pk)
        if previous == (report.value, report.confidence, report.note):
            continue
        try:
            key_result_record_value(
                viewer=viewer,
                key_result=report.key_result,
                value=report.value,
                confidence=report.confidence,
                note=report.note,
                checkin=checkin,
                at=now,
            )
        except ValidationError as exc:  # pragma: no cover - validated above; kept as a guard
            raise ValidationError(
                {f"kr_updates.{index}.{field}": msgs for field, msgs in exc.message_dict.items()}
            ) from exc
        recorded.append(
            {
                "key_result": report.key_result.pk,
                "value": report.value,
                "confidence": report.confidence,
            }
        )
    if recorded:
        changes["kr_updates"] = recorded
    audit_write(
        actor=viewer,
        action="checkin.submit" if created else "checkin.update",
        target=checkin,
        changes={"week": iso_label(week), **changes},
    )
    return checkin


def _latest_reported(checkin: CheckIn) -> dict[int, tuple[Decimal, int | None, str]]:
    """What this check-in last reported for each key result (newest entry wins)."""
    out: dict[int, tuple[Decimal, int | None, str]] = {}
    for update in KeyResultUpdate.objects.filter(checkin=checkin).order_by("at", "id"):
        out[update.key_result_id] = (update.value, update.confidence, update.note)
    return out


@transaction.atomic
def checkin_comment_add(*, viewer: Viewer, checkin: CheckIn, body: str) -> CheckInComment:
    """Add a comment to a check-in the viewer can see (anyone else gets 404).

    The author of the check-in is told by e-mail once the comment is committed, unless
    they wrote the comment themselves."""
    me = viewer.require_person()
    if not CheckIn.objects.filter(checkin_visibility_q(viewer), pk=checkin.pk).exists():
        raise Http404
    text = body.strip()
    if not text:
        raise ValidationError({"body": _("Write a comment first.")})
    comment = CheckInComment.objects.create(
        checkin=checkin, author=me, body=text, created_at=timezone.now()
    )
    audit_write(
        actor=viewer,
        action="checkin_comment.create",
        target=comment,
        changes={"checkin": checkin.pk, "body": text},
    )
    author = checkin.person
    if author.pk != me.pk and author.email and author.status != Person.Status.LEFT:
        # robust: a mail server that is down must not turn a saved comment into an error.
        transaction.on_commit(
            lambda: _mail_comment(
                to=author.email, commenter=me.name, week=checkin.iso_week, checkin_id=checkin.pk
            ),
            robust=True,
        )
    return comment


def _mail_comment(*, to: str, commenter: str, week: str, checkin_id: int) -> None:
    link = settings.SITE_URL + reverse("goals:checkin_detail", args=[checkin_id])
    subject = _("%(name)s commented on your check-in for %(week)s") % {
        "name": commenter,
        "week": week,
    }
    body = _(
        "%(name)s left a comment on your weekly check-in for %(week)s.\n\n"
        "Read it and reply: %(link)s\n"
    ) % {"name": commenter, "week": week, "link": link}
    # The comment itself stays in Stride, behind the login: e-mail is easily forwarded.
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def checkin_preference_for(person: Person) -> CheckInPreference:
    """The person's settings, or unsaved defaults when they never changed them."""
    pref = CheckInPreference.objects.select_related("partner").filter(person_id=person.pk).first()
    return pref or CheckInPreference(person=person)


@transaction.atomic
def checkin_preference_update(
    *,
    viewer: Viewer,
    partner: Person | None,
    reminder_weekday: int,
    reminder_time: time,
    reminders_enabled: bool,
) -> CheckInPreference:
    """Set the viewer's accountability partner and reminder (day and time in their own
    zone). The partner, when given, is another active person; never the viewer."""
    me = viewer.require_person()
    errors: dict[str, str] = {}
    if partner is not None:
        if partner.pk == me.pk:
            errors["partner"] = _("Choose someone other than yourself.")
        elif partner.status != Person.Status.ACTIVE:
            errors["partner"] = _("Choose someone who currently works here.")
    weekday = reminder_weekday
    if errors:
        raise ValidationError(errors)
    pref = CheckInPreference.objects.select_for_update().filter(person_id=me.pk).first()
    created = pref is None
    if pref is None:
        pref = CheckInPreference(person=me)
    data: dict[str, Any] = {
        "partner": partner,
        "reminder_weekday": weekday,
        "reminder_time": reminder_time,
        "reminders_enabled": bool(reminders_enabled),
    }
    changes = diff(pref, data)
    if created or changes:
        for name, value in data.items():
            setattr(pref, name, value)
        pref.save()
        audit_write(
            actor=viewer,
            action="checkin_preference.update",
            target=pref,
            changes=changes if not created else data,
        )
    return pref
