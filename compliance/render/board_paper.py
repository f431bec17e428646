"""The board pack's own pages, drawn from a BoardPaper: the cover, the executive summary, the figures by
requirement and each organisation's one-page summary. The web page (templates/boardpack/paper.html) says the same
from the same BoardPaper.

Pure: values in, flowables out. Every piece of text that came from people (names, titles, actions) goes through
pdf.text(), so it prints as typed.
"""
from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from compliance.core.actions import ActionItem
from compliance.core.board_paper import NO_DISAGREEMENT, NO_OVERDUE, NO_RATINGS, BoardPaper, OrganisationSummary, Rating
from compliance.render import pdf

OVERDUE_SHOWN = 10  # overdue actions listed in the summary; every one is on its organisation's page
STANDING = {"Provisional": ("#fff7bf", "#594d00"), "Final": ("#cce2d8", "#005a30")}


def cover(paper: BoardPaper, styles: pdf.Styles) -> list[Flowable]:
    """Partnership, cycle, when prepared, and PROVISIONAL or FINAL in large type."""
    fill, ink = STANDING.get(paper.standing, ("#ffffff", "#0b0c0c"))
    big = ParagraphStyle("standing", parent=styles["body"], fontName=pdf.BOLD, fontSize=30, leading=36,
                         textColor=colors.HexColor(ink), spaceAfter=0)
    why = ParagraphStyle("why", parent=styles["body"], textColor=colors.HexColor(ink), spaceAfter=0)
    banner = Table([[Paragraph(paper.standing.upper(), big)],
                    [Paragraph("The cycle is closed: these figures are final." if paper.final else
                               "The cycle is still open: these figures will change as returns come in.", why)]],
                   colWidths=[pdf.frame_width()], hAlign="LEFT")
    banner.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(fill)),
                                ("BOX", (0, 0), (-1, -1), 2, colors.HexColor(ink)),
                                ("LEFTPADDING", (0, 0), (-1, -1), 8), ("TOPPADDING", (0, 0), (0, 0), 6),
                                ("BOTTOMPADDING", (0, -1), (-1, -1), 8)]))
    story: list[Flowable] = [
        Paragraph(pdf.text(paper.partnership), styles["body"]),
        Paragraph(f"Board pack: {pdf.text(paper.cycle)}", styles["title"]),
        Paragraph("Annual statements of compliance: a paper for the Executive Board", styles["body"])]
    if paper.prepared:
        story.append(Paragraph(f"Prepared {pdf.text(paper.prepared)} (London time)", styles["body"]))
    return [*story, Spacer(1, 4), banner, Spacer(1, 6)]


def executive_summary(paper: BoardPaper, styles: pdf.Styles, *, strategy: bool = False) -> list[Flowable]:
    """The findings in words, then small tables: returns, frameworks, requirements, organisations, actions.
    strategy: the partnership's strategy follows the summary (render/plan.py)."""
    story: list[Flowable] = [Paragraph("Executive summary", styles["h2"])]
    story += [Paragraph(f"•&nbsp;&nbsp;{pdf.text(s)}", _bullet(styles)) for s in paper.summary]
    if paper.withdrawn:
        story.append(Paragraph(pdf.text(f"Left out of every figure (withdrawn when the organisation was archived "
                                        f"during the cycle): {', '.join(paper.withdrawn)}."), styles["small"]))
    story += [_heading("Returns by status", styles),
              grid([["Status", "Returns"], *[[label, str(n)] for label, n in paper.statuses]], styles,
                   [70 * mm, 25 * mm])]
    if paper.not_returned:
        story.append(Paragraph(pdf.text(paper.not_returned_text), styles["small"]))
    if paper.frameworks:
        story += [_heading("Requirements met, by framework", styles),
                  grid([["Framework", f"% met ({paper.standing.lower()})", "Returns in", "Against last year"],
                        *[[f.short_title, f.percent_text, f.coverage_text, f.change or "No comparison"]
                          for f in paper.frameworks]], styles, [52 * mm, 30 * mm, 52 * mm, 40 * mm])]
    if paper.requirements:
        story += [_heading("Requirements with the most red and amber", styles),
                  grid([["Requirement", "Red", "Amber", "Returns in"],
                        *[[r.label, str(r.red), str(r.amber), r.returned_text] for r in paper.requirements]],
                       styles, [88 * mm, 14 * mm, 16 * mm, 56 * mm])]
    if paper.organisations_most_red:
        story += [_heading("Organisations with the most red", styles),
                  grid([["Organisation", "Red", "Amber"],
                        *[[name, str(red), str(amber)] for name, red, amber in paper.organisations_most_red]],
                       styles, [110 * mm, 16 * mm, 18 * mm])]
    if paper.disagreeing_requirements:
        story += [_heading("Where auditors disagree with the self-assessed rating", styles),
                  grid([["Requirement", "Disagreements", "Returns in"],
                        *[[r.label, str(r.disagreements), r.returned_text] for r in paper.disagreeing_requirements]],
                       styles, [96 * mm, 26 * mm, 52 * mm])]
    if paper.overdue:
        story += [_heading("Improvement actions overdue", styles), _actions(paper.overdue[:OVERDUE_SHOWN], styles,
                                                                            organisation=True)]
        if len(paper.overdue) > OVERDUE_SHOWN:
            story.append(Paragraph(f"And {len(paper.overdue) - OVERDUE_SHOWN:,} more: each organisation's "
                                   "summary lists all of its own.", styles["small"]))
    story.append(Paragraph("What follows: " + ("the partnership's strategy (its actions, measures and risks), "
                                               if strategy else "")
                           + "the figures for every requirement, the partnership matrix, then for each "
                           "organisation whose return is in, a one-page summary before its statement.",
                           styles["small"]))
    return story


