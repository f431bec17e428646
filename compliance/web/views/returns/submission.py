"""Check answers, sign and submit, the confirmation, signed versions, and the coordinator's accept or return."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from contextlib import contextmanager

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from compliance import store
from compliance.core import limits
from compliance.core.limits import too_long
from compliance.core.mappings import cross_reference
from compliance.core.returns import RETURN_STATUSES, action_overdue, canonical_json, digest, reference
from compliance.core.scoring import overall
from compliance.core.text import plural, slug
from compliance.core.verification import EXPIRY_WARNING, outcomes_of
from compliance.services import accreditations
from compliance.services import returns as return_service
from compliance.services.returns import ReturnContext
from compliance.web.access import requires, signed_in
from compliance.web.forms import ConfirmForm
from compliance.web.forms.submission import AcceptForm, AmendForm, CheckFileForm, SignForm
from compliance.web.requests import NO_LINKS, accreditation_schemes, actor, get_db, notifier, now, today
from compliance.web.responses import attachment
from compliance.web.views.returns import bp, frozen_page, own_return, visible_return

# A rating's tag colour; its text always says the rating too.
RAG_TAGS = {"green": "govuk-tag--green", "amber": "govuk-tag--yellow", "red": "govuk-tag--red",
            "grey": "govuk-tag--grey"}
MAX_SIGNED_DOCUMENT = 5 * 1024 * 1024  # a signed document is JSON text: a few hundred kilobytes at most
CHANGED = ("The answers or accreditations changed while you were reading them. Check them again, then confirm the "
           "declaration")


@bp.get("/returns/<int:return_id>/check")
@signed_in
def check(return_id: int):
    context = visible_return(return_id)
    database = get_db()
    versions = store.return_versions(database, return_id)
    signatories = [person for person in store.users(database, organisation_id=context.ret.organisation_id)
                   if person["role"] == "signatory" and person["active"]]
    problems = context.problems()
    return render_template("returns/check.html", context=context, groups=answer_groups(context), problems=problems,
                           today_iso=today().isoformat(),
                           unchanged=return_service.requests_still_unchanged(database, context),
                           asked=[{**item, "href": url_for(".answer", return_id=return_id,
                                                           framework_id=item["framework"].id,
                                                           requirement_id=item["requirement"].id)}
                                  for item in return_service.asked_to_change(database, context)],
                           problem_groups=grouped_problems(problems), versions=versions, signatories=signatories,
                           own=current_user.organisation_id == context.ret.organisation_id,
                           can_change=current_user.can("edit_return") and context.editable,
                           returned=versions[0] if versions and context.ret.status == "returned" else None)


@bp.route("/returns/<int:return_id>/sign", methods=["GET", "POST"])
@requires("sign_return")
def sign(return_id: int):
    context = own_return(return_id)
    if not context.editable:
        return frozen_page(context)
    if context.problems():
        flash("This return is not ready to sign yet: the list below says what is still missing", "important")
        return redirect(url_for(".check", return_id=return_id))
    database = get_db()
    person = store.user_by_id(database, current_user.id) or {}
    form = SignForm(data={"name": current_user.name, "job_title": person.get("job_title") or "",
                          "seen": fingerprint(context)})
    if form.validate_on_submit() and _unchanged(form, context):
        try:
            return_service.submit(database, context, partnership=current_app.config["PARTNERSHIP_NAME"],
                                  signatory_name=form.name.data, job_title=form.job_title.data, actor=actor(),
                                  now=now(), notify=notifier(), schemes=accreditation_schemes())
        except sqlite3.IntegrityError:  # someone else submitted it a moment ago
            return frozen_page(own_return(return_id))
        return redirect(url_for(".submitted", return_id=return_id))
    return render_template("returns/sign.html", form=form, context=context, summary=rating_summary(context),
                           accreditations=accreditations.listed(database, context.ret.organisation_id,
                                                                accreditation_schemes(), today=today()),
                           unchanged=return_service.requests_still_unchanged(database, context),
                           groups=answer_groups(context), today_iso=today().isoformat())


@bp.get("/returns/<int:return_id>/submitted")
@signed_in
def submitted(return_id: int):
    context = visible_return(return_id)
    versions = store.return_versions(get_db(), return_id)
    if not versions or not context.signed:
        return redirect(url_for(".check", return_id=return_id))  # nothing signed now: the answers are open
    latest = versions[0]
    return render_template("returns/submitted.html", context=context, latest=latest,
                           reference=reference(context.ret.cycle_name, return_id, latest["version"],
                                               latest["sha256"]))


@bp.get("/returns/<int:return_id>/versions/<int:version>")
@signed_in
def version(return_id: int, version: int):
    context = visible_return(return_id)
    found = store.return_version(get_db(), return_id, version) or abort(404)
    try:
        document = json.loads(found["canonical"])
    except ValueError:
        document = None
    intact = document is not None and digest(found["canonical"]) == found["sha256"]
    checks = {key: check for key, check in store.verifications_for_return(get_db(), return_id).items()
              if check["version"] == version}
    outcomes = outcomes_of(context.frameworks, (document or {}).get("answers", []), checks)
    return render_template("returns/version.html", context=context, found=found, document=document, intact=intact,
                           outcomes=outcomes, today_iso=today().isoformat(),
                           soon_iso=(today() + EXPIRY_WARNING).isoformat(),
                           groups=signed_groups(document) if document else [], rags=rating_colours(context),
                           reference=reference(context.ret.cycle_name, return_id, version, found["sha256"]))


def signed_document_name(context: ReturnContext, version: int) -> str:
    return f"{slug(context.ret.organisation_name)}-{slug(context.ret.cycle_name)}-version-{version}-signed.json"


@bp.get("/returns/<int:return_id>/changes")
@signed_in
def changes(return_id: int):
    """An amended return: what changed since the version signed before, old beside new, before signing again."""
    context = visible_return(return_id)
    earlier, changed = return_service.changes_since_signed(get_db(), context)
    if earlier is None:
        return redirect(url_for(".check", return_id=return_id))
    return render_template("returns/changes.html", context=context, earlier=earlier, changed=changed)


@bp.get("/returns/<int:return_id>/versions/<int:version>/signed.json")
@signed_in
def signed_json(return_id: int, version: int):
    """The signed document exactly as its fingerprint was taken: `sha256sum` on the file gives the printed value."""
    context = visible_return(return_id)
    found = store.return_version(get_db(), return_id, version) or abort(404)
    return attachment(found["canonical"].encode("utf-8"), mimetype="application/json",
                      filename=signed_document_name(context, version))


@bp.route("/check-a-statement", methods=["GET", "POST"])
@signed_in
def check_statement():
    """Anyone signed in may check a signed document file against the signed versions: which one it is, if any."""
    form = CheckFileForm()
    outcome = None
    if form.validate_on_submit():
        data = form.file.data.read(MAX_SIGNED_DOCUMENT + 1)
        if len(data) > MAX_SIGNED_DOCUMENT:
            form.file.errors.append("The selected file is too big to be a signed document: choose the JSON file "
                                    "downloaded from a signed version's page")
        elif data.startswith(b"%PDF"):
            form.file.errors.append("The selected file is the printable statement (a PDF), which cannot be checked "
                                    "this way: choose the signed document (a JSON file) from the signed version's "
                                    "page. The statement prints its fingerprint, which the signed document matches")
        else:
            sha = hashlib.sha256(data).hexdigest()
            found = store.version_by_sha256(get_db(), sha)
            visible = found is not None and (current_user.can("view_partnership")
                                             or current_user.organisation_id == found["organisation_id"])
            outcome = {"sha256": sha, "found": found if visible else None, "hidden": found is not None and not visible,
                       "filename": form.file.data.filename or "the file"}
    return render_template("returns/check_statement.html", form=form, outcome=outcome)


@bp.route("/returns/<int:return_id>/return-for-amendment", methods=["GET", "POST"])
@requires("manage_partnership")
def amend(return_id: int):
    context = visible_return(return_id)
    refusal = _not_submitted(context, "returned for amendment", needs_open=True)
    if refusal:
        return refusal
    form = AmendForm()
    items = [{"framework": f, "requirement": r, "value": f"{f.id}/{r.id}", "slug": f"{f.id}-{r.id}",
              "name": return_service.requirement_name(r)} for f, r in context.requirements()]
    chosen = set(request.form.getlist("requirements")) if form.is_submitted() else set()
    typed = {item["value"]: (request.form.get(f"comment-{item['value']}") or "").strip() for item in items}
    problems: dict[str, str] = {}
    if form.is_submitted():
        valid = form.validate()
        for item in items:
            said = typed[item["value"]]
            if item["value"] in chosen and not said:
                problems[item["value"]] = f"Say what needs to change in {item['name'].split(':')[0].lower()}"
            elif item["value"] in chosen and len(said) > limits.COMMENT:
                problems[item["value"]] = too_long("The comment", limits.COMMENT)
        if valid and not chosen and not form.comment.data:
            form.comment.errors.append("Say what needs to change overall, or choose the requirements that need to "
                                       "change and say what for each")
        if valid and not problems and not form.comment.errors:
            requests = [{"framework_key": item["framework"].key, "requirement_id": item["requirement"].id,
                         "comment": typed[item["value"]]} for item in items if item["value"] in chosen]
            with _decided_elsewhere(return_id):
                return_service.return_for_amendment(get_db(), context, comment=form.comment.data or "",
                                                    requests=requests, actor=actor(), now=now(), notify=notifier())
                flash(f"Returned to {context.ret.organisation_name} for amendment"
                      + (f", naming {plural(len(requests), 'requirement')}" if requests else "")
                      + ". Its editors and signatories have been emailed")
            return redirect(url_for(".overview", return_id=return_id))
    latest = store.return_versions(get_db(), return_id)[0]
    _version, signed = return_service.standing_answers(get_db(), return_id)
    more_errors = [{"text": problems[item["value"]], "href": f"#comment-{item['slug']}"}
                   for item in items if item["value"] in problems]
    return render_template("returns/amend.html", form=form, context=context, latest=latest, items=items,
                           chosen=chosen, typed=typed, problems=problems, more_errors=more_errors,
                           signed=signed, has_editor=any(p["role"] == "editor" and p["active"] for p in store.users(
                               get_db(), organisation_id=context.ret.organisation_id)))


@bp.route("/returns/<int:return_id>/accept", methods=["GET", "POST"])
@requires("manage_partnership")
def accept(return_id: int):
    context = visible_return(return_id)
    refusal = _not_submitted(context, "accepted")
    if refusal:
        return refusal
    form = AcceptForm()
    if form.validate_on_submit():
        with _decided_elsewhere(return_id):
            return_service.accept(get_db(), context, comment=form.comment.data or "", actor=actor(), now=now(),
                                  notify=notifier())
            flash(f"Accepted {context.ret.organisation_name}'s return for {context.ret.cycle_name}. Its editors "
                  "and signatories have been emailed")
        return redirect(url_for(".overview", return_id=return_id))
    return render_template("returns/accept.html", form=form, context=context,
                           latest=store.return_versions(get_db(), return_id)[0])


@bp.post("/returns/<int:return_id>/ready-to-sign")
@requires("edit_return")
def ready_to_sign(return_id: int):
    context = own_return(return_id)
    if not context.editable:
        return frozen_page(context)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if context.problems():
        flash("This return is not ready to sign yet: the list below says what is still missing", "important")
        return redirect(url_for(".check", return_id=return_id))
    notify = notifier()
    if notify is None:
        flash(f"Nobody was emailed. {NO_LINKS}", "important")
        return redirect(url_for(".check", return_id=return_id))
    told = return_service.ready_to_sign(get_db(), context, actor=actor(), now=now(), notify=notify)
    if told:
        flash(f"We have emailed {_names(told)} to say the return is ready to sign")
    else:
        flash(f"{context.ret.organisation_name} has no signatory to tell. Ask your partnership coordinator to "
              "invite one", "important")
    return redirect(url_for(".check", return_id=return_id))


def _names(people: list[dict]) -> str:
    names = [person["name"] for person in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _not_submitted(context: ReturnContext, verb: str, *, needs_open: bool = False):
    """A redirect to the overview saying why, when the return is not waiting for the coordinator's decision."""
    ret = context.ret
    if ret.withdrawn_at:
        message = (f"{ret.organisation_name}'s return was withdrawn when the organisation was archived: it can no "
                   f"longer be {verb}")
    elif ret.status != "submitted":
        message = (f"{ret.organisation_name}'s return is {RETURN_STATUSES[ret.status].lower()}: "
                   f"only a submitted return can be {verb}")
    elif needs_open and ret.cycle_status != "open":
        message = f"The {ret.cycle_name} cycle is closed, so its returns can no longer be {verb}"
    else:
        return None
    flash(message, "important")
    return redirect(url_for(".overview", return_id=ret.id))


