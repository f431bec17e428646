"""Assigning a return's requirements to the organisation's editors, and telling the person assigned.

The change, its audit entry and the email to the person assigned are written in one transaction; the email is
sent after the commit. One email per assignment, listing every requirement it gave them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from compliance import store
from compliance.core.assignments import Key, assignee_problem
from compliance.core.returns import ReturnContext
from compliance.services import mail
from compliance.services.notifications import Notify, person_name
from compliance.services.returns import requirement_name


@dataclass(frozen=True)
class Outcome:
    """What an assignment did: a problem (nothing changed), or the requirements it changed and who was emailed."""

    problem: str | None = None
    changed: list[Key] = field(default_factory=list)
    assignee: dict | None = None
    emailed: bool = False


def editors(db: Database, organisation_id: int) -> list[dict]:
    """The organisation's active editors, by name: the people its requirements can be assigned to."""
    return [person for person in store.users(db, organisation_id=organisation_id)
            if person["role"] == "editor" and person["active"]]


def assign(db: Database, context: ReturnContext, keys: list[Key], person_id: int | None, *, actor: store.Actor,
           now: datetime, notify: Notify | None) -> Outcome:
    """Assign these requirements of an editable return to one active editor of its organisation, or to nobody."""
    ret = context.ret
    person = store.user_by_id(db, person_id) if person_id is not None else None
    if person_id is not None:
        problem = assignee_problem(person, organisation_id=ret.organisation_id, organisation_name=ret.organisation_name)
        if problem:
            return Outcome(problem=problem)
    names = {(f.key, r.id): f"{f.short_title or f.title}, {requirement_name(r)}" for f, r in context.requirements()}
    queued: list[int] = []
    with db.atomic():
        changed = store.assign_requirements(db, ret.id, keys, person_id, labels=names,
                                            assignee=person["name"] if person else "",
                                            organisation_id=ret.organisation_id, actor=actor, now=now)
        if person and changed and notify and person["id"] != actor.id:
            message = mail.compose(
                "assigned.txt", to=person["email"], settings=notify.settings, person=person, ret=ret,
                subject=f"You have been assigned {'a requirement' if len(changed) == 1 else 'requirements'} of "
                        f"{ret.organisation_name}'s return for {ret.cycle_name}",
                requirements=[names[key] for key in changed], by=person_name(db, actor),
                link=notify.link("returns.overview", return_id=ret.id, assigned="me"))
            queued = mail.queue(db, [message], now=now)
            store.record(db, actor, action="notification-sent", object_type="return", object_id=ret.id,
                         organisation_id=ret.organisation_id, new={"about": "assigned", "recipients": [message.to]},
                         now=now)
    if queued and notify:
        mail.deliver(db, notify.settings, queued, now=now)
    return Outcome(changed=changed, assignee=person, emailed=bool(queued))


def assignments(db: Database, return_id: int) -> dict[Key, dict]:
    """Who each assigned requirement of a return is assigned to (a person who is no longer active included)."""
    return store.assignments_for_return(db, return_id)
