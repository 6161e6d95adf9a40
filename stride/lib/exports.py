"""Writing tables people open in a spreadsheet: CSV and XLSX, safe against formulas.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some read a
leading tab or carriage return the same way) as a formula, so a name such as
``=HYPERLINK("http://evil", "click")`` typed into Stride would run on an HR admin's
machine when they open an export. ``safe_cell`` prefixes such text with an apostrophe,
which spreadsheets show as text (OWASP's advice on CSV injection). Numbers and dates are
left as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet should store it: text that would start a formula gets a
    leading apostrophe; None becomes empty text."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A UTF-8 CSV (with a byte-order mark, so Excel reads accents) of ``rows``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([_text(safe_cell(cell)) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet named ``title`` holding ``rows`` under a bold ``header``; datetimes as
    spreadsheet dates (timezone-aware ones in UTC, as the header should say)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    bold = Font(bold=True)
    heading = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(name))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        out = []
        for value in row:
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            out.append(safe_cell(value))
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
