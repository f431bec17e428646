"""Scoring: hand-computed examples and invariants (hypothesis), on frameworks built directly."""
from __future__ import annotations

import ast
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.core import scoring
from compliance.core.frameworks import OverallRule, Threshold
from compliance.core.scoring import (
    Overall,
    compare,
    compare_overall,
    format_percent,
    overall,
    overall_rule_text,
    percent,
    rag,
    rag_letter,
    rag_text,
    requirement_counts,
)
from tests.builders import FOUR_LEVELS, NA, SECTORS, YES_NO, framework, requirement

# 16 requirements, the last two only for some sectors, worst rating wins
PROTOCOL = framework(
    "protocol",
    FOUR_LEVELS,
    [requirement(f"r{i:02}") for i in range(1, 15)]
    + [requirement("r15", sectors=("police",)), requirement("r16", sectors=("police", "health"))],
    OverallRule("worst-rating-wins"),
)
# BVPI 225 style: 11 yes/no questions, score = yes / 11 x 100 to one decimal place, no thresholds
BVPI = framework(
    "bvpi", YES_NO, [requirement(f"q{i:02}") for i in range(1, 12)], OverallRule("percentage-met", decimals=1)
)
# London style: 17 requirements, 59% (10 of 17) is green
LONDON = framework(
    "london",
    YES_NO + (NA,),
    [requirement(f"s{i:02}") for i in range(1, 18)],
    OverallRule(
        "percentage-met",
        thresholds=(
            Threshold(Decimal(59), "Compliant", "green"),
            Threshold(Decimal(40), "Partially compliant", "amber"),
            Threshold(Decimal(0), "Not compliant", "red"),
        ),
    ),
)
FRAMEWORKS = (PROTOCOL, BVPI, LONDON)


def answers_of(fw, *codes):
    """Answers for the framework's requirements in order; shorter lists leave the rest unanswered."""
    return {r.id: code for r, code in zip(fw.requirements, codes)}


def london(yes, no=0, na=0):
    return answers_of(LONDON, *(["yes"] * yes + ["no"] * no + ["n-a"] * na))


# hand-computed examples


@pytest.mark.parametrize(
    "numerator, denominator, decimals, expected",
    [
        (10, 17, 0, "59"),
        (10, 17, 1, "58.8"),
        (6, 11, 1, "54.5"),
        (6, 11, 0, "55"),
        (1, 8, 0, "13"),  # 12.5 half-up, not half-even
        (5, 8, 0, "63"),  # 62.5 half-up, not half-even
        (1, 40, 1, "2.5"),
        (1, 40, 0, "3"),
        (1, 16, 1, "6.3"),  # 6.25
        (1169, 2000, 0, "58"),  # exactly 58.45: rounded once, not 58.5 then 59
        (1169, 2000, 1, "58.5"),
        (0, 5, 0, "0"),
        (5, 5, 0, "100"),
        (1, 1, 1, "100.0"),
        (2, 3, 2, "66.67"),
    ],
)
def test_percent_rounds_once_half_up(numerator, denominator, decimals, expected):
    assert str(percent(numerator, denominator, decimals=decimals)) == expected


def test_percent_of_nothing_is_none():
    assert percent(0, 0) is None


@pytest.mark.parametrize("args", [(-1, 5), (6, 5), (1, -5)])
def test_percent_rejects_impossible_counts(args):
    with pytest.raises(ValueError):
        percent(*args)


def test_percent_rejects_unknown_rounding():
    with pytest.raises(ValueError, match="half-up"):
        percent(1, 2, rounding="half-even")


def test_format_percent():
    assert format_percent(Decimal("59")) == "59%"
    assert format_percent(Decimal("54.5"), decimals=1) == "54.5%"
    assert format_percent(Decimal("100"), decimals=1) == "100.0%"
    assert format_percent(None) == "Not applicable"


def test_format_percent_refuses_to_round_a_second_time():
    with pytest.raises(ValueError, match="percent"):
        format_percent(Decimal("58.5"))


