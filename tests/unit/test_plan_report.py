"""The plan as the board reads it (core/plan_report.py): actions by theme with their latest progress and overdue
flag, a measure's rows with what each figure was compared with and the rule in words, risks by score with their
band, and which risks belong to which theme."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from compliance.core.plan import (
    REDUCE,
    TARGET,
    YEAR_ON_YEAR,
    ActionUpdate,
    Band,
    Measure,
    MeasureRecord,
    Risk,
    Rule,
    StrategyAction,
    parse_period,
    parse_timescale,
)
from compliance.core.plan_report import NO_THEME, PlanValues, measure_view, plan_report, theme_report
from tests.builders import PLAN_TODAY, plan_values

Y = parse_period


@pytest.fixture(scope="module")
def report():
    return plan_report(plan_values(hostile=False), today=PLAN_TODAY)


def test_each_theme_holds_its_own_actions_measures_and_linked_risks_in_the_strategys_order(report):
    assert [t.theme.name for t in report.themes] == ["Prevention", "Provision", "Protection & Justice",
                                                      "Performance"]
    prevention, provision, justice, performance = report.themes
    assert [a.action[:26] for a in prevention.actions] == ["Deliver healthy relationsh", "Train frontline staff in e"]
    assert [m.name for m in justice.measures] == ["Repeat perpetrators discussed at MARAC"]
    # a risk belongs to a theme through its mitigating actions, or the measure it was raised from
    assert [r.description[:30] for r in justice.risks] == ["Repeat perpetrators are not ch"]
    assert [r.score for r in prevention.risks] == [9, 4]
    assert [r.id for r in performance.risks] == [4] and [r.id for r in provision.risks] == [1]


def test_an_actions_progress_is_its_latest_update_in_words_with_london_time_and_an_overdue_flag(report):
    schools, training = report.themes[0].actions
    assert (schools.rag, schools.rag_text, schools.updated, schools.updated_by) == (
        "green", "On track", "23 October 2026 at 3:00pm", "Rosa Martínez")  # 14:00 UTC is 3pm BST
    assert schools.note.startswith("All eight schools now booked") and schools.updates == 4
    assert not schools.overdue and schools.timescale == "2026/27 Q4 (January to March 2027)"
    assert training.overdue and training.status_label == "Delayed" and training.rag_text == "Off track"
    assert report.themes[0].actions_text == "2 actions: 1 on track, 1 off track, 1 overdue"
    complete = report.themes[1].actions[1]
    assert complete.status == "complete" and not complete.overdue  # its timescale passed, but it is done


def test_an_action_without_an_update_says_so():
    values = plan_values(hostile=False)
    bare = replace(values.actions[0], updates=())
    theme = theme_report(replace(values, actions=(bare,)), 1, today=PLAN_TODAY)
    action = theme.actions[0]
    assert (action.rag, action.rag_text, action.note, action.updated) == (None, "No update yet", "", "")
    assert theme.actions_text == "1 action: 1 with no update yet"


def test_a_measures_rows_say_what_each_figure_was_compared_with_its_colour_and_the_rule(report):
    stockton = report.themes[2].measures[0]
    assert stockton.baseline == "23 in 2023/24" and stockton.targets_text == "No targets set"
    assert [(r.label, r.actual, r.compared_with, r.rag, r.rag_text) for r in stockton.rows] == [
        ("2024/25", "19", "23, the baseline (2023/24)", "green", "Better than the year before"),
        ("2025/26", "21", "19, 2024/25's figure", "red", "Worse than the year before")]
    assert stockton.rows[0].rule_text.startswith("Green when a year's figure is below the year before's")
    training = report.themes[0].measures[0]
    assert training.rows[1].compared_with == "60%, the target for 2025/26"
    assert training.rows[1].rag_text == "Within tolerance"
    assert training.latest.label == "2026/27 Q2 (July to September 2026)"
    assert report.themes[0].measures_text == "1 measure: 1 amber (by the latest figure)"
    protocol = report.themes[3].measures[0]
    assert protocol.rows == () and protocol.latest is None and "signed returns" in protocol.source
    assert report.themes[3].measures_text == "1 measure: 1 not rated yet (by the latest figure)"


def test_a_figure_with_nothing_to_compare_with_says_why():
    no_target = Measure("m", "percent", "increase", Y("2020/21"), Decimal(10), Rule(TARGET),
                        targets=((Y("2021/22"), Decimal(20)),))
    view = measure_view(MeasureRecord(1, None, no_target, "", "", ((Y("2022/23"), Decimal(30)),)), "Theme")
    assert (view.rows[0].compared_with, view.rows[0].rag_text) == ("No target set for 2022/23", "Not rated yet")
    gap = Measure("m", "count", REDUCE, Y("2020/21"), Decimal(10), Rule(YEAR_ON_YEAR))
    view = measure_view(MeasureRecord(2, None, gap, "", "", ((Y("2022/23"), Decimal(3)),)), "Theme")
    assert view.rows[0].compared_with == "No figure for 2021/22 to compare with"


def test_the_risk_register_is_by_score_with_the_review_due_soonest_first_among_equals(report):
    assert [(r.score, r.band, r.band_rag) for r in report.risks] == [
        (20, "Very high", "red"), (12, "High", "red"), (9, "Medium", "amber"), (6, "Medium", "amber"),
        (4, "Low", "green")]
    overdue = report.risks[1]
    assert overdue.review_overdue and overdue.review_by == "30 November 2026"
    assert overdue.raised_from == "Repeat perpetrators discussed at MARAC"
    assert overdue.mitigations_text.startswith("Run a perpetrator programme")
    assert report.risks_text == "5 risks: 1 very high, 1 high, 2 medium, 1 low; 1 review overdue"
    # among equal scores, the review due soonest first (core.plan.by_score, the register's one rule): an overdue one
    values = plan_values(hostile=False)
    later, overdue = (replace(values.risks[2], id=8, review_by=date(2027, 6, 1)),
                      replace(values.risks[2], id=9, review_by=date(2026, 1, 1)))
    same = plan_report(replace(values, risks=(later, overdue)), today=PLAN_TODAY).risks
    assert [r.id for r in same] == [9, 8] and same[0].review_overdue


def test_bands_are_the_partnerships_own():
    values = replace(plan_values(hostile=False), bands=(Band(1, "Acceptable", "green"), Band(13, "Act now", "red")))
    report = plan_report(values, today=PLAN_TODAY)
    assert [r.band for r in report.risks] == ["Act now", "Acceptable", "Acceptable", "Acceptable", "Acceptable"]
    assert report.risks_text == "5 risks: 1 act now, 4 acceptable; 1 review overdue"


def test_nothing_is_left_out_for_want_of_a_theme():
    values = plan_values(hostile=False)
    stray = StrategyAction(99, 42, "Stray action", "", "Org", "", "", "", parse_timescale("2026/27"), "in-progress",
                           (ActionUpdate("2026-06-01T09:00:00+00:00", "Ann", "Begun", "green"),))
    orphan = replace(values.measures[0], id=77, theme_id=None)
    risk = Risk(50, "Linked to the stray action", "", "", 1, 1, "Ann", None, (99,))
    report = plan_report(replace(values, actions=(*values.actions, stray), measures=(*values.measures, orphan),
                                 risks=(*values.risks, risk)), today=PLAN_TODAY)
    last = report.themes[-1]
    assert last.theme is NO_THEME and [a.id for a in last.actions] == [99] and [m.id for m in last.measures] == [77]
    assert [r.id for r in last.risks] == [50] and last.risks[0].review_by == "No review date"
    with pytest.raises(KeyError):
        theme_report(values, NO_THEME.id, today=PLAN_TODAY)


def test_an_empty_plan_reads_as_empty():
    values = plan_values(hostile=False)
    report = plan_report(PlanValues(values.strategy), today=date(2026, 12, 5))
    assert [t.actions_text for t in report.themes] == ["No actions"] * 4
    assert [t.measures_text for t in report.themes] == ["No measures"] * 4
    assert report.risks_text == "No risks recorded" and report.as_of == "5 December 2026"
