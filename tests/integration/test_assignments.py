"""Assigning a return's requirements to the organisation's editors: the page, the email (read from a real SMTP
server on loopback), who the task list says each requirement is assigned to, "Assigned to me", who may be
assigned, frozen returns, another organisation's return, and the audit log's sentences."""
from __future__ import annotations

import html
import re
import time

import pytest

from compliance import store
from compliance.core.text import long_date
from compliance.web.requests import get_db
from tests.builders import NOW, demo_app, password_hash, signed_in, token_from

PROTOCOL = "wdvf-overarching-protocol-2018"
FIRST, SECOND, THIRD = "wdvf-2018-01", "wdvf-2018-02", "wdvf-2018-03"
EDITOR = "editor.police@demo.example"
SIGNATORY = "signatory.police@demo.example"
COORDINATOR = "coordinator@demo.example"


@pytest.fixture
def world(tmp_path, mail_server):
    app = demo_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port, MAIL_SENDER="wdvf@test.example")
    with app.app_context():
        db = get_db()
        cycles = {c["status"]: c for c in store.cycles(db)}
        police = {c: next(r for r in store.returns_for_cycle(db, cycles[c]["id"])
                          if r["organisation_name"] == "Brackenford Police") for c in ("open", "closed")}
        app.ids = {"open": police["open"]["id"], "closed": police["closed"]["id"],
                   **{email: store.user_by_email(db, email)["id"] for email in
                      (EDITOR, SIGNATORY, "editor.womensaid@demo.example")}}
        app.ids["second"] = store.create_user(
            db, email="sam.okafor@police.example", name="Sam Okafor", role="editor",
            organisation_id=police["open"]["organisation_id"], password_hash=password_hash(), actor=store.SYSTEM,
            now=NOW)
    return app


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _post(client, return_id: int, requirements, person) -> object:
    path = f"/returns/{return_id}/assign"
    return client.post(path, data={"csrf_token": token_from(client, path), "person": str(person),
                                   "requirements": [f"{PROTOCOL}/{r}" for r in requirements]})


def _assigned(app, return_id: int) -> dict:
    with app.app_context():
        return {key[1]: value["name"] for key, value in store.assignments_for_return(get_db(), return_id).items()}


def test_assigning_two_requirements_emails_once_and_the_task_list_says_who(world, mail_server):
    signatory = signed_in(world, SIGNATORY)
    overview = _text(signatory.get(f"/returns/{world.ids['open']}"))
    assert "Assign requirements to colleagues" in overview
    page = _text(signatory.get(f"/returns/{world.ids['open']}/assign"))
    assert "<option value=\"%d\">Dana Hollis</option>" % world.ids[EDITOR] in page
    options = re.findall(r"<option [^>]*>([^<]+)</option>", page)
    assert options == ["Select a person", "Dana Hollis", "Sam Okafor", "Nobody (remove the assignment)"]

    response = _post(signatory, world.ids["open"], [FIRST, SECOND], world.ids[EDITOR])
    assert response.status_code == 302
    assert _assigned(world, world.ids["open"]) == {FIRST: "Dana Hollis", SECOND: "Dana Hollis"}
    assert "2 requirements assigned to Dana Hollis. We have emailed them" in _text(signatory.get(response.location))

    [message] = mail_server.wait_for(1)
    time.sleep(0.3)
    assert len(mail_server.messages) == 1, "one email per assignment, not one per requirement"
    assert message["To"] == EDITOR and "assigned requirements" in message["Subject"]
    body = mail_server.body(message)
    assert "Superintendent Ravi Sandhu (signatory.police@demo.example) has assigned you these requirements" in body
    assert re.search(r"- WDVF[^\n]*, Requirement 1:", body) and re.search(r"- WDVF[^\n]*, Requirement 2:", body)
    assert "Requirement 3:" not in body
    with world.app_context():
        due = store.return_row(get_db(), world.ids["open"])["due_date"]
    assert f"by {long_date(due)}" in body
    assert f"http://localhost/returns/{world.ids['open']}?assigned=me" in body

    task_list = _text(signatory.get(f"/returns/{world.ids['open']}"))
    assert task_list.count("Assigned to Dana Hollis") == 2
    editor = signed_in(world, EDITOR)
    mine = _text(editor.get(f"/returns/{world.ids['open']}"))
    assert mine.count("Assigned to you") == 2 and "Show only the requirements assigned to you (2)" in mine
    filtered = _text(editor.get(f"/returns/{world.ids['open']}?assigned=me"))
    assert "Showing only the 2 requirements assigned to you" in filtered
    assert f"/{PROTOCOL}/{FIRST}" in filtered and f"/{PROTOCOL}/{SECOND}" in filtered
    assert f"/{PROTOCOL}/{THIRD}" not in filtered and "Show all requirements" in filtered
    assert "No requirements are assigned to you" in _text(signatory.get(f"/returns/{world.ids['open']}?assigned=me"))


