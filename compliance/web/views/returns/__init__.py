"""The annual return: overview, one requirement per page, evidence, actions, check answers and signing."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user

from compliance.core.membership import SHOWN_STATUSES
from compliance.core.returns import (
    ACTION_STATUSES,
    ANSWER_STATES,
    EDITABLE,
    SIGNED,
    action_overdue,
    due_text,
    is_overdue,
)
from compliance.services.returns import ReturnContext
from compliance.web.access import check_organisation
from compliance.web.requests import read_return, today

bp = Blueprint("returns", __name__)


def visible_return(return_id: int) -> ReturnContext:
    """The return, if this person may see it: 404 for another organisation's, so ids cannot be probed."""
    context = read_return(return_id)
    if context is None:
        abort(404)
    check_organisation(context.ret.organisation_id)
    return context


def own_return(return_id: int) -> ReturnContext:
    """The return of the signed-in person's own organisation (editors and signatories); 404 for any other."""
    context = read_return(return_id)
    if context is None or context.ret.organisation_id != current_user.organisation_id:
        abort(404)
    return context


def editable_return(return_id: int) -> ReturnContext | None:
    """The own return while it can be changed; None when it is submitted, accepted or its cycle is closed."""
    context = own_return(return_id)
    return context if context.editable else None


def frozen_page(context: ReturnContext):
    """What any attempt to change a submitted or closed return gets: 409 and a page that says why."""
    return render_template("returns/frozen.html", context=context), 409


def requirement_or_404(context: ReturnContext, framework_id: str, requirement_id: str):
    found = context.find(framework_id, requirement_id)
    if found is None:
        abort(404)
    return found


@bp.app_context_processor
def return_helpers() -> dict:
    # A template names a return's status from RETURN_STATUSES; a list of returns may show one as "withdrawn".
    return {"RETURN_STATUSES": SHOWN_STATUSES, "EDITABLE": EDITABLE, "SIGNED": SIGNED, "ANSWER_STATES": ANSWER_STATES,
            "ACTION_STATUSES": ACTION_STATUSES,
            "due_text": lambda due: due_text(date.fromisoformat(due), today()),
            "is_overdue": lambda status, due: is_overdue(status, date.fromisoformat(due), today()),
            "action_overdue": lambda action: action_overdue(action, today()),
            "max_upload_mb": current_app.config["MAX_UPLOAD_MB"]}


from compliance.web.views.returns import (  # noqa: E402,F401  (registers the routes on bp)
    answers,
    assignments,
    evidence,
    offline,
    overview,
    submission,
)
