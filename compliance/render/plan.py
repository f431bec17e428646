"""The partnership's strategy in the board pack: each theme's actions with their progress, its measures' charts
against baseline and target with the same figures in a table, then the risk register by score. The web page says the
same from the same PlanReport (templates/plan/_theme.html).

Pure: a PlanReport in, ReportLab flowables out. Every piece of text from people goes through pdf.text() (or, in a
chart, pdf.printable()), so it prints as typed; every colour is printed with its words.
"""
from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, Rect, String
from reportlab.graphics.shapes import Line as DrawnLine
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from compliance.core.plan_report import ActionView, MeasureView, PlanReport, RiskView, ThemeReport
from compliance.render import pdf
from compliance.render.plan_charts import INK, MARKERS, Chart, Line, Marker, Text, measure_chart, triangle

PX = 0.62  # a chart's pixel in points: its 14px words print at 8.7pt, as the tables beside it
Cell = str | Flowable  # paragraph markup (already escaped) or a flowable


def drawing(chart: Chart, *, width: float | None = None) -> Drawing:
    """The chart as a ReportLab drawing, the same shapes as its SVG, at most `width` points wide."""
    scale = PX if width is None else min(PX, width / chart.width)
    height = chart.height
    group = Group()
    for shape in chart.shapes:
        if isinstance(shape, Line):
            line = DrawnLine(shape.x1, height - shape.y1, shape.x2, height - shape.y2,
                             strokeColor=colors.HexColor(shape.colour), strokeWidth=shape.width)
            if shape.dash:
                line.strokeDashArray = list(shape.dash)
            group.add(line)
        elif isinstance(shape, Text):
            group.add(String(shape.x, height - shape.y, pdf.printable(shape.text),
                             fontName=pdf.BOLD if shape.bold else pdf.REGULAR, fontSize=shape.size,
                             fillColor=colors.HexColor(shape.colour), textAnchor=shape.anchor))
        else:
            group.add(_marker(shape, height))
    group.scale(scale, scale)
    out = Drawing(chart.width * scale, chart.height * scale)
    out.add(group)
    return out


def _marker(marker: Marker, height: float) -> Circle | Rect | Polygon:
    shape, fill = MARKERS[marker.rag]
    x, y, r = marker.x, height - marker.y, marker.size
    ink = colors.HexColor(INK)
    if shape == "square":
        side = r * 1.7
        square = Rect(x - side / 2, y - side / 2, side, side)
        square.fillColor, square.strokeColor, square.strokeWidth = colors.HexColor(fill), ink, 1
        return square
    if shape == "triangle":
        points = [value for px, py in triangle(marker.x, marker.y, r) for value in (px, height - py)]
        return Polygon(points, fillColor=colors.HexColor(fill), strokeColor=ink, strokeWidth=1.5)
    return Circle(x, y, r, fillColor=colors.HexColor(fill), strokeColor=ink, strokeWidth=2 if shape == "ring" else 1)


def plan_section(report: PlanReport, styles: pdf.Styles) -> list[Flowable]:
    """The strategy, theme by theme, then the risk register: the board pack's pages after its executive summary."""
    overview: list[list[Cell]] = [["Theme", "Actions", "Performance measures"]]
    overview += [[pdf.text(t.theme.name), pdf.text(t.actions_text), pdf.text(t.measures_text)] for t in report.themes]
    overview.append(["Risk register", pdf.text(report.risks_text), ""])
    story: list[Flowable] = [
        Paragraph(f"Strategy: {pdf.text(report.strategy.title)}", styles["h2"]),
        Paragraph(pdf.text(f"The partnership's strategy, {report.period}, as at {report.as_of}: each theme's "
                           "actions and their progress (the lead's latest update), its performance measures against "
                           "their baselines and targets, then the risk register by score. Every colour is given in "
                           "words; a measure's rule is beside each of its figures."), styles["body"]),
        _table(overview, styles, [36 * mm, 70 * mm, 68 * mm])]
    for theme in report.themes:
        story += _theme(theme, styles)
    story += risk_register(report.risks, styles)
    return story


