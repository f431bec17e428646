"""An organisation's ratings year on year, in the core: a table per framework by id, rows by requirement id across
versions, a column per cycle that asked the framework, and words for every cell that has no rating."""
from __future__ import annotations

from dataclasses import replace

from compliance.core.history import CycleRatings, rating_history
from tests.builders import FOUR_LEVELS, YES_NO, OverallRule, framework, requirement

RULE = OverallRule("worst-rating-wins")
V1 = framework("proto", FOUR_LEVELS, [requirement("r1"), requirement("r2"), requirement("old")], RULE)
# version 2: r2 moved first, "old" gone, "new" added, r1 now for the police only
V2 = framework("proto", FOUR_LEVELS, [requirement("r2"), requirement("r1", sectors=("police",)), requirement("new")],
               RULE)
V2 = replace(V2, version="2")
BVPI = framework("bvpi", YES_NO, [requirement("q1")], OverallRule("percentage-met"))


def cells(table):
    return {row.requirement.id: [(cell.letter, cell.label) for cell in row.cells] for row in table.rows}


def test_years_compare_by_framework_and_requirement_id_across_versions():
    history = rating_history([
        CycleRatings("2024/25", "health", (V1,), {(V1.key, "r1"): "met", (V1.key, "r2"): "not-met",
                                                  (V1.key, "old"): "n-a"}),
        CycleRatings("2025/26", "health", (V1, BVPI), {(V1.key, "r1"): "partially-met", (BVPI.key, "q1"): "yes"}),
        CycleRatings("2026/27", "health", (V2,), {(V2.key, "r2"): "met", (V2.key, "new"): "met"}),
    ])
    assert [(table.framework.id, table.cycles) for table in history] == [
        ("proto", ("2024/25", "2025/26", "2026/27")), ("bvpi", ("2025/26",))]
    proto = history[0]
    assert proto.framework.version == "2", "named from the newest version asked"
    assert [row.requirement.id for row in proto.rows] == ["r2", "r1", "new", "old"], \
        "the newest version's order, then what only older versions had"
    assert cells(proto) == {
        "r2": [("R", "Not met"), ("", "Not answered"), ("G", "Met")],
        "r1": [("G", "Met"), ("A", "Partially met"), ("", "Not asked")],  # v2 asks r1 of the police only
        "new": [("", "Not asked"), ("", "Not asked"), ("G", "Met")],
        "old": [("N/A", "Not applicable"), ("", "Not answered"), ("", "Not asked")],
    }
    assert history[1].rows[0].cells[0].rag == "green"


def test_a_year_without_a_signed_return_never_reads_as_not_met():
    history = rating_history([
        CycleRatings("2024/25", "police", (V1,), {(V1.key, "r1"): "met"}),
        CycleRatings("2025/26", "police", (V1,), None, withdrawn=True),
        CycleRatings("2026/27", "police", (V1,), None),
    ])
    assert cells(history[0])["r1"] == [("G", "Met"), ("", "Withdrawn"), ("", "Not submitted")]
    assert {cell.rag for cell in history[0].rows[0].cells[1:]} == {"blank"}


def test_a_code_the_scale_does_not_know_is_shown_as_stored_without_a_colour():
    history = rating_history([CycleRatings("2026/27", "police", (V1,), {(V1.key, "r1"): "excellent"})])
    assert cells(history[0])["r1"] == [("", "excellent")]


def test_a_framework_that_asks_the_organisation_nothing_has_no_table_and_no_cycles_none():
    only_police = framework("bvpi", YES_NO, [requirement("q1", sectors=("local-authority",))],
                            OverallRule("percentage-met"))
    assert rating_history([CycleRatings("2026/27", "police", (only_police,), {})]) == []
    assert rating_history([]) == []
