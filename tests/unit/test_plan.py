"""The partnership plan's rules (core/plan.py): financial periods, a measure's colour with its rule in words, and a
risk's score and band. The Stockton measure from issue 13 is here as written in its plan."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.core.plan import (
    DEFAULT_BANDS,
    INCREASE,
    REDUCE,
    TARGET,
    YEAR_ON_YEAR,
    Band,
    Measure,
    Period,
    PlanError,
    Rule,
    assess,
    check_bands,
    parse_number,
    parse_period,
    period_of,
    review_overdue,
    risk_band,
    risk_score,
    rule_text,
    shown,
    strategy_period,
    validate,
)

Y = parse_period
# Stockton 2011-2014: "23 repeat perpetrators ... taken from 2010/11", "reduce ... year on year".
STOCKTON = Measure("Repeat perpetrators at MARAC", "count", REDUCE, Y("2010/11"), Decimal(23), Rule(YEAR_ON_YEAR))
# Camden 2007-2008: a 40% sanction detection rate, within 5% of the target counted as amber.
CAMDEN = Measure("Sanction detection rate", "percent", INCREASE, Y("2006/07"), Decimal(31), Rule(TARGET, Decimal(5)),
                 targets=((Y("2007/08"), Decimal(40)),))


@pytest.mark.parametrize(("text", "expected"), [
    ("2010/11", Period(2010)), ("2010-11", Period(2010)), ("2010/2011", Period(2010)), (" 1999/00 ", Period(1999)),
    ("2010/11 Q1", Period(2010, 1)), ("2010/11 q4", Period(2010, 4)), ("2010/11 quarter 2", Period(2010, 2)),
])
def test_periods_are_read_as_people_write_them(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter a financial year like 2010/11, or a quarter like 2010/11 Q1"),
    ("2010", "Enter a financial year like 2010/11, or a quarter like 2010/11 Q1, not '2010'"),
    ("2010/12", "A financial year runs from April to the next March, so it is written 2010/11"),
    ("2010/11 Q5", "Enter a financial year like 2010/11, or a quarter like 2010/11 Q1, not '2010/11 Q5'"),
    ("1066/67", "1066 is not a year this plan can hold"),
])
def test_a_period_that_cannot_be_read_says_how_to_write_it(text, message):
    with pytest.raises(PlanError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_period(text)


def test_a_quarter_knows_its_months_and_its_days():
    assert Period(2010, 1).label == "2010/11 Q1 (April to June 2010)"
    assert Period(2010, 4).label == "2010/11 Q4 (January to March 2011)"
    assert [(Period(2010, q).starts, Period(2010, q).ends) for q in (1, 2, 3, 4)] == [
        (date(2010, 4, 1), date(2010, 6, 30)), (date(2010, 7, 1), date(2010, 9, 30)),
        (date(2010, 10, 1), date(2010, 12, 31)), (date(2011, 1, 1), date(2011, 3, 31))]
    assert (Period(2010).starts, Period(2010).ends) == (date(2010, 4, 1), date(2011, 3, 31))
    assert Period(2010, 1).previous == Period(2009, 4) and Period(2010).previous == Period(2009)


@given(st.dates(min_value=date(1991, 1, 1), max_value=date(2099, 12, 31)))
def test_every_day_falls_in_its_quarter_and_year(day):
    quarter = period_of(day, quarter=True)
    assert quarter.starts <= day <= quarter.ends
    assert period_of(day) == quarter.financial_year
    assert parse_period(str(quarter)) == quarter


def test_a_strategy_holds_its_years_and_refuses_a_quarter_outside_them():
    period = strategy_period(2019, 2022)
    assert str(period) == "2019/20 to 2021/22"
    assert period.holds(Y("2021/22 Q4")) and not period.holds(Y("2022/23 Q1"))
    with pytest.raises(PlanError, match=r"^The actual for 2022/23 Q1 is outside the strategy's period \(2019/20 to "
                                        r"2021/22\): enter a period from 2019/20 to 2021/22$"):
        period.check(Y("2022/23 Q1"), "The actual for")
    with pytest.raises(PlanError, match="must end after it starts"):
        strategy_period(2022, 2019)


@pytest.mark.parametrize(("text", "unit", "expected"), [
    ("23", "count", Decimal(23)), ("1,250", "count", Decimal(1250)), ("40%", "percent", Decimal(40)),
    ("40.5", "percent", Decimal("40.5")), ("3.2", "rate-per-1000", Decimal("3.2")),
])
def test_a_value_is_read_with_its_unit(text, unit, expected):
    assert parse_number(text, unit) == expected


@pytest.mark.parametrize(("text", "unit", "message"), [
    ("", "count", "Enter a number"),
    ("twenty", "count", "Enter a number, like 23 or 40.5, not 'twenty'"),
    ("40%", "count", "This measure is a count, not a percentage: enter it without the % sign"),
    ("2.5", "count", "This measure is a count: enter a whole number, not '2.5'"),
    ("120", "percent", "A percentage must be between 0 and 100"),
    ("-3", "rate-per-1000", "Enter a number that is 0 or more"),
    ("NaN", "count", "Enter a number, like 23 or 40.5, not 'NaN'"),
])
def test_a_value_of_the_wrong_unit_is_refused_with_how_to_fix_it(text, unit, message):
    with pytest.raises(PlanError) as refused:
        parse_number(text, unit)
    assert str(refused.value) == message


def test_values_are_shown_with_their_unit():
    assert [shown(Decimal("23"), "count"), shown(Decimal("40.50"), "percent"), shown(Decimal("3.2"), "rate-per-1000"),
            shown(Decimal(1250), "count"), shown(None, "count")] == ["23", "40.5%", "3.2 per 1,000", "1,250",
                                                                    "Not entered"]


def test_stockton_is_green_when_a_year_is_below_the_year_before_and_red_when_above():
    actuals = {Y("2011/12"): Decimal(19), Y("2012/13"): Decimal(21), Y("2013/14"): Decimal(21)}
    first, second, third = (assess(STOCKTON, actuals, Y(year)) for year in ("2011/12", "2012/13", "2013/14"))
    assert (first.rag, first.compared_with, first.compared_label) == ("green", Decimal(23), "the baseline (2010/11)")
    assert (second.rag, second.compared_with, second.compared_label) == ("red", Decimal(19), "2011/12's figure")
    assert (first.text, second.text, third.text) == ("Better than the year before", "Worse than the year before",
                                                     "The same as the year before")
    assert third.rag == "amber"
    assert first.rule_text == ("Green when a year's figure is below the year before's, amber when it is the same, red "
                               "when it is above. The first year is compared with the baseline (2010/11: 23).")
    assert assess(STOCKTON, actuals, Y("2014/15")).rag is None  # nothing entered yet


def test_year_on_year_quarters_compare_with_the_same_quarter_a_year_before():
    actuals = {Y("2011/12 Q1"): Decimal(6), Y("2012/13 Q1"): Decimal(7)}
    assert assess(STOCKTON, actuals, Y("2011/12 Q1")).compared_label == "the baseline (2010/11)"
    later = assess(STOCKTON, actuals, Y("2012/13 Q1"))
    assert (later.rag, later.compared_label) == ("red", "2011/12 Q1's figure")


def test_against_a_target_green_meets_it_amber_is_within_the_tolerance_and_red_misses_it():
    year = Y("2007/08")
    rags = {value: assess(CAMDEN, {year: Decimal(value)}, year).rag for value in ("41", "40", "38", "38.1", "37.9")}
    assert rags == {"41": "green", "40": "green", "38": "amber", "38.1": "amber", "37.9": "red"}
    assert [assess(CAMDEN, {year: Decimal(v)}, year).text for v in (40, 38, 30)] == ["On target", "Within tolerance",
                                                                                    "Off target"]
    assert rule_text(CAMDEN, year) == ("Green when the figure is at or above its target of 40%; amber when it is "
                                       "below it by no more than 5% of the target, red otherwise.")
    assert assess(CAMDEN, {Y("2008/09"): Decimal(50)}, Y("2008/09")).rag is None  # no target for that year


@given(st.sampled_from([REDUCE, INCREASE]), st.decimals(0, 1000, places=1), st.decimals(1, 1000, places=1),
       st.decimals(0, 100, places=0))
def test_a_figure_better_than_its_target_is_never_worse_rated_than_one_further_off(direction, actual, target,
                                                                                  tolerance):
    measure = Measure("m", "rate-per-1000", direction, Y("2020/21"), Decimal(0), Rule(TARGET, tolerance),
                      targets=((Y("2021/22"), target),))
    order = {"green": 0, "amber": 1, "red": 2}
    year = Y("2021/22")
    step = Decimal(1) if direction == REDUCE else Decimal(-1)  # a step the wrong way
    worse = actual + step
    if worse < 0:
        return
    assert order[assess(measure, {year: actual}, year).rag] <= order[assess(measure, {year: worse}, year).rag]


def test_a_measure_that_cannot_be_rated_is_refused_with_how_to_fix_it():
    no_targets = Measure("m", "count", REDUCE, Y("2010/11"), Decimal(1), Rule(TARGET))
    with pytest.raises(PlanError, match="needs at least one year's target"):
        validate(no_targets)
    early = Measure("m", "count", REDUCE, Y("2010/11"), Decimal(1), Rule(TARGET), targets=((Y("2009/10"), Decimal(1)),))
    with pytest.raises(PlanError, match=r"The target for 2009/10 is not after the baseline \(2010/11\)"):
        validate(early)
    quarterly = Measure("m", "count", REDUCE, Y("2010/11 Q2"), Decimal(1), Rule(YEAR_ON_YEAR))
    with pytest.raises(PlanError, match="A baseline is for a whole financial year"):
        validate(quarterly)
    outside = Measure("m", "count", REDUCE, Y("2018/19"), Decimal(1), Rule(TARGET),
                      targets=((Y("2023/24"), Decimal(1)),))
    with pytest.raises(PlanError, match="outside the strategy's period"):
        validate(outside, strategy_period(2019, 2022))
    validate(STOCKTON, strategy_period(2011, 2014))
    validate(CAMDEN)


def test_a_risk_is_scored_and_banded_as_the_partnership_configures():
    assert risk_score(3, 4) == 12 and risk_band(12).name == "High" and risk_band(4).rag == "green"
    assert [risk_band(score).name for score in (1, 5, 9, 10, 15, 25)] == ["Low", "Medium", "Medium", "High",
                                                                          "Very high", "Very high"]
    own = (Band(1, "Acceptable", "green"), Band(13, "Unacceptable", "red"))
    check_bands(own)
    assert risk_band(12, own).name == "Acceptable" and risk_band(13, own).name == "Unacceptable"
    check_bands(DEFAULT_BANDS)
    for bad in ((Band(2, "a", "green"),), (Band(1, "a", "green"), Band(1, "b", "red"))):
        with pytest.raises(PlanError):
            check_bands(bad)
    for likelihood, impact in ((0, 3), (6, 1), (True, 2)):
        with pytest.raises(PlanError, match="must be a whole number from 1 to 5"):
            risk_score(likelihood, impact)


def test_a_review_is_overdue_only_once_its_date_has_passed():
    assert review_overdue(date(2026, 12, 4), date(2026, 12, 5))
    assert not review_overdue(date(2026, 12, 5), date(2026, 12, 5)) and not review_overdue(None, date(2026, 12, 5))


def test_a_timescale_is_a_date_or_a_quarter_due_at_its_end():
    from compliance.core.plan import parse_timescale
    assert parse_timescale("31/03/2021").due == date(2021, 3, 31)
    assert parse_timescale("2021-03-31").label == "31 March 2021"
    quarter = parse_timescale("2020/21 Q3")
    assert (quarter.due, quarter.label) == (date(2020, 12, 31), "2020/21 Q3 (October to December 2020)")
    for bad, message in (("31/02/2021", "'31/02/2021' is not a real date"), ("soon", "Enter the timescale as a date")):
        with pytest.raises(PlanError, match=message):
            parse_timescale(bad)


def test_an_action_keeps_every_update_and_reads_the_latest():
    from compliance.core.plan import ActionUpdate, StrategyAction, parse_timescale
    updates = (ActionUpdate("2026-06-01T10:00:00+00:00", "Ann Lead", "Started", "green"),
               ActionUpdate("2026-09-01T10:00:00+00:00", "Ann Lead", "Funding late", "amber"))
    action = StrategyAction(1, 1, "Train GPs", "More referrals", "NHS Trust", "Ann Lead", "", "", parse_timescale(
        "2026/27 Q3"), "in-progress", updates)
    assert action.rag == "amber" and action.latest.note == "Funding late"
    assert not action.overdue(date(2026, 12, 31)) and action.overdue(date(2027, 1, 1))
    assert not StrategyAction(2, 1, "x", "", "", "", "", "", parse_timescale("2020/21"), "complete").overdue(
        date(2027, 1, 1))


def test_a_measure_off_target_raises_a_risk_that_says_why():
    from compliance.core.plan import MeasureRecord, risk_from_measure
    record = MeasureRecord(7, None, STOCKTON, "Repeat cases", "Community Safety",
                           actuals=((Y("2011/12"), Decimal(25)),))
    assert record.latest()[1].rag == "red"
    started = risk_from_measure(record, owner="Ann Lead", review_by=date(2027, 1, 31))
    assert started["description"] == ("Repeat perpetrators at MARAC is off target. In 2011/12 it was 25 against the "
                                      "baseline (2010/11) (23).")
    assert started["raised_from_measure_id"] == 7 and started["owner"] == "Ann Lead"


def test_a_measure_is_read_from_its_form_with_every_problem_on_its_field():
    from compliance.core.plan import read_measure
    period = strategy_period(2011, 2014)
    typed = {"name": "Repeat perpetrators", "unit": "count", "direction": REDUCE, "baseline_period": "2010/11",
             "baseline": "23", "rule": YEAR_ON_YEAR, "tolerance": "", "targets": {2011: "", 2012: "", 2013: ""}}
    measure, problems = read_measure(**typed, strategy=period)
    assert problems == {} and measure == STOCKTON.__class__("Repeat perpetrators", "count", REDUCE, Y("2010/11"),
                                                            Decimal(23), Rule(YEAR_ON_YEAR))
    measure, problems = read_measure(**{**typed, "unit": "", "direction": "sideways", "baseline": "lots",
                                        "rule": TARGET, "tolerance": "5%", "targets": {2011: "1.5", 2012: "20"}},
                                     strategy=period)
    assert measure is None
    assert problems == {"unit": "Select the measure's unit: a count, a percentage or a rate per 1,000",
                        "direction": "Select whether lower or higher is better for this measure"}
    measure, problems = read_measure(**{**typed, "baseline": "lots", "rule": TARGET,
                                        "targets": {2011: "1.5", 2012: "20"}}, strategy=period)
    assert problems == {"baseline": "Enter a number, like 23 or 40.5, not 'lots'",
                        "target-2011": "This measure is a count: enter a whole number, not '1.5'"}
    measure, problems = read_measure(**{**typed, "baseline_period": "", "targets": {2012: "20"}}, strategy=period)
    assert problems == {"baseline_period": "Enter the baseline's financial year, like 2010/11: a target is set "
                                           "against a baseline"}
    measure, problems = read_measure(**{**typed, "baseline_period": "2012/13", "rule": TARGET,
                                        "targets": {2011: "20", 2013: "18"}}, strategy=period)
    assert problems == {"target-2011": "The target for 2011/12 is not after the baseline (2012/13): a target is for "
                                       "a year after the baseline"}
    measure, problems = read_measure(**{**typed, "rule": TARGET, "tolerance": "5%", "targets": {2013: "18"}},
                                     strategy=period)
    assert problems == {} and measure.rule == Rule(TARGET, Decimal(5)) and measure.targets == ((Y("2013/14"),
                                                                                              Decimal(18)),)


def test_a_figure_is_read_in_its_unit_and_inside_the_strategys_years():
    from compliance.core.plan import read_figure
    period = strategy_period(2011, 2014)
    assert read_figure("2012/13 Q2", "1,250", unit="count", strategy=period) == ((Y("2012/13 Q2"), Decimal(1250)), {})
    assert read_figure("2014/15", "40%", unit="count", strategy=period) == (None, {
        "period": "The figure for 2014/15 is outside the strategy's period (2011/12 to 2013/14): enter a period from "
                  "2011/12 to 2013/14",
        "value": "This measure is a count, not a percentage: enter it without the % sign"})
    assert read_figure("", "", unit="rate-per-1000", strategy=period)[1] == {
        "period": "Enter a financial year like 2010/11, or a quarter like 2010/11 Q1",
        "value": "Enter the figure, as a rate per 1,000 like 3.2"}


def test_problems_name_their_fields_and_validate_raises_the_first():
    bad = Measure("m", "inches", "sideways", Y("2010/11 Q1"), Decimal(1), Rule("guess", Decimal(101)),
                  targets=((Y("2009/10"), Decimal(1)),))
    assert [problem.field for problem in problems_of(bad)] == ["unit", "direction", "rule", "baseline_period",
                                                               "target-2009", "tolerance"]
    with pytest.raises(PlanError) as first:
        validate(bad)
    assert first.value.field == "unit"


def problems_of(measure):
    from compliance.core.plan import problems
    return problems(measure)


def test_the_register_orders_risks_by_score_then_the_review_due_soonest():
    from compliance.core.plan import Risk, by_score
    risks = [Risk(1, "a", "", "", 2, 2, "Ann", None), Risk(2, "b", "", "", 4, 5, "Ann", date(2027, 1, 1)),
             Risk(3, "c", "", "", 5, 4, "Ann", date(2026, 1, 1)), Risk(4, "d", "", "", 1, 4, "Ann", date(2026, 1, 1))]
    assert [risk.id for risk in by_score(risks)] == [3, 2, 4, 1]


def test_a_frameworks_percent_met_is_one_rule_for_the_matrix_and_the_plan():
    from compliance.core.scoring import Counts, framework_percent
    from tests.builders import STATEMENT_BVPI
    counts = [Counts(6, 0, 5, 0, 0, 6, 11, None), Counts(4, 0, 0, 2, 1, 4, 5, None)]
    assert framework_percent(STATEMENT_BVPI, counts) == Decimal("62.5")  # 10 of 16, to BVPI 225's one decimal
    assert framework_percent(STATEMENT_BVPI, []) is None
