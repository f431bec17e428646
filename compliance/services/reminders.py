"""Reminding organisations whose return is not in: an email to each active editor and signatory, then the audit."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from compliance import store
from compliance.core.returns import RETURN_STATUSES
from compliance.services import mail

REMINDED_ROLES = ("editor", "signatory")
WAITING = ("queued", "sending")  # written, but not taken by the mail server yet: it will be tried again


@dataclass
class Reminded:
    """What a round of reminders did: people reached, organisations reached, who had nobody, who failed."""
    people: int = 0
    organisations: int = 0
    nobody: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def send_reminders(db: Database, returns: list[dict], *, actor: store.Actor, now: datetime, settings: Mapping,
                   link: Callable[..., str]) -> Reminded:
    """Email each return's editors and signatories; one audit entry per organisation names who was reached."""
    done = Reminded()
    for ret in returns:
        recipients = [u for u in store.users(db, organisation_id=ret["organisation_id"])
                      if u["role"] in REMINDED_ROLES and u["active"]]
        if not recipients:
            done.nobody.append(ret["organisation_name"])
            continue
        messages = [mail.compose("reminder.txt", to=person["email"], settings=settings, person=person, ret=ret,
                                 subject=f"Reminder: {ret['organisation_name']}'s return for {ret['cycle_name']}",
                                 status=RETURN_STATUSES[ret["status"]],
                                 link=link("returns.overview", return_id=ret["id"]))
                    for person in recipients]
        with db.atomic():
            queued = mail.queue(db, messages, now=now)
            store.record(db, actor, action="reminder-sent", object_type="return", object_id=ret["id"],
                         organisation_id=ret["organisation_id"], new={"recipients": [m.to for m in messages]},
                         now=now)
        outcomes = mail.deliver(db, settings, queued, now=now)
        done.failed += [m.to for m, outcome in zip(messages, outcomes, strict=True) if outcome in WAITING]
        done.people += len(messages)
        done.organisations += 1
    return done
