"""Forms of the goal pages: they render fields and show errors; nothing here decides.

Each form is a ``SchemaForm``: what is posted is parsed by the same schema the API uses
(``goals.schemas``), and the services check the rest (whether an objective may align to
another, who may own it, what a key result's target must be); ``apply_service_errors``
copies their answer back onto the right field or formset row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from stride.access.viewer import Viewer
from stride.goals.models import KeyResult, Objective
from stride.goals.schemas import MAX_KEY_RESULTS, KeyResultCreate, ObjectiveCreate, ValueRecord
from stride.goals.selectors import may_set_company_objectives, owner_choices, parent_choices
from stride.lib.forms import SchemaForm, spread_service_errors
from stride.lib.scoring import quarter, shift_quarter
from stride.org.models import Person, Team
from stride.org.selectors import teams_visible_to

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
KR_FIELDS = ("title", "kind", "unit", "start", "target", "weight")
# Field names the schemas and the API use for what the form calls team, parent, owner.
REFS = {"team": "team_id", "parent": "parent_id", "owner": "owner_id"}


class ParentChoiceField(forms.ModelChoiceField[Objective]):
    def label_from_instance(self, obj: Objective) -> str:
        return (
            f"{obj.title} ({obj.get_level_display()}, {obj.owner.name}, {obj.period_end:%Y-%m-%d})"
        )


class ObjectiveForm(SchemaForm):
    schema = ObjectiveCreate
    field_names = REFS

    title = forms.CharField(label=_("Title"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=Objective.Level.choices, initial=Objective.Level.PERSONAL
    )
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        label=_("Team"),
        queryset=None,
        required=False,
        empty_label=_("No team"),
        help_text=_("Needed for team objectives."),
    )
    parent = ParentChoiceField(
        label=_("Aligned to"),
        queryset=None,
        required=False,
        empty_label=_("Not aligned"),
        help_text=_("The company or team objective this one contributes to."),
    )
    period_start = forms.DateField(label=_("Period start"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Period end"), widget=DATE_WIDGET)
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Objective.Visibility.choices,
        initial=Objective.Visibility.PUBLIC,
        help_text=_(
            "Team: your team, your managers and HR. Private: only you, your managers and HR."
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=Objective.Status.choices, initial=Objective.Status.ON_TRACK
    )
    owner: forms.ModelChoiceField[Person] = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=None
    )

    def __init__(
        self,
        *args: Any,
        viewer: Viewer,
        today: date,
        objective: Objective | None = None,
        **kwargs: Any,
    ) -> None:
        if objective is None:
            this = quarter(today)
            kwargs.setdefault("initial", {"period_start": this.start, "period_end": this.end})
        else:
            kwargs.setdefault(
                "initial",
                {
                    "title": objective.title,
                    "description": objective.description,
                    "level": objective.level,
                    "team": objective.team_id,
                    "parent": objective.parent_id,
                    "period_start": objective.period_start,
                    "period_end": objective.period_end,
                    "visibility": objective.visibility,
                    "status": objective.status,
                    "owner": objective.owner_id,
                },
            )
        super().__init__(*args, **kwargs)
        self.objective = objective
        owner = objective.owner if objective is not None else viewer.person
        self.fields["team"].queryset = teams_visible_to(viewer).order_by("name")  # type: ignore[attr-defined]
        # Offer only the levels the viewer may choose (the service holds the same rule).
        keeps_company = objective is not None and objective.level == Objective.Level.COMPANY
        if not (may_set_company_objectives(viewer) or keeps_company):
            self.fields["level"].choices = [  # type: ignore[attr-defined]
                choice for choice in Objective.Level.choices if choice[0] != Objective.Level.COMPANY
            ]
        self.fields["parent"].queryset = parent_choices(  # type: ignore[attr-defined]
            viewer, today=today, owner=owner, editing=objective
        )
        owners = owner_choices(viewer)
        # Only managers and HR admins choose an owner; everyone else owns what they write.
        if viewer.is_hr_admin or len(owners[:2]) > 1:
            self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
            if objective is None and viewer.person is not None:
                self.fields["owner"].initial = viewer.person.pk
        else:
            del self.fields["owner"]
        this = quarter(today)
        following = quarter(shift_quarter(this.start or today, 1))
        self.quick_picks = [
            (_("This quarter"), this.start, this.end),
            (_("Next quarter"), following.start, following.end),
        ]

    def service_fields(self) -> dict[str, Any]:
        """The parsed fields under the schema's names (``team_id``…), for
        ``services.with_refs``; the owner only when the form offers a choice of owner."""
        assert self.parsed is not None
        out = self.parsed.model_dump(exclude={"key_results"})
        if "owner" not in self.fields or out.get("owner_id") is None:
            out.pop("owner_id", None)
        return out

    def changes(self, resolved: dict[str, Any]) -> dict[str, Any]:
        """For an edit: only the fields (resolved to objects by ``services.with_refs``)
        whose value differs from the objective's."""
        assert self.objective is not None
        changed = {
            name: value
            for name, value in resolved.items()
            if getattr(self.objective, name) != value
        }
        # An alignment the editor cannot see is not offered in the select, so the form
        # posts no parent; that is not a wish to remove it.
        parent_id = self.objective.parent_id
        offered = self.fields["parent"].queryset.filter(pk=parent_id).exists()  # type: ignore[attr-defined]
        if parent_id is not None and not offered and changed.get("parent", False) is None:
            del changed["parent"]
        return changed


