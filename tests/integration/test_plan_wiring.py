"""The plan's two halves joined: what its leads enter is what the board reads on the strategy's pages, in the board
paper and in the next board pack; the plan's CSV and XLSX downloads; loading actions and measures from a workbook
(template, problems by place, preview, "Add these", checked again on adding); and the demo's plan, loaded once
through the store."""
from __future__ import annotations

import io
import re
import subprocess
import time
from html import unescape

import pytest
from openpyxl import load_workbook

from compliance import store
from compliance.core.plan import period_of
from compliance.core.returns import financial_year
from compliance.core.text import london
from compliance.render.workbooks import saved
from compliance.services import matrix as matrix_service
from compliance.services import plan
from compliance.store import db as dbm
from compliance.web.requests import get_db
from tests.builders import NOW, PROTOCOL_ID, SECTORS, make_app, signed_in, token_from

COORDINATOR, BOARD, AUDITOR = "coordinator@demo.example", "board@demo.example", "auditor@demo.example"
LEAD = "editor.police@demo.example"  # Dana Hollis: the control room action and the repeat perpetrators measure
THIS_YEAR = period_of(london(NOW).date())
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _words(response) -> str:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _post(client, path: str, data: dict, *, page: str | None = None, **options):
    return client.post(path, data={**data, "csrf_token": token_from(client, page or path)}, **options)


def _current_cycle(app) -> dict:
    with app.app_context():
        return next(c for c in store.cycles(get_db()) if c["name"] == financial_year(london(NOW).date()))


def _strategy_id(app) -> int:
    with app.app_context():
        found = plan.current_strategy_id(get_db())
    assert found is not None, "the demo's plan is the current strategy"
    return found


