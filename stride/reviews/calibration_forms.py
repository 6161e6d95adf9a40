"""Forms of the calibration page, parsed by the same schemas as the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stride.lib.forms import SchemaForm
from stride.reviews.models import CalibrationReaction, OverallRating, Potential
from stride.reviews.schemas import CalibrateIn, ReactionIn


class ReactionForm(SchemaForm):
    schema = ReactionIn

    reaction = forms.ChoiceField(
        label=_("Your reaction"),
        choices=CalibrationReaction.Reaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 1}),
    )


class CalibrateForm(SchemaForm):
    schema = CalibrateIn

    rating = forms.TypedChoiceField(
        label=_("Final rating"), choices=OverallRating.choices, coerce=int
    )
    potential = forms.TypedChoiceField(
        label=_("Final potential"),
        choices=[("", _("(unchanged)")), *Potential.choices],
        coerce=int,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason (the manager reads it)"), widget=forms.Textarea(attrs={"rows": 2})
    )
