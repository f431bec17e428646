"""The partnership matrix: organisations x requirements, coloured by RAG, with counts, overalls and trends.

Pure: imports no Flask and touches no database. Ratings come in already read from what was signed.

Decisions a reader needs:
- A cell shows what was submitted: the ratings of the latest signed version that was not sent back. A return
  with no such version (not started, in progress, returned for amendment) shows "Not submitted" throughout.
- A requirement that does not apply to an organisation's sector is "not asked": it is left out of that
  column's counts altogether (unlike N/A, which the organisation chose, and missing, which counts as not met).
- Trends compare with the organisation's previous return by framework id and requirement id, so a new
  version of a framework still compares; a previous code the current scale does not know gives no trend.
- A column's trend compares its % met with last year's % met over the same organisations shown (those that
  had a return last year), so filtering never mixes populations.
- A withdrawn return (its organisation left while the cycle was open) is in no row, column, count or trend,
  this cycle's or the next one's; the matrix only names its organisation.
- Two views: self-assessed (what was signed) and validated (the auditors' validated ratings; an answer not yet
  checked is "Not checked" there and counts as not met). Trends belong to the self-assessed view. In both, a
  cell whose validated rating differs from the self-assessed one is marked with ≠ and words, and counted per
  organisation and per requirement.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypedDict

from compliance.core.frameworks import Framework, Level, Requirement
from compliance.core.returns import RETURN_STATUSES
from compliance.core.scoring import (
    BLANK,
    Counts,
    Overall,
    compare,
    format_percent,
    level_for,
    overall,
    rag_letter,
    rag_text,
    requirement_counts,
)
from compliance.core.sectors import Sectors

NOT_ASKED = "not-asked"
NOT_CHECKED = "not-checked"
SELF_ASSESSED, VALIDATED = "self-assessed", "validated"
TRENDS = {"better": ("↑", "better than last year"), "same": ("=", "same as last year"),
          "worse": ("↓", "worse than last year")}

Ratings = Mapping[tuple[str, str], "str | None"]  # (framework key, requirement id) -> level code
_ById = dict[tuple[str, str], "str | None"]  # last cycle's: (framework id, requirement id) -> level code
Link = dict[str, "str | int | None"]  # where a cell links: return_id, version, framework_id, requirement_id


@dataclass(frozen=True, slots=True)
class OrgRow:
    """One organisation's return in a cycle; ratings is None when nothing was submitted."""

    organisation_id: int
    name: str
    sector: str
    return_id: int | None
    status: str
    ratings: Ratings | None
    version: int | None = None  # the signed version the ratings come from
    validated: Ratings | None = None  # the auditors' validated ratings; a missing key is not checked
    withdrawn: bool = False  # its organisation left while the cycle was open: kept, but counted nowhere


@dataclass(frozen=True, slots=True)
class Column:
    framework: Framework
    requirement: Requirement
    counts: Counts
    percent_text: str
    previous_percent: Decimal | None
    trend: str | None  # of % met against last year
    better: int = 0
    same: int = 0
    worse: int = 0
    disagreements: int = 0

    @property
    def previous_percent_text(self) -> str:
        return format_percent(self.previous_percent, decimals=self.framework.overall.decimals)


@dataclass(frozen=True, slots=True)
class Cell:
    framework: Framework
    requirement: Requirement
    state: str  # "answered", "unanswered", "not-submitted" or NOT_ASKED
    rag: str  # green, amber, red, grey, blank; NOT_ASKED when the requirement is not for this sector
    letter: str
    text: str  # Green, Amber, Red, Not applicable, Not submitted, Not answered, Not asked
    label: str  # the level's own label, like "Partially met"; empty when there is no rating
    code: str | None
    previous_code: str | None
    previous_label: str
    trend: str | None
    link: Link | None
    description: str  # the whole cell in words, for screen readers
    self_label: str = ""  # the self-assessed level's label
    validated_label: str = ""  # the validated level's label; empty when not checked
    disagrees: bool = False  # the validated rating differs from the self-assessed one


@dataclass(frozen=True, slots=True)
class RowGroup:
    framework: Framework
    cells: tuple[Cell, ...]
    overall: Overall | None  # None when nothing was submitted

    @property
    def overall_text(self) -> str:
        if self.overall is None:
            return rag_text(BLANK)
        if self.overall.state == "complete" and self.overall.percent is not None:
            shown = format_percent(self.overall.percent, decimals=self.framework.overall.decimals)
            return self.overall.label if self.overall.label == shown else f"{self.overall.label} ({shown})"
        return self.overall.label


