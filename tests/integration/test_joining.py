"""Organisations joining an open cycle: added on the form, imported, made active again, or added from the cycle's
"Add organisations to this cycle" page; each gets one return asking what applies to its sector, logged."""
from __future__ import annotations

import io
import json
import re

from compliance import store
from compliance.core.text import long_date
from compliance.services import returns as return_service
from compliance.web.requests import get_db
from tests.builders import NOW, db_of, page_text, signed_in, token_from

COORDINATOR = "coordinator@demo.example"


def open_cycle(app) -> dict:
    with app.app_context():
        return next(c for c in store.cycles(get_db()) if c["status"] == "open")


def closed_cycle(app) -> dict:
    with app.app_context():
        return next(c for c in store.cycles(get_db()) if c["status"] == "closed")


def returns_of(app, cycle_id: int) -> dict[str, dict]:
    with app.app_context():
        return {r["organisation_name"]: r for r in store.returns_for_cycle(get_db(), cycle_id)}


def audit(app, action: str) -> list[dict]:
    return [e for e in store.audit_entries(db_of(app), action=action)]


def add_organisation(client, **values):
    data = {"csrf_token": token_from(client, "/organisations/new"), "name": "Northfield Council", "sector":
            "local-authority", "contact_name": "", "contact_email": "", "status": "active", **values}
    return client.post("/organisations/new", data=data, follow_redirects=True)


def test_an_organisation_added_while_a_cycle_is_open_gets_its_return_there(demo_app):
    cycle = open_cycle(demo_app)
    admin = signed_in(demo_app, COORDINATOR)
    form = admin.get("/organisations/new").get_data(as_text=True)
    assert f"It will get a return in the open {cycle['name']} cycle, due {long_date(cycle['due_date'])}" in form
    html = add_organisation(admin).get_data(as_text=True)
    assert (f"Northfield Council has been added. It has a return in the {cycle['name']} cycle, due "
            f"{long_date(cycle['due_date'])}") in html
    returns = returns_of(demo_app, cycle["id"])
    assert len(returns) == 14
    added = returns["Northfield Council"]
    assert added["status"] == "not-started" and added["withdrawn_at"] is None
    with demo_app.app_context():
        asked = return_service.load_return(get_db(), added["id"]).requirements()
    assert len(asked) == 16 + 11, "a local authority answers BVPI 225 too"
    [entry] = audit(demo_app, "return-added-late")
    assert entry["object_id"] == str(added["id"]) and entry["organisation_id"] == added["organisation_id"]
    assert entry["actor"] == COORDINATOR and json.loads(entry["new_value"])["sector"] == "local-authority"
    cycle_page = admin.get(f"/cycles/{cycle['id']}").get_data(as_text=True)
    assert "Showing all 14 returns" in cycle_page and "Northfield Council" in cycle_page
    matrix = admin.get(f"/cycles/{cycle['id']}/matrix").get_data(as_text=True)
    assert "Northfield Council, requirement 1: not submitted" in matrix


def test_an_organisation_added_as_archived_gets_no_return(demo_app):
    cycle = open_cycle(demo_app)
    admin = signed_in(demo_app, COORDINATOR)
    html = add_organisation(admin, status="archived").get_data(as_text=True)
    assert "Northfield Council has been added" in html and "has a return" not in html
    assert len(returns_of(demo_app, cycle["id"])) == 13 and audit(demo_app, "return-added-late") == []


def test_no_return_is_made_in_a_closed_cycle(demo_app):
    before = closed_cycle(demo_app)
    add_organisation(signed_in(demo_app, COORDINATOR))
    assert "Northfield Council" not in returns_of(demo_app, before["id"])


def test_each_imported_organisation_gets_its_return_in_the_same_transaction(demo_app):
    cycle = open_cycle(demo_app)
    admin = signed_in(demo_app, COORDINATOR)
    csv = b"name,sector,contact_name,contact_email\nFernbrook Homes,housing,,\nAshby Police,Police,,\n"
    response = admin.post("/organisations/import", follow_redirects=True, content_type="multipart/form-data",
                          data={"csrf_token": token_from(admin, "/organisations/import"),
                                "file": (io.BytesIO(csv), "organisations.csv")})
    html = response.get_data(as_text=True)
    assert (f"2 organisations imported. 2 organisations have a return in the {cycle['name']} cycle, due "
            f"{long_date(cycle['due_date'])}: Fernbrook Homes and Ashby Police") in html
    returns = returns_of(demo_app, cycle["id"])
    assert {"Ashby Police", "Fernbrook Homes"} <= set(returns) and len(returns) == 15
    assert len(audit(demo_app, "return-added-late")) == 2


def test_a_late_return_past_the_due_date_is_said_to_be_overdue(demo_app):
    cycle = open_cycle(demo_app)
    with demo_app.app_context():
        get_db()["cycles"].update(cycle["id"], {"due_date": "2020-06-30", "open_date": "2020-04-01"})
    html = add_organisation(signed_in(demo_app, COORDINATOR)).get_data(as_text=True)
    assert f"It has a return in the {cycle['name']} cycle, which was due 30 June 2020: it is overdue" in html


