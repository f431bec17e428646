"""Check answers, signing, the frozen signed version, returning for amendment, signing again and accepting."""
from __future__ import annotations

import hashlib
import html
import io
import json
import re
import sqlite3
from datetime import datetime, timezone

import pytest

from compliance import store
from compliance.core.returns import digest, reference
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.builders import demo_app, first_versions, page_text, sign_in, signed_in, token_from

NOW = datetime.now(timezone.utc)
DEMO_PASSWORD = "demo-partnership-2026"
DECLARATION = "I confirm that this return is true & complete.\nSecond line of the declaration."
HOSTILE = "<script>alert(1)</script> & more\nSecond line"
FILE_SHA = "ab12" * 16


@pytest.fixture
def world(tmp_path):
    """The demo partnership with a cycle 2030/31 open on every framework; the police return's id."""
    app = demo_app(tmp_path)
    with app.app_context():
        db = get_db()
        admin = store.user_by_email(db, "coordinator@demo.example")
        actor = store.Actor(admin["id"], admin["email"])
        cycle_id = store.create_cycle(db, name="2030/31", open_date="2030-04-01", due_date="2031-03-31",
                                      declaration=DECLARATION, actor=actor, now=NOW,
                                      framework_keys=first_versions(db))
        return_service.open_cycle(db, cycle_id, actor=actor, now=NOW)
        police = next(r for r in store.returns_for_cycle(db, cycle_id)
                      if r["organisation_name"] == "Brackenford Police")
    app.return_id = police["id"]
    return app


def client_for(app, email):
    client = app.test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    return client


def editor_actor(db):
    editor = store.user_by_email(db, "editor.police@demo.example")
    return store.Actor(editor["id"], editor["email"])


def fill(app, *, leave_out: int = 0, narrative: str = "Our policy is in place.\nManagers check it.") -> None:
    """Answer every requirement (all but the last `leave_out`) with the best rating that needs nothing more."""
    with app.app_context():
        db = get_db()
        context = return_service.load_return(db, app.return_id)
        requirements = context.requirements()
        for framework, requirement in requirements[:len(requirements) - leave_out]:
            level = next(level for level in framework.scale
                         if level.counts_as_met and not level.needs_action and not level.needs_reason)
            current = store.answer(db, app.return_id, framework.key, requirement.id)
            store.save_answer(db, app.return_id, framework.key, requirement.id,
                              {"rating": level.code, "narrative": narrative, "reason": ""},
                              revision=current["revision"] if current else 0, actor=editor_actor(db), now=NOW)


def add_evidence_and_action(app) -> tuple[str, str]:
    """Evidence on the first requirement and a partially met second one with its action; their keys."""
    with app.app_context():
        db = get_db()
        context = return_service.load_return(db, app.return_id)
        (first_fw, first), (second_fw, second) = context.requirements()[:2]
        answer = store.answer(db, app.return_id, first_fw.key, first.id)
        store.add_evidence(db, context.ret.organisation_id, {
            "kind": "file", "title": "Domestic abuse policy 2030", "filename": "policy.pdf", "sha256": FILE_SHA,
            "content_type": "application/pdf", "size": 1234, "effective_date": "2030-04-01"},
            answer_id=answer["id"], actor=editor_actor(db), now=NOW)
        current = store.answer(db, app.return_id, second_fw.key, second.id)
        store.save_answer(db, app.return_id, second_fw.key, second.id,
                          {"rating": "partially-met", "narrative": "Half done.", "reason": ""},
                          revision=current["revision"], actor=editor_actor(db), now=NOW)
        store.save_action(db, current["id"], {"what": "Train every team", "owner": "Safeguarding lead",
                                              "due_date": "2031-03-31", "status": "in-progress"},
                          actor=editor_actor(db), now=NOW)
        return first.id, second.id


def answer_url(app, framework_id, requirement_id):
    with app.test_request_context():
        from flask import url_for
        return url_for("returns.answer", return_id=app.return_id, framework_id=framework_id,
                       requirement_id=requirement_id)


