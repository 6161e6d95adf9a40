"""Web forms that validate through the operation's input schema.

A ``SchemaForm``'s Django fields only render (label, widget, help text); its input is
parsed by the same schema class the API uses (``stride.lib.input.parse``), and the HTML
limits (``maxlength``, ``min``, ``max``, ``required``) are read from that schema too, so
each rule is written once. Fields the schema does not know (a formset's ``id`` and
``DELETE``) are cleaned by Django as usual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms.renderers import TemplatesSetting
from django.forms.utils import ErrorDict
from pydantic import BaseModel

from stride.lib.input import (
    InputProblem,
    InvalidInput,
    parse,
    problems_from_django,
)


class FormRenderer(TemplatesSetting):
    """The one way Stride renders a form (``FORM_RENDERER``): every field group
    (``{{ form.x.as_field_group }}``) is label, control, help text and errors in one wrapper
    element, and ``{{ form }}`` is those groups in order. Templates come from the project's
    template engine, so Stride's own templates override Django's widget templates."""

    form_template_name = "stride/forms/form.html"
    field_template_name = "stride/forms/field.html"


@cache
def _json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    # Built once per schema class, not on every form a page renders.
    return schema.model_json_schema()


def _property(schema: dict[str, Any], name: str) -> dict[str, Any]:
    prop: dict[str, Any] = schema.get("properties", {}).get(name, {})
    options = [p for p in prop.get("anyOf", []) if p.get("type") != "null"]
    if options:
        merged = dict(options[0])
        merged.update({k: v for k, v in prop.items() if k != "anyOf"})
        merged["nullable"] = True
        return merged
    return prop


class SchemaForm(forms.Form):
    """A form parsed by ``schema``. ``field_names`` maps a form field to the schema field
    it fills when their names differ (``team`` → ``team_id``). After ``is_valid()``,
    ``parsed`` holds the schema instance."""

    schema: ClassVar[type[BaseModel]]
    field_names: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parsed: BaseModel | None = None
        self._json_schema = _json_schema(self.schema)
        required = set(self._json_schema.get("required", []))
        for name, field in self.fields.items():
            target = self.schema_name(name)
            if target not in self.schema.model_fields:
                continue
            prop = _property(self._json_schema, target)
            field.required = target in required
            attrs = field.widget.attrs
            if "maxLength" in prop:
                attrs["maxlength"] = str(prop["maxLength"])
            for key, attr in (("minimum", "min"), ("maximum", "max")):
                if key in prop and isinstance(field.widget, forms.NumberInput):
                    attrs[attr] = str(prop[key])

    def schema_name(self, name: str) -> str:
        return self.field_names.get(name, name)

    def form_name(self, schema_name: str) -> str:
        for form_field, target in self.field_names.items():
            if target == schema_name:
                return form_field
        return schema_name

    def raw_input(self) -> dict[str, Any]:
        """What was posted, under the schema's names. An empty text box counts as empty
        text; an empty choice or number counts as null where the schema allows null, and
        otherwise as not given (so the schema's default, or "required", applies)."""
        out: dict[str, Any] = {}
        for name, field in self.fields.items():
            target = self.schema_name(name)
            if target not in self.schema.model_fields:
                continue
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if isinstance(field.widget, forms.CheckboxInput):
                out[target] = bool(value)
                continue
            if value is None:
                continue
            if isinstance(value, str) and not value.strip():
                prop = _property(self._json_schema, target)
                if prop.get("type") == "string" and "format" not in prop:
                    out[target] = value
                elif prop.get("nullable"):
                    out[target] = None
                continue
            out[target] = value
        return out

    def full_clean(self) -> None:
        self._errors = ErrorDict()
        self.cleaned_data: dict[str, Any] = {}
        if not self.is_bound or (self.empty_permitted and not self.has_changed()):
            return
        # Fields outside the schema (formset controls) are Django's to clean.
        for name, field in self.fields.items():
            if self.schema_name(name) in self.schema.model_fields:
                continue
            try:
                self.cleaned_data[name] = field.clean(
                    field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
                )
            except DjangoValidationError as exc:
                self.add_error(name, exc)
        try:
            self.parsed = parse(self.schema, self.raw_input())
        except InvalidInput as exc:
            self.add_problems(exc.problems)
        else:
            self.cleaned_data.update(self.parsed.model_dump())

    def add_problems(self, problems: Iterable[InputProblem]) -> None:
        """Put each problem on the field it names (the first part of its path), or on the
        form as a whole when no field here shows it."""
        for problem in problems:
            name = self.form_name(str(problem.loc[0])) if problem.loc else None
            self.add_error(name if name in self.fields else None, problem.msg)


def spread_problems(
    problems: Iterable[InputProblem],
    form: SchemaForm,
    rows: Mapping[str, Sequence[SchemaForm]] | None = None,
) -> None:
    """Put problems of a composed input on the forms that showed it: ``rows`` maps a
    list field of the schema (``key_results``) to the row forms that filled it, in order,
    so ``("key_results", 2, "target")`` lands on the third row's target field."""
    rows = rows or {}
    for problem in problems:
        head = problem.loc[0] if problem.loc else None
        if isinstance(head, str) and head in rows:
            index = problem.loc[1] if len(problem.loc) > 1 else None
            forms_for = rows[head]
            if isinstance(index, int) and 0 <= index < len(forms_for):
                forms_for[index].add_problems([InputProblem(problem.loc[2:], problem.msg)])
                continue
        form.add_problems([problem])


def spread_service_errors(
    exc: DjangoValidationError,
    form: SchemaForm,
    rows: Mapping[str, Sequence[SchemaForm]] | None = None,
) -> None:
    """``spread_problems`` for a service's domain ``ValidationError``."""
    spread_problems(problems_from_django(exc), form, rows)
