"""Who is told what as a return moves: each message composed from a template, queued in the outbox inside the
transaction of the change it is about, and audited; the caller delivers the queue after the commit.

- submitted: every active partnership admin (the coordinators), to review it;
- accepted or returned for amendment: the organisation's active editors and signatories, saying who did it,
  when, and for an amendment what needs to change, requirement by requirement;
- ready to sign: the organisation's active signatories, when an editor says the answers are ready.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from compliance import store
from compliance.core.returns import ReturnRow
from compliance.services import mail


@dataclass(frozen=True)
class Notify:
    """What sending needs: the settings (mail server, names) and how to build a link to a page (by endpoint)."""

    settings: Mapping
    link: Callable[..., str]


def _active(db: Database, **filters) -> list[dict]:
    return [person for person in store.users(db, **filters) if person["active"]]


def coordinators(db: Database) -> list[dict]:
    return [person for person in _active(db) if person["role"] == "admin"]


def organisation_people(db: Database, organisation_id: int, roles: tuple[str, ...]) -> list[dict]:
    return [person for person in _active(db, organisation_id=organisation_id) if person["role"] in roles]


def person_name(db: Database, actor: store.Actor) -> str:
    """The acting person as others read them: their name and email, or the label the actor has."""
    person = store.user_by_id(db, actor.id) if actor.id else None
    return f"{person['name']} ({person['email']})" if person else actor.label


def _queue(db: Database, ret: ReturnRow, people: list[dict], template: str, subject: str, about: str, *,
           actor: store.Actor, now: datetime, notify: Notify, endpoint: str, **context) -> list[int]:
    if not people:
        return []
    link = notify.link(endpoint, return_id=ret.id)
    messages = [mail.compose(template, to=person["email"], subject=subject, settings=notify.settings, person=person,
                             ret=ret, link=link, **context) for person in people]
    queued = mail.queue(db, messages, now=now)
    store.record(db, actor, action="notification-sent", object_type="return", object_id=ret.id,
                 organisation_id=ret.organisation_id, new={"about": about, "recipients": [m.to for m in messages]},
                 now=now)
    return queued


def queue_submitted(db: Database, ret: ReturnRow, *, version: int, signatory_name: str, job_title: str,
                    actor: store.Actor, now: datetime, notify: Notify) -> list[int]:
    return _queue(db, ret, coordinators(db), "submitted.txt",
                  f"{ret.organisation_name} has submitted its return for {ret.cycle_name}", "submitted",
                  actor=actor, now=now, notify=notify, endpoint="returns.overview", version=version,
                  signatory_name=signatory_name, job_title=job_title, at=now)


def queue_decision(db: Database, ret: ReturnRow, *, decision: str, version: int, comment: str,
                   requests: list[dict], actor: store.Actor, now: datetime, notify: Notify) -> list[int]:
    """Accepted or returned for amendment: requests are {label, comment} per requirement named."""
    verb = "accepted" if decision == "accepted" else "returned for amendment"
    return _queue(db, ret, organisation_people(db, ret.organisation_id, ("editor", "signatory")), "decided.txt",
                  f"Your return for {ret.cycle_name} was {verb}", verb, actor=actor, now=now, notify=notify,
                  endpoint="returns.overview", decision=decision, version=version, comment=comment,
                  requests=requests, by=person_name(db, actor), at=now)


def queue_ready_to_sign(db: Database, ret: ReturnRow, *, actor: store.Actor, now: datetime,
                        notify: Notify) -> tuple[list[int], list[dict]]:
    """(the queued messages, the signatories told); nobody is told when the organisation has no signatory."""
    signatories = organisation_people(db, ret.organisation_id, ("signatory",))
    queued = _queue(db, ret, signatories, "ready_to_sign.txt",
                    f"{ret.organisation_name}'s return for {ret.cycle_name} is ready to sign", "ready to sign",
                    actor=actor, now=now, notify=notify, endpoint="returns.check", by=person_name(db, actor))
    return queued, signatories
