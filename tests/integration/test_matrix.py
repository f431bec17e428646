"""The partnership matrix on the demo partnership: page, links, filters, exports, access and the CLI."""
from __future__ import annotations

import csv
import io
import json
import re
from html import escape  # the list is built with html.escape: "Haven Lane Women&#x27;s Aid"

from openpyxl import load_workbook

from compliance import demo, store
from compliance.render.exports import HEADER_ROW
from compliance.web.requests import get_db
from tests.builders import demo_app, make_app, sign_in, signed_in


def cycles(app):
    with app.app_context():
        found = store.cycles(get_db())
    return next(c for c in found if c["status"] == "open"), next(c for c in found if c["status"] == "closed")


def returns_by_name(app, cycle_id):
    with app.app_context():
        return {r["organisation_name"]: r for r in store.returns_for_cycle(get_db(), cycle_id)}


def test_board_sees_this_years_matrix_with_links_to_the_signed_answers(demo_app):
    this_year, last_year = cycles(demo_app)
    board = signed_in(demo_app, "board@demo.example")
    response = board.get(f"/cycles/{this_year['id']}/matrix")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html and 'scope="rowgroup"' in html
    assert 'role="region"' in html and 'tabindex="0"' in html
    # a table per framework, in the cycle's order: the partnership's protocol first, BVPI 225 last
    tables = re.findall(r'<table class="govuk-table app-matrix__table" id="matrix-([a-z0-9-]+)"', html)
    assert tables == ["wdvf-overarching-protocol-2018", "bvpi-225"]
    assert ">Policy for service users</span>" in html, "requirement titles are shown, not only to screen readers"
    assert not re.search(r">\s*None\s*<|: None\b", html), "None is never shown as text"
    returns = returns_by_name(demo_app, this_year["id"])
    probation = returns["Brackenford Probation Delivery Unit"]  # submitted this year
    assert f"/returns/{probation['id']}/versions/1#answer-" in html
    police = returns["Brackenford Police"]  # in progress: nothing submitted, so no links
    assert f"/returns/{police['id']}/versions/" not in html
    assert "Brackenford Police, requirement 1: not submitted" in html
    adult = returns["Brackenford Council Adult Social Care"]  # returned: its signed version no longer stands
    assert f"/returns/{adult['id']}/versions/" not in html
    assert "than last year" in html and "% met last year" in html
    assert "Auditors have not checked any of these answers yet" in html, "no disagreement is not read as all checked"
    # what a cell says is what was signed
    with demo_app.app_context():
        signed = json.loads(store.return_version(get_db(), probation["id"], 1)["canonical"])
    first = signed["answers"][0]
    label = first["rating_label"]
    words = "Not applicable" if label == "Not applicable" else label[0].lower() + label[1:]
    assert f"Brackenford Probation Delivery Unit, requirement {first['ref']}: " in html
    assert words in html
    link = board.get(f"/returns/{probation['id']}/versions/1")
    assert link.status_code == 200
    # the small-screen list: each organisation, its overall per framework and its reds and ambers by title
    listed = html.split('<div class="app-matrix-list">', 1)[1].split("</div>\n", 1)[0]
    named = returns_by_name(demo_app, this_year["id"])
    assert all(f">{escape(name)}</a></h4>" in listed for name in named), "each organisation, linking to its page"
    assert all(f'/organisations/{ret["organisation_id"]}"' in listed for ret in named.values())
    assert 'class="app-rag app-rag--red">Red</span>' in listed and f"/returns/{probation['id']}/versions/1#" in listed


def test_the_cycle_page_links_to_its_matrix(demo_app):
    this_year, _ = cycles(demo_app)
    board = signed_in(demo_app, "board@demo.example")
    assert f"/cycles/{this_year['id']}/matrix" in board.get(f"/cycles/{this_year['id']}").get_data(as_text=True)


def test_filters_narrow_rows_and_columns(demo_app):
    this_year, _ = cycles(demo_app)
    board = signed_in(demo_app, "board@demo.example")
    html = board.get(f"/cycles/{this_year['id']}/matrix?sector=police&framework=wdvf-overarching-protocol-2018"
                     "&status=").get_data(as_text=True)
    assert "Brackenford Police" in html and "Larkhill Hospitals NHS Trust" not in html
    assert "BVPI" not in html.split("<table", 1)[1]
    police = board.get(f"/cycles/{this_year['id']}/matrix?sector=police").get_data(as_text=True)
    assert 'id="matrix-bvpi-225"' not in police and 'id="matrix-wdvf-overarching-protocol-2018"' in police
    assert "Left out below: BVPI 225, not asked of any organisation shown." in police
    assert "<strong>BVPI 225</strong>: not asked of any organisation shown." in police
    submitted = board.get(f"/cycles/{this_year['id']}/matrix?status=submitted").get_data(as_text=True)
    table = submitted.split("<table", 1)[1]
    assert "Brackenford College" in table and "Greenway Homes" not in table
    nonsense = board.get(f"/cycles/{this_year['id']}/matrix?sector=nowhere&status=lost")
    assert nonsense.status_code == 200 and "Greenway Homes" in nonsense.get_data(as_text=True)
    assert board.get("/cycles/999/matrix").status_code == 404


