"""make bench: the floor under each figure, measured in the same run, so the ratio outlasts the machine's load.

Each floor does the least work that could give the same output: the same SQL (store.matrix_returns and
store.matrix_ratings) and the same HTML or SVG written with html.escape and str.join; openpyxl in write-only
mode writing the same cells with one shared fill per colour; a bare ReportLab document with the same paragraphs
and tables; openpyxl writing and reading back a return's spreadsheet's cells. None of it is shipped: it says how
much of a figure is the service's own work.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import NamedStyle, PatternFill
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.platypus import BaseDocTemplate, Paragraph, SimpleDocTemplate, Table, TableStyle

from compliance import store
from compliance.core.frameworks import Framework
from compliance.core.scoring import rag_letter

BLANK = ("blank", "", "Not submitted")


def _levels(frameworks: Sequence[Framework]) -> dict[tuple[str, str | None], tuple[str, str, str]]:
    return {(f.key, level.code): (level.rag, rag_letter(level.rag), level.label) for f in frameworks
            for level in f.scale}


def matrix_html(db, cycle_id: int, frameworks: Sequence[Framework]) -> str:
    """The matrix's SQL, and what the page writes of it: a table with the page's markup for every cell (class,
    link, letter, description), and the small-screen list under it (each organisation with its name linked, its
    frameworks' worst colour, and its red and amber answers by title, each linked)."""
    returns, ratings = store.matrix_returns(db, cycle_id), store.matrix_ratings(db, cycle_id)
    levels = _levels(frameworks)
    out = ['<table class="govuk-table app-matrix__table"><tbody class="govuk-table__body">']
    listed = ['<ul class="govuk-list app-matrix-list__orgs">']
    for ret in returns:
        name = ret["organisation_name"]
        found = ratings.get(ret["return_id"], {})
        url = f"/returns/{ret['return_id']}/versions/{ret['version']}"
        out.append(f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header app-matrix__org">'
                   f'<a class="govuk-link" href="/organisations/{ret["organisation_id"]}">{escape(name)}</a> '
                   f'<span class="app-matrix__status">{escape(ret["status"])}</span></th>')
        listed.append(f'<li class="app-matrix-list__org"><h4 class="govuk-heading-s"><a class="govuk-link" '
                      f'href="/organisations/{ret["organisation_id"]}">{escape(name)}</a></h4><p>'
                      f'{escape(ret["status"])}</p><dl class="govuk-summary-list">')
        for framework in frameworks:
            key = framework.key
            flagged: list[str] = []
            worst = "green"
            for requirement in framework.requirements:
                where = f"{name}, requirement {requirement.ref}"
                if not requirement.applies_to(ret["sector"]):
                    out.append('<td class="govuk-table__cell app-matrix__cell app-rag--not-asked">'
                               f'<span class="govuk-visually-hidden">{escape(where)}: not asked</span></td>')
                    continue
                rag, letter, label = levels.get((key, found.get((key, requirement.id))), BLANK)
                anchor = escape(f"{url}#answer-{framework.id}-{requirement.id}")
                out.append(f'<td class="govuk-table__cell app-matrix__cell app-rag--{rag}"><a class="app-matrix__link"'
                           f' href="{anchor}"><span aria-hidden="true">{escape(letter)}</span><span '
                           f'class="govuk-visually-hidden">{escape(where)}: {escape(label)}</span></a></td>')
                if rag in ("red", "amber"):
                    worst = "red" if rag == "red" or worst == "red" else "amber"
                    flagged.append(f'<li><a href="{anchor}">{escape(requirement.ref)}. '
                                   f'{escape(requirement.title)}</a></li>')
            out.append('<td class="govuk-table__cell app-matrix__overall">Overall</td>')
            listed.append(f'<div class="govuk-summary-list__row"><dt>{escape(framework.short_title)}</dt><dd>'
                          f'<span class="app-rag app-rag--{worst}">{worst}</span><ul>{"".join(flagged)}</ul></dd>'
                          '</div>')
        out.append("</tr>")
        listed.append("</dl></li>")
    out.append("</tbody></table>")
    listed.append("</ul>")
    return "".join(out) + "".join(listed)


def charts_svg(db, cycle_id: int, frameworks: Sequence[Framework]) -> str:
    """The matrix's SQL, each requirement's counts by colour, and one stacked SVG bar per requirement."""
    returns, ratings = store.matrix_returns(db, cycle_id), store.matrix_ratings(db, cycle_id)
    levels = _levels(frameworks)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" role="img">']
    for index, (framework, requirement) in enumerate((f, r) for f in frameworks for r in f.requirements):
        counts: dict[str, int] = {}
        key, answer = framework.key, (framework.key, requirement.id)
        for ret in returns:
            if requirement.applies_to(ret["sector"]):
                rag = levels.get((key, ratings.get(ret["return_id"], {}).get(answer)), BLANK)[0]
                counts[rag] = counts.get(rag, 0) + 1
        x, y = 100.0, 60 + 28 * index
        out.append(f'<g><text x="92" y="{y + 14}">{escape(f"{framework.short_title} {requirement.ref}")}</text>')
        for rag, count in sorted(counts.items()):
            out.append(f'<rect x="{x:.2f}" y="{y}" width="{count:.2f}" height="18" class="{rag}"><title>'
                       f'{escape(f"{requirement.title}: {rag}, {count}")}</title></rect>')
            x += count
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def xlsx_cells(book_bytes: bytes) -> list[tuple[str, list[list[tuple[object, str | None]]]]]:
    """Every sheet's cells (value, fill colour) of a workbook, for xlsx_bytes to write again."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(book_bytes))
    return [(sheet.title, [[(cell.value, cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None)
                            for cell in row] for row in sheet.iter_rows()]) for sheet in book.worksheets]


def xlsx_bytes(sheets: list[tuple[str, list[list[tuple[object, str | None]]]]]) -> bytes:
    """openpyxl's write-only mode writing the same cells, with one shared fill per colour and no other style.

    Each fill is a named style made once: assigning a shared PatternFill to every cell has openpyxl hash it
    again for each cell, which costs more than everything else here, so it would be no floor."""
    book = Workbook(write_only=True)
    colours = sorted({colour for _, rows in sheets for row in rows for _, colour in row if colour is not None})
    for colour in colours:
        book.add_named_style(NamedStyle(colour, fill=PatternFill("solid", start_color=colour, end_color=colour)))
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            cells = []
            for value, colour in row:
                cell = WriteOnlyCell(sheet, value=value)
                if colour is not None:
                    cell.style = colour
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_values(book_bytes: bytes) -> list[tuple[str, list[list[object]]]]:
    """Every sheet's cell values of a workbook, for workbook_round_trip to write and read again."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(book_bytes))
    return [(sheet.title, [[cell.value for cell in row] for row in sheet.iter_rows()]) for sheet in book.worksheets]


def workbook_round_trip(sheets: list[tuple[str, list[list[object]]]]) -> int:
    """openpyxl writing the same cells (write-only mode, plain values, no style, no drop-down, no lock), then reading
    every one back (read-only mode): the least a spreadsheet round trip can cost. How many values it read."""
    from openpyxl import load_workbook

    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    read = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    count = sum(value is not None for sheet in read.worksheets for row in sheet.iter_rows(values_only=True)
                for value in row)
    read.close()
    return count


def pdf_story(render) -> list[tuple[str, object]]:
    """What a ReportLab render drew: ("p", text) for each paragraph, ("t", rows of text) for each table.

    Read by listening to BaseDocTemplate.afterFlowable while `render` runs (once, untimed)."""
    drawn: list[tuple[str, object]] = []
    original = BaseDocTemplate.afterFlowable

    def listen(doc, flowable):
        if isinstance(flowable, Paragraph):
            drawn.append(("p", _plain(flowable)))
        elif isinstance(flowable, Table):
            drawn.append(("t", ([[_plain(value) for value in row] for row in flowable._cellvalues],
                                list(flowable._argW), flowable.repeatRows)))
        original(doc, flowable)

    BaseDocTemplate.afterFlowable = listen
    try:
        render()
    finally:
        BaseDocTemplate.afterFlowable = original
    return drawn


def _plain(value) -> tuple[str, object]:
    """A paragraph as ("p", (its text, font, size, leading)); a table cell's string as ("s", text)."""
    if isinstance(value, Paragraph):
        style = value.style
        return "p", (value.getPlainText(), style.fontName, style.fontSize, style.leading)
    if isinstance(value, (list, tuple)) and value:
        parts = [_plain(v) for v in value]
        first = next((found for kind, found in parts if kind == "p"), None)
        if first is not None:
            text = " ".join(found[0] if kind == "p" else found for kind, found in parts)
            return "p", (text, *first[1:])
        return "s", " ".join(found for _, found in parts)
    return "s", "" if value is None else str(value)


def pdf_bytes(story: list[tuple[str, object]]) -> bytes:
    """A bare ReportLab document of the same paragraphs and tables, in the same fonts and sizes, with one grid
    style: no page furniture, no page numbers, no flowables of our own, A4 portrait."""
    base = getSampleStyleSheet()["Normal"]
    styles: dict[tuple, ParagraphStyle] = {}

    def paragraph(found) -> Paragraph:
        text, *look = found
        style = styles.setdefault(tuple(look), ParagraphStyle(f"floor{len(styles)}", base, fontName=look[0],
                                                             fontSize=look[1], leading=look[2]))
        return Paragraph(escape(text), style)

    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "grey"), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    flowables = []
    for kind, content in story:
        if kind == "p":
            flowables.append(paragraph(content[1]))
        else:
            cells, widths, repeat = content
            rows = [[paragraph(found) if kind == "p" else found for kind, found in row] for row in cells]
            flowables.append(Table(rows, colWidths=widths, style=grid, repeatRows=repeat))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, invariant=1).build(flowables)
    return out.getvalue()
