"""The Executive Board's pack for a cycle as one PDF: summary and chart, the matrix in landscape, then every
submitted statement.

Pure: a Matrix and Statements in, bytes out; no Flask and no database. The statements are drawn with the same
flowables as their own PDF (compliance.pdf), so the pack and a single statement cannot drift apart.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from io import BytesIO
from typing import SupportsIndex

# bandit B406: escape() writes markup for ReportLab; nothing is parsed
from xml.sax.saxutils import escape  # nosec B406

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from compliance.core.matrix import NOT_ASKED, Cell, Group, Matrix
from compliance.core.returns import RETURN_STATUSES
from compliance.core.statements import Statement
from compliance.render import pdf

Progress = Callable[[int, int], None]
MARGIN = pdf.MARGIN
NOT_ASKED_FILL = "#f3f2f1"
ORG_COLUMN = 62 * mm


def render_board_pack(matrix: Matrix, statements: Sequence[Statement], *, partnership: str, cycle_name: str,
                      progress: Progress | None = None, invariant: bool = False) -> bytes:
    """The board pack as PDF bytes; progress(done, total) is called as each statement is drawn."""
    pdf.register_fonts()
    styles = pdf.paragraph_styles()
    out = BytesIO()
    doc = BaseDocTemplate(out, pagesize=A4, title=f"Board pack: {partnership}, {cycle_name}", author=partnership,
                          subject=f"Compliance returns {cycle_name}", creator="Compliance statements",
                          invariant=int(invariant))
    footer = f"{partnership}: board pack {cycle_name}"
    doc.addPageTemplates([_template("portrait", A4, footer), _template("landscape", landscape(A4), footer)])
    total = len(statements)
    head = [*_summary(matrix, statements, partnership, cycle_name, styles), NextPageTemplate("landscape"),
            PageBreak(), *_matrix_pages(matrix, cycle_name, styles), NextPageTemplate("portrait")]
    if not statements:
        head += [PageBreak(), Paragraph("Statements", styles["h2"]),
                 Paragraph("No return has been submitted in this cycle yet.", styles["body"])]
    parts = (_statement_part(statement, styles, _Reached(progress, done, total))
             for done, statement in enumerate(statements, 1))
    doc.build(_LazyStory(head, parts), canvasmaker=pdf.NumberedCanvas)
    if progress is not None and total == 0:
        progress(0, 0)
    return out.getvalue()


def _template(name: str, size: tuple[float, float], footer: str) -> PageTemplate:
    frame = Frame(MARGIN, MARGIN + 8 * mm, size[0] - 2 * MARGIN, size[1] - 2 * MARGIN - 8 * mm, id=name,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def furniture(canv: Canvas, _doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setStrokeColor(pdf.LINE)
        canv.line(MARGIN, 17 * mm, size[0] - MARGIN, 17 * mm)
        canv.setFillColor(pdf.GREY)
        canv.setFont(pdf.REGULAR, 7.5)
        canv.drawString(MARGIN, 13 * mm, footer)
        canv.restoreState()

    return PageTemplate(id=name, frames=[frame], onPage=furniture, pagesize=size)


class _Reached(Flowable):
    """Takes no space; tells the caller a statement has been drawn."""

    def __init__(self, progress: Progress | None, done: int, total: int) -> None:
        super().__init__()
        self.progress, self.done, self.total = progress, done, total

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)


def _statement_part(statement: Statement, styles: pdf.Styles, reached: Flowable) -> list[Flowable]:
    story: list[Flowable] = [PageBreak(), *pdf.front_matter(statement, styles)]
    for section in statement.sections:
        story += pdf.section_flowables(section, styles)
    return [*story, *pdf.attestation(statement, styles), reached]


class _LazyStory(list[Flowable]):
    """The pack's flowables, a statement's worth at a time: ReportLab takes them from the front of the list
    (del story[0]), so each statement's are made just before they are drawn rather than all 200 at the start.
    That keeps a worker's peak memory down (make bench measures it)."""

    def __init__(self, head: list[Flowable], parts: Iterator[list[Flowable]]) -> None:
        super().__init__(head)
        self._parts = parts
        self._fill()

    def _fill(self) -> None:
        while len(self) < 64 and (part := next(self._parts, None)) is not None:
            self.extend(part)

    def __delitem__(self, index: SupportsIndex | slice) -> None:
        super().__delitem__(index)
        self._fill()


def status_counts(matrix: Matrix) -> list[tuple[str, int]]:
    """Returns by status, in the order a return moves through them."""
    found = Counter(row.org.status for row in matrix.rows)
    return [(label, found[code]) for code, label in RETURN_STATUSES.items()]


def _left_out(matrix: Matrix) -> str:
    """The sentence naming organisations whose withdrawn return counts nowhere; empty when there are none."""
    if not matrix.withdrawn:
        return ""
    one = len(matrix.withdrawn) == 1
    return (f" Left out of every figure: {pdf.text(', '.join(matrix.withdrawn))}, whose return"
            f"{' was' if one else 's were'} withdrawn when the organisation{' was' if one else 's were'} archived "
            "during the cycle.")