@contextmanager
def _decided_elsewhere(return_id: int):
    """Two coordinators deciding at once: the database keeps the first decision; the second is told so."""
    try:
        yield
    except sqlite3.IntegrityError:
        flash("Someone else decided on this return a moment ago. Nothing was changed: check its status below",
              "important")


def _unchanged(form: SignForm, context: ReturnContext) -> bool:
    """False, with an error on the declaration, when the answers changed after the signatory opened the page."""
    current = fingerprint(context)
    if form.seen.data == current:
        return True
    form.seen.data, form.confirm.data = current, False
    form.confirm.errors = [*form.confirm.errors, CHANGED]
    return False


# Building blocks for the templates ------------------------------------------------------------------


def fingerprint(context: ReturnContext) -> str:
    """A SHA-256 of what would be signed now (the accreditations with it), leaving out who signs and when."""
    document = return_service.signed_document(context, partnership="", signatory_name="", job_title="",
                                              submitted_at="", submitted_by="")
    held = accreditations.held_at_signing(get_db(), context.ret.organisation_id, today(), accreditation_schemes())
    return digest(canonical_json({**{key: document[key] for key in ("version", "frameworks", "answers")},
                                  "accreditations": held}))


def answer_groups(context: ReturnContext) -> list[dict]:
    """Per framework, each requirement with its answer, rating level, improvement actions and evidence items."""
    groups = []
    for framework in context.frameworks:
        items = []
        for requirement in framework.requirements_for(context.ret.sector):
            key, found = context.answered_by(framework, requirement)  # its own, or the one it is answered through
            answer = found or {}
            source = context.source(framework, requirement)
            items.append({"requirement": requirement, "answer": answer,
                          "level": framework.level_or_none(answer.get("rating")),
                          "actions": context.actions.get(key, []),
                          "evidence": context.evidence.get(key, []),
                          "through": source and {"name": cross_reference(*source),
                                                 "href": url_for(".answer", return_id=context.ret.id,
                                                                 framework_id=source[0].id,
                                                                 requirement_id=source[1].id)}})
        if items:
            groups.append({"framework": framework, "items": items})
    return groups


