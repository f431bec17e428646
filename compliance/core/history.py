"""One organisation's ratings year on year: a table per framework, its requirements as rows, cycles as columns.

Pure: imports no Flask and touches no database. Ratings come in already read from what was signed.

Decisions a reader needs:
- A cell is the rating of the signed version that stands in that cycle (submitted or accepted), as the matrix
  shows it; a cycle with none reads "Not submitted" (or "Withdrawn"), never "Not met".
- Years compare by framework id and requirement id, so a new version of a framework stays in the same table and
  row; the row is named from the newest version that has it.
- A framework gets a column only for the cycles that asked it; a requirement of that framework the cycle's
  version does not have, or does not ask of the organisation's sector then, reads "Not asked".
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from compliance.core.frameworks import Framework, Requirement
from compliance.core.scoring import BLANK, rag_letter

RATED, NOT_SUBMITTED, WITHDRAWN = "rated", "not-submitted", "withdrawn"
NOT_ASKED, UNANSWERED = "not-asked", "unanswered"
_WORDS = {NOT_SUBMITTED: "Not submitted", WITHDRAWN: "Withdrawn", NOT_ASKED: "Not asked", UNANSWERED: "Not answered"}


@dataclass(frozen=True)
class CycleRatings:
    """What one of the organisation's returns signed: ratings is None when no signed version stands."""

    cycle: str
    sector: str
    frameworks: tuple[Framework, ...]
    ratings: Mapping[tuple[str, str], str | None] | None  # (framework key, requirement id) -> level code
    withdrawn: bool = False


@dataclass(frozen=True)
class HistoryCell:
    state: str
    label: str  # the level's label ("Partially met"), or what stands instead ("Not submitted")
    rag: str = BLANK  # green, amber, red, grey, or blank when there is no rating

    @property
    def letter(self) -> str:
        """G, A, R or N/A beside the label, so colour is never the only signal; empty without a rating."""
        return rag_letter(self.rag)


@dataclass(frozen=True)
class HistoryRow:
    requirement: Requirement  # as the newest version that has it names it
    cells: tuple[HistoryCell, ...]  # one per cycle of the table, oldest first


@dataclass(frozen=True)
class FrameworkHistory:
    framework: Framework  # the newest version asked of the organisation
    cycles: tuple[str, ...]  # oldest first
    rows: tuple[HistoryRow, ...]


def rating_history(cycles: Sequence[CycleRatings]) -> list[FrameworkHistory]:
    """Per framework (by id, in the newest cycle's order), each requirement ever asked of the organisation, with
    its rating in every cycle that asked the framework. cycles come oldest first."""
    tables = []
    for framework_id in _framework_ids(cycles):
        asked = [(c, next(f for f in c.frameworks if f.id == framework_id)) for c in cycles
                 if any(f.id == framework_id for f in c.frameworks)]
        requirements = _requirements([(version, c.sector) for c, version in asked])
        if not requirements:
            continue
        rows = tuple(HistoryRow(requirement, tuple(_cell(c, version, requirement.id) for c, version in asked))
                     for requirement in requirements)
        tables.append(FrameworkHistory(asked[-1][1], tuple(c.cycle for c, _ in asked), rows))
    return tables


def _framework_ids(cycles: Sequence[CycleRatings]) -> list[str]:
    found: list[str] = []
    for each in reversed(cycles):
        found += [f.id for f in each.frameworks if f.id not in found]
    return found


def _requirements(versions: list[tuple[Framework, str]]) -> list[Requirement]:
    """Every requirement asked of the organisation in any version, named and ordered by the newest that has it."""
    found: dict[str, Requirement] = {}
    for version, sector in reversed(versions):
        for requirement in version.requirements_for(sector):
            found.setdefault(requirement.id, requirement)
    newest_first = [v for v, _ in reversed(versions)]

    def position(requirement: Requirement) -> tuple[int, int]:
        for age, version in enumerate(newest_first):
            ids = [r.id for r in version.requirements]
            if requirement.id in ids:
                return age, ids.index(requirement.id)
        return len(newest_first), 0

    # Newest version's order first; a requirement only older versions had follows, in the order they had it.
    return sorted(found.values(), key=lambda r: (position(r)[0] > 0, position(r)[1]))


def _cell(cycle: CycleRatings, framework: Framework, requirement_id: str) -> HistoryCell:
    if not any(r.id == requirement_id for r in framework.requirements_for(cycle.sector)):
        return HistoryCell(NOT_ASKED, _WORDS[NOT_ASKED])
    if cycle.ratings is None:
        state = WITHDRAWN if cycle.withdrawn else NOT_SUBMITTED
        return HistoryCell(state, _WORDS[state])
    code = cycle.ratings.get((framework.key, requirement_id))
    if not code:
        return HistoryCell(UNANSWERED, _WORDS[UNANSWERED])
    try:
        level = framework.level(code)
    except KeyError:  # a code the scale does not know: shown as stored, without a colour
        return HistoryCell(RATED, code)
    return HistoryCell(RATED, level.label, level.rag)
