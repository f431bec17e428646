"""The audit trail: admin and auditors see every change, filter it, and download it as spreadsheet-safe CSV."""
from __future__ import annotations

import csv
import io
import sqlite3
from datetime import datetime, timezone

import pytest

from compliance import store
from compliance.web.requests import get_db
from tests.builders import db_of, signed_in

AUDITOR = "auditor@demo.example"


def _rows(client, query: str = "") -> list[list[str]]:
    response = client.get(f"/audit-trail.csv{query}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_trail_lists_sign_ins_and_answer_changes(demo_app):
    page = signed_in(demo_app, AUDITOR).get("/audit-trail")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Audit trail</h1>" in text
    assert '<td class="govuk-table__cell">signed-in</td>' in text and "answer-changed" in text and "of 1," in text
    assert "Next" in text and "page=2" in text


def test_admin_sees_it_too_and_home_links_to_it(demo_app):
    admin = signed_in(demo_app, "coordinator@demo.example")
    assert admin.get("/audit-trail").status_code == 200
    assert "/audit-trail" in admin.get("/home").get_data(as_text=True)
    assert "/audit-trail" not in signed_in(demo_app, "board@demo.example").get("/home").get_data(as_text=True)


def test_filters_by_organisation_person_kind_and_date(demo_app):
    client = signed_in(demo_app, AUDITOR)
    with demo_app.app_context():
        police = store.organisation_named(get_db(), "Brackenford Police")
    header, *rows = _rows(client, f"?organisation={police['id']}")
    assert rows and {row[header.index("organisation")] for row in rows} == {"Brackenford Police"}
    header, *rows = _rows(client, "?person=SIGNATORY.POLICE")
    assert rows and {row[1] for row in rows} == {"signatory.police@demo.example"}
    header, *rows = _rows(client, "?kind=answer-changed")
    assert rows and {row[2] for row in rows} == {"answer-changed"}
    today = datetime.now(timezone.utc).date().isoformat()
    assert any(row[2] == "signed-in" for row in _rows(client, f"?date_from={today}&date_to={today}")[1:])
    assert _rows(client, "?date_from=2001-01-01&date_to=2001-12-31")[1:] == []
    page = client.get(f"/audit-trail?kind=answer-changed&organisation={police['id']}").get_data(as_text=True)
    cell = '<td class="govuk-table__cell">{}</td>'.format
    assert cell("signed-in") not in page and cell("answer-changed") in page and "Clear filters" in page


def test_a_bad_date_says_how_to_fix_it_and_is_ignored(demo_app):
    response = signed_in(demo_app, AUDITOR).get("/audit-trail?date_from=31/02/2026&date_to=2026-02-31")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<title>Error: Audit trail" in text and "govuk-error-summary" in text
    assert "From date must be a real date written year-month-day, like 2026-04-01" in text
    assert "To date must be a real date" in text and "answer-changed" in text


def test_pages_keep_the_filters(demo_app):
    client = signed_in(demo_app, AUDITOR)
    text = client.get("/audit-trail?person=coordinator&page=2").get_data(as_text=True)
    assert "person=coordinator&amp;page=1" in text and "person=coordinator&amp;page=3" in text
    assert client.get("/audit-trail?page=999").status_code == 200


def test_the_csv_is_an_attachment_whose_cells_cannot_run_as_formulas(demo_app):
    with demo_app.app_context():
        store.record(get_db(), store.Actor(None, "=cmd|' /C calc'!A0"), action="=evil", object_type="@thing",
                     new={"title": '=HYPERLINK("x")'}, now=datetime.now(timezone.utc))
        get_db().conn.commit()
    client = signed_in(demo_app, AUDITOR)
    response = client.get("/audit-trail.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit-trail.csv"'
    assert response.mimetype == "text/csv"
    header, *rows = _rows(client)
    assert header == ["at", "actor", "action", "object_type", "object_id", "organisation", "old_value",
                      "new_value", "address"]
    hostile = next(row for row in rows if "calc" in row[1])
    assert hostile[1:4] == ["'=cmd|' /C calc'!A0", "'=evil", "'@thing"]
    assert hostile[7] == '{"title": "=HYPERLINK(\\"x\\")"}'
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    page = client.get("/audit-trail?person=calc").get_data(as_text=True)
    assert "=cmd|&#39; /C calc&#39;!A0" in page and "=HYPERLINK(\\&#34;x\\&#34;)" in page


def test_the_log_stays_append_only(demo_app):
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db_of(demo_app).execute("UPDATE audit_log SET actor = 'someone else'")


def test_times_read_in_london_time(demo_app):
    summer = datetime(2026, 6, 30, 13, 7, tzinfo=timezone.utc)  # 2:07pm in London (BST)
    with demo_app.app_context():
        store.record(get_db(), store.SYSTEM, action="london-time-check", object_type="cycle", now=summer)
    page = signed_in(demo_app, "coordinator@demo.example").get("/audit-trail").get_data(as_text=True)
    assert "30 June 2026 at 2:07pm" in page and "2026-06-30 13:07" not in page and "UTC" not in page