def _summary(matrix: Matrix, statements: Sequence[Statement], partnership: str, cycle_name: str,
             styles: pdf.Styles) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(pdf.text(partnership), styles["small"]),
        Paragraph(f"Board pack: {pdf.text(cycle_name)}", styles["title"]),
        Paragraph(f"<b>{matrix.standing} figures.</b> " + (
            "The cycle is closed." if matrix.final else "The cycle is still open: these figures will change as "
            "returns come in.") + f" {matrix.coverage_text}; % met is worked out over the returns that are in.",
            styles["body"]),
        Paragraph(f"{len(matrix.rows)} organisations. {len(statements)} submitted statement"
                  f"{'s' if len(statements) != 1 else ''} follow the matrix.{_left_out(matrix)}", styles["body"]),
        Paragraph("Returns by status", styles["h2"]),
        _grid([["Status", "Returns"], *[[label, str(n)] for label, n in status_counts(matrix)]], styles,
              [80 * mm, 30 * mm])]
    if matrix.groups:
        story += [Paragraph("Requirements met, by framework", styles["h2"]), _chart(matrix.groups)]
    for group in matrix.groups:
        framework = group.framework
        met = "nothing applicable" if group.percent_met is None else f"{group.percent_text} met"
        story += [Paragraph(pdf.text(f"{framework.title} (version {framework.version})"), styles["h3"]),
                  Paragraph(pdf.text(f"Overall: {met} ({matrix.standing.lower()}), {group.coverage_text}."
                                     + (f" {group.comparison_text}" if matrix.has_previous else "")),
                            styles["small"])]
        rows = [["Requirement", "% met", "Green", "Amber", "Red", "N/A", "Not answered", "Not returned"]]
        for column in group.columns:
            counts = column.counts
            rows.append([pdf.text(column.requirement.ref), column.percent_text, *map(str, (
                counts.green, counts.amber, counts.red, counts.na, counts.missing, counts.not_returned))])
        story += [_grid(rows, styles, [38 * mm] + [19 * mm] * 7), Spacer(1, 8)]
    return story


def _grid(rows: list[list[str]], styles: pdf.Styles, widths: list[float]) -> Table:
    cell = styles["cell"]
    data = [[Paragraph(f"<b>{v}</b>" if i == 0 else v, cell) for v in row] for i, row in enumerate(rows)]
    table = Table(data, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, pdf.LINE),
                               ("LINEBELOW", (0, 0), (-1, 0), 1, pdf.BLACK), ("LEFTPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _chart(groups: Sequence[Group]) -> Drawing:
    # The value axis's labels sit about 12 points below the chart: the caption goes below them.
    height = 40 + 22 * len(groups)
    drawing = Drawing(pdf.frame_width(), height)
    chart = HorizontalBarChart()
    # The ignore: types-reportlab declares a chart's width an int, but ReportLab takes any number of points.
    chart.x, chart.y, chart.width, chart.height = 120, 30, pdf.frame_width() - 150, height - 36  # type: ignore[assignment]
    chart.data = [[float(g.percent_met or 0) for g in groups]]
    chart.categoryAxis.categoryNames = [g.framework.short_title or g.framework.title for g in groups]
    chart.categoryAxis.labels.fontName = pdf.REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = pdf.REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = colors.HexColor("#1d70b8")
    chart.barLabelFormat = "%.0f%%"
    chart.barLabels.fontName = pdf.REGULAR
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    drawing.add(String(0, 2, "% of applicable answers met (missing returns count as not met)", fontName=pdf.REGULAR,
                       fontSize=7, fillColor=pdf.GREY))
    return drawing


def _matrix_pages(matrix: Matrix, cycle_name: str, styles: pdf.Styles) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(f"Partnership matrix: {pdf.text(cycle_name)}", styles["h2"]),
        Paragraph("G green: met. A amber: partially met. R red: not met. N/A: not applicable. "
                  "– : not submitted or not answered. Shaded and empty: not asked of this sector.", styles["small"])]
    if not matrix.rows:
        return story + [Paragraph("No organisation has a return in this cycle.", styles["body"])]
    for number, group in enumerate(matrix.groups):
        if number:
            story.append(PageBreak())
        story += [Paragraph(pdf.text(group.framework.title), styles["h3"]), Spacer(1, 4), _matrix_table(matrix, group)]
    return story


def _matrix_table(matrix: Matrix, group: Group) -> Table:
    available = landscape(A4)[0] - 2 * MARGIN - ORG_COLUMN
    width = min(14 * mm, available / max(len(group.columns), 1))
    head = ParagraphStyle("mh", fontName=pdf.BOLD, fontSize=6.5, leading=8, alignment=1)
    name = ParagraphStyle("mn", fontName=pdf.REGULAR, fontSize=7, leading=8.5)
    data: list[list[Paragraph | str]] = [[Paragraph("Organisation", head),
                                          *[Paragraph(escape(c.requirement.ref), head) for c in group.columns]]]
    style = TableStyle([("FONT", (1, 1), (-1, -1), pdf.BOLD, 7), ("ALIGN", (1, 1), (-1, -1), "CENTER"),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("GRID", (0, 0), (-1, -1), 0.25, pdf.LINE),
                        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)])
    for y, row in enumerate(matrix.rows, 1):
        cells = next(g.cells for g in row.groups if g.framework.key == group.framework.key)
        data.append([Paragraph(pdf.text(row.org.name), name), *[_letter(c) for c in cells]])
        for x, cell in enumerate(cells, 1):
            fill, ink = ((NOT_ASKED_FILL, "#0b0c0c") if cell.rag == NOT_ASKED
                         else pdf.RAG.get(cell.rag, pdf.RAG["blank"]))
            style.add("BACKGROUND", (x, y), (x, y), colors.HexColor(fill))
            style.add("TEXTCOLOR", (x, y), (x, y), colors.HexColor(ink))
    table = Table(data, colWidths=[ORG_COLUMN] + [width] * len(group.columns), repeatRows=1, hAlign="LEFT")
    table.setStyle(style)
    return table


def _letter(cell: Cell) -> str:
    if cell.rag == NOT_ASKED:
        return ""
    return cell.letter or "–"
