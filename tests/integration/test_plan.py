"""The partnership's plan through its pages: the coordinator sets up the strategy, its actions and measures; a lead
updates an action and enters figures from their home page; the board reads the colours, each with its words and
the rule; bad input is refused with how to fix it, keeping what was typed; every change is audited."""
from __future__ import annotations

import re
import sqlite3
from html import unescape

import pytest

from compliance import store
from compliance.web.requests import get_db
from tests.builders import NOW, db_of, fields_of, signed_in, token_from

COORDINATOR, BOARD, LEAD = "coordinator@demo.example", "board@demo.example", "editor.police@demo.example"
OTHER_LEAD = "editor.adults@demo.example"


def _words(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _errors(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", found)).split()).removeprefix("Error: ")
            for found in re.findall(r'class="govuk-error-message">(.*?)</p>', html, re.S)]


def _post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": token_from(client, path)})


def _ids(app, email: str) -> dict:
    with app.app_context():
        db = get_db()
        person = store.user_by_email(db, email)
        organisation = person["organisation_id"]
    return {"user": person["id"], "organisation": organisation}


@pytest.fixture
def stockton(demo_app):
    """Stockton's strategy 2011-2014, set up by the coordinator through the pages, with one theme, an action and the
    repeat perpetrators measure (baseline 23 in 2010/11, reduce year on year), both led by Brackenford Police's
    editor."""
    coordinator = signed_in(demo_app, COORDINATOR)
    created = _post(coordinator, "/plan/new", {"title": "Stockton Domestic Abuse Strategy 2011-2014",
                                               "first_year": "2011", "last_year": "2014",
                                               "themes": "Protection\r\nPerformance", "current": "yes"})
    assert created.status_code == 302, _errors(created)
    strategy_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with demo_app.app_context():
        themes = store.plan_themes(get_db(), strategy_id)
    lead = _ids(demo_app, LEAD)
    action = _post(coordinator, f"/plan/{strategy_id}/actions/new", {
        "theme": str(themes[0]["id"]), "action": "Refer every repeat perpetrator to the programme",
        "outcome": "Fewer repeat perpetrators", "lead_organisation": str(lead["organisation"]),
        "lead_user": str(lead["user"]), "timescale": "2012/13 Q2", "status": "not-started"})
    assert action.status_code == 302, _errors(action)
    measure = _post(coordinator, f"/plan/{strategy_id}/measures/new", {
        "name": "Repeat perpetrators at MARAC", "theme": str(themes[0]["id"]), "unit": "count",
        "direction": "reduce", "baseline_period": "2010/11", "baseline": "23", "rule": "year-on-year",
        "lead_user": str(lead["user"]), "source": "typed"})
    assert measure.status_code == 302, _errors(measure)
    return {"app": demo_app, "strategy": strategy_id, "theme": themes[0]["id"], "coordinator": coordinator,
            "action": int(action.headers["Location"].rsplit("/", 1)[1]),
            "measure": int(measure.headers["Location"].rsplit("/", 1)[1])}


def test_the_stockton_measure_is_green_below_the_year_before_and_red_above_with_the_rule_in_words(stockton):
    lead = signed_in(stockton["app"], LEAD)
    home = lead.get("/home")
    assert "Your actions and measures" in _words(home)
    figures = f"/plan/measures/{stockton['measure']}/figures"
    assert figures in home.get_data(as_text=True), "the lead enters figures from their home page"
    for period, value in (("2011/12", "19"), ("2012/13", "21")):
        assert _post(lead, figures, {"period": period, "value": value}).status_code == 302
    page = _words(signed_in(stockton["app"], BOARD).get(f"/plan/measures/{stockton['measure']}"))
    assert "2011/12 19 23, the baseline (2010/11) Green: better than the year before" in page
    assert "2012/13 21 19, 2011/12's figure Red: worse than the year before" in page
    assert ("Green when a year's figure is below the year before's, amber when it is the same, red when it is "
            "above. The first year is compared with the baseline (2010/11: 23).") in page


def test_a_lead_updates_an_action_from_home_and_the_board_sees_its_new_colour(stockton):
    board = signed_in(stockton["app"], BOARD)
    theme = f"/plan/{stockton['strategy']}/themes/{stockton['theme']}"
    assert "No update yet" in _words(board.get(theme))
    lead = signed_in(stockton["app"], LEAD)
    progress = f"/plan/actions/{stockton['action']}/progress"
    assert progress in lead.get("/home").get_data(as_text=True)
    saved = _post(lead, progress, {"note": "The programme has taken its first 6 referrals.", "rag": "amber",
                                   "status": "in-progress"})
    assert saved.status_code == 302
    assert _post(lead, progress, {"note": "12 referrals; on course.", "rag": "green",
                                  "status": "in-progress"}).status_code == 302
    words = _words(board.get(theme))
    assert "Green: on track" in words and "12 referrals; on course." in words and "In progress" in words
    history = _words(board.get(f"/plan/actions/{stockton['action']}"))
    assert history.index("12 referrals; on course.") < history.index("The programme has taken its first 6")
    assert "Amber: some risk to delivery" in history
    with stockton["app"].app_context():
        updates = [entry for entry in store.audit_entries(get_db(), action="plan-action-updated")
                   if entry["object_id"] == str(stockton["action"])]
    assert len(updates) == 2 and '"rag": "green"' in updates[0]["new_value"]


def test_a_quarters_figure_from_home_is_rated_against_the_same_quarter_a_year_before(stockton):
    lead = signed_in(stockton["app"], LEAD)
    figures = f"/plan/measures/{stockton['measure']}/figures"
    for period, value in (("2011/12 Q1", "6"), ("2012/13 quarter 1", "4")):
        assert _post(lead, figures, {"period": period, "value": value}).status_code == 302
    theme = _words(signed_in(stockton["app"], BOARD).get(f"/plan/{stockton['strategy']}/themes/{stockton['theme']}"))
    assert "2012/13 Q1 (April to June 2012) 4 6, 2011/12 Q1's figure Green: better than the year before" in theme


@pytest.mark.parametrize(("period", "value", "field", "message"), [
    ("2011/12", "40%", "value", "This measure is a count, not a percentage: enter it without the % sign"),
    ("2011/12", "2.5", "value", "This measure is a count: enter a whole number, not '2.5'"),
    ("2011/12", "", "value", "Enter the figure, as a count like 23"),
    ("2015/16 Q1", "7", "period", "The figure for 2015/16 Q1 is outside the strategy's period (2011/12 to 2013/14): "
                                  "enter a period from 2011/12 to 2013/14"),
    ("Q1 2012", "7", "period", "Enter a financial year like 2010/11, or a quarter like 2010/11 Q1, not 'Q1 2012'"),
    ("2012/14", "7", "period", "A financial year runs from April to the next March, so it is written 2012/13: check "
                               "'2012/14'"),
])
def test_a_figure_that_cannot_be_used_is_refused_with_how_to_fix_it_keeping_what_was_typed(stockton, period, value,
                                                                                            field, message):
    lead = signed_in(stockton["app"], LEAD)
    refused = _post(lead, f"/plan/measures/{stockton['measure']}/figures", {"period": period, "value": value})
    assert refused.status_code == 200 and message in _errors(refused)
    assert "govuk-error-summary" in refused.get_data(as_text=True)
    kept = fields_of(refused).values
    assert kept["period"] == [period] and kept["value"] == [value]
    with stockton["app"].app_context():
        assert store.plan_measure_actuals(get_db(), [stockton["measure"]]) == []


def test_a_correction_is_a_new_figure_and_the_one_before_is_kept(stockton):
    lead = signed_in(stockton["app"], LEAD)
    _post(lead, f"/plan/actions/{stockton['action']}/progress", {"note": "Started", "rag": "green",
                                                                 "status": "in-progress"})
    figures = f"/plan/measures/{stockton['measure']}/figures"
    _post(lead, figures, {"period": "2011/12", "value": "25"})
    _post(lead, figures, {"period": "2011/12", "value": "19"})
    page = _words(lead.get(f"/plan/measures/{stockton['measure']}"))
    assert "2011/12 19 23, the baseline (2010/11) Green: better than the year before" in page
    assert "2011/12 25 (corrected later)" in page
    with stockton["app"].app_context():
        entries = store.audit_entries(get_db(), action="plan-figure-entered")
    assert '"value": "25"' in entries[0]["old_value"] and '"value": "19"' in entries[0]["new_value"]
    connection = db_of(stockton["app"])
    for statement in ("UPDATE plan_measure_actuals SET value = '1'", "DELETE FROM plan_measure_actuals",
                      "UPDATE plan_action_updates SET note = 'x'"):
        with pytest.raises(sqlite3.IntegrityError, match="kept as written"):
            connection.execute(statement)
    connection.close()


def test_only_the_lead_updates_their_action_and_measure(stockton):
    other = signed_in(stockton["app"], OTHER_LEAD)
    for path in (f"/plan/actions/{stockton['action']}", f"/plan/actions/{stockton['action']}/progress",
                 f"/plan/measures/{stockton['measure']}", f"/plan/measures/{stockton['measure']}/figures"):
        assert other.get(path).status_code == 404
    assert "Your actions and measures" not in _words(other.get("/home"))
    token = token_from(other, "/home")
    refused = other.post(f"/plan/actions/{stockton['action']}/progress",
                         data={"note": "Not mine", "rag": "green", "status": "complete", "csrf_token": token})
    assert refused.status_code == 404
    board = signed_in(stockton["app"], BOARD)
    assert board.get(f"/plan/actions/{stockton['action']}/progress").status_code == 403
    assert board.get(f"/plan/actions/{stockton['action']}").status_code == 200
    with stockton["app"].app_context():
        assert store.plan_action_updates(get_db(), [stockton["action"]]) == []


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"baseline_period": "", "target_2012": "20"}, "baseline_period",
     "Enter the baseline's financial year, like 2010/11: a target is set against a baseline"),
    ({"rule": "target"}, "target_2011",
     "A measure rated against its target needs at least one year's target: add one, or rate it year on year"),
    ({"baseline_period": "2011/12", "rule": "target", "target_2011": "20"}, "target_2011",
     "The target for 2011/12 is not after the baseline (2011/12): a target is for a year after the baseline"),
    ({"baseline": "twenty"}, "baseline", "Enter a number, like 23 or 40.5, not 'twenty'"),
    ({"unit": "percent", "baseline": "140"}, "baseline", "A percentage must be between 0 and 100"),
    ({"rule": "target", "target_2012": "20", "tolerance": "150"}, "tolerance",
     "A percentage must be between 0 and 100"),
    ({"baseline_period": "2010/11 Q2"}, "baseline_period",
     "A baseline is for a whole financial year, like 2010/11: enter the year, not a quarter"),
    ({"unit": ""}, "unit", "Select the measure's unit: a count, a percentage or a rate per 1,000"),
    ({"source": "percent-met", "framework": ""}, "framework", "Select the framework whose % met the measure takes"),
])
def test_a_measure_that_cannot_be_rated_is_refused_with_how_to_fix_it(stockton, fields, field, message):
    lead = _ids(stockton["app"], LEAD)
    typed = {"name": "Sanction detections", "theme": str(stockton["theme"]), "unit": "count", "direction": "increase",
             "baseline_period": "2010/11", "baseline": "31", "rule": "year-on-year", "lead_user": str(lead["user"]),
             "source": "typed", **fields}
    refused = _post(stockton["coordinator"], f"/plan/{stockton['strategy']}/measures/new", typed)
    assert refused.status_code == 200 and message in _errors(refused), _errors(refused)
    assert re.search(rf'href="#{field}[^"]*"', refused.get_data(as_text=True)), "the summary links to the field"
    assert fields_of(refused).values["name"] == ["Sanction detections"]


