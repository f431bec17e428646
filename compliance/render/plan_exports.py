"""The partnership's plan as CSV and XLSX: the actions (with each one's latest update), the measures (a row per
figure, with its colour in words and the rule in words) and the risk register (score, band, review date).

Pure: a PlanReport in (core/plan_report.py, the same values the strategy page and the board pack read), text or bytes
out. Names rather than ids, dates and times as people read them (London time), and every text cell neutralised
(workbooks.cell_text / neutralise) so that a spreadsheet never runs what someone typed as a formula. The same report
gives the same bytes.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from compliance.core.plan_report import ActionView, MeasureRow, MeasureView, PlanReport, RiskView
from compliance.core.text import long_date, slug
from compliance.render.workbooks import HEADING_FILL, cell_text, neutralise, saved

Row = TypeVar("Row")
COLOURS = {"green": "Green", "amber": "Amber", "red": "Red"}
# The colour cell's fill and font (ARGB), as the matrix's spreadsheet has them; its words are always in the cell.
FILLS = {"green": ("FF00703C", "FFFFFFFF"), "amber": ("FFFFDD00", "FF0B0C0C"), "red": ("FFD4351C", "FFFFFFFF")}
# How a figure reads in its cell: a number, shown with its unit.
NUMBER_FORMATS = {"count": "#,##0", "percent": '0.##"%"', "rate-per-1000": '0.##" per 1,000"'}


class Column(Generic[Row]):
    """A column: its heading, its width in the workbook, what it holds for a row, and (optionally) which colour
    its cell is filled with."""

    def __init__(self, heading: str, width: int, value: Callable[[Row], Any],
                 colour: Callable[[Row], str | None] | None = None) -> None:
        self.heading, self.width, self.value, self.colour = heading, width, value, colour


def _colour(rag: str | None) -> str:
    return COLOURS.get(rag or "", "")


ACTION_COLUMNS: tuple[Column[ActionView], ...] = (
    Column("Theme", 18, lambda a: a.theme),
    Column("Action", 45, lambda a: a.action),
    Column("Outcome sought", 35, lambda a: a.outcome),
    Column("Lead organisation", 26, lambda a: a.lead_organisation),
    Column("Lead person", 20, lambda a: a.lead_person),
    Column("Partners", 26, lambda a: a.partners),
    Column("Resources", 26, lambda a: a.resources),
    Column("Timescale", 22, lambda a: a.timescale),
    Column("Due", 16, lambda a: long_date(a.due)),
    Column("Status", 14, lambda a: a.status_label),
    Column("Overdue", 10, lambda a: "Overdue" if a.overdue else ""),
    Column("Progress colour", 12, lambda a: _colour(a.rag), lambda a: a.rag),
    Column("Progress", 20, lambda a: a.rag_text),
    Column("Latest update", 45, lambda a: a.note),
    Column("Updated", 24, lambda a: a.updated),
    Column("Updated by", 20, lambda a: a.updated_by),
    Column("Updates kept", 10, lambda a: a.updates),
)

Figure = tuple[MeasureView, MeasureRow | None]  # a measure's row for one of its figures (None: it has none yet)


def _figure(figure: Figure, *, number: bool) -> Any:
    view, row = figure
    if row is None:
        return "No figures yet"
    if number:
        value = dict(view.record.actuals)[row.period]
        return int(value) if value == value.to_integral_value() else float(value)
    return row.actual


def _measure_columns(*, number: bool) -> tuple[Column[Figure], ...]:
    return (
        Column("Theme", 18, lambda f: f[0].theme),
        Column("Measure", 35, lambda f: f[0].name),
        Column("Definition", 40, lambda f: f[0].definition),
        Column("Lead", 20, lambda f: f[0].lead),
        Column("Unit", 16, lambda f: f[0].unit_label),
        Column("Better when", 16, lambda f: f[0].direction_label),
        Column("Rated", 26, lambda f: f[0].rule_label),
        Column("Baseline", 16, lambda f: f[0].baseline),
        Column("Targets", 24, lambda f: f[0].targets_text),
        Column("Figures from", 26, lambda f: f[0].source or "Typed by the lead"),
        Column("Period", 22, lambda f: f[1].label if f[1] else ""),
        Column("Figure", 12, lambda f: _figure(f, number=number)),
        Column("Compared with", 30, lambda f: f[1].compared_with if f[1] else ""),
        Column("Colour", 10, lambda f: _colour(f[1].rag) if f[1] else "", lambda f: f[1].rag if f[1] else None),
        Column("Colour in words", 24, lambda f: f[1].rag_text if f[1] else ""),
        Column("How it is rated", 60, lambda f: f[1].rule_text if f[1] else ""),
    )


RISK_COLUMNS: tuple[Column[RiskView], ...] = (
    Column("Risk", 40, lambda r: r.description),
    Column("Cause", 30, lambda r: r.cause),
    Column("Consequence", 30, lambda r: r.consequence),
    Column("Likelihood", 10, lambda r: r.likelihood),
    Column("Impact", 10, lambda r: r.impact),
    Column("Score", 8, lambda r: r.score),
    Column("Band", 12, lambda r: r.band, lambda r: r.band_rag),
    Column("Owner", 20, lambda r: r.owner),
    Column("Review by", 18, lambda r: r.review_by),
    Column("Review overdue", 12, lambda r: "Overdue" if r.review_overdue else ""),
    Column("Mitigating actions", 45, lambda r: r.mitigations_text),
    Column("Raised from the measure", 30, lambda r: r.raised_from),
)


def _actions(report: PlanReport) -> list[ActionView]:
    return [action for theme in report.themes for action in theme.actions]


def _figures(report: PlanReport) -> list[Figure]:
    rows: list[Figure] = []
    for theme in report.themes:
        for view in theme.measures:
            rows += [(view, row) for row in view.rows] if view.rows else [(view, None)]
    return rows


def _csv(columns: Sequence[Column[Row]], rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.heading for column in columns])
    for row in rows:
        writer.writerow([neutralise(_plain(column.value(row))) for column in columns])
    return out.getvalue()


def _plain(value: Any) -> str | int | float:
    if value is None:
        return ""
    return value if isinstance(value, (str, int, float)) else str(value)


def actions_csv(report: PlanReport) -> str:
    """One row per action, theme by theme, with its latest update."""
    return _csv(ACTION_COLUMNS, _actions(report))


def measures_csv(report: PlanReport) -> str:
    """One row per figure of each measure (one row for a measure with none yet), the rule in words on each."""
    return _csv(_measure_columns(number=False), _figures(report))


def risks_csv(report: PlanReport) -> str:
    """The risk register, highest score first."""
    return _csv(RISK_COLUMNS, report.risks)


def _xlsx(report: PlanReport, title: str, columns: Sequence[Column[Row]], rows: Sequence[Row],
          number_formats: Callable[[Row], str | None] | None = None) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    sheet = book.create_sheet(title)
    sheet.append([cell_text(f"{report.strategy.title}: {title.lower()}")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([cell_text(f"As at {report.as_of} ({report.period}). Colours are given in words; each measure's "
                            "rule is in words on every row.")])
    sheet.append([column.heading for column in columns])
    header = 3
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(header, index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color=HEADING_FILL, end_color=HEADING_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row in rows:
        sheet.append([cell_text(_plain(column.value(row))) for column in columns])
        number = sheet.max_row
        for index, column in enumerate(columns, 1):
            cell = sheet.cell(number, index)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            colour = column.colour(row) if column.colour else None
            if colour in FILLS:
                fill, ink = FILLS[colour]
                cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
                cell.font = Font(bold=True, color=ink)
            if column.heading == "Figure" and number_formats and isinstance(cell.value, (int, float)):
                cell.number_format = number_formats(row) or "General"
    sheet.freeze_panes = f"A{header + 1}"
    sheet.auto_filter.ref = f"A{header}:{get_column_letter(len(columns))}{max(sheet.max_row, header)}"
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return saved(book)


def actions_xlsx(report: PlanReport) -> bytes:
    return _xlsx(report, "Actions", ACTION_COLUMNS, _actions(report))


def measures_xlsx(report: PlanReport) -> bytes:
    """As measures_csv, each figure a number formatted with its unit (40.5%, 1,250, 3.2 per 1,000)."""
    return _xlsx(report, "Measures", _measure_columns(number=True), _figures(report),
                 lambda figure: NUMBER_FORMATS.get(figure[0].unit))


def risks_xlsx(report: PlanReport) -> bytes:
    return _xlsx(report, "Risks", RISK_COLUMNS, report.risks)


def export_name(report: PlanReport, what: str, extension: str) -> str:
    """A download's file name: plan-actions-brackenford-domestic-abuse-strategy-2024-2027.csv (the title's slug cut
    to 80 characters, so a long title still makes a name every system takes)."""
    name = slug(report.strategy.title)[:80].strip("-")
    return f"plan-{what}-{name}.{extension}" if name else f"plan-{what}.{extension}"
