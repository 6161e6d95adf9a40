from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stride.access.models import AccessToken


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(
        label=_("Scope"), choices=AccessToken.Scope.choices, initial=AccessToken.Scope.WRITE
    )
