"""The partnership matrix: organisations x requirements, coloured by RAG, with counts, overalls and trends.

Pure: imports no Flask and touches no database. Ratings come in already read from what was signed.

Decisions a reader needs:
- A cell shows what was submitted: the ratings of the latest signed version that was not sent back. A return
  with no such version (not started, in progress, returned for amendment) shows "Not submitted" throughout.
- A requirement that does not apply to an organisation's sector is "not asked": it is left out of that
  column's counts altogether (unlike N/A, which the organisation chose).
- % met is over the returns that are in: an organisation asked but not yet returned is counted as not
  returned, with the coverage beside every figure ("9 of 13 organisations returned"), never as not met. A
  returned answer left blank counts as not met.
- While the cycle is open every figure is provisional; once it is closed, final.
- Trends compare with the organisation's previous return by framework id and requirement id, so a new
  version of a framework still compares; a previous code the current scale does not know gives no trend.
- Against last year is like for like: a column compares only the organisations that answered the requirement
  in both cycles, their % met last year beside their % met now; its arrow is worked out from their answers'
  changes (more better than worse is better), so it always agrees with the counts shown beside it. A
  framework adds up its columns the same way.
- A withdrawn return (its organisation left while the cycle was open) is in no row, column, count or trend,
  this cycle's or the next one's; the matrix only names its organisation.
- A requirement answered through another framework's (a `same` mapping, core/mappings.py) shows the answer signed
  for it, which is that requirement's, and says so: the plan of the cycle's frameworks names the source, the same
  plan that made the signed document.
- Two views: self-assessed (what was signed) and validated (the auditors' validated ratings; an answer not yet
  checked is "Not checked" there and counts as not met). Trends belong to the self-assessed view. In both, a
  cell whose validated rating differs from the self-assessed one is marked with ≠ and words, and counted per
  organisation and per requirement.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from compliance.core.frameworks import Framework, Level, Requirement
from compliance.core.mappings import Pair, answer_plan, cross_reference
from compliance.core.returns import RETURN_STATUSES
from compliance.core.scoring import (
    BLANK,
    Counts,
    Overall,
    compare_levels,
    coverage_text,
    format_percent,
    framework_percent,
    level_for,
    overall,
    percent,
    rag_letter,
    rag_text,
    requirement_counts,
    trend_of,
)
from compliance.core.sectors import Sectors

NOT_ASKED = "not-asked"
NOT_CHECKED = "not-checked"
SELF_ASSESSED, VALIDATED = "self-assessed", "validated"
# A cell answered through another framework's requirement: its mark, and the key's words for it (the page, the XLSX's
# Legend and the board pack's matrix say the same).
THROUGH_MARK = "*"
THROUGH_KEY = ("Answered through another framework's requirement that asks the same: the organisation answered once "
               "for both, and the answer counts in each framework (the signed answer says where it was given)")
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
    counts: Counts  # over the returns that are in; counts.not_returned says how many are still to come
    percent_text: str
    previous: Counts | None  # like for like: last year's answers of the organisations compared
    now: Counts | None  # like for like: this year's answers of the same organisations
    trend: str | None  # from the compared answers' changes, so it agrees with better / same / worse
    better: int = 0
    same: int = 0
    worse: int = 0
    disagreements: int = 0

    @property
    def compared(self) -> int:
        """How many organisations answered this requirement in both cycles."""
        return 0 if self.now is None else self.now.returned

    @property
    def previous_percent(self) -> Decimal | None:
        return None if self.previous is None else self.previous.percent_met

    @property
    def previous_percent_text(self) -> str:
        return format_percent(self.previous_percent, decimals=self.framework.overall.decimals)

    @property
    def like_percent_text(self) -> str:
        """This year's % met of the organisations compared with last year."""
        return format_percent(None if self.now is None else self.now.percent_met,
                              decimals=self.framework.overall.decimals)

    @property
    def coverage_text(self) -> str:
        return coverage_text(self.counts.returned, self.counts.asked)

    @property
    def comparison_text(self) -> str:
        """Against last year, like for like, in words."""
        return comparison_text(self.compared, self.previous_percent_text, self.like_percent_text, self.better,
                               self.same, self.worse)


def comparison_text(compared: int, before: str, now: str, better: int, same: int, worse: int) -> str:
    """ "Like for like, the 8 organisations that answered in both years: 62% met last year, 75% now; 3 better,
    4 same, 1 worse." """
    if not compared:
        return "No comparison: no organisation answered this in both years."
    who = "the organisation that" if compared == 1 else f"the {compared} organisations that"
    return (f"Like for like, {who} answered in both years: {before} met last year, {now} now; "
            f"{changes(compared, better, same, worse)}.")


