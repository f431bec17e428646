"""The Executive Board's pack for a cycle as one PDF, written as a board paper: a cover (PROVISIONAL or FINAL),
an executive summary in words and small tables, the figures for every requirement, the matrix in landscape with
a key of requirement titles, then for each organisation whose return is in a one-page summary and its statement.
The cover, summary and organisation pages come from a BoardPaper (compliance.core.board_paper), which the board
paper's web page draws too, so the two say the same.

Pure: a Matrix and Statements in, bytes out; no Flask and no database. The statements are drawn with the same
flowables as their own PDF (compliance.pdf), so the pack and a single statement cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from io import BytesIO
from typing import SupportsIndex

# bandit B406: escape() writes markup for ReportLab; nothing is parsed
from xml.sax.saxutils import escape  # nosec B406

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

from compliance.core.actions import ActionItem
from compliance.core.board_paper import OrganisationSummary, board_paper
from compliance.core.matrix import NOT_ASKED, THROUGH_KEY, THROUGH_MARK, Cell, Group, Matrix, MatrixRow
from compliance.core.plan_report import PlanValues, plan_report
from compliance.core.statements import Statement
from compliance.core.text import london, plural
from compliance.render import board_paper as paper_pages
from compliance.render import pdf
from compliance.render.plan import plan_section

Progress = Callable[[int, int], None]
MARGIN = pdf.MARGIN
NOT_ASKED_FILL = "#f3f2f1"
ORG_COLUMN = 62 * mm


def render_board_pack(matrix: Matrix, statements: Sequence[Statement], *, partnership: str, cycle_name: str,
                      prepared: datetime | None = None, actions: Sequence[ActionItem] = (),
                      plan: PlanValues | None = None, progress: Progress | None = None,
                      invariant: bool = False) -> bytes:
    """The board pack as PDF bytes; progress(done, total) is called as each statement is drawn.

    prepared: the moment the pack was asked for (shown in London time on the cover); actions: the improvement
    actions of the signed returns, each knowing whether it is overdue on that day; plan: the partnership's own plan,
    whose strategy (actions, measures and risks, overdue as of the London day prepared) follows the executive
    summary; without it the pack has no such section.
    """
    if plan is not None and prepared is None:
        raise ValueError("a board pack with the partnership's plan needs the moment it was prepared: its overdue "
                         "actions and reviews are as of that day")
    pdf.register_fonts()
    styles = pdf.paragraph_styles()
    paper = board_paper(matrix, actions, partnership=partnership, cycle_name=cycle_name, prepared=prepared)
    out = BytesIO()
    doc = BaseDocTemplate(out, pagesize=A4, title=f"Board pack: {partnership}, {cycle_name}", author=partnership,
                          subject=f"Compliance returns {cycle_name} ({matrix.standing.lower()})",
                          creator="Compliance statements", invariant=int(invariant))
    # The standing and the time come first: a long partnership name is what gets shortened to fit.
    footer = f"Board pack {cycle_name}, {matrix.standing.upper()}" + (
        f", prepared {paper.prepared}" if paper.prepared else "") + f": {partnership}"
    doc.addPageTemplates([_template("portrait", A4, footer), _template("landscape", landscape(A4), footer)])
    total = len(statements)
    strategy: list[Flowable] = []
    if plan is not None and prepared is not None:
        strategy = [PageBreak(), *plan_section(plan_report(plan, today=london(prepared).date()), styles)]
    head = [*paper_pages.cover(paper, styles), *paper_pages.executive_summary(paper, styles, strategy=bool(strategy)),
            *strategy, PageBreak(), *paper_pages.figures_by_requirement(paper, styles), NextPageTemplate("landscape"),
            PageBreak(), *_matrix_pages(matrix, cycle_name, styles), NextPageTemplate("portrait")]
    if not statements:
        head += [PageBreak(), Paragraph("Statements", styles["h2"]),
                 Paragraph("No return has been submitted in this cycle yet.", styles["body"])]
    summaries = {summary.name: summary for summary in paper.organisations}
    parts = (_statement_part(statement, summaries.get(statement.organisation), styles,
                             _Reached(progress, done, total))
             for done, statement in enumerate(statements, 1))
    doc.build(_LazyStory(head, parts), canvasmaker=pdf.NumberedCanvas)
    if progress is not None and total == 0:
        progress(0, 0)
    return out.getvalue()


def _template(name: str, size: tuple[float, float], footer: str) -> PageTemplate:
    frame = Frame(MARGIN, MARGIN + 8 * mm, size[0] - 2 * MARGIN, size[1] - 2 * MARGIN - 8 * mm, id=name,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    line = pdf.fitted(footer, pdf.REGULAR, 7.5, size[0] - 2 * MARGIN - 32 * mm)  # room for "Page x of y"

    def furniture(canv: Canvas, _doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setStrokeColor(pdf.LINE)
        canv.line(MARGIN, 17 * mm, size[0] - MARGIN, 17 * mm)
        canv.setFillColor(pdf.GREY)
        canv.setFont(pdf.REGULAR, 7.5)
        canv.drawString(MARGIN, 13 * mm, line)
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


def _statement_part(statement: Statement, summary: OrganisationSummary | None, styles: pdf.Styles,
                    reached: Flowable) -> list[Flowable]:
    """An organisation's one-page summary (when its return is in the matrix), then its statement."""
    story: list[Flowable] = [PageBreak()]
    if summary is not None:
        story += [*paper_pages.organisation_page(summary, styles), PageBreak()]
    story += pdf.front_matter(statement, styles)
    for section in statement.sections:
        story += pdf.section_flowables(section, styles, show_check=statement.submitted)
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


