"""Queries between auditors and an organisation on a requirement of a signed return, through the real pages, with
a real SMTP server on loopback: raise, see it on the home page and task list, reply with a PDF, read it, resolve.
The signed version never changes; another organisation gets 404; every step is audited and emailed."""
from __future__ import annotations

import io
import re

import pytest

from compliance import store
from compliance.core.audit_events import describe
from compliance.store import files
from compliance.web.requests import get_db
from tests.builders import demo_app, minimal_pdf, page_text, signed_in, token_from

AUDITOR = "auditor@demo.example"
SIGNATORY = "signatory.brackenfordprobationdeli@demo.example"
ORGANISATION = "Brackenford Probation Delivery Unit"


@pytest.fixture
def world(tmp_path, mail_server):
    return _with_return(demo_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port,
                                 MAIL_SENDER="wdvf@test.example"))


def _with_return(app):
    """The app, told the submitted return it is about and the organisation's editors and signatories."""
    with app.app_context():
        db = get_db()
        cycle = next(c for c in store.cycles(db) if c["status"] == "open")
        app.ret = next(r for r in store.returns_for_cycle(db, cycle["id"]) if r["organisation_name"] == ORGANISATION)
        assert app.ret["status"] == "submitted"
        app.people = sorted(u["email"] for u in store.users(db, organisation_id=app.ret["organisation_id"])
                            if u["role"] in ("editor", "signatory") and u["active"])
    return app


def _versions(app) -> list[tuple]:
    with app.app_context():
        return get_db().execute("SELECT version, canonical, sha256 FROM return_versions WHERE return_id = ?"
                                " ORDER BY version", [app.ret["id"]]).fetchall()


def _first_check_page(client, return_id: int) -> str:
    html = client.get(f"/returns/{return_id}/verification").get_data(as_text=True)
    return re.search(rf'href="(/returns/{return_id}/verification/[^"/]+/[^"/]+)"', html).group(1)


def _sentences(app, action: str) -> list[str]:
    with app.app_context():
        entries, _ = store.search_audit(get_db(), action=action)
    return [describe(entry).sentence for entry in entries]


def _to(mail_server) -> list[str]:
    return sorted(message["To"] for message in mail_server.messages)