def sign_form(client, path, **overrides):
    page = client.get(path).get_data(as_text=True)
    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', page) or re.search(r'value="([^"]*)"[^>]*name="seen"', page)
    data = {"csrf_token": token_from(client, path), "name": "Superintendent Ravi Sandhu",
            "job_title": "Head of safeguarding", "confirm": "y", "seen": seen.group(1)}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def sign(app, client=None):
    client = client or client_for(app, "signatory.police@demo.example")
    path = f"/returns/{app.return_id}/sign"
    return client.post(path, data=sign_form(client, path))


def versions(app):
    with app.app_context():
        db = get_db()
        return [store.return_version(db, app.return_id, v["version"])
                for v in store.return_versions(db, app.return_id)]


def status(app):
    with app.app_context():
        return store.return_row(get_db(), app.return_id)["status"]


# Check answers ----------------------------------------------------------------------------------


def test_check_lists_what_is_missing_and_offers_signing_only_when_complete(world):
    signatory = client_for(world, "signatory.police@demo.example")
    check = f"/returns/{world.return_id}/check"
    empty = signatory.get(check)
    assert empty.status_code == 200 and page_text(empty).h1 == "Check your answers"
    text = empty.get_data(as_text=True)
    assert "Before this return can be signed" in text and "Continue to sign" not in text
    assert "Select a rating" in text and "The wording of the West Midlands" in text, "draft notice shown"

    fill(world, leave_out=1)
    with world.app_context():
        framework, requirement = return_service.load_return(get_db(), world.return_id).requirements()[-1]
    text = signatory.get(check).get_data(as_text=True)
    assert text.count("Select a rating") == 1
    assert "Continue to sign" not in text and ">Change<" not in text
    assert answer_url(world, framework.id, requirement.id) not in text, "the requirement page is for editors"
    editor = client_for(world, "editor.police@demo.example").get(check).get_data(as_text=True)
    assert editor.count("Select a rating") == 1
    assert f'class="govuk-notification-banner__link" href="{answer_url(world, framework.id, requirement.id)}"' in editor

    fill(world)
    text = signatory.get(check).get_data(as_text=True)
    assert "Before this return can be signed" not in text
    assert "Continue to sign" in text and f'href="/returns/{world.return_id}/sign"' in text
    assert "Our policy is in place.&#10;Managers check it." in text, "the narrative keeps its line break"

    editor = client_for(world, "editor.police@demo.example").get(check).get_data(as_text=True)
    assert "Continue to sign" not in editor and "Superintendent Ravi Sandhu" in editor
    assert editor.count(">Change<") == 16 + 11
    assert f'href="{answer_url(world, framework.id, requirement.id)}"' in editor
    with world.app_context():
        _, first = return_service.load_return(get_db(), world.return_id).requirements()[0]
    assert (f'Change<span class="govuk-visually-hidden"> the answer to {first.ref}. {html.escape(first.title)}</span>'
            in editor)
    assert f'<span class="govuk-visually-hidden"> the answer to {html.escape(requirement.title)}</span>' in editor, \
        "a requirement whose title is its ref is named once"


def test_check_answers_shows_what_is_signed_evidence_actions_and_the_whole_explanation(world):
    fill(world, narrative="Line one.\nLine two.\nLine three.\nLine four, only under Show all.")
    add_evidence_and_action(world)
    with world.app_context():  # an action that is late: flagged wherever it is listed
        db = get_db()
        context = return_service.load_return(db, world.return_id)
        framework, requirement = context.requirements()[1]
        answer_id = store.answer(db, world.return_id, framework.key, requirement.id)["id"]
        store.save_action(db, answer_id, {"what": "Refresh the late policy", "owner": "Head of HR",
                                          "due_date": "2020-01-31", "status": "not-started"},
                          actor=editor_actor(db), now=NOW)
    signatory = client_for(world, "signatory.police@demo.example")
    page = signatory.get(f"/returns/{world.return_id}/check").get_data(as_text=True)
    text = " ".join(html.unescape(re.sub(r"<(?!strong|/strong)[^>]+>", "", page)).split())
    assert "Domestic abuse policy 2030: policy.pdf, effective 1 April 2030" in text
    assert "Train every team. Owner: Safeguarding lead. Due 31 March 2031. In progress." in text
    assert re.search(r"Refresh the late policy\. Owner: Head of HR\. Due 31 January 2020\. Not started\.\s*"
                     r'<strong class="govuk-tag govuk-tag--red">\s*Overdue\s*</strong>', text)
    assert "No evidence" in text and "Show all of the explanation" in text and "Line four, only under Show all." in text
    assert re.search(r'href="/evidence/\d+/download">Domestic abuse policy 2030</a>', page), "evidence opens from here"
    sign_page = signatory.get(f"/returns/{world.return_id}/sign").get_data(as_text=True)
    assert f'href="/returns/{world.return_id}/statement">draft statement</a>' in sign_page
    signing = " ".join(html.unescape(re.sub(r"<(?!strong|/strong)[^>]+>", "", sign_page)).split())
    assert "Read every answer you are signing" in signing
    assert "Train every team. Owner: Safeguarding lead. Due 31 March 2031. In progress." in signing
    assert "Overall result:" in signing and "1 improvement action is past its due date" in signing
    assert re.search(r'govuk-tag--yellow">\s*Partially met', text) and re.search(r'govuk-tag--green">\s*Met', text)


