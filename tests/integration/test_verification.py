"""Auditors' verification on the demo partnership: recording checks, the two matrix views and their disagreement
counts, the statement, the audit summary (page and PDF), the register's filter, the exports, and who may do it."""
from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import datetime, timezone
from html import unescape

import pytest
from openpyxl import load_workbook

from compliance import store
from compliance.core.matrix import SELF_ASSESSED, VALIDATED
from compliance.services import matrix as matrix_service
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.builders import DEMO_PASSWORD, SECTORS, demo_app, page_text, password_hash

WDVF = "wdvf-overarching-protocol-2018"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("verification"), WTF_CSRF_ENABLED=False)
    with app.app_context():
        db = get_db()
        cycle = next(c for c in store.cycles(db) if c["status"] == "open")
        returns = {r["organisation_name"]: r for r in store.returns_for_cycle(db, cycle["id"])}
        for email, role, name in [("editor.probation@test.example", "editor", "Brackenford Probation Delivery Unit"),
                                  ("editor.greenway@test.example", "editor", "Greenway Homes"),
                                  ("signatory.greenway@test.example", "signatory", "Greenway Homes")]:
            store.create_user(db, email=email, name=role.title(), role=role,
                              organisation_id=returns[name]["organisation_id"],
                              password_hash=password_hash(DEMO_PASSWORD),
                              actor=store.SYSTEM, now=datetime.now(timezone.utc))
    return app, cycle, returns


def sign_in(app, email):
    client = app.test_client()
    assert client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    return client


def signed(app, return_id):
    """The standing signed answers of a return, keyed by requirement id (WDVF only), and the framework."""
    with app.app_context():
        db = get_db()
        _version, answers = return_service.standing_answers(db, return_id)
        framework = next(f for f in return_service.load_return(db, return_id).frameworks if f.id == WDVF)
    return {rid: a for (key, rid), a in answers.items() if key == framework.key}, framework


def other_level(framework, code):
    return next(level.code for level in framework.scale if level.code != code)


def url(return_id, requirement_id):
    return f"/returns/{return_id}/verification/{WDVF}/{requirement_id}"


def snapshot(app):
    """Everything an organisation signed or saved: answers and signed versions, exactly."""
    with app.app_context():
        db = get_db()
        answers = db.execute("SELECT * FROM answers ORDER BY id").fetchall()
        versions = db.execute("SELECT id, canonical, sha256 FROM return_versions ORDER BY id").fetchall()
    return answers, versions


@pytest.fixture(scope="module")
def checked(demo):
    """Known checks on two returns: Probation (submitted) and Greenway Homes (accepted)."""
    app, cycle, returns = demo
    before = snapshot(app)
    auditor = sign_in(app, "auditor@demo.example")
    probation = returns["Brackenford Probation Delivery Unit"]["id"]
    greenway = returns["Greenway Homes"]["id"]
    plan = []
    answers, framework = signed(app, probation)
    own = answers["wdvf-2018-02"]["rating"]
    plan += [(probation, "wdvf-2018-01", {"status": "verified", "validated_rating": ""}),
             (probation, "wdvf-2018-02", {"status": "not-verified", "validated_rating": other_level(framework, own),
                                          "comment": "No policy was seen; the intranet link is broken"})]
    answers, _ = signed(app, greenway)
    plan += [(greenway, "wdvf-2018-01", {"status": "partly-verified",
                                         "validated_rating": answers["wdvf-2018-01"]["rating"],
                                         "comment": "Only one site's training records"}),
             (greenway, "wdvf-2018-03", {"status": "partly-verified",
                                         "validated_rating": other_level(framework, answers["wdvf-2018-03"]["rating"]),
                                         "comment": "=HYPERLINK(\"http://evil.example\") <script>alert(1)</script>"})]
    for return_id, requirement_id, values in plan:
        response = auditor.post(url(return_id, requirement_id), data={"comment": "", "revision": "0", **values})
        assert response.status_code == 302, response.get_data(as_text=True)
    return {"before": before, "probation": probation, "greenway": greenway, "auditor": auditor}