def test_rag_of_each_level_and_of_nothing():
    assert [rag(PROTOCOL, c) for c in ("met", "partially-met", "not-met", "n-a", None)] == [
        "green", "amber", "red", "grey", "blank",
    ]


def test_rag_of_unknown_code_names_it_and_the_valid_codes():
    with pytest.raises(ValueError, match=r"protocol@1: unknown level code 'done'.*met, partially-met"):
        rag(PROTOCOL, "done")


def test_colour_is_never_the_only_signal():
    colours = ("green", "amber", "red", "grey", "blank")
    assert [rag_letter(c) for c in colours] == ["G", "A", "R", "N/A", ""]
    assert [rag_text(c) for c in colours] == ["Green", "Amber", "Red", "Not applicable", "Not submitted"]
    with pytest.raises(ValueError):
        rag_letter("purple")


def test_ten_of_seventeen_meets_the_59_threshold():
    result = overall(LONDON, london(10, no=7), sector="police")
    assert (result.state, result.label, result.rag, result.percent) == ("complete", "Compliant", "green", 59)
    assert (result.met, result.applicable, result.answered, result.total) == (10, 17, 17, 17)


@pytest.mark.parametrize(
    "yes, no, expected",
    [(9, 8, ("Partially compliant", "amber", 53)), (6, 11, ("Not compliant", "red", 35))],
)
def test_thresholds_below_59(yes, no, expected):
    result = overall(LONDON, london(yes, no=no), sector="police")
    assert (result.label, result.rag, result.percent) == expected


def test_not_applicable_is_left_out_of_the_denominator():
    result = overall(LONDON, london(9, no=6, na=2), sector="police")  # 9 of 15, not 9 of 17
    assert (result.percent, result.applicable, result.rag) == (60, 15, "green")


def test_all_not_applicable_is_grey():
    for fw in (LONDON, PROTOCOL):
        result = overall(fw, answers_of(fw, *["n-a"] * 17), sector="police")
        assert (result.state, result.label, result.rag, result.percent) == (
            "not-applicable", "Not applicable", "grey", None,
        )


def test_unanswered_makes_it_incomplete_and_counts_as_not_met():
    result = overall(LONDON, london(9, na=1), sector="police")  # 7 unanswered: 9 of 16
    assert (result.state, result.label, result.rag) == ("incomplete", "Incomplete", "blank")
    assert (result.percent, result.met, result.applicable, result.answered) == (56, 9, 16, 10)


def test_bvpi_score_is_yes_of_eleven_to_one_decimal_place_without_thresholds():
    result = overall(BVPI, answers_of(BVPI, *["yes"] * 6 + ["no"] * 5), sector="health")
    assert (result.state, result.label, result.rag) == ("complete", "54.5%", "blank")
    assert str(result.percent) == "54.5"


@pytest.mark.parametrize(
    "changed, expected",
    [({}, ("Met", "green")), ({"r03": "partially-met"}, ("Partially met", "amber")),
     ({"r03": "partially-met", "r09": "not-met"}, ("Not met", "red")), ({"r03": "n-a"}, ("Met", "green"))],
)
def test_worst_rating_wins(changed, expected):
    answers = answers_of(PROTOCOL, *["met"] * 16) | changed
    result = overall(PROTOCOL, answers, sector="police")
    assert (result.state, result.label, result.rag) == ("complete", *expected)
    assert result.percent is None


def test_worst_rating_wins_incomplete():
    answers = answers_of(PROTOCOL, *["met"] * 15)
    result = overall(PROTOCOL, answers, sector="police")
    assert (result.state, result.label, result.rag, result.answered, result.total) == (
        "incomplete", "Incomplete", "blank", 15, 16,
    )


def test_sector_applicability():
    answers = answers_of(PROTOCOL, *["met"] * 14) | {"r15": "not-met", "r16": "partially-met", "other": "x"}
    assert overall(PROTOCOL, answers, sector="police").label == "Not met"
    assert overall(PROTOCOL, answers, sector="health").label == "Partially met"
    education = overall(PROTOCOL, answers, sector="education")
    assert (education.label, education.total, education.answered) == ("Met", 14, 14)