def _theme(theme: ThemeReport, styles: pdf.Styles) -> list[Flowable]:
    story: list[Flowable] = [CondPageBreak(70 * mm), Paragraph(pdf.text(theme.theme.name), styles["h2"]),
                             _heading("Actions", styles)]
    if theme.actions:
        story += [Paragraph(pdf.text(theme.actions_text + ". An action is overdue when its timescale has passed and "
                                     "it is neither complete nor stopped."), styles["small"]),
                  _actions(theme.actions, styles)]
    else:
        story.append(Paragraph(pdf.text(f"No actions under {theme.theme.name} yet."), styles["body"]))
    heading = _heading("Performance measures", styles)
    if not theme.measures:
        story += [heading, Paragraph(pdf.text(f"No performance measures under {theme.theme.name} yet."),
                                     styles["body"])]
    for number, measure in enumerate(theme.measures):
        # ReportLab keeps a heading with the flowable after it, but not with a KeepTogether: it goes inside
        story += _measure(measure, styles, before=[] if number else [heading])
    return story


def _actions(actions: Sequence[ActionView], styles: pdf.Styles) -> Table:
    small = _small(styles)
    rows: list[list[Cell]] = [["Action", "Lead", "Timescale", "Progress", "Latest update"]]
    fills: list[tuple[int, str | None]] = []
    for number, action in enumerate(actions, 1):
        what = f"<b>{pdf.text(action.action)}</b>"
        if action.outcome:
            what += f'<br/><font size="8" color="#505a5f">Outcome sought: {pdf.text(action.outcome)}</font>'
        lead = pdf.text(action.lead_organisation) + (f"<br/>{pdf.text(action.lead_person)}"
                                                    if action.lead_person else "")
        due = f"{pdf.text(action.timescale)}<br/>{pdf.text(action.status_label)}" + (
            '<br/><font color="#d4351c"><b>OVERDUE</b></font>' if action.overdue else "")
        update = (f'{pdf.text(action.note)}<br/><font size="8" color="#505a5f">'
                  f'{pdf.text(f"{action.updated}, {action.updated_by}")}</font>' if action.updated else "No update yet")
        rows.append([Paragraph(what, small), Paragraph(lead, small), Paragraph(due, small),
                     _tag_text(action.rag, action.rag_text, small), Paragraph(update, small)])
        fills.append((number, action.rag))
    table = _table(rows, styles, [50 * mm, 30 * mm, 28 * mm, 22 * mm, 44 * mm])
    _fill(table, 3, fills)
    return table


def _measure(measure: MeasureView, styles: pdf.Styles, *, before: Sequence[Flowable] = ()) -> list[Flowable]:
    facts = (f"Lead: {measure.lead or 'not given'}. {measure.unit_label.capitalize()}; "
             f"{measure.direction_label.lower()}. Baseline {measure.baseline}. Targets: {measure.targets_text}. "
             f"Rated {measure.rule_label[0].lower() + measure.rule_label[1:]}.")
    if measure.source:
        facts += f" Figures: {measure.source}."
    name = ParagraphStyle("plan-measure", parent=styles["h3"], spaceBefore=8, spaceAfter=2)
    head: list[Flowable] = [*before, Paragraph(pdf.text(measure.name), name),
                            Paragraph(pdf.text(facts), styles["small"])]
    if measure.definition:
        head.append(Paragraph(pdf.text(measure.definition), styles["small"]))
    if not measure.rows:
        tail = " They fill themselves from signed returns." if measure.source else ""
        return [KeepTogether([*head, Paragraph(f"No figures yet.{tail}", styles["body"])])]
    chart = drawing(measure_chart(measure), width=pdf.frame_width())
    small = _small(styles)
    rows: list[list[Cell]] = [["Period", "Figure", "Compared with", "Colour", "How it is rated"]]
    fills = []
    for number, row in enumerate(measure.rows, 1):
        rows.append([Paragraph(pdf.text(row.label), small), Paragraph(pdf.text(row.actual), small),
                     Paragraph(pdf.text(row.compared_with), small), _tag_text(row.rag, row.rag_text, small),
                     Paragraph(pdf.text(row.rule_text), small)])
        fills.append((number, row.rag))
    table = _table(rows, styles, [34 * mm, 18 * mm, 38 * mm, 28 * mm, 56 * mm])
    _fill(table, 3, fills)
    # the heading, chart and figures on one page when they fit (a long table goes on, its header repeated)
    return [KeepTogether([*head, Spacer(1, 4), chart, Spacer(1, 4), table])]