# The cycle's own page to add organisations -------------------------------------------------------------------------


def test_every_active_organisation_has_a_return_so_there_is_nothing_to_add(demo_app):
    cycle = open_cycle(demo_app)
    admin = signed_in(demo_app, COORDINATOR)
    assert f"/cycles/{cycle['id']}/organisations" in admin.get(f"/cycles/{cycle['id']}").get_data(as_text=True)
    response = admin.get(f"/cycles/{cycle['id']}/organisations")
    assert response.status_code == 200 and page_text(response).h1 == "Add organisations to this cycle"
    html = response.get_data(as_text=True)
    assert f"Every active organisation has a return in {cycle['name']}" in html and "Add to the cycle" not in html


def test_the_coordinator_adds_organisations_that_have_no_return(demo_app):
    cycle = open_cycle(demo_app)
    with demo_app.app_context():  # added before organisations joined open cycles by themselves: no return
        db = get_db()
        joiner = store.add_organisation(db, {"name": "Greenfield Fire", "sector": "fire-and-rescue"},
                                        actor=store.SYSTEM, now=NOW)
        store.add_organisation(db, {"name": "Gone Away Trust", "sector": "housing", "active": 0},
                               actor=store.SYSTEM, now=NOW)
    admin = signed_in(demo_app, COORDINATOR)
    path = f"/cycles/{cycle['id']}/organisations"
    html = admin.get(path).get_data(as_text=True)
    assert "Greenfield Fire" in html and "Fire and rescue" in html, "listed with its sector"
    assert "Gone Away Trust" not in html and "Greenway Homes" not in html
    response = admin.post(path, data={"csrf_token": token_from(admin, path), "organisations": [str(joiner)]})
    assert response.status_code == 302 and response.headers["Location"] == f"/cycles/{cycle['id']}"
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert (f"Greenfield Fire has a return in the {cycle['name']} cycle, due {long_date(cycle['due_date'])}"
            in page)
    assert returns_of(demo_app, cycle["id"])["Greenfield Fire"]["status"] == "not-started"
    assert len(audit(demo_app, "return-added-late")) == 1
    again = admin.post(path, data={"csrf_token": token_from(admin, path), "organisations": [str(joiner)]})
    assert again.status_code == 200 and "not a valid choice" in again.get_data(as_text=True).lower()
    assert len(returns_of(demo_app, cycle["id"])) == 14, "never a second return"


def test_choosing_nobody_says_what_to_do(demo_app):
    cycle = open_cycle(demo_app)
    with demo_app.app_context():
        store.add_organisation(get_db(), {"name": "Greenfield Fire", "sector": "fire-and-rescue"},
                               actor=store.SYSTEM, now=NOW)
    admin = signed_in(demo_app, COORDINATOR)
    path = f"/cycles/{cycle['id']}/organisations"
    response = admin.post(path, data={"csrf_token": token_from(admin, path)})
    assert response.status_code == 200 and page_text(response).title.startswith("Error: ")
    assert "Select at least one organisation to add to the cycle" in response.get_data(as_text=True)
    assert "Greenfield Fire" not in returns_of(demo_app, cycle["id"])


def test_only_an_open_cycle_takes_organisations(demo_app):
    closed = closed_cycle(demo_app)
    admin = signed_in(demo_app, COORDINATOR)
    response = admin.get(f"/cycles/{closed['id']}/organisations", follow_redirects=True)
    assert f"Cycle {closed['name']} is not open: no organisation can be added to it now" in response.get_data(
        as_text=True)
    assert "Add organisations to this cycle" not in admin.get(f"/cycles/{closed['id']}").get_data(as_text=True)
    assert signed_in(demo_app, "board@demo.example").get(f"/cycles/{closed['id']}/organisations").status_code == 403


def test_a_sector_a_cycle_asks_nothing_gets_no_return_there_and_is_told_so(demo_app):
    this_year = open_cycle(demo_app)
    with demo_app.app_context():  # a second open cycle, of BVPI 225 alone: for local authorities only
        db = get_db()
        keys = [row["key"] for row in store.framework_rows(db) if row["id"] == "bvpi-225"]
        bvpi = store.create_cycle(db, name="2031/32", open_date="2031-04-01", due_date="2031-06-30",
                                  declaration="I confirm.", framework_keys=keys, actor=store.SYSTEM, now=NOW)
        return_service.open_cycle(db, bvpi, actor=store.SYSTEM, now=NOW)
    admin = signed_in(demo_app, COORDINATOR)
    html = add_organisation(admin, name="Ashby Police", sector="police").get_data(as_text=True)
    assert (f"It has a return in the {this_year['name']} cycle, due {long_date(this_year['due_date'])}. No "
            "framework in 2031/32 asks anything of its sector, so it has no return there") in html
    assert "Ashby Police" not in returns_of(demo_app, bvpi)
    page = admin.get(f"/cycles/{bvpi}/organisations").get_data(as_text=True)
    assert re.search(r"Ashby Police, Brackenford College, [^<]*: no framework in 2031/32 asks anything of their "
                     r"sectors, so they have no return to complete", page)
    assert "Every other active organisation has a return in 2031/32" in page and "Add to the cycle" not in page
