"""Organisations leaving an open cycle: archived, their return there is withdrawn (kept whole, read-only, shown as
"Withdrawn") and left out of every figure; made active again while the cycle is open, the same return comes back."""
from __future__ import annotations

import csv
import io
import json
import re

from openpyxl import load_workbook

from compliance import store
from compliance.core.text import long_date
from compliance.render.exports import HEADER_ROW
from compliance.services import boardpack_jobs as jobs
from compliance.services import matrix as matrix_service
from compliance.web.requests import get_db
from tests.builders import NOW, SECTORS, db_of, signed_in, token_from

COORDINATOR = "coordinator@demo.example"


def cycles(app) -> tuple[dict, dict]:
    """This year's open cycle and last year's closed one."""
    with app.app_context():
        found = store.cycles(get_db())
    return (next(c for c in found if c["status"] == "open"), next(c for c in found if c["status"] == "closed"))


def returns_of(app, cycle_id: int) -> dict[str, dict]:
    with app.app_context():
        return {r["organisation_name"]: r for r in store.returns_for_cycle(get_db(), cycle_id)}


def organisation_id(app, name: str) -> int:
    with app.app_context():
        return store.organisation_named(get_db(), name)["id"]


def set_status(client, app, name: str, status: str):
    """Archive or reactivate an organisation through its form; the page it lands on."""
    with app.app_context():
        found = store.organisation_named(get_db(), name)
    path = f"/organisations/{found['id']}/edit"
    return client.post(path, follow_redirects=True, data={
        "csrf_token": token_from(client, path), "name": found["name"], "sector": found["sector"],
        "contact_name": found["contact_name"] or "", "contact_email": found["contact_email"] or "", "status": status})


