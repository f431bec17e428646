"""Answers carried forward from last year on the demo partnership: last year's signed answer beside this year's on
the requirement page, and one page to confirm those still right in one go."""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone

from compliance import store
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.builders import demo_app, signed_in, token_from


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_last_years_answer_shows_beside_and_unchanged_answers_are_confirmed_together(tmp_path):
    app = demo_app(tmp_path)
    with app.app_context():
        cycle = next(c for c in store.cycles(get_db()) if c["status"] == "open")
        ret = next(r for r in store.returns_for_cycle(get_db(), cycle["id"])
                   if r["organisation_name"] == "Haven Lane Women's Aid")
    editor = signed_in(app, "editor.womensaid@demo.example")
    overview = f"/returns/{ret['id']}"
    editor.post(f"{overview}/start-from-last-year", data={"csrf_token": token_from(editor, overview)})
    with app.app_context():
        context = return_service.load_return(get_db(), ret["id"])
        last_year = return_service.last_years_answers(get_db(), context)
    (framework, first), (_, second) = context.requirements()[:2]
    before = last_year[(framework.id, first.id)]
    page = _text(editor.get(f"{overview}/{framework.id}/{first.id}"))
    assert "Last year's answer, as signed for 2025/26" in page and before["narrative"].split("\n")[0] in page

    task_list = _text(editor.get(overview))
    carried = sum(1 for a in context.answers.values() if a["carried_forward"])
    assert f"Confirm the answers carried forward from last year that are still right ({carried})" in task_list
    confirm = f"{overview}/confirm-carried-forward"
    nothing = editor.post(confirm, data={"csrf_token": token_from(editor, confirm)})
    assert nothing.status_code == 200 and "Select the answers that are still right" in _text(nothing)
    assert "<title>Error: Confirm answers carried forward: Haven Lane" in nothing.get_data(as_text=True)
    done = editor.post(confirm, data={"csrf_token": token_from(editor, confirm),
                                      "answers": [f"{framework.id}/{first.id}", f"{framework.id}/{second.id}"]})
    assert done.status_code == 302
    with app.app_context():
        after = return_service.load_return(get_db(), ret["id"])
        confirmed = store.audit_entries(get_db(), action="answer-confirmed")
    assert not after.answers[(framework.key, first.id)]["carried_forward"]
    assert not after.answers[(framework.key, second.id)]["carried_forward"]
    assert sum(1 for a in after.answers.values() if a["carried_forward"]) == carried - 2
    assert len(confirmed) == 2, "each confirmation audited"
    assert "2 answers confirmed as still right" in _text(editor.get(overview))
    assert signed_in(app, "editor.police@demo.example").get(confirm).status_code == 404


def test_an_answer_with_a_late_action_must_be_opened_not_ticked(tmp_path):
    app = demo_app(tmp_path)
    with app.app_context():
        db = get_db()
        cycle = next(c for c in store.cycles(db) if c["status"] == "open")
        ret = next(r for r in store.returns_for_cycle(db, cycle["id"])
                   if r["organisation_name"] == "Haven Lane Women's Aid")
    editor = signed_in(app, "editor.womensaid@demo.example")
    overview = f"/returns/{ret['id']}"
    editor.post(f"{overview}/start-from-last-year", data={"csrf_token": token_from(editor, overview)})
    with app.app_context():
        db = get_db()
        context = return_service.load_return(db, ret["id"])
        framework, requirement = context.requirements()[0]
        editor_row = store.user_by_email(db, "editor.womensaid@demo.example")
        store.save_action(db, context.answers[(framework.key, requirement.id)]["id"],
                          {"what": "Refresh the policy", "owner": "Manager", "due_date": "2020-01-31",
                           "status": "in-progress"},
                          actor=store.Actor(editor_row["id"], editor_row["email"]), now=datetime.now(timezone.utc))
    confirm = f"{overview}/confirm-carried-forward"
    page = _text(editor.get(confirm))
    assert "Open these to update them" in page and "Refresh the policy (Manager, due 31 January 2020" in page
    editor.post(confirm, data={"csrf_token": token_from(editor, confirm),
                               "answers": [f"{framework.id}/{requirement.id}"]})
    with app.app_context():
        still = return_service.load_return(get_db(), ret["id"]).answers[(framework.key, requirement.id)]
    assert still["carried_forward"], "a late action is not confirmed from the list"
