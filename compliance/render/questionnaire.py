"""The printable questionnaire as an A4 PDF, drawn with the shared kit (render/pdf.py) from a Questionnaire: the same
content as its web page, with room to write each answer by hand.

Pure: a Questionnaire in, bytes out. Every page carries the framework's title, version and sector at the top and
"Page x of y" at the foot.
"""
from __future__ import annotations

from io import BytesIO

# bandit B406: escape() writes markup for ReportLab; nothing is parsed
from xml.sax.saxutils import escape  # nosec B406

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from compliance.core.questionnaire import Question, Questionnaire
from compliance.render.pdf import (
    BLACK,
    GREY,
    LINE,
    MARGIN,
    REGULAR,
    NumberedCanvas,
    Styles,
    facts_table,
    fitted,
    frame_width,
    paragraph_styles,
    register_fonts,
    text,
)

BOX = "☐"  # a tick box, which DejaVu Sans draws
HEAD_Y = A4[1] - 11 * mm  # the running head's baseline, above the top margin


def render_questionnaire_pdf(questionnaire: Questionnaire, *, invariant: bool = False) -> bytes:
    """The questionnaire as PDF bytes; invariant=True gives the same bytes for the same questionnaire (for tests)."""
    register_fonts()
    styles = paragraph_styles()
    out = BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 8 * mm,
        title=f"Questionnaire: {questionnaire.running_head}", author=questionnaire.partnership,
        subject="Printable questionnaire", creator="Compliance statements", invariant=int(invariant))
    story = _front(questionnaire, styles)
    for question in questionnaire.questions:
        story.extend(_question(question, questionnaire, styles))

    def decorate(canv: canvas.Canvas, _doc: SimpleDocTemplate) -> None:
        _page_furniture(canv, questionnaire)

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=NumberedCanvas)
    return out.getvalue()


def _front(questionnaire: Questionnaire, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(text(questionnaire.partnership), styles["small"]),
                             Paragraph(text(questionnaire.title), styles["title"]),
                             Paragraph(text(f"Printable questionnaire: version {questionnaire.version}, "
                                            f"{questionnaire.sector_name.lower()}"), styles["h3"]),
                             Spacer(1, 8)]
    if questionnaire.draft and questionnaire.notice:
        story.append(_boxed(f"Draft: {questionnaire.notice}", styles))
    story.append(facts_table([("Framework", text(questionnaire.title)), ("Version", text(questionnaire.version)),
                              ("Published", text(questionnaire.published)), ("Source", text(questionnaire.source)),
                              ("For", text(questionnaire.sector_name)),
                              ("Requirements", str(len(questionnaire.questions)))], styles))
    story.append(Paragraph("How to use this questionnaire", styles["h2"]))
    numbered = ParagraphStyle("numbered", parent=styles["body"], leftIndent=14, bulletIndent=0, spaceAfter=5)
    story += [Paragraph(text(step), numbered, bulletText=f"{number}.")
              for number, step in enumerate(questionnaire.instructions, 1)]
    if questionnaire.description:
        story += [Paragraph("About this framework", styles["h3"]),
                  Paragraph(text(questionnaire.description), styles["body"])]
    story += [CondPageBreak(50 * mm), Paragraph("The rating scale", styles["h2"]),
              Paragraph("Choose one rating for each requirement.", styles["body"]), _scale(questionnaire, styles),
              Paragraph("The requirements", styles["h2"])]
    if questionnaire.questions:
        story.append(Paragraph(text(f"Each of the {len(questionnaire.questions)} requirements follows on a page of "
                                    "its own, with room to write the answer, so each page can go to the colleague "
                                    "who knows it."), styles["body"]))
    else:
        story.append(Paragraph("None of this framework's requirements is asked of this sector.", styles["body"]))
    return story


