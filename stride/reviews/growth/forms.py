"""The development-plan item form: rendered by Django, parsed by the API's schema."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stride.lib.forms import SchemaForm
from stride.reviews.growth.schemas import DevelopmentItemIn
from stride.reviews.models import DevelopmentItem, ReviewCycle

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DevelopmentItemForm(SchemaForm):
    schema = DevelopmentItemIn
    field_names = {"cycle": "cycle_id"}

    growth_area = forms.CharField(label=_("Growth area"))
    actions = forms.CharField(
        label=_("Actions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What will be done, and with whose help."),
    )
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(label=_("Status"), choices=DevelopmentItem.Status.choices)
    cycle = forms.ChoiceField(label=_("From the review"), required=False)

    def __init__(self, *args: Any, cycles: Iterable[ReviewCycle] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [("", _("None"))] + [  # type: ignore[attr-defined]
            (str(c.pk), c.name) for c in cycles
        ]

    def raw_input(self) -> dict[str, Any]:
        out = super().raw_input()
        # An empty date box means "no due date" (a date is text in the schema's document).
        if not (out.get("due_on") or "").strip():
            out["due_on"] = None
        return out


def item_initial(item: DevelopmentItem) -> dict[str, Any]:
    return {
        "growth_area": item.growth_area,
        "actions": item.actions,
        "due_on": item.due_on,
        "status": item.status,
        "cycle": str(item.cycle_id) if item.cycle_id else "",
    }