def test_who_may_sign(world):
    sign_path = f"/returns/{world.return_id}/sign"
    assert client_for(world, "editor.police@demo.example").get(sign_path).status_code == 403
    assert client_for(world, "board@demo.example").get(sign_path).status_code == 403
    assert client_for(world, "coordinator@demo.example").get(sign_path).status_code == 403
    other = client_for(world, "signatory.womensaid@demo.example")
    assert other.get(sign_path).status_code == 404
    assert other.get(f"/returns/{world.return_id}/check").status_code == 404
    assert other.get(f"/returns/{world.return_id}/submitted").status_code == 404
    anonymous = world.test_client().get(sign_path)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")


def test_an_incomplete_return_cannot_be_signed(world):
    fill(world, leave_out=2)
    signatory = client_for(world, "signatory.police@demo.example")
    response = signatory.get(f"/returns/{world.return_id}/sign")
    assert response.status_code == 302 and response.headers["Location"] == f"/returns/{world.return_id}/check"
    text = signatory.get(response.headers["Location"]).get_data(as_text=True)
    assert "not ready to sign yet" in text and "Success" not in text
    token = token_from(signatory, f"/returns/{world.return_id}/check")
    posted = signatory.post(f"/returns/{world.return_id}/sign", data={"csrf_token": token, "name": "X",
                                                                      "job_title": "Y", "confirm": "y"})
    assert posted.status_code == 302 and status(world) == "in-progress" and versions(world) == []


# Signing ----------------------------------------------------------------------------------------


def test_sign_page_prefills_and_keeps_what_was_typed_on_error(world):
    fill(world)
    signatory = client_for(world, "signatory.police@demo.example")
    path = f"/returns/{world.return_id}/sign"
    page = signatory.get(path).get_data(as_text=True)
    assert 'value="Superintendent Ravi Sandhu"' in page and 'value="Head of safeguarding"' in page
    assert html.escape(DECLARATION, quote=False).replace("\n", "&#10;") in page
    assert "Brackenford Police" in page and "2030/31" in page and "Requirements in all" in page
    response = signatory.post(path, data=sign_form(signatory, path, name="Ravi Sandhu QPM", confirm=None))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")
    assert "Confirm the declaration to sign the return" in text and 'value="Ravi Sandhu QPM"' in text
    assert 'href="#confirm"' in text
    blank = signatory.post(path, data=sign_form(signatory, path, name="  ", job_title=""))
    assert "Enter your full name" in blank.get_data(as_text=True)
    assert "Enter your job title" in blank.get_data(as_text=True)
    assert status(world) == "in-progress"


