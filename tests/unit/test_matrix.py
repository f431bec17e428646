"""The partnership matrix on a hand-computed fixture: 4 organisations x 3 requirements, an N/A, a missing return."""
from __future__ import annotations

import time
from decimal import Decimal

from compliance.core import matrix as mx
from compliance.core.frameworks import OverallRule
from compliance.core.matrix import OrgRow, build_matrix
from compliance.core.sectors import parse_sectors
from tests.builders import FOUR_LEVELS, FW, OLD, OTHER, PREVIOUS, ROWS, SECTORS, framework, ratings, requirement


def column(matrix, rid):
    return next(c for c in matrix.columns if c.requirement.id == rid)


def row(matrix, name):
    return next(r for r in matrix.rows if r.org.name == name)


def cell(matrix, name, rid):
    return next(c for c in row(matrix, name).cells if c.requirement.id == rid)


def test_percent_met_is_over_the_returns_that_are_in_leaving_out_na_with_the_coverage_beside_it():
    matrix = build_matrix([FW], ROWS, PREVIOUS, sectors=SECTORS)
    # r1: G Alpha, G Bravo, R Charlie; Delta not returned, so in no denominator -> 2 met of 3
    c1 = column(matrix, "r1").counts
    assert (c1.green, c1.amber, c1.red, c1.na, c1.missing, c1.met, c1.applicable) == (2, 0, 1, 0, 0, 2, 3)
    assert (c1.returned, c1.not_returned, c1.asked) == (3, 1, 4)
    assert column(matrix, "r1").percent_text == "67%"
    assert column(matrix, "r1").coverage_text == "3 of 4 organisations returned"
    # r2: A Alpha, G Bravo, N/A Charlie (left out) -> 1 met of 2
    c2 = column(matrix, "r2").counts
    assert (c2.green, c2.amber, c2.red, c2.na, c2.missing, c2.met, c2.applicable) == (1, 1, 0, 1, 0, 1, 2)
    assert column(matrix, "r2").percent_text == "50%"
    # r3: N/A Alpha, R Bravo, G Charlie -> 1 met of 2
    c3 = column(matrix, "r3").counts
    assert (c3.green, c3.amber, c3.red, c3.na, c3.missing, c3.met, c3.applicable) == (1, 0, 1, 1, 0, 1, 2)
    assert c3.percent_met == Decimal(50)
    # the framework: 4 met of 7 applicable answers, 3 of the 4 organisations returned
    group = matrix.groups[0]
    assert (group.met, group.applicable, group.percent_text) == (4, 7, "57%")
    assert group.coverage_text == matrix.coverage_text == "3 of 4 organisations returned"


def test_a_returned_answer_left_blank_counts_as_not_met_but_a_missing_return_does_not():
    rows = [OrgRow(1, "Alpha Police", "police", 11, "accepted", ratings(r1="met"), 1),
            OrgRow(2, "Bravo Police", "police", 12, "submitted", ratings(r1="met", r2="met"), 1),
            OrgRow(3, "Echo Police", "police", 15, "not-started", None)]
    c2 = column(build_matrix([FW], rows, None, sectors=SECTORS), "r2")
    assert (c2.counts.missing, c2.counts.not_returned, c2.counts.met, c2.counts.applicable) == (1, 1, 1, 2)
    assert c2.percent_text == "50%" and c2.coverage_text == "2 of 3 organisations returned"


def test_figures_are_provisional_while_the_cycle_is_open_and_final_once_it_is_closed():
    assert build_matrix([FW], ROWS, None, sectors=SECTORS).standing == "Provisional"
    assert build_matrix([FW], ROWS, None, sectors=SECTORS, final=True).standing == "Final"


def test_nothing_returned_yet_is_no_figure_rather_than_none_met():
    rows = [OrgRow(4, "Delta Health", "health", 14, "in-progress", None)]
    matrix = build_matrix([FW], rows, PREVIOUS, sectors=SECTORS)
    c1 = column(matrix, "r1")
    assert c1.counts.percent_met is None and c1.counts.not_returned == 1 and c1.trend is None
    assert matrix.coverage_text == "0 of 1 organisation returned"
    assert c1.comparison_text == "No comparison: no organisation answered this in both years."


def test_cells_carry_letter_text_and_words_and_link_to_the_signed_answer():
    matrix = build_matrix([FW], ROWS, PREVIOUS, sectors=SECTORS)
    alpha = cell(matrix, "Alpha Police", "r1")
    assert (alpha.rag, alpha.letter, alpha.text, alpha.label) == ("green", "G", "Green", "Met")
    assert alpha.description == "Alpha Police, requirement r1: Green, met (better than last year)"
    assert alpha.link == {"return_id": 11, "version": 1, "framework_id": "proto", "requirement_id": "r1"}
    na = cell(matrix, "Alpha Police", "r3")
    assert (na.rag, na.letter, na.description) == ("grey", "N/A", "Alpha Police, requirement r3: Not applicable")
    delta = cell(matrix, "Delta Health", "r1")
    assert (delta.rag, delta.letter, delta.text, delta.link) == ("blank", "", "Not submitted", None)
    assert delta.description == "Delta Health, requirement r1: not submitted"