def _pack_text(app, client, cycle_id: int) -> str:
    """The board asks for the pack as the matrix page does; its PDF as text, once prepared."""
    started = _post(client, f"/cycles/{cycle_id}/board-pack", {}, page=f"/cycles/{cycle_id}/matrix")
    job_id = int(started.headers["Location"].rsplit("/", 1)[1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with app.app_context():
            job = store.job(get_db(), job_id)
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert job["status"] == "done", job
    return subprocess.run(["pdftotext", "-layout", job["result_path"], "-"], check=True, capture_output=True,
                          text=True).stdout


# What a lead enters, the board reads: the strategy's pages, the board paper, the next pack ----------------------

def test_a_leads_update_and_figure_are_on_the_board_paper_and_in_the_next_board_pack(demo_app):
    lead = signed_in(demo_app, LEAD)
    home = lead.get("/home").get_data(as_text=True)
    progress = re.search(r'href="(/plan/actions/\d+/progress)"', home).group(1)
    figures = re.search(r'href="(/plan/measures/\d+/figures)"', home).group(1)
    board = signed_in(demo_app, BOARD)
    cycle = _current_cycle(demo_app)
    before = " ".join(_pack_text(demo_app, board, cycle["id"]).split())
    assert "Post filled at last" not in before and f"{THIS_YEAR} 17 " not in before

    assert _post(lead, progress, {"note": "Post filled at last", "rag": "green", "status": "in-progress"},
                 page=progress).status_code == 302
    assert _post(lead, figures, {"period": str(THIS_YEAR), "value": "17"}).status_code == 302

    paper = _words(board.get(f"/cycles/{cycle['id']}/board-paper"))
    summary, strategy = paper.index("Executive summary"), paper.index("Brackenford Domestic Abuse Strategy")
    assert summary < strategy < paper.index("Figures by requirement")
    assert "Post filled at last" in paper[strategy:]
    assert (f"{THIS_YEAR} 17 21, {THIS_YEAR.previous}'s figure Green: better than the year before"
            in paper[strategy:])

    pack = _pack_text(demo_app, board, cycle["id"])
    section = pack[pack.index("Strategy: Brackenford"):pack.index("Figures by requirement")]
    assert "Post filled at last" in section
    flat = " ".join(section.split())
    assert f"{THIS_YEAR} 17 21, {THIS_YEAR.previous}'s figure Green: better" in flat


def test_the_board_paper_shows_no_strategy_when_none_is_current(demo_app):
    with demo_app.app_context():
        db = get_db()
        row = store.plan_strategy(db, _strategy_id(demo_app))
        plan.change_strategy(db, row["id"], title=row["title"], first_year=row["first_year"],
                             last_year=row["last_year"], current=False, actor=store.SYSTEM, now=NOW)
    paper = signed_in(demo_app, BOARD).get(f"/cycles/{_current_cycle(demo_app)['id']}/board-paper")
    assert 'id="strategy"' not in paper.get_data(as_text=True) and "Risk register" not in _words(paper)


# Downloads ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [BOARD, AUDITOR, COORDINATOR])
def test_the_plans_readers_download_its_actions_measures_and_risks_linked_from_the_strategy_page(demo_app, who):
    strategy_id = _strategy_id(demo_app)
    client = signed_in(demo_app, who)
    page = client.get(f"/plan/{strategy_id}").get_data(as_text=True)
    name = "brackenford-domestic-abuse-strategy"
    for what, heading, first in (("actions", "Theme,Action,Outcome sought", "Prevention,Deliver healthy"),
                                 ("measures", "Theme,Measure,Definition", "Prevention,Frontline staff trained"),
                                 ("risks", "Risk,Cause,Consequence", "The refuge contract ends")):
        for extension in ("csv", "xlsx"):
            path = f"/plan/{strategy_id}/{what}.{extension}"
            assert f'href="{path}"' in page, f"the strategy page links to {path}"
            response = client.get(path)
            assert response.status_code == 200
            assert re.fullmatch(rf'attachment; filename="plan-{what}-{name}-\d{{4}}-\d{{4}}\.{extension}"',
                                response.headers["Content-Disposition"])
            assert response.headers["Cache-Control"] == "private, no-store"
            if extension == "csv":
                lines = response.get_data(as_text=True).splitlines()
                assert lines[0].startswith(heading) and lines[1].startswith(first), lines[:2]
            else:
                assert response.mimetype == XLSX
                sheet = load_workbook(io.BytesIO(response.data)).active
                assert ",".join(str(c.value) for c in sheet[3][:3]) == heading
                assert ",".join(str(c.value) for c in sheet[4][:2]).startswith(first.rsplit(" ", 1)[0])


def test_the_downloads_say_what_the_pages_say_after_a_leads_update(demo_app):
    lead = signed_in(demo_app, LEAD)
    progress = re.search(r'href="(/plan/actions/\d+/progress)"', lead.get("/home").get_data(as_text=True)).group(1)
    _post(lead, progress, {"note": "=HYPERLINK(\"http://evil.example\") still vacant", "rag": "red",
                           "status": "delayed"})
    csv_text = signed_in(demo_app, BOARD).get(f"/plan/{_strategy_id(demo_app)}/actions.csv").get_data(as_text=True)
    assert "'=HYPERLINK(\"\"http://evil.example\"\") still vacant" in csv_text, "a formula is never run"
    assert ",Red,Off track," in csv_text


# Loading actions and measures from a workbook ----------------------------------------------------------------------

def _template(client, strategy_id: int):
    response = client.get(f"/plan/{strategy_id}/import/template.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert response.headers["Content-Disposition"].startswith('attachment; filename="plan-template-')
    return load_workbook(io.BytesIO(response.data))


def _filled(client, strategy_id: int, *, action: list | None = None, measure: list | None = None,
            figures: list | None = None) -> bytes:
    book = _template(client, strategy_id)
    book["Actions"].append(action or ["Provision", "Open a second refuge for women with older sons", "",
                                      "Greenway Homes", "Rosa Martínez", f"{THIS_YEAR} Q4", "Not started", "", "",
                                      "On track", "Site found"])
    book["Measures"].append(measure or ["Provision", "Refuge places for women with older sons", "", "Count",
                                        "Higher is better", "Against its target for the year", "10",
                                        str(THIS_YEAR.previous.previous), "2", "Rosa Martínez"])
    book["Targets"].append(["Refuge places for women with older sons", str(THIS_YEAR), "6"])
    for row in figures or [["Refuge places for women with older sons", str(THIS_YEAR.previous), "3"]]:
        book["Figures"].append(row)
    return saved(book)


def _upload(client, strategy_id: int, data: bytes, filename: str = "our-plan.xlsx"):
    path = f"/plan/{strategy_id}/import"
    return client.post(path, content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), filename), "csrf_token": token_from(client, path)})


def _counts(app, strategy_id: int) -> tuple[int, int, int]:
    with app.app_context():
        db = get_db()
        actions = store.plan_actions(db, strategy_id=strategy_id)
        return (len(actions), len(store.plan_measures(db, strategy_id=strategy_id)),
                len(store.plan_action_updates(db, [a["id"] for a in actions])))


