"""One requirement's page (rating, narrative, reason) and its improvement actions.

Nothing typed is ever lost or silently overwritten:
- every button on the requirement page saves what was typed before it goes anywhere (to add an action, upload
  evidence, ...), so leaving the page through the page never drops work;
- a hidden `revision` carries the answer as it was read: when someone else saved in between, nothing is saved
  and the page comes back (409) with both answers, the person's own still in the form;
- a carried-forward answer stays marked until the person ticks "I have checked this answer and it is still
  right" and saves: one form, no separate confirm button.
"""
from __future__ import annotations

import re
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from compliance import store
from compliance.core import filetypes as uploads
from compliance.core.mappings import cross_reference
from compliance.core.returns import answer_problems
from compliance.core.text import when
from compliance.core.verification import EXPIRY_WARNING
from compliance.services import returns as return_service
from compliance.web.access import requires
from compliance.web.forms import ConfirmForm
from compliance.web.forms.answers import ActionForm, AnswerForm
from compliance.web.requests import actor, get_db, now, today
from compliance.web.views.returns import bp, frozen_page, own_return, requirement_or_404
from compliance.web.views.returns.mapped import also_answers, answered_through_page, started_from, suggestions

PAGE = "/returns/<int:return_id>/<framework_id>/<requirement_id>"
KIND_LABELS = {content_type: label for label, content_type, _ in uploads.KINDS.values()}
# Buttons on the requirement page other than "Save and continue": where each goes once the answer is saved.
THEN = {"new-action": ".new_action", "upload": ".upload_evidence", "link": ".add_link", "attach": ".attach_evidence"}
THEN_ITEM = {"change-action": (".edit_action", "action_id"), "remove-action": (".remove_action", "action_id"),
             "unlink": (".unlink_evidence", "evidence_id")}


def requirement_context(return_id: int, framework_id: str, requirement_id: str):
    """The own return and one of its requirements, or 404. A requirement answered through another framework's
    has no actions or evidence of its own: its other pages lead back to its own page, which says where to go."""
    context = own_return(return_id)
    framework, requirement = requirement_or_404(context, framework_id, requirement_id)
    if request.endpoint != "returns.answer" and context.source(framework, requirement) is not None:
        abort(redirect(page_url(context, framework, requirement)))
    return context, framework, requirement


def page_url(context, framework, requirement, endpoint: str = ".answer", **values) -> str:
    return url_for(endpoint, return_id=context.ret.id, framework_id=framework.id, requirement_id=requirement.id,
                   **values)


def caption(framework, requirement) -> str:
    ref = requirement.ref if not requirement.ref.isdigit() else f"Requirement {requirement.ref}"
    return f"{framework.short_title} · {ref}"


def not_saved_page(context, framework, requirement, typed: list[tuple[str, str]]):
    """The return was submitted or closed while this person was typing, or the requirement is answered through
    another framework's: nothing saved, but show what they typed."""
    source = context.source(framework, requirement) if context.editable else None
    return render_template("returns/answer_not_saved.html", context=context, framework=framework,
                           requirement=requirement, caption=caption(framework, requirement),
                           source=source, source_name=cross_reference(*source) if source else "",
                           source_url=page_url(context, *source) if source else "",
                           typed=[(label, value) for label, value in typed if value]), 409


def evidence_helpers() -> dict:
    """What the evidence lists need: today and the expiry warning date as ISO text, and what each item is."""
    day = today()
    return {"today_iso": day.isoformat(), "soon_iso": (day + EXPIRY_WARNING).isoformat(),
            "evidence_kind": evidence_kind}


def evidence_kind(item: dict) -> str:
    """What an item is, as people read it: "PDF, 120 KB" or "Link"."""
    if item["kind"] != "file":
        return "Link"
    label = KIND_LABELS.get((item.get("content_type") or "").split(";")[0].strip(), "File")
    size = item.get("size") or 0
    if size >= 1024 * 1024:
        return f"{label}, {size / (1024 * 1024):.1f} MB"
    return f"{label}, {max(1, round(size / 1024))} KB"


# The requirement page ---------------------------------------------------------------------------


