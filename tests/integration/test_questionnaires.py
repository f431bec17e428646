"""Printable questionnaires: every shipped framework's, as a page and an A4 PDF with its title, version and sector on
every page; who may see one; the links from the start page and the return's overview."""
from __future__ import annotations

import html
import subprocess  # nosec B404: pdftotext and pdfinfo, fixed commands on bytes the test made
from datetime import datetime, timezone

import pytest

from compliance import store
from compliance.config import ROOT
from compliance.core.frameworks import framework_files, load_file
from compliance.services import catalogue
from compliance.web.requests import get_db
from tests.builders import (
    MARKER,
    PASSWORD,
    SECTORS,
    add_person,
    demo_app,
    fields_of,
    page_text,
    sign_in,
)

SHIPPED = [load_file(path, sectors=SECTORS) for path in framework_files(ROOT / "questionnaires")]
NOW = datetime.now(timezone.utc)
HOSTILE_TITLE = f"Licensed <{MARKER}>standards</{MARKER}> & more"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("questionnaires"))
    # a version the coordinator loads (not shipped): its wording may not be public
    minimal = (ROOT / "tests" / "fixtures" / "frameworks" / "good-minimal.toml").read_text(encoding="utf-8")
    licensed = minimal.replace('id = "minimal"', 'id = "licensed-standards"').replace(
        'title = "Minimal framework"', f'title = "{HOSTILE_TITLE}"').replace(
        'text = "Have a domestic abuse policy."', f'text = "Have a <{MARKER}>policy</{MARKER}>."')
    with app.app_context():
        outcome = catalogue.load_upload(get_db(), "licensed.toml", licensed.encode(), actor=store.SYSTEM, now=NOW,
                                        sectors=SECTORS)
        assert outcome.framework is not None, outcome.problems
    add_person(app, "reader@questionnaire.example", role="board")
    return app


def pdf_pages(data: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return [" ".join(page.split()) for page in text.decode().split("\f") if page.strip()]


def page_size(data: bytes) -> str:
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return next(line for line in info.splitlines() if line.startswith("Page size")).split(":", 1)[1].strip()


@pytest.mark.parametrize("framework", SHIPPED, ids=lambda f: f.key)
def test_every_shipped_framework_has_a_printable_questionnaire_anyone_may_read(app, framework):
    client = app.test_client()
    path = f"/frameworks/{framework.id}/{framework.version}/questionnaire"
    response = client.get(path)
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert page_text(response).h1 == " ".join(framework.title.split())
    assert "How to use this questionnaire" in text
    for requirement in framework.requirements:
        assert f">{requirement.title}<" in text or f"{requirement.ref}. {requirement.title}" in text or (
            requirement.title == requirement.ref and f">{requirement.ref}<" in text)
    for level in framework.scale:
        assert level.label in text and level.definition in text

    pdf = client.get(path + ".pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == (f'attachment; filename="questionnaire-{framework.id}-v'
                                                  f'{framework.version}-all-sectors.pdf"')
    assert page_size(pdf.data).startswith("595.276 x 841.89"), "A4 portrait"
    pages = pdf_pages(pdf.data)
    head = " ".join(f"{framework.title}, version {framework.version}: all sectors".split())
    for number, words in enumerate(pages, 1):
        assert words.startswith(head), f"page {number} carries the framework, version and sector"
        assert f"Page {number} of {len(pages)}" in words
    whole = " ".join(pages)
    assert "How to use this questionnaire" in whole and "Your organisation's editor then enters the answers" in whole
    for requirement in framework.requirements:
        heading = requirement.ref if requirement.title == requirement.ref else requirement.title
        assert f"Your answer to {requirement.ref}" in whole and heading in whole
    for level in framework.scale:
        assert f"☐ {level.label}" in whole


def test_a_sector_is_asked_only_its_own_requirements(app):
    client = app.test_client()
    bvpi = next(f for f in SHIPPED if f.id == "bvpi-225")
    path = f"/frameworks/{bvpi.id}/{bvpi.version}/questionnaire"
    police = client.get(path + "?sector=police").get_data(as_text=True)
    assert "None of this framework's requirements is asked of this sector" in police
    council = client.get(path + "?sector=local-authority").get_data(as_text=True)
    assert "for local authority: 11 requirements" in council
    pdf = client.get(path + ".pdf?sector=local-authority")
    assert pdf.headers["Content-Disposition"].endswith('-v1-local-authority.pdf"')
    assert all(page.startswith("BVPI 225 Actions against domestic violence, version 1: local authority")
               for page in pdf_pages(pdf.data))
    unknown = client.get(path + "?sector=no-such-sector").get_data(as_text=True)
    assert "Version 1, for every sector" in unknown, "a sector the partnership does not have shows every one"
    everyone = client.get("/frameworks/wdvf-overarching-protocol-2018/2/questionnaire").get_data(as_text=True)
    assert "Needs an improvement action and at least one piece of evidence" in everyone


def test_a_version_the_coordinator_loaded_is_for_people_signed_in(app):
    anonymous = app.test_client()
    path = "/frameworks/licensed-standards/1/questionnaire"
    for tail in ("", ".pdf"):
        refused = anonymous.get(path + tail)
        assert refused.status_code == 302 and refused.headers["Location"].startswith("/sign-in"), tail
    start = anonymous.get("/").get_data(as_text=True)
    assert "Sign in to print its questions" in start
    assert 'href="/frameworks/wdvf-overarching-protocol-2018/2/questionnaire"' in start

    reader = app.test_client()
    assert sign_in(reader, "reader@questionnaire.example", PASSWORD).status_code == 302
    shown = reader.get(path)
    assert shown.status_code == 200 and not fields_of(shown).planted, "the file's text is escaped"
    assert "Licensed &lt;hostile-tag-7&gt;standards" in shown.get_data(as_text=True)
    words = " ".join(pdf_pages(reader.get(path + ".pdf").data))
    assert f"Have a <{MARKER}>policy</{MARKER}>." in words, "printed as typed in the PDF"
    assert reader.get("/frameworks/licensed-standards/9/questionnaire").status_code == 404
    assert reader.get("/frameworks/no-such-framework/1/questionnaire.pdf").status_code == 404


def test_the_return_overview_links_to_its_frameworks_questionnaires_for_its_sector(app):
    client = app.test_client()
    assert sign_in(client, "editor.police@demo.example", "demo-partnership-2026").status_code == 302
    with app.app_context():
        database = get_db()
        organisation = next(o for o in store.organisations(database) if o["name"] == "Brackenford Police")
        cycle = max(store.cycles(database), key=lambda c: c["open_date"])
        ret = next(r for r in store.returns_for_cycle(database, cycle["id"])
                   if r["organisation_id"] == organisation["id"])
    text = client.get(f"/returns/{ret['id']}").get_data(as_text=True)
    assert "Collecting answers from colleagues" in text
    assert 'href="/frameworks/wdvf-overarching-protocol-2018/2/questionnaire?sector=police"' in text
    assert 'href="/frameworks/wdvf-overarching-protocol-2018/2/questionnaire.pdf?sector=police"' in text
    assert "bvpi-225" not in text.split("Collecting answers from colleagues")[1].split("</ul>")[0], \
        "BVPI 225 asks nothing of the police"