def _kept(app, strategy_id: int):
    with app.app_context():
        db = get_db()
        coordinator = store.user_by_email(db, COORDINATOR)
        return store.kept_upload(db, "plan-workbook", coordinator["id"], strategy_id, now=NOW)


def test_the_template_offers_the_strategys_themes_organisations_and_people(demo_app):
    book = _template(signed_in(demo_app, COORDINATOR), _strategy_id(demo_app))
    assert book.sheetnames[:5] == ["Help", "Actions", "Measures", "Targets", "Figures"]
    offered = {str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
               if cell.value is not None}
    for name in ("Prevention", "Protection & Justice", "Haven Lane Women's Aid", "Rosa Martínez", "Dana Hollis"):
        assert name in offered, name
    assert "Chris Adeyemi" not in offered, "auditors do not lead the partnership's work"


def test_a_clean_workbook_is_previewed_then_added_with_every_change_audited(demo_app):
    strategy_id = _strategy_id(demo_app)
    coordinator = signed_in(demo_app, COORDINATOR)
    before = _counts(demo_app, strategy_id)
    uploaded = _upload(coordinator, strategy_id, _filled(coordinator, strategy_id))
    assert uploaded.status_code == 302 and uploaded.headers["Location"].endswith(f"/plan/{strategy_id}/import/check")
    assert _counts(demo_app, strategy_id) == before, "nothing is added before the coordinator says so"
    preview = coordinator.get(f"/plan/{strategy_id}/import/check")
    words = _words(preview)
    assert "1 action to add" in words and "1 measure to add" in words
    assert "Open a second refuge for women with older sons" in words and f"{THIS_YEAR.previous}: 3" in words
    assert "Adding it adds 1 action and 1 measure (with 1 target and 1 figure)" in words
    seen = re.search(r'name="seen" type="hidden" value="([0-9a-f]{64})"', preview.get_data(as_text=True)).group(1)
    added = _post(coordinator, f"/plan/{strategy_id}/import/check", {"seen": seen})
    assert added.status_code == 302 and added.headers["Location"].endswith(f"/plan/{strategy_id}")
    flashed = _words(coordinator.get(f"/plan/{strategy_id}"))
    assert "1 action and 1 measure (with 1 target and 1 figure) added" in flashed
    actions, measures, updates = _counts(demo_app, strategy_id)
    assert (actions, measures, updates) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert _kept(demo_app, strategy_id) is None, "the checked workbook is forgotten once added"
    with demo_app.app_context():
        db = get_db()
        action = next(a for a in store.plan_actions(db, strategy_id=strategy_id)
                      if a["action"].startswith("Open a second"))
        assert (action["lead_organisation_name"], action["lead_name"], action["due_period"]) == (
            "Greenway Homes", "Rosa Martínez", f"{THIS_YEAR} Q4")
        values = plan.plan_values(db, strategy_id)
        record = next(m for m in values.measures if m.measure.name == "Refuge places for women with older sons")
        assert dict(record.actuals) == {THIS_YEAR.previous: 3} and dict(record.measure.targets) == {THIS_YEAR: 6}
        logged = [entry["action"] for entry in store.audit_entries(db, limit=6)]
    assert logged[0] == "plan-imported"
    assert {"plan-action-added", "plan-action-updated", "plan-measure-added", "plan-figure-entered"} <= set(logged)
    trail = _words(coordinator.get("/audit-trail"))
    assert "loaded actions and measures into the strategy “Brackenford Domestic Abuse Strategy" in trail
    assert "1 action and 1 measure (with 1 target and 1 figure)" in trail and "our-plan.xlsx" in trail