@bp.route(PAGE, methods=["GET", "POST"])
@requires("edit_return")
def answer(return_id: int, framework_id: str, requirement_id: str):
    context, framework, requirement = requirement_context(return_id, framework_id, requirement_id)
    stored = context.answers.get((framework.key, requirement.id))
    method = request.method
    kept = _kept_typing() if method == "GET" else None
    started = None
    if kept is not None:
        form = AnswerForm.for_framework(framework, formdata=kept)
        flash("This is what you typed before you were signed out. It has not been saved yet: check it, then "
              "choose Save and continue or Save and come back later.", "important")
    else:
        started = started_from(context, framework, requirement, stored) if method == "GET" else None
        form = AnswerForm.for_framework(framework, data=None if method == "POST" else
                                        started[0] if started else _initial(stored))
    if not context.editable:
        if not form.is_submitted():
            return frozen_page(context)
        return _typed_answer_lost(context, framework, requirement, form)
    if context.source(framework, requirement) is not None:  # answered once, at another framework's requirement
        if form.is_submitted():
            return _typed_answer_lost(context, framework, requirement, form)
        return answered_through_page(context, framework, requirement, caption(framework, requirement),
                                     **evidence_helpers())
    if not form.validate_on_submit():
        return _answer_page(context, framework, requirement, form, started=started[1] if started else None)
    values = form.values(carried_forward=stored["carried_forward"] if stored else 0)
    saved, current = return_service.save_answer(get_db(), context, framework, requirement.id, values,
                                                revision=form.read_revision, actor=actor(), now=now())
    if not saved:
        form.revision.data = str(current["revision"])  # a second save now keeps this person's answer
        return _answer_page(context, framework, requirement, form, conflict=current), 409
    then = request.form.get("then", "")
    if then == "continue":
        _say_what_is_missing(context, framework, requirement, current)
    return redirect(_next_page(context, framework, requirement, then))


def _say_what_is_missing(context, framework, requirement, saved: dict | None) -> None:
    """Moving on from an incomplete answer is allowed; the person is told what it still needs, by name."""
    key = (framework.key, requirement.id)  # a save of the answer leaves its actions and evidence as they were
    missing = answer_problems(framework, requirement, saved, actions=len(context.actions.get(key, [])),
                              evidence=len(context.evidence.get(key, [])))
    if missing:
        flash(f"Your answer to {return_service.requirement_name(requirement)} is saved, but it is not complete yet: "
              + "; ".join(problem[0].lower() + problem[1:] for problem in missing)
              + ". You can come back to it from the task list", "important")


def _kept_typing() -> MultiDict | None:
    """The form this person sent after their session had ended, given back once after they signed in again."""
    key = request.args.get("restore")
    found = store.give_back_form(get_db(), key, current_user.id, now=now()) if key else None
    if found is None or found["path"] != request.path:
        return None
    return MultiDict([tuple(pair) for pair in found["fields"]])


def _initial(stored: dict | None) -> dict:
    stored = stored or {}
    return {"rating": stored.get("rating"), "narrative": stored.get("narrative", ""),
            "reason": stored.get("reason", ""), "revision": str(stored.get("revision", 0))}


def _next_page(context, framework, requirement, then: str) -> str:
    item = re.fullmatch(r"([a-z-]+)-(\d{1,12})", then or "")
    if then in THEN:
        return page_url(context, framework, requirement, THEN[then])
    if item and item.group(1) in THEN_ITEM:
        endpoint, argument = THEN_ITEM[item.group(1)]
        return page_url(context, framework, requirement, endpoint, **{argument: int(item.group(2))})
    if then == "later":
        flash("Your answers have been saved")
        return url_for(".overview", return_id=context.ret.id)
    following = context.next_after(framework, requirement)
    if following is None:  # the last requirement: on to checking the answers before signing
        return url_for(".check", return_id=context.ret.id)
    return page_url(context, *following)


def _answer_page(context, framework, requirement, form: AnswerForm, *, conflict: dict | None = None,
                 started: dict | None = None):
    database = get_db()
    key = (framework.key, requirement.id)
    stored = context.answers.get(key)
    evidence = context.evidence.get(key, [])
    touched = context.state(framework, requirement) in ("in-progress", "carried-forward")
    problems = context.problems_for(framework, requirement) if touched else []
    return render_template(
        "returns/answer.html", context=context, framework=framework, requirement=requirement, form=form,
        caption=caption(framework, requirement), answer=stored, actions=context.actions.get(key, []),
        evidence=evidence, problems=problems,
        has_other_evidence=context.has_evidence_besides(key),
        conflict=conflict_details(database, framework, conflict) if conflict else None,
        reason_level=_reason_level(framework), action_levels=[lv.label for lv in framework.scale if lv.needs_action],
        amendment=return_service.open_amendment_requests(database, context).get(key),
        last_year=(return_service.last_years_answers(database, context).get((framework.id, requirement.id))
                   if stored and stored.get("carried_forward") else None),
        suggestions=suggestions(context, framework, requirement), also=also_answers(context, framework, requirement),
        started=started, **evidence_helpers())


