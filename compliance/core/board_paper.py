"""The board paper: what the board pack's PDF and its web page both say, worked out once from the matrix.

Pure: a Matrix and improvement actions in, plain values out. It recomputes no figure: % met, coverage and the
like-for-like comparison are the matrix's own (compliance.core.matrix), so the paper, the matrix page, the charts
and the exports cannot disagree. The PDF (compliance.render.boardpack) and the page (templates/boardpack/paper.html)
draw from the same BoardPaper, so they say the same.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from compliance.core.actions import ActionItem, requirement_label
from compliance.core.matrix import NOT_ASKED, TRENDS, Column, Group, Matrix, MatrixRow
from compliance.core.returns import RETURN_STATUSES
from compliance.core.text import plural, when

TOP = 5  # how many requirements and organisations the summary names
NAMED = 15  # how many organisations not yet returned it names
NO_FIGURE = "None yet"  # a framework's % met when nothing applicable has been returned
# What an organisation's summary says under a heading with nothing beneath it.
NO_RATINGS = "No answer at this rating."
NO_OVERDUE = "No improvement action is overdue."
NO_DISAGREEMENT = "No auditor's rating differs from the organisation's own."


@dataclass(frozen=True, slots=True)
class RequirementFigure:
    """A requirement's % met and how the organisations answered it."""

    label: str  # "3. Routine question"
    percent_text: str
    green: int
    amber: int
    red: int
    na: int
    not_answered: int
    not_returned: int


@dataclass(frozen=True, slots=True)
class FrameworkFigure:
    """A framework's % met with its coverage and its like-for-like change from last year."""

    title: str
    short_title: str
    version: str
    percent_text: str  # "62%"; "None yet" when nothing applicable has been returned
    coverage_text: str  # "9 of 13 organisations returned"
    change: str  # "↑ better than last year", "" without a comparison
    comparison_text: str  # the like-for-like sentence, "" when there is no previous cycle
    requirements: tuple[RequirementFigure, ...] = ()

    @property
    def met_text(self) -> str:
        """ "62% met", or "no % met yet" when nothing applicable has been returned."""
        return "no % met yet" if self.percent_text == NO_FIGURE else f"{self.percent_text} met"

    def overall_text(self, standing: str) -> str:
        """ "Overall: 62% met (provisional), 9 of 13 organisations returned. Like for like, ..." """
        return (f"Overall: {self.met_text} ({standing.lower()}), {self.coverage_text}."
                + (f" {self.comparison_text}" if self.comparison_text else ""))


@dataclass(frozen=True, slots=True)
class RequirementConcern:
    """A requirement with red or amber answers (or auditor disagreements), with its title and coverage."""

    label: str  # "WDVF protocol 2018, 3. Routine question"
    red: int
    amber: int
    returned_text: str  # "9 of 13 organisations returned"
    disagreements: int


@dataclass(frozen=True, slots=True)
class Rating:
    """One answer of an organisation the board should look at: a red or amber, or a disagreement."""

    requirement: str  # "WDVF protocol 2018, 3. Routine question"
    rating: str  # the level's label, "Partially met"
    colour: str  # "Red" or "Amber"; for a disagreement, what the auditor validated
    validated: str = ""  # the auditor's validated rating, for a disagreement


@dataclass(frozen=True, slots=True)
class OrganisationSummary:
    """One organisation's page of the paper, before its statement."""

    name: str
    sector: str
    status: str
    return_id: int | None
    version: int | None
    overall: tuple[tuple[str, str], ...]  # (framework short title, overall result)
    red: tuple[Rating, ...]
    amber: tuple[Rating, ...]
    overdue: tuple[ActionItem, ...]
    disagreements: tuple[Rating, ...]


