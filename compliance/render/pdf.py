"""The statement of compliance as a PDF, drawn with ReportLab from a Statement: the same content as its page.

Pure: a Statement in, bytes out. Every piece of user text is escaped for ReportLab's paragraph markup, so it
prints as typed. The fonts are DejaVu Sans, shipped in compliance/render/fonts/ (licence beside them), so names
such as "Łukasz" print on any machine.

Its public names are the kit the audit summary and the board pack draw with too: the fonts, the paragraph styles,
the frame width, a facts table, a statement's front matter, sections and attestation, and the numbered canvas.
"""
from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

# bandit B406: escape() writes markup for ReportLab; nothing is parsed
from xml.sax.saxutils import escape  # nosec B406

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from compliance.core.statements import Item, Section, Statement
from compliance.core.verification import Outcome, Summary

FONTS = Path(__file__).parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
BLACK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")
LINE = colors.HexColor("#b1b4b6")
# (background, text) of each colour, as the page's tags: dark text on a light fill, the word always printed
RAG = {"green": ("#cce2d8", "#005a30"), "amber": ("#fff7bf", "#594d00"), "red": ("#f4cdc6", "#2a0b06"),
       "grey": ("#e5e6e7", "#282d30"), "blank": ("#ffffff", "#0b0c0c")}
MARGIN = 18 * mm
Styles = dict[str, ParagraphStyle]  # styles(): by name


def register_fonts() -> None:
    """Register DejaVu Sans with ReportLab (once)."""
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)


def paragraph_styles() -> Styles:
    """The paragraph styles every PDF here uses, by name: body, small, h1, h2 and so on."""
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=14, textColor=BLACK, spaceAfter=4)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11.5, textColor=GREY),
        "label": ParagraphStyle("label", parent=body, fontName=BOLD, fontSize=9.5, spaceBefore=4, spaceAfter=1,
                                keepWithNext=1),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=20, leading=25, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=15, leading=19, spaceBefore=12, spaceAfter=6),
        "h3": ParagraphStyle("h3", parent=body, fontName=BOLD, fontSize=11.5, leading=15, spaceAfter=0),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12.5, spaceAfter=0),
        "tag": ParagraphStyle("tag", parent=body, fontName=BOLD, fontSize=9.5, leading=12, alignment=TA_CENTER,
                              spaceAfter=0),
        "draft": ParagraphStyle("draft", parent=body, fontName=BOLD, fontSize=11, leading=15,
                                textColor=colors.HexColor("#2a0b06")),
    }


# How anyone can check a signed statement against its fingerprint, printed beside it on the page and in the PDF.
HOW_TO_CHECK = ("To check that nothing has changed since it was signed, download the signed document (JSON) from the "
                "signed version's page: sha256sum on that file prints this fingerprint.")


def text(value: str) -> str:
    """User text as paragraph markup that prints exactly as typed, line breaks kept; a character the font has no
    glyph for (an emoji) prints as its name in brackets, never as an empty box."""
    normalised = printable((value or "").replace("\r\n", "\n").replace("\r", "\n"))
    return escape(normalised).replace("\n", "<br/>")


# Joiners and presentation selectors that only shape the character before them: dropped with it.
_SHAPERS = {0x200D, 0xFE0E, 0xFE0F}


def printable(value: str) -> str:
    """The text with each character DejaVu Sans cannot draw written as its Unicode name in brackets, e.g. an
    emoji as "[smiling face with smiling eyes]"; skin-tone modifiers and joiners are left out."""
    register_fonts()
    glyphs = _glyphs()
    out = []
    for character in value:
        code = ord(character)
        if code in _SHAPERS or 0x1F3FB <= code <= 0x1F3FF:
            continue
        if (code in glyphs and code <= 0xFFFF) or character in "\n\t" or code < 32:  # ReportLab embeds the BMP
            out.append(character)
        else:
            out.append(f"[{unicodedata.name(character, f'character U+{code:04X}').lower()}]")
    return "".join(out)