def test_signing_freezes_the_return_exactly_as_signed(world):
    fill(world)
    first_id, _ = add_evidence_and_action(world)
    signatory = client_for(world, "signatory.police@demo.example")
    response = sign(world, signatory)
    assert response.status_code == 302 and response.headers["Location"] == f"/returns/{world.return_id}/submitted"
    assert status(world) == "submitted"
    [signed] = versions(world)
    assert signed["version"] == 1 and signed["sha256"] == digest(signed["canonical"])
    document = json.loads(signed["canonical"])
    assert document["attestation"]["name"] == "Superintendent Ravi Sandhu"
    assert document["attestation"]["job_title"] == "Head of safeguarding"
    assert document["attestation"]["declaration"] == DECLARATION
    assert document["partnership"] == world.config["PARTNERSHIP_NAME"]
    first = next(a for a in document["answers"] if a["requirement"] == first_id)
    assert first["narrative"] == "Our policy is in place.\nManagers check it."
    assert first["evidence"][0]["sha256"] == FILE_SHA
    assert any(a["actions"] and a["actions"][0]["what"] == "Train every team" for a in document["answers"])

    confirmation = signatory.get(response.headers["Location"])
    text = confirmation.get_data(as_text=True)
    with world.app_context():
        expected = reference("2030/31", world.return_id, 1, signed["sha256"])
    assert page_text(confirmation).h1 == "Return submitted"
    assert expected in text and "<code" in text and signed["sha256"] in text
    assert f'href="/returns/{world.return_id}/versions/1"' in text


def test_after_submission_nothing_can_change(world):
    fill(world)
    signatory = client_for(world, "signatory.police@demo.example")
    path = f"/returns/{world.return_id}/sign"
    form = sign_form(signatory, path)
    assert signatory.post(path, data=form).status_code == 302
    again = signatory.post(path, data=form)
    assert again.status_code == 409 and "cannot be changed" in again.get_data(as_text=True)
    assert signatory.get(path).status_code == 409
    assert len(versions(world)) == 1
    with world.app_context():
        db = get_db()
        framework, requirement = return_service.load_return(db, world.return_id).requirements()[0]
        current = store.answer(db, world.return_id, framework.key, requirement.id)
        with pytest.raises(sqlite3.IntegrityError):
            store.save_answer(db, world.return_id, framework.key, requirement.id,
                              {"rating": "not-met", "narrative": "changed", "reason": ""},
                              revision=current["revision"], actor=editor_actor(db), now=NOW)
    editor = client_for(world, "editor.police@demo.example").get(f"/returns/{world.return_id}/check")
    assert ">Change<" not in editor.get_data(as_text=True) and "kept exactly as signed" in editor.get_data(as_text=True)


def test_answers_changed_while_the_signatory_read_them_are_not_signed_unseen(world):
    fill(world)
    signatory = client_for(world, "signatory.police@demo.example")
    path = f"/returns/{world.return_id}/sign"
    form = sign_form(signatory, path)
    fill(world, narrative="Changed by the editor a moment ago.")
    response = signatory.post(path, data=form)
    assert response.status_code == 200
    assert "The answers or accreditations changed while you were reading them" in response.get_data(as_text=True)
    assert status(world) == "in-progress"
    assert sign(world, signatory).status_code == 302
    assert "Changed by the editor" in versions(world)[0]["canonical"]


# Returned for amendment, signed again, accepted -------------------------------------------------


