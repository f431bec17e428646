"""Who is told what as a return moves, read from a real SMTP server on loopback: submitted (the coordinators),
ready to sign (the signatories), accepted and returned for amendment requirement by requirement (the
organisation's editors and signatories); the comments on the organisation's pages; each one audited."""
from __future__ import annotations

import html
import re

import pytest

from compliance import store
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.builders import DEMO_PASSWORD, NOW, demo_app, password_hash, signed_in, token_from


@pytest.fixture
def world(tmp_path, mail_server):
    app = demo_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=mail_server.port, MAIL_SENDER="wdvf@test.example")
    with app.app_context():
        db = get_db()
        cycle = next(c for c in store.cycles(db) if c["status"] == "open")
        app.returns = {r["organisation_name"]: r for r in store.returns_for_cycle(db, cycle["id"])}
        app.coordinators = sorted(u["email"] for u in store.users(db) if u["role"] == "admin" and u["active"])
    return app


def people(app, organisation: str, roles=("editor", "signatory")) -> list[str]:
    with app.app_context():
        return sorted(u["email"] for u in store.users(get_db(), organisation_id=app.returns[organisation]
                                                      ["organisation_id"]) if u["role"] in roles and u["active"])


def submitted_return(app) -> dict:
    return next(r for r in app.returns.values() if r["status"] == "submitted")


def audited(app, about: str) -> list[dict]:
    with app.app_context():
        return [e for e in store.audit_entries(get_db(), action="notification-sent") if f'"about": "{about}"' in
                (e["new_value"] or "")]


def fill(app, return_id: int, editor_email: str) -> None:
    """Answer every requirement with the best rating that needs no action or reason, with evidence where it needs it,
    as the editor."""
    with app.app_context():
        db = get_db()
        editor = store.user_by_email(db, editor_email)
        context = return_service.load_return(db, return_id)
        for framework, requirement in context.requirements():
            level = next(lv for lv in framework.scale if lv.counts_as_met and not lv.needs_action
                         and not lv.needs_reason)
            current = store.answer(db, return_id, framework.key, requirement.id)
            actor = store.Actor(editor["id"], editor["email"])
            store.save_answer(db, return_id, framework.key, requirement.id,
                              {"rating": level.code, "narrative": "In place.", "reason": "", "carried_forward": 0},
                              revision=current["revision"] if current else 0, actor=actor, now=NOW)
            answer = store.answer(db, return_id, framework.key, requirement.id)
            if level.needs_evidence and not store.evidence_for_answer(db, answer["id"]):
                store.add_evidence(db, context.ret.organisation_id, {
                    "kind": "link", "title": f"{requirement.title} policy", "url": "https://intranet.example/policy",
                    "effective_date": "2026-04-01", "valid_until": None}, answer_id=answer["id"], actor=actor, now=NOW)


def test_ready_to_sign_then_submitted_tells_the_signatories_then_the_coordinators(world, mail_server):
    ret = next(r for name, r in world.returns.items() if r["status"] == "in-progress"
               and people(world, name, ("signatory",)) and people(world, name, ("editor",)))
    name = ret["organisation_name"]
    editor_email = people(world, name, ("editor",))[0]
    fill(world, ret["id"], editor_email)
    editor = signed_in(world, editor_email)
    check = f"/returns/{ret['id']}/check"
    page = editor.get(check).get_data(as_text=True)
    assert "Not ready to sign" not in page and "it is ready to sign" in page
    told = editor.post(f"/returns/{ret['id']}/ready-to-sign", data={"csrf_token": token_from(editor, check)},
                       follow_redirects=True)
    assert "to say the return is ready to sign" in told.get_data(as_text=True)
    signatories = people(world, name, ("signatory",))
    messages = mail_server.wait_for(len(signatories))
    assert sorted(m["To"] for m in messages) == signatories
    body = mail_server.body(messages[0])
    assert "ready for you to sign" in body and f"http://localhost/returns/{ret['id']}/check" in body
    assert len(audited(world, "ready to sign")) == 1

    signatory = signed_in(world, signatories[0])
    home = html_text(signatory.get("/home").get_data(as_text=True))
    assert f"{name}'s return for 2026/27 is ready for you to sign" in home, "the signatory's Home says so too"
    sign_path = f"/returns/{ret['id']}/sign"
    form = signatory.get(sign_path).get_data(as_text=True)
    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', form) or re.search(r'value="([^"]*)"[^>]*name="seen"', form)
    response = signatory.post(sign_path, data={"csrf_token": token_from(signatory, sign_path), "name": "Ravi Sandhu",
                                               "job_title": "Head of safeguarding", "confirm": "y",
                                               "seen": seen.group(1)})
    assert response.status_code == 302
    to_coordinators = mail_server.wait_for(len(signatories) + len(world.coordinators))[len(signatories):]
    assert sorted(m["To"] for m in to_coordinators) == world.coordinators
    body = mail_server.body(to_coordinators[0])
    assert f"{name} has submitted its return" in body and "signed by Ravi Sandhu, Head of safeguarding" in body
    assert "(UK time)" in body and f"http://localhost/returns/{ret['id']}" in body
    assert len(audited(world, "submitted")) == 1


