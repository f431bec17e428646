"""The partnership's plan in a real browser, every page checked by axe-core and HTML_CodeSniffer in each state it
has (empty, filled, with errors): the coordinator sets up a strategy from nothing; a lead updates an action and
enters a quarter's figure from their home page, by keyboard; the board sees the new colours, in words, at a
laptop's width and a phone's; the coordinator loads actions and measures from a workbook. On an app of its own (the
demo, whose plan is there already), since the plan changes what other pages show; a service with no strategy yet is
an app with nothing but its coordinator."""
from __future__ import annotations

from datetime import date

import pytest

from compliance import store
from compliance.core.plan import period_of, read_measure
from compliance.services import plan
from compliance.web.requests import get_db
from tests.browser.conftest import _serve, check, sign_in, submit_with_errors
from tests.builders import NOW, PASSWORD, add_person, make_app

pytestmark = pytest.mark.browser
COORDINATOR, BOARD, LEAD = "coordinator@demo.example", "board@demo.example", "editor.police@demo.example"
THIS_YEAR = period_of(date.today())


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _click(page, role: str, name: str) -> None:
    page.get_by_role(role, name=name, exact=True).click()
    page.wait_for_load_state()


@pytest.fixture(scope="module")
def bare_url(tmp_path_factory):
    """A service with its coordinator and nothing else: no strategy yet."""
    app = make_app(tmp_path_factory.mktemp("bare"))
    add_person(app, "coordinator@bare.example")
    yield from _serve(app, threads=2)


def test_a_service_with_no_strategy_says_so(page, bare_url):
    sign_in(page, bare_url, "coordinator@bare.example", PASSWORD)
    _click(page, "link", "Strategy")
    assert "No strategy has been added yet" in page.locator("main").inner_text()
    check(page, "plan-strategies-empty")