def test_trends_per_cell_and_per_column_against_the_previous_cycle():
    matrix = build_matrix([FW], ROWS, PREVIOUS, sectors=SECTORS)
    assert cell(matrix, "Alpha Police", "r1").trend == "better"  # partially met -> met
    assert cell(matrix, "Alpha Police", "r2").trend == "same"
    assert cell(matrix, "Bravo Police", "r1").trend == "same"
    assert cell(matrix, "Bravo Police", "r3").trend == "worse"  # met -> not met
    assert cell(matrix, "Bravo Police", "r2").trend is None  # no answer last year
    assert cell(matrix, "Charlie Health", "r1").trend is None  # no return last year
    assert cell(matrix, "Alpha Police", "r3").trend is None  # N/A now, nothing before
    assert cell(matrix, "Bravo Police", "r1").previous_label == "Met"
    # like for like: only Alpha and Bravo answered r1 in both years (Charlie had no return, Delta none now)
    r1 = column(matrix, "r1")
    assert r1.compared == 2 and r1.previous_percent == Decimal(50) and r1.like_percent_text == "100%"
    assert (r1.better, r1.same, r1.worse, r1.trend) == (1, 1, 0, "better")
    assert r1.comparison_text == ("Like for like, the 2 organisations that answered in both years: 50% met last "
                                  "year, 100% now; 1 better, 1 same, 0 worse.")
    r2 = column(matrix, "r2")  # only Alpha: partially met both years
    assert r2.compared == 1 and r2.previous_percent == Decimal(0) and r2.trend == "same"
    assert r2.comparison_text.startswith("Like for like, the organisation that answered in both years: 0% met")
    r3 = column(matrix, "r3")  # only Bravo: met -> not met; Alpha's N/A had nothing before
    assert (r3.compared, r3.better, r3.worse, r3.trend) == (1, 0, 1, "worse")
    group = matrix.groups[0]
    assert (group.compared, group.better, group.same, group.worse, group.trend) == (4, 1, 2, 1, "same")
    assert group.comparison_text == ("Like for like, over the 4 answers given in both years: 50% met last year, "
                                     "50% now; 1 better, 2 same, 1 worse.")
    assert build_matrix([FW], ROWS, None, sectors=SECTORS).columns[0].trend is None


def test_a_columns_arrow_always_agrees_with_its_counts():
    """Whatever last year held, the arrow is "better" only with more better than worse, and so on."""
    codes = ["met", "partially-met", "not-met", "n-a", None]
    for first in codes:
        for second in codes:
            previous = {1: {(OLD, "r1"): first, (OLD, "r2"): second}, 2: {(OLD, "r1"): second}}
            for c in build_matrix([FW], ROWS, previous, sectors=SECTORS).columns:
                expected = (None if c.compared == 0 or c.better + c.same + c.worse == 0 else
                            "better" if c.better > c.worse else "worse" if c.worse > c.better else "same")
                assert c.trend == expected, (first, second, c.requirement.id)


def test_overall_per_row_and_framework_by_the_frameworks_rule():
    matrix = build_matrix([FW], ROWS, PREVIOUS, sectors=SECTORS)
    assert row(matrix, "Alpha Police").groups[0].overall_text == "Partially met"  # worst of G, A (N/A left out)
    assert row(matrix, "Bravo Police").groups[0].overall.rag == "red"
    assert row(matrix, "Delta Health").groups[0].overall is None
    assert row(matrix, "Delta Health").groups[0].overall_text == "Not submitted"


def test_filters_by_sector_status_and_framework():
    both = [FW, OTHER]
    health = build_matrix(both, ROWS, PREVIOUS, sectors=SECTORS, sector="health")
    assert [r.org.name for r in health.rows] == ["Charlie Health", "Delta Health"]
    c1 = column(health, "r1").counts
    assert (c1.red, c1.missing, c1.not_returned, c1.met, c1.applicable, c1.percent_met) == (1, 0, 1, 0, 1, Decimal(0))
    submitted = build_matrix(both, ROWS, PREVIOUS, sectors=SECTORS, status="submitted")
    assert [r.org.name for r in submitted.rows] == ["Charlie Health", "Bravo Police"]  # by sector, then name
    only = build_matrix(both, ROWS, PREVIOUS, sectors=SECTORS, framework_id="other")
    assert [g.framework.id for g in only.groups] == ["other"] and len(only.frameworks) == 2
    assert build_matrix(both, ROWS, None, sectors=SECTORS, sector="education").rows == ()


