"""Read an uploaded XLSX workbook whose sheets and columns are known, and say everything wrong with it by sheet,
row and column.

Pure: takes the file's bytes and returns values or problems; no Flask, no database, writes no file. The bytes go
through the upload checks every file gets first (core/filetypes.check_upload: content, size, name, zip bombs,
macros), then openpyxl reads them in read-only mode. openpyxl parses the XML through defusedxml when it is installed
(it is pinned in requirements.txt), so an entity-expansion ("billion laughs") workbook is refused, not expanded;
`read_workbook` refuses to run without it.

A workbook is checked as a whole: a missing, renamed or extra sheet or column, a formula where a value is expected,
a sheet with more rows than it may have. Checking each value (a rating known, a date a real date) is the caller's:
`Sheet.rows` gives every row's cells by column name, with the row's number as the spreadsheet shows it.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from xml.etree.ElementTree import ParseError  # nosec B405 - the exception only; parsing is openpyxl's, defused

import openpyxl
import openpyxl.xml
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]  # no stubs; one exception class
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from compliance.core.filetypes import UploadRejected, check_upload

MAX_BYTES = 2 * 1024 * 1024
# Text a spreadsheet would run as a formula; written out with a leading ' (render/workbooks.neutralise), which is
# taken off again when the workbook comes back.
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 10_000  # characters in one cell: longer than any narrative the pages accept
# What a cell may hold once read: text (stripped, None when empty), a number, or a date or date and time.
Value = str | int | float | date | datetime | time | None


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where (sheet, row as the spreadsheet numbers it, column letter and name; any may be missing
    when the problem is with the whole file or sheet) and what is wrong and how to fix it."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # "C (Rating)"

    @property
    def place(self) -> str:
        """Where, in words: "Sheet Requirements, row 4, column C (Rating)", or "The file"."""
        parts = []
        if self.sheet is not None:
            parts.append(f"Sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts) if parts else "The file"

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


@dataclass(frozen=True)
class SheetSpec:
    """A sheet the workbook must have: its name, its columns' headings in order (in the header row), the row the
    headings are on (rows above it are titles and instructions, not read) and the most data rows it may hold.
    A sheet that is not `required` may be left out."""

    name: str
    columns: tuple[str, ...]
    max_rows: int = 1000
    header_row: int = 1
    required: bool = True


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it
    cells: dict[str, Value]  # column heading -> value

    def get(self, column: str) -> Value:
        return self.cells.get(column)

    def text(self, column: str) -> str:
        """The cell as text: "" when empty, a whole number without ".0"."""
        value = self.cells.get(column)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)


@dataclass(frozen=True)
class Sheet:
    spec: SheetSpec
    rows: tuple[Row, ...]

    def column(self, heading: str) -> str:
        """A column's letter and heading, for a Problem: "C (Rating)"."""
        return column_place(self.spec, heading)

    def problem(self, row: Row | None, heading: str | None, message: str) -> Problem:
        return Problem(message, self.spec.name, row.number if row else None,
                       self.column(heading) if heading else None)


@dataclass(frozen=True)
class Workbook:
    sheets: dict[str, Sheet] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def __getitem__(self, name: str) -> Sheet:
        return self.sheets[name]


def column_place(spec: SheetSpec, heading: str) -> str:
    return f"{get_column_letter(spec.columns.index(heading) + 1)} ({heading})"


def read_workbook(data: bytes, filename: str, specs: Sequence[SheetSpec], *, max_bytes: int = MAX_BYTES,
                  allow_other_sheets: Sequence[str] = ()) -> Workbook:
    """The workbook's sheets, or its problems (then `sheets` is empty): the file is checked as every upload is,
    then every sheet named in `specs` must be there with exactly its columns; no other sheet may be, except those
    named in `allow_other_sheets` (a help sheet, which is not read)."""
    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned requirement
        raise RuntimeError("defusedxml must be installed: openpyxl reads workbooks through it")
    try:
        accepted = check_upload(data, filename, max_bytes=max_bytes)
    except UploadRejected as rejected:
        return Workbook(problems=(Problem(rejected.message),))
    if accepted.kind != "Excel spreadsheet":
        return Workbook(problems=(Problem(f"The selected file is {_article(accepted.kind)}, not an Excel "
                                          "workbook: upload the .xlsx file you downloaded and filled in"),))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # noqa: BLE001 - any failure to parse is a damaged file, whatever openpyxl raised
        return Workbook(problems=(Problem(_unreadable(error)),))
    try:
        return _read(book, specs, allow_other_sheets)
    except Exception as error:  # noqa: BLE001 - read-only sheets parse as they are read
        return Workbook(problems=(Problem(_unreadable(error)),))
    finally:
        book.close()


def _article(kind: str) -> str:
    return ("an " if kind[:1].lower() in "aeiou" else "a ") + kind


def _causes(error: BaseException | None) -> Iterator[BaseException]:
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def _unreadable(error: Exception) -> str:
    if any(isinstance(cause, DefusedXmlException) for cause in _causes(error)):
        return ("The selected file contains XML that could be used to attack the server (entity definitions), "
                "so it was not read: open it in a spreadsheet program, save it as a new .xlsx workbook and upload "
                "that")
    if isinstance(error, (InvalidFileException, zipfile.BadZipFile, ParseError, KeyError, ValueError)):
        return ("The selected file could not be read as an Excel workbook: it may be damaged. Open it in a "
                "spreadsheet program, save it as .xlsx and upload it again")
    return ("The selected file could not be read as an Excel workbook: open it in a spreadsheet program, save it "
            "as .xlsx and upload it again")