def test_the_coordinator_sets_up_a_strategy_from_nothing(page, own_url):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, own_url, COORDINATOR)
    _click(page, "link", "Strategy")
    assert "Prevention" in page.locator("main").inner_text(), "the demo's current strategy"
    page.goto(own_url + "/plan/strategies")
    _click(page, "button", "Add a strategy")
    check(page, "plan-strategy-new")
    page.get_by_label("Themes").fill("")
    submit_with_errors(page, "Save strategy", "plan-strategy-new-errors")
    page.get_by_label("Title").fill(f"Brackenford Domestic Abuse Strategy {THIS_YEAR.year - 1}-{THIS_YEAR.year + 2}")
    page.get_by_label("Starts in April of").fill(str(THIS_YEAR.year - 1))
    page.get_by_label("Ends in March of").fill(str(THIS_YEAR.year - 2))
    page.get_by_label("Themes").fill("Prevention\nProvision\nProtection & Justice")
    submit_with_errors(page, "Save strategy", "plan-strategy-new-years-error")
    assert page.get_by_label("Themes").input_value() == "Prevention\nProvision\nProtection & Justice"
    page.get_by_label("Ends in March of").fill(str(THIS_YEAR.year + 2))
    _click(page, "button", "Save strategy")
    strategy_url = page.url
    assert "Prevention: No actions; No measures" in page.locator("main").inner_text()
    check(page, "plan-strategy-no-actions")

    _click(page, "link", "Add a theme")
    check(page, "plan-theme-new")
    submit_with_errors(page, "Save theme", "plan-theme-new-errors")
    page.get_by_label("Theme").fill("Performance")
    _click(page, "button", "Save theme")
    _click(page, "button", "Move up Performance")
    assert page.locator("#manage-themes + ul li").nth(2).inner_text().startswith("3. Performance")
    _click(page, "link", "Rename Performance")
    check(page, "plan-theme-rename")
    page.goto(strategy_url)
    _click(page, "link", "Remove Performance")
    check(page, "plan-theme-remove")
    submit_with_errors(page, "Remove the theme", "plan-theme-remove-errors")

    page.goto(strategy_url)
    _click(page, "link", "Prevention")
    assert "No actions under Prevention yet" in page.locator("main").inner_text()
    check(page, "plan-theme-empty")
    page.goto(strategy_url + "/risks")
    check(page, "plan-risks-empty")

    page.goto(strategy_url)
    _click(page, "button", "Add an action")
    check(page, "plan-action-new")
    submit_with_errors(page, "Save action", "plan-action-new-errors")
    page.get_by_label("Prevention").check()
    page.get_by_label("Action", exact=True).fill("Deliver domestic abuse awareness sessions in every secondary school")
    page.get_by_label("Lead organisation").select_option(label="Brackenford Police")
    page.get_by_label("Lead person").select_option(label="Dana Hollis (Brackenford Police)")
    page.get_by_label("Timescale").fill(f"{THIS_YEAR} Q9")
    submit_with_errors(page, "Save action", "plan-action-timescale-error")
    page.get_by_label("Timescale").fill(f"{THIS_YEAR} Q4")
    _click(page, "button", "Save action")
    assert "No progress updates yet" in page.locator("main").inner_text()
    check(page, "plan-action-no-updates")
    _click(page, "link", "Change the action")
    check(page, "plan-action-edit")

    page.goto(strategy_url)
    _click(page, "button", "Add a measure")
    check(page, "plan-measure-new")
    submit_with_errors(page, "Save measure", "plan-measure-new-errors")
    page.get_by_label("Name", exact=True).fill("Repeat perpetrators discussed at MARAC")
    page.get_by_label("Protection & Justice").check()
    page.get_by_label("A count").check()
    page.get_by_label("Lower is better").check()
    page.get_by_label("Baseline year").fill(f"{THIS_YEAR.year - 1}/{THIS_YEAR.year % 100:02d} Q1")
    page.get_by_label("Baseline figure").fill("23")
    page.get_by_label("Against its target for the year").check()
    page.get_by_label("Tolerance").fill("5%")
    page.get_by_label(f"Target for {THIS_YEAR}").fill("20.5")
    page.get_by_label("Lead", exact=True).select_option(label="Dana Hollis (Brackenford Police)")
    submit_with_errors(page, "Save measure", "plan-measure-new-value-errors")
    page.get_by_label("Baseline year").fill(f"{THIS_YEAR.year - 1}/{THIS_YEAR.year % 100:02d}")
    page.get_by_label(f"Target for {THIS_YEAR}").fill("20")
    _click(page, "button", "Save measure")
    assert "No figures yet" in page.locator("main").inner_text()
    check(page, "plan-measure-no-figures")
    _click(page, "link", "Change the measure or its targets")
    check(page, "plan-measure-edit")

    page.goto(strategy_url + "/edit")
    check(page, "plan-strategy-edit")
    page.goto(strategy_url + "/risks")
    _click(page, "button", "Add a risk")
    check(page, "plan-risk-new")
    submit_with_errors(page, "Save risk", "plan-risk-new-errors")
    page.get_by_label("Risk", exact=True).fill("Schools do not make time for the sessions")
    page.get_by_label("4: Likely").check()
    page.get_by_label("3: Moderate").check()
    page.get_by_label("Owner").select_option(label="Dana Hollis (Brackenford Police)")
    page.get_by_label("Deliver domestic abuse awareness sessions in every secondary school").check()
    _click(page, "button", "Save risk")
    assert "High: 12\nLikelihood 4 × impact 3" in page.locator("main").inner_text()
    check(page, "plan-risks-filled")
    page.get_by_role("link", name="Change the risk").first.click()
    page.wait_for_load_state()
    check(page, "plan-risk-edit")
    page.goto(strategy_url + "/risks")
    page.get_by_role("link", name="Close the risk").first.click()
    page.wait_for_load_state()
    check(page, "plan-risk-close")
    submit_with_errors(page, "Close the risk", "plan-risk-close-errors")
    page.get_by_label("Yes, close this risk").check()
    _click(page, "button", "Close the risk")
    assert "Closed risks" in page.locator("main").inner_text()
    check(page, "plan-risks-closed")

    _click(page, "link", "Change the risk bands")
    check(page, "plan-risk-bands")
    page.locator("#lowest_1").fill("3")
    submit_with_errors(page, "Save risk bands", "plan-risk-bands-errors")
    page.goto(own_url + "/plan/strategies")
    check(page, "plan-strategies-filled")