def table_rows(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    return [[" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]]


def figures(app, client, cycle: dict) -> dict:
    """Every figure that counts a cycle's returns, as the board and the coordinator read them."""
    base = f"/cycles/{cycle['id']}"
    matrix_csv = list(csv.reader(io.StringIO(client.get(f"{base}/matrix.csv").get_data(as_text=True))))
    book = load_workbook(io.BytesIO(client.get(f"{base}/matrix.xlsx").data))
    progress = client.get(f"{base}/progress").get_data(as_text=True)
    listed = client.get("/cycles").get_data(as_text=True)
    register = client.get(f"/evidence-register.csv?cycle={cycle['id']}").get_data(as_text=True)
    with app.app_context():
        db = get_db()
        matrix = matrix_service.cycle_matrix(db, cycle, sectors=SECTORS)
        job_id = store.create_job(db, kind=jobs.BOARD_PACK, cycle_id=cycle["id"], created_by=None, now=NOW)
    jobs.run_board_pack(app.config["DATABASE"], job_id, folder=jobs.board_pack_folder(app), partnership="WDVF",
                        sectors=SECTORS)
    with app.app_context():
        statements = store.job(get_db(), job_id)["total"]
    asked = max(c.counts.green + c.counts.amber + c.counts.red + c.counts.na + c.counts.missing for c in matrix.columns)
    return {"matrix rows": len(matrix.rows), "most asked column": asked,
            "csv organisations": len({row[1] for row in matrix_csv[1:]}),
            "xlsx rows": book["Matrix"].max_row - HEADER_ROW,
            "progress": {label: int(n) for label, n in table_rows(progress, "status-counts")},
            "cycles list": re.search(rf">{re.escape(cycle['name'])}</a>.*?(\d+ of \d+)", listed, re.S).group(1),
            "register rows": len(list(csv.reader(io.StringIO(register)))) - 1, "board pack statements": statements}


def test_the_form_says_what_archiving_will_do_and_the_flash_confirms_it(demo_app):
    this_year, last_year = cycles(demo_app)
    admin = signed_in(demo_app, COORDINATOR)
    greenway = organisation_id(demo_app, "Greenway Homes")
    form = admin.get(f"/organisations/{greenway}/edit").get_data(as_text=True)
    assert f"Its return for {this_year['name']} will be withdrawn: kept, but left out of every figure." in form
    before = returns_of(demo_app, this_year["id"])["Greenway Homes"]
    html = set_status(admin, demo_app, "Greenway Homes", "archived").get_data(as_text=True)
    assert (f"Changes to Greenway Homes saved. Its return for {this_year['name']} has been withdrawn: kept, but "
            "left out of every figure") in html
    after = returns_of(demo_app, this_year["id"])["Greenway Homes"]
    assert after["withdrawn_at"] and {**after, "withdrawn_at": None} == before, "kept exactly as it was"
    with demo_app.app_context():
        assert len(store.return_versions(get_db(), after["id"])) == 1
    assert returns_of(demo_app, last_year["id"])["Greenway Homes"]["withdrawn_at"] is None, "closed cycles stay"
    [entry] = store.audit_entries(db_of(demo_app), action="return-withdrawn")
    assert entry["object_id"] == str(after["id"]) and entry["organisation_id"] == greenway
    assert entry["actor"] == COORDINATOR and json.loads(entry["new_value"])["status"] == "accepted"
    trail = admin.get("/audit-trail?kind=return-withdrawn").get_data(as_text=True)
    assert f"withdrew Greenway Homes&#39; {this_year['name']} return" in trail


def test_a_withdrawn_return_counts_in_no_figure_and_comes_back_when_the_organisation_does(demo_app):
    this_year, _ = cycles(demo_app)
    admin = signed_in(demo_app, COORDINATOR)
    before = figures(demo_app, admin, this_year)
    set_status(admin, demo_app, "Greenway Homes", "archived")  # accepted, with evidence
    after = figures(demo_app, admin, this_year)
    for name in ("matrix rows", "most asked column", "csv organisations", "xlsx rows", "board pack statements"):
        assert after[name] == before[name] - 1, name
    assert after["progress"]["Accepted"] == before["progress"]["Accepted"] - 1
    submitted, total = (int(n) for n in before["cycles list"].split(" of "))
    assert after["cycles list"] == f"{submitted - 1} of {total - 1}"
    assert after["register rows"] < before["register rows"]
    matrix = admin.get(f"/cycles/{this_year['id']}/matrix").get_data(as_text=True)
    assert "Greenway Homes, requirement 1:" not in matrix
    assert "Left out of the matrix and every figure: Greenway Homes" in matrix
    progress = admin.get(f"/cycles/{this_year['id']}/progress").get_data(as_text=True)
    assert re.search(r'id="withdrawn">Not counted: <a[^>]*>Greenway Homes</a>', progress)

    form = admin.get(f"/organisations/{organisation_id(demo_app, 'Greenway Homes')}/edit").get_data(as_text=True)
    assert f"Its withdrawn return for {this_year['name']} will come back, with everything in it." in form
    withdrawn = returns_of(demo_app, this_year["id"])["Greenway Homes"]
    html = set_status(admin, demo_app, "Greenway Homes", "active").get_data(as_text=True)
    assert (f"Its return for {this_year['name']} is back, with everything in it, due "
            f"{long_date(this_year['due_date'])}") in html
    back = returns_of(demo_app, this_year["id"])
    assert len(back) == 13 and back["Greenway Homes"] == {**withdrawn, "withdrawn_at": None}, "the same return"
    assert figures(demo_app, admin, this_year) == before
    [entry] = store.audit_entries(db_of(demo_app), action="return-reinstated")
    assert entry["object_id"] == str(withdrawn["id"])
    assert store.audit_entries(db_of(demo_app), action="return-added-late") == []


def test_a_withdrawn_return_is_offered_no_reminder_and_is_never_overdue(demo_app):
    this_year, _ = cycles(demo_app)
    with demo_app.app_context():
        get_db()["cycles"].update(this_year["id"], {"due_date": "2020-06-30", "open_date": "2020-04-01"})
    admin = signed_in(demo_app, COORDINATOR)
    police = returns_of(demo_app, this_year["id"])["Brackenford Police"]  # in progress
    path = f"/cycles/{this_year['id']}/progress"
    assert 'id="overdue"' in admin.get(path).get_data(as_text=True)
    set_status(admin, demo_app, "Brackenford Police", "archived")
    html = admin.get(path).get_data(as_text=True)
    overdue = re.search(r'<ul[^>]*id="overdue".*?</ul>', html, re.S).group(0)
    assert "Brackenford Police" not in overdue
    assert f'value="{police["organisation_id"]}"' not in html, "not offered a reminder"
    response = admin.post(f"/cycles/{this_year['id']}/reminders",
                          data={"csrf_token": token_from(admin, path), "organisations": [police["organisation_id"]]})
    assert response.status_code == 200 and "not a valid choice" in response.get_data(as_text=True).lower()
    assert store.audit_entries(db_of(demo_app), action="reminder-sent") == []


def test_a_withdrawn_return_is_read_only_and_shown_as_withdrawn_to_its_organisation(demo_app):
    this_year, _ = cycles(demo_app)
    admin = signed_in(demo_app, COORDINATOR)
    police = returns_of(demo_app, this_year["id"])["Brackenford Police"]  # in progress
    set_status(admin, demo_app, "Brackenford Police", "archived")
    admin.post(f"/cycles/{this_year['id']}/close", data={"csrf_token": token_from(admin, f"/cycles/{this_year['id']}"),
                                                         "confirm": "yes"})
    html = set_status(admin, demo_app, "Brackenford Police", "active").get_data(as_text=True)
    assert "is back" not in html and "has a return" not in html, "a closed cycle's return stays withdrawn"
    assert returns_of(demo_app, this_year["id"])["Brackenford Police"]["withdrawn_at"]
    editor = signed_in(demo_app, "editor.police@demo.example")
    home = editor.get("/home").get_data(as_text=True)
    assert f">{this_year['name']}</a>: withdrawn" in home
    overview = editor.get(f"/returns/{police['id']}").get_data(as_text=True)
    assert re.search(r'govuk-tag--grey">\s*Withdrawn\s*<', overview) and "Overdue" not in overview
    assert "left out of every figure" in overview and f"/returns/{police['id']}/wdvf" not in overview
    organisation = editor.get(f"/organisations/{police['organisation_id']}").get_data(as_text=True)
    assert re.search(r"Withdrawn\s*</strong>", organisation)


def test_an_editor_cannot_change_a_withdrawn_return_while_the_cycle_is_open(demo_app):
    this_year, _ = cycles(demo_app)
    police = returns_of(demo_app, this_year["id"])["Brackenford Police"]
    with demo_app.app_context():
        store.withdraw_return(get_db(), police, actor=store.SYSTEM, now=NOW)
    editor = signed_in(demo_app, "editor.police@demo.example")
    path = f"/returns/{police['id']}/wdvf-overarching-protocol-2018/wdvf-2018-01"
    page = editor.get(path)
    assert page.status_code == 409 and "was withdrawn on" in page.get_data(as_text=True)
    before = returns_of(demo_app, this_year["id"])["Brackenford Police"]
    response = editor.post(path, data={"csrf_token": token_from(editor, "/home"), "rating": "met",
                                       "narrative": "Changed after withdrawal", "revision": "0"})
    assert response.status_code == 409 and "Changed after withdrawal" in response.get_data(as_text=True)
    assert returns_of(demo_app, this_year["id"])["Brackenford Police"] == before


def test_the_coordinator_cannot_accept_a_withdrawn_return(demo_app):
    this_year, _ = cycles(demo_app)
    admin = signed_in(demo_app, COORDINATOR)
    probation = returns_of(demo_app, this_year["id"])["Brackenford Probation Delivery Unit"]  # submitted
    set_status(admin, demo_app, "Brackenford Probation Delivery Unit", "archived")
    overview = admin.get(f"/returns/{probation['id']}").get_data(as_text=True)
    assert "Accept this return" not in overview and "make Brackenford Probation Delivery Unit active again" in overview
    assert "Check the evidence of this return" not in overview, "auditors are not asked to check it"
    response = admin.post(f"/returns/{probation['id']}/accept", follow_redirects=True,
                          data={"csrf_token": token_from(admin, f"/returns/{probation['id']}")})
    assert "was withdrawn when the organisation was archived: it can no longer be accepted" in response.get_data(
        as_text=True)
    assert returns_of(demo_app, this_year["id"])["Brackenford Probation Delivery Unit"]["status"] == "submitted"