def test_a_requirement_not_for_a_sector_is_not_asked_and_left_out_of_its_counts():
    matrix = build_matrix([OTHER], ROWS, None, sectors=SECTORS)
    x2 = column(matrix, "x2").counts
    assert x2.asked == 2, "only the two police organisations"
    asked = cell(matrix, "Charlie Health", "x2")
    assert asked.state == mx.NOT_ASKED and asked.link is None
    assert asked.description == "Charlie Health, requirement x2: not asked of health (nhs) organisations"


def test_rows_are_grouped_by_sector_then_name():
    groups = build_matrix([FW], list(reversed(ROWS)), None, sectors=SECTORS).row_groups()
    assert [(sector, [r.org.name for r in rows]) for sector, rows in groups] == [
        ("Health (NHS)", ["Charlie Health", "Delta Health"]), ("Police", ["Alpha Police", "Bravo Police"])]


def test_rows_follow_the_order_of_the_partnerships_own_sectors_and_take_their_names():
    own = parse_sectors('[[sectors]]\nid = "police"\nname = "Policing"\n\n[[sectors]]\nid = "health"\nname = "NHS"\n',
                        name="own.toml")
    groups = build_matrix([FW], ROWS, None, sectors=own).row_groups()
    assert [(sector, [r.org.name for r in rows]) for sector, rows in groups] == [
        ("Policing", ["Alpha Police", "Bravo Police"]), ("NHS", ["Charlie Health", "Delta Health"])]


def test_two_hundred_organisations_build_quickly():
    many = [OrgRow(i, f"Organisation {i:03}", "police", i, "submitted", ratings(r1="met", r2="not-met", r3="n-a"), 1)
            for i in range(200)]
    start = time.perf_counter()
    matrix = build_matrix([FW, OTHER], many, {i: ratings(r1="not-met") for i in range(200)}, sectors=SECTORS)
    assert time.perf_counter() - start < 2
    assert column(matrix, "r1").better == 200 and len(matrix.rows) == 200


def test_a_framework_asked_of_nobody_shown_is_left_out_of_the_grid_in_the_cycles_order():
    police_only = framework("police-only", FOUR_LEVELS, [requirement("p1", sectors=("police",))],
                            OverallRule("worst-rating-wins"))
    everyone = build_matrix([police_only, FW], ROWS, None, sectors=SECTORS)
    assert [g.framework.id for g in everyone.asked_groups] == ["police-only", "proto"], "the order given"
    assert everyone.unasked == ()
    health = build_matrix([police_only, FW], ROWS, None, sectors=SECTORS, sector="health")
    assert [g.framework.id for g in health.asked_groups] == ["proto"]
    assert [f.id for f in health.unasked] == ["police-only"]
    # a framework's table lists only the organisations asked something of it, by sector, with their cells
    table = everyone.framework_rows(everyone.groups[0])
    assert [(sector, [r.org.name for r, _ in rows]) for sector, rows in table] == [
        ("Police", ["Alpha Police", "Bravo Police"])]
    assert all(cells.framework.id == "police-only" for _, rows in table for _, cells in rows)


def test_a_row_group_names_its_reds_then_ambers_and_counts_its_disagreements():
    matrix = build_matrix([FW], ROWS, None, sectors=SECTORS)
    alpha = row(matrix, "Alpha Police").groups[0]
    assert [c.requirement.id for c in alpha.flagged] == ["r2"] and alpha.flagged[0].rag == "amber"
    bravo = row(matrix, "Bravo Police").groups[0]
    assert [(c.requirement.id, c.rag) for c in bravo.flagged] == [("r3", "red")]
    assert row(matrix, "Delta Health").groups[0].flagged == ()
    assert alpha.disagreements == 0


def test_the_parts_of_a_comparison_add_up_to_the_number_compared():
    """An answer that changed to or from not applicable is neither better nor worse: it is said apart."""
    previous = {1: {(OLD, "r1"): "n-a"}, 2: {(OLD, "r1"): "met"}}
    r1 = column(build_matrix([FW], ROWS, previous, sectors=SECTORS), "r1")
    assert (r1.compared, r1.better, r1.same, r1.worse) == (2, 0, 1, 0)
    assert r1.comparison_text.endswith("0 better, 1 same, 0 worse, 1 changed to or from not applicable.")


def test_the_matrix_counts_the_answers_auditors_have_checked():
    checked = [OrgRow(1, "Alpha Police", "police", 11, "accepted", ratings(r1="met", r2="partially-met", r3="n-a"), 1,
                      validated=ratings(r1="met")), *ROWS[1:]]
    matrix = build_matrix([FW], checked, None, sectors=SECTORS)
    assert (matrix.answered, matrix.checked, matrix.disagreements) == (9, 1, 0)
