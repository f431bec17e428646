"""The demo partnership's plan (compliance/demo/plan.toml) as values: what issue 13 asks of it, always current
(moved to the year it is loaded in, nothing dated after that day), and invented for the fictional partnership."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from compliance.core.plan import FIGURE_SOURCES, REDUCE, YEAR_ON_YEAR, Period, period_of
from compliance.core.plan_report import plan_report
from compliance.demo import demo_data
from compliance.demo.plan import demo_plan, load_demo_plan

TODAY = date(2026, 12, 5)


@pytest.fixture(scope="module")
def values():
    return demo_plan(TODAY)


def test_the_demo_has_four_themes_eight_actions_four_measures_and_five_risks(values):
    assert values.strategy.title == "Brackenford Domestic Abuse Strategy 2024-2027"
    assert [t.name for t in values.strategy.themes] == ["Prevention", "Provision", "Protection & Justice",
                                                        "Performance"]
    assert len(values.actions) == 8 and len(values.measures) == 4 and len(values.risks) == 5
    assert {a.theme_id for a in values.actions} == {1, 2, 3, 4} == {m.theme_id for m in values.measures}
    # a year of updates: the first and last of them about a year apart
    moments = sorted(datetime.fromisoformat(u.at) for a in values.actions for u in a.updates)
    assert (moments[-1] - moments[0]).days > 330 and moments[-1].date() < TODAY


def test_it_has_the_stockton_measure_and_one_filled_from_the_protocols_percent_met(values):
    stockton = next(m for m in values.measures if m.measure.rule.kind == YEAR_ON_YEAR)
    assert stockton.measure.direction == REDUCE and stockton.measure.baseline == 23
    assert [assessment.rag for _period, assessment in stockton.assessments()] == ["green", "red"]
    protocol = next(m for m in values.measures if m.source)
    assert protocol.source in FIGURE_SOURCES and protocol.source_framework == "wdvf-overarching-protocol-2018"
    assert protocol.actuals == ()  # its figures come from signed returns, not from the file
    quarterly = [m for m in values.measures if any(p.quarter for p, _ in m.actuals)]
    assert len(quarterly) == 2 and all(len(m.actuals) == 4 for m in quarterly)  # a year of quarters each


def test_every_name_is_the_demos_own(values):
    organisations = {o["name"] for o in demo_data()["organisations"]}
    assert {a.lead_organisation for a in values.actions} <= organisations
    people = {p["name"] for p in demo_data()["people"]} | {o["contact_name"] for o in demo_data()["organisations"]}
    assert {a.lead_person for a in values.actions} <= people
    assert {r.owner for r in values.risks} <= people


def test_risks_point_at_the_plans_own_actions_and_measures(values):
    action_ids = {a.id for a in values.actions}
    assert all(set(r.mitigating_action_ids) <= action_ids and r.mitigating_action_ids for r in values.risks)
    assert {r.raised_from_measure_id for r in values.risks} - {None} <= {m.id for m in values.measures}
    report = plan_report(values, today=TODAY)
    assert sum(r.review_overdue for r in report.risks) == 1
    assert sum(a.overdue for t in report.themes for a in t.actions) == 2


@pytest.mark.parametrize("today", [date(2027, 5, 1), date(2029, 2, 28), date(2024, 4, 1)])
def test_loaded_in_another_year_it_moves_with_it_and_shows_nothing_from_the_future(today):
    values = demo_plan(today)
    shift = period_of(today).year - 2026
    assert values.strategy.period.first == Period(2024 + shift)
    assert all(datetime.fromisoformat(u.at).date() < today for a in values.actions for u in a.updates)
    assert all(period.ends < today for m in values.measures for period, _ in m.actuals)
    assert values.measures[0].measure.baseline_period == Period(2023 + shift)


def test_loading_hands_the_values_to_the_stores_writer():
    saved = []
    values = load_demo_plan(saved.append, today=datetime(2026, 12, 5, tzinfo=timezone.utc).date())
    assert saved == [values] == [demo_plan(TODAY)]