def test_no_requirement_applies():
    police_only = [requirement("p1", sectors=("police",))]
    fw = framework("police-only", FOUR_LEVELS, police_only, OverallRule("worst-rating-wins"))
    result = overall(fw, {"p1": "not-met"}, sector="housing")
    assert (result.state, result.rag, result.total) == ("no-requirements", "grey", 0)


def test_unanswered_optional_requirement_is_left_out():
    fw = framework(
        "optional", YES_NO, [requirement("a"), requirement("b"), requirement("c", mandatory=False)],
        OverallRule("percentage-met"),
    )
    result = overall(fw, {"a": "yes", "b": "no"}, sector="police")
    assert (result.state, result.percent, result.applicable) == ("complete", 50, 2)


def test_unknown_code_in_an_answer_is_an_error():
    with pytest.raises(ValueError, match="unknown level code 'maybe'"):
        overall(LONDON, {"s01": "maybe"}, sector="police")


def test_requirement_counts():
    counts = requirement_counts(PROTOCOL, "r01", ["met", "met", "partially-met", "not-met", "n-a", None])
    assert counts == scoring.Counts(
        green=2, amber=1, red=1, na=1, missing=1, met=2, applicable=5, percent_met=Decimal(40)
    )


def test_missing_organisation_counts_as_not_met():
    assert requirement_counts(PROTOCOL, "r01", ["met", None]).percent_met == 50
    assert requirement_counts(PROTOCOL, "r01", ["met", "n-a"]).percent_met == 100


def test_requirement_counts_decimals_and_errors():
    one_of_three = requirement_counts(PROTOCOL, "r01", ["met", "not-met", "not-met"], decimals=1)
    assert str(one_of_three.percent_met) == "33.3"
    assert requirement_counts(PROTOCOL, "r01", ["n-a", "n-a"]).percent_met is None
    with pytest.raises(ValueError, match="no requirement 'r99'"):
        requirement_counts(PROTOCOL, "r99", [])


@pytest.mark.parametrize(
    "before, after, expected",
    [("partially-met", "met", "better"), ("met", "met", "same"), ("met", "not-met", "worse"),
     ("n-a", "n-a", "same"), ("n-a", "met", None), ("met", "n-a", None),
     (None, "met", None), ("met", None, None)],
)
def test_compare(before, after, expected):
    assert compare(PROTOCOL, before, after) == expected


def test_compare_overall():
    last, this = (overall(LONDON, london(y, no=17 - y), sector="police") for y in (9, 10))
    grey = overall(LONDON, london(0, na=17), sector="police")
    incomplete = overall(LONDON, london(10), sector="police")
    assert (compare_overall(last, this), compare_overall(this, last), compare_overall(this, this)) == (
        "better", "worse", "same",
    )
    assert compare_overall(grey, grey) == "same"
    assert compare_overall(grey, this) is None
    assert compare_overall(incomplete, this) is None


# invariants

frameworks = st.sampled_from(FRAMEWORKS)
sectors = st.sampled_from(sorted(SECTORS))


def answers_for(fw, requirements):
    codes = st.sampled_from([lv.code for lv in fw.scale] + [None])
    return st.fixed_dictionaries({r.id: codes for r in requirements})


def applicable_levels(fw):
    return [lv for lv in fw.scale if lv.applicable]


@given(st.data())
def test_improving_one_answer_never_lowers_the_rank(data):
    fw, sector = data.draw(frameworks), data.draw(sectors)
    answers = data.draw(answers_for(fw, fw.requirements_for(sector)))
    improvable = [rid for rid, code in answers.items() if code and fw.level(code).applicable
                  and any(lv.score > fw.level(code).score for lv in applicable_levels(fw))]
    if not improvable:
        return
    rid = data.draw(st.sampled_from(improvable))
    better = [lv.code for lv in applicable_levels(fw) if lv.score > fw.level(answers[rid]).score]
    improved = answers | {rid: data.draw(st.sampled_from(better))}
    before, after = overall(fw, answers, sector=sector), overall(fw, improved, sector=sector)
    assert after.rank >= before.rank
    assert compare_overall(before, after) in ("better", "same", None)