@pytest.mark.parametrize(("fields", "message"), [
    ({"first_year": "2014", "last_year": "2011"},
     "A strategy's period must end after it starts: 2014-2011 does not. Enter it like 2019-2022"),
    ({"first_year": "11"}, "The year it starts must be a year of 4 digits, like 2019"),
    ({"themes": " \r\n "}, "Enter at least one theme, one on each line, like Prevention"),
    ({"themes": "Prevention\r\nprevention"}, "The theme “prevention” is listed twice: list each theme once"),
])
def test_a_strategy_with_years_or_themes_that_cannot_be_is_refused(demo_app, fields, message):
    coordinator = signed_in(demo_app, COORDINATOR)
    typed = {"title": "Strategy", "first_year": "2019", "last_year": "2022", "themes": "Prevention",
             "current": "yes", **fields}
    refused = _post(coordinator, "/plan/new", typed)
    assert refused.status_code == 200 and message in _errors(refused), _errors(refused)
    assert fields_of(refused).values["title"] == ["Strategy"]


@pytest.mark.parametrize(("timescale", "message"), [
    ("31/02/2013", "'31/02/2013' is not a real date: check the day and month"),
    ("soon", "Enter the timescale as a date, like 31/03/2021, or a financial quarter, like 2020/21 Q3"),
    ("2016/17 Q1", "The timescale 2016/17 Q1 is outside the strategy's period (2011/12 to 2013/14): enter a period "
                   "from 2011/12 to 2013/14"),
])
def test_an_action_with_a_timescale_that_cannot_be_is_refused(stockton, timescale, message):
    lead = _ids(stockton["app"], LEAD)
    refused = _post(stockton["coordinator"], f"/plan/{stockton['strategy']}/actions/new", {
        "theme": str(stockton["theme"]), "action": "Something", "lead_organisation": str(lead["organisation"]),
        "lead_user": str(lead["user"]), "timescale": timescale, "status": "not-started"})
    assert refused.status_code == 200 and message in _errors(refused)
    assert fields_of(refused).values["timescale"] == [timescale]


