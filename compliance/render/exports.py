"""The matrix as CSV (one row per organisation and requirement) and as an XLSX workbook.

Pure: imports no Flask and touches no database. Every text cell is neutralised so that a spreadsheet never
runs it as a formula (CSV injection): text starting with = + - @ a tab or a carriage return gets a leading '.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import TypeVar

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from compliance.core.matrix import NOT_ASKED, NOT_CHECKED, Cell, Matrix
from compliance.core.scoring import BLANK

CSV_COLUMNS = ("cycle", "organisation", "sector", "return status", "framework", "ref", "requirement", "rating",
               "RAG", "previous rating", "trend", "validated rating", "validated differs")
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Fill and font colours (ARGB) of each cell colour; the text is always there too.
FILLS = {"green": "FF00703C", "amber": "FFFFDD00", "red": "FFD4351C", "grey": "FFF3F2F1", BLANK: "FFFFFFFF",
         NOT_ASKED: "FFB1B4B6"}
FONTS = {"green": "FFFFFFFF", "amber": "FF0B0C0C", "red": "FFFFFFFF", "grey": "FF0B0C0C", BLANK: "FF0B0C0C",
         NOT_ASKED: "FF0B0C0C"}
LEGEND = (
    ("green", "G", "Green: met"),
    ("amber", "A", "Amber: partially met"),
    ("red", "R", "Red: not met"),
    ("grey", "N/A", "Not applicable to this organisation's work; left out of % met"),
    (BLANK, "Not submitted", "No signed return yet: counted as not returned, left out of % met"),
    (BLANK, "Not answered", "A signed return left this answer blank: counts as not met"),
    (NOT_ASKED, "Not asked", "The requirement is not for this organisation's sector; left out of the counts"),
    (BLANK, "Not checked", "Validated sheet only: no auditor has checked this answer yet; counts as not met there"),
)
DIFFERS = "≠"
COLOUR_NAMES = {"green": "Green", "amber": "Amber", "red": "Red", "grey": "Not applicable (light grey)",
                BLANK: "White", NOT_ASKED: "Grey, darker"}
# A fixed time inside the file, so the same matrix gives the same bytes.
FIXED_TIME = datetime(2000, 1, 1)
_Value = TypeVar("_Value")


def neutralise(text: _Value) -> _Value | str:
    """Text that a spreadsheet would run as a formula, made inert with a leading quote; other values unchanged."""
    if isinstance(text, str) and text.startswith(DANGEROUS_STARTS):
        return "'" + text
    return text


def matrix_csv(matrix: Matrix) -> str:
    """One row per organisation and requirement asked of it, with a header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in matrix.rows:
        for cell in row.cells:
            if cell.state == NOT_ASKED:
                continue
            writer.writerow([neutralise(value) for value in (
                matrix.cycle, row.org.name, row.sector_label, row.status_label, cell.framework.title,
                cell.requirement.ref, cell.requirement.title, cell.label, cell.text, cell.previous_label,
                cell.trend or "", _validated_text(cell), "yes" if cell.disagrees else "no")])
    return out.getvalue()


def _validated_text(cell: Cell) -> str:
    if cell.state in ("not-submitted", "unanswered"):
        return ""
    return cell.validated_label or "Not checked"


def matrix_xlsx(matrix: Matrix, validated: Matrix | None = None) -> bytes:
    """A workbook: Matrix (self-assessed: coloured, frozen headers, filters), Validated (the auditors' validated
    ratings, when given), Summary (per requirement) and Legend. A cell whose two ratings differ shows ≠."""
    book = Workbook()
    _matrix_sheet(book.worksheets[0], matrix)  # the sheet a new workbook starts with: its active one
    if validated is not None:
        _matrix_sheet(book.create_sheet("Validated"), validated, title="Validated")
    _summary_sheet(book.create_sheet("Summary"), matrix)
    _legend_sheet(book.create_sheet("Legend"))
    book.properties.created = book.properties.modified = FIXED_TIME
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(sheet: Worksheet, row: int, column: int, value: str | int, *, colour: str | None = None,
         bold: bool = False) -> SheetCell:
    if isinstance(value, str):  # a spreadsheet cannot hold control characters: openpyxl refuses them
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=neutralise(value))
    if colour is not None:
        cell.fill = PatternFill("solid", start_color=FILLS[colour], end_color=FILLS[colour])
        cell.font = Font(color=FONTS[colour], bold=True)
        cell.alignment = Alignment(horizontal="center")
        cell.border = Border(*(Side(style="thin", color="FFB1B4B6"),) * 4)
    elif bold:
        cell.font = Font(bold=True)
    return cell