def test_accepting_asks_first_takes_a_comment_and_tells_the_organisation(world, mail_server):
    ret = submitted_return(world)
    coordinator = signed_in(world, "coordinator@demo.example")
    path = f"/returns/{ret['id']}/accept"
    confirm = coordinator.get(path)
    assert confirm.status_code == 200 and "Accept this return?" in confirm.get_data(as_text=True)
    with world.app_context():
        assert store.return_row(get_db(), ret["id"])["status"] == "submitted", "asking changes nothing"
    too_long = coordinator.post(path, data={"csrf_token": token_from(coordinator, path), "comment": "x" * 5001})
    assert too_long.status_code == 200 and "5,000 characters or fewer" in too_long.get_data(as_text=True)
    done = coordinator.post(path, data={"csrf_token": token_from(coordinator, path),
                                        "comment": "Thorough evidence this year. <b>Thank you</b>."})
    assert done.status_code == 302
    expected = people(world, ret["organisation_name"])
    messages = mail_server.wait_for(len(expected))
    assert sorted(m["To"] for m in messages) == expected
    body = mail_server.body(messages[0])
    assert "was accepted by" in body and "coordinator@demo.example" in body
    assert "Thorough evidence this year. <b>Thank you</b>." in body, "plain text mail, as typed"
    member = signed_in(world, expected[0])
    overview = member.get(f"/returns/{ret['id']}").get_data(as_text=True)
    assert "Alex Morgan (partnership coordinator) accepted this return on" in overview
    assert "Thorough evidence this year. &lt;b&gt;Thank you&lt;/b&gt;." in overview, "escaped on the page"


