"""A cycle's figures counted without the matrix are the matrix's own: every count, % met and the coverage."""
from __future__ import annotations

from dataclasses import replace

import pytest

from compliance.core.figures import cycle_figures
from compliance.core.frameworks import OverallRule
from compliance.core.matrix import OrgRow, build_matrix
from compliance.render.charts import partnership_percent
from tests.builders import FOUR_LEVELS, FW, OTHER, PREVIOUS, ROWS, SECTORS, framework, ratings, requirement

ONE_DECIMAL = framework("dec", FOUR_LEVELS, [requirement("d1"), requirement("d2", sectors=("health",))],
                        OverallRule("percentage-met", decimals=1))
MORE = ROWS + [
    # withdrawn: in no figure; blank answers: count as not met; another framework asked of some sectors only
    OrgRow(5, "Echo Police", "police", 15, "submitted", ratings(r1="not-met"), 1, withdrawn=True),
    OrgRow(6, "Foxtrot Police", "police", 16, "accepted",
           {**ratings(r1="met"), (OTHER.key, "x1"): "met", (OTHER.key, "x2"): "n-a",
            (ONE_DECIMAL.key, "d1"): "met"}, 1),
    OrgRow(7, "Golf Health", "health", 17, "returned", None),
    OrgRow(8, "Hotel Health", "health", 18, "submitted",
           {(ONE_DECIMAL.key, "d1"): "not-met", (ONE_DECIMAL.key, "d2"): "partially-met"}, 1),
]


@pytest.mark.parametrize("frameworks", [[FW], [FW, OTHER, ONE_DECIMAL], [ONE_DECIMAL, OTHER, FW]])
@pytest.mark.parametrize("final", [False, True])
def test_the_counts_are_the_matrixs_without_building_it(frameworks, final):
    matrix = build_matrix(frameworks, MORE, PREVIOUS, sectors=SECTORS, cycle="2025/26", final=final)
    found = cycle_figures(frameworks, MORE, final=final)
    assert [(c.framework.key, c.requirement.id) for c in found.columns] == [
        (c.framework.key, c.requirement.id) for c in matrix.columns]
    assert [c.counts for c in found.columns] == [c.counts for c in matrix.columns]
    assert [c.percent_text for c in found.columns] == [c.percent_text for c in matrix.columns]
    assert (found.coverage_text, found.final) == (matrix.coverage_text, matrix.final)
    assert partnership_percent(found.columns) == partnership_percent(matrix.columns)


def test_a_cycle_with_nothing_returned_has_no_percent_and_says_none_returned():
    nothing = [replace(row, ratings=None, version=None) for row in ROWS]
    found = cycle_figures([FW], nothing)
    assert partnership_percent(found.columns) is None
    assert found.coverage_text == "0 of 4 organisations returned"
    assert [c.counts.not_returned for c in found.columns] == [4, 4, 4]
