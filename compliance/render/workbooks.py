"""What every workbook we write shares: text made safe for a spreadsheet, the same bytes for the same workbook, and
the parts of a workbook meant to be filled in and uploaded back (a help sheet, headings, drop-downs, locked cells).

Pure: imports no Flask and touches no database. Every text cell is neutralised so that a spreadsheet never runs it
as a formula (CSV injection): text starting with = + - @ a tab or a carriage return gets a leading '. The reading
side (checking a workbook that comes back) is core/workbook.py, with the same sheet and column names.
"""
from __future__ import annotations

import io
import shutil
from collections.abc import Sequence
from datetime import date, datetime
from os import PathLike
from typing import TYPE_CHECKING, Any, TypeVar
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

if TYPE_CHECKING:
    from _typeshed import SizedBuffer

from compliance.core.workbook import DANGEROUS_STARTS, SheetSpec

# A fixed time inside the file, so the same workbook gives the same bytes.
FIXED_TIME = datetime(2000, 1, 1)
HEADING_FILL = "FFDEE0E2"
OPEN_FILL = "FFFFF7BF"  # the cells to fill in: a pale yellow, and unlocked (the help sheet says so in words)
_Value = TypeVar("_Value")
StrPath = str | PathLike[str]
Plain = str | int | float | date | datetime | None


def neutralise(text: _Value) -> _Value | str:
    """Text that a spreadsheet would run as a formula, made inert with a leading quote; other values unchanged.
    Text that already starts with quotes before such a start gets one more, so that reading it back (which takes
    one quote off, core/workbook.py) gives the text as it was."""
    if isinstance(text, str) and text.lstrip("'").startswith(DANGEROUS_STARTS):
        return "'" + text
    return text


def cell_text(value: _Value) -> _Value | str:
    """A value as a cell may hold it: no control characters (openpyxl refuses them), never a formula."""
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