def test_returning_for_amendment_names_requirements_with_a_comment_each(world, mail_server):
    ret = submitted_return(world)
    with world.app_context():
        context = return_service.load_return(get_db(), ret["id"])
    (first_fw, first), (second_fw, second) = context.requirements()[0], context.requirements()[2]
    coordinator = signed_in(world, "coordinator@demo.example")
    path = f"/returns/{ret['id']}/return-for-amendment"
    page = coordinator.get(path).get_data(as_text=True)
    assert f'value="{first_fw.id}/{first.id}"' in page and "Their rating:" in page
    missing = coordinator.post(path, data={"csrf_token": token_from(coordinator, path),
                                           "requirements": [f"{first_fw.id}/{first.id}", f"{second_fw.id}/{second.id}"],
                                           f"comment-{first_fw.id}/{first.id}": "Attach the signed policy."})
    text = missing.get_data(as_text=True)
    assert missing.status_code == 200 and "<title>Error:" in text
    assert f'href="#comment-{second_fw.id}-{second.id}"' in text, "the summary links to the box to fill"
    assert "Attach the signed policy.</textarea>" in text, "what was typed is kept"
    with world.app_context():
        assert store.return_row(get_db(), ret["id"])["status"] == "submitted"
    done = coordinator.post(path, data={
        "csrf_token": token_from(coordinator, path), "comment": "Two answers need their evidence.",
        "requirements": [f"{first_fw.id}/{first.id}", f"{second_fw.id}/{second.id}"],
        f"comment-{first_fw.id}/{first.id}": "Attach the signed policy.",
        f"comment-{second_fw.id}/{second.id}": "Name the training you ran."})
    assert done.status_code == 302

    expected = people(world, ret["organisation_name"])
    messages = mail_server.wait_for(len(expected))
    assert sorted(m["To"] for m in messages) == expected
    body = mail_server.body(messages[0])
    assert "was returned for amendment by" in body and "Two answers need their evidence." in body
    assert "Attach the signed policy." in body and "Name the training you ran." in body
    assert return_service.requirement_name(second) in body

    with world.app_context():
        store.create_user(get_db(), email="new.editor@demo.example", name="New Editor", role="editor",
                          organisation_id=ret["organisation_id"], password_hash=password_hash(DEMO_PASSWORD),
                          actor=store.SYSTEM, now=NOW)
    editor = signed_in(world, "new.editor@demo.example")
    overview = editor.get(f"/returns/{ret['id']}").get_data(as_text=True)
    assert "2 requirements need changing" in overview and overview.count("Change needed") >= 2
    assert "Change needed: Name the training you ran." in overview
    answer = editor.get(f"/returns/{ret['id']}/{first_fw.id}/{first.id}").get_data(as_text=True)
    assert "Your coordinator asked for this answer to change" in answer and "Attach the signed policy." in answer
    other = editor.get(f"/returns/{ret['id']}/{context.requirements()[1][0].id}/{context.requirements()[1][1].id}")
    assert "Your coordinator asked" not in other.get_data(as_text=True)
    check = html_text(editor.get(f"/returns/{ret['id']}/check").get_data(as_text=True))
    assert f"{return_service.requirement_name(first)} : Attach the signed policy." in check, "each comment listed"
    page = f"/returns/{ret['id']}/{first_fw.id}/{first.id}"
    form = editor.get(page).get_data(as_text=True)
    revision = re.search(r'name="revision" value="(\d+)"', form).group(1)
    rating = re.search(r'name="rating"[^>]*value="([^"]+)"[^>]*checked', form) or re.search(
        r'value="([^"]+)"[^>]*name="rating"[^>]*checked', form)
    editor.post(page, data={"csrf_token": token_from(editor, page), "revision": revision,
                            "rating": rating.group(1) if rating else "", "narrative": "The signed policy is attached.",
                            "reason": "", "then": "later"})
    after = html_text(editor.get(f"/returns/{ret['id']}").get_data(as_text=True))
    assert "Asked to change: Attach the signed policy. Changed" in after, "the changed one says so"
    assert "Change needed: Name the training you ran. Change needed" in after
    assert len(audited(world, "returned for amendment")) == 1
    with world.app_context():
        [returned] = [e for e in store.audit_entries(get_db(), action="return-returned")
                      if e["object_id"] == str(ret["id"])]
    assert return_service.requirement_name(second) in returned["new_value"], "the audit trail names requirements"
    assert f'"{second.id}:' not in returned["new_value"]


def test_with_no_mail_server_address_the_decision_still_stands(tmp_path):
    app = demo_app(tmp_path, BASE_URL="")
    with app.app_context():
        cycle = next(c for c in store.cycles(get_db()) if c["status"] == "open")
        ret = next(r for r in store.returns_for_cycle(get_db(), cycle["id"]) if r["status"] == "submitted")
    coordinator = signed_in(app, "coordinator@demo.example")
    path = f"/returns/{ret['id']}/accept"
    assert coordinator.post(path, data={"csrf_token": token_from(coordinator, path)}).status_code == 302
    with app.app_context():
        assert store.return_row(get_db(), ret["id"])["status"] == "accepted"
        assert store.outbox_messages(get_db()) == []


def test_a_return_sent_back_to_an_organisation_without_an_editor_says_who_must_be_invited(world):
    ret = submitted_return(world)  # the demo's submitted organisations have a signatory and no editor
    coordinator = signed_in(world, "coordinator@demo.example")
    amend = coordinator.get(f"/returns/{ret['id']}/return-for-amendment").get_data(as_text=True)
    assert f"{ret['organisation_name']} has no editor, so nobody there can change its answers" in html_text(amend)
    with world.app_context():
        context = return_service.load_return(get_db(), ret["id"])
        framework, requirement = context.requirements()[0]
    coordinator.post(f"/returns/{ret['id']}/return-for-amendment", data={
        "csrf_token": token_from(coordinator, f"/returns/{ret['id']}/return-for-amendment"),
        "requirements": [f"{framework.id}/{requirement.id}"],
        f"comment-{framework.id}/{requirement.id}": "Attach the policy."})
    signatory = signed_in(world, people(world, ret["organisation_name"], ("signatory",))[0])
    overview = html_text(signatory.get(f"/returns/{ret['id']}").get_data(as_text=True))
    assert "Only an organisation editor can change the answers" in overview
    assert "1 requirement needs changing before the return is signed again" in overview
    check = html_text(signatory.get(f"/returns/{ret['id']}/check").get_data(as_text=True))
    assert "1 answer the coordinator asked to change has not changed since the version that was returned" in check
    assert "Attach the policy." in check


def html_text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