def test_returned_signed_again_then_accepted_keeps_every_version(world):
    fill(world)
    assert sign(world).status_code == 302
    version_one = versions(world)[0]
    admin = client_for(world, "coordinator@demo.example")
    amend = f"/returns/{world.return_id}/return-for-amendment"
    assert page_text(admin.get(amend)).h1 == "Return for amendment"
    empty = admin.post(amend, data={"csrf_token": token_from(admin, amend), "comment": "   "})
    assert empty.status_code == 200
    assert "Say what needs to change overall, or choose the requirements" in empty.get_data(as_text=True)
    too_long = admin.post(amend, data={"csrf_token": token_from(admin, amend), "comment": "x" * 5001})
    assert "5,000 characters or fewer" in too_long.get_data(as_text=True)
    response = admin.post(amend, data={"csrf_token": token_from(admin, amend),
                                       "comment": "Attach the policy.\nName your champions."})
    assert response.status_code == 302 and response.headers["Location"] == f"/returns/{world.return_id}"
    assert status(world) == "returned"
    with world.app_context():
        assert store.return_row(get_db(), world.return_id)["version"] == 2
        assert return_service.load_return(get_db(), world.return_id).editable

    signatory = client_for(world, "signatory.police@demo.example")
    stale = signatory.get(f"/returns/{world.return_id}/submitted")
    assert stale.status_code == 302 and stale.headers["Location"] == f"/returns/{world.return_id}/check"
    check = signatory.get(f"/returns/{world.return_id}/check").get_data(as_text=True)
    assert "Attach the policy.&#10;Name your champions." in check and "Returned for amendment" in check

    unchanged = signatory.get(f"/returns/{world.return_id}/changes").get_data(as_text=True)
    assert "No answer has changed since it was signed" in unchanged
    fill(world, narrative="Now with the policy attached.")
    changes = html.unescape(signatory.get(f"/returns/{world.return_id}/changes").get_data(as_text=True))
    assert "What changed since version 1" in changes and "Changed answers" in changes
    assert "Our policy is in place." in changes and "Now with the policy attached." in changes, "old beside new"
    assert f'href="/returns/{world.return_id}/changes"' in signatory.get(
        f"/returns/{world.return_id}/sign").get_data(as_text=True)
    assert sign(world, signatory).status_code == 302
    assert status(world) == "submitted"
    version_two, first_again = versions(world)
    assert version_two["version"] == 2 and first_again == {**version_one, "outcome": "returned",
                                                          "outcome_comment": "Attach the policy.\nName your champions.",
                                                          "outcome_by": first_again["outcome_by"],
                                                          "outcome_at": first_again["outcome_at"]}
    one = signatory.get(f"/returns/{world.return_id}/versions/1").get_data(as_text=True)
    two = signatory.get(f"/returns/{world.return_id}/versions/2").get_data(as_text=True)
    assert "Our policy is in place." in one and "Now with the policy attached." not in one
    assert "Now with the policy attached." in two and "Our policy is in place." not in two
    assert "Attach the policy." in one and "does not match its fingerprint" not in one + two

    accept = f"/returns/{world.return_id}/accept"
    response = admin.post(accept, data={"csrf_token": token_from(admin, f"/returns/{world.return_id}/check")})
    assert response.status_code == 302 and status(world) == "accepted"
    assert versions(world)[0]["outcome"] == "accepted"
    refused = admin.get(amend)
    assert refused.status_code == 302 and refused.headers["Location"] == f"/returns/{world.return_id}"
    assert "only a submitted return" in admin.get(f"/returns/{world.return_id}/check").get_data(as_text=True)
    again = admin.post(accept, data={"csrf_token": token_from(admin, f"/returns/{world.return_id}/check")})
    assert again.status_code == 302 and status(world) == "accepted"


def test_a_return_not_submitted_cannot_be_returned_or_accepted(world):
    admin = client_for(world, "coordinator@demo.example")
    response = admin.get(f"/returns/{world.return_id}/return-for-amendment")
    assert response.status_code == 302 and response.headers["Location"] == f"/returns/{world.return_id}"
    token = token_from(admin, f"/returns/{world.return_id}/check")
    assert admin.post(f"/returns/{world.return_id}/accept", data={"csrf_token": token}).status_code == 302
    assert status(world) == "not-started"


def test_two_coordinators_deciding_at_once_keep_the_first_decision(world):
    fill(world)
    assert sign(world).status_code == 302
    with world.app_context():
        db = get_db()  # the other coordinator's decision has landed, and this one's page still says submitted
        db.execute("UPDATE return_versions SET outcome = 'accepted' WHERE return_id = ?", [world.return_id])
        db.conn.commit()
    admin = client_for(world, "coordinator@demo.example")
    token = token_from(admin, f"/returns/{world.return_id}/check")
    response = admin.post(f"/returns/{world.return_id}/accept", data={"csrf_token": token})
    assert response.status_code == 302
    check = admin.get(f"/returns/{world.return_id}/check").get_data(as_text=True)
    assert "Someone else decided on this return" in check
    amend = f"/returns/{world.return_id}/return-for-amendment"
    response = admin.post(amend, data={"csrf_token": token, "comment": "Too late"})
    assert response.status_code == 302 and status(world) == "submitted"
    assert versions(world)[0]["outcome_comment"] == ""


