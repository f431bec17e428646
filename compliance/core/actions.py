"""The partnership's action plan: every improvement action of every signed return of a cycle, as people read it.

Pure: imports no Flask and touches no database. The actions come in already read from what was signed.

Decisions a reader needs:
- Actions come from the signed version that stands (submitted and waiting, or accepted), exactly as signed.
  Returns not yet submitted, sent back for amendment or withdrawn give none: the store's SQL (the matrix's
  "standing" version) chooses them.
- Overdue is returns.action_overdue, the one rule the sign page also counts by: due before today and not done.
- A requirement is named from the cycle's framework version (framework id + requirement id); one the cycle's
  frameworks no longer hold keeps the ref and title it was signed with.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from compliance.core.frameworks import Framework
from compliance.core.returns import ACTION_STATUSES, action_overdue
from compliance.core.text import long_date, plural


@dataclass(frozen=True, slots=True)
class PlanAction:
    """One improvement action of a signed return, with the names people read."""

    organisation_id: int
    organisation: str
    return_id: int
    version: int
    framework_id: str
    framework: str  # the framework's short title
    requirement_id: str
    ref: str
    title: str  # the requirement's title
    what: str
    owner: str
    due_date: str | None  # ISO date
    status: str
    overdue: bool

    @property
    def requirement(self) -> str:
        """The requirement as a line names it: WDVF protocol 2018, 3. Routine question."""
        return requirement_label(self.framework, self.ref, self.title)

    @property
    def status_label(self) -> str:
        return ACTION_STATUSES.get(self.status, self.status)


@dataclass(frozen=True, slots=True)
class ActionFilters:
    """What the action plan is narrowed to; None (or False) is everything."""

    framework: str | None = None  # a framework id
    requirement: str | None = None  # a requirement id, within the framework
    organisation: int | None = None
    status: str | None = None  # a code of ACTION_STATUSES
    overdue: bool = False

    @property
    def any(self) -> bool:
        return bool(self.framework or self.organisation is not None or self.status or self.overdue)

    def keeps(self, action: PlanAction) -> bool:
        return ((self.framework is None or action.framework_id == self.framework)
                and (self.requirement is None or action.requirement_id == self.requirement)
                and (self.organisation is None or action.organisation_id == self.organisation)
                and (self.status is None or action.status == self.status)
                and (not self.overdue or action.overdue))


@dataclass(frozen=True)
class ActionPlan:
    """A cycle's actions as filtered, with counts of all of them and of those shown."""

    cycle: str
    actions: tuple[PlanAction, ...]  # those the filters keep
    total: int  # every action of the cycle's signed returns
    total_overdue: int
    filters: ActionFilters = field(default_factory=ActionFilters)
    signed_returns: int = 0  # returns (not withdrawn) whose signed version stands
    returns: int = 0  # returns in the cycle, withdrawn ones left out
    frameworks: tuple[Framework, ...] = ()  # the cycle's, in its order: what the filter offers
    organisations: tuple[tuple[int, str], ...] = ()  # (id, name) of every organisation with actions, by name

    @property
    def overdue(self) -> int:
        return sum(action.overdue for action in self.actions)

    @property
    def counts_text(self) -> str:
        """The shown actions counted in words: "23 actions, 5 overdue"."""
        return counts_text(len(self.actions), self.overdue)

    @property
    def total_counts_text(self) -> str:
        """Every action of the cycle counted, whatever the filters: "60 actions, 12 overdue"."""
        return counts_text(self.total, self.total_overdue)


def counts_text(actions: int, overdue: int) -> str:
    """ "23 actions, 5 overdue", "1 action, none overdue", "No actions"."""
    if actions == 0:
        return "No actions"
    return f"{plural(actions, 'action')}, {overdue if overdue else 'none'} overdue"


def plan_actions(rows: Iterable[Mapping[str, Any]], frameworks: Sequence[Framework], *, today: date
                 ) -> list[PlanAction]:
    """Store rows (one per action of a signed version) to actions, by organisation, then requirement, then due
    date. Each row holds organisation_id, organisation_name, return_id, version, framework_key, requirement_id,
    ref, title (as signed), what, owner, due_date and status."""
    by_key = {framework.key: framework for framework in frameworks}
    order = {(f.id, r.id): (position, index) for position, f in enumerate(frameworks)
             for index, r in enumerate(f.requirements)}
    found = [_action(row, by_key.get(row["framework_key"]), today) for row in rows]
    return sorted(found, key=lambda a: (a.organisation.casefold(), a.organisation_id,
                                        order.get((a.framework_id, a.requirement_id), (len(frameworks), 0)),
                                        a.due_date or "9999", a.what))


def _action(row: Mapping[str, Any], framework: Framework | None, today: date) -> PlanAction:
    framework_id = str(row["framework_key"]).split("@")[0]
    ref, title, short = row.get("ref") or row["requirement_id"], row.get("title") or "", framework_id
    if framework is not None:
        short = framework.short_title or framework.title
        try:
            requirement = framework.requirement(row["requirement_id"])
            ref, title = requirement.ref, requirement.title
        except KeyError:
            pass
    return PlanAction(row["organisation_id"], row["organisation_name"], row["return_id"], row["version"],
                      framework_id, short, row["requirement_id"], ref, title, row.get("what") or "",
                      row.get("owner") or "", row.get("due_date") or None, row.get("status") or "",
                      action_overdue(row, today))


def action_plan(actions: Sequence[PlanAction], *, cycle: str, filters: ActionFilters | None = None,
                signed_returns: int = 0, returns: int = 0, frameworks: Sequence[Framework] = ()) -> ActionPlan:
    """The plan as filtered, counted in whole and as shown."""
    filters = filters or ActionFilters()
    organisations = sorted({(a.organisation_id, a.organisation) for a in actions},
                           key=lambda named: (named[1].casefold(), named[0]))
    return ActionPlan(cycle, tuple(a for a in actions if filters.keeps(a)), len(actions),
                      sum(a.overdue for a in actions), filters, signed_returns, returns, tuple(frameworks),
                      tuple(organisations))


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


def action_item(action: PlanAction) -> ActionItem:
    """An action of the plan as the board paper prints it: names, the due date in words, the status's label."""
    return ActionItem(organisation=action.organisation,
                      requirement=requirement_label(action.framework, action.ref, action.title), what=action.what,
                      owner=action.owner, due_date=long_date(action.due_date), status=action.status_label,
                      overdue=action.overdue)
