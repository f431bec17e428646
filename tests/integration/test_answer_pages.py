"""One requirement's pages: answer, improvement actions and evidence, on real SQLite and real files, CSRF on."""
from __future__ import annotations

import hashlib
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from compliance import store
from compliance.core.limits import NARRATIVE as NARRATIVE_LIMIT
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.builders import (
    PASSWORD,
    demo_app,
    first_versions,
    make_app,
    minimal_pdf,
    page_text,
    password_hash,
    sign_in,
    token_from,
)

NOW = datetime.now(timezone.utc)
PROTOCOL = "wdvf-overarching-protocol-2018"




@dataclass
class World:
    app: object
    return_id: int
    org_id: int
    other_org_id: int
    keys: dict

    def query(self, sql, params=()):
        with self.app.app_context():
            cursor = get_db().execute(sql, params)
            columns = [c[0] for c in cursor.description]
            return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def count(self, table: str) -> int:
        return self.query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]

    def answer(self, requirement_id: str, framework_id: str = PROTOCOL):
        with self.app.app_context():
            return store.answer(get_db(), self.return_id, self.keys[framework_id], requirement_id)

    def context(self):
        with self.app.app_context():
            return return_service.load_return(get_db(), self.return_id)

    def requirements(self, framework_id: str = PROTOCOL) -> list[str]:
        return [r.id for f, r in self.context().requirements() if f.id == framework_id]

    def url(self, requirement_id: str, tail: str = "", framework_id: str = PROTOCOL) -> str:
        return f"/returns/{self.return_id}/{framework_id}/{requirement_id}{tail}"

    def audit(self, action: str) -> list[dict]:
        return self.query("SELECT * FROM audit_log WHERE action = ? ORDER BY id", [action])

    def evidence_files(self) -> list[Path]:
        folder = Path(self.app.config["EVIDENCE_DIR"])
        return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []

    def client(self, email: str):
        client = self.app.test_client()
        response = sign_in(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        client.csrf = token_from(client, "/home")
        return client


def build_world(app) -> World:
    with app.app_context():
        db = get_db()
        org = store.upsert_organisation(db, name="Brackenford Police", sector="police", now=NOW)
        other = store.upsert_organisation(db, name="Greenway Homes", sector="housing", now=NOW)
        for email, name, role, organisation in [
            ("editor@police.example", "Dana Hollis", "editor", org),
            ("second@police.example", "Sam Jones", "editor", org),
            ("signatory@police.example", "Priya Raman", "signatory", org),
            ("editor@greenway.example", "Tom Keane", "editor", other),
            ("board@wdvf.example", "Board Member", "board", None),
        ]:
            store.create_user(db, email=email, name=name, role=role, organisation_id=organisation,
                              password_hash=password_hash(), actor=store.SYSTEM, now=NOW)
        rows = store.framework_rows(db)
        cycle_id = store.create_cycle(db, name="2025/26", open_date="2025-04-01", due_date="2099-06-30",
                                      declaration="I confirm.", framework_keys=first_versions(db),
                                      actor=store.SYSTEM, now=NOW)
        return_service.open_cycle(db, cycle_id, actor=store.SYSTEM, now=NOW)
        ret = next(r for r in store.returns_for_cycle(db, cycle_id) if r["organisation_id"] == org)
        return World(app, ret["id"], org, other, {r["id"]: r["key"] for r in rows if r["key"] in first_versions(db)})


@pytest.fixture
def world(tmp_path):
    return build_world(make_app(tmp_path))


@pytest.fixture
def editor(world):
    return world.client("editor@police.example")


def post(client, url, data=None, **kwargs):
    return client.post(url, data={"csrf_token": client.csrf, **(data or {})}, **kwargs)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def revision_in(response) -> str:
    return re.search(r'name="revision" value="(\d+)"', response.get_data(as_text=True)).group(1)


def answer_data(**values):
    return {"then": "continue", "revision": "0", "narrative": "", **values}


# The answer page ---------------------------------------------------------------------------------


def test_the_page_shows_the_requirement_its_guidance_and_the_rating_scale(world, editor):
    first = world.requirements()[0]
    response = editor.get(world.url(first))
    assert response.status_code == 200
    page = page_text(response)
    assert page.h1 == "Policy for service users"
    body = text_of(response)
    assert "WDVF protocol 2018 · Requirement 1" in body
    assert "Have in place a domestic violence policy for service users" in body
    for words in ("What good looks like", "How it is evidenced", "Evidence you could provide",
                  "Met", "Partially met", "Not met", "Not applicable", "Explain your rating",
                  "You can enter up to 5,000 characters",
                  "Never upload case files or anything that could identify a victim",
                  "Upload a file", "Add a link", "Add an improvement action",
                  "You must add at least one improvement action if your rating is “Partially met” or “Not met”",
                  ):
        assert words in body, words
    assert "Use evidence you have already added" not in body  # the organisation has none yet
    assert 'name="revision" value="0"' in body
    assert 'id="conditional-rating-4"' in body and 'name="reason"' in body  # the reason, revealed by its radio


def test_framework_wording_is_shown_as_written_and_typed_text_is_escaped(world, editor):
    first = world.requirements()[0]
    post(editor, world.url(first), answer_data(narrative="<script>alert(1)</script> & more"))
    raw = editor.get(world.url(first)).get_data(as_text=True)
    assert '<p class="govuk-body app-pre-line govuk-!-margin-bottom-0">Have in place a domestic' in raw
    assert "<script>alert(1)</script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in raw


def test_the_pages_own_scripts_carry_the_content_security_policy_nonce(world, editor):
    response = editor.get(world.url(world.requirements()[0]))
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>", response.get_data(as_text=True))
    inline = [attributes for attributes in scripts if "src=" not in attributes]
    assert len(inline) >= 2 and all(f'nonce="{nonce}"' in attributes for attributes in inline)
    # 18 random bytes each time: never the same twice, across a thread's 4 KB of read-ahead and past it
    nonces = {re.search(r"'nonce-([^']+)'", editor.get("/home").headers["Content-Security-Policy"]).group(1)
              for _ in range(300)}
    assert len(nonces) == 300 and {len(each) for each in nonces} == {24}


def test_a_forked_child_never_makes_the_nonces_its_parent_makes():
    import os

    from compliance.web.security import _random_bytes

    _random_bytes(18)  # the parent has read ahead
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        os.write(writer, _random_bytes(18))
        os._exit(0)
    os.close(writer)
    childs = os.read(reader, 18)
    os.waitpid(child, 0)
    assert len(childs) == 18 and childs != _random_bytes(18)


def test_a_requirement_page_and_its_save_ask_the_database_only_what_they_need(world, editor):
    """Each statement lets another server thread in, twice or more: the page reads the person and the return
    (everything on it) in one statement; a save of an answer read at its revision does not read it again."""
    from compliance.web import requests as web_requests

    url = world.url(world.requirements()[0])
    for revision in ("0", "1"):  # the answer's first save makes its row; the second finds it on the page
        assert post(editor, url, answer_data(rating="met", narrative=f"Saved {revision}.", revision=revision)
                    ).status_code == 302
    asked: list[str] = []
    connection = web_requests._kept.connection[1].conn
    connection.set_trace_callback(asked.append)
    try:
        revision = revision_in(editor.get(url))
        page, asked[:] = list(asked), []
        assert post(editor, url, answer_data(rating="met", narrative="Saved again.", revision=revision)
                    ).status_code == 302
        save = list(asked)
    finally:
        connection.set_trace_callback(None)
    [both] = page
    assert both.startswith("SELECT (SELECT json_group_array") and "FROM users u" in both and "FROM answers" in both
    kinds = [" ".join(statement.split()[:2]) for statement in dict.fromkeys(save)]
    assert kinds == ["SELECT (SELECT", "BEGIN IMMEDIATE", "UPDATE answers", "UPDATE returns", "INSERT INTO",
                     "COMMIT"], save
    assert "Saved again." in text_of(editor.get(url))
    with world.app.app_context():  # the audit's "before" is the answer as the page read it, not read again
        old, new = get_db().execute("SELECT old_value, new_value FROM audit_log WHERE action = 'answer-changed'"
                                    " ORDER BY id DESC LIMIT 1").fetchone()
    assert json.loads(old) == {"narrative": "Saved 1."} and json.loads(new)["narrative"] == "Saved again."


def test_a_requirement_page_and_its_save_go_through_flasks_proxies_only_a_few_times(world, editor):
    """Each attribute read through one of Flask's proxies (request, g, session, current_app, current_user) costs
    about a microsecond, the proxy's own lookup failing first: our code on a page and its save takes the object
    behind a proxy once where it reads it several times (web/requests.py's get_db says so)."""
    import os
    import sys
    from collections import Counter

    from werkzeug.local import _ProxyLookup

    import compliance

    url = world.url(world.requirements()[0])
    revision = revision_in(editor.get(url))
    lookup, ours = _ProxyLookup.__get__.__code__, os.path.dirname(compliance.__file__) + os.sep
    reads: Counter = Counter()

    def count(frame, event, _arg):
        if event == "call" and frame.f_code is lookup and frame.f_back.f_code.co_filename.startswith(ours):
            reads[f"{Path(frame.f_back.f_code.co_filename).name}:{frame.f_back.f_code.co_name}"] += 1

    before = sys.getprofile()
    sys.setprofile(count)
    try:
        page = editor.get(url)
        saved = post(editor, url, answer_data(rating="met", narrative="Counted.", revision=revision))
    finally:
        sys.setprofile(before)
    assert page.status_code == 200 and saved.status_code == 302
    assert sum(reads.values()) <= 40, reads
    assert reads["requests.py:get_db"] <= 2, "g without its proxy's lookup; the database's setting once a request"


def test_a_draft_framework_shows_its_notice(world, editor):
    first = world.requirements("west-midlands-dv-standards-2014")[0]
    body = text_of(editor.get(world.url(first, framework_id="west-midlands-dv-standards-2014")))
    assert "govuk-warning-text" in body and "must load it from the published standards document" in body
    assert "West Midlands DV standards 2014 · Standard 1" in body


def test_save_and_continue_saves_and_goes_to_the_next_requirement(world, editor):
    first, second = world.requirements()[:2]
    response = post(editor, world.url(first), answer_data(rating="met", narrative="Approved by the board\r\nin May."))
    assert response.status_code == 302 and response.headers["Location"] == world.url(second)
    saved = world.answer(first)
    assert (saved["rating"], saved["narrative"], saved["revision"]) == ("met", "Approved by the board\nin May.", 1)
    [entry] = world.audit("answer-changed")
    assert json.loads(entry["new_value"])["rating"] == "met" and entry["actor"] == "editor@police.example"
    assert world.context().ret.status == "in-progress"
    again = editor.get(world.url(first))
    assert "Approved by the board\nin May." in text_of(again) and revision_in(again) == "1"
    assert re.search(r'value="met"\s+checked', again.get_data(as_text=True))


def test_the_last_requirement_continues_to_check_answers(world, editor):
    last_framework, last = world.context().requirements()[-1]
    response = post(editor, world.url(last.id, framework_id=last_framework.id), answer_data(narrative="Started"))
    assert response.headers["Location"] == f"/returns/{world.return_id}/check"


def test_continuing_from_an_incomplete_answer_saves_it_and_says_what_is_still_missing(world, editor):
    first, second = world.requirements()[:2]
    response = post(editor, world.url(first), answer_data(narrative="Half written"))
    assert response.headers["Location"] == world.url(second), "moving on is allowed"
    assert world.answer(first)["narrative"] == "Half written"
    page = text_of(editor.get(world.url(second)))
    assert "is saved, but it is not complete yet: select a rating" in page
    complete = post(editor, world.url(second), answer_data(rating="met", narrative="Done"))
    assert "not complete yet" not in text_of(editor.get(complete.headers["Location"]))


def test_every_requirement_page_leads_back_to_the_task_list(world, editor):
    page = editor.get(world.url(world.requirements()[0])).get_data(as_text=True)
    assert re.search(rf'<nav aria-label="Back">.*href="/returns/{world.return_id}"', page, re.S)


def test_save_and_come_back_later_saves_an_incomplete_answer_and_goes_to_the_overview(world, editor):
    first = world.requirements()[0]
    response = post(editor, world.url(first), answer_data(then="later", narrative="Half written"))
    assert response.status_code == 302 and response.headers["Location"] == f"/returns/{world.return_id}"
    assert world.answer(first)["narrative"] == "Half written" and world.answer(first)["rating"] is None
    assert world.context().state(*world.context().find(PROTOCOL, first)) == "in-progress"
    assert "Your answers have been saved" in text_of(editor.get(response.headers["Location"]))


def test_saving_an_untouched_page_changes_nothing(world, editor):
    first, second = world.requirements()[:2]
    response = post(editor, world.url(first), answer_data())
    assert response.headers["Location"] == world.url(second)
    assert world.answer(first) is None and world.context().ret.status == "not-started"


def test_a_narrative_over_the_limit_keeps_everything_typed_and_saves_nothing(world, editor):
    first = world.requirements()[0]
    long_text = "x" * (NARRATIVE_LIMIT + 1)
    response = post(editor, world.url(first), answer_data(rating="not-applicable", narrative=long_text,
                                                          reason="We do not see service users"))
    assert response.status_code == 200
    assert page_text(response).title.startswith("Error: ")
    body = text_of(response)
    assert "Your explanation must be 5,000 characters or fewer" in body and 'href="#narrative"' in body
    assert long_text in body and "We do not see service users" in body
    assert re.search(r'value="not-applicable"\s+checked', body)
    assert world.answer(first) is None and world.audit("answer-changed") == []


def test_exactly_the_limit_with_windows_line_endings_is_accepted(world, editor):
    first = world.requirements()[0]
    text = ("a" * 99 + "\r\n") * (NARRATIVE_LIMIT // 100)  # counted as 5,000 characters, as the page counts them
    assert post(editor, world.url(first), answer_data(narrative=text)).status_code == 302
    assert len(world.answer(first)["narrative"]) == NARRATIVE_LIMIT - 1  # the last line break is trimmed


def test_an_unknown_rating_is_refused(world, editor):
    first = world.requirements()[0]
    response = post(editor, world.url(first), answer_data(rating="excellent", narrative="Mine"))
    assert response.status_code == 200 and "Select one of the ratings listed" in text_of(response)
    assert "Mine" in text_of(response) and world.answer(first) is None


def test_not_applicable_without_a_reason_is_saved_and_listed_as_still_needed(world, editor):
    first = world.requirements()[0]
    assert post(editor, world.url(first), answer_data(rating="not-applicable")).status_code == 302
    assert world.answer(first)["rating"] == "not-applicable"
    body = text_of(editor.get(world.url(first)))
    assert "To complete this requirement" in body and "Give the reason for “Not applicable”" in body
    context = world.context()
    assert context.problems_for(*context.find(PROTOCOL, first)) == ["Give the reason for “Not applicable”"]


def test_a_rating_that_needs_an_action_lists_the_missing_action(world, editor):
    first = world.requirements()[0]
    post(editor, world.url(first), answer_data(rating="partially-met", narrative="Some of it"))
    body = text_of(editor.get(world.url(first)))
    assert "Add an improvement action: a rating of “Partially met” needs one" in body


def test_a_reason_is_kept_only_for_a_rating_that_asks_for_one(world, editor):
    first, second = world.requirements()[:2]
    post(editor, world.url(first), answer_data(rating="not-applicable", reason="No service users"))
    post(editor, world.url(second), answer_data(rating="met", reason="Typed, then Met chosen"))
    assert world.answer(first)["reason"] == "No service users"
    assert world.answer(second)["reason"] == ""


def test_an_edit_conflict_saves_nothing_shows_both_answers_and_a_second_save_keeps_mine(world, editor):
    first = world.requirements()[0]
    other = world.client("second@police.example")
    mine_page, their_page = editor.get(world.url(first)), other.get(world.url(first))
    assert revision_in(mine_page) == revision_in(their_page) == "0"
    theirs = post(other, world.url(first), answer_data(rating="met", narrative="Their narrative"))
    assert theirs.status_code == 302

    conflict = post(editor, world.url(first), answer_data(rating="not-met", narrative="My narrative"))
    assert conflict.status_code == 409
    assert page_text(conflict).title.startswith("Error: ")
    body = text_of(conflict)
    assert "govuk-error-summary" in body and 'href="#conflict"' in body
    assert ("Someone else saved this requirement while you were editing it: Sam Jones (second@police.example), on "
            in body)
    assert "Their narrative" in body and "Their rating" in body
    assert re.search(r"<textarea[^>]*>\s*My narrative</textarea>", body)  # mine is still in the form
    assert re.search(r'value="not-met"\s+checked', body)
    assert world.answer(first)["narrative"] == "Their narrative"  # nothing overwritten
    assert revision_in(conflict) == "1"

    again = post(editor, world.url(first), answer_data(rating="not-met", narrative="My narrative",
                                                       revision=revision_in(conflict)))
    assert again.status_code == 302
    saved = world.answer(first)
    assert (saved["rating"], saved["narrative"], saved["revision"]) == ("not-met", "My narrative", 2)


def test_a_carried_forward_answer_stays_marked_until_ticked_as_checked(world, editor):
    first = world.requirements()[0]
    with world.app.app_context():
        store.save_answer(get_db(), world.return_id, world.keys[PROTOCOL], first,
                          {"rating": "met", "narrative": "Last year", "reason": "", "carried_forward": 1},
                          revision=0, actor=store.SYSTEM, now=NOW)
    page = editor.get(world.url(first))
    assert "This answer was copied from last year’s return" in text_of(page)
    assert "I have checked this answer and it is still right" in text_of(page)
    post(editor, world.url(first), answer_data(rating="met", narrative="Last year, updated", revision="1"))
    assert world.answer(first)["carried_forward"] == 1
    post(editor, world.url(first), answer_data(rating="met", narrative="Last year, updated", revision="2",
                                               confirmed="y"))
    assert world.answer(first)["carried_forward"] == 0
    assert "copied from last year" not in text_of(editor.get(world.url(first)))


@pytest.mark.parametrize("then, tail", [("new-action", "/actions/new"), ("upload", "/evidence/upload"),
                                        ("link", "/evidence/link"), ("attach", "/evidence/attach")])
def test_every_button_saves_what_was_typed_before_going_on(world, editor, then, tail):
    first = world.requirements()[0]
    response = post(editor, world.url(first), answer_data(then=then, rating="partially-met", narrative="Typed"))
    assert response.status_code == 302 and response.headers["Location"] == world.url(first, tail)
    assert world.answer(first)["narrative"] == "Typed"


# Improvement actions -----------------------------------------------------------------------------

ACTION = {"what": "Write the policy", "owner": "Safeguarding lead", "due_date": ["31", "3", "2027"],
          "status": "in-progress"}


def test_actions_are_added_changed_and_removed_with_audit_rows(world, editor):
    first = world.requirements()[0]
    page = editor.get(world.url(first, "/actions/new"))
    assert page.status_code == 200 and page_text(page).h1 == "Add an improvement action"
    added = post(editor, world.url(first, "/actions/new"), ACTION)
    assert added.status_code == 302 and added.headers["Location"] == world.url(first) + "#actions"
    [action] = world.query("SELECT * FROM actions")
    assert (action["what"], action["owner"], action["due_date"], action["status"]) == (
        "Write the policy", "Safeguarding lead", "2027-03-31", "in-progress")
    body = text_of(editor.get(world.url(first)))
    assert "Improvement action added" in body and "Write the policy" in body and "31 March 2027" in body

    change = editor.get(world.url(first, f"/actions/{action['id']}"))
    assert 'value="Safeguarding lead"' in text_of(change) and 'value="2027"' in text_of(change)
    post(editor, world.url(first, f"/actions/{action['id']}"), {**ACTION, "status": "done"})
    assert world.query("SELECT status FROM actions")[0]["status"] == "done"

    confirm = editor.get(world.url(first, f"/actions/{action['id']}/remove"))
    assert page_text(confirm).h1 == "Remove this improvement action?"
    removed = post(editor, world.url(first, f"/actions/{action['id']}/remove"))
    assert removed.headers["Location"] == world.url(first) + "#actions"
    assert world.count("actions") == 0
    [added_entry], [changed_entry], [removed_entry] = (world.audit(a) for a in ("action-added", "action-changed",
                                                                                "action-removed"))
    assert json.loads(changed_entry["old_value"]) == {"status": "in-progress"}
    assert json.loads(changed_entry["new_value"]) == {"status": "done"}
    assert json.loads(removed_entry["old_value"])["what"] == "Write the policy"
    assert added_entry["actor"] == "editor@police.example"


def test_an_action_form_with_errors_keeps_what_was_typed(world, editor):
    first = world.requirements()[0]
    response = post(editor, world.url(first, "/actions/new"), {"what": "w" * 1001, "owner": "",
                                                               "due_date": ["31", "", "2027"]})
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")
    body = text_of(response)
    for message in ("What you will do must be 1,000 characters or fewer", "Enter who owns this action",
                    "Due date must include a month", "Select the action's status"):
        assert message in body, message
    assert "w" * 1001 in body and 'value="31"' in body
    assert world.count("actions") == 0


def test_an_action_of_another_requirement_is_not_found(world, editor):
    first, second = world.requirements()[:2]
    post(editor, world.url(first, "/actions/new"), ACTION)
    action_id = world.query("SELECT id FROM actions")[0]["id"]
    assert editor.get(world.url(second, f"/actions/{action_id}")).status_code == 404
    assert post(editor, world.url(second, f"/actions/{action_id}/remove")).status_code == 404
    assert world.count("actions") == 1


# Evidence ----------------------------------------------------------------------------------------

EVIDENCE_FIELDS = {"title": "Domestic abuse policy", "effective_date": ["1", "4", "2025"],
                   "valid_until": ["31", "3", "2027"]}


def upload(client, world, requirement_id, data: bytes, filename: str, **fields):
    return post(client, world.url(requirement_id, "/evidence/upload"),
                {**EVIDENCE_FIELDS, **fields, "file": (io.BytesIO(data), filename)},
                content_type="multipart/form-data")


def test_a_pdf_is_stored_under_its_sha256_listed_and_downloaded_as_an_attachment(world, editor):
    first = world.requirements()[0]
    pdf = minimal_pdf()
    sha = hashlib.sha256(pdf).hexdigest()
    response = upload(editor, world, first, pdf, "Policy 2025.pdf")
    assert response.status_code == 302 and response.headers["Location"] == world.url(first) + "#evidence"
    assert world.evidence_files() == [Path(world.app.config["EVIDENCE_DIR"]) / sha[:2] / sha]
    [item] = world.query("SELECT * FROM evidence")
    assert (item["kind"], item["filename"], item["content_type"], item["sha256"], item["size"]) == (
        "file", "Policy 2025.pdf", "application/pdf", sha, len(pdf))
    assert (item["effective_date"], item["valid_until"]) == ("2025-04-01", "2027-03-31")
    assert world.count("answer_evidence") == 1 and len(world.audit("evidence-added")) == 1

    body = text_of(editor.get(world.url(first)))
    assert "Domestic abuse policy" in body and f"/evidence/{item['id']}/download" in body and "PDF, " in body

    download = editor.get(f"/evidence/{item['id']}/download")
    assert download.status_code == 200 and download.data == pdf
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Policy 2025.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Cache-Control"] == "private, no-store"


def test_the_same_file_uploaded_twice_is_stored_once(world, editor):
    first, second = world.requirements()[:2]
    pdf = minimal_pdf()
    assert upload(editor, world, first, pdf, "policy.pdf").status_code == 302
    assert upload(editor, world, second, pdf, "policy-copy.pdf").status_code == 302
    assert len(world.evidence_files()) == 1
    assert world.count("evidence") == 2


def test_evidence_past_or_near_its_end_date_is_flagged(world, editor):
    first = world.requirements()[0]
    with world.app.app_context():
        answer_id = store.ensure_answer(get_db(), world.return_id, world.keys[PROTOCOL], first)["id"]
        for title, until in [("Old policy", "2020-03-31"), ("Soon policy", NOW.date().isoformat())]:
            store.add_evidence(get_db(), world.org_id, {"kind": "link", "title": title, "url": "https://x.example/a",
                                                        "effective_date": "2019-04-01", "valid_until": until},
                               answer_id=answer_id, actor=store.SYSTEM, now=NOW)
    body = text_of(editor.get(world.url(first)))
    assert re.search(r"31 March 2020\s*<strong class=\"govuk-tag govuk-tag--red[^\"]*\">\s*Expired", body)
    assert "Expires within 60 days" in body
    second = world.requirements()[1]
    attach = text_of(editor.get(world.url(second, "/evidence/attach")))
    assert "Items marked “Expired”" in attach and "Expired" in attach and "Expires within 60 days" in attach


@pytest.mark.parametrize("data, filename, message", [
    (b"MZ\x90\x00" + b"\x00" * 200, "policy.pdf", "The selected file is a program, not a PDF: choose the right file"),
    (b"", "policy.pdf", "The selected file is empty"),
    (minimal_pdf(), "../../etc/passwd", "The selected file is a PDF but its name has no extension"),
])
def test_a_bad_upload_is_refused_on_the_file_field_keeps_the_title_and_stores_nothing(world, editor, data, filename,
                                                                                     message):
    first = world.requirements()[0]
    response = upload(editor, world, first, data, filename, title="Our policy")
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")
    body = text_of(response)
    assert message in body and 'href="#file"' in body
    assert 'value="Our policy"' in body
    assert world.count("evidence") == 0 and world.evidence_files() == [] and world.answer(first) is None


def test_no_file_chosen_asks_for_one(world, editor):
    first = world.requirements()[0]
    response = post(editor, world.url(first, "/evidence/upload"), EVIDENCE_FIELDS, content_type="multipart/form-data")
    assert response.status_code == 200 and "Select a file" in text_of(response)
    assert world.count("evidence") == 0


def test_a_good_file_with_other_errors_stores_nothing_and_asks_for_the_file_again(world, editor):
    first = world.requirements()[0]
    response = upload(editor, world, first, minimal_pdf(), "policy.pdf", title="Policy",
                      effective_date=["1", "4", "2025"], valid_until=["1", "4", "2024"])
    body = text_of(response)
    assert "Valid until must be the same as or after the date it took effect" in body
    assert "Choose the file again" in body and 'value="Policy"' in body
    assert world.count("evidence") == 0 and world.evidence_files() == []


def test_a_file_over_the_limit_is_refused(tmp_path):
    world = build_world(make_app(tmp_path, MAX_UPLOAD_MB=1))
    editor = world.client("editor@police.example")
    first = world.requirements()[0]
    pdf = minimal_pdf()
    just_over = pdf[:9] + b"%" + b"a" * (1024 * 1024) + b"\n" + pdf[9:]  # over 1 MB, within the request limit
    response = upload(editor, world, first, just_over, "big.pdf", title="Big policy")
    assert response.status_code == 200
    assert "The selected file must be smaller than 1 MB" in text_of(response)
    assert 'value="Big policy"' in text_of(response)
    # Far over: the request itself is refused before the form is read, and the page says why.
    far_over = upload(editor, world, first, b"%PDF-" + b"a" * (1536 * 1024), "huge.pdf", title="Huge policy")
    assert far_over.status_code == 413
    assert "The selected file must be smaller than 1 MB" in text_of(far_over)
    assert page_text(far_over).h1 == "Upload a file"
    assert world.count("evidence") == 0 and world.evidence_files() == []


def test_a_link_is_added_and_a_javascript_address_is_refused(world, editor):
    first = world.requirements()[0]
    refused = post(editor, world.url(first, "/evidence/link"),
                   {**EVIDENCE_FIELDS, "title": "Policy page", "url": "javascript:alert(1)"})
    assert refused.status_code == 200
    assert "Enter a web address that starts with https:// or http://" in text_of(refused)
    assert 'value="Policy page"' in text_of(refused)
    assert world.count("evidence") == 0
    added = post(editor, world.url(first, "/evidence/link"),
                 {**EVIDENCE_FIELDS, "title": "Policy page", "url": " https://intranet.example/policy "})
    assert added.headers["Location"] == world.url(first) + "#evidence"
    [item] = world.query("SELECT * FROM evidence")
    assert (item["kind"], item["url"], item["sha256"]) == ("link", "https://intranet.example/policy", None)
    assert 'href="https://intranet.example/policy"' in editor.get(world.url(first)).get_data(as_text=True)
    assert editor.get(f"/evidence/{item['id']}/download").status_code == 404


def test_one_item_backs_a_second_requirement(world, editor):
    first, second = world.requirements()[:2]
    upload(editor, world, first, minimal_pdf(), "policy.pdf")
    item_id = world.query("SELECT id FROM evidence")[0]["id"]
    assert "Use evidence you have already added" in text_of(editor.get(world.url(second)))
    page = editor.get(world.url(second, "/evidence/attach"))
    assert page.status_code == 200 and "Domestic abuse policy" in text_of(page)
    assert "Items marked “Expired”" not in text_of(page)
    nothing = post(editor, world.url(second, "/evidence/attach"))
    assert "Select at least one item of evidence" in text_of(nothing)
    attached = post(editor, world.url(second, "/evidence/attach"), {"items": str(item_id)})
    assert attached.headers["Location"] == world.url(second) + "#evidence"
    assert world.count("evidence") == 1 and world.count("answer_evidence") == 2
    context = world.context()
    assert [e["id"] for e in context.evidence[(world.keys[PROTOCOL], second)]] == [item_id]
    again = post(editor, world.url(second, "/evidence/attach"), {"items": str(item_id)})
    assert "Select evidence from the list" in text_of(again) and world.count("answer_evidence") == 2
    # Already backing both: nothing more to choose; taking it off one leaves the other.
    assert "There is no other evidence to choose" in text_of(editor.get(world.url(second, "/evidence/attach")))
    assert "Use evidence you have already added" not in text_of(editor.get(world.url(second)))
    assert post(editor, world.url(second, f"/evidence/{item_id}/remove")).status_code == 302
    assert world.count("answer_evidence") == 1 and len(world.audit("evidence-unlinked")) == 1
    assert "Use evidence you have already added" in text_of(editor.get(world.url(second)))


def test_evidence_of_another_organisation_cannot_be_attached_removed_or_downloaded(world, editor):
    first = world.requirements()[0]
    with world.app.app_context():
        link = {"kind": "link", "title": "Theirs", "url": "https://x.example", "effective_date": "2025-01-01"}
        theirs = store.add_evidence(get_db(), world.other_org_id, link, actor=store.SYSTEM, now=NOW)
    assert post(editor, world.url(first, "/evidence/attach"), {"items": str(theirs)}).status_code == 404
    assert post(editor, world.url(first, f"/evidence/{theirs}/remove")).status_code == 404
    assert editor.get(f"/evidence/{theirs}/download").status_code == 404
    assert world.count("answer_evidence") == 0


# Who may ----------------------------------------------------------------------------------------


def test_another_organisations_editor_gets_not_found_everywhere(world, editor):
    first = world.requirements()[0]
    upload(editor, world, first, minimal_pdf(), "policy.pdf")
    post(editor, world.url(first, "/actions/new"), ACTION)
    item_id, action_id = world.query("SELECT id FROM evidence")[0]["id"], world.query("SELECT id FROM actions")[0]["id"]
    stranger = world.client("editor@greenway.example")
    for tail in ("", "/actions/new", f"/actions/{action_id}", f"/actions/{action_id}/remove", "/evidence/upload",
                 "/evidence/link", "/evidence/attach", f"/evidence/{item_id}/remove"):
        assert stranger.get(world.url(first, tail)).status_code == 404, tail
        assert post(stranger, world.url(first, tail), answer_data(narrative="Intruder")).status_code == 404, tail
    assert stranger.get(f"/evidence/{item_id}/download").status_code == 404
    assert world.answer(first)["narrative"] == "" and world.count("actions") == 1


def test_a_board_member_cannot_answer_but_can_download_evidence(world, editor):
    first = world.requirements()[0]
    pdf = minimal_pdf()
    upload(editor, world, first, pdf, "policy.pdf")
    item_id = world.query("SELECT id FROM evidence")[0]["id"]
    board = world.client("board@wdvf.example")
    assert board.get(world.url(first)).status_code == 403
    assert board.get(f"/evidence/{item_id}/download").data == pdf
    signatory = world.client("signatory@police.example")
    assert signatory.get(world.url(first)).status_code == 403
    assert signatory.get(f"/evidence/{item_id}/download").data == pdf


def test_every_change_is_refused_once_the_return_is_submitted(world, editor):
    first, second = world.requirements()[:2]
    post(editor, world.url(first), answer_data(rating="partially-met", narrative="Signed text"))
    post(editor, world.url(first, "/actions/new"), ACTION)
    upload(editor, world, first, minimal_pdf(), "policy.pdf")
    item_id, action_id = world.query("SELECT id FROM evidence")[0]["id"], world.query("SELECT id FROM actions")[0]["id"]
    with world.app.app_context():
        db = get_db()
        signatory = store.user_by_email(db, "signatory@police.example")
        return_service.submit(db, return_service.load_return(db, world.return_id), partnership="WDVF",
                              signatory_name="Priya Raman", job_title="Director",
                              actor=store.Actor(signatory["id"], signatory["email"]), now=NOW)
    tables = ("answers", "actions", "evidence", "answer_evidence", "audit_log")
    before = {table: world.query(f"SELECT * FROM {table}") for table in tables}
    files = world.evidence_files()
    attempts = [
        (world.url(first), answer_data(rating="met", narrative="Changed after signing", revision="1")),
        (world.url(first, "/actions/new"), ACTION),
        (world.url(first, f"/actions/{action_id}"), {**ACTION, "status": "done"}),
        (world.url(first, f"/actions/{action_id}/remove"), {}),
        (world.url(first, "/evidence/link"), {**EVIDENCE_FIELDS, "url": "https://x.example"}),
        (world.url(second, "/evidence/attach"), {"items": str(item_id)}),
        (world.url(first, f"/evidence/{item_id}/remove"), {}),
    ]
    for url, data in attempts:
        response = post(editor, url, data)
        assert response.status_code == 409, url
        assert "be changed" in text_of(response), url
    uploaded = upload(editor, world, second, minimal_pdf("Other"), "other.pdf")
    assert uploaded.status_code == 409
    assert {table: world.query(f"SELECT * FROM {table}") for table in tables} == before
    assert world.evidence_files() == files
    refused = post(editor, world.url(first), answer_data(rating="met", narrative="Changed after signing"))
    assert "Your changes have not been saved" in text_of(refused) and "Changed after signing" in text_of(refused)
    assert editor.get(world.url(first)).status_code == 409


# Downloads --------------------------------------------------------------------------------------


def test_a_tampered_file_is_not_served(world, editor):
    first = world.requirements()[0]
    upload(editor, world, first, minimal_pdf(), "policy.pdf")
    item_id = world.query("SELECT id FROM evidence")[0]["id"]
    [path] = world.evidence_files()
    data = bytearray(path.read_bytes())
    data[20] ^= 0x01
    path.write_bytes(bytes(data))
    response = editor.get(f"/evidence/{item_id}/download")
    assert response.status_code == 409
    assert "This file has changed since it was uploaded, so it is not being served" in text_of(response)
    assert "Content-Disposition" not in response.headers


def test_a_missing_file_is_reported(world, editor):
    first = world.requirements()[0]
    upload(editor, world, first, minimal_pdf(), "policy.pdf")
    item_id = world.query("SELECT id FROM evidence")[0]["id"]
    world.evidence_files()[0].unlink()
    response = editor.get(f"/evidence/{item_id}/download")
    assert response.status_code == 404 and page_text(response).h1 == "This file is missing"


def test_a_post_without_its_csrf_token_is_refused(world, editor):
    first = world.requirements()[0]
    response = editor.post(world.url(first), data=answer_data(narrative="No token"))
    assert response.status_code == 400 and world.answer(first) is None


# A session that ended while someone typed ------------------------------------------------------------------------


def test_an_answer_sent_after_the_session_ended_is_kept_and_given_back_once_after_signing_in(world, editor):
    first = world.requirements()[0]
    page = world.url(first)
    editor.get(page)
    phone = world.client("editor@police.example")
    post(phone, "/account/sign-out-elsewhere")  # e.g. a shared computer signed out from another device
    typed = "Our policy was revised in March.\nManagers check it every quarter."
    sent = post(editor, page, answer_data(rating="met", narrative=typed))
    assert sent.status_code == 302 and sent.headers["Location"].startswith("/sign-in")
    assert world.answer(first) is None, "nothing is saved behind the person's back"
    notice = editor.get(sent.headers["Location"]).get_data(as_text=True)
    assert "what you typed is kept for you" in notice
    signed = editor.post("/sign-in", data={"email": "editor@police.example", "password": PASSWORD,
                                           "csrf_token": token_from(editor, "/sign-in")})
    assert signed.status_code == 302 and signed.headers["Location"].startswith(page + "?restore=")
    back = editor.get(signed.headers["Location"])
    text = text_of(back)
    assert "This is what you typed before you were signed out" in text and typed in text
    assert world.answer(first) is None, "given back into the form, not saved"
    again = text_of(editor.get(signed.headers["Location"]))
    assert typed not in again, "given back once"


def test_kept_typing_goes_back_only_to_the_person_who_typed_it(world, editor):
    first = world.requirements()[0]
    phone = world.client("editor@police.example")
    post(phone, "/account/sign-out-elsewhere")
    sent = post(editor, world.url(first), answer_data(rating="met", narrative="Private words"))
    assert sent.status_code == 302
    # Someone else signs in on the same browser: they are not taken to it, and cannot open it.
    signed = editor.post("/sign-in", data={"email": "second@police.example", "password": PASSWORD,
                                           "csrf_token": token_from(editor, "/sign-in")})
    assert "restore=" not in signed.headers["Location"]
    [kept] = world.query("SELECT * FROM kept_forms")
    assert kept["used_at"] is None
    assert "Private words" not in text_of(editor.get(world.url(first) + "?restore=anything"))


def test_an_upload_to_a_full_disk_says_so_keeps_the_typing_and_leaves_nothing(tmp_path, tiny_disk):
    world = build_world(make_app(tmp_path / "app", EVIDENCE_DIR=str(tiny_disk / "evidence")))
    editor = world.client("editor@police.example")
    first = world.requirements()[0]
    assert post(editor, world.url(first), answer_data(rating="met", narrative="Saved before the upload.")
                ).status_code == 302
    big = minimal_pdf("Annual report " * 40_000)  # about 560 KB: more than the disk holds
    response = upload(editor, world, first, big, "annual report.pdf", title="Annual report 2025",
                      effective_date=["1", "4", "2025"], valid_until=["31", "3", "2027"])
    body = text_of(response)
    assert response.status_code == 507 and page_text(response).title.startswith("Error: ")
    assert "The service has run out of storage space" in body and "Your answer is saved" in body
    assert 'value="Annual report 2025"' in body and 'value="2027"' in body, "what was typed is kept"
    assert world.count("evidence") == 0
    assert [p for p in tiny_disk.rglob("*") if p.is_file()] == [], "no partial file is left"
    assert world.answer(first)["narrative"] == "Saved before the upload."
    assert len(world.audit("upload-refused-storage-full")) == 1, "the coordinator can see it in the audit trail"


def test_a_new_action_due_in_the_past_is_refused_unless_it_is_already_done(world, editor):
    first = world.requirements()[0]
    late = {**ACTION, "due_date": ["1", "1", "2020"]}
    refused = post(editor, world.url(first, "/actions/new"), late)
    body = text_of(refused)
    assert refused.status_code == 200 and "The due date must be today or later" in body
    assert 'value="Write the policy' in body or "Write the policy</textarea>" in body, "what was typed is kept"
    assert world.count("actions") == 0
    done = post(editor, world.url(first, "/actions/new"), {**late, "status": "done"})
    assert done.status_code == 302 and world.count("actions") == 1
    [action] = world.query("SELECT * FROM actions")
    kept_date = post(editor, world.url(first, f"/actions/{action['id']}"), {**late, "status": "in-progress"})
    assert kept_date.status_code == 302, "an action already dated in the past may still be changed"
    page = text_of(editor.get(world.url(first)))
    assert re.search(r"1 January 2020\s*<strong class=\"govuk-tag govuk-tag--red\">\s*Overdue", page)


def test_a_person_and_a_return_read_together_are_what_each_read_alone_gives(tmp_path):
    """A return's page checks who is signed in and reads the return with one statement (store.person_and_return):
    for people of the demo, with this browser's session live or ended, and for returns that do and do not exist, the
    same as user_for_session and return_and_contents give."""
    app = demo_app(tmp_path)
    with app.app_context():
        database = get_db()
        people = [found["id"] for found in database.query("SELECT id FROM users ORDER BY id")]
        return_ids = [found["id"] for found in database.query("SELECT id FROM returns ORDER BY id")]
        keys = {person: store.note_sign_in(database, person, now=NOW) for person in people}
        store.end_session(database, keys[people[1]], now=NOW)
        database.conn.commit()
        cases = [(person, keys[person], return_id) for person, return_id in zip(people, return_ids * len(people))]
        cases += [(people[0], "not-this-browser", return_ids[0]), (10**9, "none", return_ids[0]),
                  (people[0], keys[people[0]], 10**9)]
        for person, key, return_id in cases:
            assert store.person_and_return(database, person, key, return_id) == (
                store.user_for_session(database, person, key), store.return_and_contents(database, return_id))
        assert [store.person_and_return(database, person, keys[person], return_ids[0])[0]["session_live"]
                for person in people[:3]] == [1, 0, 1]


def test_a_returns_page_uses_the_return_read_with_the_sign_in_check_once_and_only_while_nothing_is_written(world,
                                                                                                             editor):
    """web.requests: the return a page reads with its sign-in check is used by the view that asks for that return,
    once, and only while the request has written nothing since; otherwise it is read again. Nothing read ahead is
    kept for a session that the check refuses."""
    from flask import g
    from flask_login import current_user

    from compliance.web import requests as web_requests

    url = world.url(world.requirements()[0])
    assert post(editor, url, answer_data(rating="met", narrative="Saved.")).status_code == 302
    cookie = {"headers": {"Cookie": f"session={editor.get_cookie('session').value}"}}
    with world.app.test_request_context(url, **cookie):
        world.app.preprocess_request()  # the request's first step: the sign-in check
        assert g.read_with_sign_in[0] == world.return_id
        asked: list[str] = []
        get_db().conn.set_trace_callback(asked.append)
        try:
            first = web_requests.read_return(world.return_id)
            assert asked == [] and first == return_service.load_return(get_db(), world.return_id), \
                "the return as read with the sign-in check, with no statement of its own"
            asked.clear()
            assert "read_with_sign_in" not in g and web_requests.read_return(world.return_id) == first
            assert len(asked) == 1, "used once: a second read asks the database"
        finally:
            get_db().conn.set_trace_callback(None)
    with world.app.test_request_context(url, **cookie):
        world.app.preprocess_request()
        with get_db().atomic():
            get_db().execute("UPDATE answers SET narrative = 'Written since.' WHERE return_id = ?", [world.return_id])
        assert [a["narrative"] for a in web_requests.read_return(world.return_id).answers.values()] == \
            ["Written since."], "written since the sign-in check: read again"
    with world.app.app_context():
        other = get_db().execute("SELECT id FROM returns WHERE id != ? ORDER BY id LIMIT 1",
                                 [world.return_id]).fetchone()[0]
    with world.app.test_request_context(url, **cookie):
        world.app.preprocess_request()
        with world.app.app_context():
            expected = return_service.load_return(get_db(), other)
        assert web_requests.read_return(other) == expected and expected.ret.id == other, "another return: its own"
    with world.app.app_context():
        person = store.user_by_email(get_db(), "editor@police.example")
        store.rotate_session(get_db(), person["id"])  # signed out everywhere
        get_db().conn.commit()
    with world.app.test_request_context(url, **cookie):
        world.app.preprocess_request()
        assert not current_user.is_authenticated and "read_with_sign_in" not in g, \
            "a return read for a session the check refuses is not kept"


def test_a_return_and_its_contents_read_in_one_step_are_what_each_read_alone_gives(tmp_path):
    """load_return reads a return, its frameworks, answers, actions and evidence with one statement
    (store.return_and_contents): for every return of the demo, the same as the five reads it replaced."""
    app = demo_app(tmp_path)
    with app.app_context():
        database = get_db()
        return_ids = [found["id"] for found in database.query("SELECT id FROM returns ORDER BY id")]
        assert len(return_ids) > 10
        for return_id in return_ids:
            ret = store.return_row(database, return_id)
            assert store.return_and_contents(database, return_id) == (
                ret, store.cycle_framework_rows(database, ret["cycle_id"]),
                store.answers_for_return(database, return_id), store.actions_for_return(database, return_id),
                store.evidence_for_return(database, return_id),
                len(store.organisation_evidence(database, ret["organisation_id"])))
        assert store.return_and_contents(database, 10**9) is None
        counts = database.execute("SELECT (SELECT COUNT(*) FROM actions), (SELECT COUNT(*) FROM answer_evidence)"
                                  ).fetchone()
        assert counts[0] > 0 and counts[1] > 0, "the demo has actions and evidence to compare"