@functools.cache
def _glyphs() -> frozenset[int]:
    font = pdfmetrics.getFont(REGULAR)
    return frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]  # TTFont's face has its character map


def fitted(value: str, font: str, size: float, width: float) -> str:
    """One line of text cut at a word, with an ellipsis, to fit the width (a footer must never overrun)."""
    value = printable(value)
    if pdfmetrics.stringWidth(value, font, size) <= width:
        return value
    words = value.split(" ")
    while len(words) > 1 and pdfmetrics.stringWidth(" ".join(words) + "…", font, size) > width:
        words.pop()
    cut = " ".join(words)
    while cut and pdfmetrics.stringWidth(cut + "…", font, size) > width:
        cut = cut[:-1]
    return cut.rstrip(" ,:;") + "…"


def render_statement_pdf(statement: Statement, *, invariant: bool = False) -> bytes:
    """The statement as PDF bytes; invariant=True gives the same bytes for the same statement (for tests)."""
    register_fonts()
    styles = paragraph_styles()
    out = BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 8 * mm,
        title=f"{statement.title}: {statement.organisation}, {statement.cycle}", author=statement.partnership,
        subject="Draft" if statement.draft else f"Version {statement.version}", creator="Compliance statements",
        invariant=int(invariant))
    story = [*front_matter(statement, styles)]
    for section in statement.sections:
        story.extend(section_flowables(section, styles, show_check=statement.submitted))
    story.extend(attestation(statement, styles))

    def decorate(canv: canvas.Canvas, _doc: SimpleDocTemplate) -> None:
        _page_furniture(canv, statement)

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=NumberedCanvas)
    return out.getvalue()


def frame_width() -> float:
    """The width between an A4 portrait page's margins."""
    return A4[0] - 2 * MARGIN