def _read(book: Any, specs: Sequence[SheetSpec], allow_other_sheets: Sequence[str]) -> Workbook:
    problems: list[Problem] = []
    names = list(book.sheetnames)
    wanted = {spec.name for spec in specs}
    for name in names:
        if name not in wanted and name not in allow_other_sheets:
            problems.append(Problem(f"there is a sheet called {name!r} that this workbook should not have: the "
                                    f"sheets must be {_listed([s.name for s in specs])}. Delete or rename it",
                                    name))
    sheets: dict[str, Sheet] = {}
    for spec in specs:
        if spec.name not in names:
            if spec.required:
                problems.append(Problem(f"the workbook has no sheet called {spec.name!r}: it may have been renamed "
                                        "or deleted. Rename it back, or start again from a new download", spec.name))
            continue
        sheet, found = _sheet(book[spec.name], spec)
        problems += found
        sheets[spec.name] = sheet
    if problems:
        return Workbook(problems=tuple(problems))
    return Workbook(sheets=sheets)


def _listed(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _sheet(worksheet: Any, spec: SheetSpec) -> tuple[Sheet, list[Problem]]:
    problems: list[Problem] = []
    rows = _values(worksheet)
    header: list[Any] = []
    for number, cells in rows:
        if number == spec.header_row:
            header = [cell.value for cell in cells]
            break
        if number > spec.header_row:
            break
    problems += _header_problems(spec, header)
    if problems:
        return Sheet(spec, ()), problems
    read: list[Row] = []
    for number, cells in rows:
        if len(read) >= spec.max_rows:
            problems.append(Problem(f"the sheet has more than {spec.max_rows:,} rows: it can hold at most "
                                    f"{spec.max_rows:,}. Delete the rows that should not be there", spec.name))
            break
        values: dict[str, Value] = {}
        for index, cell in enumerate(cells):
            if index >= len(spec.columns):
                if _plain(cell.value) is not None:
                    problems.append(Problem(f"there is something beyond the last column ({spec.columns[-1]}): "
                                            "delete it", spec.name, number, get_column_letter(index + 1)))
                continue
            heading = spec.columns[index]
            value, problem = _cell(cell, heading)
            if problem:
                problems.append(Problem(problem, spec.name, number, column_place(spec, heading)))
            values[heading] = value
        if any(value is not None for value in values.values()):
            read.append(Row(number, {heading: values.get(heading) for heading in spec.columns}))
    return Sheet(spec, tuple(read)), problems


def _values(worksheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Each row that has a cell, with its number; read-only sheets skip empty rows, so the number is the cell's."""
    for cells in worksheet.iter_rows():
        numbered = [cell for cell in cells if getattr(cell, "row", None) is not None]
        if numbered:
            yield numbered[0].row, cells


def _header_problems(spec: SheetSpec, header: list[Any]) -> list[Problem]:
    found = [_plain(value) for value in header]
    while found and found[-1] is None:
        found.pop()
    if not found:
        return [Problem(f"row {spec.header_row} should hold the column headings ({_listed(list(spec.columns))}), "
                        "but it is empty: copy them from a new download", spec.name, spec.header_row)]
    problems = []
    for index, expected in enumerate(spec.columns):
        got = found[index] if index < len(found) else None
        if got is None:
            problems.append(Problem(f"the heading should be {expected!r} but the cell is empty: type it back, or "
                                    "start again from a new download", spec.name, spec.header_row,
                                    get_column_letter(index + 1)))
        elif str(got).strip().lower() != expected.lower():
            problems.append(Problem(f"the heading should be {expected!r} but is {str(got)!r}: columns must not be "
                                    "renamed, moved or inserted. Put it back as it was", spec.name, spec.header_row,
                                    get_column_letter(index + 1)))
    for index in range(len(spec.columns), len(found)):
        if found[index] is not None:
            problems.append(Problem(f"there is an extra column {str(found[index])!r}: delete it (only "
                                    f"{_listed(list(spec.columns))} are read)", spec.name, spec.header_row,
                                    get_column_letter(index + 1)))
    return problems


def _plain(value: Any) -> Value:
    if isinstance(value, str):
        if value.startswith("'") and value.lstrip("'").startswith(DANGEROUS_STARTS):
            value = value[1:]  # the quote neutralise() put there
        value = value.strip()
        return value or None
    return value  # type: ignore[no-any-return]


def _cell(cell: Any, heading: str) -> tuple[Value, str | None]:
    if getattr(cell, "data_type", None) == "f":
        return None, (f"has a formula ({str(cell.value)[:40]}) where a value is expected: type the value itself, "
                      "or copy the cell and paste it as values only")
    value = _plain(cell.value)
    if isinstance(value, str) and len(value) > MAX_CELL:
        return None, f"is {len(value):,} characters long; a cell may hold at most {MAX_CELL:,}: shorten it"
    if isinstance(value, bool):
        return ("Yes" if value else "No"), None
    return value, None


def as_date(value: Value) -> tuple[date | None, str | None]:
    """A date cell's date, or what is wrong: a date typed as text, or a date and a time, is refused with how to fix
    it (a spreadsheet program shows a real date right-aligned; text dates read differently on different
    computers)."""
    if value is None:
        return None, None
    if isinstance(value, datetime):
        if value.time() != time(0, 0):
            return None, "holds a date and a time: give the date only (for example 31/03/2027)"
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, str):
        return None, (f"{value!r} is text, not a date: type it as a date the spreadsheet recognises (for example "
                      "31/03/2027), or format the cell as a date")
    return None, "is not a date: type it as a date (for example 31/03/2027)"
