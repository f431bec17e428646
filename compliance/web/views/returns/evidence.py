"""Evidence for a requirement: upload a file, add a link, use items already added, remove one; download a file.

An upload is checked from its content (compliance.uploads) and stored under its SHA-256 only when everything on
the form is right: any error stores nothing. A download is served only while its bytes still match that SHA-256.
"""
from __future__ import annotations

from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file
from flask_login import current_user

from compliance import store
from compliance.core import filetypes as uploads
from compliance.services import evidence
from compliance.store import files
from compliance.web.access import can, check_organisation, requires, signed_in
from compliance.web.forms import ConfirmForm
from compliance.web.forms.answers import AttachForm, LinkForm, UploadForm
from compliance.web.requests import actor, get_db, now, read_return
from compliance.web.uploads import checked_upload
from compliance.web.views.returns import bp, frozen_page, offline
from compliance.web.views.returns.answers import (
    PAGE,
    caption,
    evidence_helpers,
    not_saved_page,
    page_url,
    requirement_context,
)


def _page(template: str, context, framework, requirement, form, **extra):
    return render_template(template, context=context, framework=framework, requirement=requirement, form=form,
                           caption=caption(framework, requirement), accept=uploads.ACCEPT,
                           accepted_kinds=uploads.ACCEPTED_KINDS, **evidence_helpers(), **extra)


def _back_to_requirement(context, framework, requirement, message: str):
    flash(message)
    return redirect(page_url(context, framework, requirement, _anchor="evidence"))


@bp.route(PAGE + "/evidence/upload", methods=["GET", "POST"])
@requires("edit_return")
def upload_evidence(return_id: int, framework_id: str, requirement_id: str):
    context, framework, requirement = requirement_context(return_id, framework_id, requirement_id)
    form = UploadForm()
    if not context.editable:
        if not form.is_submitted():
            return frozen_page(context)
        return not_saved_page(context, framework, requirement, [("Title", form.title.data)])
    checked = _checked_upload(form) if form.is_submitted() else None
    if checked is None:
        return _page("returns/evidence_upload.html", context, framework, requirement, form)
    accepted, data = checked
    try:
        evidence.add_file(get_db(), current_app.config["EVIDENCE_DIR"], context, framework.key, requirement.id,
                          accepted, data, title=form.title.data, dates=form.dates(), actor=actor(), now=now())
    except evidence.OutOfStorage as full:
        form.file.errors.append(str(full))
        return _page("returns/evidence_upload.html", context, framework, requirement, form), 507
    return _back_to_requirement(context, framework, requirement,
                                f"“{form.title.data}” ({accepted.filename}) has been uploaded")


def _checked_upload(form: UploadForm) -> tuple[uploads.Accepted, bytes] | None:
    """The accepted file and its bytes when the file and every other field are right; errors on the form if not."""
    fields_valid = form.validate()
    return checked_upload(form.file, fields_valid=fields_valid)


@bp.errorhandler(413)
def upload_too_large(error):
    """A request over the upload limit is refused before the view runs: say so on the upload page's file field."""
    if request.endpoint == "returns.offline":
        return offline.too_large(error)
    found = _upload_page_context() if request.endpoint == "returns.upload_evidence" else None
    if found is None:
        return render_template("errors/generic.html", error=error), 413
    form = UploadForm(formdata=None)
    form.file.errors = [f"The selected file must be smaller than {current_app.config['MAX_UPLOAD_MB']} MB"]
    return _page("returns/evidence_upload.html", *found, form), 413


def _upload_page_context():
    """(context, framework, requirement) of the upload page asked for, if this person may use it; else None."""
    if not can(current_user, "edit_return"):
        return None
    arguments = request.view_args or {}
    context = read_return(arguments.get("return_id", 0))
    if context is None or context.ret.organisation_id != current_user.organisation_id or not context.editable:
        return None
    found = context.find(arguments.get("framework_id", ""), arguments.get("requirement_id", ""))
    return (context, *found) if found else None


