"""An organisation's page on the demo: its returns with every signed statement, and its ratings year on year,
for the board and for the organisation's own people (another organisation's people get 404)."""
from __future__ import annotations

import json
import re

from compliance import store
from compliance.web.requests import get_db
from tests.builders import NOW, signed_in


def _ids(app) -> dict:
    with app.app_context():
        db = get_db()
        names = ("Brackenford Police", "Brackenford Council Adult Social Care", "Greenway Homes")
        return {name: store.organisation_named(db, name)["id"] for name in names}


def _tables(html: str) -> dict[str, list[list[str]]]:
    """Each table by its caption: its rows' cells as text."""
    found = {}
    for table in re.findall(r"<table.*?</table>", html, re.S):
        caption = " ".join(re.sub(r"<[^>]+>", "", re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S)
                                  .group(1)).split())
        found[caption] = [[" ".join(re.sub(r"<[^>]+>", " ", cell).split())
                           for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
                          for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]
    return found


def _signed_ratings(app, organisation_id: int, cycle_name: str) -> dict[str, str]:
    """requirement id -> rating label, read straight from the standing signed version's canonical text."""
    with app.app_context():
        db = get_db()
        ret = next(r for r in store.returns_for_organisation(db, organisation_id) if r["cycle_name"] == cycle_name)
        document = json.loads(store.standing_version(db, ret["id"])["canonical"])
    return {a["requirement"]: a["rating_label"] for a in document["answers"]}


def test_the_board_reads_an_organisations_ratings_year_on_year(demo_app):
    ids = _ids(demo_app)
    with demo_app.app_context():
        last, this = sorted((c["name"] for c in store.cycles(get_db())))
    html = signed_in(demo_app, "board@demo.example").get(f"/organisations/{ids['Brackenford Police']}")
    tables = _tables(html.get_data(as_text=True))
    protocol = next(rows for caption, rows in tables.items() if caption.startswith("Over-Arching"))
    assert protocol[0] == ["Requirement", last, this]
    assert len(protocol) == 17, "the protocol's 16 requirements, one a row"
    signed = _signed_ratings(demo_app, ids["Brackenford Police"], last)
    labels = list(signed.values())
    letters = {"Met": "G", "Partially met": "A", "Not met": "R", "Not applicable": "N/A"}
    assert [row[1] for row in protocol[1:]] == [f"{letters[label]} {label}" for label in labels]
    assert {row[2] for row in protocol[1:]} == {"Not submitted"}, "this year's return is still in progress"
    assert protocol[1][0] == "1. Policy for service users"


def test_the_returns_list_links_each_signed_statement_with_its_outcome(demo_app):
    ids = _ids(demo_app)
    client = signed_in(demo_app, "coordinator@demo.example")
    html = client.get(f"/organisations/{ids['Brackenford Council Adult Social Care']}").get_data(as_text=True)
    returns = next(rows for caption, rows in _tables(html).items() if caption.endswith("returns, newest first"))
    assert returns[0] == ["Cycle", "Status", "Signed statements"]
    this_year, last_year = returns[1], returns[2]
    assert this_year[1] == "Returned for amendment" and "returned for amendment on" in this_year[2]
    assert last_year[1] == "Accepted" and "accepted on" in last_year[2]
    with demo_app.app_context():
        found = store.returns_for_organisation(get_db(), ids["Brackenford Council Adult Social Care"])
    for ret in found:
        assert f'href="/returns/{ret["id"]}/versions/1/statement"' in html
        assert f'href="/returns/{ret["id"]}"' in html
    # the version sent back does not stand: this year reads "Not submitted", never its ratings
    protocol = next(rows for caption, rows in _tables(html).items() if caption.startswith("Over-Arching"))
    assert {row[2] for row in protocol[1:]} == {"Not submitted"}


def test_an_accepted_return_this_year_shows_beside_last_years(demo_app):
    ids = _ids(demo_app)
    html = signed_in(demo_app, "auditor@demo.example").get(f"/organisations/{ids['Greenway Homes']}")
    protocol = next(rows for caption, rows in _tables(html.get_data(as_text=True)).items()
                    if caption.startswith("Over-Arching"))
    with demo_app.app_context():
        last, this = sorted((c["name"] for c in store.cycles(get_db())))
    assert [row[2].split(" ", 1)[1] for row in protocol[1:]] == list(
        _signed_ratings(demo_app, ids["Greenway Homes"], this).values())


def test_an_organisations_own_people_see_their_own_record_and_no_one_elses(demo_app):
    ids = _ids(demo_app)
    client = signed_in(demo_app, "editor.police@demo.example")
    own = client.get(f"/organisations/{ids['Brackenford Police']}")
    assert own.status_code == 200 and "Ratings year on year" in own.get_data(as_text=True)
    assert client.get(f"/organisations/{ids['Greenway Homes']}").status_code == 404


def test_an_organisation_with_no_returns_says_so(demo_app):
    client = signed_in(demo_app, "coordinator@demo.example")
    with demo_app.app_context():
        organisation_id = store.add_organisation(get_db(), {"name": "Newly Joined Trust", "sector": "health",
                                                            "active": 0}, actor=store.SYSTEM,
                                                 now=NOW)
    text = " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/organisations/{organisation_id}")
                           .get_data(as_text=True)).split())
    assert "No returns yet" in text and "No ratings yet" in text