def test_a_partner_that_is_not_a_member_may_lead_an_action(stockton):
    lead = _ids(stockton["app"], LEAD)
    path = f"/plan/{stockton['strategy']}/actions/new"
    data = {"theme": str(stockton["theme"]), "action": "Fund the programme", "lead_organisation": "partner",
            "lead_user": str(lead["user"]), "timescale": "31/03/2013", "status": "in-progress"}
    assert "Enter the partner's name, or select a member organisation" in _errors(_post(stockton["coordinator"], path,
                                                                                        data))
    saved = _post(stockton["coordinator"], path, {**data, "lead_partner": "Police and Crime Commissioner's office"})
    assert saved.status_code == 302
    words = _words(stockton["coordinator"].get(saved.headers["Location"]))
    assert "Police and Crime Commissioner's office" in words and "By 31 March 2013" in words


def test_a_measure_off_target_raises_a_risk_in_one_step_and_the_register_orders_by_score(stockton):
    lead = signed_in(stockton["app"], LEAD)
    _post(lead, f"/plan/measures/{stockton['measure']}/figures", {"period": "2011/12", "value": "25"})
    coordinator = stockton["coordinator"]
    measure_page = coordinator.get(f"/plan/measures/{stockton['measure']}").get_data(as_text=True)
    raise_path = f"/plan/measures/{stockton['measure']}/raise-risk"
    assert raise_path in measure_page
    form = coordinator.get(raise_path)
    started = fields_of(form).values["description"][0]
    assert started == ("Repeat perpetrators at MARAC is off target. In 2011/12 it was 25 against the baseline "
                       "(2010/11) (23).")
    saved = _post(coordinator, raise_path, {"description": started, "likelihood": "4", "impact": "5",
                                            "owner": str(_ids(stockton["app"], COORDINATOR)["user"]),
                                            "review_by": ["1", "1", "2012"],
                                            "actions": str(stockton["action"]),
                                            "raised_from": str(stockton["measure"])})
    assert saved.status_code == 302
    second = _post(coordinator, f"/plan/{stockton['strategy']}/risks/new", {
        "description": "Staff leave", "likelihood": "1", "impact": "2",
        "owner": str(_ids(stockton["app"], LEAD)["user"])})
    assert second.status_code == 302
    register = _words(signed_in(stockton["app"], BOARD).get(f"/plan/{stockton['strategy']}/risks"))
    assert register.index("Repeat perpetrators at MARAC is off target") < register.index("Staff leave")
    assert "Very high: 20 Likelihood 4 × impact 5" in register
    assert "Low: 2 Likelihood 1 × impact 2" in register
    assert "1 January 2012 Review overdue" in register
    assert "Raised from the measure: Repeat perpetrators at MARAC" in register
    assert "Refer every repeat perpetrator to the programme" in register
    bands = _post(coordinator, "/plan/risk-bands", {"lowest_1": "1", "name_1": "Tolerable", "rag_1": "green",
                                                    "lowest_2": "21", "name_2": "Intolerable", "rag_2": "red"})
    assert bands.status_code == 302, _errors(bands)
    register = coordinator.get(f"/plan/{stockton['strategy']}/risks").get_data(as_text=True)
    assert '<strong class="app-rag app-rag--green">Tolerable: 20</strong>' in register
    refused = _post(coordinator, "/plan/risk-bands", {"lowest_1": "2", "name_1": "Low", "rag_1": "green"})
    assert "The first risk band must start at a score of 1: enter 1 as its lowest score" in _errors(refused)


