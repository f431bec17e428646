"""Auditors' queries on a requirement of a signed return: raise, read, reply (with a file), resolve, download.

Auditors and the admin raise and resolve; the organisation's editors and signatories reply; everyone who may see
the return may read. Another organisation's query is 404. The signed version itself never changes.
"""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from compliance import store
from compliance.core import filetypes as uploads
from compliance.core.audit_events import requirement_label
from compliance.services import queries as querying
from compliance.services import verification as verifying
from compliance.services.evidence import OutOfStorage
from compliance.store import files
from compliance.web.access import requires, signed_in
from compliance.web.forms.queries import QuestionForm, ReplyForm, ResolveForm
from compliance.web.requests import actor, get_db, notifier, now
from compliance.web.views.returns import visible_return

bp = Blueprint("queries", __name__)
QUERY = "/returns/<int:return_id>/queries/<int:query_id>"


@bp.route("/returns/<int:return_id>/verification/<framework_id>/<requirement_id>/query", methods=["GET", "POST"])
@requires("verify_evidence")
def raise_query(return_id: int, framework_id: str, requirement_id: str):
    context = visible_return(return_id)
    found = verifying.answer_to_check(get_db(), context, framework_id, requirement_id) or abort(404)
    label = requirement_label(found.framework, found.requirement)
    if found.signed is None or found.version is None:
        return render_template("verification/nothing.html", context=context, caption=label,
                               requirement=found.requirement), 409
    form = QuestionForm()
    if form.validate_on_submit():
        query = querying.raise_query(get_db(), context, found.framework, found.requirement,
                                     version=found.version["version"], question=form.question.data, actor=actor(),
                                     now=now(), notify=notifier())
        flash(f"Your question has been sent to {context.ret.organisation_name}'s editors and signatories")
        return redirect(url_for(".query", return_id=return_id, query_id=query["id"]))
    return render_template("queries/raise.html", context=context, framework=found.framework,
                           requirement=found.requirement, label=label, form=form)


def _query(return_id: int, query_id: int):
    """The return and the query, if this person may see them: 404 for another organisation's, or a mismatch."""
    context = visible_return(return_id)
    query = store.query_by_id(get_db(), query_id)
    if query is None or query["return_id"] != return_id:
        abort(404)
    return context, query


def _page(context, query, form: ReplyForm | ResolveForm | None = None, status: int = 200):
    found = querying.requirement_of(context, query)
    label = requirement_label(*found) if found else query["requirement_id"]
    reply_form = form if isinstance(form, ReplyForm) else ReplyForm(formdata=None)
    return render_template("queries/query.html", context=context, query=query, label=label,
                           framework=found[0] if found else None,
                           requirement=found[1] if found else None, form=form, reply_form=reply_form,
                           messages=store.query_messages(get_db(), query["id"]), accept=uploads.ACCEPT,
                           accepted_kinds=uploads.ACCEPTED_KINDS,
                           may_reply=_may_reply(context) and query["status"] == "open"), status


def _may_reply(context) -> bool:
    return current_user.can("reply_to_query") and (
        current_user.can("verify_evidence") or current_user.organisation_id == context.ret.organisation_id)


@bp.get(QUERY)
@signed_in
def query(return_id: int, query_id: int):
    return _page(*_query(return_id, query_id))


@bp.post(QUERY + "/reply")
@requires("reply_to_query")
def reply(return_id: int, query_id: int):
    context, found = _query(return_id, query_id)
    form = ReplyForm()
    if found["status"] != "open":
        return render_template("queries/resolved.html", context=context, query=found), 409
    from_organisation = not current_user.can("verify_evidence")
    fields_valid = form.validate()
    upload = _checked_file(form) if from_organisation else None
    if upload is not None and not fields_valid:
        form.file.errors.append("Choose the file again: a file cannot be kept while something else on this page "
                                "needs fixing")
    if not fields_valid or form.file.errors:
        return _page(context, found, form)
    try:
        querying.reply(get_db(), current_app.config["EVIDENCE_DIR"], context, found, body=form.reply.data,
                       upload=upload, from_organisation=from_organisation, actor=actor(), now=now(), notify=notifier())
    except OutOfStorage as full:
        form.file.errors.append(str(full))
        return _page(context, found, form, 507)
    flash("Your reply has been sent" + (f" with {upload[0].filename}" if upload else ""))
    return redirect(url_for(".query", return_id=return_id, query_id=query_id, _anchor="replies"))


def _checked_file(form: ReplyForm) -> tuple[uploads.Accepted, bytes] | None:
    """The accepted file and its bytes (the same checks as any evidence upload); None, with an error, if refused."""
    upload = form.file.data
    if upload is None or not upload.filename:
        return None
    max_bytes = int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    data = upload.read()
    try:
        return uploads.check_upload(data, upload.filename, max_bytes=max_bytes), data
    except uploads.UploadRejected as rejected:
        form.file.errors.append(rejected.message)
        return None


@bp.errorhandler(413)
def reply_too_large(error):
    """A reply over the upload limit is refused before the view reads it: say so on the reply's file field."""
    arguments = request.view_args or {}
    if request.endpoint != "queries.reply" or not current_user.is_authenticated or \
            not current_user.can("reply_to_query"):
        return render_template("errors/generic.html", error=error), 413
    context, found = _query(arguments.get("return_id", 0), arguments.get("query_id", 0))
    form = ReplyForm(formdata=None)
    form.file.errors = [f"The selected file must be smaller than {current_app.config['MAX_UPLOAD_MB']} MB"]
    return _page(context, found, form, 413)


@bp.route(QUERY + "/resolve", methods=["GET", "POST"])
@requires("verify_evidence")
def resolve(return_id: int, query_id: int):
    context, found = _query(return_id, query_id)
    if found["status"] != "open":
        return render_template("queries/resolved.html", context=context, query=found), 409
    form = ResolveForm()
    if form.validate_on_submit():
        querying.resolve(get_db(), context, found, note=form.note.data or "", actor=actor(), now=now(),
                         notify=notifier())
        flash("The question is resolved. The organisation's editors and signatories have been emailed")
        return redirect(url_for(".query", return_id=return_id, query_id=query_id))
    found_requirement = querying.requirement_of(context, found)
    return render_template("queries/resolve.html", context=context, query=found, form=form,
                           label=requirement_label(*found_requirement) if found_requirement else "")


@bp.get(QUERY + "/files/<int:file_id>")
@signed_in
def download(return_id: int, query_id: int, file_id: int):
    _context, found = _query(return_id, query_id)
    item = store.query_file(get_db(), found["id"], file_id) or abort(404)
    try:
        data = files.read_verified(current_app.config["EVIDENCE_DIR"], item["sha256"])
    except (files.TamperedFile, FileNotFoundError):
        current_app.logger.error("query file %s (%s) is missing or no longer matches its SHA-256", file_id,
                                 item["filename"])
        abort(404)
    response = send_file(BytesIO(data), mimetype=item["content_type"], as_attachment=True,
                         download_name=item["filename"], etag=False, conditional=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Type"] = item["content_type"]
    return response
