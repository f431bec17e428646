"""A return put together: its frameworks, answers, actions and evidence, the task list, and the signed form.

No Flask: the database, time and the acting person come in as arguments.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

from sqlite_utils import Database

from compliance import store
from compliance.core.accreditation_schemes import Schemes
from compliance.core.audit_events import requirement_label
from compliance.core.frameworks import Framework
from compliance.core.returns import (  # noqa: F401  (re-exported)
    EMPTY_ANSWER,
    ReturnContext,
    ReturnRow,
    canonical_json,
    changes_nothing,
    digest,
    signed_document,
)
from compliance.core.text import london, long_date
from compliance.core.verification import AuditSummary, QueryLine, build_summary
from compliance.services import accreditations, catalogue, mail, notifications
from compliance.services.notifications import Notify
from compliance.store import Actor


def cycle_frameworks(db: Database, cycle_id: int) -> tuple[Framework, ...]:
    """The framework versions a cycle opened with: old cycles keep theirs."""
    return _frameworks(db, store.cycle_framework_rows(db, cycle_id))


def _frameworks(db: Database, found: list[dict]) -> tuple[Framework, ...]:
    return tuple(catalogue.framework(db, row["key"], row["sha256"]) for row in found)


def load_return(db: Database, return_id: int) -> ReturnContext | None:
    return return_from(db, store.return_and_contents(db, return_id))  # one statement: see web.requests.read_return


def return_from(db: Database, found: tuple | None) -> ReturnContext | None:
    """The return as store.return_and_contents (or store.person_and_return) read it; None for no such return."""
    if found is None:
        return None
    ret, framework_rows, answers, actions, evidence, library_items = found
    return ReturnContext(ReturnRow.from_row(ret), _frameworks(db, framework_rows), answers, actions, evidence,
                         library_items)


def save_answer(db: Database, context: ReturnContext, framework: Framework, requirement_id: str, values: dict, *,
                revision: int, actor: Actor, now: datetime, via: str = "") -> tuple[bool, dict | None]:
    """Save an answer unless it would change nothing (the answer as loaded with the return is compared).

    (True, the answer as it now stands), or (False, the answer as someone else left it) when another save came
    in since `revision` was read: nothing is overwritten.
    """
    current = context.answers.get((framework.key, requirement_id))
    if changes_nothing(current, values):
        return True, current
    return store.save_answer(db, context.ret.id, framework.key, requirement_id, values, revision=revision,
                             actor=actor, now=now, via=via, known=current)


def open_cycle(db: Database, cycle_id: int, *, actor: Actor, now: datetime) -> int:
    """One return for each active organisation that has at least one requirement to answer."""
    frameworks = cycle_frameworks(db, cycle_id)
    taking_part = [o for o in store.organisations(db, active=True)
                   if any(f.requirements_for(o["sector"]) for f in frameworks)]
    return store.open_cycle(db, cycle_id, taking_part, actor=actor, now=now)


def previous_return(db: Database, context: ReturnContext) -> dict | None:
    """The same organisation's return in the cycle before, if it has one."""
    before = store.previous_cycle(db, context.ret.cycle_id)
    if before is None:
        return None
    return next((r for r in store.returns_for_cycle(db, before["id"])
                 if r["organisation_id"] == context.ret.organisation_id), None)


def last_years_answers(db: Database, context: ReturnContext) -> dict[tuple[str, str], dict]:
    """Last year's signed answers, keyed by (framework id, requirement id): a framework's newer version keeps its
    requirement ids, so last year's answer is found beside this year's whatever version each cycle used."""
    previous = previous_return(db, context)
    if previous is None:
        return {}
    version, answers = standing_answers(db, previous["id"])
    if version is None:
        return {}
    return {(key.split("@")[0], requirement_id): {**answer, "cycle_name": previous["cycle_name"],
                                                  "version": version["version"]}
            for (key, requirement_id), answer in answers.items()}


def confirm_carried_forward(db: Database, context: ReturnContext, keys: list[tuple[str, str]], *, actor: Actor,
                            now: datetime) -> int:
    """Confirm, in one go, the carried-forward answers chosen (by framework key and requirement id); how many."""
    confirmed = 0
    with db.atomic():
        for key in keys:
            answer = context.answers.get(key)
            if answer and answer.get("carried_forward"):
                store.confirm_answer(db, answer["id"], actor=actor, now=now)
                confirmed += 1
    return confirmed


