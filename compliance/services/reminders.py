"""Reminding organisations whose return is not in: by hand from the progress page, and on a schedule.

Each reminder is an email to each active editor and signatory of the organisation, queued with its audit entry
and sent after the commit. Scheduled reminders go out on the days the cycle's cadence names (by default 14, 7
and 1 days before the due date, then the day after it and weekly while overdue) when `flask --app wsgi
send-due-reminders` runs, which is meant to run once a day; a return is reminded at most once a day, however
often the command runs.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlite_utils import Database

from compliance import store
from compliance.core.returns import EDITABLE, RETURN_STATUSES, due_text, parse_reminder_days, reminder_due
from compliance.core.text import london
from compliance.services import mail

REMINDED_ROLES = ("editor", "signatory")
WAITING = ("queued", "sending")  # written, but not taken by the mail server yet: it will be tried again


@dataclass
class Reminded:
    """What a round of reminders did: people reached, organisations reached, who had nobody, who is waiting."""
    people: int = 0
    organisations: int = 0
    nobody: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _recipients(db: Database, ret: dict) -> list[dict]:
    return [u for u in store.users(db, organisation_id=ret["organisation_id"])
            if u["role"] in REMINDED_ROLES and u["active"]]


def _messages(ret: dict, people: list[dict], *, today: date, settings: Mapping,
              link: Callable[..., str]) -> list[mail.Message]:
    return [mail.compose("reminder.txt", to=person["email"], settings=settings, person=person, ret=ret,
                         subject=f"Reminder: {ret['organisation_name']}'s return for {ret['cycle_name']}",
                         status=RETURN_STATUSES[ret["status"]],
                         due=due_text(date.fromisoformat(ret["due_date"]), today),
                         link=link("returns.overview", return_id=ret["id"]))
            for person in people]


def send_reminders(db: Database, returns: list[dict], *, actor: store.Actor, now: datetime, settings: Mapping,
                   link: Callable[..., str]) -> Reminded:
    """Email each return's editors and signatories; one audit entry per organisation names who was reached."""
    done = Reminded()
    for ret in returns:
        people = _recipients(db, ret)
        if not people:
            done.nobody.append(ret["organisation_name"])
            continue
        messages = _messages(ret, people, today=london(now).date(), settings=settings, link=link)
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


@dataclass
class Scheduled:
    """What one run of the scheduled reminders did."""
    sent: list[tuple[str, int]] = field(default_factory=list)  # (organisation, people reminded)
    nobody: list[str] = field(default_factory=list)  # organisations with nobody to remind
    already: int = 0  # returns already reminded today by an earlier run


def send_due_reminders(db: Database, *, today: date, now: datetime, settings: Mapping,
                       link: Callable[..., str]) -> Scheduled:
    """Today's scheduled reminders, for every open cycle whose cadence names today, to returns not yet in.

    `today` is the London date the run is for. A return already reminded on that date is skipped, so a second
    run on one day sends nothing twice.
    """
    done = Scheduled()
    for cycle in store.cycles(db):
        if cycle["status"] != "open":
            continue
        left = reminder_due(today, date.fromisoformat(cycle["due_date"]), parse_reminder_days(cycle["reminder_days"]),
                            cycle["overdue_every_days"])
        if left is None:
            continue
        for ret in store.returns_for_cycle(db, cycle["id"]):
            if ret["status"] not in EDITABLE or ret.get("withdrawn_at"):
                continue
            people = _recipients(db, ret)
            messages = _messages(ret, people, today=today, settings=settings, link=link)
            with db.atomic():
                if not store.add_scheduled_reminder(
                        db, ret["id"], on_date=today, days_to_due=left, now=now,
                        recipients=[{"name": p["name"], "email": p["email"]} for p in people]):
                    done.already += 1
                    continue
                queued = mail.queue(db, messages, now=now)
                store.record(db, store.SYSTEM, action="scheduled-reminder-sent", object_type="return",
                             object_id=ret["id"], organisation_id=ret["organisation_id"],
                             new={"recipients": [m.to for m in messages], "days_to_due": left}, now=now)
            mail.deliver(db, settings, queued, now=now)
            if people:
                done.sent.append((ret["organisation_name"], len(people)))
            else:
                done.nobody.append(ret["organisation_name"])
    return done