def test_an_auditors_checks_change_the_validated_view_and_never_the_self_assessed_one(demo, checked):
    app, cycle, _ = demo
    assert snapshot(app) == checked["before"], "answers and signed versions are untouched"
    with app.app_context():
        db = get_db()
        own = matrix_service.cycle_matrix(db, cycle, sectors=SECTORS, view=SELF_ASSESSED)
        validated = matrix_service.cycle_matrix(db, cycle, sectors=SECTORS, view=VALIDATED)
    rows = {r.org.return_id: r for r in own.rows}
    checked_rows = {r.org.return_id: r for r in validated.rows}
    probation_own = {c.requirement.id: c for c in rows[checked["probation"]].cells if c.framework.id == WDVF}
    probation_checked = {c.requirement.id: c for c in checked_rows[checked["probation"]].cells
                         if c.framework.id == WDVF}
    answers, _ = signed(app, checked["probation"])
    # self-assessed: exactly what was signed
    assert all(probation_own[rid].code == answers[rid]["rating"] for rid in answers)
    # validated: the auditor's ratings where checked, "Not checked" elsewhere
    assert probation_checked["wdvf-2018-01"].code == answers["wdvf-2018-01"]["rating"]
    assert probation_checked["wdvf-2018-02"].code != answers["wdvf-2018-02"]["rating"]
    unchecked = probation_checked["wdvf-2018-04"]
    assert unchecked.state == "not-checked" and unchecked.text == "Not checked"
    assert probation_checked["wdvf-2018-02"].disagrees and probation_own["wdvf-2018-02"].disagrees
    assert not probation_checked["wdvf-2018-01"].disagrees


def test_disagreements_are_counted_per_organisation_and_per_requirement(demo, checked):
    app, cycle, _ = demo
    with app.app_context():
        for view in (SELF_ASSESSED, VALIDATED):
            found = matrix_service.cycle_matrix(get_db(), cycle, sectors=SECTORS, view=view)
            per_org = {r.org.return_id: r.disagreements for r in found.rows if r.disagreements}
            assert per_org == {checked["probation"]: 1, checked["greenway"]: 1}
            per_requirement = {c.requirement.id: c.disagreements for c in found.columns if c.disagreements}
            assert per_requirement == {"wdvf-2018-02": 1, "wdvf-2018-03": 1}
            assert found.disagreements == 2


def test_the_matrix_page_offers_both_views_and_marks_disagreements_in_words(demo, checked):
    app, cycle, _ = demo
    board = sign_in(app, "board@demo.example")
    own = unescape(board.get(f"/cycles/{cycle['id']}/matrix").get_data(as_text=True))
    validated = unescape(board.get(f"/cycles/{cycle['id']}/matrix?view=validated").get_data(as_text=True))
    assert 'aria-current="page">Self-assessed<' in own and 'aria-current="page">Validated by auditors<' in validated
    with app.app_context():
        checked_answers = matrix_service.cycle_matrix(get_db(), cycle, sectors=SECTORS).checked
    for html in (own, validated):
        assert re.search(rf'id="disagreements">Auditors have checked <strong>{checked_answers}</strong> of the \d+ '
                         r'answers returned\. <strong>2</strong> answers where', html)
        assert html.count("app-matrix__cell--differs") == 2
    assert own.count("; the auditor's validated rating differs") == 2
    assert validated.count("differs from the organisation's own rating") == 2
    assert "not checked by an auditor" in validated and "not checked by an auditor" not in own


def test_the_exports_carry_both_ratings(demo, checked):
    app, cycle, returns = demo
    board = sign_in(app, "board@demo.example")
    rows = list(csv.DictReader(io.StringIO(board.get(f"/cycles/{cycle['id']}/matrix.csv").get_data(as_text=True))))
    probation = [r for r in rows if r["organisation"] == "Brackenford Probation Delivery Unit"]
    assert [r["validated differs"] for r in probation].count("yes") == 1
    assert sum(r["validated rating"] == "Not checked" for r in probation) == len(probation) - 2
    book = load_workbook(io.BytesIO(board.get(f"/cycles/{cycle['id']}/matrix.xlsx").data))
    assert book.sheetnames == ["Matrix", "Validated", "Summary", "Legend"]
    marked = [c.value for sheet in ("Matrix", "Validated") for row in book[sheet].iter_rows() for c in row
              if isinstance(c.value, str) and c.value.endswith("≠")]
    assert len(marked) == 4
    summary = book["Summary"]
    headers = [c.value for c in summary[1]]
    assert sum(row[headers.index("Disagreements")] or 0 for row in summary.iter_rows(min_row=2, values_only=True)) == 2


