"""The partnership's action plan: every improvement action of every signed return of a cycle.

No Flask: the database and today's date come in as arguments. The action plan page and its CSV use
partnership_actions; so can the board pack (its rows are `.actions`, each a core.actions.PlanAction).
"""
from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from compliance import store
from compliance.core.actions import ActionFilters, ActionPlan, action_plan, plan_actions
from compliance.services.returns import cycle_frameworks


def partnership_actions(db: Database, cycle: dict, *, today: date, filters: ActionFilters | None = None) -> ActionPlan:
    """The improvement actions of a cycle's signed returns (the version that stands: submitted or accepted; none
    from returns not yet submitted, sent back or withdrawn), by organisation then requirement, each with its
    organisation, requirement, owner, due date, status and whether it is overdue on `today` (a London date);
    narrowed by `filters` when given, with counts of all and of those kept."""
    frameworks = cycle_frameworks(db, cycle["id"])
    actions = plan_actions(store.signed_actions(db, cycle["id"]), frameworks, today=today)
    returns = [r for r in store.matrix_returns(db, cycle["id"]) if not r["withdrawn_at"]]
    return action_plan(actions, cycle=cycle["name"], filters=filters,
                       signed_returns=sum(r["version"] is not None for r in returns), returns=len(returns),
                       frameworks=frameworks)
