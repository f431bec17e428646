"""Accreditations an organisation holds, through the pages: recording one with its evidence (a file checked as every
upload, a link, or evidence already added), bad input, changing and removing one, who may, the audit log, the
statement's copy taken at signing, escaping, and the demo's."""
from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from datetime import date, datetime, timedelta, timezone
from html import unescape
from pathlib import Path

import pytest

from compliance import demo, store
from compliance.services import returns as return_service
from compliance.store import files
from compliance.web.requests import get_db
from tests.builders import (
    MARKER,
    SECTORS,
    answered,
    db_of,
    demo_app,
    fields_of,
    first_versions,
    make_app,
    minimal_pdf,
    page_text,
    signed_in,
    token_from,
    windows_program,
)

NOW = datetime.now(timezone.utc)
TODAY = date.today()
EDITOR, SIGNATORY = "editor.police@demo.example", "signatory.police@demo.example"
COORDINATOR, BOARD, OTHER = "coordinator@demo.example", "board@demo.example", "editor.womensaid@demo.example"


def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


AWARDED, EXPIRES = _parts(TODAY - timedelta(days=300)), _parts(TODAY + timedelta(days=795))
GOOD = {"scheme": "respect", "level_respect": "Full accreditation", "awarded_on": AWARDED, "expires_on": EXPIRES,
        "reference": "RSP-2031 & co", "evidence": "link", "url": "https://respect.example/members/brackenford"}


@pytest.fixture
def app(tmp_path):
    """The demo (Brackenford Police holds a White Ribbon accreditation), with a 2030/31 cycle open."""
    found = demo_app(tmp_path)
    with found.app_context():
        db = get_db()
        admin = store.user_by_email(db, COORDINATOR)
        actor = store.Actor(admin["id"], admin["email"])
        cycle_id = store.create_cycle(db, name="2030/31", open_date="2030-04-01", due_date="2031-03-31",
                                      declaration="I confirm.", actor=actor, now=NOW,
                                      framework_keys=first_versions(db))
        return_service.open_cycle(db, cycle_id, actor=actor, now=NOW)
        found.police = store.organisation_named(db, "Brackenford Police")["id"]
        found.return_id = next(r["id"] for r in store.returns_for_cycle(db, cycle_id)
                               if r["organisation_id"] == found.police)
        found.audited_before = db.execute("SELECT MAX(id) FROM audit_log").fetchone()[0]
    return found


def new_path(app) -> str:
    return f"/organisations/{app.police}/accreditations/new"


def one_path(app, accreditation_id: int, tail: str) -> str:
    return f"/organisations/{app.police}/accreditations/{accreditation_id}/{tail}"


def post(client, path, data, *, file: tuple[bytes, str] | None = None):
    body = {**data, "csrf_token": token_from(client, path)}
    if file is not None:
        body["file"] = (io.BytesIO(file[0]), file[1])
    return client.post(path, data=body, content_type="multipart/form-data")


def held(app) -> list[dict]:
    with app.app_context():
        return store.organisation_accreditations(get_db(), app.police)


def audit(app, action: str) -> list[dict]:
    """The entries of this kind the test made (not the demo's), newest first."""
    with app.app_context():
        return [entry for entry in store.audit_entries(get_db(), action=action)
                if entry["id"] > getattr(app, "audited_before", 0)]


def count(app, table: str) -> int:
    with app.app_context():
        return get_db().execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def text_of(response) -> str:
    return response.get_data(as_text=True)


