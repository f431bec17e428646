"""A return completed offline: download it as a spreadsheet, upload it back, see what it would change, save.

Only an editor of the return's organisation, while the return can be changed (the one `editable` rule), may do any
of it. An uploaded file is checked whole (core/return_workbook): any problem is listed by sheet, row and column and
nothing is kept; a clean file is kept for its person (store.pending) and shown as the answers it would change, old
beside new, and the answers changed on the website since the download (conflicts), which are not saved unless the
person chooses to replace them. "Save these answers" checks the kept file again, against the return as it is then.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from compliance.core.mappings import cross_reference
from compliance.core.return_workbook import MAX_ROWS, Item
from compliance.core.text import file_size, plural, slug
from compliance.core.workbook import MAX_BYTES
from compliance.services import offline as offline_service
from compliance.services.returns import requirement_name
from compliance.web.access import can, requires
from compliance.web.forms import ConfirmForm
from compliance.web.forms.offline import WorkbookForm
from compliance.web.requests import actor, get_db, now, read_return
from compliance.web.responses import attachment
from compliance.web.views.board import XLSX
from compliance.web.views.returns import bp, frozen_page, own_return
from compliance.web.views.returns.answers import conflict_details

PAGE = "/returns/<int:return_id>/offline"


def _editable(return_id: int):
    """The own return and None, or (its context and) the page that says it cannot be changed."""
    context = own_return(return_id)
    return context, (None if context.editable else frozen_page(context))


@bp.route(PAGE, methods=["GET", "POST"])
@requires("edit_return")
def offline(return_id: int):
    context, frozen = _editable(return_id)
    if frozen:
        return frozen
    form = WorkbookForm()
    if not form.validate_on_submit():
        return _upload_page(context, form)
    if form.file.data is None:
        form.file.errors.append("Select the spreadsheet you filled in")
        return _upload_page(context, form)
    checked = offline_service.check(get_db(), context, form.file.data.stream.read(MAX_BYTES + 1),
                                    form.file.data.filename or "", user_id=current_user.id,
                                    organisation_id=current_user.organisation_id, now=now())
    if checked.plan is None:
        return _upload_page(context, form, checked.upload.problems)
    return redirect(url_for(".offline_check", return_id=return_id))


def _upload_page(context, form: WorkbookForm, problems=(), status: int = 200):
    if problems and len(problems) == 1 and problems[0].sheet is None:  # the file as a whole: say it on the field
        form.file.errors.append(f"{problems[0].message}. Nothing has been saved")
        problems = ()
    elif problems:
        form.file.errors.append(f"The selected file has {plural(len(problems), 'problem')}, listed under “Problems "
                                "found in the file”. Nothing has been saved: fix each one, save the file and upload "
                                "it again")
    through = sum(context.source(*pair) is not None for pair in context.requirements())
    return render_template("returns/offline.html", context=context, form=form, problems=problems,
                           max_rows=MAX_ROWS, through=through), status


@bp.get(PAGE + ".xlsx")
@requires("edit_return")
def offline_workbook(return_id: int):
    context, frozen = _editable(return_id)
    if frozen:
        return frozen
    body = offline_service.workbook(get_db(), context, partnership=current_app.config["PARTNERSHIP_NAME"],
                                    downloaded_by=current_user.name, now=now())
    name = f"{slug(context.ret.organisation_name) or 'organisation'}-return-{slug(context.ret.cycle_name)}.xlsx"
    return attachment(body, mimetype=XLSX, filename=name)


@bp.route(PAGE + "/check", methods=["GET", "POST"])
@requires("edit_return")
def offline_check(return_id: int):
    context, frozen = _editable(return_id)
    if frozen:
        return frozen
    database = get_db()
    checked = offline_service.kept(database, context, user_id=current_user.id,
                                   organisation_id=current_user.organisation_id, now=now())
    if checked is None:
        flash("Upload your spreadsheet: nothing from it is waiting to be saved (a checked file is kept for a day)",
              "important")
        return redirect(url_for(".offline", return_id=return_id))
    if checked.plan is None:  # the return changed under the file (it can no longer be matched): check it again
        return _upload_page(context, WorkbookForm(formdata=None), checked.upload.problems, 409)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _check_page(database, context, checked, form)
    chosen = {tuple(value.split("/", 1)) for value in request.form.getlist("replace") if "/" in value}
    done = offline_service.save(database, context, checked, seen=request.form.get("plan", ""), replace=chosen,
                                actor=actor(), now=now())
    if done is None:
        return _check_page(database, context, checked, form, changed=True), 409
    flash(_saved_message(done), "important" if done.not_saved else "message")
    return redirect(url_for(".overview", return_id=return_id))


def _check_page(database, context, checked, form: ConfirmForm, *, changed: bool = False):
    plan = checked.plan
    conflicts = []
    for item in plan.conflicts:
        theirs = conflict_details(database, item.framework, item.before or {})
        conflicts.append((item, theirs, _both(item, theirs)))
    return render_template("returns/offline_check.html", context=context, checked=checked, plan=plan, form=form,
                           conflicts=conflicts, changed=changed, name=requirement_name, fields=_fields,
                           also=lambda item: [cross_reference(*pair) for pair in
                                              context.plan.also_answers(item.framework, item.requirement)])


def _fields(item: Item) -> list[tuple[str, str, str]]:
    """What changes in an answer, as people read it: (what, on the website, from the spreadsheet)."""
    before, after = item.before or {}, item.after
    shown = []
    for key, label in (("rating", "Rating"), ("narrative", "Explanation"), ("reason", "Reason")):
        old, new = before.get(key) or "", after.get(key) or ""
        if old != new or (key == "rating" and item.before is None):
            if key == "rating":
                old = item.framework.level(old).label if old else "No rating"
                new = item.framework.level(new).label if new else "No rating"
            shown.append((label, old, new))
    return shown


def _both(item: Item, theirs: dict) -> list[tuple[str, str, str]]:
    """A conflict's two answers whole, as the requirement page shows the other person's (its reason only if either
    has one)."""
    level = item.framework.level_or_none(item.after["rating"])
    rows = [("Rating", theirs["rating"], level.label if level else "No rating"),
            ("Explanation", theirs["narrative"], item.after["narrative"])]
    if theirs["reason"] or item.after["reason"]:
        rows.append(("Reason", theirs["reason"], item.after["reason"]))
    return rows


def _saved_message(done: offline_service.Saved) -> str:
    said = f"{plural(len(done.saved), 'answer')} saved from your spreadsheet" if done.saved else \
        "No answers were saved from your spreadsheet"
    if done.not_saved:
        names = "; ".join(requirement_name(item.requirement) for item in done.not_saved)
        said += (f". {plural(len(done.not_saved), 'answer was', 'answers were')} not saved, because "
                 f"{'it was' if len(done.not_saved) == 1 else 'they were'} changed on the website after your file "
                 f"was downloaded: {names}. Open each to compare it with your spreadsheet")
    return said


def too_large(error):
    """A file over the service's upload limit never reaches the view: say so on the upload page, if this person
    may use it."""
    context = read_return((request.view_args or {}).get("return_id", 0))
    if (context is None or not can(current_user, "edit_return") or not context.editable
            or context.ret.organisation_id != current_user.organisation_id):
        return render_template("errors/generic.html", error=error), 413
    form = WorkbookForm(formdata=None)
    limit = min(MAX_BYTES, int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024)
    form.file.errors = [f"The selected file must be smaller than {file_size(limit)}. Nothing has been saved"]
    return _upload_page(context, form, status=413)
