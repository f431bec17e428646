"""The coordinator running a cycle: its returns table (progress, last activity, who signed), and the work waiting
on their home page across the open cycles.

No Flask: the database, the cycle's frameworks and today's date come in as arguments.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from compliance import store
from compliance.core.cycle_returns import (
    ReturnLine,
    Sort,
    WorkQueue,
    filter_lines,
    progress,
    return_line,
    showing_text,
    sort_lines,
    work_queue,
)
from compliance.core.frameworks import Framework
from compliance.core.verification import EXPIRY_WARNING
from compliance.services.boardpack_jobs import BOARD_PACK


@dataclass(frozen=True)
class ReturnsTable:
    lines: list[ReturnLine]  # every return of the cycle, sorted
    shown: list[ReturnLine]  # those the filter keeps
    showing: str  # what the table holds, in words
    counts: Counter[str]  # how many returns there are of each shown status


def returns_table(db: Database, cycle: dict, frameworks: Sequence[Framework], *, today: date, sort: Sort,
                  statuses: Sequence[str]) -> ReturnsTable:
    """Every return of a cycle as the table shows it: two queries whatever the number of organisations.

    A requirement is done when its answer is completed, by the rule the return's own task list uses; the store
    gives only the answers that may be (rated, not waiting to be checked), which is all that rule needs to count.
    """
    marks = store.answer_marks(db, cycle["id"])
    lines = [return_line(row, progress(frameworks, row["sector"], *marks.get(row["id"], ({}, {}))), today=today,
                         cycle_open=cycle["status"] == "open")
             for row in store.returns_table(db, cycle["id"])]
    lines = sort_lines(lines, sort)
    shown = filter_lines(lines, statuses)
    return ReturnsTable(lines, shown, showing_text(len(shown), lines, statuses), Counter(each.status for each in lines))


def coordinator_work(db: Database, *, today: date) -> WorkQueue:
    """What waits on the coordinator in the open cycles: returns to review, overdue and sent back, evidence
    expired or expiring within the warning period, and each open cycle's latest board pack."""
    return work_queue(store.open_cycles_with_board_pack(db, kind=BOARD_PACK), store.open_cycle_returns(db),
                      store.expiring_evidence(db, until=(today + EXPIRY_WARNING).isoformat()), today=today)