def words(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# Recording one ------------------------------------------------------------------------------------------------------

def test_an_editor_records_one_with_a_file_checked_and_stored_as_every_evidence_upload(app):
    editor = signed_in(app, EDITOR)
    page = editor.get(f"/organisations/{app.police}")
    assert "Add an accreditation" in text_of(page) and "White Ribbon accreditation" in text_of(page)
    form = editor.get(new_path(app))
    assert form.status_code == 200 and page_text(form).title.startswith("Add an accreditation: Brackenford Police")
    certificate = minimal_pdf("Respect accreditation certificate")
    response = post(editor, new_path(app), {**GOOD, "evidence": "file", "url": ""},
                    file=(certificate, "Respect certificate.pdf"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/organisations/{app.police}"
                                                                                 "#accreditations")
    [found] = [a for a in held(app) if a["scheme"] == "respect"]
    sha = hashlib.sha256(certificate).hexdigest()
    assert (found["scheme_name"], found["level"], found["reference"], found["evidence_kind"],
            found["evidence_sha256"], found["evidence_title"]) == (
        "Respect accreditation", "Full accreditation", "RSP-2031 & co", "file", sha,
        "Evidence of Respect accreditation (Full accreditation)")
    assert files.evidence_path(app.config["EVIDENCE_DIR"], sha).read_bytes() == certificate
    with app.app_context():
        item = store.evidence_item(get_db(), found["evidence_id"])
    assert (item["effective_date"], item["valid_until"], item["content_type"]) == (
        found["awarded_on"], found["expires_on"], "application/pdf")
    [added] = audit(app, "accreditation-added")
    assert json.loads(added["new_value"]) == {
        "scheme": "Respect accreditation", "level": "Full accreditation", "awarded_on": found["awarded_on"],
        "expires_on": found["expires_on"], "reference": "RSP-2031 & co",
        "evidence": "Evidence of Respect accreditation (Full accreditation)"}
    assert audit(app, "evidence-added")[0]["object_id"] == str(found["evidence_id"])
    listed = text_of(editor.get(f"/organisations/{app.police}"))
    assert "Respect accreditation (Full accreditation) has been added to Brackenford Police's accreditations" in \
        words(listed), "said once it is saved"
    assert "RSP-2031 &amp; co" in listed and f"/evidence/{found['evidence_id']}/download" in listed
    download = editor.get(f"/evidence/{found['evidence_id']}/download")
    assert download.status_code == 200 and download.data == certificate
    assert "attachment" in download.headers["Content-Disposition"]


def test_a_link_or_evidence_already_added_may_back_it_instead(app):
    editor = signed_in(app, EDITOR)
    before = count(app, "evidence")
    assert post(editor, new_path(app), GOOD).status_code == 302
    assert count(app, "evidence") == before + 1
    with app.app_context():
        existing = store.organisation_evidence(get_db(), app.police)[-1]
    chosen = post(editor, new_path(app), {**GOOD, "scheme": "daha", "level_respect": "", "evidence": "existing",
                                          "existing": str(existing["id"]), "url": ""})
    assert chosen.status_code == 302 and count(app, "evidence") == before + 1, "no new item: the chosen one"
    daha = next(a for a in held(app) if a["scheme"] == "daha")
    respect = next(a for a in held(app) if a["scheme"] == "respect")
    assert daha["evidence_id"] == existing["id"] and daha["level"] == ""
    assert (respect["evidence_kind"], respect["evidence_url"]) == ("link", GOOD["url"])


def test_a_scheme_that_does_not_expire_needs_no_expiry_date(app):
    editor = signed_in(app, EDITOR)
    response = post(editor, new_path(app), {**GOOD, "scheme": "make-a-stand", "expires_on": ["", "", ""]})
    assert response.status_code == 302
    pledge = next(a for a in held(app) if a["scheme"] == "make-a-stand")
    assert pledge["expires_on"] is None
    assert "Does not expire" in text_of(editor.get(f"/organisations/{app.police}"))


def _future(days: int) -> list[str]:
    return _parts(TODAY + timedelta(days=days))


BAD = {
    "nothing chosen": ({"scheme": "", "awarded_on": ["", "", ""], "evidence": "", "level_respect": ""},
                       ["Select the accreditation", "Enter the date it was awarded",
                        "Select how you will show the evidence"]),
    "awarded tomorrow": ({"awarded_on": _future(1)}, ["The date awarded must be today or in the past"]),
    "not a real date": ({"expires_on": ["31", "2", "2031"]}, ["Expiry date must be a real date, like 13 5 2028"]),
    "no month": ({"awarded_on": ["14", "", "2025"]}, ["Date awarded must include a month"]),
    "expiry before the award": ({"expires_on": AWARDED}, ["The expiry date must be after the date awarded"]),
    "no expiry for a scheme that expires": (
        {"scheme": "daha", "expires_on": ["", "", ""]},
        ["Enter the expiry date: DAHA accreditation expires, usually after 3 years"]),
    "no level": ({"level_respect": ""}, ["Select the level of Respect accreditation"]),
    "a level not listed": ({"level_respect": "Platinum"}, ["Select one of the levels listed"]),
    "a scheme not listed": ({"scheme": "investors-in-people"}, ["Select one of the accreditations listed"]),
    "a link without an address": ({"url": ""}, ["Enter the web address of the evidence"]),
    "a link that is not a web address": ({"url": "javascript:alert(1)"},
                                         ["Enter a web address that starts with https:// or http://"]),
    "evidence already added, none chosen": ({"evidence": "existing", "existing": ""},
                                            ["Choose the evidence from the list"]),
    "another organisation's evidence": ({"evidence": "existing", "existing": "OTHER"},
                                        ["Choose evidence from the list"]),
    "a way of evidence not offered": ({"evidence": "keep"}, ["Select one of the ways of showing the evidence listed"]),
    "a reference too long": ({"reference": "R" * 201}, ["The reference must be 200 characters or fewer"]),
    "typed markup": ({"reference": f"<{MARKER}>x</{MARKER}>", "awarded_on": _future(2)},
                     ["The date awarded must be today or in the past"]),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_gets_govuk_messages_keeps_what_was_typed_and_saves_nothing(app, case):
    changes, messages = BAD[case]
    editor = signed_in(app, EDITOR)
    if changes.get("existing") == "OTHER":
        with app.app_context():
            other = store.organisation_named(get_db(), "Haven Lane Women's Aid")["id"]
            changes = {**changes, "existing": str(store.organisation_evidence(get_db(), other)[0]["id"])}
    data = {**GOOD, **changes}
    before = (len(held(app)), count(app, "evidence"), len(audit(app, "accreditation-added")))
    response = post(editor, new_path(app), data)
    assert answered(response, kept={key: data[key] for key in ("reference", "url") if data.get(key)},
                    dates={key: data[key] for key in ("awarded_on", "expires_on")}) == "refused"
    assert page_text(response).title.startswith("Error: ")
    summary = words(re.search(r'govuk-error-summary__list">(.*?)</ul>', text_of(response), re.S).group(1))
    for message in messages:
        assert message in summary, message
    assert (len(held(app)), count(app, "evidence"), len(audit(app, "accreditation-added"))) == before


def test_a_file_refused_or_chosen_beside_another_mistake_stores_nothing_and_says_why(app):
    editor = signed_in(app, EDITOR)
    before = count(app, "evidence")
    program = post(editor, new_path(app), {**GOOD, "evidence": "file"}, file=(windows_program(), "certificate.pdf"))
    assert program.status_code == 200 and "The selected file is a program, not a PDF" in text_of(program)
    beside = post(editor, new_path(app), {**GOOD, "evidence": "file", "awarded_on": _future(5)},
                  file=(minimal_pdf(), "certificate.pdf"))
    assert "Choose the file again: a file cannot be kept while something else on this page needs fixing" in \
        text_of(beside)
    none = post(editor, new_path(app), {**GOOD, "evidence": "file"})
    assert "Select a file" in text_of(none)
    assert count(app, "evidence") == before
    stored = Path(app.config["EVIDENCE_DIR"])
    assert not stored.exists() or [p for p in stored.rglob("*") if p.is_file()] == []


def test_a_file_over_the_limit_is_refused_on_the_form(tmp_path):
    app = demo_app(tmp_path, MAX_UPLOAD_MB=1)
    with app.app_context():
        police = store.organisation_named(get_db(), "Brackenford Police")["id"]
    editor = signed_in(app, EDITOR)
    path = f"/organisations/{police}/accreditations/new"
    response = post(editor, path, {**GOOD, "evidence": "file"}, file=(b"x" * (2 * 1024 * 1024), "big.txt"))
    assert response.status_code == 413
    assert "The selected file must be smaller than 1 MB" in text_of(response)
    assert page_text(response).h1 == "Add an accreditation"


def test_a_full_disk_is_said_in_words_and_recorded_for_the_coordinator(tmp_path, tiny_disk):
    app = demo_app(tmp_path, EVIDENCE_DIR=str(tiny_disk / "evidence"))
    with app.app_context():
        police = store.organisation_named(get_db(), "Brackenford Police")["id"]
    editor = signed_in(app, EDITOR)
    big = minimal_pdf("Certificate " * 40_000)  # about 500 KB: more than the disk holds
    response = post(editor, f"/organisations/{police}/accreditations/new", {**GOOD, "evidence": "file"},
                    file=(big, "certificate.pdf"))
    assert response.status_code == 507 and "The service has run out of storage space" in text_of(response)
    assert 'value="RSP-2031 &amp; co"' in text_of(response), "what was typed is kept"
    assert [p for p in tiny_disk.rglob("*") if p.is_file()] == []
    with app.app_context():
        [refused] = store.audit_entries(get_db(), action="accreditation-upload-refused")
        assert refused["organisation_id"] == police
        assert len(store.organisation_accreditations(get_db(), police)) == 1


# Changing and removing ----------------------------------------------------------------------------------------------

def _white_ribbon(app) -> dict:
    return next(a for a in held(app) if a["scheme"] == "white-ribbon")


def test_changing_one_shows_it_as_saved_keeps_its_evidence_and_is_audited_old_beside_new(app):
    editor = signed_in(app, EDITOR)
    current = _white_ribbon(app)
    path = one_path(app, current["id"], "change")
    form = editor.get(path)
    fields = fields_of(form).values
    assert page_text(form).h1 == "Change an accreditation"
    assert [int(part) for part in fields["awarded_on"]] == [int(part) for part in
                                                           _parts(date.fromisoformat(current["awarded_on"]))]
    assert re.search(r'value="keep"[^>]*checked', text_of(form)) and f"Now: {current['evidence_url']}" in text_of(form)
    new_expiry = date.fromisoformat(current["expires_on"]) + timedelta(days=365)
    response = post(editor, path, {"scheme": "white-ribbon", "awarded_on": fields["awarded_on"],
                                   "expires_on": _parts(new_expiry), "reference": "WR-77", "evidence": "keep",
                                   "revision": fields["revision"][0]})
    assert response.status_code == 302
    after = _white_ribbon(app)
    assert (after["expires_on"], after["reference"], after["evidence_id"], after["revision"]) == (
        new_expiry.isoformat(), "WR-77", current["evidence_id"], current["revision"] + 1)
    [changed] = audit(app, "accreditation-changed")
    assert json.loads(changed["old_value"]) == {"expires_on": current["expires_on"], "reference": ""}
    assert json.loads(changed["new_value"]) == {"expires_on": new_expiry.isoformat(), "reference": "WR-77",
                                                "accreditation": "White Ribbon accreditation"}
    trail = words(text_of(signed_in(app, COORDINATOR).get("/audit-trail")))
    assert "Dana Hollis changed the record of Brackenford Police's White Ribbon accreditation" in trail
    assert f"Expires: from “{date.fromisoformat(current['expires_on']).day}" in trail


def test_a_change_from_an_older_copy_is_refused_showing_what_the_other_person_saved(app):
    current = _white_ribbon(app)
    path = one_path(app, current["id"], "change")
    first, second = signed_in(app, EDITOR), signed_in(app, COORDINATOR)
    base = {"scheme": "white-ribbon", "awarded_on": _parts(date.fromisoformat(current["awarded_on"])),
            "expires_on": _parts(date.fromisoformat(current["expires_on"])), "evidence": "keep",
            "revision": str(current["revision"])}
    assert post(first, path, {**base, "reference": "Saved first"}).status_code == 302
    refused = post(second, path, {**base, "reference": "Typed second"})
    assert refused.status_code == 409 and page_text(refused).title.startswith("Error: ")
    body = text_of(refused)
    assert "Someone else changed this accreditation while you were changing it" in body
    assert "What the other person saved" in body and "Saved first" in body
    assert fields_of(refused).values["reference"] == ["Typed second"]
    assert _white_ribbon(app)["reference"] == "Saved first"
    again = post(second, path, {**base, "reference": "Typed second",
                                "revision": fields_of(refused).values["revision"][0]})
    assert again.status_code == 302 and _white_ribbon(app)["reference"] == "Typed second"


def test_removing_one_asks_first_is_audited_and_leaves_its_evidence(app):
    editor = signed_in(app, EDITOR)
    current = _white_ribbon(app)
    path = one_path(app, current["id"], "remove")
    ask = editor.get(path)
    assert page_text(ask).h1 == "Remove White Ribbon accreditation?"
    assert "Statements already signed keep it" in text_of(ask)
    response = post(editor, path, {})
    assert response.status_code == 302
    assert held(app) == []
    [removed] = audit(app, "accreditation-removed")
    assert json.loads(removed["old_value"])["scheme"] == "White Ribbon accreditation"
    with app.app_context():
        assert store.evidence_item(get_db(), current["evidence_id"]) is not None
    assert editor.get(path).status_code == 404
    assert "No accreditations recorded." in text_of(editor.get(f"/organisations/{app.police}"))
    trail = words(text_of(signed_in(app, COORDINATOR).get("/audit-trail")))
    assert "Dana Hollis removed Brackenford Police's White Ribbon accreditation from its accreditations" in trail


# Who may ------------------------------------------------------------------------------------------------------------

def test_readers_see_them_and_only_the_organisations_editors_and_the_coordinator_change_them(app):
    current = _white_ribbon(app)
    for email in (SIGNATORY, BOARD, "auditor@demo.example"):
        reader = signed_in(app, email)
        page = text_of(reader.get(f"/organisations/{app.police}"))
        assert "White Ribbon accreditation" in page, email
        assert "Add an accreditation" not in page and one_path(app, current["id"], "change") not in page, email
        assert reader.get(new_path(app)).status_code == 403, email
        assert reader.post(one_path(app, current["id"], "remove")).status_code in (400, 403), email
    other = signed_in(app, OTHER)
    assert other.get(f"/organisations/{app.police}").status_code == 404
    assert other.get(new_path(app)).status_code == 404
    assert other.get(one_path(app, current["id"], "change")).status_code == 404
    coordinator = signed_in(app, COORDINATOR)
    assert post(coordinator, new_path(app), GOOD).status_code == 302
    [added] = audit(app, "accreditation-added")
    assert added["actor"] == COORDINATOR and added["organisation_id"] == app.police
    assert "Alex Morgan recorded Brackenford Police's Respect accreditation" in words(text_of(
        coordinator.get("/audit-trail")))
    with app.app_context():
        haven = store.organisation_named(get_db(), "Haven Lane Women's Aid")["id"]
        haven_one = store.organisation_accreditations(get_db(), haven)[0]["id"]
    wrong = f"/organisations/{app.police}/accreditations/{haven_one}/change"
    assert coordinator.get(wrong).status_code == 404, "an accreditation is changed only under its organisation"


def test_the_organisations_people_see_them_on_their_home_page(app):
    editor = words(text_of(signed_in(app, EDITOR).get("/home")))
    assert "Your organisation's accreditations" in editor and "White Ribbon accreditation" in editor
    assert "Add, change or remove your accreditations" in editor
    signatory = words(text_of(signed_in(app, SIGNATORY).get("/home")))
    assert "See your organisation's accreditations" in signatory
    assert "Your organisation's accreditations" not in words(text_of(signed_in(app, BOARD).get("/home")))


def test_typed_text_is_escaped_wherever_it_is_shown(app, tmp_path):
    editor = signed_in(app, EDITOR)
    hostile = f'<{MARKER}>"Ref" & <b>bold</b>'
    assert post(editor, new_path(app), {**GOOD, "reference": hostile}).status_code == 302
    respect = next(a for a in held(app) if a["scheme"] == "respect")
    pages = [f"/organisations/{app.police}", one_path(app, respect["id"], "change"),
             one_path(app, respect["id"], "remove"), f"/returns/{app.return_id}/statement"]
    for path in pages:
        response = editor.get(path)
        assert response.status_code == 200, path
        assert not fields_of(response).planted, path
        assert f"&lt;{MARKER}&gt;" in text_of(response) or path.endswith("/change"), path
    assert fields_of(editor.get(pages[1])).values["reference"] == [hostile]
    assert f"Reference {hostile}" in _pdf_words(editor.get(f"/returns/{app.return_id}/statement.pdf").data,
                                                tmp_path), "printed in the PDF exactly as typed"


# The statement keeps them as they stood when it was signed --------------------------------------------------------

def _fill(app) -> None:
    with app.app_context():
        db = get_db()
        editor = store.user_by_email(db, EDITOR)
        context = return_service.load_return(db, app.return_id)
        for framework, requirement in context.requirements():
            level = next(level for level in framework.scale
                         if level.counts_as_met and not level.needs_action and not level.needs_reason)
            store.save_answer(db, app.return_id, framework.key, requirement.id,
                              {"rating": level.code, "narrative": "In place.", "reason": ""}, revision=0,
                              actor=store.Actor(editor["id"], editor["email"]), now=NOW)


def _sign_form(client, path) -> dict:
    page = text_of(client.get(path))
    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', page) or re.search(r'value="([^"]*)"[^>]*name="seen"', page)
    return {"csrf_token": token_from(client, path), "name": "Ravi Sandhu", "job_title": "Head of safeguarding",
            "confirm": "y", "seen": seen.group(1)}


def _pdf_words(data: bytes, tmp_path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(data)
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())


def _section(html: str) -> str:
    return html.split('id="accreditations"')[1].split('<h2 class="govuk-heading-l')[0]


def test_the_signed_statement_keeps_them_as_they_stood_when_it_was_signed(app, tmp_path):
    _fill(app)
    editor, signatory = signed_in(app, EDITOR), signed_in(app, SIGNATORY)
    current = _white_ribbon(app)
    draft = text_of(signatory.get(f"/returns/{app.return_id}/statement"))
    assert "Accreditations held</h2>" in draft and "White Ribbon accreditation" in _section(draft)
    sign_page = words(text_of(signatory.get(f"/returns/{app.return_id}/sign")))
    assert "Accreditations held White Ribbon accreditation" in sign_page
    path = f"/returns/{app.return_id}/sign"
    assert signatory.post(path, data=_sign_form(signatory, path)).status_code == 302
    with app.app_context():
        version = store.return_version(get_db(), app.return_id, 1)
    document = json.loads(version["canonical"])
    assert [(a["scheme"], a["scheme_name"], a["expires_on"]) for a in document["accreditations"]] == [
        ("white-ribbon", "White Ribbon accreditation", current["expires_on"])]
    assert document["accreditations"][0]["evidence"]["title"] == current["evidence_title"]
    statement_path = f"/returns/{app.return_id}/versions/1/statement"
    before_html = _section(text_of(signatory.get(statement_path)))
    before_pdf = _pdf_words(signatory.get(statement_path + ".pdf").data, tmp_path)
    assert "Accreditations held at signing</h2>" in text_of(signatory.get(statement_path))
    assert "White Ribbon accreditation" in before_pdf and "Accreditations held at signing" in before_pdf
    # changed, then removed, then another added: the signed statement does not move
    change = one_path(app, current["id"], "change")
    fields = fields_of(editor.get(change)).values
    assert post(editor, change, {"scheme": "white-ribbon", "awarded_on": fields["awarded_on"],
                                 "expires_on": _parts(TODAY + timedelta(days=2000)), "reference": "Changed later",
                                 "evidence": "keep", "revision": fields["revision"][0]}).status_code == 302
    assert post(editor, one_path(app, current["id"], "remove"), {}).status_code == 302
    assert post(editor, new_path(app), GOOD).status_code == 302
    assert _section(text_of(signatory.get(statement_path))) == before_html
    assert _pdf_words(signatory.get(statement_path + ".pdf").data, tmp_path) == before_pdf
    assert "Respect" not in before_pdf and "Changed later" not in before_html
    with app.app_context():
        again = store.return_version(get_db(), app.return_id, 1)
    assert again["canonical"] == version["canonical"] and hashlib.sha256(
        again["canonical"].encode()).hexdigest() == version["sha256"]
    assert "Respect accreditation" in text_of(editor.get(f"/organisations/{app.police}"))


def test_accreditations_changed_while_the_signatory_read_them_are_not_signed_unseen(app):
    _fill(app)
    signatory, editor = signed_in(app, SIGNATORY), signed_in(app, EDITOR)
    path = f"/returns/{app.return_id}/sign"
    form = _sign_form(signatory, path)
    assert post(editor, new_path(app), GOOD).status_code == 302
    refused = signatory.post(path, data=form)
    assert refused.status_code == 200
    assert "The answers or accreditations changed while you were reading them" in text_of(refused)
    assert signatory.post(path, data=_sign_form(signatory, path)).status_code == 302
    with app.app_context():
        document = json.loads(store.return_version(get_db(), app.return_id, 1)["canonical"])
    assert {a["scheme"] for a in document["accreditations"]} == {"white-ribbon", "respect"}


# The list as data, and the demo -------------------------------------------------------------------------------------

def test_a_broken_schemes_file_stops_the_app_saying_which_file_and_what_to_fix(tmp_path):
    broken = tmp_path / "accreditations.toml"
    broken.write_text('[[schemes]]\nid = "daha"\nname = "DAHA accreditation"\npurpose = "Housing."\nexpires = true\n',
                      encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        make_app(tmp_path / "app", ACCREDITATIONS_FILE=str(broken))
    assert str(stopped.value).splitlines() == [
        f"The service cannot start: the accreditation schemes file {broken} has 1 problem:",
        f"  {broken}: schemes[1].years: is missing; say how many years an accreditation usually lasts, e.g. "
        "years = 3",
        "Fix the file (README.md, under Accreditation schemes, says how), or set COMPLIANCE_ACCREDITATIONS_FILE "
        "to the right file, then start the service again."]


def test_a_partnerships_own_list_is_offered_and_a_scheme_it_no_longer_has_keeps_its_saved_name(tmp_path):
    own = tmp_path / "own.toml"
    own.write_text('[[schemes]]\nid = "gold-standard"\nname = "Partnership gold standard"\npurpose = "Ours."\n'
                   'levels = ["Bronze", "Silver", "Gold"]\nexpires = false\n', encoding="utf-8")
    app = demo_app(tmp_path, ACCREDITATIONS_FILE=str(own))
    with app.app_context():
        police = store.organisation_named(get_db(), "Brackenford Police")["id"]
    editor = signed_in(app, EDITOR)
    form = text_of(editor.get(f"/organisations/{police}/accreditations/new"))
    assert "Partnership gold standard" in form and "Silver" in form and 'value="white-ribbon"' not in form
    page = text_of(editor.get(f"/organisations/{police}"))
    assert "White Ribbon accreditation" in page, "a record keeps the name it was saved with"


def test_the_demo_shows_accreditations_one_expiring_soon_and_loading_it_again_adds_none(app):
    with app.app_context():
        db = get_db()
        haven = store.organisation_named(db, "Haven Lane Women's Aid")["id"]
        before = db.execute("SELECT COUNT(*) FROM accreditations").fetchone()[0]
        demo.load_demo(db, now=NOW, sectors=SECTORS)
        assert db.execute("SELECT COUNT(*) FROM accreditations").fetchone()[0] == before >= 2
    page = words(text_of(signed_in(app, "editor.womensaid@demo.example").get(f"/organisations/{haven}")))
    assert "SafeLives Leading Lights" in page and "Expires soon" in page and "45 days from today" in page
    assert "Of the accreditations below, 1 expires within 90 days" in page
    with db_of(app) as database:
        assert database.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'accreditation-added'"
                                ).fetchone()[0] == before