def test_raise_reply_with_a_file_and_resolve(world, mail_server):
    app, return_id = world, world.ret["id"]
    signed_before = _versions(app)
    auditor = signed_in(app, AUDITOR)
    check_page = _first_check_page(auditor, return_id)
    raise_page = check_page + "/query"
    assert "Ask Brackenford Probation Delivery Unit a question" in auditor.get(check_page).get_data(as_text=True)

    empty = auditor.post(raise_page, data={"question": "  ", "csrf_token": token_from(auditor, raise_page)})
    assert empty.status_code == 200 and page_text(empty).title.startswith("Error: ")
    assert "Enter your question" in empty.get_data(as_text=True)

    asked = auditor.post(raise_page, data={"question": "Which board minutes approved the policy?",
                                           "csrf_token": token_from(auditor, raise_page)})
    assert asked.status_code == 302
    query_page = asked.headers["Location"]
    assert re.fullmatch(rf"/returns/{return_id}/queries/\d+", query_page)
    assert _to(mail_server) == app.people
    told = mail_server.messages[0]
    assert "Which board minutes approved the policy?" in told.get_payload()
    assert f"http://localhost{query_page}" in told.get_payload()
    verification = auditor.get(f"/returns/{return_id}/verification").get_data(as_text=True)
    assert "1 open question" in verification

    organisation = signed_in(app, SIGNATORY)
    home = organisation.get("/home").get_data(as_text=True)
    assert "Questions from auditors" in home and f'href="{query_page}"' in home
    auditor_home = auditor.get("/home").get_data(as_text=True)
    assert "Open questions to organisations (1)" in auditor_home and f'href="{query_page}"' in auditor_home
    assert "Brackenford Probation Delivery Unit," in auditor_home, "the auditor sees whom each question is to"
    overview = organisation.get(f"/returns/{return_id}").get_data(as_text=True)
    assert "Questions from auditors" in overview and f'href="{query_page}"' in overview
    page = organisation.get(query_page)
    assert page.status_code == 200 and "Which board minutes approved the policy?" in page.get_data(as_text=True)

    reply_url = query_page + "/reply"
    nothing = organisation.post(reply_url, data={"reply": "", "csrf_token": token_from(organisation, query_page)})
    assert nothing.status_code == 200 and "Enter your reply" in nothing.get_data(as_text=True)
    pdf = minimal_pdf("Board minutes, 12 March")
    replied = organisation.post(reply_url, content_type="multipart/form-data", data={
        "reply": "The board approved it on 12 March: minutes attached.",
        "file": (io.BytesIO(pdf), "board-minutes.pdf"), "csrf_token": token_from(organisation, query_page)})
    assert replied.status_code == 302
    assert mail_server.messages[-1]["To"] == AUDITOR, "the reply goes to whoever asked"
    assert "They added a file: board-minutes.pdf" in mail_server.messages[-1].get_payload()

    shown = auditor.get(query_page).get_data(as_text=True)
    assert "The board approved it on 12 March: minutes attached." in shown
    link = re.search(rf'href="({query_page}/files/\d+)"', shown).group(1)
    download = auditor.get(link)
    assert download.status_code == 200 and download.data == pdf
    assert "attachment" in download.headers["Content-Disposition"]

    resolve = query_page + "/resolve"
    done = auditor.post(resolve, data={"note": "Seen the minutes: thank you.",
                                       "csrf_token": token_from(auditor, resolve)})
    assert done.status_code == 302
    closed = organisation.get(query_page).get_data(as_text=True)
    assert "Resolved" in closed and "Seen the minutes: thank you." in closed and "Send your reply" not in closed
    assert "Questions from auditors" not in organisation.get("/home").get_data(as_text=True)
    late = organisation.post(reply_url, data={"reply": "One more thing",
                                              "csrf_token": token_from(organisation, "/home")})
    assert late.status_code == 409
    assert sorted(m["To"] for m in mail_server.messages[-len(app.people):]) == app.people
    summary = auditor.get(f"/returns/{return_id}/audit-summary").get_data(as_text=True)
    assert "Questions to the organisation" in summary and "1 reply; resolved" in summary

    assert _versions(app) == signed_before, "the signed version never changes"
    assert [s.split(" answer to ")[0] for s in _sentences(app, "query-raised") + _sentences(app, "query-replied")
            + _sentences(app, "query-resolved")] == [
        "Chris Adeyemi asked a question about Brackenford Probation Delivery Unit's",
        "Demo Signatory replied to a question about Brackenford Probation Delivery Unit's",
        "Chris Adeyemi resolved a question about Brackenford Probation Delivery Unit's"]
    with app.app_context():
        assert all(e["filename"] != "board-minutes.pdf" for items in
                   store.evidence_for_return(get_db(), return_id).values() for e in items), \
            "the file is kept with the query, not added to the answer"


def test_another_organisation_gets_404_and_the_board_may_read(world):
    app, return_id = world, world.ret["id"]
    auditor = signed_in(app, AUDITOR)
    raise_page = _first_check_page(auditor, return_id) + "/query"
    query_page = auditor.post(raise_page, data={"question": "Which policy?", "csrf_token": token_from(
        auditor, raise_page)}).headers["Location"]
    other = signed_in(app, "editor.police@demo.example")
    assert other.get(query_page).status_code == 404
    assert other.post(query_page + "/reply", data={"reply": "x", "csrf_token": token_from(other, "/home")}
                      ).status_code == 404
    assert "Questions from auditors" not in other.get("/home").get_data(as_text=True)
    board = signed_in(app, "board@demo.example")
    read = board.get(query_page)
    assert read.status_code == 200 and "Which policy?" in read.get_data(as_text=True)
    assert "Send your reply" not in read.get_data(as_text=True)
    assert board.post(query_page + "/reply", data={"reply": "x", "csrf_token": token_from(board, "/home")}
                      ).status_code == 403


