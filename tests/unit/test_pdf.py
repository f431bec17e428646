"""The statement PDF read back with poppler's pdftotext and pdfinfo: what a reader of the file would see."""
from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import date

from compliance.config import ROOT
from compliance.core.statements import build_statement
from compliance.render.pdf import render_statement_pdf
from tests.builders import FRAMEWORKS, HOSTILE, SHA, document, signed

ARTIFACTS = ROOT / "test-artifacts"


def extract(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))


def draft(doc=None):
    return build_statement(doc or document(), FRAMEWORKS, submitted=False, sha256=None, version=None)


def test_the_pdf_prints_every_rating_the_hostile_narrative_as_typed_and_unicode(tmp_path):
    statement = signed()
    found = extract(render_statement_pdf(statement), tmp_path)
    for section in statement.sections:
        assert section.result in found
        for item in section.items:
            assert item.rating in found and item.title in found
    assert HOSTILE in found
    for expected in ["Łukasz", "Zoë", "Ünal", "“fully”", "—", "£20", "Policy & annex <2030>", "cd34cd34cd34",
                     "Page 1 of", "Chief executive", "5 March 2026 at 2:07pm", SHA, "54.5%",
                     "Wolverhampton Domestic Violence Forum", "Haven Lane Women's Aid", "2025/26"]:
        assert expected in found, expected
    assert "DRAFT" not in found


def test_a_draft_says_draft_on_every_page_and_has_no_fingerprint(tmp_path):
    statement = draft(document(narrative="Long. " * 3000))
    pdf = render_statement_pdf(statement)
    found = extract(pdf, tmp_path)
    total = pages(pdf, tmp_path)
    assert total > 1
    for number, text in enumerate(found.split("\f")[:total], 1):
        assert "DRAFT" in text and f"Page {number} of {total}" in text
    assert SHA not in found


def test_a_long_narrative_flows_across_pages(tmp_path):
    words = ("The policy was reviewed by the board — and Zoë’s team trained 40 staff. " * 400)[:20_000]
    statement = signed(document(narrative=words))
    pdf = render_statement_pdf(statement)
    assert pages(pdf, tmp_path) > 2
    found = " ".join(extract(pdf, tmp_path).split())
    assert "Zoë’s team trained 40 staff" in found and f"Page 3 of {pages(pdf, tmp_path)}" in found


def test_the_same_statement_gives_the_same_bytes_when_invariant():
    statement = signed()
    assert render_statement_pdf(statement, invariant=True) == render_statement_pdf(statement, invariant=True)


def test_a_tampered_version_is_flagged(tmp_path):
    found = " ".join(extract(render_statement_pdf(replace(signed(), intact=False)), tmp_path).split())
    assert "does not match its SHA-256 fingerprint" in found


def test_page_one_rendered_to_png(tmp_path):
    """Page 1 as an image in test-artifacts/, to be looked at; here only that poppler can draw it."""
    ARTIFACTS.mkdir(exist_ok=True)
    for name, statement in [("statement-page-1", signed()), ("statement-draft-page-1", draft())]:
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(render_statement_pdf(statement, invariant=True))
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path),
                        str(ARTIFACTS / name)], check=True)
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 5_000


def _footer_words(pdf: bytes, tmp_path) -> list[tuple[float, float, float, str]]:
    """Every word on page 1 below the footer line (y from the top, in points), as (x_min, x_max, y_min, word)."""
    path = tmp_path / "bbox.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    words = [(float(a), float(c), float(b), w) for a, b, c, d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]
    return [word for word in words if word[2] > 842 - 17 * 2.835]  # A4 is 842 points tall; the footer 17 mm up


def test_a_200_character_organisation_name_is_shortened_in_the_footer_never_over_the_page_number(tmp_path):
    name = ("The Brackenford and Greater Wolverhampton Integrated Domestic Abuse, Sexual Violence and Safeguarding "
            "Partnership Trust for Adults, Children and Families (incorporating the Northfield Refuges) Limited")[:200]
    statement = signed({**document(), "organisation": name})
    footer = _footer_words(render_statement_pdf(statement), tmp_path)
    page_words = [w for w in footer if w[3] == "Page"]
    assert page_words, "the page number is printed"
    page_x = page_words[0][0]
    same_line = [w for w in footer if abs(w[2] - page_words[0][2]) < 2 and w[3] != "Page" and w[0] < page_x]
    assert same_line and max(w[1] for w in same_line) < page_x - 5, "the footer's text stops before the page number"
    assert all(w[1] <= 595 - 15 for w in footer), "nothing leaves the page (A4 is 595 points wide)"
    assert any("…" in w[3] for w in same_line), "the shortened name says it is shortened"


def test_emoji_and_characters_the_font_lacks_print_as_their_names_not_empty_boxes(tmp_path):
    statement = signed(document(narrative="Staff loved the training 😀👍🏽 and the 🏳️‍🌈 flag went up."))
    found = extract(render_statement_pdf(statement), tmp_path)
    assert "[grinning face]" in found and "[thumbs up sign]" in found
    assert "[waving white flag][rainbow]" in found.replace(" ", "") or "[waving white flag]" in found
    assert "\ufffd" not in found and "😀" not in found


def test_an_action_past_its_due_date_is_marked_overdue_in_the_pdf(tmp_path):
    """The action in the document is due 31 January 2026 and in progress: overdue on 1 February, not on the 31st."""
    late = build_statement(document(), FRAMEWORKS, submitted=True, sha256=SHA, version=2, today=date(2026, 2, 1))
    on_time = build_statement(document(), FRAMEWORKS, submitted=True, sha256=SHA, version=2, today=date(2026, 1, 31))
    assert "Train the new starters" in extract(render_statement_pdf(on_time), tmp_path)
    assert "OVERDUE" not in extract(render_statement_pdf(on_time), tmp_path)
    assert re.search(r"Due 31 January 2026\. In progress\.\s+OVERDUE", extract(render_statement_pdf(late), tmp_path))
