"""Parsing input at the edge, and the one mapper from input problems to answers.

Every write operation has one input schema (``<app>/schemas.py``, built from
``stride.lib.fields``). The API handler receives it parsed by django-ninja; the web view
parses the posted form with the same schema through ``parse``. Problems — the schema's
and the service's domain errors alike — become ``InputProblem`` values, which
``api_detail`` turns into a 422 body and ``stride.lib.forms`` puts on form fields, so a
value gets the same verdict and the same message on a page and through the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pydantic
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

M = TypeVar("M", bound=pydantic.BaseModel)
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with the input: where (a path into the input) and what."""

    loc: Loc
    msg: str
    type: str = "value_error"


class InvalidInput(Exception):
    """Input that a schema refused; carries every problem found, not only the first."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        super().__init__(problems)
        self.problems = list(problems)


def parse(schema: type[M], data: Mapping[str, Any]) -> M:
    """``data`` (a form's values, a decoded JSON body) parsed into ``schema``; raises
    ``InvalidInput`` naming each field that is wrong."""
    try:
        return schema.model_validate(data)
    except pydantic.ValidationError as exc:
        raise InvalidInput(problems_from_pydantic(exc.errors(include_url=False))) from None


def parse_items(schema: type[M], rows: Iterable[M | Mapping[str, Any]], *, field: str) -> list[M]:
    """Items of a list field that code (not a page or the API) may pass as mappings:
    each is parsed by ``schema``, so in-process callers meet the same rules. Problems are
    raised as a domain ``ValidationError`` keyed ``<field>.<index>.<name>``."""
    out: list[M] = []
    errors: dict[str, str] = {}
    for index, row in enumerate(rows):
        if isinstance(row, schema):
            out.append(row)
            continue
        try:
            out.append(parse(schema, row))  # type: ignore[arg-type]
        except InvalidInput as exc:
            for problem in exc.problems:
                key = ".".join(str(part) for part in (field, index, *problem.loc))
                errors.setdefault(key, problem.msg)
    if errors:
        raise DjangoValidationError(errors)
    return out


# --- messages ------------------------------------------------------------------------------


def _n(value: Any) -> str:
    """A bound as people write it: ``10,000`` not ``Decimal('1E+4')``."""
    if isinstance(value, str):
        try:
            value = float(value.removeprefix("Decimal('").removesuffix("')"))
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and abs(value) >= 10**12:
        return f"10^{len(str(abs(value))) - 1}" if str(abs(value)).strip("0") == "1" else str(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def friendly_message(error: Mapping[str, Any]) -> str:
    """A message a person understands for one pydantic error (the API and the pages use
    the same text)."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    given = error.get("input", ...)
    if given is None and kind.endswith("_type"):
        return _("This field cannot be null; leave it out to keep its value.")
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("This field cannot be blank.")
        return _("Use at least %(n)s characters.") % {"n": _n(ctx.get("min_length"))}
    if kind == "string_too_long":
        return _("Use at most %(n)s characters.") % {"n": _n(ctx.get("max_length"))}
    if kind in {"string_type", "string_unicode"}:
        return _("Enter text.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"decimal_parsing", "decimal_type", "float_parsing", "float_type", "finite_number"}:
        return _("Enter a number.")
    if kind == "decimal_max_places":
        return _("Use at most %(n)s decimal places.") % {"n": ctx.get("decimal_places")}
    if kind in {"decimal_whole_digits", "decimal_max_digits"}:
        return _("This number is too large.")
    if kind == "greater_than_equal":
        return _("Enter %(n)s or more.") % {"n": _n(ctx.get("ge"))}
    if kind == "less_than_equal":
        return _("Enter %(n)s or less.") % {"n": _n(ctx.get("le"))}
    if kind == "greater_than":
        return _("Enter a number above %(n)s.") % {"n": _n(ctx.get("gt"))}
    if kind == "less_than":
        return _("Enter a number below %(n)s.") % {"n": _n(ctx.get("lt"))}
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind.startswith("date_") or kind == "date_type":
        return _("Enter a date (YYYY-MM-DD).")
    if kind.startswith("datetime_") or kind in {"timezone_aware", "timezone_naive"}:
        return _("Enter a date and time with its UTC offset, such as 2026-11-30T09:00:00+01:00.")
    if kind.startswith("time_"):
        return _("Enter a time such as 15:00.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind == "list_type":
        return _("Send a list.")
    if kind == "too_short":
        return _("Choose at least %(n)s.") % {"n": _n(ctx.get("min_length"))}
    if kind == "too_long":
        return _("Send at most %(n)s items.") % {"n": _n(ctx.get("max_length"))}
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return _("Send an object.")
    if kind == "extra_forbidden":
        return _("This field is not known here.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _clean_loc(loc: Iterable[Any]) -> Loc:
    # Union and validator branches add parts such as "function-after[...]": not fields.
    return tuple(
        part
        for part in loc
        if isinstance(part, int) or (isinstance(part, str) and "[" not in part and part != "")
    )


def problems_from_pydantic(errors: Iterable[Mapping[str, Any]]) -> list[InputProblem]:
    """Pydantic's errors as problems, one per field (the first message wins), in order."""
    seen: set[Loc] = set()
    out: list[InputProblem] = []
    for error in errors:
        loc = _clean_loc(error.get("loc", ()))
        if loc in seen:
            continue
        seen.add(loc)
        out.append(InputProblem(loc, friendly_message(error), str(error.get("type", ""))))
    return out


def problems_from_django(exc: DjangoValidationError) -> list[InputProblem]:
    """A service's ``ValidationError({"key_results.1.target": …})`` as problems; a key's
    dots are the path (numbers are list positions). Errors naming no field get an empty
    path (the input as a whole)."""
    if not hasattr(exc, "error_dict"):
        return [InputProblem((), message) for message in exc.messages]
    out: list[InputProblem] = []
    for key, messages in exc.message_dict.items():
        loc: Loc = tuple(int(part) if part.isdigit() else part for part in key.split("."))
        if key == "__all__":
            loc = ()
        out.extend(InputProblem(loc, message) for message in messages)
    return out


def api_detail(problems: Iterable[InputProblem], *, source: str = "body") -> list[dict[str, Any]]:
    """The 422 body's ``detail``: ``[{"loc": ["body", "title"], "msg": …, "type": …}]``."""
    return [{"loc": [source, *p.loc], "msg": p.msg, "type": p.type} for p in problems]