def test_exports_are_attachments_that_match_the_page(demo_app):
    this_year, last_year = cycles(demo_app)
    board = signed_in(demo_app, "board@demo.example")
    response = board.get(f"/cycles/{last_year['id']}/matrix.csv?sector=police")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8", "once"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"partnership-matrix-")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert rows[0][:3] == ["cycle", "organisation", "sector"]
    assert {r[1] for r in rows[1:]} == {"Brackenford Police"} and {r[3] for r in rows[1:]} == {"Accepted"}
    assert all(r[8] in ("Green", "Amber", "Red", "Not applicable") for r in rows[1:]), "last year all accepted"
    xlsx = board.get(f"/cycles/{this_year['id']}/matrix.xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Matrix", "Validated", "Summary", "Legend"]
    assert book["Matrix"].max_row == HEADER_ROW + len(returns_by_name(demo_app, this_year["id"]))


def test_the_cli_writes_the_matrix_to_a_file(demo_app, tmp_path):
    this_year, _ = cycles(demo_app)
    runner = demo_app.test_cli_runner()
    out = tmp_path / "matrix.csv"
    result = runner.invoke(args=["export-matrix", "--cycle", this_year["name"], "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert rows[0][0] == "cycle" and rows[1][0] == this_year["name"]
    book_path = tmp_path / "matrix.xlsx"
    result = runner.invoke(args=["export-matrix", "--cycle", this_year["name"], "--format", "xlsx",
                                 "--out", str(book_path)])
    assert result.exit_code == 0 and load_workbook(book_path).sheetnames == ["Matrix", "Summary", "Legend"]
    missing = runner.invoke(args=["export-matrix", "--cycle", "1999/00", "--format", "csv", "--out", str(out)])
    assert missing.exit_code != 0 and "There is no cycle called 1999/00" in missing.output


def test_a_cell_link_lands_on_its_answer_in_the_signed_version(tmp_path):
    app = demo_app(tmp_path)
    with app.app_context():
        cycle_id = next(c["id"] for c in store.cycles(get_db()) if c["status"] == "open")
    board = app.test_client()
    sign_in(board, "board@demo.example", "demo-partnership-2026")
    html = board.get(f"/cycles/{cycle_id}/matrix").get_data(as_text=True)
    link = re.search(r'href="(/returns/\d+/versions/\d+)#(answer-[a-z0-9-]+)"', html)
    assert link, "the matrix links cells to signed answers"
    assert f'id="{link.group(2)}"' in board.get(link.group(1)).get_data(as_text=True)


def test_the_streamed_matrix_page_gives_a_form_token_that_works(tmp_path):
    """The matrix page is streamed, and a streamed body is drawn after the session is saved: the board pack
    form's token must already be in the session, even when the matrix is the first page after signing in."""
    app = make_app(tmp_path)  # CSRF on
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        cycle = store.cycles(get_db())[0]
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/sign-in", data={"email": "board@demo.example", "password": demo.demo_data()["password"],
                                         "csrf_token": token}).status_code == 302
    matrix = client.get(f"/cycles/{cycle['id']}/matrix").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', matrix).group(1)
    started = client.post(f"/cycles/{cycle['id']}/board-pack", data={"csrf_token": token})
    assert started.status_code == 302 and "/board-pack/jobs/" in started.headers["Location"]


def test_the_matrix_reads_each_standing_signed_version_exactly(demo_app):
    """store.matrix_ratings picks the ratings out of the signed JSON in SQL: the same as reading it whole."""
    this_year, _ = cycles(demo_app)
    with demo_app.app_context():
        db = get_db()
        ratings = store.matrix_ratings(db, this_year["id"])
        standing = {r["return_id"]: r["version"] for r in store.matrix_returns(db, this_year["id"])}
        assert set(ratings) == {rid for rid, version in standing.items() if version is not None} != set()
        for return_id, found in ratings.items():
            signed = json.loads(store.return_version(db, return_id, standing[return_id])["canonical"])
            assert found == {(a["framework"], a["requirement"]): a["rating"] for a in signed["answers"]}
