from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from stride.access.models import AccessToken, AuditEntry
from stride.access.selectors import AUDIT_EARLIEST, AUDIT_LATEST, AuditFilters


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(
        label=_("Scope"), choices=AccessToken.Scope.choices, initial=AccessToken.Scope.WRITE
    )


class AuditFilterForm(forms.Form):
    """The audit page's filters (a GET form); the API takes the same ones as parameters."""

    actor = forms.CharField(
        label=_("Actor e-mail"),
        max_length=254,
        required=False,
        help_text=_("Who acted, by e-mail address."),
    )
    action = forms.CharField(
        label=_("Action"),
        max_length=64,
        required=False,
        help_text=_("For example objective.read_private, checkin.read or checkin.update."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Writes and reads")), *AuditEntry.Kind.choices],
    )
    target_type = forms.CharField(
        label=_("Target type"),
        max_length=64,
        required=False,
        help_text=_("For example goals.objective or goals.checkin."),
    )
    target_id = forms.CharField(
        label=_("Target id"),
        max_length=64,
        required=False,
        help_text=_("Also finds lists that showed this record among others."),
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(AUDIT_EARLIEST), MaxValueValidator(AUDIT_LATEST)],
    )
    until = forms.DateField(
        label=_("To (included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(AUDIT_EARLIEST), MaxValueValidator(AUDIT_LATEST)],
    )

    def filters(self) -> AuditFilters:
        """The filters of the fields that are valid (an invalid one shows its error and
        narrows nothing)."""
        data = getattr(self, "cleaned_data", {})
        return AuditFilters(
            actor_email=data.get("actor") or None,
            action=data.get("action") or None,
            kind=data.get("kind") or None,
            target_type=data.get("target_type") or None,
            target_id=data.get("target_id") or None,
            since=data.get("since"),
            until=data.get("until"),
        )
