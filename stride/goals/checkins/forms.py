"""HTML forms of the check-in pages. They render; what is posted is parsed by the same
schemas the API uses (``checkins.schemas``), and ``checkins.services`` checks the rest,
its field errors copied back onto these forms."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from stride.goals.checkins.schemas import (
    CheckInSettings,
    CheckInSubmit,
    CommentCreate,
    KeyResultReport,
)
from stride.goals.checkins.selectors import KeyResultRow
from stride.goals.models import CheckIn, CheckInPreference, KeyResult
from stride.lib.forms import SchemaForm

MOOD_CHOICES = [
    (CheckIn.Mood.AWFUL.value, _("1 — Awful")),
    (CheckIn.Mood.BAD.value, _("2 — Bad")),
    (CheckIn.Mood.OKAY.value, _("3 — Okay")),
    (CheckIn.Mood.GOOD.value, _("4 — Good")),
    (CheckIn.Mood.GREAT.value, _("5 — Great")),
]


class CheckInForm(SchemaForm):
    schema = CheckInSubmit

    mood = forms.TypedChoiceField(
        label=_("How was your week?"),
        choices=MOOD_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a mood from 1 (awful) to 5 (great).")},
    )
    progress = forms.CharField(
        label=_("Progress"),
        help_text=_("What did you get done this week?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    plans = forms.CharField(
        label=_("Plans"),
        help_text=_("What will you do next week?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    problems = forms.CharField(
        label=_("Problems"),
        help_text=_("Is anything in your way? Who could help?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def initial_for(cls, checkin: CheckIn | None) -> dict[str, Any]:
        if checkin is None:
            return {}
        return {
            "mood": checkin.mood,
            "progress": checkin.progress,
            "plans": checkin.plans,
            "problems": checkin.problems,
        }


class KeyResultRowForm(SchemaForm):
    """One key result's line on the check-in form; its prefix carries the key result id."""

    schema = KeyResultReport

    value = forms.CharField(label=_("New value"), required=False)
    confidence = forms.IntegerField(
        label=_("Confidence (0–10)"),
        required=False,
        help_text=_("How sure are you of reaching the target? 0 = no chance, 10 = certain."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.TextInput())
    # Not part of ``KeyResultReport``: it only decides whether an unchanged row is recorded.
    confirmed = forms.BooleanField(
        label=_("Confirmed"),
        required=False,
        help_text=_("Tick to record the value again as it is, to say it still holds."),
    )

    def __init__(self, *args: Any, row: KeyResultRow, **kwargs: Any) -> None:
        kr = row.key_result
        kwargs.setdefault("prefix", f"kr-{kr.pk}")
        kwargs.setdefault(
            "initial",
            {"value": _plain(kr.current), "confidence": row.confidence, "note": row.note},
        )
        super().__init__(*args, **kwargs)
        self.row = row
        value = self.fields["value"]
        if kr.kind == KeyResult.Kind.MILESTONE:
            value.widget = forms.Select(choices=[("0", _("Not yet")), ("1", _("Done"))])
        else:
            value.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        self.fields["confidence"].widget.attrs.update({"min": 0, "max": 10, "step": 1})

    @property
    def key_result(self) -> KeyResult:
        return self.row.key_result

    def raw_input(self) -> dict[str, Any]:
        return {**super().raw_input(), "key_result_id": self.key_result.pk}

    def is_blank(self) -> bool:
        """Nothing typed in the row: it is left out of the check-in."""
        data = self.raw_input()
        return all(data.get(name) in (None, "") for name in ("value", "confidence", "note"))

    def is_confirmed(self) -> bool:
        widget = self.fields["confirmed"].widget
        return bool(widget.value_from_datadict(self.data, self.files, self.add_prefix("confirmed")))

    def changed(self) -> bool:
        """The posted value, confidence or note differs from what the form showed (the key
        result's current value, its last confidence, this week's note). Numbers compare by
        value (``12.50`` is ``12.5``), notes without surrounding spaces; anything that does
        not read as a number counts as changed, so the schema reports it on the row."""
        data = self.raw_input()
        shown = self.initial
        if not _same_number(data.get("value"), shown.get("value")):
            return True
        if not _same_number(data.get("confidence"), shown.get("confidence")):
            return True
        return str(data.get("note") or "").strip() != str(shown.get("note") or "").strip()

    def is_reported(self) -> bool:
        """Whether this row becomes part of the check-in: the one rule deciding it (the
        API's ``kr_updates`` are explicit and do not pass through here). A row is recorded
        when the person changed it or ticked "Confirmed"; a row left as shown, or emptied
        entirely, adds nothing to the key result's history. "Shown" is read again when the
        form is posted, so the history is compared with what it holds now."""
        if self.is_confirmed():
            return True
        return not self.is_blank() and self.changed()

    def as_update(self) -> KeyResultReport:
        assert isinstance(self.parsed, KeyResultReport)
        return self.parsed


def _same_number(posted: Any, shown: Any) -> bool:
    """Whether a posted number is the one shown (``12.50`` is ``12.5``; empty is empty). A
    text that is no number never is, so the schema gets to report it on the row."""

    def number(value: Any) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return Decimal(str(value).strip())

    try:
        return number(posted) == number(shown)
    except InvalidOperation:
        return False


def _plain(value: Any) -> str:
    """``12.5000`` → ``12.5``; ``3.0000`` → ``3`` (what a person would type)."""
    text = format(value.normalize(), "f") if value is not None else ""
    return text


class CommentForm(SchemaForm):
    schema = CommentCreate

    body = forms.CharField(label=_("Add a comment"), widget=forms.Textarea(attrs={"rows": 3}))


class PreferenceForm(SchemaForm):
    schema = CheckInSettings

    partner_email = forms.EmailField(
        label=_("Accountability partner"),
        required=False,
        widget=forms.EmailInput(attrs={"list": "partner-suggestions", "autocomplete": "off"}),
        help_text=_(
            "The e-mail address of a colleague who may read your check-ins and comment. "
            "Leave empty for none."
        ),
    )
    reminder_weekday = forms.TypedChoiceField(
        label=_("Reminder day"), choices=CheckInPreference.Weekday.choices, coerce=int
    )
    reminder_time = forms.TimeField(
        label=_("Reminder time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    reminders_enabled = forms.BooleanField(label=_("Send me reminders"), required=False)

    @classmethod
    def initial_for(cls, pref: CheckInPreference) -> dict[str, Any]:
        return {
            "partner_email": pref.partner.email if pref.partner_id and pref.partner else "",
            "reminder_weekday": pref.reminder_weekday,
            "reminder_time": pref.reminder_time,
            "reminders_enabled": pref.reminders_enabled,
        }


def copy_errors(
    form: SchemaForm, exc: ValidationError, mapping: dict[str, str] | None = None
) -> None:
    """Put a service's field errors on the form's fields (unknown fields: the whole form)."""
    mapping = mapping or {}
    for name, messages in exc.message_dict.items():
        target = mapping.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