def _reason_level(framework) -> str | None:
    """The level whose radio reveals the reason field; "" when several need one (then it is shown on its own)."""
    codes = [level.code for level in framework.scale if level.needs_reason]
    return codes[0] if len(codes) == 1 else ("" if codes else None)


def conflict_details(database, framework, current: dict) -> dict:
    """Who saved in between, when, and what they saved, as people read it (here and for a spreadsheet's rows)."""
    person = store.user_by_id(database, current["updated_by"]) if current.get("updated_by") else None
    who = f"{person['name']} ({person['email']})" if person else "someone else"
    rating = framework.level(current["rating"]).label if current.get("rating") else "No rating"
    return {"who": who, "when": when(current.get("updated_at")), "rating": rating,
            "narrative": current.get("narrative") or "", "reason": current.get("reason") or ""}


def _typed_answer_lost(context, framework, requirement, form: AnswerForm):
    level = form.level
    return not_saved_page(context, framework, requirement, [
        ("Your rating", level.label if level else ""), ("Explain your rating", form.narrative.data or ""),
        ("Reason", form.reason.data or "")])


# Improvement actions ----------------------------------------------------------------------------


def _own_action(context, framework, requirement, action_id: int) -> dict:
    """The action, if it belongs to this return and requirement; 404 otherwise."""
    found = store.action(get_db(), action_id)
    if found is None or (found["return_id"], found["framework_key"], found["requirement_id"]) != (
            context.ret.id, framework.key, requirement.id):
        abort(404)
    return found


@bp.route(PAGE + "/actions/new", methods=["GET", "POST"])
@requires("edit_return")
def new_action(return_id: int, framework_id: str, requirement_id: str):
    return _action_page(return_id, framework_id, requirement_id, None)


@bp.route(PAGE + "/actions/<int:action_id>", methods=["GET", "POST"])
@requires("edit_return")
def edit_action(return_id: int, framework_id: str, requirement_id: str, action_id: int):
    return _action_page(return_id, framework_id, requirement_id, action_id)


def _action_page(return_id: int, framework_id: str, requirement_id: str, action_id: int | None):
    context, framework, requirement = requirement_context(return_id, framework_id, requirement_id)
    found = _own_action(context, framework, requirement, action_id) if action_id else None
    initial = {**found, "due_date": date.fromisoformat(found["due_date"])} if found else None
    form = ActionForm(data=initial if request.method == "GET" else None)
    if not context.editable:
        if not form.is_submitted():
            return frozen_page(context)
        return not_saved_page(context, framework, requirement, [
            ("What will you do?", form.what.data), ("Who owns it?", form.owner.data)])
    if form.validate_on_submit() and _due_date_is_possible(form, found):
        database = get_db()
        answer_row = store.ensure_answer(database, return_id, framework.key, requirement.id)
        store.save_action(database, answer_row["id"], form.values(), action_id=action_id, actor=actor(), now=now())
        flash("Improvement action changed" if action_id else "Improvement action added")
        return redirect(page_url(context, framework, requirement, _anchor="actions"))
    return render_template("returns/action.html", context=context, framework=framework, requirement=requirement,
                           caption=caption(framework, requirement), form=form, action=found)


def _due_date_is_possible(form: ActionForm, found: dict | None) -> bool:
    """An action still to do cannot be given a due date that has already passed (one already done may)."""
    due = form.due_date.data
    unchanged = found is not None and found["due_date"] == due.isoformat()
    if form.status.data == "done" or unchanged or due >= today():
        return True
    form.due_date.errors = [*form.due_date.errors, "The due date must be today or later. If the action is already "
                            "late, give it a new date you can meet"]
    return False


@bp.route(PAGE + "/actions/<int:action_id>/remove", methods=["GET", "POST"])
@requires("edit_return")
def remove_action(return_id: int, framework_id: str, requirement_id: str, action_id: int):
    context, framework, requirement = requirement_context(return_id, framework_id, requirement_id)
    found = _own_action(context, framework, requirement, action_id)
    if not context.editable:
        return frozen_page(context)
    form = ConfirmForm()
    if form.validate_on_submit():
        store.remove_action(get_db(), action_id, actor=actor(), now=now())
        flash("Improvement action removed")
        return redirect(page_url(context, framework, requirement, _anchor="actions"))
    return render_template("returns/answer_remove_action.html", context=context, framework=framework,
                           requirement=requirement, caption=caption(framework, requirement), form=form, action=found)