@dataclass(frozen=True, slots=True)
class MatrixRow:
    org: OrgRow
    sector_label: str
    status_label: str
    groups: tuple[RowGroup, ...]

    @property
    def cells(self) -> tuple[Cell, ...]:
        return tuple(cell for group in self.groups for cell in group.cells)

    @property
    def disagreements(self) -> int:
        return sum(cell.disagrees for cell in self.cells)


@dataclass(frozen=True, slots=True)
class Group:
    framework: Framework
    columns: tuple[Column, ...]


@dataclass(frozen=True, slots=True)
class Matrix:
    cycle: str
    groups: tuple[Group, ...]
    rows: tuple[MatrixRow, ...]
    has_previous: bool
    frameworks: tuple[Framework, ...]  # every framework of the cycle, for the filter
    sectors: tuple[str, ...]  # sectors present, in the partnership's order
    filters: dict[str, str | None] = field(default_factory=dict)  # sector, framework, status
    view: str = SELF_ASSESSED
    withdrawn: tuple[str, ...] = ()  # organisations whose withdrawn return is left out, by name

    @property
    def validated(self) -> bool:
        return self.view == VALIDATED

    @property
    def disagreements(self) -> int:
        return sum(row.disagreements for row in self.rows)

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(column for group in self.groups for column in group.columns)

    def row_groups(self) -> list[tuple[str, list[MatrixRow]]]:
        """Rows grouped by sector name, in the partnership's order of sectors."""
        grouped: list[tuple[str, list[MatrixRow]]] = []
        for row in self.rows:
            if not grouped or grouped[-1][0] != row.sector_label:
                grouped.append((row.sector_label, []))
            grouped[-1][1].append(row)
        return grouped


def build_matrix(frameworks: Sequence[Framework], rows: Sequence[OrgRow], previous: Mapping[int, Ratings | None] | None,
                 *, sectors: Sectors, sector: str | None = None, framework_id: str | None = None,
                 status: str | None = None, cycle: str = "", view: str = SELF_ASSESSED) -> Matrix:
    """The matrix for a cycle; previous maps organisation id -> last cycle's ratings (None: not submitted).

    Rows come by sector, in the order of the partnership's sectors (which also name them), then by name.
    view is SELF_ASSESSED or VALIDATED; the validated view has no trends, so previous is not used there.
    """
    if view == VALIDATED:
        previous = None
    withdrawn = tuple(sorted((r.name for r in rows if r.withdrawn), key=str.lower))
    rows = [r for r in rows if not r.withdrawn]
    shown_frameworks = [f for f in frameworks if framework_id in (None, f.id)]
    shown_rows = sorted((r for r in rows if sector in (None, r.sector) and status in (None, r.status)),
                        key=lambda r: (sectors.position(r.sector), r.sector, r.name.lower()))
    before = {org: _by_framework_id(ratings) for org, ratings in (previous or {}).items()}
    matrix_rows = tuple(_row(shown_frameworks, row, sectors.name(row.sector), before.get(row.organisation_id), view)
                        for row in shown_rows)
    groups = tuple(Group(f, tuple(_column(f, r, shown_rows, [row.groups[g].cells[i] for row in matrix_rows], before,
                                          previous is not None, view)
                                  for i, r in enumerate(f.requirements)))
                   for g, f in enumerate(shown_frameworks))
    return Matrix(cycle=cycle, groups=groups, rows=matrix_rows, has_previous=previous is not None,
                  frameworks=tuple(frameworks),
                  sectors=tuple(sorted({r.sector for r in rows}, key=lambda s: (sectors.position(s), s))),
                  filters={"sector": sector, "framework": framework_id, "status": status}, view=view,
                  withdrawn=withdrawn)


def previous_ratings(rows: Sequence[OrgRow]) -> dict[int, Ratings | None]:
    """Last cycle's rows as build_matrix's `previous`: organisation id -> ratings; withdrawn returns left out."""
    return {row.organisation_id: row.ratings for row in rows if not row.withdrawn}


def _by_framework_id(ratings: Ratings | None) -> _ById | None:
    if ratings is None:
        return None
    return {(key.split("@")[0], requirement_id): code for (key, requirement_id), code in ratings.items()}


def shown_ratings(org: OrgRow, view: str) -> Ratings | None:
    """The ratings a view shows of an organisation: as signed, or as validated (None: nothing submitted)."""
    if org.ratings is None or view != VALIDATED:
        return org.ratings
    return org.validated or {}


def _row(frameworks: Sequence[Framework], org: OrgRow, sector_name: str, before: _ById | None, view: str
         ) -> MatrixRow:
    groups: list[RowGroup] = []
    for framework in frameworks:
        cells = tuple(_cell(framework, requirement, org, sector_name, before, view)
                      for requirement in framework.requirements)
        answers = {cell.requirement.id: cell.code for cell in cells if cell.state != NOT_ASKED}
        groups.append(RowGroup(framework, cells,
                               None if org.ratings is None else overall(framework, answers, sector=org.sector)))
    return MatrixRow(org, sector_name, RETURN_STATUSES.get(org.status, org.status), tuple(groups))


