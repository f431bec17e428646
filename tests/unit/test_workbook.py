"""Reading an uploaded workbook (core/workbook.py) and writing one to fill in (render/workbooks.py): what comes back
is what went out, and every kind of bad workbook is refused with where it is wrong and how to fix it."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from compliance.core.workbook import SheetSpec, as_date, read_workbook
from compliance.render.workbooks import data_sheet, drop_down, help_sheet, lock_all_but, saved

SPEC = SheetSpec("Requirements", ("Ref", "Title", "Rating"), max_rows=50, header_row=2)
OTHER = ("Help", "Lists")


def _book(rows, *, spec=SPEC, extra_sheets=(), headings=None):
    book = Workbook()
    book.remove(book.active)
    help_sheet(book, "How to fill this in", ["Fill in the yellow cells."], [("Requirements", "Rating", "A level")])
    sheet = data_sheet(book, spec, rows, title_rows=["A title"] * (spec.header_row - 1))
    if headings is not None:
        for index, heading in enumerate(headings, start=1):
            sheet.cell(spec.header_row, index).value = heading
    for name in extra_sheets:
        book.create_sheet(name)
    return book


def _read(book, name="answers.xlsx", specs=(SPEC,)):
    data = book if isinstance(book, bytes) else saved(book)
    return read_workbook(data, name, list(specs), allow_other_sheets=OTHER)


def _messages(result):
    assert not result.sheets
    return [str(problem) for problem in result.problems]


def test_what_is_written_is_read_back_with_rows_numbered_as_the_spreadsheet_shows_them():
    book = _book([["1", "Policy", "Met"], ["2", "=HYPERLINK(\"x\")", None], [None, None, None], ["3", "@SUM", 4.0]])
    drop_down(book["Requirements"], "C3:C6", ["Met", "Not met"], prompt="Choose a rating")
    lock_all_but(book["Requirements"], ["C3:C6"])
    result = _read(book)
    assert result.problems == ()
    rows = result["Requirements"].rows
    assert [row.number for row in rows] == [3, 4, 6]  # the empty row 5 is skipped
    assert rows[0].cells == {"Ref": "1", "Title": "Policy", "Rating": "Met"}
    assert rows[1].get("Title") == '=HYPERLINK("x")'  # written inert with a leading ', read back as typed
    assert rows[2].text("Rating") == "4" and rows[2].get("Title") == "@SUM"


def _locked_book():
    book = _book([["1", "=1+1", None]])
    drop_down(book["Requirements"], "C3:C3", ["Met", "Not met"])
    lock_all_but(book["Requirements"], ["C3:C3"])
    return book


def test_the_written_workbook_is_inert_locked_and_offers_the_drop_down():
    data = saved(_locked_book())
    assert data == saved(_locked_book())  # the same workbook, the same bytes, whenever it is made
    reread = load_workbook(io.BytesIO(data))
    sheet = reread["Requirements"]
    assert sheet["B3"].data_type == "s" and sheet["B3"].value == "'=1+1"
    assert sheet.protection.sheet and not sheet["C3"].protection.locked and sheet["B3"].protection.locked
    rule = sheet.data_validations.dataValidation[0]
    assert rule.type == "list" and "C3" in str(rule.sqref)
    assert reread["Lists"].sheet_state == "hidden" and [c.value for c in reread["Lists"]["A"]] == ["Met", "Not met"]


@pytest.mark.parametrize(("data", "name", "expected"), [
    (b"Ref,Title,Rating\n1,a,Met\n", "answers.xlsx", "is a text file but its name ends .xlsx"),
    (b"Ref,Title,Rating\n1,a,Met\n", "answers.csv", "not an Excel workbook: upload the .xlsx file"),
    (b"", "answers.xlsx", "The selected file is empty"),
    (b"PK\x03\x04" + b"\x00" * 200, "answers.xlsx", "damaged"),
])
def test_a_file_that_is_not_a_workbook_is_refused_with_how_to_fix_it(data, name, expected):
    messages = _messages(read_workbook(data, name, [SPEC]))
    assert len(messages) == 1 and expected in messages[0] and messages[0].startswith("The file: ")


def _rezipped(book, change):
    source = zipfile.ZipFile(io.BytesIO(saved(book)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, change(name, source.read(name)))
        if change("extra", None) is not None:
            target.writestr(*change("extra", None))
    return out.getvalue()


def test_a_workbook_with_macros_is_refused():
    data = _rezipped(_book([["1", "a", "Met"]]),
                     lambda name, body: ("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
                     if name == "extra" else body)
    assert "contains macros" in _messages(_read(data))[0]


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    data = _rezipped(_book([["1", "a", "Met"]]),
                     lambda name, body: ("xl/media/image1.png", b"\x00" * (30 * 1024 * 1024))
                     if name == "extra" else body)
    message = _messages(_read(data))[0]
    assert "unpack" in message or "compressed" in message or "too large" in message, message


def test_an_entity_expansion_workbook_is_refused_not_expanded():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                         for n in range(1, 10)) + b"]>")

    def change(name, body):
        if name == "extra":
            return None
        if name.startswith("xl/worksheets/sheet"):
            body = body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body
            return laughs + body.replace(b"<c ", b"<c t=\"inlineStr\"><is><t>&lol9;</t></is></c><c ", 1)
        return body

    messages = _messages(_read(_rezipped(_book([["1", "a", "Met"]]), change)))
    assert "entity definitions" in messages[0]


def test_a_missing_renamed_or_extra_sheet_is_named():
    book = _book([["1", "a", "Met"]], extra_sheets=["Notes"])
    book["Requirements"].title = "Reqs"
    messages = _messages(_read(book))
    assert any(m.startswith("Sheet Notes: there is a sheet called 'Notes' that this workbook should not have")
               for m in messages)
    assert any(m.startswith("Sheet Reqs:") for m in messages)
    assert any("Sheet Requirements: the workbook has no sheet called 'Requirements'" in m for m in messages)


def test_renamed_missing_and_extra_columns_are_named_by_letter():
    book = _book([["1", "a", "Met", "x"]], headings=["Ref", "Name", None, "Notes"])
    messages = _messages(_read(book))
    assert messages == [
        "Sheet Requirements, row 2, column B: the heading should be 'Title' but is 'Name': columns must not be "
        "renamed, moved or inserted. Put it back as it was",
        "Sheet Requirements, row 2, column C: the heading should be 'Rating' but the cell is empty: type it back, "
        "or start again from a new download",
        "Sheet Requirements, row 2, column D: there is an extra column 'Notes': delete it (only Ref, Title and "
        "Rating are read)"]


def test_a_formula_where_a_value_is_expected_is_refused_at_its_cell():
    book = _book([["1", "a", "Met"]])
    book["Requirements"]["C3"] = "=A3"
    assert _messages(_read(book)) == [
        "Sheet Requirements, row 3, column C (Rating): has a formula (=A3) where a value is expected: type the "
        "value itself, or copy the cell and paste it as values only"]


def test_something_beyond_the_last_column_is_refused():
    book = _book([["1", "a", "Met"]])
    book["Requirements"]["E3"] = "stray"
    assert _messages(_read(book)) == ["Sheet Requirements, row 3, column E: there is something beyond the last "
                                      "column (Rating): delete it"]


def test_ten_thousand_rows_are_refused_with_the_limit():
    book = _book([[str(n), "a", "Met"] for n in range(10_000)])
    messages = _messages(_read(book))
    assert messages == ["Sheet Requirements: the sheet has more than 50 rows: it can hold at most 50. Delete the "
                        "rows that should not be there"]


def test_an_overlong_cell_is_refused():
    book = _book([["1", "x" * 10_001, "Met"]])
    assert "is 10,001 characters long; a cell may hold at most 10,000" in _messages(_read(book))[0]


@pytest.mark.parametrize(("value", "expected"), [
    (datetime(2027, 3, 31), (date(2027, 3, 31), None)),
    (date(2027, 3, 31), (date(2027, 3, 31), None)),
    (None, (None, None)),
])
def test_a_real_date_is_a_date(value, expected):
    assert as_date(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("31/03/2027", "'31/03/2027' is text, not a date: type it as a date the spreadsheet recognises"),
    (datetime(2027, 3, 31, 14, 5), "holds a date and a time: give the date only"),
    (45000, "is not a date"),
])
def test_a_date_as_text_or_with_a_time_is_refused_with_how_to_fix_it(value, expected):
    parsed, problem = as_date(value)
    assert parsed is None and problem is not None and problem.startswith(expected)


def test_dates_survive_the_round_trip_as_dates():
    spec = SheetSpec("Dates", ("Name", "Awarded"))
    book = Workbook()
    book.remove(book.active)
    data_sheet(book, spec, [["DAHA", date(2026, 4, 1)], ["Respect", "1 April 2026"]])
    rows = read_workbook(saved(book), "d.xlsx", [spec]).sheets["Dates"].rows
    assert as_date(rows[0].get("Awarded")) == (date(2026, 4, 1), None)
    assert as_date(rows[1].get("Awarded"))[1].startswith("'1 April 2026' is text, not a date")


@pytest.mark.parametrize("text", ["=1+1", "'=1+1", "''=1+1", "'quoted", "''", "@x", "-", "plain", "'"])
def test_text_comes_back_as_it_went_out_even_with_quotes_before_a_formula_start(text):
    """neutralise adds one quote to text that a spreadsheet would run (quotes before it included), and reading takes
    exactly that one off, so no text is changed by the round trip."""
    rows = _read(_book([["1", text, "Met"]]))["Requirements"].rows
    assert rows[0].get("Title") == text