class _FixedTimeZip(ZipFile):
    """A zip whose every entry carries FIXED_TIME rather than the moment it was written (zipfile's default for
    text it is given, and a write-only sheet's temporary file's own time), so one workbook gives one set of bytes."""

    def writestr(self, zinfo_or_arcname: str | ZipInfo, data: SizedBuffer | str,
                 compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = self._entry(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: StrPath, arcname: StrPath | None = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        with open(filename, "rb") as source, self.open(self._entry(str(arcname or filename)), "w") as target:
            shutil.copyfileobj(source, target)

    def _entry(self, name: str) -> ZipInfo:
        entry = ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
        entry.compress_type = self.compression
        return entry


def saved(book: Workbook) -> bytes:
    """The workbook's bytes, the same for the same workbook: openpyxl's own save stamps the file with the moment
    it is saved (in its properties and in every zip entry)."""
    book.properties.created = book.properties.modified = FIXED_TIME
    out = io.BytesIO()
    ExcelWriter(book, _FixedTimeZip(out, "w", ZIP_DEFLATED, allowZip64=True)).save()  # save() closes the zip
    return out.getvalue()


def help_sheet(book: Workbook, title: str, paragraphs: Sequence[str],
               columns: Sequence[tuple[str, str, str]] = ()) -> Worksheet:
    """A first sheet called Help: a title, plain-English paragraphs, then what each column means as a table of
    (sheet, column, what to put in it). It is not read back."""
    sheet: Worksheet = book.create_sheet("Help", 0)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 26
    sheet.column_dimensions["C"].width = 90
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    for paragraph in paragraphs:
        sheet.append([cell_text(paragraph)])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=3)
        sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[sheet.max_row].height = 15 * max(1, len(paragraph) // 120 + 1)
    if columns:
        sheet.append([])
        sheet.append(["Sheet", "Column", "What to put in it"])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", start_color=HEADING_FILL, end_color=HEADING_FILL)
        for row in columns:
            sheet.append([cell_text(value) for value in row])
            for cell in sheet[sheet.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return sheet


def data_sheet(book: Workbook, spec: SheetSpec, rows: Sequence[Sequence[Plain]], *,
               widths: Sequence[int] = (), title_rows: Sequence[str] = ()) -> Worksheet:
    """A sheet laid out as `spec` reads it: title rows above the header row, the headings bold on a grey fill and
    frozen, then the rows; text neutralised. Columns are `widths` characters wide."""
    if len(title_rows) != spec.header_row - 1:
        raise ValueError(f"sheet {spec.name} needs {spec.header_row - 1} title rows above its headings")
    sheet: Worksheet = book.create_sheet(spec.name)
    for line in title_rows:
        sheet.append([cell_text(line)])
    if title_rows:
        sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.append(list(spec.columns))
    for cell in sheet[spec.header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color=HEADING_FILL, end_color=HEADING_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([cell_text(value) for value in row])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{spec.header_row + 1}"
    return sheet


def wrap(sheet: Worksheet, first_row: int) -> None:
    """Wrap text and align it to the top in every cell from first_row down."""
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def drop_down(sheet: Worksheet, cells: str, options: Sequence[str], *, prompt: str = "", strict: bool = True) -> None:
    """Cells (an A1 range) that offer `options` as a drop-down and refuse anything else (or, not strict, that offer
    them and take other text too). The options are listed on a hidden sheet, since a list written into the rule
    itself may hold at most 255 characters; the same options are listed there once."""
    book: Any = sheet.parent
    lists = book["Lists"] if "Lists" in book.sheetnames else book.create_sheet("Lists")
    lists.sheet_state = "hidden"
    written = [cell_text(option) for option in options]
    column = next((index for index, listed in enumerate(lists.iter_cols(values_only=True), start=1)
                   if [value for value in listed if value is not None] == written), None)
    if column is None:
        column = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value is not None else 1
        for index, option in enumerate(written, start=1):
            lists.cell(index, column, option)
    letter = get_column_letter(column)
    rule = DataValidation(type="list", formula1=f"{quote_sheetname('Lists')}!${letter}$1:${letter}${len(options)}",
                          allow_blank=True, showErrorMessage=strict, errorTitle="Choose from the list",
                          error="Choose one of the options in the list", showInputMessage=bool(prompt),
                          prompt=prompt[:255] or None)
    sheet.add_data_validation(rule)
    rule.add(cells)


def lock_all_but(sheet: Worksheet, open_cells: Sequence[str]) -> None:
    """Protect the sheet (no password: it stops slips, not people) with only `open_cells` (A1 ranges) left to
    fill in; those are unlocked and pale yellow."""
    for cells in open_cells:
        for row in sheet[cells]:
            for cell in row if isinstance(row, tuple) else (row,):
                cell.protection = Protection(locked=False)
                cell.fill = PatternFill("solid", start_color=OPEN_FILL, end_color=OPEN_FILL)
    protect(sheet)


def protect(sheet: Worksheet) -> None:
    """Protect the sheet (no password: it stops slips, not people): only its unlocked cells can be changed, though
    rows and columns may still be made taller or wider to read long text."""
    sheet.protection.sheet = True
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False


def cell_style(book: Workbook, name: str, *, locked: bool = True, fill: str | None = None) -> str:
    """A named style of wrapped text aligned to the top, locked or not, on a fill or not, made once for the book;
    its name, for `styled`. Giving many cells one named style costs next to nothing, where giving each its own
    alignment, fill or protection has openpyxl hash those again for every cell."""
    if name not in book.named_styles:
        book.add_named_style(NamedStyle(
            name, alignment=Alignment(wrap_text=True, vertical="top"), protection=Protection(locked=locked),
            fill=PatternFill("solid", start_color=fill, end_color=fill) if fill else PatternFill()))
    return name


def styled(sheet: Worksheet, cells: str, name: str) -> None:
    """Give every cell of a range (A1 notation) the named style (see cell_style)."""
    for row in sheet[cells]:
        for cell in row if isinstance(row, tuple) else (row,):
            cell.style = name


def text_limit(sheet: Worksheet, cells: str, limit: int, *, what: str) -> None:
    """Cells (an A1 range) that refuse text longer than `limit` characters as it is typed, saying so; the upload
    checks the limit again, since a spreadsheet program may ignore the rule (or a paste may go round it)."""
    rule = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(limit), allow_blank=True,
                          showErrorMessage=True, errorTitle="Too long",
                          error=f"{what} must be {limit:,} characters or fewer"[:255])
    sheet.add_data_validation(rule)
    rule.add(cells)


def lock_structure(book: Workbook) -> None:
    """Sheets cannot be added, deleted, renamed, moved or shown (no password: it stops slips, not people)."""
    book.security = WorkbookProtection(lockStructure=True)