def test_the_statement_and_the_signed_version_show_the_auditors_check(demo, checked, tmp_path):
    app, _, _ = demo
    board = sign_in(app, "board@demo.example")
    html = board.get(f"/returns/{checked['probation']}/statement").get_data(as_text=True)
    assert "Auditor&#39;s check" in html or "Auditor's check" in html
    assert "No policy was seen; the intranet link is broken" in html
    assert re.search(r"2 of \d+ answered requirements? checked by an auditor", html)
    version = board.get(f"/returns/{checked['probation']}/versions/1").get_data(as_text=True)
    assert "Not verified" in version and "Differs from the organisation" in version
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(board.get(f"/returns/{checked['probation']}/statement.pdf").data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "Auditor's check" in text and "No policy was seen" in text and "Not verified" in text


def test_the_organisation_sees_the_outcome_and_the_audit_summary(demo, checked, tmp_path):
    app, _, _ = demo
    member = sign_in(app, "editor.probation@test.example")
    overview = member.get(f"/returns/{checked['probation']}").get_data(as_text=True)
    assert "2 of" in overview and "1 validated rating differs" in overview
    summary = member.get(f"/returns/{checked['probation']}/audit-summary")
    assert summary.status_code == 200 and page_text(summary).h1 == "Audit summary"
    html = summary.get_data(as_text=True)
    assert "No policy was seen" in html and "Check the evidence of this return" not in html
    pdf = member.get(f"/returns/{checked['probation']}/audit-summary.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.headers["Content-Disposition"].startswith("attachment;")
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "Audit summary" in text and "Disagreements" in text and "No policy was seen" in text
    assert "Not verified" in text and "Brackenford Probation Delivery Unit" in text
    # another organisation's member cannot see it at all
    other = sign_in(app, "editor.police@demo.example")
    assert other.get(f"/returns/{checked['probation']}/audit-summary").status_code == 404


def test_user_text_is_escaped_on_the_summary(demo, checked):
    app, _, _ = demo
    html = sign_in(app, "board@demo.example").get(f"/returns/{checked['greenway']}/audit-summary").get_data(
        as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_only_auditors_and_the_admin_can_record_a_check(demo, checked):
    app, _, _ = demo
    target = url(checked["greenway"], "wdvf-2018-05")
    for email in ("board@demo.example", "editor.greenway@test.example", "signatory.greenway@test.example"):
        client = sign_in(app, email)
        response = client.post(target, data={"status": "verified", "revision": "0"})
        assert response.status_code == 403, email
    with app.app_context():
        assert (WDVF, "wdvf-2018-05") not in {(k.split("@")[0], r) for k, r in
                                              store.verifications_for_return(get_db(), checked["greenway"])}
    admin = sign_in(app, "coordinator@demo.example")
    assert admin.post(target, data={"status": "verified", "revision": "0"}).status_code == 302
    with app.app_context():
        found = store.verifications_for_return(get_db(), checked["greenway"])
        assert any(r == "wdvf-2018-05" for _, r in found)
        logged = store.audit_entries(get_db(), action="answer-verified")
    assert len(logged) >= 5


def test_bad_checks_get_clear_messages_and_keep_what_was_typed(demo, checked):
    app, _, returns = demo
    auditor = sign_in(app, "auditor@demo.example")
    college = returns["Brackenford College"]["id"]
    answers, framework = signed(app, college)
    own = answers["wdvf-2018-01"]["rating"]
    cases = [
        ({"status": ""}, "Select whether the evidence verifies the organisation"),
        ({"status": "partly-verified", "comment": "Typed by the auditor"}, "Select the rating the evidence supports"),
        ({"status": "not-verified", "validated_rating": other_level(framework, own)}, "a comment is needed"),
        ({"status": "verified", "validated_rating": other_level(framework, own), "comment": "Mine"},
         "means the evidence backs the organisation"),
        ({"status": "not-checked", "validated_rating": own}, "Leave the validated rating empty"),
        ({"status": "verified", "validated_rating": "made-up"}, "Select a validated rating from the list"),
        ({"status": "partly-verified", "validated_rating": own, "comment": "x" * 5001}, "5,000 characters or fewer"),
    ]
    for values, message in cases:
        response = auditor.post(url(college, "wdvf-2018-01"), data={"revision": "0", "comment": "", **values})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "govuk-error-summary" in html, values
        assert message in html.replace("&#39;", "'").replace("&#34;", '"'), (values, message)
        assert page_text(response).title.startswith("Error:")
        if values.get("comment") == "Typed by the auditor":
            assert "Typed by the auditor" in html
    with app.app_context():
        assert store.verifications_for_return(get_db(), college) == {}


def test_a_stale_check_is_refused_and_shows_the_newer_one(demo, checked):
    app, _, returns = demo
    college = returns["Brackenford College"]["id"]
    first, second = sign_in(app, "auditor@demo.example"), sign_in(app, "coordinator@demo.example")
    assert first.post(url(college, "wdvf-2018-02"), data={"status": "verified", "revision": "0"}).status_code == 302
    stale = second.post(url(college, "wdvf-2018-02"), data={"status": "not-checked", "revision": "0",
                                                            "comment": "Admin's note"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Someone else saved a check" in html and "Admin&#39;s note" in html or "Admin's note" in html
    with app.app_context():
        found = store.verifications_for_return(get_db(), college)
    assert [v["status"] for v in found.values()] == ["verified"]


def test_nothing_to_check_on_a_return_not_submitted(demo):
    app, _, returns = demo
    auditor = sign_in(app, "auditor@demo.example")
    police = returns["Brackenford Police"]["id"]  # in progress
    page = auditor.get(f"/returns/{police}/verification")
    assert page.status_code == 200 and "There is nothing to check yet" in page.get_data(as_text=True)
    refused = auditor.post(url(police, "wdvf-2018-01"), data={"status": "verified", "revision": "0"})
    assert refused.status_code == 409 and "Nothing has been saved" in refused.get_data(as_text=True)


def count(html: str) -> int:
    """How many register rows match, on every page together: "Showing 1 to 50 of 298 items", or "27 items"."""
    found = re.search(r"(?:of |>\s*)([\d,]+) items?\b", html)
    return int(found.group(1).replace(",", "")) if found else 0


def test_the_register_filters_by_verification_status(demo, checked):
    app, _, _ = demo
    auditor = sign_in(app, "auditor@demo.example")
    everything = auditor.get("/evidence-register?cycle=all").get_data(as_text=True)
    not_verified = auditor.get("/evidence-register?cycle=all&verification=not-verified").get_data(as_text=True)
    not_checked = auditor.get("/evidence-register?cycle=all&verification=not-checked").get_data(as_text=True)
    assert count(not_verified) <= count(everything) and count(not_checked) < count(everything)
    with app.app_context():
        expected = store.count_evidence_register(get_db(), verification="not-verified")
        rows = store.evidence_register(get_db(), verification="not-checked")
    assert count(not_verified) == expected
    assert all(r["verification_status"] == "not-checked" for r in rows)
    assert "Verification status" in everything


def test_the_check_page_shows_the_signed_answer_as_the_signed_version_does(demo, checked):
    """One macro for a signed answer: the auditor sees each action's status, and the narrative's own line breaks."""
    app, _cycle, returns = demo
    greenway = returns["Greenway Homes"]["id"]
    answers, _framework = signed(app, greenway)
    requirement_id, answer = next((rid, a) for rid, a in sorted(answers.items()) if a.get("actions"))
    action = answer["actions"][0]
    auditor = sign_in(app, "auditor@demo.example")
    check = auditor.get(url(greenway, requirement_id)).get_data(as_text=True)
    version = auditor.get(f"/returns/{greenway}/versions/1").get_data(as_text=True)
    status = {"not-started": "Not started", "in-progress": "In progress", "done": "Done"}[action["status"]]
    for page in (check, version):
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())
        assert f"Owner: {action['owner']}." in text and f"{status}." in text
    if "\n" in answer["narrative"]:
        assert "&#10;" in check
