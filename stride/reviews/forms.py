"""Forms of the review pages: they render fields and show errors; nothing here decides.

Each is a ``SchemaForm`` parsed by the same schema as the API (``reviews.schemas``). The
question form also carries an anchored scale as a fixed set of rows (label, description):
the rows that are filled, from the top, become the scale's points 1 … n, so the builder
needs no JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stride.lib.forms import SchemaForm
from stride.lib.input import InputProblem
from stride.reviews.models import (
    PHASE_ORDER,
    Competency,
    JobLevel,
    Phase,
    QuestionKind,
    Relationship,
    TemplateQuestion,
)
from stride.reviews.schemas import (
    MAX_SCALE_POINTS,
    CompetencyIn,
    CycleCreate,
    JobLevelAssign,
    JobLevelIn,
    Nudge,
    PhaseReopen,
    QuestionIn,
    SectionIn,
    TemplateCreate,
)

WEIGHT_WIDGET = forms.NumberInput(attrs={"step": "0.01"})


class TemplateForm(SchemaForm):
    schema = TemplateCreate

    name = forms.CharField(label=_("Name"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    asks_potential = forms.BooleanField(
        label=_("Ask the manager for potential"),
        required=False,
        initial=True,
        help_text=_("Managers propose potential (low, moderate, high) beside the overall rating."),
    )


class SectionForm(SchemaForm):
    schema = SectionIn

    title = forms.CharField(label=_("Section title"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.DecimalField(
        label=_("Weight in the overall score"),
        initial=1,
        widget=WEIGHT_WIDGET,
        help_text=_("Compared with the other sections' weights; only rated questions count."),
    )


class QuestionForm(SchemaForm):
    schema = QuestionIn
    field_names = {"competency": "competency_id"}

    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    prompt = forms.CharField(label=_("Question"))
    help_text = forms.CharField(
        label=_("Help text"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    answered_by = forms.MultipleChoiceField(
        label=_("Answered by"),
        choices=Relationship.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    weight = forms.DecimalField(
        label=_("Weight within the section"),
        initial=1,
        widget=WEIGHT_WIDGET,
        help_text=_("Counts for ratings only."),
    )
    competency = forms.ChoiceField(
        label=_("Competency"),
        required=False,
        help_text=_("For a competency rating: its scale is the job levels."),
    )

    def __init__(self, *args: Any, competencies: Iterable[Competency] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competency"].choices = [("", _("None"))] + [  # type: ignore[attr-defined]
            (str(c.pk), c.name) for c in competencies
        ]
        for row in range(1, MAX_SCALE_POINTS + 1):
            self.fields[f"scale_{row}_label"] = forms.CharField(
                label=_("Point %(n)s label") % {"n": row}, required=False, max_length=100
            )
            self.fields[f"scale_{row}_description"] = forms.CharField(
                label=_("Point %(n)s description") % {"n": row}, required=False, max_length=2000
            )
        self._scale_rows: list[int] = []

    def scale_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (row, self[f"scale_{row}_label"], self[f"scale_{row}_description"])
            for row in range(1, MAX_SCALE_POINTS + 1)
        ]

    def raw_input(self) -> dict[str, Any]:
        out = super().raw_input()
        scale = []
        self._scale_rows = []
        for row in range(1, MAX_SCALE_POINTS + 1):
            label = (self.data.get(self.add_prefix(f"scale_{row}_label")) or "").strip()
            description = (self.data.get(self.add_prefix(f"scale_{row}_description")) or "").strip()
            if label or description:
                scale.append({"label": label, "description": description})
                self._scale_rows.append(row)
        out["scale"] = scale
        return out

    def add_problems(self, problems: Iterable[InputProblem]) -> None:
        rest = []
        for problem in problems:
            loc = problem.loc
            if (
                len(loc) >= 3
                and loc[0] == "scale"
                and isinstance(loc[1], int)
                and 0 <= loc[1] < len(self._scale_rows)
            ):
                name = f"scale_{self._scale_rows[loc[1]]}_{loc[2]}"
                if name in self.fields:
                    self.add_error(name, problem.msg)
                    continue
            rest.append(problem)
        super().add_problems(rest)


def question_initial(question: TemplateQuestion) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "kind": question.kind,
        "prompt": question.prompt,
        "help_text": question.help_text,
        "weight": question.weight,
        "answered_by": question.answered_by,
        "competency": str(question.competency_id or ""),
    }
    for point in question.points.all():
        initial[f"scale_{point.value}_label"] = point.label
        initial[f"scale_{point.value}_description"] = point.description
    return initial


class JobLevelForm(SchemaForm):
    schema = JobLevelIn

    name = forms.CharField(label=_("Job level"))
    rank = forms.IntegerField(label=_("Rank"), help_text=_("1 is the most junior level."))
    description = forms.CharField(label=_("Description"), required=False)


class CompetencyForm(SchemaForm):
    """A competency with one description box per job level."""

    schema = CompetencyIn

    name = forms.CharField(label=_("Competency"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, job_levels: Sequence[JobLevel] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job_levels = list(job_levels)
        for level in self.job_levels:
            self.fields[f"level_{level.pk}"] = forms.CharField(
                label=_("At %(level)s") % {"level": level.name},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def level_fields(self) -> list[forms.BoundField]:
        return [self[f"level_{level.pk}"] for level in self.job_levels]

    def raw_input(self) -> dict[str, Any]:
        out = super().raw_input()
        out["levels"] = [
            {
                "job_level_id": level.pk,
                "description": self.data.get(self.add_prefix(f"level_{level.pk}")) or "",
            }
            for level in self.job_levels
        ]
        return out


def competency_initial(competency: Competency) -> dict[str, Any]:
    initial: dict[str, Any] = {"name": competency.name, "description": competency.description}
    for level in competency.levels.all():
        initial[f"level_{level.job_level_id}"] = level.description
    return initial


class JobLevelAssignForm(SchemaForm):
    schema = JobLevelAssign
    field_names = {"job_level": "job_level_id"}

    job_level = forms.ChoiceField(label=_("Job level"), required=False)

    def __init__(self, *args: Any, job_levels: Sequence[JobLevel] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job_level"].choices = [("", _("Not set"))] + [  # type: ignore[attr-defined]
            (str(level.pk), f"{level.rank}. {level.name}") for level in job_levels
        ]


class PersonLookupForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the person"), required=False)


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CycleForm(SchemaForm):
    """A new cycle: template, who takes part, and the six phases' dates (one row each, in
    the order they run)."""

    schema = CycleCreate
    field_names = {"template": "template_id", "teams": "team_ids"}

    name = forms.CharField(label=_("Name"))
    template = forms.ChoiceField(label=_("Template"))
    teams = forms.MultipleChoiceField(
        label=_("Teams"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to include every team."),
    )
    hired_before = forms.DateField(label=_("Hired before"), required=False, widget=DATE_WIDGET)
    statuses = forms.MultipleChoiceField(
        label=_("Status"),
        choices=[("active", _("Active")), ("on_leave", _("On leave"))],
        initial=["active"],
        widget=forms.CheckboxSelectMultiple,
    )
    min_peers = forms.IntegerField(label=_("Fewest peers to nominate"), initial=3)
    max_peers = forms.IntegerField(label=_("Most peers"), initial=8)

    def __init__(
        self,
        *args: Any,
        templates: Iterable[Any] = (),
        teams: Iterable[Any] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(str(t.pk), t.name) for t in templates]  # type: ignore[attr-defined]
        self.fields["teams"].choices = [(str(t.pk), t.name) for t in teams]  # type: ignore[attr-defined]
        for kind, label in Phase.choices:
            self.fields[f"{kind}_starts_on"] = forms.DateField(
                label=_("%(phase)s starts") % {"phase": label}, widget=DATE_WIDGET
            )
            self.fields[f"{kind}_ends_on"] = forms.DateField(
                label=_("%(phase)s ends") % {"phase": label}, widget=DATE_WIDGET
            )

    def phase_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(label), self[f"{kind}_starts_on"], self[f"{kind}_ends_on"])
            for kind, label in Phase.choices
        ]

    def full_clean(self) -> None:
        # The phase fields are the schema's (``phases``): parsed there, not by Django.
        for name in self.fields:
            if name.endswith(("_starts_on", "_ends_on")):
                self.fields[name].required = False
        super().full_clean()
        for name in list(self.cleaned_data):
            if name.endswith(("_starts_on", "_ends_on")):
                del self.cleaned_data[name]

    def raw_input(self) -> dict[str, Any]:
        out = super().raw_input()
        # An empty date box means "no date" (SchemaForm keeps empty text for text-typed
        # schema fields, and a date is text in the document).
        if not (out.get("hired_before") or "").strip():
            out["hired_before"] = None
        out["phases"] = [
            {
                "kind": kind,
                "starts_on": self.data.get(self.add_prefix(f"{kind}_starts_on")) or None,
                "ends_on": self.data.get(self.add_prefix(f"{kind}_ends_on")) or None,
            }
            for kind in PHASE_ORDER
        ]
        return out

    def add_problems(self, problems: Iterable[InputProblem]) -> None:
        rest = []
        for problem in problems:
            loc = problem.loc
            if len(loc) >= 3 and loc[0] == "phases" and isinstance(loc[1], int):
                name = f"{PHASE_ORDER[loc[1]]}_{loc[2]}" if loc[1] < len(PHASE_ORDER) else ""
                if name in self.fields:
                    self.add_error(name, problem.msg)
                    continue
            rest.append(problem)
        super().add_problems(rest)


class ReopenForm(SchemaForm):
    schema = PhaseReopen

    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    until = forms.DateField(label=_("Open until"), widget=DATE_WIDGET)


class NudgeForm(SchemaForm):
    schema = Nudge

    phase = forms.ChoiceField(
        label=_("Phase"),
        choices=[(p, Phase(p).label) for p in (Phase.SELF_ASSESSMENT, Phase.MANAGER_REVIEW)],
    )