def _scale(questionnaire: Questionnaire, styles: Styles) -> Table:
    cell = styles["cell"]
    rows = [[Paragraph("<b>Rating</b>", cell), Paragraph("<b>What it means</b>", cell),
             Paragraph("<b>What it needs</b>", cell)]]
    rows += [[Paragraph(f"<b>{text(level.label)}</b>", cell), Paragraph(text(level.definition), cell),
              Paragraph(text(level.asks or "Nothing more"), cell)] for level in questionnaire.scale]
    width = frame_width()
    table = Table(rows, colWidths=[38 * mm, width - 38 * mm - 48 * mm, 48 * mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                               ("LINEBELOW", (0, 0), (-1, 0), 1, BLACK), ("LEFTPADDING", (0, 0), (0, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return table


def _question(question: Question, questionnaire: Questionnaire, styles: Styles) -> list[Flowable]:
    heading = Table([[Paragraph(text(question.heading), styles["h3"])]], colWidths=[frame_width()])
    heading.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, 0), 1.5, BLACK), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    about: list[Flowable] = []
    if questionnaire.sector is None and question.applies_to != "All sectors":
        about.append(Paragraph(text(f"For {question.applies_to} only."), styles["small"]))
    if question.optional:
        about.append(Paragraph("Optional: your organisation may leave this one unanswered.", styles["small"]))
    about.append(_wording(question, styles))
    for label, value in (("What good looks like", question.good), ("How it is evidenced", question.evidence)):
        if value:
            about += [Paragraph(label, styles["label"]),
                      *(Paragraph(text(paragraph), styles["body"]) for paragraph in _paragraphs(value))]
    bullet = ParagraphStyle("suggested", parent=styles["body"], leftIndent=10, bulletIndent=0, spaceAfter=1)
    for label, items in (("Evidence you could provide", question.suggested_evidence),
                         ("In other frameworks", question.linked)):
        if items:
            about += [Paragraph(label, styles["label"]),
                      *(Paragraph(text(item), bullet, bulletText="•") for item in items)]
    # a page to each requirement, with room for its answer, so each page can go to the colleague who knows it (a
    # requirement too long for one page runs on, its answer area kept whole)
    return [PageBreak(), KeepTogether([heading, *about, Spacer(1, 6),
                                       KeepTogether(_answer_area(question, questionnaire, styles))])]


def _wording(question: Question, styles: Styles) -> Table:
    """The requirement's own words, set off by a bar at the left as the web page's inset is."""
    words = [Paragraph(text(paragraph), styles["body"]) for paragraph in _paragraphs(question.text)] or [
        Paragraph("The wording of this requirement has not been loaded yet.", styles["body"])]
    table = Table([[words]], colWidths=[frame_width()])
    table.setStyle(TableStyle([("LINEBEFORE", (0, 0), (0, -1), 3, LINE), ("LEFTPADDING", (0, 0), (-1, -1), 10),
                               ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _answer_area(question: Question, questionnaire: Questionnaire, styles: Styles) -> list[Flowable]:
    """Room to write the answer, headed with the requirement it answers (it may be on a page of its own)."""
    ticks = ("&nbsp;" * 6).join(f"{BOX}&nbsp;{escape(level.label)}" for level in questionnaire.scale)
    area: list[Flowable] = [Paragraph(text(f"Your answer to {question.heading}"), styles["h3"]),
                            Paragraph("Your rating: tick one", styles["label"]),
                            Paragraph(ticks, ParagraphStyle("ticks", parent=styles["body"], leading=17))]
    for label, lines in (("Why: what is in place, how you know it works, any gaps", 7),
                         ("Evidence: the documents that show it", 2),
                         ("If the rating needs one: the improvement action (what, who, by when) or the reason", 2)):
        area += [Paragraph(escape(label), styles["label"]), _lines(lines)]
    return area


def _lines(count: int) -> Table:
    """Ruled lines to write on."""
    table = Table([[""] for _ in range(count)], colWidths=[frame_width()], rowHeights=[8 * mm] * count)
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE)]))
    return table


def _boxed(message: str, styles: Styles) -> Table:
    table = Table([[Paragraph(text(message), styles["body"])]], colWidths=[frame_width()])
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, BLACK), ("TOPPADDING", (0, 0), (-1, -1), 6),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return table


def _paragraphs(value: str) -> list[str]:
    return [block.strip() for block in (value or "").replace("\r\n", "\n").split("\n\n") if block.strip()]


def _page_furniture(canv: canvas.Canvas, questionnaire: Questionnaire) -> None:
    """Every page: the framework, version and sector at the top; the partnership at the foot (the page number
    beside it is NumberedCanvas's)."""
    width, _height = A4
    canv.saveState()
    canv.setFillColor(GREY)
    canv.setFont(REGULAR, 8)
    canv.drawString(MARGIN, HEAD_Y, fitted(questionnaire.running_head, REGULAR, 8, width - 2 * MARGIN))
    canv.setStrokeColor(LINE)
    canv.line(MARGIN, HEAD_Y - 2 * mm, width - MARGIN, HEAD_Y - 2 * mm)
    canv.line(MARGIN, 17 * mm, width - MARGIN, 17 * mm)
    canv.setFont(REGULAR, 7.5)
    foot = f"{questionnaire.partnership}: printable questionnaire. Enter the answers in the online return."
    canv.drawString(MARGIN, 13 * mm, fitted(foot, REGULAR, 7.5, width - 2 * MARGIN - 32 * mm))
    canv.restoreState()