@dataclass(frozen=True, slots=True)
class BoardPaper:
    partnership: str
    cycle: str
    prepared: str  # "5 December 2026 at 11:07am" (London time); empty when not given
    standing: str  # "Provisional" or "Final"
    final: bool
    coverage_text: str
    statuses: tuple[tuple[str, int], ...]  # returns by status, in the order a return moves
    frameworks: tuple[FrameworkFigure, ...]
    requirements: tuple[RequirementConcern, ...]  # the most red and amber, most first
    organisations_most_red: tuple[tuple[str, int, int], ...]  # (name, red, amber), most red first
    disagreements: int
    disagreeing_requirements: tuple[RequirementConcern, ...]
    actions: int  # improvement actions in the signed returns
    overdue: tuple[ActionItem, ...]
    organisations: tuple[OrganisationSummary, ...]  # every organisation whose return is in, in the matrix's order
    withdrawn: tuple[str, ...]
    not_returned: tuple[tuple[str, str], ...] = ()  # (organisation, its return's status), in the matrix's order
    tied: tuple[int, int] = (0, 0)  # how many other requirements, and organisations, have as many as the first
    checked: int = 0  # answers in the returns that are in that an auditor has checked
    answered: int = 0  # answers in the returns that are in

    @property
    def not_returned_text(self) -> str:
        """ "Not yet returned: Kestrel Support for Men (in progress), ... and 4 more." Empty when all are in."""
        if not self.not_returned:
            return ""
        named = ", ".join(f"{name} ({status.lower()})" for name, status in self.not_returned[:NAMED])
        more = len(self.not_returned) - NAMED
        return f"Not yet returned: {named}" + (f" and {more:,} more." if more > 0 else ".")

    @property
    def summary(self) -> tuple[str, ...]:
        """The executive summary in sentences, each one a finding a board member can act on."""
        return tuple(sentence for sentence in (
            self._standing_sentence(), *self._framework_sentences(), self._concern_sentence(),
            self._red_sentence(), self._disagreement_sentence(), self._overdue_sentence()) if sentence)

    def _standing_sentence(self) -> str:
        if self.final:
            return f"Final figures: the cycle is closed. {self.coverage_text}."
        waiting = [(label, n) for label, n in self.statuses
                   if n and label in (RETURN_STATUSES["not-started"], RETURN_STATUSES["in-progress"],
                                      RETURN_STATUSES["returned"])]
        still = "; ".join(f"{n} {label.lower()}" for label, n in waiting)
        return (f"Provisional figures: the cycle is still open, so these will change as returns come in. "
                f"{self.coverage_text}" + (f" (not yet returned: {still})." if still else "."))

    def _framework_sentences(self) -> list[str]:
        return [f"{f.short_title}: {f.met_text} ({self.standing.lower()}), {f.coverage_text}."
                + (f" {f.comparison_text}" if f.comparison_text else "") for f in self.frameworks]

    def _concern_sentence(self) -> str:
        if not self.requirements:
            return "No requirement has a red or amber answer."
        top = self.requirements[0]
        return (f"Most red and amber: {top.label}, {top.red} red and {top.amber} amber "
                f"({top.returned_text}){_as_many(self.tied[0], 'requirement')}.")

    def _red_sentence(self) -> str:
        if not self.organisations_most_red:
            return "No organisation has a red answer."
        name, red, _ = self.organisations_most_red[0]
        return f"Most red: {name}, {plural(red, 'red answer')}{_as_many(self.tied[1], 'organisation')}."

    def _disagreement_sentence(self) -> str:
        checked = f"Auditors have checked {self.checked:,} of the {plural(self.answered, 'answer')} returned"
        if not self.checked:
            return "Auditors have not checked any answer yet."
        if not self.disagreements:
            return f"{checked} and agree with every self-assessed rating they checked."
        where = sum(1 for o in self.organisations if o.disagreements)
        return (f"{checked}; they disagree with {plural(self.disagreements, 'self-assessed rating')} in "
                f"{plural(where, 'organisation')}.")

    def _overdue_sentence(self) -> str:
        if not self.overdue:
            return (f"None of the {plural(self.actions, 'improvement action')} is overdue." if self.actions > 1
                    else "No improvement action is overdue.")
        where = len({a.organisation for a in self.overdue})
        return (f"{plural(len(self.overdue), 'improvement action')} of {self.actions} "
                f"{'is' if len(self.overdue) == 1 else 'are'} overdue, in {plural(where, 'organisation')}.")


def _as_many(others: int, noun: str) -> str:
    return f"; {plural(others, f'other {noun}')} {'has' if others == 1 else 'have'} as many" if others else ""


