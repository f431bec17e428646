"""The coordinator's view of a cycle: each return's progress, the returns table's sorting and filtering, and the
work waiting on the coordinator's home page.

Pure: rows, frameworks and today's date come in as arguments.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from compliance.core.frameworks import Framework
from compliance.core.mappings import answer_plan
from compliance.core.returns import RETURN_STATUSES, Key, Row, is_overdue, requirement_state
from compliance.core.scoring import format_percent, percent
from compliance.core.text import plural
from compliance.core.verification import evidence_expiry

WITHDRAWN = "withdrawn"
# What the returns table shows and filters by: a return's status, or "withdrawn" for an organisation that left
# the partnership during the cycle (its return is kept, shown as withdrawn, and counts in no figure).
SHOWN_STATUSES = {**RETURN_STATUSES, WITHDRAWN: "Withdrawn"}


@dataclass(frozen=True)
class Progress:
    """How many of the requirements a return asks are completed."""

    done: int
    total: int

    @property
    def percent(self) -> Decimal | None:
        return percent(self.done, self.total)

    @property
    def text(self) -> str:
        """"12 of 16 done (75%)": the percentage always says what it is out of."""
        if self.total == 0:
            return "No requirements to answer"
        return f"{self.done} of {self.total} done ({format_percent(self.percent)})"


def progress(frameworks: Iterable[Framework], sector: str, answers: Mapping[Key, Row],
             actions: Mapping[Key, int]) -> Progress:
    """Completed requirements of those the sector answers, by the same rule as the return's own task list (a
    requirement answered through another framework's is as complete as that answer)."""
    frameworks = tuple(frameworks)
    plan = answer_plan(frameworks, sector)
    evidence = {key: answer.get("evidence", 0) for key, answer in answers.items()}
    done = total = 0
    for framework in frameworks:
        for requirement in framework.requirements_for(sector):
            total += 1
            done += requirement_state(plan, framework, requirement, answers, actions, evidence) == "completed"
    return Progress(done, total)


@dataclass(frozen=True)
class ReturnLine:
    """One row of a cycle's returns table."""

    id: int
    organisation_name: str
    status: str  # a key of SHOWN_STATUSES
    overdue: bool
    progress: Progress
    last_activity: str | None  # a stored moment (UTC)
    submitted_at: str | None  # of the latest signed version
    signatory_name: str | None
    signatory_job_title: str | None

    @property
    def status_label(self) -> str:
        return SHOWN_STATUSES[self.status]

    @property
    def withdrawn(self) -> bool:
        return self.status == WITHDRAWN


def return_line(row: Row, progress_: Progress, *, today: date, cycle_open: bool) -> ReturnLine:
    """A store row of the returns table (with its cycle's due date) and its progress, as the table shows it."""
    withdrawn = bool(row.get("withdrawn_at"))
    return ReturnLine(
        id=row["id"], organisation_name=row["organisation_name"],
        status=WITHDRAWN if withdrawn else row["status"],
        overdue=cycle_open and not withdrawn and is_overdue(row["status"], date.fromisoformat(row["due_date"]), today),
        progress=progress_, last_activity=row.get("last_activity"), submitted_at=row.get("submitted_at"),
        signatory_name=row.get("signatory_name"), signatory_job_title=row.get("signatory_job_title"))


# Sorting ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A sortable column: its heading, what a sentence calls it, what each direction is called, and which direction a
    first click gives."""

    label: str
    named: str  # "Sorted by <named>, ..."
    ascending: str
    descending: str
    first_descending: bool
    key: Callable[[ReturnLine], Any]  # None: a blank, which sorts last whichever the direction


def _status_order(line: ReturnLine) -> int | None:
    """A return's stage, in the order a return goes through them; withdrawn returns sort last, as blanks do."""
    return None if line.withdrawn else list(RETURN_STATUSES).index(line.status)


def _casefolded(value: str | None) -> str | None:
    return value.casefold() if value else None


COLUMNS: dict[str, Column] = {
    "organisation": Column("Organisation", "organisation", "A to Z", "Z to A", False,
                           lambda line: line.organisation_name.casefold()),
    "status": Column("Status", "status", "not started first", "accepted first", False, _status_order),
    "done": Column("Requirements done", "requirements done", "least done first", "most done first", False,
                   lambda line: line.progress.percent),
    "activity": Column("Last activity", "last activity", "oldest first", "newest first", True,
                       lambda line: line.last_activity),
    "submitted": Column("Submitted", "date submitted", "earliest first", "latest first", True,
                        lambda line: line.submitted_at),
    "signatory": Column("Signed by", "who signed", "A to Z", "Z to A", False,
                        lambda line: _casefolded(line.signatory_name)),
}
DEFAULT_SORT = "organisation"


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool = False

    @property
    def direction(self) -> str:
        """As aria-sort says it."""
        return "descending" if self.descending else "ascending"

    @property
    def order(self) -> str:
        """As the query string says it."""
        return "desc" if self.descending else "asc"

    @property
    def words(self) -> str:
        """"A to Z", "newest first"."""
        column = COLUMNS[self.column]
        return column.descending if self.descending else column.ascending

    @property
    def text(self) -> str:
        """"Sorted by last activity, newest first"."""
        return f"Sorted by {COLUMNS[self.column].named}, {self.words}"

    def aria_sort(self, column: str) -> str | None:
        """aria-sort for a column's header: only the sorted column carries it."""
        return self.direction if column == self.column else None

    def after_click(self, column: str) -> Sort:
        """The sort a click on a column's heading asks for: the other direction of this column, or a new column in
        its natural direction (newest first for dates, A to Z for names)."""
        if column == self.column:
            return Sort(column, not self.descending)
        return Sort(column, COLUMNS[column].first_descending)