def test_a_refused_file_saves_nothing_and_says_why(world):
    app, return_id = world, world.ret["id"]
    auditor = signed_in(app, AUDITOR)
    raise_page = _first_check_page(auditor, return_id) + "/query"
    query_page = auditor.post(raise_page, data={"question": "Which policy?", "csrf_token": token_from(
        auditor, raise_page)}).headers["Location"]
    organisation = signed_in(app, SIGNATORY)
    refused = organisation.post(query_page + "/reply", content_type="multipart/form-data", data={
        "reply": "Here it is", "file": (io.BytesIO(b"GIF89a..."), "policy.gif"),
        "csrf_token": token_from(organisation, query_page)})
    assert refused.status_code == 200 and page_text(refused).title.startswith("Error: ")
    assert "GIF" in refused.get_data(as_text=True)
    assert "No replies yet" in organisation.get(query_page).get_data(as_text=True)


def _asked(app, question: str = "Which policy?") -> str:
    auditor = signed_in(app, AUDITOR)
    raise_page = _first_check_page(auditor, app.ret["id"]) + "/query"
    return auditor.post(raise_page, data={"question": question, "csrf_token": token_from(auditor, raise_page)}
                        ).headers["Location"]


def _reply_with(client, query_page: str, data: bytes, name: str):
    return client.post(query_page + "/reply", content_type="multipart/form-data", data={
        "reply": "Here it is", "file": (io.BytesIO(data), name), "csrf_token": token_from(client, query_page)})


def test_an_auditors_reply_emails_the_organisation_and_the_start_up_sweep_keeps_reply_files(world, mail_server):
    query_page = _asked(world)
    organisation = signed_in(world, SIGNATORY)
    assert _reply_with(organisation, query_page, minimal_pdf("Policy"), "policy.pdf").status_code == 302
    auditor = signed_in(world, AUDITOR)
    before = len(mail_server.messages)
    again = auditor.post(query_page + "/reply", data={"reply": "Which page says so?",
                                                      "csrf_token": token_from(auditor, query_page)})
    assert again.status_code == 302
    assert sorted(m["To"] for m in mail_server.messages[before:]) == world.people
    with world.app_context():
        kept = store.evidence_digests(get_db())
    assert files.sweep_evidence(world.config["EVIDENCE_DIR"], kept) == [], "a reply's file is not swept away"
    assert "Which page says so?" in organisation.get(query_page).get_data(as_text=True)


def test_a_file_over_the_limit_is_refused_on_the_reply_form(tmp_path):
    app = demo_app(tmp_path, MAX_UPLOAD_MB=1)
    _with_return(app)
    query_page = _asked(app)
    refused = _reply_with(signed_in(app, SIGNATORY), query_page, minimal_pdf("x" * 1_200_000), "big.pdf")
    assert refused.status_code == 413 and "The selected file must be smaller than 1 MB" in refused.get_data(
        as_text=True)
    assert page_text(refused).title.startswith("Error: ")


def test_a_reply_to_a_full_disk_says_so_and_saves_nothing(tmp_path, tiny_disk):
    app = demo_app(tmp_path, EVIDENCE_DIR=str(tiny_disk / "evidence"))
    _with_return(app)
    query_page = _asked(app)
    refused = _reply_with(signed_in(app, SIGNATORY), query_page, minimal_pdf("Annual report " * 40_000), "r.pdf")
    assert refused.status_code == 507 and "run out of storage space" in refused.get_data(as_text=True)
    assert [p for p in tiny_disk.rglob("*") if p.is_file()] == [], "no partial file is left"
    assert _sentences(app, "query-replied") == [] and len(_sentences(app, "upload-refused-storage-full")) == 1