def changes(compared: int, better: int, same: int, worse: int) -> str:
    """ "3 better, 4 same, 1 worse", and how many changed to or from not applicable (neither better nor worse),
    so the parts always add up to the number compared."""
    text = f"{better} better, {same} same, {worse} worse"
    other = compared - better - same - worse
    return text + (f", {other} changed to or from not applicable" if other else "")


class Cell(NamedTuple):
    """One organisation's answer to one requirement, as the matrix shows it. A named tuple rather than a frozen
    dataclass: as immutable, and a matrix of 1,000 organisations makes 38,000 of them, which a frozen dataclass
    builds one attribute at a time (half the matrix's own time)."""

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
    through: str = ""  # answered through another framework's requirement: its name ("WDVF protocol, 3")


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

    @property
    def disagreements(self) -> int:
        return sum(cell.disagrees for cell in self.cells)

    @property
    def flagged(self) -> tuple[Cell, ...]:
        """The red, then the amber answers: what a short summary of the organisation names."""
        return (tuple(cell for cell in self.cells if cell.rag == "red")
                + tuple(cell for cell in self.cells if cell.rag == "amber"))


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
    """A framework's columns, and its figures added up over them."""

    framework: Framework
    columns: tuple[Column, ...]
    returned: int = 0  # organisations shown that are asked something of this framework and have returned
    asked: int = 0  # organisations shown that are asked something of this framework

    @property
    def met(self) -> int:
        return sum(column.counts.met for column in self.columns)

    @property
    def applicable(self) -> int:
        return sum(column.counts.applicable for column in self.columns)

    @property
    def percent_met(self) -> Decimal | None:
        """Answers met over applicable answers, across the framework's requirements and the returns that are in."""
        return framework_percent(self.framework, (column.counts for column in self.columns))

    @property
    def percent_text(self) -> str:
        return format_percent(self.percent_met, decimals=self.framework.overall.decimals)

    @property
    def coverage_text(self) -> str:
        return coverage_text(self.returned, self.asked)

    def _like(self, which: str) -> Decimal | None:
        found = [counts for column in self.columns if (counts := getattr(column, which)) is not None]
        return percent(sum(c.met for c in found), sum(c.applicable for c in found),
                       decimals=self.framework.overall.decimals, rounding=self.framework.overall.rounding)

    @property
    def compared(self) -> int:
        """Answers compared with last year, like for like, across the framework's requirements."""
        return sum(column.compared for column in self.columns)

    @property
    def better(self) -> int:
        return sum(column.better for column in self.columns)

    @property
    def same(self) -> int:
        return sum(column.same for column in self.columns)

    @property
    def worse(self) -> int:
        return sum(column.worse for column in self.columns)

    @property
    def trend(self) -> str | None:
        return trend_of(self.better, self.same, self.worse)

    @property
    def comparison_text(self) -> str:
        """Against last year, like for like over the answers given in both years, in words."""
        if not self.compared:
            return "No comparison: no organisation answered this framework in both years."
        decimals = self.framework.overall.decimals
        return (f"Like for like, over the {self.compared} answers given in both years: "
                f"{format_percent(self._like('previous'), decimals=decimals)} met last year, "
                f"{format_percent(self._like('now'), decimals=decimals)} now; "
                f"{changes(self.compared, self.better, self.same, self.worse)}.")


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
    final: bool = False  # the cycle is closed: its figures are final, not provisional
    mapped: bool = False  # some requirement shown may be answered through another framework's (core/mappings.py)

    @property
    def standing(self) -> str:
        """Provisional while the cycle is open (returns are still coming in); final once it is closed."""
        return "Final" if self.final else "Provisional"

    @property
    def returned(self) -> int:
        """Organisations shown whose return is in (signed and standing)."""
        return sum(1 for row in self.rows if row.org.ratings is not None)

    @property
    def coverage_text(self) -> str:
        return coverage_text(self.returned, len(self.rows))

    @property
    def validated(self) -> bool:
        return self.view == VALIDATED

    @property
    def disagreements(self) -> int:
        return sum(row.disagreements for row in self.rows)

    @property
    def answered(self) -> int:
        """Answers in the returns shown that are in."""
        return sum(1 for row in self.rows for cell in row.cells if cell.state in ("answered", NOT_CHECKED))

    @property
    def checked(self) -> int:
        """Of those, the answers an auditor has checked (a validated rating stands)."""
        return sum(1 for row in self.rows for cell in row.cells
                   if cell.state in ("answered", NOT_CHECKED) and cell.validated_label)

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(column for group in self.groups for column in group.columns)

    @property
    def asked_groups(self) -> tuple[Group, ...]:
        """The frameworks asked of at least one organisation shown, in the cycle's order: the grid's tables."""
        return tuple(group for group in self.groups if group.asked)

    @property
    def unasked(self) -> tuple[Framework, ...]:
        """The frameworks asked of no organisation shown (after the filters): left out of the grid."""
        return tuple(group.framework for group in self.groups if not group.asked)

    def framework_rows(self, group: Group) -> list[tuple[str, list[tuple[MatrixRow, RowGroup]]]]:
        """One framework's table: by sector, the organisations asked something of it, each with its cells."""
        index = next(i for i, shown in enumerate(self.groups) if shown is group)
        asked: dict[str, bool] = {}
        found: list[tuple[str, list[tuple[MatrixRow, RowGroup]]]] = []
        for sector, rows in self.row_groups():
            shown = [(row, row.groups[index]) for row in rows
                     if asked.setdefault(row.org.sector, bool(group.framework.requirements_for(row.org.sector)))]
            if shown:
                found.append((sector, shown))
        return found

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
                 status: str | None = None, cycle: str = "", view: str = SELF_ASSESSED, final: bool = False
                 ) -> Matrix:
    """The matrix for a cycle; previous maps organisation id -> last cycle's ratings (None: not submitted).
    final: the cycle is closed, so the figures are final rather than provisional.

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
    # which requirements each sector answers through another framework's: the whole cycle's frameworks decide
    plans = {code: answer_plan(frameworks, code).sources or None for code in {row.sector for row in shown_rows}}
    matrix_rows = tuple(_row(shown_frameworks, row, sectors.name(row.sector), before.get(row.organisation_id), view,
                             plans[row.sector])
                        for row in shown_rows)
    groups = tuple(Group(f, tuple(_column(f, r, shown_rows, [row.groups[g].cells[i] for row in matrix_rows], view)
                                  for i, r in enumerate(f.requirements)),
                         *_coverage(f, shown_rows))
                   for g, f in enumerate(shown_frameworks))
    return Matrix(cycle=cycle, groups=groups, rows=matrix_rows, has_previous=previous is not None,
                  frameworks=tuple(frameworks),
                  sectors=tuple(sorted({r.sector for r in rows}, key=lambda s: (sectors.position(s), s))),
                  filters={"sector": sector, "framework": framework_id, "status": status}, view=view,
                  withdrawn=withdrawn, final=final, mapped=any(plans.values()))


def _coverage(framework: Framework, rows: Sequence[OrgRow]) -> tuple[int, int]:
    """(returned, asked): the organisations asked something of the framework, and how many of them returned."""
    asked = [row for row in rows if framework.requirements_for(row.sector)]
    return sum(1 for row in asked if row.ratings is not None), len(asked)


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


def _row(frameworks: Sequence[Framework], org: OrgRow, sector_name: str, before: _ById | None, view: str,
         sources: Mapping[tuple[str, str], Pair] | None = None) -> MatrixRow:
    groups: list[RowGroup] = []
    for framework in frameworks:
        cells = tuple(_cell(framework, requirement, org, sector_name, before, view, sources)
                      for requirement in framework.requirements)
        answers = {cell.requirement.id: cell.code for cell in cells if cell.state != NOT_ASKED}
        groups.append(RowGroup(framework, cells,
                               None if org.ratings is None else overall(framework, answers, sector=org.sector)))
    return MatrixRow(org, sector_name, RETURN_STATUSES.get(org.status, org.status), tuple(groups))


def _previous_level(framework: Framework, requirement: Requirement, before: _ById | None) -> Level | None:
    """Last cycle's level; None when there was none, or when the previous version's scale had a code this one
    does not."""
    return None if before is None else framework.level_or_none(before.get((framework.id, requirement.id)))


def _label(framework: Framework, code: str | None) -> str:
    if code is None:
        return ""
    level = framework.level_or_none(code)
    return code if level is None else level.label


def _cell(framework: Framework, requirement: Requirement, org: OrgRow, sector_name: str, before: _ById | None,
          view: str, sources: Mapping[tuple[str, str], Pair] | None = None) -> Cell:
    where = f"{org.name}, requirement {requirement.ref}"
    if not requirement.applies_to(org.sector):
        return Cell(framework, requirement, NOT_ASKED, NOT_ASKED, "", "Not asked", "", None, None, "", None, None,
                    f"{where}: not asked of {sector_name.lower()} organisations")
    if org.ratings is None:
        return Cell(framework, requirement, "not-submitted", BLANK, "", rag_text(BLANK), "", None, None, "", None,
                    None, f"{where}: {rag_text(BLANK).lower()}")
    key = (framework.key, requirement.id)
    own = org.ratings.get(key)
    validated = org.validated.get(key) if org.validated else None
    differs = own is not None and validated is not None and validated != own
    self_label = _label(framework, own)
    validated_label = "" if validated is None else _label(framework, validated)
    code = validated if view == VALIDATED else own
    link: Link = {"return_id": org.return_id, "version": org.version, "framework_id": framework.id,
                  "requirement_id": requirement.id}
    if own is None:
        return Cell(framework, requirement, "unanswered", BLANK, "", "Not answered", "", None, None, "", None, link,
                    f"{where}: not answered", self_label, validated_label, differs)
    if code is None:
        return Cell(framework, requirement, NOT_CHECKED, BLANK, "", "Not checked", "", None, None, "", None, link,
                    f"{where}: not checked by an auditor (self-assessed {_lower_first(self_label)})",
                    self_label, validated_label, differs)
    level = level_for(framework, code)
    old = _previous_level(framework, requirement, before)
    trend = None if old is None else compare_levels(old, level)
    words = _words(level.rag, level.label, level.applicable, view == VALIDATED, trend)
    if differs and view == VALIDATED:
        words += f"; differs from the organisation's own rating, {_lower_first(self_label)}"
    elif differs:
        words += f"; the auditor's validated rating differs: {_lower_first(validated_label)}"
    letter, text = _shown(level.rag)
    source = sources.get(key) if sources else None
    through = cross_reference(*source, short=True) if source else ""
    if through:
        words += f"; answered through {through}"
    return Cell(framework, requirement, "answered", level.rag, letter, text, level.label, code,
                None if old is None else old.code, "" if old is None else old.label, trend, link,
                f"{where}: {words}", self_label, validated_label, differs, through)


@functools.lru_cache(maxsize=16)
def _shown(colour: str) -> tuple[str, str]:
    """A colour's letter and words, looked up once each."""
    return rag_letter(colour), rag_text(colour)


