"""The audit summary of one organisation's return as a PDF: what was checked, outcomes, disagreements, comments.

Pure: an AuditSummary in, bytes out; it shares the statement PDF's fonts, styles and escaping (compliance.pdf).
"""
from __future__ import annotations

from datetime import datetime
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate

from compliance.core.verification import AuditSummary
from compliance.render.pdf import (
    GREY,
    LINE,
    MARGIN,
    REGULAR,
    NumberedCanvas,
    facts_table,
    outcome_text,
    paragraph_styles,
    register_fonts,
    text,
)


def render_audit_summary_pdf(summary: AuditSummary, *, partnership: str, generated: datetime,
                             invariant: bool = False) -> bytes:
    """The audit summary of one organisation's return as PDF bytes."""
    register_fonts()
    styles = paragraph_styles()
    out = BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 8 * mm,
        title=f"Audit summary: {summary.organisation}, {summary.cycle}", author=partnership,
        creator="Compliance statements", invariant=int(invariant))
    story: list[Flowable] = [Paragraph(text(partnership), styles["small"]), Paragraph("Audit summary", styles["title"])]
    totals = summary.totals
    facts = [("Organisation", text(summary.organisation)), ("Reporting year", text(summary.cycle)),
             ("Signed version", "None stands" if summary.version is None else f"Version {summary.version}"),
             ("Answers checked", f"{totals.checked} of {totals.answered}"),
             ("Verified", str(totals.counts["verified"])), ("Partly verified", str(totals.counts["partly-verified"])),
             ("Not verified", str(totals.counts["not-verified"])), ("Not checked", str(totals.counts["not-checked"])),
             ("Disagreements", str(totals.disagreements)),
             ("Made on", text(f"{generated.day} {generated:%B %Y}"))]
    story.append(facts_table(facts, styles))
    story.append(Paragraph("Disagreements", styles["h2"]))
    if not summary.disagreements:
        story.append(Paragraph("No disagreements: every validated rating is the organisation's own.", styles["body"]))
    for section, item in summary.disagreements:
        validated = item.outcome.validated_label if item.outcome else ""  # a disagreement always has an outcome
        story.append(Paragraph(text(f"{section.title}: {item.heading}. Organisation's rating: {item.own_label}; "
                                    f"validated rating: {validated}"), styles["body"],
                               bulletText="≠"))
    story.append(Paragraph("Questions to the organisation", styles["h2"]))
    if not summary.queries:
        story.append(Paragraph("No questions have been asked about this return.", styles["body"]))
    for query in summary.queries:
        story.append(Paragraph(text(query.text), styles["body"], bulletText="•"))
    for section in summary.sections:
        story += [CondPageBreak(40 * mm), Paragraph(text(f"{section.title} (version {section.version})"),
                                                    styles["h2"])]
        story.append(facts_table([(item.heading, text(f"Organisation's rating: {item.own_label}") + "<br/>"
                              + outcome_text(item.outcome)) for item in section.items], styles))

    def decorate(canv: Canvas, _doc: SimpleDocTemplate) -> None:
        width, _height = A4
        canv.saveState()
        canv.setStrokeColor(LINE)
        canv.line(MARGIN, 17 * mm, width - MARGIN, 17 * mm)
        canv.setFillColor(GREY)
        canv.setFont(REGULAR, 7.5)
        canv.drawString(MARGIN, 13 * mm, f"{summary.organisation}: audit summary {summary.cycle}")
        canv.restoreState()

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=NumberedCanvas)
    return out.getvalue()
