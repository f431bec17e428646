"""The partnership's improvement actions in one place: every action of the signed version that stands of each
return of a cycle (none from returns in progress, sent back or withdrawn), filtered, counted, flagged when
overdue, and downloaded as CSV; on real SQLite through the Flask test client."""
from __future__ import annotations

import csv
import io
import re

import pytest

from compliance import store
from compliance.services import actions as action_service
from compliance.services import membership
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.builders import NOW, make_app, password_hash, sign_in

PROTOCOL = "wdvf-overarching-protocol-2018"
OVERDUE = "=HYPERLINK(\"http://bad.example\",\"Train every manager\")"
NAMES = ("Alder Police", "Birch Police", "Cedar Police", "Damson Police", "Elm Police")


def _answer_with_actions(db, return_id, key, requirement_id, actions):
    store.save_answer(db, return_id, key, requirement_id, {"rating": "partially-met", "narrative": "Started",
                                                           "reason": ""}, revision=0, actor=store.SYSTEM, now=NOW)
    answer = store.answer(db, return_id, key, requirement_id)
    for what, owner, due, status in actions:
        store.save_action(db, answer["id"], {"what": what, "owner": owner, "due_date": due, "status": status},
                          actor=store.SYSTEM, now=NOW)


def _submit(db, return_id, signatory):
    return_service.submit(db, return_service.load_return(db, return_id), partnership="WDVF",
                          signatory_name="Sam Signer", job_title="Director", actor=signatory, now=NOW)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Alder submitted (three actions: one overdue, one done after its date, one not due), Elm accepted (one),
    Birch sent back for amendment, Cedar in progress and Damson withdrawn: each of those three with an action."""
    app = make_app(tmp_path_factory.mktemp("actions"))
    with app.app_context():
        db = get_db()
        orgs = {name: store.upsert_organisation(db, name=name, sector="police", now=NOW) for name in NAMES}
        for role, org in [("board", None), ("auditor", None), ("admin", None), ("editor", orgs["Alder Police"])]:
            store.create_user(db, email=f"{role}@actions.example", name=role.title(), role=role, organisation_id=org,
                              password_hash=password_hash(), actor=store.SYSTEM, now=NOW)
        signer_id = store.create_user(db, email="signer@actions.example", name="Sam Signer", role="signatory",
                                      organisation_id=orgs["Alder Police"], actor=store.SYSTEM, now=NOW)
        signer = store.Actor(signer_id, "signer@actions.example")
        key = next(row["key"] for row in store.framework_rows(db) if row["id"] == PROTOCOL)
        cycle_id = store.create_cycle(db, name="2030/31", open_date="2030-04-01", due_date="2099-06-30",
                                      declaration="I confirm.", framework_keys=[key], actor=store.SYSTEM, now=NOW)
        return_service.open_cycle(db, cycle_id, actor=store.SYSTEM, now=NOW)
        returns = {r["organisation_name"]: r["id"] for r in store.returns_for_cycle(db, cycle_id)}
        _answer_with_actions(db, returns["Alder Police"], key, "wdvf-2018-01", [
            (OVERDUE, "Head of training", "2020-01-31", "in-progress"),
            ("Publish the policy", "Policy lead", "2020-02-28", "done"),
        ])
        _answer_with_actions(db, returns["Alder Police"], key, "wdvf-2018-03", [
            ("Ask the routine question", "Safeguarding lead", "2099-03-31", "not-started")])
        _answer_with_actions(db, returns["Elm Police"], key, "wdvf-2018-02",
                             [("Adopt a workplace policy", "HR director", "2099-01-31", "in-progress")])
        for name in ("Birch Police", "Cedar Police", "Damson Police"):
            _answer_with_actions(db, returns[name], key, "wdvf-2018-01",
                                 [(f"{name} left out", "Nobody", "2020-01-01", "in-progress")])
        for name in ("Alder Police", "Elm Police", "Birch Police", "Damson Police"):
            _submit(db, returns[name], signer)
        store.accept_return(db, returns["Elm Police"], actor=store.SYSTEM, now=NOW)
        store.return_for_amendment(db, returns["Birch Police"], "Please say more.", actor=store.SYSTEM, now=NOW)
        damson = store.organisation(db, orgs["Damson Police"])
        membership.change_organisation(db, damson["id"], {**damson, "active": 0}, actor=store.SYSTEM, now=NOW)
    return app, {"cycle": cycle_id, "orgs": orgs, "key": key}


def _client(app, who="board"):
    client = app.test_client()
    assert sign_in(client, f"{who}@actions.example").status_code == 302
    return client


def _rows(html: str) -> list[list[str]]:
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S)
    if body is None:
        return []
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>",
                                                                                   row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_action_of_the_signed_returns_and_no_other(world):
    app, ids = world
    html = _client(app).get(f"/cycles/{ids['cycle']}/actions").get_data(as_text=True)
    rows = _rows(html)
    assert [row[0] for row in rows] == ["Alder Police"] * 3 + ["Elm Police"]
    assert not any("left out" in " ".join(row) for row in rows), "no action from a return in progress, sent back " \
                                                                 "or withdrawn"
    assert rows[0][1] == "WDVF protocol 2018 1 Policy for service users"
    assert rows[0][2:] == [OVERDUE.replace('"', "&#34;"), "Head of training", "31 January 2020 Overdue", "In progress"]
    assert rows[1][4:] == ["28 February 2020", "Done"], "an action done is never overdue, however late"
    assert rows[2][1].startswith("WDVF protocol 2018 3 ") and rows[2][4:] == ["31 March 2099", "Not started"]
    text = _text(html)
    assert "4 actions, 1 overdue" in text
    assert "From the signed returns of 2 of 4 organisations" in text, "the withdrawn return is counted nowhere"
    assert f'href="/organisations/{ids["orgs"]["Alder Police"]}"' in html


def test_the_filters_narrow_the_list_and_the_counts_say_so(world):
    app, ids = world
    client = _client(app, "auditor")
    base = f"/cycles/{ids['cycle']}/actions"

    def shown(query):
        html = client.get(base + query).get_data(as_text=True)
        return [row[2] for row in _rows(html)], _text(html)

    actions, text = shown("?overdue=yes")
    assert actions == [OVERDUE.replace('"', "&#34;")]
    assert "1 action, 1 overdue match these filters" in text and "In all: 4 actions, 1 overdue" in text
    assert shown(f"?organisation={ids['orgs']['Elm Police']}")[0] == ["Adopt a workplace policy"]
    assert shown("?status=done")[0] == ["Publish the policy"]
    assert shown(f"?requirement={PROTOCOL}/wdvf-2018-03")[0] == ["Ask the routine question"]
    assert len(shown(f"?requirement={PROTOCOL}")[0]) == 4
    actions, text = shown("?status=done&overdue=yes")
    assert actions == [] and "No actions match these filters" in text
    # values not on offer are ignored rather than refused
    assert len(shown("?status=lost&organisation=x&requirement=nope/none&overdue=maybe")[0]) == 4


def test_the_csv_holds_the_filtered_rows_with_formulas_made_inert(world):
    app, ids = world
    client = _client(app, "admin")
    response = client.get(f"/cycles/{ids['cycle']}/actions.csv?requirement={PROTOCOL}/wdvf-2018-01")
    assert response.headers["Content-Disposition"] == 'attachment; filename="improvement-actions-2030-31-filtered.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Cycle", "Organisation", "Framework", "Ref", "Requirement", "Action", "Owner", "Due date",
                       "Status", "Overdue"]
    assert rows[1:] == [
        ["2030/31", "Alder Police", "WDVF protocol 2018", "1", "Policy for service users", "'" + OVERDUE,
         "Head of training", "31 January 2020", "In progress", "Overdue"],
        ["2030/31", "Alder Police", "WDVF protocol 2018", "1", "Policy for service users", "Publish the policy",
         "Policy lead", "28 February 2020", "Done", ""]]
    whole = client.get(f"/cycles/{ids['cycle']}/actions.csv")
    assert whole.headers["Content-Disposition"].endswith('filename="improvement-actions-2030-31.csv"')
    assert len(list(csv.reader(io.StringIO(whole.get_data(as_text=True))))) == 5


def test_the_service_gives_the_board_pack_the_same_rows(world):
    app, ids = world
    with app.app_context():
        db = get_db()
        plan = action_service.partnership_actions(db, store.cycle(db, ids["cycle"]), today=NOW.date())
    assert [(a.organisation, a.ref, a.owner, a.due_date, a.status, a.overdue) for a in plan.actions] == [
        ("Alder Police", "1", "Head of training", "2020-01-31", "in-progress", True),
        ("Alder Police", "1", "Policy lead", "2020-02-28", "done", False),
        ("Alder Police", "3", "Safeguarding lead", "2099-03-31", "not-started", False),
        ("Elm Police", "2", "HR director", "2099-01-31", "in-progress", False)]
    assert (plan.total, plan.total_overdue, plan.signed_returns, plan.returns) == (4, 1, 2, 4)


def test_board_members_find_it_in_the_navigation_and_from_the_matrix(world):
    app, ids = world
    client = _client(app)
    home = client.get("/home").get_data(as_text=True)
    assert re.search(r'<a class="govuk-service-navigation__link" href="/actions"[^>]*>\s*Improvement actions', home)
    assert client.get("/actions").headers["Location"] == f"/cycles/{ids['cycle']}/actions"
    matrix = client.get(f"/cycles/{ids['cycle']}/matrix").get_data(as_text=True)
    assert f'href="/cycles/{ids["cycle"]}/actions"' in matrix
    for name, organisation_id in ids["orgs"].items():
        if name != "Damson Police":  # withdrawn: named above the matrix, in no row
            assert f'href="/organisations/{organisation_id}">{name}</a>' in matrix
    page = client.get(f"/cycles/{ids['cycle']}/actions").get_data(as_text=True)
    active = re.findall(r'<li class="govuk-service-navigation__item[^"]*--active.*?</li>', page, re.S)
    assert len(active) == 1 and "Improvement actions" in active[0], "the action plan is its own item, not Cycles"


def test_before_any_cycle_the_page_says_so(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        store.create_user(get_db(), email="board@actions.example", name="Board", role="board", organisation_id=None,
                          password_hash=password_hash(), actor=store.SYSTEM, now=NOW)
    response = _client(app).get("/actions")
    assert response.status_code == 200 and "There is no cycle yet" in response.get_data(as_text=True)


def test_an_organisations_own_people_never_reach_it(world):
    app, ids = world
    client = _client(app, "editor")
    assert client.get(f"/cycles/{ids['cycle']}/actions").status_code == 403
    assert client.get(f"/cycles/{ids['cycle']}/actions.csv").status_code == 403
    assert "/actions" not in client.get("/home").get_data(as_text=True)
