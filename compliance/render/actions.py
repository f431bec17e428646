"""The partnership's action plan as CSV: one row per improvement action, as the action plan page lists it.

Pure: imports no Flask and touches no database. Names rather than ids, dates as people read them, and every text
cell neutralised (workbooks.neutralise) so that a spreadsheet never runs an action's text as a formula.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from compliance.core.actions import PlanAction
from compliance.core.text import long_date
from compliance.render.workbooks import neutralise

# (header, value): the page's columns in its order, with the requirement's parts in columns of their own.
ACTION_COLUMNS: tuple[tuple[str, Callable[[PlanAction], str]], ...] = (
    ("Organisation", lambda action: action.organisation),
    ("Framework", lambda action: action.framework),
    ("Ref", lambda action: action.ref),
    ("Requirement", lambda action: action.title),
    ("Action", lambda action: action.what),
    ("Owner", lambda action: action.owner),
    ("Due date", lambda action: long_date(action.due_date) or "No due date"),
    ("Status", lambda action: action.status_label),
    ("Overdue", lambda action: "Overdue" if action.overdue else ""),
)


def actions_csv(cycle: str, actions: Iterable[PlanAction]) -> str:
    """A header row, then one row per action, each starting with the cycle's name."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Cycle", *(header for header, _value in ACTION_COLUMNS)])
    for action in actions:
        writer.writerow([neutralise(cycle), *(neutralise(value(action) or "") for _header, value in ACTION_COLUMNS)])
    return out.getvalue()