def facts_table(rows: Sequence[tuple[str, str | Flowable]], styles: Styles) -> Table:
    """A two-column list of label and value (markup, or a flowable such as a rating tag)."""
    data = [[Paragraph(escape(k), styles["label"]), Paragraph(v, styles["cell"]) if isinstance(v, str) else v]
            for k, v in rows]
    table = Table(data, colWidths=[46 * mm, frame_width() - 46 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                               ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def front_matter(statement: Statement, styles: Styles) -> list[Flowable]:
    """A statement's title, facts and summary of results."""
    story: list[Flowable] = [Paragraph(text(f"{statement.partnership}"), styles["small"]),
                             Paragraph(escape(statement.title), styles["title"])]
    if statement.draft:
        story.append(_banner("DRAFT: this return has not been signed or submitted. It is not a statement of "
                             "compliance until a signatory signs it.", styles))
    if not statement.intact:
        story.append(_banner("WARNING: what is stored for this version does not match its SHA-256 fingerprint. "
                             "Do not rely on it.", styles))
    rows = [("Partnership", text(statement.partnership)), ("Organisation", text(statement.organisation)),
            ("Reporting year", text(statement.cycle)),
            ("Version", f"Version {statement.version}" if statement.submitted else "Draft (not submitted)"),
            ("Frameworks", "<br/>".join(text(f"{s.title}, version {s.version}") for s in statement.sections)),
            ("SHA-256 fingerprint", _sha(statement.sha256) if statement.sha256 else "None: not submitted")]
    story.append(facts_table(rows, styles))
    if statement.verification is not None:
        checked = statement.verification
        story += [Paragraph("Auditor's verification", styles["h3"]), Paragraph(text(_checked_text(checked)),
                                                                                 styles["body"])]
    if statement.expired_evidence:
        story.append(Paragraph(text(f"{statement.expired_evidence} piece(s) of evidence are past or near their "
                                    "valid-until date, as of the day this PDF was made: each is marked EXPIRED or "
                                    "EXPIRES SOON."), styles["body"]))
    story.extend(accreditation_flowables(statement, styles))
    return story


def accreditation_flowables(statement: Statement, styles: Styles) -> list[Flowable]:
    """The accreditations the organisation held when it signed (a draft: holds now), each with its expiry in
    words and, when expired or expiring, the word in capitals; nothing for a document that has no record."""
    if statement.accreditations is None:
        return []
    story: list[Flowable] = [Spacer(1, 6), Paragraph("Accreditations held" + ("" if statement.draft else " at signing"),
                                                    styles["h3"])]
    if not statement.accreditations:
        story.append(Paragraph("No accreditations recorded" + (" when it was signed." if statement.submitted else "."),
                               styles["body"]))
        return story
    story.append(Paragraph(text("As recorded on the day this version was signed, and judged on that day." if
                                statement.submitted else "As recorded today."), styles["body"]))
    if statement.accreditations_flagged:
        story.append(Paragraph(text(("Flagged on the day it was signed: " if statement.submitted else
                                     "Flagged today: ") + statement.accreditations_flagged + "."), styles["body"]))
    for held in statement.accreditations:
        details = [f"Awarded {held.awarded}", held.state_text]
        if held.reference:
            details.append(f"Reference {held.reference}")
        parts = [f"<b>{text(held.name)}</b>" + (f' <font color="#2a0b06"><b>{escape(held.tag.upper())}</b></font>'
                                                 if held.flagged else ""),
                 f'<font size="8.5" color="#505a5f">{text(". ".join(details))}.</font>']
        if held.evidence_title:
            evidence = f"Evidence: {held.evidence_location or held.evidence_title}"
            evidence += f". SHA-256 {held.evidence_sha256[:12]}" if held.evidence_sha256 else ""
            parts.append(f'<font size="8.5" color="#505a5f">{text(evidence)}</font>')
        story.append(Paragraph("<br/>".join(parts), ParagraphStyle("acc", parent=styles["body"], leftIndent=8,
                                                                   bulletIndent=0), bulletText="•"))
    return story


def _checked_text(checked: Summary) -> str:
    counts = checked.counts
    words = f"{checked.checked} of {checked.answered} answered requirements checked by an auditor"
    if checked.checked:
        words += (f": {counts['verified']} verified, {counts['partly-verified']} partly verified, "
                  f"{counts['not-verified']} not verified")
    differ = checked.disagreements
    return words + (f". {differ} validated rating(s) differ from the organisation's own." if differ
                    else ". No validated rating differs from the organisation's own.")


def outcome_text(outcome: Outcome | None) -> str:
    """An auditor's check as paragraph markup."""
    if outcome is None:
        return "Not checked by an auditor yet"
    parts = [f"<b>{escape(outcome.status_label)}</b>"]
    if outcome.validated_label:
        parts.append(text(f"Validated rating: {outcome.validated_label}"))
    if outcome.disagrees:
        parts.append("<b>≠ Differs from the organisation's own rating</b>")
    if outcome.comment:
        parts.append(text(outcome.comment))
    if outcome.by or outcome.at:
        who = "Checked" + (f" by {outcome.by}" if outcome.by else "") + (f", {outcome.at}" if outcome.at else "")
        parts.append(f'<font size="8.5" color="#505a5f">{text(who)}</font>')
    return "<br/>".join(parts)


def _sha(value: str) -> str:
    """A fingerprint small enough to sit on one line of the value column."""
    return f'<font size="8">{escape(value)}</font>'


def _banner(message: str, styles: Styles) -> KeepTogether:
    table = Table([[Paragraph(escape(message), styles["draft"])]], colWidths=[frame_width()])
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f4cdc6")),
                               ("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor("#d4351c")),
                               ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return KeepTogether([table, Spacer(1, 8)])


def _tag(word: str, colour: str, styles: Styles, width: float) -> Table:
    fill, ink = RAG.get(colour, RAG["blank"])
    style = ParagraphStyle("t", parent=styles["tag"], textColor=colors.HexColor(ink))
    table = Table([[Paragraph(escape(word), style)]], colWidths=[width])
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(fill)),
                               ("BOX", (0, 0), (-1, -1), 0.75, colors.HexColor(ink)),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def section_flowables(section: Section, styles: Styles, *, show_check: bool = False) -> list[Flowable]:
    """One framework's answers, each with its rating, narrative, evidence and actions."""
    story: list[Flowable] = [CondPageBreak(60 * mm),
                             Paragraph(text(f"{section.title} (version {section.version})"), styles["h2"])]
    if section.status == "draft" and section.notice:
        story.append(Paragraph(text(section.notice), styles["small"]))
    result = _tag(section.result, section.result_rag, styles, 50 * mm)
    result.hAlign = "LEFT"
    story.append(facts_table([("Overall rule", text(section.rule)), ("Overall result", result),
                         ("How it was worked out", text(section.detail))], styles))
    story.append(Spacer(1, 10))
    for item in section.items:
        story.extend(_item(item, styles, show_check=show_check))
    return story


def _item(item: Item, styles: Styles, *, show_check: bool = False) -> list[Flowable]:
    tag_width = 38 * mm
    head = Table([[Paragraph(text(item.heading), styles["h3"]), _tag(item.rating, item.rag, styles, tag_width)]],
                 colWidths=[frame_width() - tag_width - 4 * mm, tag_width + 4 * mm])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0),
                              ("RIGHTPADDING", (-1, 0), (-1, 0), 0), ("LINEABOVE", (0, 0), (-1, 0), 1, BLACK),
                              ("TOPPADDING", (0, 0), (-1, -1), 6)]))
    paragraphs: list[Flowable] = [Paragraph(text(p), styles["body"])
                                  for p in (item.narrative or "None given").replace("\r\n", "\n").split("\n\n")]
    # a short first paragraph stays with its heading; a long one flows on from it across pages
    opening: list[Flowable] = [head]
    if item.through:
        opening.append(Paragraph(f"<b>Answered through {text(item.through)}</b>: the organisation answered once for "
                                 "both, and the answer is counted in each framework.", styles["body"]))
    opening.append(Paragraph("Narrative", styles["label"]))
    short = len(item.narrative) < 1500
    story: list[Flowable] = [KeepTogether(opening + paragraphs[:1] if short else opening),
                             *paragraphs[1 if short else 0:]]
    if item.reason:
        story += [Paragraph("Reason", styles["label"]), Paragraph(text(item.reason), styles["body"])]
    story.append(Paragraph("Evidence", styles["label"]))
    if not item.evidence:
        story.append(Paragraph("No evidence", styles["body"]))
    for evidence in item.evidence:
        dates = f"Effective {evidence.effective}" + (f", valid until {evidence.valid_until}"
                                                      if evidence.valid_until else "")
        parts = [text(evidence.title)]
        if evidence.location:
            parts.append(f'<font size="8.5" color="#505a5f">{text(evidence.location)}</font>')
        meta = dates + (f". SHA-256 {evidence.short_sha256}" if evidence.sha256 else "")
        if evidence.expiry:
            meta += f". {evidence.expiry_text.upper()}"
        parts.append(f'<font size="8.5" color="#505a5f">{text(meta)}</font>')
        story.append(Paragraph("<br/>".join(parts), ParagraphStyle("ev", parent=styles["body"], leftIndent=8,
                                                                   bulletIndent=0), bulletText="•"))
    story.append(Paragraph("Improvement actions", styles["label"]))
    if not item.actions:
        story.append(Paragraph(text(f"Recorded with the answer to {item.through}") if item.through
                               else "No improvement actions", styles["body"]))
    for action in item.actions:
        meta = f"Owner: {action.owner}. Due {action.due}." + (f" {action.status}." if action.status else "")
        late = ' <font color="#d4351c"><b>OVERDUE</b></font>' if action.overdue else ""
        story.append(Paragraph(f'{text(action.what)}<br/><font size="8.5" color="#505a5f">{text(meta)}</font>{late}',
                               ParagraphStyle("ac", parent=styles["body"], leftIndent=8, bulletIndent=0),
                               bulletText="•"))
    if show_check:
        story += [Paragraph("Auditor's check", styles["label"]), Paragraph(outcome_text(item.verification),
                                                                           styles["body"])]
    story.append(Spacer(1, 8))
    return story


