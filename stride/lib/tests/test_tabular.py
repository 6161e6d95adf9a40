from __future__ import annotations

import codecs
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from stride.lib.tabular import (
    BadDate,
    Field,
    Problem,
    Problems,
    cell_text,
    map_header,
    normalise,
    parse_date,
    parse_mapping,
    read_table,
    records,
)

FIELDS = (
    Field("email", "E-mail", required=True, aliases=("Work Email", "E-mail", "Email Address")),
    Field("name", "Name", required=True, aliases=("Full Name", "Employee Name")),
    Field("time_zone", "Time zone", aliases=("Time Zone", "Timezone", "TZ")),
)
EARLY, LATE = date(1900, 1, 1), date(2199, 12, 31)


def xlsx(*sheets: tuple[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    for index, (title, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = title
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading --------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_cells_are_split_on_the_delimiter_the_header_uses(delimiter: str) -> None:
    text = delimiter.join(["Work Email", "Full Name"]) + "\n"
    text += delimiter.join(["a@acme.test", '"Lee, Jr."' if delimiter == "," else "Lee, Jr."])
    table, problems = read_table(("\ufeff" + text).encode())
    assert problems == []
    assert table is not None
    assert table.header == ["Work Email", "Full Name"]
    assert table.rows == [(2, ["a@acme.test", "Lee, Jr."])]


def test_a_utf16_text_export_with_its_byte_order_mark_is_read() -> None:
    data = codecs.BOM_UTF16_LE + "Email\tName\nz@acme.test\tZoë\n".encode("utf-16-le")
    table, problems = read_table(data)
    assert problems == [] and table is not None
    assert table.rows == [(2, ["z@acme.test", "Zoë"])]


def test_the_first_sheet_is_read_with_row_numbers_and_typed_cells_as_text() -> None:
    data = xlsx(
        (
            "People",
            [
                [],  # an empty first row: the header is the first row with something in it
                ["Employee ID", "Start Date", "Rate"],
                [1001, datetime(2024, 1, 8), 0.5],
                [None, None, None],
                [1002.0, datetime(2024, 1, 9, 9, 30), 2],
            ],
        ),
        ("Other", [["x"]]),
    )
    table, problems = read_table(data)
    assert problems == [] and table is not None
    assert (table.unit, table.header_line, table.sheet) == ("row", 2, "People")
    assert table.rows == [
        (3, ["1001", "2024-01-08", "0.5"]),
        (5, ["1002", "2024-01-09 09:30:00", "2"]),
    ]


def test_a_named_sheet_is_read_and_an_unknown_one_names_the_sheets_there_are() -> None:
    data = xlsx(("Read me", [["notes"]]), ("Staff", [["Email"], ["s@acme.test"]]))
    table, _problems = read_table(data, sheet="Staff")
    assert table is not None and table.rows == [(2, ["s@acme.test"])]

    table, problems = read_table(data, sheet="People")
    assert table is None
    assert [str(p) for p in problems] == [
        "row 1: sheet: the workbook has no sheet “People”; its sheets are: Read me, Staff"
    ]


def test_files_that_are_neither_csv_nor_xlsx_are_refused_with_a_reason() -> None:
    _table, problems = read_table(b"PK\x03\x04 not really a workbook")
    assert problems[0].field == "file" and "Excel workbook" in problems[0].message
    _table, problems = read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel")
    assert ".xls" in problems[0].message
    _table, problems = read_table(b"email\nok@acme.test\n\xff\n")
    assert (problems[0].line, problems[0].field) == (3, "file")


# --- Header aliases and mapping -------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "field"),
    [
        ("Work Email", "email"),
        ("E-mail", "email"),
        ("email address", "email"),
        ("EMAIL", "email"),
        ("Full Name", "name"),
        ("employee_name", "name"),
        ("Time Zone", "time_zone"),
        ("timezone", "time_zone"),
        ("TZ", "time_zone"),
        ("time_zone", "time_zone"),
    ],
)
def test_aliases_match_with_case_spaces_and_punctuation_ignored(title: str, field: str) -> None:
    header_map = map_header([title], FIELDS)
    assert header_map.columns == {field: 0}


def test_a_column_nobody_maps_is_ignored_and_a_missing_required_field_is_a_problem() -> None:
    header_map = map_header(["Full Name", "Salary"], FIELDS)
    assert header_map.columns == {"name": 0}
    assert header_map.ignored == ["Salary"]
    assert header_map.missing == ["email"]
    assert [(p.line, p.field) for p in header_map.problems] == [(1, "email")]
    assert header_map.needs_attention


def test_an_explicit_mapping_wins_over_aliases_and_can_leave_a_field_out() -> None:
    header = ["Login", "Work Email", "Full Name", "TZ"]
    header_map = map_header(header, FIELDS, mapping={"email": "login", "time_zone": ""})
    assert header_map.columns == {"email": 0, "name": 2}
    assert header_map.ignored == ["Work Email", "TZ"]
    assert header_map.problems == []


def test_mapping_mistakes_are_header_problems() -> None:
    header_map = map_header(
        ["Email", "Name"], FIELDS, mapping={"salary": "Name", "time_zone": "Zone"}
    )
    assert {(p.field, p.message.split(";")[0]) for p in header_map.problems} == {
        ("salary", "is not a field of this import"),
        ("time_zone", "the file has no column “Zone”"),
    }


def test_two_columns_meaning_the_same_field_must_be_told_apart() -> None:
    header_map = map_header(["Email", "Work Email", "Name"], FIELDS)
    assert "email" not in header_map.columns
    assert [p.field for p in header_map.problems] == ["email"]
    assert "map one of them" in header_map.problems[0].message


def test_records_give_each_row_its_line_and_the_mapped_cells() -> None:
    table, _ = read_table("Name,Work Email,Extra\nAna,a@acme.test,x\nBo\n")
    assert table is not None
    rows = list(records(table, map_header(table.header, FIELDS)))
    assert [(r.line, r.cells, r.width) for r in rows] == [
        (2, {"email": "a@acme.test", "name": "Ana"}, 3),
        (3, {"email": "", "name": "Bo"}, 1),
    ]


def test_map_options_are_parsed_and_bad_ones_returned() -> None:
    assert parse_mapping(["email=Work Login", " name = Full Name ", "oops", "=x"]) == (
        {"email": "Work Login", "name": "Full Name"},
        ["oops", "=x"],
    )


def test_normalise_ignores_case_spaces_and_punctuation() -> None:
    assert normalise(" Work E-mail (primary) ") == "workemailprimary"


# --- Values and problems --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2024-01-08", "2024-01-08 00:00:00", "2024-01-08T00:00", "2024/01/08", "8 Jan 2024",
     "8 January 2024", "Jan 8, 2024", "08-Jan-2024"],
)  # fmt: skip
def test_dates_are_read_in_every_unambiguous_form(text: str) -> None:
    assert parse_date(text, earliest=EARLY, latest=LATE) == date(2024, 1, 8)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("08/01/2024", "YYYY-MM-DD"),  # day or month first? not guessed
        ("2024-02-30", "not a real date"),
        ("1066-10-14", "outside 1900-01-01 to 2199-12-31"),
    ],
)
def test_a_date_that_cannot_be_read_says_which_form_is_expected(text: str, says: str) -> None:
    with pytest.raises(BadDate, match=says):
        parse_date(text, earliest=EARLY, latest=LATE)


def test_cells_become_the_text_a_csv_export_would_hold() -> None:
    assert [cell_text(v) for v in (None, 12.0, 0.1, True, date(2024, 1, 8), " x ")] == [
        "", "12", "0.1", "true", "2024-01-08", "x",
    ]  # fmt: skip


def test_problems_are_kept_once_and_in_line_order_with_their_unit() -> None:
    problems = Problems("row")
    problems.add(5, "email", "bad")
    problems.add(2, "name", "missing")
    problems.add(5, "email", "bad")
    assert [str(p) for p in problems.sorted()] == ["row 2: name: missing", "row 5: email: bad"]
    assert Problem(1, "x", "y") == Problem(1, "x", "y", "row")
