"""The statement page and PDF for the demo returns: a signed one, a draft one, and who may see them."""
from __future__ import annotations

import subprocess

import pytest

from compliance import store
from compliance.web.requests import get_db
from tests.builders import DEMO_PASSWORD, demo_app, page_text


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("statements"), WTF_CSRF_ENABLED=False)
    with app.app_context():
        db = get_db()
        current = store.cycles(db)[0]
        returns = {r["organisation_name"]: r for r in store.returns_for_cycle(db, current["id"])}
        probation = returns["Brackenford Probation Delivery Unit"]
        latest = store.return_versions(db, probation["id"])[0]
    return app, {"signed": probation, "draft": returns["Brackenford Police"], "latest": latest}


def sign_in(app, email):
    client = app.test_client()
    assert client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    return client


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_the_signed_statement_page_shows_the_version_fingerprint_and_signature(demo):
    app, found = demo
    client = sign_in(app, "board@demo.example")
    response = client.get(f"/returns/{found['signed']['id']}/statement")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert page_text(response).h1 == "Annual statement of compliance"
    assert found["latest"]["sha256"] in html and found["latest"]["signatory_name"] in html
    assert f'<code class="govuk-!-text-break-word">{found["latest"]["sha256"]}</code>' in html, \
        "the signature's fingerprint is set as code, not shown as the markup's own text"
    assert "&lt;code" not in html
    assert "DRAFT" not in html and "Download as PDF" in html
    assert "Overall result" in html and "govuk-tag" in html
    version = client.get(f"/returns/{found['signed']['id']}/versions/{found['latest']['version']}/statement")
    assert version.status_code == 200 and found["latest"]["sha256"] in version.get_data(as_text=True)


def test_the_signed_statement_pdf_is_an_attachment_with_the_same_content(demo, tmp_path):
    app, found = demo
    client = sign_in(app, "board@demo.example")
    response = client.get(f"/returns/{found['signed']['id']}/statement.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"brackenford-probation-delivery-unit-v{found['latest']['version']}.pdf" in disposition
    text = pdf_text(response.data, tmp_path)
    assert found["latest"]["sha256"] in text and "Page 1 of" in text and "DRAFT" not in text
    assert "Brackenford Probation Delivery Unit" in text


def test_a_return_never_submitted_gives_a_draft(demo, tmp_path):
    app, found = demo
    client = sign_in(app, "editor.police@demo.example")
    page = client.get(f"/returns/{found['draft']['id']}/statement")
    assert page.status_code == 200 and "DRAFT" in page.get_data(as_text=True)
    assert page_text(page).title.startswith("Draft statement of compliance")
    response = client.get(f"/returns/{found['draft']['id']}/statement.pdf")
    assert response.status_code == 200 and "-draft.pdf" in response.headers["Content-Disposition"]
    assert "DRAFT" in pdf_text(response.data, tmp_path)


def test_another_organisation_gets_404_and_the_board_sees_all(demo):
    app, found = demo
    other = sign_in(app, "editor.womensaid@demo.example")
    board = sign_in(app, "board@demo.example")
    return_id, version = found["signed"]["id"], found["latest"]["version"]
    for path in [f"/returns/{return_id}/statement", f"/returns/{return_id}/statement.pdf",
                 f"/returns/{return_id}/versions/{version}/statement",
                 f"/returns/{return_id}/versions/{version}/statement.pdf"]:
        assert other.get(path).status_code == 404, path
        assert board.get(path).status_code == 200, path
    assert board.get(f"/returns/{return_id}/versions/99/statement").status_code == 404
    assert app.test_client().get(f"/returns/{return_id}/statement").status_code == 302


def test_the_signed_version_page_links_to_its_statement(demo):
    app, found = demo
    client = sign_in(app, "board@demo.example")
    return_id, version = found["signed"]["id"], found["latest"]["version"]
    html = client.get(f"/returns/{return_id}/versions/{version}").get_data(as_text=True)
    assert f"/returns/{return_id}/versions/{version}/statement" in html