def start_from_last_year(db: Database, context: ReturnContext, *, today: date, actor: Actor, now: datetime) -> int:
    """Copy last year's answers into an untouched return; returns how many answers were copied."""
    previous = previous_return(db, context)
    if previous is None or context.ret.status != "not-started" or context.answers:
        return 0
    keys = {f.id: f.key for f in context.frameworks}
    return store.copy_previous_answers(db, context.ret.id, previous["id"], keys, today=today.isoformat(),
                                       actor=actor, now=now)


def submit(db: Database, context: ReturnContext, *, partnership: str, signatory_name: str, job_title: str,
           actor: Actor, now: datetime, notify: Notify | None = None, schemes: Schemes | None = None
           ) -> tuple[int, str]:
    """Freeze the return as signed, with the organisation's accreditations as they stand (named as the schemes
    list names them); returns (version, SHA-256 of its canonical form).

    With notify, the coordinators are emailed that it is waiting for their review (the demo, which loads a
    year that has already happened, tells nobody).
    """
    document = signed_document(context, partnership=partnership, signatory_name=signatory_name, job_title=job_title,
                               submitted_at=now.isoformat(timespec="seconds"), submitted_by=actor.label)
    document["accreditations"] = accreditations.held_at_signing(db, context.ret.organisation_id,
                                                                london(now).date(), schemes)
    text = canonical_json(document)
    sha = digest(text)
    with db.atomic():
        version = store.submit_version(db, context.ret.id, canonical=text, sha256=sha,
                                       signatory_name=signatory_name, signatory_job_title=job_title, actor=actor,
                                       now=now)
        queued = notifications.queue_submitted(db, context.ret, version=version, signatory_name=signatory_name,
                                               job_title=job_title, actor=actor, now=now,
                                               notify=notify) if notify else []
    if notify:
        mail.deliver(db, notify.settings, queued, now=now)
    return version, sha


def accept(db: Database, context: ReturnContext, *, comment: str, actor: Actor, now: datetime,
           notify: Notify | None = None) -> None:
    """Accept the submitted version, with an optional comment the organisation sees; tell its people."""
    with db.atomic():
        store.accept_return(db, context.ret.id, comment=comment, actor=actor, now=now)
        queued = notifications.queue_decision(db, context.ret, decision="accepted", version=context.ret.version,
                                              comment=comment, requests=[], actor=actor, now=now,
                                              notify=notify) if notify else []
    if notify:
        mail.deliver(db, notify.settings, queued, now=now)


def return_for_amendment(db: Database, context: ReturnContext, *, comment: str, requests: list[dict], actor: Actor,
                         now: datetime, notify: Notify | None = None) -> None:
    """Send the submitted version back, with what needs to change overall and requirement by requirement
    (requests: {framework_key, requirement_id, comment}); tell the organisation's editors and signatories."""
    labels = {(f.key, r.id): f"{f.short_title or f.title}, {requirement_name(r)}" for f, r in context.requirements()}
    with db.atomic():
        named = [{**item, "label": labels.get((item["framework_key"], item["requirement_id"]))} for item in requests]
        store.return_for_amendment(db, context.ret.id, comment, requests=named, actor=actor, now=now)
        queued = notifications.queue_decision(
            db, context.ret, decision="returned", version=context.ret.version, comment=comment,
            requests=[{"label": labels.get((item["framework_key"], item["requirement_id"]), item["requirement_id"]),
                       "comment": item["comment"]} for item in requests],
            actor=actor, now=now, notify=notify) if notify else []
    if notify:
        mail.deliver(db, notify.settings, queued, now=now)


def open_amendment_requests(db: Database, context: ReturnContext) -> dict[tuple[str, str], dict]:
    """While a return is back for amendment: what the coordinator asked to change, by requirement."""
    if context.ret.status != "returned":
        return {}
    return store.amendment_requests(db, context.ret.id, context.ret.version - 1)