def _previous_level(framework: Framework, requirement: Requirement, before: _ById | None) -> Level | None:
    code = (before or {}).get((framework.id, requirement.id))
    try:
        return None if code is None else level_for(framework, code)
    except ValueError:  # the previous version's scale had a code this one does not
        return None


def _label(framework: Framework, code: str | None) -> str:
    try:
        return "" if code is None else level_for(framework, code).label
    except ValueError:
        return code or ""


class _Marks(TypedDict):
    """The keywords of a Cell that say how the self-assessed and validated ratings compare."""

    self_label: str
    validated_label: str
    disagrees: bool


def _cell(framework: Framework, requirement: Requirement, org: OrgRow, sector_name: str, before: _ById | None,
          view: str) -> Cell:
    where = f"{org.name}, requirement {requirement.ref}"
    if not requirement.applies_to(org.sector):
        return Cell(framework, requirement, NOT_ASKED, NOT_ASKED, "", "Not asked", "", None, None, "", None, None,
                    f"{where}: not asked of {sector_name.lower()} organisations")
    if org.ratings is None:
        return Cell(framework, requirement, "not-submitted", BLANK, "", rag_text(BLANK), "", None, None, "", None,
                    None, f"{where}: {rag_text(BLANK).lower()}")
    own = org.ratings.get((framework.key, requirement.id))
    validated = (org.validated or {}).get((framework.key, requirement.id))
    differs = own is not None and validated is not None and validated != own
    marks: _Marks = {"self_label": _label(framework, own), "validated_label": _label(framework, validated),
                     "disagrees": differs}
    code = validated if view == VALIDATED else own
    link: Link = {"return_id": org.return_id, "version": org.version, "framework_id": framework.id,
                  "requirement_id": requirement.id}
    if own is None:
        return Cell(framework, requirement, "unanswered", BLANK, "", "Not answered", "", None, None, "", None, link,
                    f"{where}: not answered", **marks)
    if code is None:
        return Cell(framework, requirement, NOT_CHECKED, BLANK, "", "Not checked", "", None, None, "", None, link,
                    f"{where}: not checked by an auditor (self-assessed {_lower_first(marks['self_label'])})",
                    **marks)
    level = level_for(framework, code)
    old = _previous_level(framework, requirement, before)
    trend = None if old is None else compare(framework, old.code, code)
    words = rag_text(level.rag) if not level.applicable else f"{rag_text(level.rag)}, {_lower_first(level.label)}"
    if view == VALIDATED:
        words = f"validated {words}"
    if trend:
        words += f" ({TRENDS[trend][1]})"
    if differs and view == VALIDATED:
        words += f"; differs from the organisation's own rating, {_lower_first(marks['self_label'])}"
    elif differs:
        words += f"; the auditor's validated rating differs: {_lower_first(marks['validated_label'])}"
    return Cell(framework, requirement, "answered", level.rag, rag_letter(level.rag), rag_text(level.rag),
                level.label, code, None if old is None else old.code, "" if old is None else old.label, trend, link,
                f"{where}: {words}", **marks)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _column(framework: Framework, requirement: Requirement, rows: Sequence[OrgRow], cells: Sequence[Cell],
            before: Mapping[int, _ById | None], compared: bool, view: str) -> Column:
    """One requirement's counts and trends; cells are the column's cells, one per row in order."""
    asked = [r for r in rows if requirement.applies_to(r.sector)]
    shown = [shown_ratings(r, view) for r in asked]
    codes = [None if ratings is None else ratings.get((framework.key, requirement.id)) for ratings in shown]
    decimals = framework.overall.decimals
    counts = requirement_counts(framework, requirement.id, codes, decimals=decimals)
    trends = [c.trend for c in cells]
    previous_percent: Decimal | None = None
    trend: str | None = None
    if compared:
        old_codes: list[str | None] = []
        for r in asked:
            if r.organisation_id in before:
                old = _previous_level(framework, requirement, before[r.organisation_id])
                old_codes.append(None if old is None else old.code)
        if old_codes:
            previous_percent = requirement_counts(framework, requirement.id, old_codes, decimals=decimals).percent_met
        if previous_percent is not None and counts.percent_met is not None:
            trend = _direction(previous_percent, counts.percent_met)
    return Column(framework, requirement, counts, format_percent(counts.percent_met, decimals=decimals),
                  previous_percent, trend, trends.count("better"), trends.count("same"), trends.count("worse"),
                  sum(c.disagrees for c in cells))


def _direction(before: Decimal, after: Decimal) -> str:
    if after > before:
        return "better"
    return "worse" if after < before else "same"