def test_themes_are_renamed_reordered_and_removed_only_when_empty(stockton):
    coordinator, strategy = stockton["coordinator"], stockton["strategy"]
    with stockton["app"].app_context():
        first, second = store.plan_themes(get_db(), strategy)
    page = f"/plan/{strategy}"
    moved = coordinator.post(f"/plan/{strategy}/themes/{second['id']}/move",
                             data={"direction": "up", "csrf_token": token_from(coordinator, page)})
    assert moved.status_code == 302
    with stockton["app"].app_context():
        assert [t["name"] for t in store.plan_themes(get_db(), strategy)] == ["Performance", "Protection"]
    assert "The theme “Performance” is" not in _errors(_post(coordinator, f"/plan/{strategy}/themes/{first['id']}/edit",
                                                             {"name": "Protection & Justice"}))
    duplicate = _post(coordinator, f"/plan/{strategy}/themes/new", {"name": "performance"})
    assert "This strategy already has a theme called “performance”: give this one another name" in _errors(duplicate)
    in_use = coordinator.get(f"/plan/{strategy}/themes/{first['id']}/remove")
    assert "cannot be removed" in _words(in_use)
    unticked = _post(coordinator, f"/plan/{strategy}/themes/{second['id']}/remove", {})
    assert "Tick the box to confirm. Nothing has been changed" in _errors(unticked)
    assert _post(coordinator, f"/plan/{strategy}/themes/{second['id']}/remove", {"confirm": "y"}).status_code == 302
    with stockton["app"].app_context():
        assert [t["name"] for t in store.plan_themes(get_db(), strategy)] == ["Protection & Justice"]


