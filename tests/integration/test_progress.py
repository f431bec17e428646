"""The board's charts and a cycle's progress on the demo partnership; reminders through a real SMTP server."""
from __future__ import annotations

import re
from datetime import date, timedelta

from compliance import store
from compliance.core.returns import EDITABLE, RETURN_STATUSES
from compliance.core.scoring import format_percent
from compliance.render.charts import partnership_percent
from compliance.services import matrix as matrix_service
from compliance.web.requests import get_db
from tests.builders import SECTORS, demo_app, page_text, signed_in, token_from
from tests.mailserver import MailServer


def open_cycle(app):
    with app.app_context():
        return next(c for c in store.cycles(get_db()) if c["status"] == "open")


def table_rows(html, table_id):
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells])
    return rows


def test_the_charts_show_the_same_figures_as_the_matrix(demo_app):
    cycle = open_cycle(demo_app)
    board = signed_in(demo_app, "board@demo.example")
    response = board.get(f"/cycles/{cycle['id']}/charts")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and page_text(response).h1 == "Charts"
    assert html.count('role="img"') == 2 and "style=" not in re.sub(r"<link[^>]*>", "", html)
    with demo_app.app_context():
        db = get_db()
        columns = matrix_service.cycle_matrix(db, cycle, sectors=SECTORS).columns
        cycles = [c for c in reversed(store.cycles(db)) if c["status"] != "draft"]
        # each cycle's partnership % met, worked out from its whole matrix as it was before the charts counted
        # without building it: the figures must not change
        expected = [format_percent(partnership_percent(matrix_service.cycle_matrix(db, c, sectors=SECTORS).columns))
                    for c in cycles]
    rows = table_rows(html, "requirement-figures")
    assert len(rows) == len(columns)
    for row, column in zip(rows, columns):
        c = column.counts
        assert row[0].endswith(column.requirement.ref)
        assert row[2:8] == [str(c.green), str(c.amber), str(c.red), str(c.na), str(c.missing), str(c.not_returned)]
        assert row[8] == ("No figure" if c.percent_met is None else column.percent_text)
    trend = table_rows(html, "trend-figures")
    assert [r[0] for r in trend] == [c["name"] + ("" if c["status"] == "closed" else " (provisional)") for c in cycles]
    assert "Provisional" in html, "the open cycle's figures say they are provisional"
    assert all(r[1].endswith("%") or r[1] == "No figures" for r in trend)
    assert [r[1] for r in trend] == [("No figures" if e == "Not applicable" else e) for e in expected]


def test_the_matrix_and_the_cycle_link_to_the_charts_and_progress(demo_app):
    cycle = open_cycle(demo_app)
    admin = signed_in(demo_app, "coordinator@demo.example")
    assert f"/cycles/{cycle['id']}/charts" in admin.get(f"/cycles/{cycle['id']}/matrix").get_data(as_text=True)
    page = admin.get(f"/cycles/{cycle['id']}").get_data(as_text=True)
    assert f"/cycles/{cycle['id']}/charts" in page and f"/cycles/{cycle['id']}/progress" in page


def test_progress_counts_each_status_and_lists_the_overdue(demo_app):
    cycle = open_cycle(demo_app)
    with demo_app.app_context():
        db = get_db()
        db["cycles"].update(cycle["id"], {"due_date": (date.today() - timedelta(days=3)).isoformat()})
        returns = store.returns_for_cycle(db, cycle["id"])
    board = signed_in(demo_app, "board@demo.example")
    html = board.get(f"/cycles/{cycle['id']}/progress").get_data(as_text=True)
    counts = {label: int(n) for label, n in table_rows(html, "status-counts")}
    assert counts == {label: sum(1 for r in returns if r["status"] == code) for code, label in RETURN_STATUSES.items()}
    overdue = [r for r in returns if r["status"] in EDITABLE]
    assert overdue, "the demo has returns still being worked on"
    listed = re.search(r'<ul[^>]*id="overdue".*?</ul>', html, re.S).group(0)
    for ret in overdue:
        assert ret["organisation_name"].replace("'", "&#39;") in listed
    assert all(r["organisation_name"] not in listed for r in returns if r["status"] not in EDITABLE)


def test_the_board_sees_progress_but_cannot_send_reminders(demo_app):
    cycle = open_cycle(demo_app)
    board = signed_in(demo_app, "board@demo.example")
    html = board.get(f"/cycles/{cycle['id']}/progress").get_data(as_text=True)
    assert "Send reminders" not in html and "/reminders" not in html
    token = token_from(board, f"/cycles/{cycle['id']}/progress")
    refused = board.post(f"/cycles/{cycle['id']}/reminders", data={"csrf_token": token, "organisations": "1"})
    assert refused.status_code == 403


