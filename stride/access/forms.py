from __future__ import annotations

from allauth.account.forms import ResetPasswordKeyForm
from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from stride.access.models import AccessToken
from stride.access.schemas import TokenCreate
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
