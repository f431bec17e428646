"""Every PDF has a web page with the same content, linked from wherever the PDF is offered, and the accessibility
statement says in the model statement's words that the PDFs are not tagged."""
from __future__ import annotations

import re

from compliance import store
from compliance.services import boardpack_jobs as jobs
from compliance.web.requests import get_db
from tests.builders import NOW, SECTORS, signed_in


def test_the_accessibility_statement_says_the_pdfs_are_not_tagged_and_where_their_web_pages_are(demo_app):
    page = demo_app.test_client().get("/accessibility").get_data(as_text=True)
    for heading in ["How accessible this service is", "Technical information about this service's accessibility",
                    "Compliance status", "Non-accessible content", "Non-compliance with the accessibility regulations",
                    "Preparation of this accessibility statement"]:
        assert re.search(rf"<h[2-4][^>]*>{re.escape(heading).replace(chr(39), '(&#39;|.)')}</h[2-4]>", page), heading
    assert "partially compliant with the Web Content Accessibility Guidelines (WCAG) version 2.2 AA standard" in page
    assert "We are not aware of any part of the service that does not meet it" not in page
    for pdf in ["the statement of compliance", "the audit summary", "the board pack"]:
        assert f"<li>{pdf}:" in page, pdf
    assert "are not tagged" in page and "1.3.1 (Info and relationships)" in page


def test_wherever_the_board_pack_pdf_is_offered_its_web_page_is_linked(demo_app, tmp_path):
    with demo_app.app_context():
        cycle = next(c for c in store.cycles(get_db()) if c["status"] == "open")
        job_id = store.create_job(get_db(), kind=jobs.BOARD_PACK, cycle_id=cycle["id"], created_by=None, now=NOW)
    jobs.run_board_pack(demo_app.config["DATABASE"], job_id, folder=tmp_path, partnership="WDVF", sectors=SECTORS)
    paper = f'href="/cycles/{cycle["id"]}/board-paper"'
    coordinator = signed_in(demo_app, "coordinator@demo.example")
    for path in [f"/board-pack/jobs/{job_id}", "/home", f"/cycles/{cycle['id']}/matrix"]:
        page = coordinator.get(path, follow_redirects=True).get_data(as_text=True)
        offers_pdf = f"/board-pack/jobs/{job_id}/download" in page or "Prepare the board pack" in page
        assert offers_pdf and paper in page, path
    page = coordinator.get(f"/cycles/{cycle['id']}/board-paper").get_data(as_text=True)
    assert "Prepare the board pack (PDF)" in page, "the web page offers the PDF"
