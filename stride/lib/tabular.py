"""The tabular-import toolkit: what every import (people now; sales and reviews next) shares.

An import goes through the same steps whatever it reads:

1. ``read_table(data, sheet=…)`` turns the uploaded bytes into a ``Table``: a CSV (UTF-8 with
   or without a byte-order mark, or UTF-16 with one; ``,``, ``;`` or tab between cells,
   recognised from the header line) or the first (or a named) sheet of an ``.xlsx`` workbook.
   Every cell becomes text — an Excel date becomes ``YYYY-MM-DD`` and a whole number loses its
   ``.0`` — so the import's own checks see one kind of value, and each row keeps the number a
   person finds it under: the line of a CSV (a quoted line break or a blank line counts) or the
   row of a sheet.
2. ``map_header(table.header, fields, mapping=…)`` decides which column fills which field:
   an explicit ``mapping`` (field → column title) first, then each field's aliases compared
   with case, spaces and punctuation ignored ("Work E-mail" is "workemail"). Columns nobody
   maps are listed as ``ignored``; a required field with no column is a ``Problem`` on the
   header line — reported together with the problems of the rows, which are still checked.
3. The import checks every row, collecting ``Problem``\\ s (``Problems`` sorts them and drops
   repeats), and writes only when there are none: validate everything, then write
   everything in one transaction. ``Progress`` is how it tells a progress bar how far it got.

Nothing here touches the database.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import gc
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

XLSX_MAGIC = b"PK\x03\x04"
# The old binary Excel format (.xls) starts with the OLE2 signature.
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DELIMITERS = (",", ";", "\t")


# --- Problems -------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Problem:
    """One problem with the file. ``line`` counts from 1 (the header is usually 1); ``unit``
    says what it counts: CSV lines or spreadsheet rows."""

    line: int
    field: str
    message: str
    unit: str = dataclasses.field(default="line", compare=False)

    def __str__(self) -> str:
        return f"{self.unit} {self.line}: {self.field}: {self.message}"


class Problems:
    """Collects the problems of one file, each once, reported in line order (the order found
    within a line)."""

    def __init__(self, unit: str = "line") -> None:
        self.unit = unit
        self._items: dict[tuple[int, str, str], Problem] = {}

    def add(self, line: int, field: str, message: str) -> None:
        key = (line, field, message)
        if key not in self._items:
            self._items[key] = Problem(line, field, message, self.unit)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem.line, problem.field, problem.message)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def sorted(self) -> list[Problem]:
        return sorted(self._items.values(), key=lambda problem: problem.line)


# --- Progress -------------------------------------------------------------------------------


class Progress(Protocol):
    """Receives progress while an import runs (the command line draws a bar from it)."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class NoProgress:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass


# --- Reading --------------------------------------------------------------------------------