def risk_register(risks: Sequence[RiskView], styles: pdf.Styles) -> list[Flowable]:
    """Every risk by score, highest first, with its band in words, owner, review date and mitigating actions."""
    story: list[Flowable] = [CondPageBreak(60 * mm), Paragraph("Risk register", styles["h2"])]
    if not risks:
        return [*story, Paragraph("No risks recorded.", styles["body"])]
    story.append(Paragraph("Highest score first. A risk's score is its likelihood times its impact (each from 1 to "
                           "5); its band is as the partnership sets them. A review is overdue once its date has "
                           "passed.", styles["small"]))
    small = _small(styles)
    rows: list[list[Cell]] = [["Risk", "Score", "Owner", "Review by", "Mitigating actions"]]
    fills: list[tuple[int, str | None]] = []
    for number, risk in enumerate(risks, 1):
        what = f"<b>{pdf.text(risk.description)}</b>"
        for label, value in (("Cause", risk.cause), ("Consequence", risk.consequence),
                             ("Raised from the measure", risk.raised_from)):
            if value:
                what += f'<br/><font size="8" color="#505a5f">{label}: {pdf.text(value)}</font>'
        score = (f"<b>{pdf.text(risk.band)}: {risk.score}</b><br/>"
                 f'<font size="8">Likelihood {risk.likelihood} × impact {risk.impact}</font>')
        review = pdf.text(risk.review_by) + ('<br/><font color="#d4351c"><b>OVERDUE</b></font>'
                                             if risk.review_overdue else "")
        mitigations = "<br/>".join(f"• {pdf.text(what)}" for _id, what in risk.mitigations) or "No actions linked"
        rows.append([Paragraph(what, small), Paragraph(score, small), Paragraph(pdf.text(risk.owner), small),
                     Paragraph(review, small), Paragraph(mitigations, small)])
        fills.append((number, risk.band_rag))
    table = _table(rows, styles, [60 * mm, 28 * mm, 26 * mm, 24 * mm, 36 * mm])
    _fill(table, 1, fills)
    return [*story, table]


def _small(styles: pdf.Styles) -> ParagraphStyle:
    return ParagraphStyle("plan-cell", parent=styles["cell"], fontSize=8.5, leading=11)


def _heading(text: str, styles: pdf.Styles) -> Paragraph:
    return Paragraph(pdf.text(text), ParagraphStyle("plan-h4", parent=styles["h3"], spaceBefore=8, spaceAfter=3,
                                                    keepWithNext=1))


def _tag_text(rag: str | None, words: str, style: ParagraphStyle) -> Paragraph:
    """A colour's cell: its name, then its words ("Green: on track"), as the pages say it."""
    _fill_colour, ink = pdf.RAG.get(rag or "blank", pdf.RAG["blank"])
    said = f"{rag.capitalize()}: {words[:1].lower()}{words[1:]}" if rag else words
    return Paragraph(f'<font color="{ink}"><b>{pdf.text(said)}</b></font>', style)


def _fill(table: Table, column: int, fills: Sequence[tuple[int, str | None]]) -> None:
    """Each row's colour as the fill of one cell (its words are in the cell too)."""
    table.setStyle(TableStyle([("BACKGROUND", (column, row), (column, row),
                                colors.HexColor(pdf.RAG.get(rag or "blank", pdf.RAG["blank"])[0]))
                               for row, rag in fills]))


def _table(rows: list[list[Cell]], styles: pdf.Styles, widths: list[float]) -> Table:
    """A table whose first row (plain words) is its header, repeated on a new page; other cells are markup or
    flowables."""
    cell = _small(styles)
    data = [[Paragraph(f"<b>{pdf.text(value)}</b>", cell) if isinstance(value, str) else value
             for value in rows[0]],
            *[[Paragraph(value, cell) if isinstance(value, str) else value for value in row] for row in rows[1:]]]
    table = Table(data, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, pdf.LINE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, 0), 1, pdf.BLACK), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 3),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return table