@bp.route(PAGE + "/evidence/link", methods=["GET", "POST"])
@requires("edit_return")
def add_link(return_id: int, framework_id: str, requirement_id: str):
    context, framework, requirement = requirement_context(return_id, framework_id, requirement_id)
    form = LinkForm()
    if not context.editable:
        if not form.is_submitted():
            return frozen_page(context)
        return not_saved_page(context, framework, requirement, [("Title", form.title.data),
                                                                ("Web address", form.url.data)])
    if not form.validate_on_submit():
        return _page("returns/evidence_link.html", context, framework, requirement, form)
    evidence.add_link(get_db(), context, framework.key, requirement.id, title=form.title.data,
                      url=form.url.data, dates=form.dates(), actor=actor(), now=now())
    return _back_to_requirement(context, framework, requirement, f"The link to {form.title.data} has been added")


@bp.route(PAGE + "/evidence/attach", methods=["GET", "POST"])
@requires("edit_return")
def attach_evidence(return_id: int, framework_id: str, requirement_id: str):
    context, framework, requirement = requirement_context(return_id, framework_id, requirement_id)
    if not context.editable:
        return frozen_page(context)
    library = store.organisation_evidence(get_db(), context.ret.organisation_id)
    if any(value not in {str(item["id"]) for item in library} for value in request.form.getlist("items")):
        abort(404)  # not this organisation's evidence
    linked = {item["id"] for item in context.evidence.get((framework.key, requirement.id), [])}
    others = [item for item in library if item["id"] not in linked]
    form = AttachForm()
    form.set_items(others)
    if not form.validate_on_submit():
        return _page("returns/evidence_attach.html", context, framework, requirement, form, items=others)
    evidence.attach(get_db(), context, framework.key, requirement.id, form.chosen, actor=actor(), now=now())
    count = len(form.chosen)
    return _back_to_requirement(context, framework, requirement,
                                f"{count} item{'' if count == 1 else 's'} of evidence added to this requirement")


@bp.route(PAGE + "/evidence/<int:evidence_id>/remove", methods=["GET", "POST"])
@requires("edit_return")
def unlink_evidence(return_id: int, framework_id: str, requirement_id: str, evidence_id: int):
    context, framework, requirement = requirement_context(return_id, framework_id, requirement_id)
    item = next((e for e in context.evidence.get((framework.key, requirement.id), []) if e["id"] == evidence_id), None)
    if item is None:
        abort(404)
    if not context.editable:
        return frozen_page(context)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page("returns/evidence_unlink.html", context, framework, requirement, form, item=item)
    store.unlink_evidence(get_db(), item["answer_id"], evidence_id, actor=actor(), now=now())
    return _back_to_requirement(context, framework, requirement, f"{item['title']} no longer backs this requirement")


@bp.get("/evidence/<int:evidence_id>/download")
@signed_in
def download_evidence(evidence_id: int):
    item = store.evidence_item(get_db(), evidence_id)
    if item is None:
        abort(404)
    check_organisation(item["organisation_id"])
    if item["kind"] != "file":
        abort(404)
    try:
        data = files.read_verified(current_app.config["EVIDENCE_DIR"], item["sha256"])
    except files.TamperedFile:
        current_app.logger.error("evidence %s (%s) no longer matches its SHA-256 %s: not served",
                                 evidence_id, item["filename"], item["sha256"])
        return render_template("returns/evidence_tampered.html", item=item), 409
    except FileNotFoundError:
        current_app.logger.error("evidence %s (%s) is missing from the evidence folder", evidence_id, item["filename"])
        return render_template("returns/evidence_missing.html", item=item), 404
    response = send_file(BytesIO(data), mimetype=item["content_type"], as_attachment=True,
                         download_name=item["filename"], etag=False, conditional=False)
    response.headers["Cache-Control"] = "private, no-store"
    # send_file adds "; charset=utf-8" to any text/ type, even one whose stored type names its own charset.
    response.headers["Content-Type"] = item["content_type"]
    return response

