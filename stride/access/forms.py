from __future__ import annotations

from allauth.account.forms import ResetPasswordKeyForm
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from stride.access.models import AccessToken, AuditEntry
from stride.access.schemas import TokenCreate
from stride.access.selectors import AUDIT_EARLIEST, AUDIT_LATEST, AuditFilters
from stride.access.services import tokens_revoke_all
from stride.lib.forms import SchemaForm


class TokenForm(SchemaForm):
    schema = TokenCreate

    name = forms.CharField(label=_("Name"))
    scope = forms.ChoiceField(
        label=_("Scope"), choices=AccessToken.Scope.choices, initial=AccessToken.Scope.WRITE
    )


class PasswordResetKeyForm(ResetPasswordKeyForm):
    """The "choose a new password" step of a password reset (allauth's ``ACCOUNT_FORMS``
    extension point). A reset means someone else may know the old password, so the new
    password and the revocation of every personal access token land together."""

    @transaction.atomic
    def save(self) -> None:
        super().save()
        person = getattr(self.user, "person", None)
        if person is not None:
            tokens_revoke_all(owner=person, reason="password_reset")


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
