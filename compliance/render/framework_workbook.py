"""A framework version as a workbook to fill in and upload back (or the empty template), laid out from the sheets
and columns of core/framework_sheets.py, which the upload is read with.

Pure: values in, bytes out (the same framework, the same bytes).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from compliance.core import frameworks as fw
from compliance.core.framework_sheets import (
    ABOUT,
    ABOUT_FIELDS,
    TABLES,
    Column,
    about_rows,
    table_rows,
)
from compliance.core.framework_toml import framework_document
from compliance.core.sectors import Sectors
from compliance.render.workbooks import data_sheet, drop_down, help_sheet, lock_all_but, saved, wrap

DATE_FORMAT = "dd/mm/yyyy"
TEXT_FORMAT = "@"  # typed as text, so a Ref of 1.10 or a Version of 2.0 stays as it was typed
WRAPPED = Alignment(wrap_text=True, vertical="top")


def framework_workbook(framework: fw.Framework | None, *, sectors: Sectors) -> bytes:
    """The framework as a workbook (None: the empty template): a Help sheet, then About, Scale, Thresholds,
    Requirements and Mappings."""
    document = None if framework is None else framework_document(framework)
    book = Workbook()
    book.remove(book.worksheets[0])
    title = ("Framework template" if framework is None
             else f"{framework.title}, version {framework.version}")
    help_sheet(book, title, _help_paragraphs(framework, sectors), _help_columns())
    _about_sheet(book, document)
    for spec, columns, path in TABLES:
        rows = [] if document is None else table_rows(document, path, columns, sectors)
        sheet = data_sheet(book, spec, rows, widths=[column.width for column in columns])
        _format_columns(sheet, columns, first=spec.header_row + 1, last=spec.header_row + spec.max_rows,
                        sectors=sectors)
    lists = book["Lists"]  # the drop-downs' options, hidden: last, after the sheets people fill in
    book.move_sheet(lists, offset=len(book.sheetnames) - 1 - book.sheetnames.index("Lists"))
    book.active = 1  # opens at About: the Help sheet is first, for anyone who looks for it
    return saved(book)


def _about_sheet(book: Workbook, document: dict[str, Any] | None) -> None:
    sheet = data_sheet(book, ABOUT, about_rows(document), widths=(20, 60, 60))
    wrap(sheet, 2)
    for number, field in enumerate(ABOUT_FIELDS, start=2):
        cell = sheet.cell(number, 2)
        if field.kind == "date":
            cell.number_format = DATE_FORMAT
        elif field.kind == "text":
            cell.number_format = TEXT_FORMAT
        if field.choices:
            drop_down(sheet, f"B{number}", field.choices, prompt=f"Choose {field.want}")
    lock_all_but(sheet, [f"B2:B{len(ABOUT_FIELDS) + 1}"])


def _format_columns(sheet: Worksheet, columns: Sequence[Column], *, first: int, last: int,
                    sectors: Sectors) -> None:
    """Wrapped text in every column, text typed as text, and a drop-down where the column is a choice; the rows
    below the framework's are formatted the same way for the rows people add."""
    wrap(sheet, first)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.alignment = WRAPPED
        if column.kind in ("text", "choice", "commas", "sectors", "lines"):
            dimension.number_format = TEXT_FORMAT
            for (cell,) in sheet.iter_rows(min_row=first, min_col=index, max_col=index):
                cell.number_format = TEXT_FORMAT
        cells = f"{letter}{first}:{letter}{last}"
        if column.choices:
            drop_down(sheet, cells, column.choices, prompt=f"Choose {column.want}")
        elif column.kind == "sectors":
            drop_down(sheet, cells, list(sectors.values()), strict=False,
                      prompt="Choose a sector, or type several separated by commas; empty for every sector")


def _help_paragraphs(framework: fw.Framework | None, sectors: Sectors) -> list[str]:
    start = ("This is the empty template for a new framework." if framework is None else
             f"This is version {framework.version} of {framework.title}, as loaded in the service. To make a new "
             "version, change the Version on the About sheet and keep every requirement's Id and every level's "
             "Code as they are.")
    return [
        start,
        "A framework is the requirements organisations assess themselves against, with its rating scale. This "
        "workbook holds everything a framework file holds (questionnaires/README.md describes the file): About "
        "(one row for each field of the framework), Scale (the ratings, best first), Thresholds (for the "
        "percentage-met rule only), Requirements (one row for each requirement, in the order people see them) and "
        "Mappings (links to requirements of other frameworks; may be empty).",
        "Fill in the cells, then upload the workbook on the service's Frameworks page (Upload a framework "
        "spreadsheet). Every problem is listed by sheet, row and column, and nothing is loaded until there are "
        "none and you have checked how the framework will look.",
        "Do not rename, move or add sheets or columns, and type values rather than formulas. You may add, delete "
        "and reorder rows. Lists offer the choices in Status, Overall rule, Colour, the Yes or No columns and "
        "Relation.",
        "A loaded version never changes. Ids are how answers are matched from year to year: keep each "
        "requirement's Id in every version, and give a new requirement an Id never used before.",
        "Sectors and Tags hold several values separated by commas, like Housing, Police; leave "
        "Sectors empty when every sector answers the requirement. Suggested evidence holds one item a line "
        "(Alt+Enter starts a new line in a cell; Option+Enter on a Mac). The partnership's sectors are: "
        + ", ".join(sectors.values()) + ".",
        "Dates must be dates the spreadsheet recognises, like 01/06/2018, not text. Text that starts with = + - or "
        "@ is kept as text: the spreadsheet may show a ' before it, which is not part of it.",
    ]


def _help_columns() -> list[tuple[str, str, str]]:
    found = [("About", field.heading, field.meaning) for field in ABOUT_FIELDS]
    for spec, columns, _ in TABLES:
        found.extend((spec.name, column.heading, column.meaning) for column in columns)
    return found