def _lead_world(app) -> dict:
    """A current strategy with an action and a measure (against its target) led by Brackenford Police's editor."""
    with app.app_context():
        db = get_db()
        lead = store.user_by_email(db, LEAD)
        coordinator = store.user_by_email(db, COORDINATOR)
        actor = store.Actor(coordinator["id"], coordinator["email"])
        strategy_id = plan.create_strategy(db, title="Safer Brackenford 2025-2028", first_year=THIS_YEAR.year - 1,
                                           last_year=THIS_YEAR.year + 2, themes=["Protection & Justice"],
                                           current=True, actor=actor, now=NOW)
        held = plan.strategy(db, strategy_id)
        theme_id = held.themes[0].id
        action_id = plan.save_action(db, strategy_id, None, {
            "theme_id": theme_id, "action": "Train every response officer in coercive control",
            "outcome": "Officers recognise and record coercive control", "lead_organisation_id":
            lead["organisation_id"], "lead_partner": None, "lead_user_id": lead["id"], "partners": "",
            "resources": "", "due_date": THIS_YEAR.ends.isoformat(), "due_period": str(THIS_YEAR),
            "status": "not-started"}, actor=actor, now=NOW)
        measure, problems = read_measure(
            name="Sanction detection rate", unit="percent", direction="increase",
            baseline_period=str(THIS_YEAR.previous), baseline="31", rule="target", tolerance="5",
            targets={THIS_YEAR.year: "40"}, strategy=held.period)
        assert measure is not None, problems
        measure_id = plan.save_measure(db, strategy_id, None, measure, {
            "theme_id": theme_id, "definition": "Crimes detected as a share of those recorded",
            "lead_user_id": lead["id"], "source": None, "source_framework": None}, actor=actor, now=NOW)
    return {"strategy": strategy_id, "theme": theme_id, "action": action_id, "measure": measure_id}