def test_reassigning_and_unassigning(world, mail_server):
    editor = signed_in(world, EDITOR)
    _post(editor, world.ids["open"], [FIRST, SECOND], world.ids[EDITOR])
    assert mail_server.messages == [], "assigning yourself tells nobody"
    _post(editor, world.ids["open"], [SECOND, THIRD], world.ids["second"])
    assert _assigned(world, world.ids["open"]) == {FIRST: "Dana Hollis", SECOND: "Sam Okafor", THIRD: "Sam Okafor"}
    [message] = mail_server.wait_for(1)
    assert message["To"] == "sam.okafor@police.example"
    response = _post(editor, world.ids["open"], [FIRST, SECOND], "nobody")
    assert "2 requirements no longer assigned to anyone" in _text(editor.get(response.location))
    assert _assigned(world, world.ids["open"]) == {THIRD: "Sam Okafor"}


@pytest.mark.parametrize("who, message", [
    (SIGNATORY, "Superintendent Ravi Sandhu is not an editor, so cannot answer requirements. Select an editor of "
                "Brackenford Police"),
    ("editor.womensaid@demo.example", "Select an editor of Brackenford Police: only its own editors can be "
                                      "assigned its requirements"),
    ("not a number", "Select an editor of Brackenford Police"),
])
def test_only_an_editor_of_the_organisation_can_be_assigned(world, mail_server, who, message):
    client = signed_in(world, EDITOR)
    response = _post(client, world.ids["open"], [FIRST, THIRD], world.ids.get(who, who))
    page = _text(response)
    assert response.status_code == 200 and message in page and page.count(message) == 2  # summary and field
    assert "<title>Error: " in page
    assert f'value="{PROTOCOL}/{FIRST}" aria-describedby="assign-{PROTOCOL}-{FIRST}-hint" checked' in page
    assert f'value="{PROTOCOL}/{THIRD}" aria-describedby="assign-{PROTOCOL}-{THIRD}-hint" checked' in page
    assert "Rosa" not in page  # another organisation's person is never named
    assert _assigned(world, world.ids["open"]) == {} and mail_server.wait_for(1, timeout=0.3) == []


def test_a_deactivated_editor_cannot_be_assigned_and_their_assignments_say_so(world):
    client = signed_in(world, SIGNATORY)
    _post(client, world.ids["open"], [FIRST], world.ids["second"])
    with world.app_context():
        store.update_user(get_db(), world.ids["second"], {"active": 0}, actor=store.SYSTEM, now=NOW)
    assert "Assigned to Sam Okafor (no longer active)" in _text(client.get(f"/returns/{world.ids['open']}"))
    page = _text(client.get(f"/returns/{world.ids['open']}/assign"))
    assert "Assigned to Sam Okafor (no longer active)" in page and '>Sam Okafor</option>' not in page
    refused = _text(_post(client, world.ids["open"], [SECOND], world.ids["second"]))
    assert "Sam Okafor's account is no longer active. Select an active editor of Brackenford Police" in refused


def test_nothing_chosen_says_what_to_choose(world):
    client = signed_in(world, EDITOR)
    page = _text(_post(client, world.ids["open"], [], ""))
    assert "Select the requirements to assign" in page
    assert "Select who to assign them to, or Nobody to remove the assignment" in page
    summary = page.index('href="#requirements"'), page.index('href="#person"')
    assert summary[0] < summary[1] and 'id="requirements" name="requirements"' in page  # in the page's order


def test_a_frozen_return_cannot_be_reassigned(world):
    client = signed_in(world, EDITOR)
    assert client.get(f"/returns/{world.ids['closed']}/assign").status_code == 409
    response = client.post(f"/returns/{world.ids['closed']}/assign", data={
        "csrf_token": token_from(client, "/account"), "person": str(world.ids[EDITOR]),
        "requirements": [f"{PROTOCOL}/{FIRST}"]})
    assert response.status_code == 409 and _assigned(world, world.ids["closed"]) == {}
    assert "Assign requirements to colleagues" not in _text(client.get(f"/returns/{world.ids['closed']}"))


def test_another_organisation_gets_404(world):
    client = signed_in(world, "editor.womensaid@demo.example")
    assert client.get(f"/returns/{world.ids['open']}/assign").status_code == 404
    token = token_from(client, "/account")
    assert client.post(f"/returns/{world.ids['open']}/assign",
                       data={"csrf_token": token, "person": str(world.ids["editor.womensaid@demo.example"]),
                             "requirements": [f"{PROTOCOL}/{FIRST}"]}).status_code == 404
    assert _assigned(world, world.ids["open"]) == {}


def test_the_audit_trail_says_who_assigned_what_to_whom(world):
    client = signed_in(world, SIGNATORY)
    _post(client, world.ids["open"], [FIRST, SECOND], world.ids[EDITOR])
    _post(client, world.ids["open"], [SECOND], "nobody")
    trail = _text(signed_in(world, COORDINATOR).get("/audit-trail?kind=requirements-assigned"))
    assert ("Superintendent Ravi Sandhu assigned requirements of Brackenford Police's 2026/27 return to one of its "
            "editors") in trail and "Assigned to: “Dana Hollis”" in trail
    assert "Requirements: WDVF" in trail and "Requirement 1:" in trail
    unassigned = _text(signed_in(world, COORDINATOR).get("/audit-trail?kind=requirements-unassigned"))
    assert ("Superintendent Ravi Sandhu took requirements of Brackenford Police's 2026/27 return off the people "
            "they were assigned to") in unassigned and "Assigned before to: Dana Hollis" in unassigned