def board_paper(matrix: Matrix, actions: Sequence[ActionItem] = (), *, partnership: str, cycle_name: str,
                prepared: datetime | None = None) -> BoardPaper:
    """The paper for a cycle's matrix (self-assessed view) and its improvement actions, prepared at a moment."""
    columns = matrix.columns
    concerns = [_concern(c) for c in columns if c.counts.red or c.counts.amber]
    concerns.sort(key=lambda c: (-(c.red + c.amber), -c.red))
    disagreeing = sorted((_concern(c) for c in columns if c.disagreements), key=lambda c: -c.disagreements)
    reds = [(row.org.name, *_reds(row)) for row in matrix.rows]
    most_red = sorted((r for r in reds if r[1]), key=lambda r: (-r[1], -r[2], r[0].lower()))
    overdue = tuple(a for a in actions if a.overdue)
    answered = [cell for row in matrix.rows for cell in row.cells if cell.state == "answered"]
    found = Counter(row.org.status for row in matrix.rows)
    late: dict[str, list[ActionItem]] = {}
    for action in overdue:
        late.setdefault(action.organisation, []).append(action)
    return BoardPaper(
        partnership=partnership, cycle=cycle_name, prepared=when(prepared) if prepared else "",
        standing=matrix.standing, final=matrix.final, coverage_text=matrix.coverage_text,
        statuses=tuple((label, found[code]) for code, label in RETURN_STATUSES.items()),
        frameworks=tuple(_figure(matrix, g) for g in matrix.groups), requirements=tuple(concerns[:TOP]),
        organisations_most_red=tuple(most_red[:TOP]), disagreements=matrix.disagreements,
        disagreeing_requirements=tuple(disagreeing[:TOP]), actions=len(actions), overdue=overdue,
        organisations=tuple(_organisation(row, late.get(row.org.name, ())) for row in matrix.rows
                            if row.org.ratings is not None),
        withdrawn=matrix.withdrawn,
        tied=(sum((c.red, c.amber) == (concerns[0].red, concerns[0].amber) for c in concerns[1:]),
              sum(r[1] == most_red[0][1] for r in most_red[1:])),
        not_returned=tuple((row.org.name, row.status_label) for row in matrix.rows if row.org.ratings is None),
        checked=sum(1 for cell in answered if cell.validated_label), answered=len(answered))


def _short(column: Column) -> str:
    return column.framework.short_title or column.framework.title


def _label(column: Column) -> str:
    return requirement_label(_short(column), column.requirement.ref, column.requirement.title)


def _concern(column: Column) -> RequirementConcern:
    return RequirementConcern(_label(column), column.counts.red, column.counts.amber, column.coverage_text,
                              column.disagreements)


def _figure(matrix: Matrix, group: Group) -> FrameworkFigure:
    framework = group.framework
    percent = NO_FIGURE if group.percent_met is None else group.percent_text
    trend = group.trend if matrix.has_previous and group.compared else None
    rows = tuple(RequirementFigure(requirement_label("", c.requirement.ref, c.requirement.title), c.percent_text,
                                   c.counts.green, c.counts.amber, c.counts.red, c.counts.na, c.counts.missing,
                                   c.counts.not_returned) for c in group.columns)
    return FrameworkFigure(framework.title, framework.short_title or framework.title, framework.version, percent,
                           group.coverage_text, " ".join(TRENDS[trend]) if trend else "",
                           group.comparison_text if matrix.has_previous else "", rows)


def _reds(row: MatrixRow) -> tuple[int, int]:
    cells = row.cells
    return sum(c.rag == "red" for c in cells), sum(c.rag == "amber" for c in cells)


def _organisation(row: MatrixRow, overdue: Sequence[ActionItem]) -> OrganisationSummary:
    red: list[Rating] = []
    amber: list[Rating] = []
    differ: list[Rating] = []
    for group in row.groups:
        short = group.framework.short_title or group.framework.title
        for cell in group.cells:
            label = requirement_label(short, cell.requirement.ref, cell.requirement.title)
            if cell.rag in ("red", "amber"):
                (red if cell.rag == "red" else amber).append(Rating(label, cell.label, cell.text))
            if cell.disagrees:
                differ.append(Rating(label, cell.self_label, "", cell.validated_label))
    return OrganisationSummary(
        name=row.org.name, sector=row.sector_label, status=row.status_label, return_id=row.org.return_id,
        version=row.org.version,
        overall=tuple((g.framework.short_title or g.framework.title, g.overall_text) for g in row.groups
                      if any(c.state != NOT_ASKED for c in g.cells)),
        red=tuple(red), amber=tuple(amber), overdue=tuple(overdue),
        disagreements=tuple(differ))