def test_every_change_to_the_plan_is_in_the_audit_trail_in_words(stockton):
    lead = signed_in(stockton["app"], LEAD)
    _post(lead, f"/plan/actions/{stockton['action']}/progress", {"note": "Started", "rag": "green",
                                                                 "status": "in-progress"})
    _post(lead, f"/plan/measures/{stockton['measure']}/figures", {"period": "2011/12", "value": "19"})
    trail = _words(stockton["coordinator"].get("/audit-trail"))
    for sentence in ("added the strategy “Stockton Domestic Abuse Strategy 2011-2014”",
                     "added the theme “Protection” to a strategy",
                     "added the action “Refer every repeat perpetrator to the programme” to the action plan",
                     "added the measure “Repeat perpetrators at MARAC”",
                     "added a progress update to the action “Refer every repeat perpetrator to the programme”",
                     "entered a figure for the measure “Repeat perpetrators at MARAC”"):
        assert sentence in trail, sentence
    assert "Progress: “Green: on track”" in trail and "Lead: “" in trail


def test_the_board_reads_the_plan_and_an_editor_who_leads_nothing_sees_none_of_it(stockton):
    board = signed_in(stockton["app"], BOARD)
    strategy = _words(board.get("/plan", follow_redirects=True))
    assert "Stockton Domestic Abuse Strategy 2011-2014" in strategy and "Manage the strategy" not in strategy
    assert board.get(f"/plan/{stockton['strategy']}/measures/new").status_code == 403
    nobody = signed_in(stockton["app"], "editor.womensaid@demo.example")
    assert nobody.get("/plan").status_code == 403
    assert "Your actions and measures" not in _words(nobody.get("/home"))


def test_a_strategys_years_cannot_leave_out_a_target_or_figure_already_set(stockton):
    lead = signed_in(stockton["app"], LEAD)
    _post(lead, f"/plan/measures/{stockton['measure']}/figures", {"period": "2013/14 Q4", "value": "3"})
    path = f"/plan/{stockton['strategy']}/edit"
    refused = _post(stockton["coordinator"], path, {"title": "Stockton", "first_year": "2011", "last_year": "2013",
                                                    "current": "yes"})
    assert ("Measures have targets or figures for 2013/14, outside 2011/12 to 2012/13: choose years that include "
            "them, or change those measures first") in _errors(refused)
    assert fields_of(refused).values["last_year"] == ["2013"]
    saved = _post(stockton["coordinator"], path, {"title": "Stockton", "first_year": "2011", "last_year": "2015",
                                                  "current": "no"})
    assert saved.status_code == 302
    assert "Kept for the record" in _words(stockton["coordinator"].get(saved.headers["Location"]))


def test_an_action_whose_lead_has_left_can_still_be_changed_without_choosing_again(stockton):
    with stockton["app"].app_context():
        lead = store.user_by_email(get_db(), LEAD)
        store.update_user(get_db(), lead["id"], {"active": 0}, actor=store.SYSTEM, now=NOW)
    page = stockton["coordinator"].get(f"/plan/actions/{stockton['action']}/edit").get_data(as_text=True)
    assert "Dana Hollis (Brackenford Police, no longer active)" in page
    saved = _post(stockton["coordinator"], f"/plan/actions/{stockton['action']}/edit", {
        "theme": str(stockton["theme"]), "action": "Refer every repeat perpetrator to the programme, and partners",
        "lead_organisation": str(lead["organisation_id"]), "lead_user": str(lead["id"]), "timescale": "2012/13 Q2",
        "status": "in-progress"})
    assert saved.status_code == 302, _errors(saved)
