"""Cycles: create, open (one return per active organisation, only what applies to its sector), close; the
return overview's task list; starting from last year's answers."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from compliance import store
from compliance.core.returns import due_text, financial_year
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.builders import NOW, db_of, page_text, signed_in, token_from


def cycle_form(client, **overrides):
    data = {"csrf_token": token_from(client, "/cycles/new"), "name": "2031/32",
            "frameworks": ["wdvf-overarching-protocol-2018@1", "bvpi-225@1"],
            "open_date": ["1", "4", "2031"], "due_date": ["30", "6", "2031"],
            "declaration": "I confirm this return is true."}
    data.update(overrides)
    return client.post("/cycles/new", data=data)


def test_admin_creates_a_draft_cycle_then_opens_it(demo_app):
    admin = signed_in(demo_app, "coordinator@demo.example")
    response = cycle_form(admin)
    assert response.status_code == 302
    cycle_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = admin.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert "Draft: not yet open to organisations" in page and "BVPI 225" in page
    admin.post(f"/cycles/{cycle_id}/open", data={"csrf_token": token_from(admin, f"/cycles/{cycle_id}")})
    with demo_app.app_context():
        db = get_db()
        returns = store.returns_for_cycle(db, cycle_id)
        active = [o for o in store.organisations(db, active=True)]
        assert len(returns) == len(active) == 13
        assert store.cycle(db, cycle_id)["status"] == "open"
        police = next(r for r in returns if r["organisation_name"] == "Brackenford Police")
        council = next(r for r in returns if r["organisation_name"] == "Brackenford Council Housing Options")
        police_reqs = return_service.load_return(db, police["id"]).requirements()
        council_reqs = return_service.load_return(db, council["id"]).requirements()
    assert len(police_reqs) == 16, "BVPI 225 is for local authorities only"
    assert len(council_reqs) == 16 + 11
    assert "cycle-opened" in [e["action"] for e in store.audit_entries(db_of(demo_app))]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "Enter the cycle&#39;s name"),
    ({"name": "2025-26"}, "like 2025/26"),
    ({"name": "2025/27"}, "must follow each other"),
    ({"frameworks": []}, "Select at least one framework"),
    ({"due_date": ["31", "2", "2031"]}, "Due date must be a real date"),
    ({"due_date": ["1", "3", "2031"]}, "Due date must be the same as or after the open date"),
    ({"open_date": ["", "", ""]}, "Enter the date the cycle opens"),
    ({"open_date": ["1", "", "2031"]}, "Open date must include a month"),
])
def test_bad_cycle_details_say_how_to_fix_them_and_keep_what_was_typed(demo_app, overrides, message):
    admin = signed_in(demo_app, "coordinator@demo.example")
    response = cycle_form(admin, **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")
    assert message in html
    assert "I confirm this return is true." in html
    assert len(store.cycles(db_of(demo_app))) == 2, "nothing was saved"


def test_a_cycle_name_is_used_once(demo_app):
    admin = signed_in(demo_app, "coordinator@demo.example")
    taken = financial_year(NOW.date())
    assert "There is already a cycle called" in cycle_form(admin, name=taken).get_data(as_text=True)


def test_closing_a_cycle_freezes_its_returns(demo_app):
    admin = signed_in(demo_app, "coordinator@demo.example")
    with demo_app.app_context():
        db = get_db()
        current = next(c for c in store.cycles(db) if c["status"] == "open")
        ret = next(r for r in store.returns_for_cycle(db, current["id"])
                   if r["organisation_name"] == "Brackenford Police")
    unconfirmed = admin.post(f"/cycles/{current['id']}/close",
                             data={"csrf_token": token_from(admin, f"/cycles/{current['id']}")}, follow_redirects=True)
    assert "Tick the box to confirm" in unconfirmed.get_data(as_text=True)
    assert store.cycle(db_of(demo_app), current["id"])["status"] == "open", "nothing closes without confirming"
    admin.post(f"/cycles/{current['id']}/close",
               data={"csrf_token": token_from(admin, f"/cycles/{current['id']}"), "confirm": "yes"})
    assert store.cycle(db_of(demo_app), current["id"])["status"] == "closed"
    editor = signed_in(demo_app, "editor.police@demo.example")
    overview = editor.get(f"/returns/{ret['id']}").get_data(as_text=True)
    assert "/returns/%d/wdvf" % ret["id"] not in overview, "a closed cycle offers no change links"


def test_overview_shows_task_list_progress_due_date_and_status(demo_app):
    editor = signed_in(demo_app, "editor.police@demo.example")
    with demo_app.app_context():
        db = get_db()
        ret = next(r for r in store.returns_for_organisation(db, store.user_by_email(db, "editor.police@demo.example")
                                                               ["organisation_id"]) if r["cycle_status"] == "open")
        context = return_service.load_return(db, ret["id"])
    response = editor.get(f"/returns/{ret['id']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-task-list" in html and "In progress" in html
    done = sum(g["completed"] for g in context.task_groups())
    assert f"You have completed {done} of 16 requirements" in html
    assert due_text(date.fromisoformat(ret["due_date"]), NOW.date()) in html
    first = context.requirements()[0][1]
    assert f"/returns/{ret['id']}/wdvf-overarching-protocol-2018/{first.id}" in html


def test_another_organisation_cannot_see_the_return(demo_app):
    with demo_app.app_context():
        db = get_db()
        police_org = store.user_by_email(db, "editor.police@demo.example")["organisation_id"]
        ret = store.returns_for_organisation(db, police_org)[0]
    outsider = signed_in(demo_app, "editor.womensaid@demo.example")
    assert outsider.get(f"/returns/{ret['id']}").status_code == 404
    board = signed_in(demo_app, "board@demo.example")
    assert board.get(f"/returns/{ret['id']}").status_code == 200


def test_start_from_last_year_copies_answers_actions_and_valid_evidence_marked_for_checking(demo_app):
    editor = signed_in(demo_app, "editor.womensaid@demo.example")
    with demo_app.app_context():
        db = get_db()
        org = store.user_by_email(db, "editor.womensaid@demo.example")["organisation_id"]
        current, previous = store.returns_for_organisation(db, org)[:2]
        assert current["status"] == "not-started" and previous["status"] == "accepted"
        before = return_service.load_return(db, previous["id"])
    overview = editor.get(f"/returns/{current['id']}").get_data(as_text=True)
    assert "Start from last year&#39;s answers" in overview
    response = editor.post(f"/returns/{current['id']}/start-from-last-year",
                           data={"csrf_token": token_from(editor, f"/returns/{current['id']}")})
    assert response.status_code == 302
    with demo_app.app_context():
        db = get_db()
        after = return_service.load_return(db, current["id"])
    assert len(after.answers) == len(before.answers)
    assert all(answer["carried_forward"] for answer in after.answers.values())
    for key, answer in before.answers.items():
        carried = after.answers[key]
        assert carried["rating"] == answer["rating"] and carried["narrative"] == answer["narrative"]
    open_before = sum(1 for items in before.actions.values() for a in items if a["status"] != "done")
    assert sum(len(items) for items in after.actions.values()) == open_before
    assert sum(len(items) for items in after.evidence.values()) == sum(len(items) for items in before.evidence.values())
    assert {t["state"] for g in after.task_groups() for t in g["tasks"]} == {"carried-forward"}
    problems = after.problems()
    assert problems and all("carried forward" in p.message for p in problems)
    again = editor.get(f"/returns/{current['id']}").get_data(as_text=True)
    assert "Start from last year&#39;s answers" not in again, "it can only be done to an untouched return"


def test_expired_evidence_is_not_carried_forward(demo_app):
    with demo_app.app_context():
        db = get_db()
        org = store.user_by_email(db, "editor.womensaid@demo.example")["organisation_id"]
        current, previous = store.returns_for_organisation(db, org)[:2]
        answer = next(a for a in store.answers_for_return(db, previous["id"]).values() if a["rating"] == "met")
        context = return_service.load_return(db, current["id"])
        key = (answer["framework_key"], answer["requirement_id"])
        valid_before = [e for e in return_service.load_return(db, previous["id"]).evidence.get(key, [])
                        if (e["valid_until"] or "9999") >= NOW.date().isoformat()]
        return_service.start_from_last_year(db, context, today=NOW.date() + timedelta(days=3650),
                                            actor=store.SYSTEM, now=NOW)
        after = return_service.load_return(db, current["id"])
    assert valid_before, "the demo's evidence is valid today"
    assert after.evidence.get(key, []) == [], "ten years on, every item has expired and none is copied"


def test_a_date_error_in_the_summary_links_to_the_day_box(demo_app):
    admin = signed_in(demo_app, "coordinator@demo.example")
    html = cycle_form(admin, due_date=["31", "2", "2031"]).get_data(as_text=True)
    assert 'href="#due_date-day"' in html and 'id="due_date-day"' in html