@pytest.mark.parametrize(("change", "place", "message"), [
    ({"action": ["Provision", "Open a second refuge", "", "Greenway Homes", "Rosa Martínez", "soon", "", "", "",
                 "", ""]},
     "Sheet Actions, row 2, column F (Timescale)", "Enter the timescale as a date, like 31/03/2021"),
    ({"action": ["Provision", "Open a second refuge", "", "Greenway Homes", "Nobody Known", f"{THIS_YEAR} Q4", "",
                 "", "", "", ""]},
     "Sheet Actions, row 2, column E (Lead person)", "'Nobody Known' is not someone who can sign in"),
    ({"figures": [["Refuge places for women with older sons", str(THIS_YEAR.previous), "3%"]]},
     "Sheet Figures, row 2, column C (Figure)", "This measure is a count, not a percentage"),
    ({"figures": [["Refuge places for women with older sons", str(THIS_YEAR.previous), "=1+2"]]},
     "Sheet Figures, row 2, column C (Figure)", "has a formula (=1+2) where a value is expected"),
])
def test_bad_rows_are_listed_by_sheet_row_and_column_and_nothing_is_added_or_kept(demo_app, change, place, message):
    strategy_id = _strategy_id(demo_app)
    coordinator = signed_in(demo_app, COORDINATOR)
    before = _counts(demo_app, strategy_id)
    refused = _upload(coordinator, strategy_id, _filled(coordinator, strategy_id, **change))
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert "govuk-error-summary" in html and 'href="#file"' in html
    words = _words(refused)
    assert re.search(rf"{re.escape(place)} {re.escape(message[:1].upper() + message[1:])}", words), words
    assert "Nothing has been added" in words
    assert _counts(demo_app, strategy_id) == before and _kept(demo_app, strategy_id) is None


def test_a_workbook_with_an_extra_sheet_or_a_file_that_is_not_one_is_refused(demo_app):
    strategy_id = _strategy_id(demo_app)
    coordinator = signed_in(demo_app, COORDINATOR)
    book = load_workbook(io.BytesIO(_filled(coordinator, strategy_id)))
    book.create_sheet("Notes")
    extra = _words(_upload(coordinator, strategy_id, saved(book)))
    assert "Sheet Notes There is a sheet called 'Notes' that this workbook should not have" in extra
    not_one = _upload(coordinator, strategy_id, b"Theme,Action\nPrevention,Something\n", "plan.xlsx")
    assert not_one.status_code == 200
    assert re.search(r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span> The selected '
                     r"file is a text file but its name ends \.xlsx: .*?\. Nothing has been added\s*</p>",
                     not_one.get_data(as_text=True), re.S)
    assert _kept(demo_app, strategy_id) is None


def test_what_is_added_is_checked_again_and_must_be_what_the_preview_showed(demo_app):
    strategy_id = _strategy_id(demo_app)
    coordinator = signed_in(demo_app, COORDINATOR)
    before = _counts(demo_app, strategy_id)
    assert _upload(coordinator, strategy_id, _filled(coordinator, strategy_id)).status_code == 302
    check = f"/plan/{strategy_id}/import/check"
    stale = _post(coordinator, check, {"seen": "0" * 64})
    assert stale.status_code == 409 and "Nothing has been added" in _words(stale)
    assert _counts(demo_app, strategy_id) == before and _kept(demo_app, strategy_id) is not None
    seen = re.search(r'name="seen" type="hidden" value="([0-9a-f]{64})"', coordinator.get(check).get_data(
        as_text=True)).group(1)
    with demo_app.app_context():  # meanwhile, the theme the workbook names is renamed
        db = get_db()
        theme = next(t for t in store.plan_themes(db, strategy_id) if t["name"] == "Provision")
        plan.rename_theme(db, theme, "Provision and refuge", actor=store.SYSTEM, now=NOW)
    refused = _post(coordinator, check, {"seen": seen})
    assert refused.status_code == 409
    assert "'Provision' is not a theme of this strategy" in _words(refused)
    assert _counts(demo_app, strategy_id) == before
    assert coordinator.get(check).status_code == 409


def test_with_nothing_waiting_the_check_page_asks_for_the_workbook(demo_app):
    strategy_id = _strategy_id(demo_app)
    coordinator = signed_in(demo_app, COORDINATOR)
    response = coordinator.get(f"/plan/{strategy_id}/import/check")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/plan/{strategy_id}/import")
    assert "nothing from it is waiting to be added" in _words(coordinator.get(response.headers["Location"]))


# The demo's plan ---------------------------------------------------------------------------------------------------