def figures_by_requirement(paper: BoardPaper, styles: pdf.Styles) -> list[Flowable]:
    """Each framework's overall sentence and a row per requirement, with its title."""
    story: list[Flowable] = [Paragraph("Figures by requirement", styles["h2"]),
                             Paragraph(f"{paper.standing} figures. {pdf.text(paper.coverage_text)}; % met is worked "
                                       "out over the returns that are in, and an organisation not yet returned is "
                                       "counted as such, never as not met.", styles["body"])]
    for figure in paper.frameworks:
        rows = [["Requirement", "% met", "Green", "Amber", "Red", "N/A", "Not answered", "Not returned"],
                *[[r.label, r.percent_text, *map(str, (r.green, r.amber, r.red, r.na, r.not_answered,
                                                       r.not_returned))] for r in figure.requirements]]
        story += [Paragraph(pdf.text(f"{figure.title} (version {figure.version})"), styles["h3"]),
                  Paragraph(pdf.text(figure.overall_text(paper.standing)), styles["small"]),
                  grid(rows, styles, [54 * mm, 15 * mm] + [14 * mm] * 4 + [24 * mm] * 2, small=True), Spacer(1, 8)]
    return story


def organisation_page(summary: OrganisationSummary, styles: pdf.Styles) -> list[Flowable]:
    """One organisation's summary: overall by framework, its reds and ambers, overdue actions, disagreements."""
    story: list[Flowable] = [
        Paragraph(f"{pdf.text(summary.name)}: summary", styles["h2"]),
        Paragraph(pdf.text(f"{summary.sector}. Return {summary.status.lower()}, version {summary.version}. "
                           "Its statement follows."), styles["small"]),
        _heading("Overall, by framework", styles),
        grid([["Framework", "Overall"], *[list(pair) for pair in summary.overall]], styles, [70 * mm, 104 * mm])]
    story += _ratings("Red: not met", summary.red, styles)
    story += _ratings("Amber: partially met", summary.amber, styles)
    story.append(_heading("Improvement actions overdue", styles))
    story.append(_actions(summary.overdue, styles, organisation=False) if summary.overdue
                 else Paragraph(NO_OVERDUE, styles["body"]))
    story.append(_heading("Where auditors disagree with the self-assessed rating", styles))
    if summary.disagreements:
        story.append(grid([["Requirement", "Self-assessed", "Validated by the auditor"],
                           *[[r.requirement, r.rating, r.validated] for r in summary.disagreements]], styles,
                          [94 * mm, 40 * mm, 40 * mm]))
    else:
        story.append(Paragraph(NO_DISAGREEMENT, styles["body"]))
    return story


def _ratings(title: str, ratings: Sequence[Rating], styles: pdf.Styles) -> list[Flowable]:
    heading = _heading(f"{title} ({len(ratings)})", styles)
    if not ratings:
        return [heading, Paragraph(NO_RATINGS, styles["body"])]
    return [heading, grid([["Requirement", "Rating"], *[[r.requirement, r.rating] for r in ratings]], styles,
                          [134 * mm, 40 * mm], small=True)]


def _actions(actions: Sequence[ActionItem], styles: pdf.Styles, *, organisation: bool) -> Table:
    head = (["Organisation"] if organisation else []) + ["Requirement", "Action", "Owner", "Due"]
    widths = ([34 * mm, 40 * mm, 50 * mm, 26 * mm, 24 * mm] if organisation
              else [50 * mm, 70 * mm, 30 * mm, 24 * mm])
    return grid([head, *[([a.organisation] if organisation else []) + [a.requirement, a.what, a.owner, a.due_date]
                         for a in actions]], styles, widths, small=True)


def _heading(text: str, styles: pdf.Styles) -> Paragraph:
    return Paragraph(pdf.text(text), ParagraphStyle("h4", parent=styles["h3"], spaceBefore=8, spaceAfter=3,
                                                    keepWithNext=1))


def _bullet(styles: pdf.Styles) -> ParagraphStyle:
    return ParagraphStyle("bullet", parent=styles["body"], leftIndent=10, firstLineIndent=-10, spaceAfter=3)


def grid(rows: list[list[str]], styles: pdf.Styles, widths: list[float], *, small: bool = False) -> Table:
    """A small table of plain text (escaped here), its first row the header, repeated on a new page."""
    cell = styles["cell"] if not small else ParagraphStyle("small-cell", parent=styles["cell"], fontSize=8.5,
                                                           leading=11)
    data = [[Paragraph(f"<b>{pdf.text(v)}</b>" if i == 0 else pdf.text(v), cell) for v in row]
            for i, row in enumerate(rows)]
    table = Table(data, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, pdf.LINE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, 0), 1, pdf.BLACK), ("LEFTPADDING", (0, 0), (-1, -1), 2),
                               ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return table