def _then_and_now(db: Database, context: ReturnContext) -> tuple[dict, dict] | None:
    """The answers of the version signed before this one and as they are now, each keyed by (framework key,
    requirement id) in the signed document's form; None when no earlier version was signed."""
    earlier = store.return_version(db, context.ret.id, context.ret.version - 1) if context.ret.version > 1 else None
    if earlier is None:
        return None
    now_document = signed_document(context, partnership="", signatory_name="", job_title="", submitted_at="",
                                   submitted_by="")
    return ({(a["framework"], a["requirement"]): a for a in json.loads(earlier["canonical"])["answers"]},
            {(a["framework"], a["requirement"]): a for a in now_document["answers"]})


def changes_since_signed(db: Database, context: ReturnContext) -> tuple[int | None, list[dict]]:
    """While an amended return is open again: (the version signed before, each requirement whose answer differs
    from it, old beside new as {name, before, after}); (None, []) when no earlier version was signed."""
    answers = _then_and_now(db, context) if context.editable else None
    if answers is None:
        return None, []
    before, current = answers
    changed = [{"name": requirement_name(r), "before": before.get((f.key, r.id)) or {},
                "after": current[(f.key, r.id)]}
               for f, r in context.requirements() if before.get((f.key, r.id)) != current.get((f.key, r.id))]
    return context.ret.version - 1, changed


def asked_to_change(db: Database, context: ReturnContext) -> list[dict]:
    """While a return is back for amendment: each requirement the coordinator named, in the return's order, with
    the comment and whether its answer has changed since the returned version ({name, comment, changed, ...})."""
    requests = open_amendment_requests(db, context)
    answers = _then_and_now(db, context) if requests else None
    if answers is None:
        return []
    before, current = answers
    return [{"name": requirement_name(r), "comment": requests[(f.key, r.id)]["comment"], "framework": f,
             "requirement": r, "changed": before.get((f.key, r.id)) != current.get((f.key, r.id))}
            for f, r in context.requirements() if (f.key, r.id) in requests]


def requests_still_unchanged(db: Database, context: ReturnContext) -> list[dict]:
    """The requirements the coordinator asked to change whose answer (rating, explanation, reason, evidence and
    actions) is still exactly as in the version that was returned: {name, comment} each, in the return's order."""
    return [item for item in asked_to_change(db, context) if not item["changed"]]


def requirement_name(requirement) -> str:
    """"Requirement 3: Routine enquiry", or the requirement's own reference when it is not a number."""
    ref = f"requirement {requirement.ref}" if requirement.ref.isdigit() else requirement.ref
    title = f": {requirement.title}" if requirement.title and requirement.title != requirement.ref else ""
    return f"{ref[0].upper()}{ref[1:]}{title}"


def ready_to_sign(db: Database, context: ReturnContext, *, actor: Actor, now: datetime,
                  notify: Notify) -> list[dict]:
    """Tell the organisation's signatories the return is ready to sign; the people told (none: no signatory)."""
    with db.atomic():
        queued, told = notifications.queue_ready_to_sign(db, context.ret, actor=actor, now=now, notify=notify)
    mail.deliver(db, notify.settings, queued, now=now)
    return told


def standing_answers(db: Database, return_id: int) -> tuple[dict | None, dict]:
    """The signed version that stands (submitted or accepted) and its answers keyed by (framework key, id)."""
    version = store.standing_version(db, return_id)
    if version is None:
        return None, {}
    document = json.loads(version["canonical"])
    return version, {(a["framework"], a["requirement"]): a for a in document["answers"]}


def audit_summary(db: Database, context: ReturnContext) -> AuditSummary:
    """What the auditors found of the signed version that stands: checks, outcomes, disagreements, comments."""
    version, answers = standing_answers(db, context.ret.id)
    found = build_summary(organisation=context.ret.organisation_name, cycle=context.ret.cycle_name,
                          version=version["version"] if version else None, frameworks=context.frameworks,
                          sector=context.ret.sector, answers=answers,
                          verifications=store.verifications_for_return(db, context.ret.id))
    labels = {(f.key, r.id): requirement_label(f, r) for f in context.frameworks for r in f.requirements}
    return replace(found, queries=tuple(
        QueryLine(labels.get((q["framework_key"], q["requirement_id"]), q["requirement_id"]),
                  "Resolved" if q["status"] == "resolved" else "Open",
                  f"{q['raised_by_name']} on {long_date(london(q['raised_at']))}", q["replies"], q["closing_note"])
        for q in store.queries_for_return(db, context.ret.id)))