class KeyResultForm(SchemaForm):
    schema = KeyResultCreate

    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label=_("Key result"))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=KeyResult.Kind.choices, initial=KeyResult.Kind.NUMBER
    )
    unit = forms.CharField(
        label=_("Unit"),
        required=False,
        help_text=_("For example: customers, hours, EUR (currency needs an ISO code)."),
    )
    start = forms.DecimalField(label=_("Start value"), required=False, initial=0)
    target = forms.DecimalField(label=_("Target"), required=False)
    weight = forms.DecimalField(label=_("Weight"), initial=1)

    def service_kwargs(self) -> dict[str, Any]:
        assert self.parsed is not None
        data = self.parsed.model_dump()
        return {name: data.get(name) for name in KR_FIELDS}

    def parsed_key_result(self) -> KeyResultCreate:
        assert isinstance(self.parsed, KeyResultCreate)
        return self.parsed


class BaseKeyResultFormSet(forms.BaseFormSet[KeyResultForm]):
    deletion_widget = forms.CheckboxInput

    def add_fields(self, form: KeyResultForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this key result")

    def service_rows(self) -> tuple[list[dict[str, Any]], list[int]]:
        """The rows to send to the service, and for each the index of its form (so the
        service's ``key_results.i.field`` errors find their way back)."""
        rows: list[dict[str, Any]] = []
        form_index: list[int] = []
        for index, form in enumerate(self.forms):
            existing = form.cleaned_data.get("id") if form.cleaned_data else None
            if self.can_delete and form.cleaned_data.get("DELETE"):
                if existing:
                    rows.append({"id": existing, "delete": True})
                    form_index.append(index)
                continue
            if not form.has_changed() and not existing:
                continue  # an untouched blank row
            row = form.service_kwargs()
            if existing:
                row["id"] = existing
            rows.append(row)
            form_index.append(index)
        return rows, form_index


KeyResultFormSet: type[BaseKeyResultFormSet] = forms.formset_factory(  # type: ignore[assignment]
    KeyResultForm,
    formset=BaseKeyResultFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_KEY_RESULTS,
    validate_max=True,
)


def key_result_initial(objective: Objective) -> list[dict[str, Any]]:
    return [
        {
            "id": kr.pk,
            "title": kr.title,
            "kind": kr.kind,
            "unit": kr.unit,
            "start": kr.start.normalize(),
            "target": kr.target.normalize(),
            "weight": kr.weight.normalize(),
        }
        for kr in objective.key_results.all()
    ]


def with_extra_row(data: Any, prefix: str) -> dict[str, Any]:
    """A copy of posted formset data with room for one more row ("Add a key result")."""
    copy = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(copy.get(key, 0))
    except (TypeError, ValueError):
        total = 0
    if total < MAX_KEY_RESULTS:
        copy[key] = str(total + 1)
        # The new row starts with the same defaults an unbound one shows, so it counts as
        # untouched (and is skipped) unless something is typed into it.
        for name, value in (("kind", KeyResult.Kind.NUMBER), ("start", "0"), ("weight", "1")):
            copy[f"{prefix}-{total}-{name}"] = value
    return copy


class KeyResultValueForm(SchemaForm):
    schema = ValueRecord

    def cleaned_data_for_service(self) -> dict[str, Any]:
        assert isinstance(self.parsed, ValueRecord)
        return self.parsed.model_dump(exclude={"at"})

    value = forms.DecimalField(label=_("New value"))
    confidence = forms.IntegerField(
        label=_("Confidence (0–10)"),
        required=False,
        help_text=_("How sure are you the target will be reached? 0 no chance, 10 certain."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def apply_service_errors(
    exc: ValidationError,
    form: SchemaForm,
    formset: BaseKeyResultFormSet | None = None,
    form_index: list[int] | None = None,
) -> None:
    """Put a service's field errors on the form field (or formset row) they name; errors
    naming no field on the page go to the form as a whole."""
    rows: dict[str, list[SchemaForm]] = {}
    if formset is not None:
        order = form_index if form_index is not None else list(range(len(formset.forms)))
        rows["key_results"] = [formset.forms[i] for i in order if i < len(formset.forms)]
    spread_service_errors(exc, form, rows)
