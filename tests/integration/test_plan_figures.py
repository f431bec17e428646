"""A measure of a framework's % met takes its figures from signed returns by the matrix's own rule: for each of the
demo's cycles, the measure's figure for that cycle's year is exactly the % met the partnership matrix shows for the
framework, provisional while the cycle is open."""
from __future__ import annotations

import re
from datetime import date
from html import unescape

from compliance import store
from compliance.core.plan import Period, cycle_period
from compliance.services import matrix as matrix_service
from compliance.services import plan
from compliance.web.requests import get_db
from tests.builders import NOW, PROTOCOL_ID, SECTORS, signed_in, token_from

COORDINATOR = "coordinator@demo.example"


def _matrix_percent(db, cycle: dict, framework_id: str):
    found = matrix_service.cycle_matrix(db, cycle, sectors=SECTORS)
    group = next(group for group in found.groups if group.framework.id == framework_id)
    return group.percent_met, group.percent_text


def test_a_measure_of_the_protocols_percent_met_shows_the_matrixs_figure_for_every_demo_cycle(demo_app):
    this_year = cycle_period("", NOW.date()).year  # the demo's current cycle reports on this financial year
    coordinator = signed_in(demo_app, COORDINATOR)
    created = coordinator.post("/plan/new", data={
        "title": "Strategy", "first_year": str(this_year - 2), "last_year": str(this_year + 1),
        "themes": "Performance", "current": "yes", "csrf_token": token_from(coordinator, "/plan/new")})
    strategy_id = int(created.headers["Location"].rsplit("/", 1)[1])
    with demo_app.app_context():
        db = get_db()
        theme_id = store.plan_themes(db, strategy_id)[0]["id"]
        lead = store.user_by_email(db, "editor.adults@demo.example")["id"]
    path = f"/plan/{strategy_id}/measures/new"
    saved = coordinator.post(path, data={
        "name": "Protocol requirements met", "theme": str(theme_id), "unit": "percent", "direction": "increase",
        "baseline_period": str(Period(this_year - 2)), "baseline": "60", "rule": "year-on-year",
        "lead_user": str(lead), "source": "percent-met", "framework": PROTOCOL_ID,
        "csrf_token": token_from(coordinator, path)})
    assert saved.status_code == 302
    page = unescape(re.sub(r"<[^>]+>", " ", coordinator.get(f"/plan/{strategy_id}/themes/{theme_id}").get_data(
        as_text=True)))
    page = " ".join(page.split())
    with demo_app.app_context():
        db = get_db()
        record = plan.plan_values(db, strategy_id).measures[0]
        cycles = [c for c in store.cycles(db) if c["status"] != "draft"]
        assert len(cycles) == 2
        for cycle in cycles:
            year = cycle_period(cycle["name"], date.fromisoformat(cycle["open_date"]))
            value, text = _matrix_percent(db, cycle, PROTOCOL_ID)
            assert value is not None
            assert dict(record.actuals)[year] == value, f"{cycle['name']}: one rule, one figure"
            assert (year in record.provisional) == (cycle["status"] == "open")
            assert re.search(rf"{re.escape(year.label)}(?: \(provisional: its cycle is still open\))? {text}", page)
    assert {period.year for period, _ in record.actuals} == {this_year - 1, this_year}


def test_a_cycle_reports_on_the_year_its_name_says_or_else_the_year_it_opened():
    assert cycle_period("2025/26", date(2025, 2, 20)) == Period(2025)  # opened before its year began
    assert cycle_period("Annual return", date(2025, 2, 20)) == Period(2024)
    assert cycle_period("2025/26 Q1", date(2025, 5, 1)) == Period(2025)


def test_a_measure_of_signed_returns_takes_no_typed_figures(demo_app):
    with demo_app.app_context():
        db = get_db()
        lead = store.user_by_email(db, "editor.adults@demo.example")
        strategy_id = plan.create_strategy(db, title="S", first_year=2025, last_year=2028, themes=["P"], current=True,
                                           actor=store.SYSTEM, now=NOW)
        held = plan.strategy(db, strategy_id)
        from compliance.core.plan import read_measure
        measure, _ = read_measure(name="Met", unit="percent", direction="increase", baseline_period="2024/25",
                                  baseline="50", rule="year-on-year", tolerance="", targets={}, strategy=held.period)
        measure_id = plan.save_measure(db, strategy_id, None, measure, {
            "theme_id": held.themes[0].id, "definition": "", "lead_user_id": lead["id"], "source": "percent-met",
            "source_framework": PROTOCOL_ID}, actor=store.SYSTEM, now=NOW)
        problems = plan.enter_figure(db, store.plan_measure(db, measure_id), held, period="2025/26", value="99",
                                     actor=store.Actor(lead["id"], lead["email"]), now=NOW)
        assert "come from signed returns" in problems["value"]
        assert store.plan_measure_actuals(db, [measure_id]) == []
    client = signed_in(demo_app, "editor.adults@demo.example")
    assert client.get(f"/plan/measures/{measure_id}/figures").status_code == 302