def test_a_lead_updates_an_action_and_enters_a_quarters_figure_and_the_board_sees_the_colours(page, browser,
                                                                                             own_app, own_url):
    ids = _lead_world(own_app)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, own_url, LEAD)
    assert "Your actions and measures" in page.locator("main").inner_text()
    check(page, "plan-home-lead")
    _click(page, "link", "Add a progress update to Train every response officer in coercive control")
    check(page, "plan-progress")
    submit_with_errors(page, "Save update", "plan-progress-errors")
    # by keyboard: the note, then the colour, then the status, then save
    page.get_by_label("What has happened since the last update?").focus()
    page.keyboard.type("Half of the response officers are trained; the rest are booked for February.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "rag"
    page.keyboard.press("Space")
    assert page.get_by_label("Green: on track").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "status"
    page.get_by_label("In progress").check()
    page.get_by_role("button", name="Save update").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Green: on track" in page.locator("#updates + div").inner_text()
    check(page, "plan-action-with-update")

    page.goto(own_url + "/home")
    _click(page, "link", "Enter a figure for Sanction detection rate")
    check(page, "plan-figure")
    page.get_by_label("Year or quarter").fill(f"{THIS_YEAR.year + 3}/{(THIS_YEAR.year + 4) % 100:02d} Q1")
    page.get_by_label("Figure").fill("forty")
    submit_with_errors(page, "Save figure", "plan-figure-errors")
    assert page.get_by_label("Figure").input_value() == "forty"
    page.get_by_label("Year or quarter").fill(f"{THIS_YEAR} Q1")
    page.get_by_label("Figure").fill("38.5%")
    _click(page, "button", "Save figure")
    assert "Amber: within tolerance" in page.locator("#figures-table").inner_text()
    check(page, "plan-measure-with-figures")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(own_url + "/home")
    assert _fits(page)
    check(page, "plan-home-lead-phone")

    context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    board = context.new_page()
    board.js_errors = []
    board.on("pageerror", lambda error: board.js_errors.append(str(error)))
    try:
        sign_in(board, own_url, BOARD)
        board.goto(f"{own_url}/plan/{ids['strategy']}/themes/{ids['theme']}")
        action = board.locator(f"#action-{ids['action']}").inner_text()
        assert "Green: on track" in action and "Half of the response officers are trained" in action
        measure = board.locator(f"table:has(#measure-{ids['measure']}-caption)").inner_text()
        assert "38.5%" in measure and "Amber: within tolerance" in measure
        assert "amber when it is below it by no more than 5% of the target" in measure
        assert board.get_by_role("img", name="Sanction detection rate: figures against the baseline and targets"
                                 ).count() == 1
        check(board, "plan-theme-filled")
        board.goto(f"{own_url}/plan/{ids['strategy']}")
        check(board, "plan-strategy-board")
        board.set_viewport_size({"width": 375, "height": 800})
        board.goto(f"{own_url}/plan/{ids['strategy']}/themes/{ids['theme']}")
        assert _fits(board), "only the tables' own regions scroll sideways"
        check(board, "plan-theme-phone")
    finally:
        context.close()

    coordinator_context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    coordinator = coordinator_context.new_page()
    coordinator.js_errors = []
    try:
        sign_in(coordinator, own_url, COORDINATOR)
        coordinator.goto(f"{own_url}/plan/measures/{ids['measure']}")
        _click(coordinator, "link", "Raise a risk: Sanction detection rate is within tolerance")
        assert "Sanction detection rate is off target" in coordinator.get_by_label("Risk", exact=True).input_value()
        check(coordinator, "plan-risk-raised-from-measure")
    finally:
        coordinator_context.close()


def _workbook(app, strategy_id: int, *, bad: bool) -> bytes:
    """The strategy's own template, filled in with an action and a measure with a figure; with problems on two
    sheets when `bad`."""
    import io

    from openpyxl import load_workbook

    from compliance.render.workbooks import saved
    from compliance.services import plan_imports

    with app.app_context():
        db = get_db()
        book = load_workbook(io.BytesIO(plan_imports.template(db, plan.strategy(db, strategy_id))))
    book["Actions"].append(["Prevention", "Run a domestic abuse awareness week in every college", "",
                            "Haven Lane Women's Aid", "Rosa Martínez", "soon" if bad else f"{THIS_YEAR} Q4",
                            "In progress", "", "", "On track", "Dates agreed with both colleges"])
    book["Measures"].append(["Protection & Justice", "Repeat victims referred to MARAC", "", "Count",
                             "Lower is better", "Against the year before (year on year)", "",
                             str(THIS_YEAR.previous.previous), "41%" if bad else "41", "Dana Hollis"])
    book["Figures"].append(["Repeat victims referred to MARAC", str(THIS_YEAR.previous), "37"])
    return saved(book)


def test_the_coordinator_loads_actions_and_measures_from_a_workbook(page, own_app, own_url):
    from compliance.demo.plan import demo_plan

    with own_app.app_context():
        title = demo_plan(date.today()).strategy.title
        strategy_id = next(row["id"] for row in store.plan_strategies(get_db()) if row["title"] == title)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, own_url, COORDINATOR)
    page.goto(f"{own_url}/plan/{strategy_id}")
    _click(page, "link", "Load actions and measures from a spreadsheet")
    check(page, "plan-import-empty")
    submit_with_errors(page, "Check the workbook", "plan-import-no-file")
    page.get_by_label("Upload the filled-in workbook").set_input_files(
        {"name": "plan.xlsx", "mimeType": xlsx, "buffer": _workbook(own_app, strategy_id, bad=True)})
    submit_with_errors(page, "Check the workbook", "plan-import-errors")
    places = page.locator("#problems-caption ~ tbody th, table tbody th").all_inner_texts()
    assert "Sheet Actions, row 2, column F (Timescale)" in places and "Sheet Measures, row 2, column I (Baseline)" in \
        places
    page.set_viewport_size({"width": 375, "height": 800})
    assert _fits(page)
    check(page, "plan-import-errors-phone")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_label("Upload the filled-in workbook").set_input_files(
        {"name": "plan.xlsx", "mimeType": xlsx, "buffer": _workbook(own_app, strategy_id, bad=False)})
    _click(page, "button", "Check the workbook")
    assert page.locator("h1").inner_text() == "Check what will be added"
    assert page.locator("caption").all_inner_texts() == ["1 action to add", "1 measure to add"]
    check(page, "plan-import-preview")
    page.set_viewport_size({"width": 375, "height": 800})
    assert _fits(page)
    check(page, "plan-import-preview-phone")
    page.set_viewport_size({"width": 1366, "height": 768})
    _click(page, "button", "Add these")
    assert "1 action and 1 measure (with 1 figure) added" in page.locator("main").inner_text()
    _click(page, "link", "Prevention")
    assert "Run a domestic abuse awareness week in every college" in page.locator("main").inner_text()
