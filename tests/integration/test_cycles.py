"""Cycles: create, open (one return per active organisation, only what applies to its sector), close; the
cycle's returns table (progress, last activity, who signed; sorted and filtered); the return overview's task list;
starting from last year's answers."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest

from compliance import store
from compliance.core.cycle_returns import Sort
from compliance.core.returns import due_text, financial_year
from compliance.core.scoring import format_percent, percent
from compliance.core.text import when
from compliance.services import cycle_returns
from compliance.services import returns as return_service
from compliance.store._common import iso
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


def test_the_coordinator_sets_the_order_of_the_frameworks(demo_app):
    """The new-cycle form offers a place for each framework, starting from the latest cycle's order (the demo's:
    its own protocol first, BVPI 225 last); the cycle keeps the order given, which the matrix shows."""
    admin = signed_in(demo_app, "coordinator@demo.example")
    form = admin.get("/cycles/new").get_data(as_text=True)
    assert "Order of the frameworks" in form
    labels = re.findall(r'<label class="govuk-label" for="(position_\d)">\s*([^<]+?)\s*</label>', form)
    titles = [title for _, title in labels]
    assert titles.index("BVPI 225 Actions against domestic violence") > titles.index(
        "Over-Arching Domestic Violence Protocol 2018: organisational requirements")
    place = {title: name for name, title in labels}
    bvpi, protocol = place["BVPI 225 Actions against domestic violence"], place[
        "Over-Arching Domestic Violence Protocol 2018: organisational requirements"]
    others = {name: str(3 + i) for i, name in enumerate(n for n in place.values() if n not in (bvpi, protocol))}
    response = cycle_form(admin, name="2032/33", **{bvpi: "1", protocol: "2"}, **others)
    assert response.status_code == 302
    cycle_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with demo_app.app_context():
        assert store.cycle_framework_keys(get_db(), cycle_id) == ["bvpi-225@1", "wdvf-overarching-protocol-2018@1"]
    same = cycle_form(admin, name="2033/34", **{bvpi: "1", protocol: "1"})
    assert same.status_code == 200 and "Give each framework you select a different place" in same.get_data(as_text=True)


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
    said = unconfirmed.get_data(as_text=True)
    assert unconfirmed.status_code == 400 and "<title>Error:" in said and 'href="#confirm-close"' in said
    assert 'id="confirm-close-error"' in said and "Tick the box to confirm" in said
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


# The cycle's returns table ------------------------------------------------------------------------------------------


def _open_cycle(app) -> dict:
    with app.app_context():
        return next(c for c in store.cycles(get_db()) if c["status"] == "open")


def _table_rows(html: str) -> list[tuple[str, str]]:
    """Each row of the returns table: the organisation's name and the row's text, whitespace folded."""
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    found = []
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S):
        name = re.search(r'<th scope="row"[^>]*><a [^>]*>(.*?)</a>', row, re.S).group(1)
        found.append((unescape(name), " ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split())))
    return found


def test_the_returns_table_shows_progress_last_activity_submission_and_who_signed(demo_app):
    admin = signed_in(demo_app, "coordinator@demo.example")
    cycle = _open_cycle(demo_app)
    with demo_app.app_context():
        db = get_db()
        returns = {r["organisation_name"]: r for r in store.returns_for_cycle(db, cycle["id"])}
        police = return_service.load_return(db, returns["Brackenford Police"]["id"])
        college = returns["Brackenford College"]
        signed = store.return_versions(db, college["id"])[0]
    html = admin.get(f"/cycles/{cycle['id']}").get_data(as_text=True)
    rows = dict(_table_rows(html))
    assert len(rows) == 13
    done = sum(group["completed"] for group in police.task_groups())
    assert done and f"{done} of 16 done ({format_percent(percent(done, 16))})" in rows["Brackenford Police"]
    assert "In progress" in rows["Brackenford Police"] and "Not submitted Not signed" in rows["Brackenford Police"]
    assert when(police.ret.updated_at) in rows["Brackenford Police"], "last activity, in London time"
    assert f"{when(signed['submitted_at'])} {signed['signatory_name']} {signed['signatory_job_title']}" \
        in rows["Brackenford College"]
    assert f'href="/returns/{college["id"]}">Brackenford College</a>' in html, "names link to the return"
    assert 'role="region"' in html and 'tabindex="0"' in html, "a narrow screen scrolls the table, not the page"


def test_every_returns_progress_is_counted_as_its_own_task_list_counts_it(demo_app):
    cycle = _open_cycle(demo_app)
    with demo_app.app_context():
        db = get_db()
        frameworks = return_service.cycle_frameworks(db, cycle["id"])
        table = cycle_returns.returns_table(db, cycle, frameworks, today=NOW.date(), sort=Sort("organisation"),
                                            statuses=())
        for line in table.lines:
            groups = return_service.load_return(db, line.id).task_groups()
            assert (line.progress.done, line.progress.total) == (sum(g["completed"] for g in groups),
                                                                 sum(g["total"] for g in groups)), line
    assert {line.progress.done == line.progress.total for line in table.lines} == {True, False}


def test_last_activity_is_the_latest_change_to_the_return_its_answers_actions_or_evidence(demo_app):
    cycle = _open_cycle(demo_app)
    with demo_app.app_context():
        db = get_db()
        police = next(r for r in store.returns_for_cycle(db, cycle["id"])
                      if r["organisation_name"] == "Brackenford Police")
        context = return_service.load_return(db, police["id"])

        def last_activity() -> str:
            return next(r for r in store.returns_table(db, cycle["id"]) if r["id"] == police["id"])["last_activity"]

        framework, requirement = context.requirements()[0]
        answer = store.ensure_answer(db, police["id"], framework.key, requirement.id)
        steps = iter(range(1, 10))

        def later() -> datetime:
            return NOW + timedelta(hours=next(steps))

        at = later()
        action = {"what": "Train staff", "owner": "Lead", "due_date": "2027-03-01", "status": "not-started"}
        action_id = store.save_action(db, answer["id"], action, actor=store.SYSTEM, now=at)
        assert last_activity() == iso(at)
        at = later()
        store.remove_action(db, action_id, actor=store.SYSTEM, now=at)
        assert last_activity() == iso(at), "removing an action is a change too"
        at = later()
        evidence_id = store.add_evidence(db, police["organisation_id"], {"kind": "link", "title": "Policy",
                                         "url": "https://example.org/p", "effective_date": "2026-04-01"},
                                         answer_id=answer["id"], actor=store.SYSTEM, now=at)
        assert last_activity() == iso(at)
        at = later()
        store.unlink_evidence(db, answer["id"], evidence_id, actor=store.SYSTEM, now=at)
        assert last_activity() == iso(at), "so is taking evidence off an answer"
        at = later()
        store.link_evidence(db, answer["id"], evidence_id, actor=store.SYSTEM, now=at)
        assert last_activity() == iso(at), "and using an item the organisation already has"


def test_the_table_sorts_by_any_column_both_ways_and_says_how(demo_app):
    admin = signed_in(demo_app, "coordinator@demo.example")
    cycle_id = _open_cycle(demo_app)["id"]
    ascending = _table_rows(admin.get(f"/cycles/{cycle_id}?sort=done&order=asc").get_data(as_text=True))
    percents = [int(re.search(r"\((\d+)%\)", text).group(1)) for _, text in ascending]
    assert percents == sorted(percents) and percents[0] < percents[-1]
    html = admin.get(f"/cycles/{cycle_id}?sort=done&order=desc").get_data(as_text=True)
    descending = [int(re.search(r"\((\d+)%\)", text).group(1)) for _, text in _table_rows(html)]
    assert descending == sorted(percents, reverse=True)
    assert 'aria-sort="descending"' in html and html.count("aria-sort=") == 1
    assert "Sorted by requirements done, most done first." in html
    assert f'href="/cycles/{cycle_id}?sort=done&amp;order=asc#returns"' in html, "a second click reverses it"
    assert f'href="/cycles/{cycle_id}?sort=activity&amp;order=desc#returns"' in html, "dates start newest first"
    names = [name for name, _ in _table_rows(admin.get(f"/cycles/{cycle_id}?sort=organisation&order=desc")
                                             .get_data(as_text=True))]
    assert names == sorted(names, key=str.casefold, reverse=True)
    odd = admin.get(f"/cycles/{cycle_id}?sort=<script>&order=sideways&status=lost")
    assert odd.status_code == 200 and [n for n, _ in _table_rows(odd.get_data(as_text=True))] == names[::-1], \
        "anything not on offer is the default: every return, A to Z"


def test_the_table_filters_by_status_and_its_sort_links_keep_the_filter(demo_app):
    admin = signed_in(demo_app, "coordinator@demo.example")
    cycle_id = _open_cycle(demo_app)["id"]
    html = admin.get(f"/cycles/{cycle_id}?status=submitted&status=accepted&sort=activity&order=asc")\
        .get_data(as_text=True)
    rows = _table_rows(html)
    assert rows and all(("Submitted" in text or "Accepted" in text) for _, text in rows)
    assert len(rows) == 5 and "Showing 5 of 13 returns: those submitted or accepted." in html
    assert 'value="submitted" checked' in html and 'value="in-progress" checked' not in html
    assert f'href="/cycles/{cycle_id}?sort=organisation&amp;order=asc&amp;status=submitted&amp;status=accepted' \
           '#returns"' in html, "sorting keeps the filter"
    assert 'name="sort" value="activity"' in html, "filtering keeps the sort"
    empty = admin.get(f"/cycles/{cycle_id}?status=withdrawn").get_data(as_text=True)
    assert "There are no returns with the status you selected: Withdrawn." in empty
    assert '<tbody class="govuk-table__body">' not in empty


def test_a_withdrawn_return_is_shown_as_withdrawn_and_counts_in_no_figure(demo_app):
    admin = signed_in(demo_app, "coordinator@demo.example")
    cycle_id = _open_cycle(demo_app)["id"]
    with demo_app.app_context():
        police = next(r for r in store.returns_for_cycle(get_db(), cycle_id)
                      if r["organisation_name"] == "Brackenford Police")
    before = admin.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert "8 returns have not been submitted" in before
    db_of(demo_app).execute("UPDATE returns SET withdrawn_at = ? WHERE id = ?", [iso(NOW), police["id"]])
    html = admin.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert "Withdrawn" in dict(_table_rows(html))["Brackenford Police"]
    assert "Showing all 12 returns and 1 withdrawn." in html
    assert "7 returns have not been submitted" in html, "closing would not freeze a withdrawn return's work"
    only = _table_rows(admin.get(f"/cycles/{cycle_id}?status=withdrawn").get_data(as_text=True))
    assert [name for name, _ in only] == ["Brackenford Police"]
    in_progress = _table_rows(admin.get(f"/cycles/{cycle_id}?status=in-progress").get_data(as_text=True))
    assert "Brackenford Police" not in dict(in_progress)


def test_close_the_cycle_is_its_own_section_at_the_foot_of_the_page(demo_app):
    admin = signed_in(demo_app, "coordinator@demo.example")
    cycle_id = _open_cycle(demo_app)["id"]
    html = admin.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    close = html.index('<h2 class="govuk-heading-m" id="close">Close the cycle</h2>')
    assert html.index("Partnership matrix") < html.index("</table>") < close < html.index("confirm-close")
    assert "Returns that have not been submitted can then no longer be changed" in html[close:]
    board = signed_in(demo_app, "board@demo.example").get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert "Close the cycle" not in board and "</table>" in board, "the board sees the table, not the button"