def test_board_can_read_versions_but_not_decide(world):
    fill(world)
    assert sign(world).status_code == 302
    board = client_for(world, "board@demo.example")
    for path in ("check", "submitted", "versions/1"):
        assert board.get(f"/returns/{world.return_id}/{path}").status_code == 200, path
    assert board.get(f"/returns/{world.return_id}/return-for-amendment").status_code == 403
    token = token_from(board, f"/returns/{world.return_id}/check")
    assert board.post(f"/returns/{world.return_id}/accept", data={"csrf_token": token}).status_code == 403
    editor = client_for(world, "editor.police@demo.example")
    assert editor.get(f"/returns/{world.return_id}/return-for-amendment").status_code == 403
    assert status(world) == "submitted"


# Trust --------------------------------------------------------------------------------------------


def test_a_version_that_does_not_match_its_fingerprint_says_so(world):
    fill(world)
    assert sign(world).status_code == 302
    signed = versions(world)[0]
    with world.app_context():
        db = get_db()
        db.execute("INSERT INTO return_versions (return_id, version, submitted_at, submitted_by, signatory_name,"
                   " signatory_job_title, canonical, sha256) VALUES (?, 99, ?, ?, ?, ?, ?, ?)",
                   [world.return_id, signed["submitted_at"], signed["submitted_by"], signed["signatory_name"],
                    signed["signatory_job_title"], signed["canonical"].replace("Managers", "Nobody"),
                    signed["sha256"]])
        db.conn.commit()
    board = client_for(world, "board@demo.example")
    bad = board.get(f"/returns/{world.return_id}/versions/99")
    assert bad.status_code == 200 and page_text(bad).title.startswith("Error: ")
    assert "This signed version does not match its fingerprint" in bad.get_data(as_text=True)
    good = board.get(f"/returns/{world.return_id}/versions/1").get_data(as_text=True)
    assert "does not match its fingerprint" not in good
    assert board.get(f"/returns/{world.return_id}/versions/7").status_code == 404


def test_hostile_text_is_shown_as_text(world):
    fill(world, narrative=HOSTILE)
    signatory = client_for(world, "signatory.police@demo.example")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more&#10;Second line"
    check = signatory.get(f"/returns/{world.return_id}/check").get_data(as_text=True)
    assert "<script>alert(1)" not in check and escaped in check
    assert sign(world, signatory).status_code == 302
    version = signatory.get(f"/returns/{world.return_id}/versions/1").get_data(as_text=True)
    assert "<script>alert(1)" not in version and escaped in version


def test_first_lines_of_a_long_narrative(world):
    from compliance.web.views.returns.submission import first_lines

    assert first_lines("One\r\nTwo") == "One\nTwo"
    assert first_lines("1\n2\n3\n4") == "1\n2\n3 …"
    assert first_lines("word " * 100).endswith(" …") and len(first_lines("word " * 100)) <= 302


