"""The matrix as CSV (one row per organisation and requirement) and as an XLSX workbook.

Pure: imports no Flask and touches no database. Every text cell is neutralised so that a spreadsheet never
runs it as a formula (CSV injection): text starting with = + - @ a tab or a carriage return gets a leading '.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from compliance.core.matrix import NOT_ASKED, NOT_CHECKED, THROUGH_KEY, THROUGH_MARK, Cell, Matrix
from compliance.core.scoring import BLANK, NO_PERCENT
from compliance.core.text import when
from compliance.render.workbooks import cell_text, neutralise, saved

CSV_COLUMNS = ("cycle", "organisation", "sector", "return status", "framework", "ref", "requirement", "rating",
               "RAG", "previous rating", "trend", "validated rating", "validated differs", "answered through")
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
MAX_DECIMALS = 2  # a framework's overall.decimals is 0, 1 or 2 (core/frameworks.py)
# A write-only sheet: it has a Worksheet's page setup, filters and dimensions (openpyxl gives it Worksheet's own
# _setup), which openpyxl's type stubs only declare on Worksheet.
Sheet = Worksheet
_Plain = str | int | float | None


def matrix_csv(matrix: Matrix) -> str:
    """One row per organisation and requirement asked of it, with a header row; "answered through" names the other
    framework's requirement an answer was given at (a `same` mapping), as the matrix page's mark says."""
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
                cell.trend or "", _validated_text(cell), "yes" if cell.disagrees else "no", cell.through)])
    return out.getvalue()


def _validated_text(cell: Cell) -> str:
    if cell.state in ("not-submitted", "unanswered"):
        return ""
    return cell.validated_label or "Not checked"


def matrix_xlsx(matrix: Matrix, validated: Matrix | None = None, *, partnership: str, prepared: datetime) -> bytes:
    """A workbook a board can open and print: Matrix (self-assessed: title rows, coloured cells with their letters,
    frozen headers, filters, A4 landscape fitted to the page's width with the header row on every page),
    Validated (the auditors' validated ratings, when given), Summary (per requirement, its percentages as
    numbers) and Legend. A cell whose two ratings differ shows ≠; one answered through another framework's requirement
    shows *, with a note naming that requirement. prepared: when it was prepared (shown in
    London time); it is the only time in the file, so the same inputs give the same bytes.

    Written in openpyxl's write-only mode with one named style per look, made once: a 1,000-organisation matrix
    has 80,000 cells, and a style object made for each of them was most of the time (see make bench)."""
    book = Workbook(write_only=True)
    for style in _named_styles():
        book.add_named_style(style)
    _matrix_sheet(book.create_sheet("Matrix"), matrix, partnership=partnership, prepared=prepared)
    if validated is not None:
        _matrix_sheet(book.create_sheet("Validated"), validated, partnership=partnership, prepared=prepared)
    _summary_sheet(book.create_sheet("Summary"), matrix)
    _legend_sheet(book.create_sheet("Legend"), mapped=matrix.mapped or (validated is not None and validated.mapped))
    return saved(book)


HEADER_ROW = 5  # on the Matrix and Validated sheets, below the title rows
TITLE, BOLD, HEADER = "Matrix title", "Matrix bold", "Matrix header"


def _named_styles() -> list[NamedStyle]:
    """One named style per look of a cell: a colour's fill, font and border (its letter is the text), a title,
    bold text, a wrapped header, and a percentage at each number of decimals."""
    edge = Side(style="thin", color="FFB1B4B6")
    styles = [NamedStyle(_colour_style(colour), fill=PatternFill("solid", start_color=fill, end_color=fill),
                         font=Font(color=FONTS[colour], bold=True), alignment=Alignment(horizontal="center"),
                         border=Border(left=edge, right=edge, top=edge, bottom=edge))
              for colour, fill in FILLS.items()]
    styles += [NamedStyle(TITLE, font=Font(bold=True, size=14)), NamedStyle(BOLD, font=Font(bold=True)),
               NamedStyle(HEADER, font=Font(bold=True), alignment=Alignment(wrap_text=True, vertical="top"))]
    styles += [NamedStyle(_percent_style(decimals), number_format=percent_format(decimals))
               for decimals in range(MAX_DECIMALS + 1)]
    return styles


def _colour_style(colour: str) -> str:
    return f"Matrix {colour}"


def _percent_style(decimals: int) -> str:
    return f"Matrix percent {decimals}"


def percent_format(decimals: int) -> str:
    """The number format of a percentage with a framework's decimals: 0% or 0.0%."""
    return "0%" if decimals <= 0 else f"0.{'0' * decimals}%"


def _cell(sheet: Sheet, value: _Plain, style: str | None = None) -> SheetCell:
    cell = WriteOnlyCell(sheet, value=cell_text(value))
    if style is not None:
        cell.style = style
    return cell


def _percent(sheet: Sheet, value: Decimal | None, decimals: int) -> SheetCell | str:
    """A percentage as a number (0.588 shown as 58.8%), or the words Not applicable when nothing was."""
    if value is None:
        return NO_PERCENT
    cell = WriteOnlyCell(sheet, value=float(value / 100))
    cell.style = _percent_style(min(decimals, MAX_DECIMALS))
    return cell


def _matrix_sheet(sheet: Sheet, matrix: Matrix, *, partnership: str, prepared: datetime) -> None:
    """Title rows, the header row, a row per organisation. In write-only mode everything about the sheet is set
    before its first row is written."""
    headers = ["Organisation", "Sector", "Return status"]
    for group in matrix.groups:  # in the cycle's order of frameworks
        headers += [f"{group.framework.short_title} {c.requirement.ref}: {c.requirement.title}" for c in group.columns]
        headers.append(f"{group.framework.short_title}: overall")
    headers.append("Disagreements (≠)")
    last = get_column_letter(len(headers))
    for letter, width in (("A", 40), ("B", 22), ("C", 22)):
        sheet.column_dimensions[letter].width = width
    for number in range(4, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(number)].width = 12
    sheet.row_dimensions[HEADER_ROW].height = 75
    sheet.freeze_panes = f"B{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(1, len(matrix.rows))}"
    view = "validated ratings" if matrix.validated else "self-assessed ratings"
    _print_setup(sheet, f"{partnership}: partnership matrix, {matrix.cycle}, {view} ({matrix.standing.lower()})")
    for title in _title_rows(sheet, matrix, partnership=partnership, prepared=prepared):
        sheet.append(title)
    sheet.append([_cell(sheet, header, HEADER) for header in headers])
    words = {NOT_ASKED: "Not asked", "not-submitted": "Not submitted", "unanswered": "Not answered",
             NOT_CHECKED: "Not checked"}
    for row in matrix.rows:
        values: list[object] = [cell_text(row.org.name), cell_text(row.sector_label), cell_text(row.status_label)]
        for row_group in row.groups:
            for cell in row_group.cells:
                text = words.get(cell.state, cell.letter)
                text += f" {DIFFERS}" if cell.disagrees else ""
                text += f" {THROUGH_MARK}" if cell.through else ""
                shown = _cell(sheet, text, _colour_style(cell.rag))
                if cell.through:  # where the answer was given, as a note on the cell (the page says it in words)
                    shown.comment = Comment(cell_text(f"Answered through {cell.through}"), "Partnership matrix")
                values.append(shown)
            overall = row_group.overall.rag if row_group.overall is not None else BLANK
            values.append(_cell(sheet, row_group.overall_text, _colour_style(overall)))
        values.append(row.disagreements)
        sheet.append(values)


def _title_rows(sheet: Sheet, matrix: Matrix, *, partnership: str, prepared: datetime
                ) -> list[list[object]]:
    """What the sheet is, whose, how complete its figures are and when it was prepared; a blank row after."""
    view = "validated by the auditors" if matrix.validated else "self-assessed"
    chosen = "; ".join(f"{name} {value}" for name, value in matrix.filters.items() if value)
    shown = f"Only organisations matching: {chosen}." if chosen else "Every organisation with a return this cycle."
    rows: list[list[object]] = [
        [_cell(sheet, f"{partnership}: partnership matrix, {matrix.cycle}", TITLE)],
        [_cell(sheet, f"{matrix.standing} figures ({view} ratings): {matrix.coverage_text}.", BOLD)],
        [cell_text(f"Prepared {when(prepared)} (London time). {shown}")],
    ]
    return rows + [[]] * (HEADER_ROW - 1 - len(rows))


def _print_setup(sheet: Sheet, header: str) -> None:
    """A4 landscape, fitted to the page's width (as many pages down as it needs), the header row on every page,
    the title and page number in the page's margins."""
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    # a new sheet's header and footer items exist (HeaderFooter makes them); the stubs allow None
    cast(HeaderFooterItem, sheet.HeaderFooter.oddHeader).center.text = (
        ILLEGAL_CHARACTERS_RE.sub("", header).replace("&", "&&"))  # && is a literal & there
    cast(HeaderFooterItem, sheet.HeaderFooter.oddFooter).center.text = "Page &P of &N"


SUMMARY_HEADERS = ("Framework", "Ref", "Requirement", "Green", "Amber", "Red", "N/A", "Not answered", "Met",
                   "Applicable", "% met", "Returned", "Not yet returned", "Figures",
                   "Compared with last year (organisations)", "% met last year (like for like)",
                   "% met now (like for like)", "Better", "Same", "Worse", "Trend", "Disagreements")


def _summary_sheet(sheet: Sheet, matrix: Matrix) -> None:
    """One row per requirement, its percentages stored as numbers with a % format."""
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["C"].width = 50
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(SUMMARY_HEADERS))}{len(matrix.columns) + 1}"
    sheet.append([_cell(sheet, header, BOLD) for header in SUMMARY_HEADERS])
    for column in matrix.columns:
        c = column.counts
        decimals = column.framework.overall.decimals
        compared = matrix.has_previous and column.compared > 0
        sheet.append([cell_text(column.framework.title), cell_text(column.requirement.ref),
                      cell_text(column.requirement.title),
                      c.green, c.amber, c.red, c.na, c.missing, c.met, c.applicable,
                      _percent(sheet, c.percent_met, decimals), c.returned, c.not_returned, matrix.standing,
                      column.compared,
                      _percent(sheet, column.previous_percent, decimals) if compared else None,
                      _percent(sheet, column.now.percent_met, decimals) if compared and column.now else None,
                      column.better, column.same, column.worse, column.trend or "", column.disagreements])


def _legend_sheet(sheet: Sheet, *, mapped: bool) -> None:
    sheet.column_dimensions["C"].width = 80
    sheet.append([_cell(sheet, header, BOLD) for header in ("Cell", "Colour", "Meaning")])
    for colour, letter, meaning in LEGEND:
        sheet.append([_cell(sheet, letter, _colour_style(colour)), cell_text(COLOUR_NAMES[colour]), cell_text(meaning)])
    sheet.append([])
    sheet.append([_cell(sheet, "Trend", BOLD), None,
                  "better, same or worse than the organisation's answer in the previous cycle; a requirement's trend "
                  "compares only the organisations that answered it in both cycles (like for like) and is better "
                  "when more answers rose than fell"])
    sheet.append([_cell(sheet, DIFFERS, BOLD), None,
                  "the auditor's validated rating differs from the organisation's self-assessed one"])
    if mapped:
        sheet.append([_cell(sheet, THROUGH_MARK, BOLD), None,
                      f"{THROUGH_KEY}; the cell's note names that requirement"])
    sheet.append([_cell(sheet, "% met", BOLD), None,
                  "a number formatted as a percentage, to the framework's decimals; it reads Not applicable when "
                  "every answer to the requirement was not applicable"])