def attestation(statement: Statement, styles: Styles) -> list[Flowable]:
    """The declaration, who signed it and when, and the fingerprint."""
    story: list[Flowable] = [CondPageBreak(50 * mm), Paragraph("Declaration and signature", styles["h2"])]
    if statement.declaration:
        story.append(Paragraph(text(statement.declaration), styles["body"]))
    signed = statement.attestation
    if signed is None:
        story.append(_banner("DRAFT: not signed. No one has attested to this statement.", styles))
    else:
        story.append(facts_table([("Signed by", text(signed.name)), ("Job title", text(signed.job_title)),
                             ("Date and time", text(signed.signed_at)),
                             ("SHA-256 fingerprint", _sha(statement.sha256 or ""))], styles))
        story.append(Paragraph(escape(HOW_TO_CHECK), styles["small"]))
    return story


def _page_furniture(canv: canvas.Canvas, statement: Statement) -> None:
    """What every page carries: the DRAFT mark when not submitted and the footer's who and fingerprint."""
    width, height = A4
    canv.saveState()
    if statement.draft:
        canv.setFillColor(colors.Color(0.83, 0.21, 0.11, alpha=0.13))
        canv.setFont(BOLD, 110)
        canv.translate(width / 2, height / 2)
        canv.rotate(45)
        canv.drawCentredString(0, -35, "DRAFT")
        canv.rotate(-45)
        canv.translate(-width / 2, -height / 2)
    canv.setStrokeColor(LINE)
    canv.line(MARGIN, 17 * mm, width - MARGIN, 17 * mm)
    canv.setFillColor(GREY)
    canv.setFont(REGULAR, 7.5)
    # The page number sits at the right of this line: the organisation's name is shortened to leave it room.
    number_room = pdfmetrics.stringWidth("Page 9999 of 9999", REGULAR, 7.5) + 6 * mm
    tail = f": statement of compliance {statement.cycle}" + (
        " (DRAFT, not submitted)" if statement.draft else f", version {statement.version}")
    room = width - 2 * MARGIN - number_room - pdfmetrics.stringWidth(tail, REGULAR, 7.5)
    canv.drawString(MARGIN, 13 * mm, fitted(statement.organisation, REGULAR, 7.5, room) + tail)
    fingerprint = f"SHA-256 {statement.sha256}" if statement.sha256 else "DRAFT: no fingerprint until submitted"
    canv.drawString(MARGIN, 9.5 * mm, fingerprint)
    canv.restoreState()