def _matrix_sheet(sheet: Worksheet, matrix: Matrix, *, title: str = "Matrix") -> None:
    sheet.title = title
    headers = ["Organisation", "Sector", "Return status"]
    for group in matrix.groups:
        headers += [f"{group.framework.short_title} {c.requirement.ref}: {c.requirement.title}" for c in group.columns]
        headers.append(f"{group.framework.short_title}: overall")
    headers.append("Disagreements (≠)")
    for number, header in enumerate(headers, start=1):
        _put(sheet, 1, number, header, bold=True)
        sheet.cell(row=1, column=number).alignment = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(matrix.rows, start=2):
        values = [row.org.name, row.sector_label, row.status_label]
        for number, value in enumerate(values, start=1):
            _put(sheet, row_number, number, value)
        column = len(values)
        for row_group in row.groups:
            for cell in row_group.cells:
                column += 1
                text = {NOT_ASKED: "Not asked", "not-submitted": "Not submitted", "unanswered": "Not answered",
                        NOT_CHECKED: "Not checked"}.get(cell.state, cell.letter)
                _put(sheet, row_number, column, f"{text} {DIFFERS}" if cell.disagrees else text, colour=cell.rag)
            column += 1
            _put(sheet, row_number, column, row_group.overall_text,
                 colour=row_group.overall.rag if row_group.overall is not None else BLANK)
        _put(sheet, row_number, column + 1, row.disagreements)
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["C"].width = 22
    for number in range(4, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(number)].width = 14
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(matrix.rows) + 1)}"


SUMMARY_HEADERS = ("Framework", "Ref", "Requirement", "Green", "Amber", "Red", "N/A", "Not answered", "Met",
                   "Applicable", "% met", "Returned", "Not yet returned", "Figures",
                   "Compared with last year (organisations)", "% met last year (like for like)",
                   "% met now (like for like)", "Better", "Same", "Worse", "Trend", "Disagreements")


def _summary_sheet(sheet: Worksheet, matrix: Matrix) -> None:
    for number, header in enumerate(SUMMARY_HEADERS, start=1):
        _put(sheet, 1, number, header, bold=True)
    for row_number, column in enumerate(matrix.columns, start=2):
        c = column.counts
        compared = matrix.has_previous and column.compared > 0
        values: list[str | int] = [column.framework.title, column.requirement.ref, column.requirement.title,
                                   c.green, c.amber, c.red, c.na, c.missing, c.met, c.applicable, column.percent_text,
                                   c.returned, c.not_returned, matrix.standing, column.compared,
                                   column.previous_percent_text if compared else "",
                                   column.like_percent_text if compared else "",
                                   column.better, column.same, column.worse, column.trend or "",
                                   column.disagreements]
        for number, value in enumerate(values, start=1):
            _put(sheet, row_number, number, value)
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["C"].width = 50
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(SUMMARY_HEADERS))}{len(matrix.columns) + 1}"


def _legend_sheet(sheet: Worksheet) -> None:
    for number, header in enumerate(("Cell", "Colour", "Meaning"), start=1):
        _put(sheet, 1, number, header, bold=True)
    for row_number, (colour, letter, meaning) in enumerate(LEGEND, start=2):
        _put(sheet, row_number, 1, letter, colour=colour)
        _put(sheet, row_number, 2, COLOUR_NAMES[colour])
        _put(sheet, row_number, 3, meaning)
    sheet.column_dimensions["C"].width = 80
    trend_row = len(LEGEND) + 3
    _put(sheet, trend_row, 1, "Trend", bold=True)
    _put(sheet, trend_row, 3, "better, same or worse than the organisation's answer in the previous cycle; a "
                              "requirement's trend compares only the organisations that answered it in both cycles "
                              "(like for like) and is better when more answers rose than fell")
    _put(sheet, trend_row + 1, 1, DIFFERS, bold=True)
    _put(sheet, trend_row + 1, 3, "the auditor's validated rating differs from the organisation's self-assessed one")