def grouped_problems(problems: list) -> list[dict]:
    """Problems per framework, in the return's order."""
    groups: dict[str, dict] = {}
    for problem in problems:
        groups.setdefault(problem.framework.key, {"framework": problem.framework, "problems": []})
        groups[problem.framework.key]["problems"].append(problem)
    return list(groups.values())


def rating_summary(context: ReturnContext) -> list[dict]:
    """Per framework: how many requirements, and how many at each level of its scale."""
    summary = []
    day = today()
    for group in answer_groups(context):
        counts = Counter(item["level"].code for item in group["items"] if item["level"])
        answers = {item["requirement"].id: item["level"].code for item in group["items"] if item["level"]}
        late = sum(action_overdue(action, day) for item in group["items"] for action in item["actions"])
        summary.append({"framework": group["framework"], "total": len(group["items"]),
                        "levels": [(level, counts[level.code]) for level in group["framework"].scale],
                        "overall": overall(group["framework"], answers, sector=context.ret.sector).label,
                        "overdue": late})
    return summary


def signed_groups(document: dict) -> list[dict]:
    """A signed document's answers per framework, in the order it was signed; frameworks with none left out."""
    groups = [{"framework": framework,
               "answers": [a for a in document["answers"] if a["framework"] == framework["key"]]}
              for framework in document["frameworks"]]
    return [group for group in groups if group["answers"]]


def rating_colours(context: ReturnContext) -> dict:
    """Tag colour of each (framework key, rating code): presentation only, the label comes from the document."""
    return {(f.key, level.code): RAG_TAGS[level.rag] for f in context.frameworks for level in f.scale}


def first_lines(text: str, *, lines: int = 3, limit: int = 300) -> str:
    """The start of a narrative for the check answers page, with an ellipsis when there is more."""
    whole = "\n".join((text or "").strip().splitlines())
    kept = "\n".join(whole.splitlines()[:lines])
    if len(kept) > limit:
        kept = kept[:limit].rsplit(" ", 1)[0]
    return kept if kept == whole else kept.rstrip() + " …"


@bp.context_processor
def submission_helpers() -> dict:
    return {"first_lines": first_lines, "RAG_TAGS": RAG_TAGS}
