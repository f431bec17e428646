"""Auditors' verification of each answer of a signed return, and the audit summary per organisation.

Auditors and the admin record a check per answer (verify_evidence); everyone who may see the return sees the
outcome and the summary. The answer itself is never changed: checks live in their own table.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSelect, GovSubmitInput
from wtforms import HiddenField, RadioField, SelectField, SubmitField, TextAreaField

from compliance import store
from compliance.core.text import slug
from compliance.core.verification import STATUS_HINTS, STATUS_TAGS, STATUSES, outcome
from compliance.render.audit_pdf import render_audit_summary_pdf
from compliance.services import returns as return_service
from compliance.services import verification as verifying
from compliance.services.returns import ReturnContext
from compliance.web.access import requires, signed_in
from compliance.web.forms import Form, choices, revision_number
from compliance.web.requests import actor, get_db, now
from compliance.web.responses import attachment
from compliance.web.views.returns import visible_return
from compliance.web.views.returns.answers import caption, evidence_helpers

bp = Blueprint("verification", __name__)


@bp.app_context_processor
def verification_helpers() -> dict:
    return {"VERIFICATION_TAGS": STATUS_TAGS}


class VerificationForm(Form):
    status = RadioField("Does the evidence verify the organisation's rating?", widget=GovRadioInput(),
                        validate_choice=False,
                        choices=choices((code, label) for code, label in STATUSES.items()))
    validated_rating = SelectField("Validated rating", widget=GovSelect(), validate_choice=False,
                                   description="The rating the evidence supports. For “Verified” it is the "
                                               "organisation's own rating; leave it empty for “Not checked”.")
    comment = TextAreaField("Comment", widget=GovCharacterCount(),
                            filters=[lambda v: v.replace("\r\n", "\n").strip() if isinstance(v, str) else v],
                            description="What you looked at and what it shows. Needed for “Partly verified” and "
                                        "“Not verified”. The organisation and the Executive Board will read it.")
    revision = HiddenField()
    submit = SubmitField("Save the check", widget=GovSubmitInput())


def _standing(context: ReturnContext) -> tuple[dict | None, dict]:
    return return_service.standing_answers(get_db(), context.ret.id)


def _rows(context: ReturnContext, answers: dict, checks: dict) -> list[dict]:
    """Per framework, each requirement of the signed version with its own rating and the auditor's check."""
    groups = []
    for framework in context.frameworks:
        items = []
        for requirement in framework.requirements_for(context.ret.sector):
            signed = answers.get((framework.key, requirement.id))
            if signed is None:
                continue
            found = checks.get((framework.key, requirement.id))
            items.append({"framework": framework, "requirement": requirement, "answer": signed,
                          "rating_label": signed.get("rating_label") or "Not answered",
                          "outcome": outcome(framework, signed.get("rating"), found)})
        if items:
            groups.append({"framework": framework, "items": items})
    return groups


@bp.get("/returns/<int:return_id>/verification")
@requires("verify_evidence")
def verification(return_id: int):
    context = visible_return(return_id)
    version, answers = _standing(context)
    checks = store.verifications_for_return(get_db(), return_id)
    summary = return_service.audit_summary(get_db(), context)
    return render_template("verification/return.html", context=context, version=version, summary=summary,
                           groups=_rows(context, answers, checks), open_queries=_open_queries(return_id))


def _open_queries(return_id: int) -> dict[tuple[str, str], int]:
    """How many queries are open on each requirement, keyed by (framework key, requirement id)."""
    counts: dict[tuple[str, str], int] = {}
    for query in store.queries_for_return(get_db(), return_id):
        if query["status"] == "open":
            key = (query["framework_key"], query["requirement_id"])
            counts[key] = counts.get(key, 0) + 1
    return counts


@bp.route("/returns/<int:return_id>/verification/<framework_id>/<requirement_id>", methods=["GET", "POST"])
@requires("verify_evidence")
def verify_answer(return_id: int, framework_id: str, requirement_id: str):
    context = visible_return(return_id)
    found = verifying.answer_to_check(get_db(), context, framework_id, requirement_id) or abort(404)
    heading = caption(found.framework, found.requirement)
    if found.signed is None:
        return render_template("verification/nothing.html", context=context, caption=heading,
                               requirement=found.requirement), 409
    form = _form(found.framework, found.current)
    conflict = None
    if form.is_submitted() and form.validate():
        result = verifying.save_check(get_db(), found, status=form.status.data or "",
                                         validated_rating=form.validated_rating.data or "",
                                         comment=form.comment.data or "", revision=revision_number(form.revision.data),
                                         actor=actor(), now=now())
        for name, message in result.errors.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        if result.saved:
            flash(f"Your check of {heading} has been saved: {STATUSES[result.standing['status']]}")
            return redirect(_next_page(context, found.answers, found.framework, found.requirement))
        if not result.errors:
            conflict = result.standing
            form.revision.data = str(conflict["revision"] if conflict else 0)
    own = found.signed.get("rating")
    return render_template(
        "verification/answer.html", context=context, framework=found.framework, requirement=found.requirement,
        form=form, caption=heading, signed=found.signed, version=found.version, evidence=found.evidence,
        current=outcome(found.framework, own, found.current), conflict=outcome(found.framework, own, conflict),
        hints=STATUS_HINTS, queries=[q for q in store.queries_for_return(get_db(), return_id)
                                     if (q["framework_key"], q["requirement_id"]) == (found.framework.key,
                                                                                      found.requirement.id)],
        **evidence_helpers()), 409 if conflict else 200


def _form(framework, current: dict | None) -> VerificationForm:
    """The form with the framework's scale, filled with the check as it stands when first shown."""
    form = VerificationForm()
    form.validated_rating.choices = choices([("", "Choose a rating")] +
                                            [(level.code, level.label) for level in framework.scale])
    if not form.is_submitted():
        form.status.data = current["status"] if current else None
        form.validated_rating.data = (current or {}).get("validated_rating") or ""
        form.comment.data = (current or {}).get("comment") or ""
        form.revision.data = str(current["revision"] if current else 0)
    return form


def _next_page(context: ReturnContext, answers: dict, framework, requirement) -> str:
    """The next requirement of the signed version to check, or the return's verification page after the last."""
    following = context.next_after(framework, requirement)
    while following is not None and (following[0].key, following[1].id) not in answers:
        following = context.next_after(*following)
    if following is None:
        return url_for(".verification", return_id=context.ret.id)
    return url_for(".verify_answer", return_id=context.ret.id, framework_id=following[0].id,
                   requirement_id=following[1].id)


@bp.get("/returns/<int:return_id>/audit-summary")
@signed_in
def summary(return_id: int):
    context = visible_return(return_id)
    found = return_service.audit_summary(get_db(), context)
    return render_template("verification/summary.html", context=context, summary=found)


@bp.get("/returns/<int:return_id>/audit-summary.pdf")
@signed_in
def summary_pdf(return_id: int):
    context = visible_return(return_id)
    found = return_service.audit_summary(get_db(), context)
    generated = datetime.now(timezone.utc)
    body = render_audit_summary_pdf(found, partnership=current_app.config["PARTNERSHIP_NAME"],
                                    generated=generated)
    name = f"audit-summary-{slug(found.cycle)}-{slug(found.organisation)}.pdf"
    return attachment(body, mimetype="application/pdf", filename=name)

