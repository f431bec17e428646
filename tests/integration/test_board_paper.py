"""The board pack as a board paper on the demo's open cycle: the PDF's cover, summary and organisation pages,
overdue improvement actions read from the signed versions, and the web page saying the same as the PDF."""
from __future__ import annotations

import html
import re
import subprocess
from datetime import datetime, timezone

from compliance import store
from compliance.core.text import london, when
from compliance.services import boardpack_jobs as jobs
from compliance.web.requests import get_db
from tests.builders import SECTORS, signed_in


def _open_cycle(app) -> dict:
    with app.app_context():
        return next(c for c in store.cycles(get_db()) if c["status"] == "open")


def _pack_text(app, cycle: dict, tmp_path, *, prepared: datetime) -> str:
    """The pack a job made at `prepared` prints, its words separated by single spaces."""
    with app.app_context():
        job_id = store.create_job(get_db(), kind=jobs.BOARD_PACK, cycle_id=cycle["id"], created_by=None, now=prepared)
    jobs.run_board_pack(app.config["DATABASE"], job_id, folder=tmp_path / "packs",
                        partnership=app.config["PARTNERSHIP_NAME"], sectors=SECTORS)
    with app.app_context():
        job = store.job(get_db(), job_id)
    assert job["status"] == "done", job["error"]
    printed = subprocess.run(["pdftotext", job["result_path"], "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(printed.split())


def _paper(app, cycle, prepared):
    with app.app_context():
        return jobs.cycle_board_paper(get_db(), cycle, sectors=SECTORS, partnership=app.config["PARTNERSHIP_NAME"],
                                      prepared=prepared)


def test_the_pack_has_a_cover_a_summary_in_words_and_a_summary_per_organisation(demo_app, tmp_path):
    cycle = _open_cycle(demo_app)
    prepared = datetime.now(timezone.utc).replace(microsecond=0)
    text = _pack_text(demo_app, cycle, tmp_path, prepared=prepared)
    paper = _paper(demo_app, cycle, prepared)
    cover = text[:text.index("Executive summary")]
    assert f"Board pack: {cycle['name']}" in cover and "PROVISIONAL" in cover
    assert f"Prepared {when(prepared)} (London time)" in cover
    summary = text[:text.index("Figures by requirement")]
    for sentence in paper.summary:
        assert sentence in summary, sentence
    assert paper.requirements, "the demo has red and amber answers"
    for concern in paper.requirements:
        assert f"{concern.label} {concern.red} {concern.amber} {concern.returned_text}" in summary, concern.label
    for name, red, amber in paper.organisations_most_red:
        assert f"{name} {red} {amber}" in summary
    for organisation in paper.organisations:
        page = text.index(f"{organisation.name}: summary")
        assert text.index("Annual statement of compliance", page) > page, organisation.name


def test_overdue_improvement_actions_come_from_the_signed_versions_and_are_listed(demo_app, tmp_path):
    cycle = _open_cycle(demo_app)
    later = datetime(2040, 1, 2, 12, tzinfo=timezone.utc)  # after every due date in the demo
    with demo_app.app_context():
        actions = jobs.cycle_actions(get_db(), cycle, today=london(later).date())
    overdue = [a for a in actions if a.overdue]
    assert overdue and all(a.status != "Done" for a in overdue)
    assert all(a.organisation and "," in a.requirement and a.due_date for a in actions), "names, not ids"
    text = _pack_text(demo_app, cycle, tmp_path, prepared=later)
    assert f"{len(overdue)} improvement action{'s' if len(overdue) != 1 else ''} of {len(actions)}" in text
    first = overdue[0]
    assert f"{first.organisation} {first.requirement} {first.what} {first.owner} {first.due_date}" in text


def _page_text(markup: str) -> str:
    inline = re.sub(r"</?(strong|span|a|b|em)\b[^>]*>", "", markup.split('id="main-content"')[1])
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", inline).split()))


def test_the_board_paper_page_says_what_the_pdf_says(demo_app, tmp_path):
    cycle = _open_cycle(demo_app)
    board = signed_in(demo_app, "board@demo.example")
    response = board.get(f"/cycles/{cycle['id']}/board-paper")
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    page = _page_text(markup)
    pdf = _pack_text(demo_app, cycle, tmp_path, prepared=datetime.now(timezone.utc))
    assert "PROVISIONAL" in page and "Prepare the board pack (PDF)" in page
    # the summary's sentences as the page lists them, each printed in the PDF too
    listed = re.search(r"Executive summary</h2>\s*<ul[^>]*>(.*?)</ul>", markup, re.S).group(1)
    sentences = [html.unescape(" ".join(s.split())) for s in re.findall(r"<li>(.*?)</li>", listed, re.S)]
    assert len(sentences) >= 5
    for sentence in sentences:
        assert sentence in pdf, sentence
    # every table row of the page's summary, figures and organisations, in the PDF in the same order of cells
    for caption in ["Returns by status", "Requirements met, by framework", "Requirements with the most red and amber",
                    "Organisations with the most red", "Overall, by framework"]:
        table = re.search(rf"<caption[^>]*>{re.escape(caption)}</caption>(.*?)</table>", markup, re.S).group(1)
        for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)[1:]:
            cells = " ".join(html.unescape(" ".join(c.split())) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>",
                                                                                     row, re.S))
            assert cells in pdf, (caption, cells)
    for heading in re.findall(r'<h3 class="govuk-heading-m" id="organisation-\d+">(.*?)</h3>', markup):
        assert html.unescape(heading) in pdf
    assert "statement of compliance" in page and f"/cycles/{cycle['id']}/matrix" in markup


def test_the_packs_statements_carry_the_auditors_checks_as_their_own_pages_do(demo_app, tmp_path):
    with demo_app.app_context():
        closed = next(c for c in store.cycles(get_db()) if c["status"] == "closed")
    text = _pack_text(demo_app, closed, tmp_path, prepared=datetime.now(timezone.utc))
    assert "Auditor's check" in text and "Checked by " in text
    assert re.search(r"[1-9]\d* of \d+ answered requirements checked by an auditor", text)