@functools.lru_cache(maxsize=256)
def _words(colour: str, label: str, applicable: bool, validated: bool, trend: str | None) -> str:
    """A rated cell in words, before whose it is: "Amber, partially met (better than last year)". The same few
    for every organisation, so each is put together once (a matrix of 5,000 organisations has 190,000 cells);
    keyed by plain values, whose hashes Python keeps, rather than by the level."""
    words = f"{rag_text(colour)}, {_lower_first(label)}" if applicable else rag_text(colour)
    if validated:
        words = f"validated {words}"
    return f"{words} ({TRENDS[trend][1]})" if trend else words


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _column(framework: Framework, requirement: Requirement, rows: Sequence[OrgRow], cells: Sequence[Cell],
            view: str) -> Column:
    """One requirement's counts and trends; cells are the column's cells, one per row in order."""
    asked = [(r, cell) for r, cell in zip(rows, cells) if cell.state != NOT_ASKED]
    returned = [(r, cell) for r, cell in asked if r.ratings is not None]
    codes = [(shown_ratings(r, view) or {}).get((framework.key, requirement.id)) for r, _ in returned]
    decimals = framework.overall.decimals
    counts = requirement_counts(framework, requirement.id, codes, not_returned=len(asked) - len(returned),
                                decimals=decimals)
    # like for like: the organisations that answered this requirement in both cycles
    both = [cell for _, cell in returned if cell.code is not None and cell.previous_code is not None]
    previous = now = None
    if both:
        previous = requirement_counts(framework, requirement.id, [c.previous_code for c in both], decimals=decimals)
        now = requirement_counts(framework, requirement.id, [c.code for c in both], decimals=decimals)
    trends = [c.trend for c in cells]
    better, same, worse = trends.count("better"), trends.count("same"), trends.count("worse")
    return Column(framework, requirement, counts, format_percent(counts.percent_met, decimals=decimals),
                  previous, now, trend_of(better, same, worse) if both else None, better, same, worse,
                  sum(c.disagrees for c in cells))