@dataclass
class Table:
    """A file's header and data rows, each row with the line (CSV) or row (XLSX) it is on."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    unit: str = "line"
    header_line: int = 1
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)


def read_table(
    data: bytes | str, *, sheet: str | None = None
) -> tuple[Table | None, list[Problem]]:
    """The table in ``data`` (CSV text or bytes, or an ``.xlsx`` workbook), or the problems
    that stop it from being read at all. ``sheet`` names a workbook's sheet (default: the
    first); it is ignored for CSV."""
    if isinstance(data, bytes) and data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, sheet)
    if isinstance(data, bytes) and data.startswith(XLS_MAGIC):
        return None, [
            Problem(1, "file", _("is an old Excel file (.xls); save it as .xlsx or as CSV (UTF-8)"))
        ]
    return _read_csv(data)


def _decode(data: bytes) -> tuple[str, Problem | None]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-separated.
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return "", Problem(1, "file", _("is not valid UTF-16 text"))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return "", Problem(line, "file", _("is not UTF-8 text; save the CSV as UTF-8"))


def sniff_delimiter(first_line: str) -> str:
    """The delimiter the header line uses most outside quotes: ``,`` unless ``;`` or a tab
    separates more columns (European spreadsheets write ``;``; "text" exports use tabs)."""
    outside = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: outside.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _read_csv(data: bytes | str) -> tuple[Table | None, list[Problem]]:
    if isinstance(data, bytes):
        text, problem = _decode(data)
        if problem:
            return None, [problem]
    else:
        text = data.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    last_line = 0
    try:
        for cells in reader:
            start = last_line + 1
            last_line = reader.line_num
            cells = list(map(str.strip, cells))
            if header is None:
                header = cells
                continue
            if not any(cells):
                continue  # blank lines are allowed and skipped (but still counted)
            rows.append((start, cells))
    except csv.Error as exc:
        return None, [
            Problem(last_line + 1, "file", _("is not valid CSV (%(problem)s)") % {"problem": exc})
        ]
    return Table(header=header or [], rows=rows), []


def _read_xlsx(data: bytes, sheet: str | None) -> tuple[Table | None, list[Problem]]:
    from openpyxl import load_workbook

    try:
        # read_only streams the rows; data_only gives a formula's last computed value.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return None, [
            Problem(
                1,
                "file",
                _("is not an Excel workbook (.xlsx) that can be read (%(problem)s)")
                % {"problem": exc},
                "row",
            )
        ]
    try:
        names = list(workbook.sheetnames)
        if sheet is not None and sheet not in names:
            return None, [
                Problem(
                    1,
                    "sheet",
                    _("the workbook has no sheet “%(sheet)s”; its sheets are: %(sheets)s")
                    % {"sheet": sheet, "sheets": ", ".join(names)},
                    "row",
                )
            ]
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        header: list[str] | None = None
        header_line = 1
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue  # empty rows (and leading ones before the header) are skipped
            if header is None:
                header, header_line = cells, number
                continue
            rows.append((number, cells))
    finally:
        workbook.close()
    return (
        Table(
            header=header or [],
            rows=rows,
            unit="row",
            header_line=header_line,
            sheet=worksheet.title,
            sheets=names,
        ),
        [],
    )


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export of it would hold: dates as ISO dates
    (a date-time at midnight as its date), whole numbers without ``.0``, booleans as
    true/false."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value).strip()


# --- Header aliases and mapping -------------------------------------------------------------


def normalise(title: str) -> str:
    """A column title with case, spaces and punctuation ignored: "Work E-mail" → "workemail"."""
    return re.sub(r"[\W_]+", "", title.casefold())


@dataclass(frozen=True)
class Field:
    """A field an import fills, with the column titles that mean it."""

    name: str
    label: StrOrPromise
    required: bool = False
    aliases: tuple[str, ...] = ()

    def matches(self, title: str) -> bool:
        key = normalise(title)
        return bool(key) and key in {normalise(self.name), *map(normalise, self.aliases)}


@dataclass
class HeaderMap:
    """Which column (index in the header) fills each field."""

    columns: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # The title of the column each field comes from, for showing and prefilling a mapping.
    titles: dict[str, str] = field(default_factory=dict)

    @property
    def needs_attention(self) -> bool:
        """True when a person should look at the mapping before importing: a column would
        be ignored, a required field has no column, or the header has a problem."""
        return bool(self.ignored or self.missing or self.problems)


def map_header(
    header: Sequence[str],
    fields: Sequence[Field],
    *,
    mapping: Mapping[str, str] | None = None,
    line: int = 1,
    unit: str = "line",
) -> HeaderMap:
    """Match the header's columns to ``fields``. ``mapping`` (field name → column title, as
    written or normalised; an empty title means "leave this field out") wins over aliases."""
    out = HeaderMap()
    problems = Problems(unit)
    by_name = {f.name: f for f in fields}
    if not any(title.strip() for title in header):
        problems.add(
            line,
            "header",
            _("the first line must name the columns, for example: %(columns)s")
            % {"columns": ", ".join(f.name for f in fields)},
        )
    taken: dict[int, str] = {}  # column index → field it fills
    left_out: set[str] = set()
    ambiguous: set[str] = set()  # fields several columns claim (reported as such)
    for name, title in (mapping or {}).items():
        if name not in by_name:
            problems.add(
                line,
                name,
                _("is not a field of this import; the fields are: %(fields)s")
                % {"fields": ", ".join(by_name)},
            )
            continue
        if not title.strip():
            left_out.add(name)
            continue
        index = _find_column(header, title)
        if index is None:
            problems.add(
                line,
                name,
                _("the file has no column “%(title)s”; its columns are: %(columns)s")
                % {"title": title, "columns": ", ".join(t for t in header if t)},
            )
            left_out.add(name)  # reported once; the alias must not quietly stand in
        elif index in taken:
            problems.add(
                line,
                name,
                _("column “%(title)s” is already mapped to %(other)s")
                % {"title": header[index], "other": taken[index]},
            )
        else:
            taken[index] = name
            out.columns[name] = index
    for f in fields:
        if f.name in out.columns or f.name in left_out:
            continue
        found = [i for i, title in enumerate(header) if i not in taken and f.matches(title)]
        if len(found) > 1:
            problems.add(
                line,
                f.name,
                _("columns %(titles)s all mean %(field)s; map one of them to it")
                % {"titles": ", ".join(f"“{header[i]}”" for i in found), "field": f.name},
            )
            for index in found:
                taken[index] = f.name
            ambiguous.add(f.name)
            continue
        if found:
            taken[found[0]] = f.name
            out.columns[f.name] = found[0]
    for index, title in enumerate(header):
        if index not in taken and title.strip():
            out.ignored.append(title)
    for f in fields:
        if f.required and f.name not in out.columns and f.name not in ambiguous:
            out.missing.append(f.name)
            problems.add(
                line,
                f.name,
                _("this required column is missing (it may be called %(aliases)s)")
                % {"aliases": ", ".join([f.name, *f.aliases[:3]])},
            )
    out.titles = {name: header[index] for name, index in out.columns.items()}
    out.problems = problems.sorted()
    return out


def _find_column(header: Sequence[str], title: str) -> int | None:
    for index, candidate in enumerate(header):
        if candidate == title:
            return index
    key = normalise(title)
    for index, candidate in enumerate(header):
        if key and normalise(candidate) == key:
            return index
    return None


@dataclass(slots=True)
class Record:
    """One data row: its line (or row) number and the text of each mapped field."""

    line: int
    cells: dict[str, str]
    width: int


def records(table: Table, header_map: HeaderMap) -> Iterator[Record]:
    """The rows as field → text; a field the file does not fill is absent."""
    names = list(header_map.columns)
    indexes = list(header_map.columns.values())
    needed = max(indexes, default=-1) + 1
    if not names:
        for line, cells in table.rows:
            yield Record(line=line, cells={}, width=len(cells))
        return
    # itemgetter picks every mapped cell of a row in one call (a bare value for one column).
    pick = itemgetter(*indexes)
    single = len(indexes) == 1
    for line, cells in table.rows:
        width = len(cells)
        if width < needed:
            cells = cells + [""] * (needed - width)
        picked = pick(cells)
        yield Record(
            line=line,
            cells=dict(zip(names, (picked,) if single else picked, strict=True)),
            width=width,
        )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while an import builds its rows: tens of thousands of
    small objects, none in a cycle, would otherwise set off repeated full collections that
    cost a fifth of the import's time. Memory is still freed as each object is dropped."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_mapping(pairs: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """``field=Column title`` pairs (the command line's ``--map``) as a mapping, and the
    pairs that are not of that form."""
    mapping: dict[str, str] = {}
    bad: list[str] = []
    for pair in pairs:
        name, sep, title = pair.partition("=")
        if not sep or not name.strip():
            bad.append(pair)
            continue
        mapping[name.strip()] = title.strip()
    return mapping, bad


# --- Values ---------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_SLASHED_ISO = re.compile(r"^(\d{4})/(\d{2})/(\d{2})$")
# Month names make day and month unambiguous: "15 Sep 2021", "15 September 2021",
# "Sep 15, 2021". Numeric day/month orders ("03/04/2021") are not guessed.
_NAMED_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y")
DATE_FORMAT_TEXT = "YYYY-MM-DD"


class BadDate(ValueError):
    """A date cell that cannot be read; ``str()`` is the message for the person."""


def parse_date(text: str, *, earliest: date, latest: date) -> date:
    """A date cell: ISO ``YYYY-MM-DD`` (also with a midnight time, as spreadsheets export
    it), ``YYYY/MM/DD``, or a form with the month's English name; never a guess between
    day-first and month-first."""
    value = text.strip()
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        # The common case, YYYY-MM-DD, without a regular expression.
        try:
            found: date | None = date.fromisoformat(value)
        except ValueError:
            found = None
        if found is not None and earliest <= found <= latest:
            return found
    found = None
    match = _ISO_DATE.match(value) or _SLASHED_ISO.match(value)
    if match:
        try:
            found = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise BadDate(_("“%(value)s” is not a real date") % {"value": text}) from None
    else:
        for pattern in _NAMED_FORMATS:
            try:
                found = datetime.strptime(value, pattern).date()
                break
            except ValueError:
                continue
    if found is None:
        raise BadDate(
            _("“%(value)s” is not a date in the form %(format)s (for example 2024-01-31)")
            % {"value": text, "format": DATE_FORMAT_TEXT}
        )
    if not earliest <= found <= latest:
        raise BadDate(
            _("“%(value)s” is outside %(earliest)s to %(latest)s")
            % {"value": text, "earliest": earliest.isoformat(), "latest": latest.isoformat()}
        )
    return found


__all__ = [
    "DATE_FORMAT_TEXT",
    "BadDate",
    "Field",
    "HeaderMap",
    "NoProgress",
    "Problem",
    "Problems",
    "Progress",
    "Record",
    "Table",
    "cell_text",
    "gc_paused",
    "map_header",
    "normalise",
    "parse_date",
    "parse_mapping",
    "read_table",
    "records",
]
