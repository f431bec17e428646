"""Improvement actions as the board reads them: one per action in a signed return, with whether it is overdue.

Pure: plain values in and out. Whether an action is overdue is the one rule the sign page uses too
(compliance.core.returns.action_overdue): its due date is before the day in question and it is not done.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from compliance.core.returns import ACTION_STATUSES, action_overdue
from compliance.core.text import long_date


@dataclass(frozen=True, slots=True)
class ActionItem:
    """One improvement action of a signed return, with names (never ids) and its due date as people read it."""

    organisation: str
    requirement: str  # the requirement as people know it: "WDVF protocol 2018, 3. Routine question"
    what: str
    owner: str
    due_date: str  # "31 January 2027"; empty when none was given
    status: str  # "Not started", "In progress" or "Done"
    overdue: bool


def requirement_label(framework: str, ref: str, title: str) -> str:
    """ "WDVF protocol 2018, 3. Routine question": the framework's short title, the requirement's ref and title."""
    own = ref if not title or title == ref else f"{ref}. {title}"
    return f"{framework}, {own}" if framework else own


def action_items(rows: Iterable[Mapping[str, Any]], frameworks: Mapping[str, str], *, today: date
                 ) -> list[ActionItem]:
    """ActionItems from rows of a signed version's actions (organisation, framework key, ref, title, what, owner,
    due_date, status); frameworks maps a framework key to the name shown; today is the London day that decides
    what is overdue."""
    return [ActionItem(organisation=row["organisation"],
                       requirement=requirement_label(frameworks.get(row["framework"], ""), row["ref"] or "",
                                                     row["title"] or ""),
                       what=row["what"] or "", owner=row["owner"] or "", due_date=long_date(row["due_date"]),
                       status=ACTION_STATUSES.get(row["status"] or "", (row["status"] or "").capitalize()),
                       overdue=action_overdue(row, today))
            for row in rows]