def _matrix_pages(matrix: Matrix, cycle_name: str, styles: pdf.Styles) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(f"Partnership matrix: {pdf.text(cycle_name)}", styles["h2"]),
        Paragraph(f"{matrix.standing} figures. G green: met. A amber: partially met. R red: not met. "
                  "N/A: not applicable. – : not returned yet, or not answered. Shaded and empty: not asked of this "
                  "sector. Each framework lists the organisations asked at least one of its requirements; the key "
                  "to its requirements heads every page."
                  + (f" {THROUGH_MARK} {pdf.text(THROUGH_KEY)}." if matrix.mapped else ""),
                  styles["small"])]
    if not matrix.rows:
        return story + [Paragraph("No organisation has a return in this cycle.", styles["body"])]
    for number, group in enumerate(matrix.groups):
        if number:
            story.append(PageBreak())
        index = next(i for i, g in enumerate(matrix.rows[0].groups) if g.framework.key == group.framework.key)
        rows = [(row, row.groups[index].cells) for row in matrix.rows
                if any(cell.rag != NOT_ASKED for cell in row.groups[index].cells)]
        left_out = len(matrix.rows) - len(rows)
        story.append(Paragraph(pdf.text(group.framework.title), styles["h3"]))
        if left_out:
            story.append(Paragraph(f"Not asked of {plural(left_out, 'organisation')}, left out here.",
                                   styles["small"]))
        story += [Spacer(1, 4), _matrix_table(group, rows) if rows else
                  Paragraph("No organisation shown is asked any of its requirements.", styles["body"])]
    return story


def _matrix_table(group: Group, rows: list[tuple[MatrixRow, tuple[Cell, ...]]]) -> Table:
    """The framework's grid; its first two rows (the key of requirement titles, then the refs) repeat on every page."""
    available = landscape(A4)[0] - 2 * MARGIN - ORG_COLUMN
    width = min(14 * mm, available / max(len(group.columns), 1))
    head = ParagraphStyle("mh", fontName=pdf.BOLD, fontSize=6.5, leading=8, alignment=1)
    name = ParagraphStyle("mn", fontName=pdf.REGULAR, fontSize=7, leading=8.5)
    key = ParagraphStyle("mk", fontName=pdf.REGULAR, fontSize=7, leading=9)
    titles = "   ".join(f"<b>{escape(c.requirement.ref)}</b>&nbsp;{pdf.text(c.requirement.title)}"
                        for c in group.columns if c.requirement.title and c.requirement.title != c.requirement.ref)
    columns = len(group.columns)
    data: list[list[Paragraph | str]] = [
        [Paragraph(f"Key: {titles}" if titles else "", key), *[""] * columns],
        [Paragraph("Organisation", head), *[Paragraph(escape(c.requirement.ref), head) for c in group.columns]]]
    style = TableStyle([("SPAN", (0, 0), (-1, 0)), ("FONT", (1, 2), (-1, -1), pdf.BOLD, 7),
                        ("ALIGN", (1, 2), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("GRID", (0, 1), (-1, -1), 0.25, pdf.LINE),
                        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                        ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
                        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)])
    for y, (row, cells) in enumerate(rows, 2):
        data.append([Paragraph(pdf.text(row.org.name), name), *[_letter(c) for c in cells]])
        for x, cell in enumerate(cells, 1):
            fill, ink = ((NOT_ASKED_FILL, "#0b0c0c") if cell.rag == NOT_ASKED
                         else pdf.RAG.get(cell.rag, pdf.RAG["blank"]))
            style.add("BACKGROUND", (x, y), (x, y), colors.HexColor(fill))
            style.add("TEXTCOLOR", (x, y), (x, y), colors.HexColor(ink))
    table = Table(data, colWidths=[ORG_COLUMN] + [width] * columns, repeatRows=2, hAlign="LEFT")
    table.setStyle(style)
    return table


def _letter(cell: Cell) -> str:
    if cell.rag == NOT_ASKED:
        return ""
    return (cell.letter or "–") + (f" {THROUGH_MARK}" if cell.through else "")