def test_the_demo_loads_its_plan_through_the_store_once(tmp_path):
    app = make_app(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    database = dbm.connect(app.config["DATABASE"])

    def counted() -> tuple:
        actions = store.plan_actions(database)
        return (len(store.plan_strategies(database)), len(actions), len(store.plan_measures(database)),
                len(store.plan_risks(database, store.plan_strategies(database)[0]["id"])),
                len(store.plan_action_updates(database, [a["id"] for a in actions])), len(store.users(database)))

    first = counted()
    assert first[:4] == (1, 8, 4, 5) and first[4] > 8
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counted() == first, "loading the demo twice adds nothing"
    strategy_id = plan.current_strategy_id(database)
    values = plan.plan_values(database, strategy_id)
    assert values.strategy.title.startswith("Brackenford Domestic Abuse Strategy")
    # leads without a demo sign-in have one now, in the organisation whose contact they are
    tom = next(p for p in store.users(database) if p["name"] == "Tom Keane")
    assert (tom["email"], tom["role"], tom["organisation_name"]) == (
        "tom.keane@demo.example", "editor", "Brackenford Council Housing Options")
    database.close()


def test_the_demos_percent_met_measure_fills_from_signed_returns_as_the_matrix_shows(demo_app):
    with demo_app.app_context():
        db = get_db()
        values = plan.plan_values(db, _strategy_id(demo_app))
        record = next(m for m in values.measures if m.source == "percent-met")
        assert record.source_framework == PROTOCOL_ID and record.source_title.startswith("Over-Arching")
        cycles = {c["name"]: c for c in store.cycles(db)}
        for period, value in record.actuals:
            matrix = matrix_service.cycle_matrix(db, cycles[str(period)], sectors=SECTORS)
            group = next(g for g in matrix.groups if g.framework.id == PROTOCOL_ID)
            assert value == group.percent_met, f"{period}: one rule, one figure"
        assert {period for period, _ in record.actuals} == {THIS_YEAR.previous, THIS_YEAR}
        assert record.provisional == (THIS_YEAR,)
    theme = _words(signed_in(demo_app, BOARD).get(f"/plan/{values.strategy.id}/themes/{record.theme_id}"))
    assert f"{THIS_YEAR.label} (provisional: its cycle is still open)" in theme


@pytest.mark.parametrize(("email", "action"), [
    ("editor.womensaid@demo.example", "Deliver healthy relationships sessions in every secondary school"),
    ("editor.adults@demo.example", "Train frontline staff in every partner to recognise and respond"),
    ("editor.police@demo.example", "Put a domestic abuse specialist in the police control room"),
    ("signatory.adults@demo.example", "Agree a shared quarterly dataset with every partner"),
])
def test_leads_with_demo_accounts_see_their_actions_on_their_home_page(demo_app, email, action):
    home = _words(signed_in(demo_app, email).get("/home"))
    assert "Your actions and measures" in home and action in home


def test_a_workbook_over_the_services_upload_limit_is_refused_on_the_upload_page(tmp_path):
    from tests.builders import demo_app

    app = demo_app(tmp_path, MAX_UPLOAD_MB=1)
    strategy_id = _strategy_id(app)
    coordinator = signed_in(app, COORDINATOR)
    refused = _upload(coordinator, strategy_id, b"x" * (1024 * 1024 + 100 * 1024))
    assert refused.status_code == 413
    words = _words(refused)
    assert "Load actions and measures from a spreadsheet" in words
    assert "The selected file must be smaller than 1 MB. Nothing has been added" in words


def test_a_measure_of_the_whole_strategy_is_read_on_the_strategys_page(demo_app):
    from compliance.core.plan import read_measure

    strategy_id = _strategy_id(demo_app)
    with demo_app.app_context():
        db = get_db()
        held = plan.strategy(db, strategy_id)
        lead = store.user_by_email(db, LEAD)
        measure, problems = read_measure(name="Domestic abuse crimes recorded", unit="count", direction="increase",
                                         baseline_period=str(THIS_YEAR.previous.previous), baseline="900",
                                         rule="year-on-year", tolerance="", targets={}, strategy=held.period)
        assert measure is not None, problems
        measure_id = plan.save_measure(db, strategy_id, None, measure, {
            "theme_id": None, "definition": "", "lead_user_id": lead["id"], "source": None,
            "source_framework": None}, actor=store.SYSTEM, now=NOW)
        plan.enter_figure(db, store.plan_measure(db, measure_id), held, period=str(THIS_YEAR.previous), value="950",
                          actor=store.Actor(lead["id"], lead["email"]), now=NOW)
    page = signed_in(demo_app, BOARD).get(f"/plan/{strategy_id}")
    words = _words(page)
    assert "Not under a theme: No actions; 1 measure: 1 green (by the latest figure)" in words
    assert f"{THIS_YEAR.previous} 950 900, the baseline ({THIS_YEAR.previous.previous}) Green: better" in words
    assert f'id="measure-{measure_id}-caption"' in page.get_data(as_text=True)