@given(st.integers(0, 10**6), st.integers(1, 10**6), st.integers(0, 2))
def test_percent_is_between_0_and_100_and_within_half_a_unit(a, b, decimals):
    numerator, denominator = min(a, b), max(a, b)
    value = percent(numerator, denominator, decimals=decimals)
    assert 0 <= value <= 100
    assert value.as_tuple().exponent == -decimals
    assert abs(Fraction(value) - Fraction(100 * numerator, denominator)) <= Fraction(1, 2 * 10**decimals)


@given(st.data())
def test_overall_percent_is_between_0_and_100(data):
    fw, sector = data.draw(st.sampled_from((BVPI, LONDON))), data.draw(sectors)
    result = overall(fw, data.draw(answers_for(fw, fw.requirements)), sector=sector)
    assert result.percent is None or 0 <= result.percent <= 100
    assert 0 <= result.met <= result.applicable and result.answered <= result.total


@given(st.lists(st.sampled_from(["met", "partially-met", "not-met", "n-a", None])), st.integers(0, 2))
def test_counts_sum_to_the_organisations(codes, decimals):
    counts = requirement_counts(PROTOCOL, "r01", codes, decimals=decimals)
    assert counts.green + counts.amber + counts.red + counts.na + counts.missing == len(codes)
    assert counts.applicable == len(codes) - counts.na
    assert (counts.percent_met is None) == all(code == "n-a" for code in codes)
    assert counts.percent_met is None or 0 <= counts.percent_met <= 100


@given(st.data())
def test_compare_is_antisymmetric(data):
    fw = data.draw(frameworks)
    codes = st.sampled_from([lv.code for lv in fw.scale] + [None])
    a, b = data.draw(codes), data.draw(codes)
    assert (compare(fw, a, b) == "better") == (compare(fw, b, a) == "worse")
    assert (compare(fw, a, b) == "same") == (compare(fw, b, a) == "same")
    assert (compare(fw, a, b) is None) == (compare(fw, b, a) is None)


@given(st.data())
def test_overall_is_independent_of_the_order_of_answers(data):
    fw, sector = data.draw(frameworks), data.draw(sectors)
    answers = data.draw(answers_for(fw, fw.requirements_for(sector)))
    shuffled = dict(data.draw(st.permutations(list(answers.items()))))
    assert overall(fw, shuffled, sector=sector) == overall(fw, answers, sector=sector)


@given(st.data())
def test_answers_outside_the_sector_are_ignored(data):
    fw, sector = data.draw(frameworks), data.draw(sectors)
    inside = fw.requirements_for(sector)
    outside = [r for r in fw.requirements if r not in inside] + [requirement("not-in-framework")]
    answers = data.draw(answers_for(fw, inside))
    extra = data.draw(answers_for(fw, outside))
    assert overall(fw, extra | answers, sector=sector) == overall(fw, answers, sector=sector)


def test_overall_is_a_frozen_value():
    result = overall(BVPI, {}, sector="police")
    assert isinstance(result, Overall)
    with pytest.raises(AttributeError):
        result.label = "Met"


def test_scoring_imports_only_the_standard_library_and_the_package():
    tree = ast.parse(Path(scoring.__file__).read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module.split(".")[0])
    assert "flask" not in modules
    assert modules <= set(sys.stdlib_module_names) | {"compliance"}


def test_the_overall_rule_is_said_in_words():
    assert overall_rule_text(PROTOCOL).startswith("the lowest rating given to any of its requirements: one "
                                                  "requirement not met makes the overall not met")
    assert overall_rule_text(LONDON) == ("the % of its requirements met, not applicable ones left out (Compliant "
                                         "from 59%; Partially compliant from 40%; Not compliant from 0%)")
