"""A cycle's figures per requirement, counted straight from what was signed, without building the matrix.

Pure: imports no Flask and touches no database. The charts need each requirement's counts and % met, and a % met
for every cycle; build_matrix makes a cell object for every organisation and requirement (and reads last
cycle's answers and the auditors' checks) to get the same counts. Here the same answers go to the same
requirement_counts, so the figures are those of the unfiltered, self-assessed matrix, at a fraction of the
cost (see make bench). A test compares the two.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from compliance.core.frameworks import Framework, Requirement
from compliance.core.matrix import OrgRow
from compliance.core.scoring import Counts, coverage_text, format_percent, framework_percent, requirement_counts


@dataclass(frozen=True, slots=True)
class ColumnFigures:
    """One requirement's counts over the returns that are in, as the matrix's Column has them."""

    framework: Framework
    requirement: Requirement
    counts: Counts

    @property
    def percent_text(self) -> str:
        return format_percent(self.counts.percent_met, decimals=self.framework.overall.decimals)


@dataclass(frozen=True, slots=True)
class CycleFigures:
    columns: tuple[ColumnFigures, ...]  # in the cycle's order of frameworks
    returned: int  # organisations whose return is in
    organisations: int  # organisations with a return this cycle (withdrawn ones left out)
    final: bool = False

    @property
    def coverage_text(self) -> str:
        return coverage_text(self.returned, self.organisations)

    def framework_percent(self, framework_id: str) -> Decimal | None:
        """A framework's % met over the returns that are in (by framework id, whichever version the cycle asked):
        the matrix's own figure for it; None when the cycle did not ask it or nothing applicable was answered."""
        columns = [column for column in self.columns if column.framework.id == framework_id]
        if not columns:
            return None
        return framework_percent(columns[0].framework, (column.counts for column in columns))


def cycle_figures(frameworks: Sequence[Framework], rows: Sequence[OrgRow], *, final: bool = False) -> CycleFigures:
    """Each requirement's counts, self-assessed and unfiltered: what build_matrix's columns count, without cells."""
    rows = [row for row in rows if not row.withdrawn]
    columns = []
    for framework in frameworks:
        decimals = framework.overall.decimals
        for requirement in framework.requirements:
            asked = [row for row in rows if requirement.applies_to(row.sector)]
            codes = [row.ratings.get((framework.key, requirement.id)) for row in asked if row.ratings is not None]
            columns.append(ColumnFigures(framework, requirement, requirement_counts(
                framework, requirement.id, codes, not_returned=len(asked) - len(codes), decimals=decimals)))
    returned = sum(1 for row in rows if row.ratings is not None)
    return CycleFigures(tuple(columns), returned, len(rows), final)
