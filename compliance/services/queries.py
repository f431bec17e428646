"""Queries: an auditor's (or the coordinator's) question about one requirement of a signed return, the
organisation's replies (with files), and its resolution.

The signed version never changes: replies and files are kept with the query. Each change is audited and tells
whoever must act next by email, queued in the change's transaction and sent after it commits:
- raised, an auditor's reply, resolved: the organisation's active editors and signatories;
- the organisation's reply: whoever raised the query (the coordinators, if that person is no longer active).
"""
from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from compliance import store
from compliance.core.audit_events import requirement_label
from compliance.core.filetypes import Accepted
from compliance.core.frameworks import Framework, Requirement
from compliance.core.returns import ReturnContext
from compliance.services import mail
from compliance.services.evidence import OUT_OF_SPACE, OutOfStorage
from compliance.services.notifications import Notify, coordinators, organisation_people, person_name
from compliance.services.returns import load_return
from compliance.store import files

log = logging.getLogger(__name__)
OUT_OF_STORAGE = ("The service has run out of storage space, so your reply and its file were not saved. Try again "
                  "later, or send your reply without the file and tell the partnership coordinator")
ORGANISATION_ROLES = ("editor", "signatory")


def requirement_of(context: ReturnContext, query: dict) -> tuple[Framework, Requirement] | None:
    """The framework version and requirement a query is about, in the return's own frameworks."""
    for framework in context.frameworks:
        if framework.key == query["framework_key"]:
            found = next((r for r in framework.requirements if r.id == query["requirement_id"]), None)
            return (framework, found) if found else None
    return None


def _label(context: ReturnContext, query: dict) -> str:
    found = requirement_of(context, query)
    return requirement_label(*found) if found else query["requirement_id"]


def _tell(db: Database, context: ReturnContext, query: dict, people: list[dict], template: str, subject: str,
          about: str, *, actor: store.Actor, now: datetime, notify: Notify | None, **values) -> list[int]:
    if notify is None or not people:
        return []
    link = notify.link("queries.query", return_id=context.ret.id, query_id=query["id"])
    messages = [mail.compose(template, to=person["email"], subject=subject, settings=notify.settings, person=person,
                             ret=context.ret, link=link, requirement=_label(context, query),
                             by=person_name(db, actor), at=now, **values) for person in people]
    queued = mail.queue(db, messages, now=now)
    store.record(db, actor, action="notification-sent", object_type="return", object_id=context.ret.id,
                 organisation_id=context.ret.organisation_id,
                 new={"about": about, "recipients": [m.to for m in messages]}, now=now)
    return queued


def _send(db: Database, notify: Notify | None, queued: list[int], now: datetime) -> None:
    if notify and queued:
        mail.deliver(db, notify.settings, queued, now=now)


def raise_query(db: Database, context: ReturnContext, framework: Framework, requirement: Requirement, *,
                version: int, question: str, actor: store.Actor, now: datetime, notify: Notify | None) -> dict:
    """Record the question on the signed version that stands and tell the organisation's people; the query."""
    with db.atomic():
        query = store.raise_query(db, context.ret.id, framework.key, requirement.id, version=version,
                                  question=question, actor=actor, now=now)
        queued = _tell(db, context, query, organisation_people(db, context.ret.organisation_id, ORGANISATION_ROLES),
                       "query_raised.txt", f"A question about your return for {context.ret.cycle_name}",
                       "query raised", actor=actor, now=now, notify=notify, question=question)
    _send(db, notify, queued, now)
    return query


def reply(db: Database, evidence_dir: str | Path, context: ReturnContext, query: dict, *, body: str,
          upload: tuple[Accepted, bytes] | None, from_organisation: bool, actor: store.Actor, now: datetime,
          notify: Notify | None) -> bool:
    """Add a reply (with a checked file, stored first under its SHA-256); False when the query is resolved.

    OutOfStorage when the evidence folder is full: nothing is saved, and the refusal is in the audit trail.
    """
    file = None
    if upload is not None:
        accepted, data = upload
        _store(db, evidence_dir, context, accepted, data, actor=actor, now=now)
        file = {"filename": accepted.filename, "content_type": accepted.content_type, "size": accepted.size,
                "sha256": accepted.sha256}
    with db.atomic():
        current = store.query_by_id(db, query["id"])
        if current is None or current["status"] != "open":
            return False
        store.add_query_message(db, current, body=body, file=file, actor=actor, now=now)
        if from_organisation:
            raiser = store.user_by_id(db, current["raised_by"])
            people = [raiser] if raiser and raiser["active"] else coordinators(db)
        else:
            people = organisation_people(db, context.ret.organisation_id, ORGANISATION_ROLES)
        queued = _tell(db, context, current, people, "query_replied.txt",
                       f"A reply about {context.ret.organisation_name}'s return for {context.ret.cycle_name}",
                       "query reply", actor=actor, now=now, notify=notify, reply=body,
                       filename=file["filename"] if file else "")
    _send(db, notify, queued, now)
    return True


def _store(db: Database, evidence_dir: str | Path, context: ReturnContext, accepted: Accepted, data: bytes, *,
           actor: store.Actor, now: datetime) -> None:
    try:
        files.store_file(evidence_dir, data, accepted.sha256)
    except OSError as error:
        if error.errno not in OUT_OF_SPACE:
            raise
        log.error("the evidence folder %s is full: a query reply's file of %s bytes was refused", evidence_dir,
                  accepted.size)
        with db.atomic():
            store.record(db, actor, action="upload-refused-storage-full", object_type="return",
                         object_id=context.ret.id, organisation_id=context.ret.organisation_id,
                         new={"file": accepted.filename, "size": accepted.size}, now=now)
        raise OutOfStorage(OUT_OF_STORAGE) from error


def resolve(db: Database, context: ReturnContext, query: dict, *, note: str, actor: store.Actor, now: datetime,
            notify: Notify | None) -> bool:
    """Resolve an open query with an optional closing note and tell the organisation; False if already resolved."""
    with db.atomic():
        if not store.resolve_query(db, query, note=note, actor=actor, now=now):
            return False
        queued = _tell(db, context, query, organisation_people(db, context.ret.organisation_id, ORGANISATION_ROLES),
                       "query_resolved.txt", f"A question about your return for {context.ret.cycle_name} is resolved",
                       "query resolved", actor=actor, now=now, notify=notify, note=note)
    _send(db, notify, queued, now)
    return True


def open_queries(db: Database, *, organisation_id: int | None = None, context: ReturnContext | None = None,
                 everywhere: bool = False) -> list[dict]:
    """Open queries of an organisation (across its returns), of one return, or (everywhere) of the whole
    partnership, each with its requirement_label."""
    if context is not None:
        found = [q for q in store.queries_for_return(db, context.ret.id) if q["status"] == "open"]
    elif everywhere:
        found = store.open_queries_everywhere(db)
    else:
        found = store.open_queries_for_organisation(db, organisation_id) if organisation_id else []
    contexts: dict[int, ReturnContext | None] = {context.ret.id: context} if context else {}
    labelled = []
    for query in found:
        if query["return_id"] not in contexts:
            contexts[query["return_id"]] = load_return(db, query["return_id"])
        own = contexts[query["return_id"]]
        labelled.append({**query, "requirement_label": _label(own, query) if own else query["requirement_id"]})
    return labelled
