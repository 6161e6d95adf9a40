from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stride.access.models import AccessToken
from stride.access.schemas import TokenCreate
from stride.lib.forms import SchemaForm


class TokenForm(SchemaForm):
    schema = TokenCreate

    name = forms.CharField(label=_("Name"))
    scope = forms.ChoiceField(
        label=_("Scope"), choices=AccessToken.Scope.choices, initial=AccessToken.Scope.WRITE
    )