def read_sort(column: str | None, order: str | None) -> Sort:
    """The sort asked for in a query string; anything not on offer is the default, organisations A to Z."""
    if column not in COLUMNS:
        return Sort(DEFAULT_SORT)
    if order not in ("asc", "desc"):
        return Sort(column, COLUMNS[column].first_descending)
    return Sort(column, order == "desc")


def sort_lines(lines: Iterable[ReturnLine], sort: Sort) -> list[ReturnLine]:
    """Lines in the sort's order, ties by organisation name; blanks (nothing submitted, nobody signed) last."""
    by_name = sorted(lines, key=lambda line: (line.organisation_name.casefold(), line.id))
    key = COLUMNS[sort.column].key
    present = [line for line in by_name if key(line) is not None]
    blank = [line for line in by_name if key(line) is None]
    return sorted(present, key=key, reverse=sort.descending) + blank


def read_statuses(asked: Iterable[str]) -> tuple[str, ...]:
    """The statuses asked for that are on offer, in the table's order; none means every status."""
    wanted = set(asked)
    return tuple(status for status in SHOWN_STATUSES if status in wanted)


def filter_lines(lines: Iterable[ReturnLine], statuses: Sequence[str]) -> list[ReturnLine]:
    return [line for line in lines if not statuses or line.status in statuses]


def showing_text(shown: int, lines: Sequence[ReturnLine], statuses: Sequence[str]) -> str:
    """What the table holds, in words: "Showing all 13 returns", "Showing 2 of 13 returns: submitted"."""
    withdrawn = sum(line.withdrawn for line in lines)
    counted = plural(len(lines) - withdrawn, "return")
    if withdrawn:
        counted += f" and {withdrawn} withdrawn"
    if not statuses:
        return f"Showing all {counted}"
    chosen = [SHOWN_STATUSES[status].lower() for status in statuses]
    named = chosen[0] if len(chosen) == 1 else ", ".join(chosen[:-1]) + " or " + chosen[-1]
    return f"Showing {shown} of {counted}: those {named}"


# The coordinator's work queue -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkQueue:
    """What is waiting on the coordinator across the open cycles; each a list of store rows to link to."""

    waiting: tuple[Row, ...]  # submitted, not yet accepted or returned
    overdue: tuple[Row, ...]  # not submitted, past the due date
    returned: tuple[Row, ...]  # returned for amendment, not yet submitted again
    expiring: tuple[Row, ...]  # evidence used by a return that has expired or expires soon, with its "expiry"
    cycles: tuple[Row, ...]  # the open cycles, each with its latest board pack job, if any
    several_cycles: bool

    @property
    def empty(self) -> bool:
        """Nothing to act on: the board pack is news, not work."""
        return not (self.waiting or self.overdue or self.returned or self.expiring)


def work_queue(cycles: Sequence[Row], returns: Iterable[Row], evidence: Iterable[Row], *, today: date) -> WorkQueue:
    """Sort the open cycles' returns and evidence into what needs the coordinator; withdrawn returns never do.

    cycles are the open cycles, each with its latest board pack job's columns (job_id None: none yet); returns
    carry status, due_date, withdrawn_at and submitted_at (of their latest signed version); evidence carries
    valid_until and withdrawn_at (of the return using it). Returns waiting for review come longest waiting first;
    every other list keeps the order it came in.
    """
    current = [ret for ret in returns if not ret.get("withdrawn_at")]
    expiring = tuple({**item, "expiry": evidence_expiry(item["valid_until"], today)} for item in evidence
                     if not item.get("withdrawn_at") and evidence_expiry(item["valid_until"], today))
    return WorkQueue(
        waiting=tuple(sorted((ret for ret in current if ret["status"] == "submitted"),
                             key=lambda ret: ret.get("submitted_at") or "")),
        overdue=tuple(ret for ret in current if is_overdue(ret["status"], date.fromisoformat(ret["due_date"]), today)),
        returned=tuple(ret for ret in current if ret["status"] == "returned"),
        expiring=expiring, cycles=tuple(cycles), several_cycles=len(cycles) > 1)