class NumberedCanvas(canvas.Canvas):
    """Says "Page x of y" on every page, portrait or landscape, without holding the pages until the end.

    Each page draws "Page x of " and then a form (a PDF XObject) that is only defined once the last page is
    known, holding the total: the document streams page by page, so a board pack of 2,000 pages does not keep
    every page twice in memory (make bench measures a worker's peak).
    """

    TOTAL_FORM = "page-total"
    _DIGITS = "0000"  # room kept for the total
    _page_count = 0  # pages shown so far: showPage counts each on the instance
    _pagesize: tuple[float, float]  # Canvas sets it; its stubs leave this private attribute out

    def showPage(self) -> None:
        self._page_count += 1
        label = f"Page {self._page_count} of "
        width = pdfmetrics.stringWidth(label, REGULAR, 7.5)
        room = pdfmetrics.stringWidth(self._DIGITS, REGULAR, 7.5)
        x = self._pagesize[0] - MARGIN - room - width
        self.saveState()
        self.setFont(REGULAR, 7.5)
        self.setFillColor(GREY)
        self.drawString(x, 13 * mm, label)
        self.translate(x + width, 13 * mm)
        self.doForm(self.TOTAL_FORM)
        self.restoreState()
        super().showPage()

    def save(self) -> None:
        self.beginForm(self.TOTAL_FORM)
        self.setFont(REGULAR, 7.5)
        self.setFillColor(GREY)
        self.drawString(0, 0, str(self._page_count))
        self.endForm()
        super().save()