def test_the_signed_document_downloads_and_its_sha256_is_the_printed_fingerprint(world):
    fill(world)
    assert sign(world).status_code == 302
    [version] = versions(world)
    signatory = client_for(world, "signatory.police@demo.example")
    download = signatory.get(f"/returns/{world.return_id}/versions/1/signed.json")
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert download.headers["Content-Disposition"].startswith('attachment; filename="brackenford-police-2030-31')
    assert hashlib.sha256(download.data).hexdigest() == version["sha256"], "sha256sum gives the printed value"
    page = signatory.get(f"/returns/{world.return_id}/versions/1").get_data(as_text=True)
    assert "Download the signed document (JSON" in page and "sha256sum" in page
    statement = signatory.get(f"/returns/{world.return_id}/statement").get_data(as_text=True)
    assert "sha256sum on that file prints this fingerprint" in statement

    check = "/check-a-statement"
    good = signatory.post(check, data={"csrf_token": token_from(signatory, check),
                                       "file": (io.BytesIO(download.data), "signed.json")},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert "This file (signed.json) is exactly what was signed" in good and "version 1 of Brackenford Police" in good
    changed = download.data.replace(b"Our policy", b"Our pol1cy")
    bad = signatory.post(check, data={"csrf_token": token_from(signatory, check),
                                      "file": (io.BytesIO(changed), "signed.json")},
                         content_type="multipart/form-data").get_data(as_text=True)
    assert "This file (signed.json) does not match any signed version" in bad
    pdf = signatory.post(check, data={"csrf_token": token_from(signatory, check),
                                      "file": (io.BytesIO(b"%PDF-1.7 a statement"), "statement.pdf")},
                         content_type="multipart/form-data").get_data(as_text=True)
    assert "is the printable statement (a PDF), which cannot be checked this way" in html.unescape(pdf)
    outsider = client_for(world, "editor.womensaid@demo.example")
    assert outsider.get(f"/returns/{world.return_id}/versions/1/signed.json").status_code == 404
    hidden = outsider.post(check, data={"csrf_token": token_from(outsider, check),
                                        "file": (io.BytesIO(download.data), "signed.json")},
                           content_type="multipart/form-data").get_data(as_text=True)
    assert "matches a signed version you cannot see" in hidden and "Brackenford Police" not in hidden
    empty = signatory.post(check, data={"csrf_token": token_from(signatory, check)},
                           content_type="multipart/form-data").get_data(as_text=True)
    assert "Select the signed document file to check" in empty


# The demo's protocol (version 2): Met and Partially met need evidence ----------------------------


def test_on_the_demo_a_met_without_evidence_blocks_signing_with_a_link_to_the_requirement(demo_app):
    with demo_app.app_context():
        db = get_db()
        editor = store.user_by_email(db, "editor.police@demo.example")
        actor = store.Actor(editor["id"], editor["email"])
        cycle = next(c for c in store.cycles(db) if c["status"] == "open")
        ret = next(r for r in store.returns_for_cycle(db, cycle["id"])
                   if r["organisation_id"] == editor["organisation_id"])
        context = return_service.load_return(db, ret["id"])
        requirements = list(context.requirements())
        for number, (framework, requirement) in enumerate(requirements):
            level = next(lv for lv in framework.scale if lv.counts_as_met)
            current = store.answer(db, ret["id"], framework.key, requirement.id)
            store.save_answer(db, ret["id"], framework.key, requirement.id,
                              {"rating": level.code, "narrative": "In place.", "reason": "", "carried_forward": 0},
                              revision=current["revision"] if current else 0, actor=actor, now=NOW)
            answer = store.answer(db, ret["id"], framework.key, requirement.id)
            for item in store.evidence_for_answer(db, answer["id"]):  # the first answer is left with none
                if number == 0:
                    store.unlink_evidence(db, answer["id"], item["id"], actor=actor, now=NOW)
            if number and level.needs_evidence and not store.evidence_for_answer(db, answer["id"]):
                store.add_evidence(db, editor["organisation_id"], {
                    "kind": "link", "title": f"{requirement.title} policy", "url": "https://intranet.example/policy",
                    "effective_date": "2026-04-01", "valid_until": None}, answer_id=answer["id"], actor=actor, now=NOW)
    framework, first = requirements[0]
    assert framework.version == "2" and framework.level("met").needs_evidence
    check = signed_in(demo_app, "editor.police@demo.example").get(f"/returns/{ret['id']}/check").get_data(as_text=True)
    assert "Add evidence: a rating of “Met” needs at least one document or link" in check
    assert f'href="/returns/{ret["id"]}/{framework.id}/{first.id}"' in check, "the message links to the requirement"
    assert "1 thing needs doing first" in check
    signatory = signed_in(demo_app, "signatory.police@demo.example")
    told = signatory.get(f"/returns/{ret['id']}/check").get_data(as_text=True)
    assert "Add evidence: a rating of “Met” needs" in told
    sign_path = f"/returns/{ret['id']}/sign"
    assert signatory.get(sign_path).headers["Location"] == f"/returns/{ret['id']}/check"
    posted = signatory.post(sign_path, data={"csrf_token": token_from(signatory, f"/returns/{ret['id']}/check"),
                                             "name": "X", "job_title": "Y", "confirm": "y"})
    assert posted.status_code == 302
    with demo_app.app_context():
        assert store.return_row(get_db(), ret["id"])["status"] == "in-progress"
        assert store.return_versions(get_db(), ret["id"]) == []
