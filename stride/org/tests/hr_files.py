"""People files as an HR system exports them, as CSV or as XLSX (built with openpyxl)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook

from stride.demo.bench_import import HEADER
from stride.lib.tabular import cell_text

# The header of issue 6: what an HRIS export says, none of it Stride's own field names (the
# benchmark's file has the same).
HR_HEADER = HEADER
# Spreadsheet-typed cells: ids as numbers and start dates as dates, as Excel keeps them.
HR_ROWS: list[list[Any]] = [
    [1001, "Casey Chief", "casey@acme.test", "CEO", "Leadership", "", "Europe/Berlin",
     datetime(2019, 4, 1)],
    [1002, "Lee Lead", "lee@acme.test", "Engineering Manager", "Platform", "casey@acme.test",
     "Europe/Berlin", datetime(2021, 9, 15)],
    [1003, "Pat Person", "pat@acme.test", "Engineer", "Platform", "lee@acme.test",
     "America/New_York", datetime(2024, 1, 8)],
]  # fmt: skip
# The same people with three bad rows (lines 3, 4 and 5 of the file: the header is line 1).
HR_BAD_ROWS: list[list[Any]] = [
    HR_ROWS[0],
    [1002, "Lee Lead", "lee@acme", "Engineering Manager", "Platform", "casey@acme.test",
     "Europe/Berlin", datetime(2021, 9, 15)],
    [1003, "Pat Person", "pat@acme.test", "Engineer", "Platform", "ghost@acme.test",
     "Mars/Olympus", "15/09/2021"],
    [1004, "", "kim@acme.test", "Engineer", "Platform", "casey@acme.test", "UTC", ""],
]  # fmt: skip


def as_csv(rows: Sequence[Sequence[Any]], header: Sequence[str] = HR_HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell_text(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(
    rows: Sequence[Sequence[Any]],
    header: Sequence[str] = HR_HEADER,
    *,
    sheet: str = "Employees",
    other_sheet_first: bool = False,
) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    if other_sheet_first:
        first.title = "Read me"
        first.append(["This workbook was exported from the HR system."])
        target = workbook.create_sheet(sheet)
    else:
        first.title = sheet
        target = first
    target.append(list(header))
    for row in rows:
        target.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