def test_choosing_no_organisation_keeps_the_error_on_the_page(demo_app):
    cycle = open_cycle(demo_app)
    admin = signed_in(demo_app, "coordinator@demo.example")
    page = admin.get(f"/cycles/{cycle['id']}/progress").get_data(as_text=True)
    assert "Send reminders" in page and "checked" not in re.search(r"<form.*?</form>", page, re.S).group(0)
    response = admin.post(f"/cycles/{cycle['id']}/reminders",
                          data={"csrf_token": token_from(admin, f"/cycles/{cycle['id']}/progress")})
    assert response.status_code == 200
    assert page_text(response).title.startswith("Error: ")
    assert "Select at least one organisation to remind" in response.get_data(as_text=True)


def test_an_organisation_that_has_submitted_cannot_be_chosen(demo_app):
    cycle = open_cycle(demo_app)
    with demo_app.app_context():
        done = next(r for r in store.returns_for_cycle(get_db(), cycle["id"]) if r["status"] not in EDITABLE)
    admin = signed_in(demo_app, "coordinator@demo.example")
    response = admin.post(f"/cycles/{cycle['id']}/reminders", data={
        "csrf_token": token_from(admin, f"/cycles/{cycle['id']}/progress"), "organisations": done["organisation_id"]})
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")


def test_reminders_reach_the_editor_and_signatory_and_are_audited(tmp_path):
    with MailServer() as server:
        app = demo_app(tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        cycle = open_cycle(app)
        with app.app_context():
            returns = {r["organisation_name"]: r for r in store.returns_for_cycle(get_db(), cycle["id"])}
        police = returns["Brackenford Police"]
        assert police["status"] in EDITABLE
        admin = signed_in(app, "coordinator@demo.example")
        response = admin.post(f"/cycles/{cycle['id']}/reminders", data={
            "csrf_token": token_from(admin, f"/cycles/{cycle['id']}/progress"),
            "organisations": [police["organisation_id"]]})
        assert response.status_code == 302 and response.headers["Location"] == f"/cycles/{cycle['id']}/progress"
        messages = server.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["editor.police@demo.example", "signatory.police@demo.example"]
    for message in messages:
        body = MailServer.body(message)
        assert "Brackenford Police" in body and cycle["name"] in body and cycle["name"] in message["Subject"]
        assert server.link_in(message, "/returns/") == f"/returns/{police['id']}"
    page = admin.get(f"/cycles/{cycle['id']}/progress").get_data(as_text=True)
    assert "Reminders sent to 2 people in 1 organisation" in page
    with app.app_context():
        entries = [e for e in store.audit_entries(get_db(), action="reminder-sent")]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["object_type"] == "return" and entry["object_id"] == str(police["id"])
    assert entry["organisation_id"] == police["organisation_id"]
    assert "editor.police@demo.example" in entry["new_value"] and "signatory.police@demo.example" in entry["new_value"]


def test_an_organisation_with_nobody_to_remind_is_named(demo_app):
    cycle = open_cycle(demo_app)
    with demo_app.app_context():
        db = get_db()
        police = next(r for r in store.returns_for_cycle(db, cycle["id"])
                      if r["organisation_name"] == "Brackenford Police")
        for person in store.users(db, organisation_id=police["organisation_id"]):
            db["users"].update(person["id"], {"active": 0})  # as if both had left
    admin = signed_in(demo_app, "coordinator@demo.example")
    admin.post(f"/cycles/{cycle['id']}/reminders", data={
        "csrf_token": token_from(admin, f"/cycles/{cycle['id']}/progress"),
        "organisations": [police["organisation_id"]]})
    page = admin.get(f"/cycles/{cycle['id']}/progress").get_data(as_text=True)
    assert "Reminders sent to 0 people in 0 organisations" in page
    assert "Brackenford Police has no editor or signatory to remind" in page
    with demo_app.app_context():
        assert store.audit_entries(get_db(), action="reminder-sent") == []


def test_without_the_services_address_no_reminder_is_sent_and_the_coordinator_is_told_how_to_set_it(tmp_path):
    app = demo_app(tmp_path, BASE_URL="")
    cycle = open_cycle(app)
    with app.app_context():
        police = next(r for r in store.returns_for_cycle(get_db(), cycle["id"])
                      if r["organisation_name"] == "Brackenford Police")
    admin = signed_in(app, "coordinator@demo.example")
    admin.post(f"/cycles/{cycle['id']}/reminders", data={
        "csrf_token": token_from(admin, f"/cycles/{cycle['id']}/progress"),
        "organisations": [police["organisation_id"]]})
    page = admin.get(f"/cycles/{cycle['id']}/progress").get_data(as_text=True)
    assert "No reminders were sent" in page and "COMPLIANCE_BASE_URL" in page
    with app.app_context():
        assert store.audit_entries(get_db(), action="reminder-sent") == []
        assert store.outbox_messages(get_db()) == []
