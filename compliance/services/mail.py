"""Mail: composed from templates and queued in the outbox while a change is decided, sent after it commits.

A message is written to the outbox in the same transaction as the change it is about (`queue`), so neither is
kept without the other. It is sent after the commit (`deliver`): a mail server can take many seconds to answer,
or never answer, and sending inside a transaction would hold the database's write lock all that time, so every
other person's save would wait or fail; `deliver` refuses to run inside one. A message the mail server does not
take stays queued and is tried again by `deliver_due` (run by `flask --app wsgi send-queued-mail`), after
RETRY_WAITS, then given up and shown as failed. With no mail server configured, mail is written to the log and
kept in the outbox instead.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlite_utils import Database

from compliance import store
from compliance.core import text
from compliance.core.roles import ROLES

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"
SMTP_TIMEOUT_SECONDS = 20
# How long a message waits after its 1st, 2nd, ... failed attempt; after the last wait's attempt fails, it is
# given up (41 hours in all: long enough for a mail server to be mended).
RETRY_WAITS = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4),
               timedelta(hours=12), timedelta(hours=24))
# A message still marked as being sent after this long was left by a sender that stopped: it is tried again.
SENDING_STALE = timedelta(minutes=10)

# bandit B701: these are plain-text emails, never HTML; escaping would put &amp; into people's names.
_templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False, undefined=StrictUndefined,  # nosec B701
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
_templates.globals["ROLES"] = ROLES
for _name in ("long_date", "when", "plural"):
    _templates.filters[_name] = getattr(text, _name)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def compose(template: str, *, to: str, subject: str, settings: Mapping, **context) -> Message:
    """A message from templates/mail/<template>; the subject is folded to one line (a header cannot break)."""
    body = _templates.get_template(template).render(config=settings, **context)
    return Message(to=to, subject=" ".join(subject.split()), body=body)


def queue(db: Database, messages: Iterable[Message], *, now: datetime) -> list[int]:
    """Write messages to the outbox, inside the transaction that decided them; send them with deliver() after it."""
    return [store.queue_mail(db, recipient=m.to, subject=m.subject, body=m.body, now=now) for m in messages]


def deliver(db: Database, settings: Mapping, message_ids: Iterable[int], *, now: datetime) -> list[str]:
    """Send queued messages; each one's outcome: "sent", "logged", "queued" (to be tried again) or "failed".

    Call it after the transaction that queued them has committed: it refuses to run inside one. A message another
    worker is already sending is left to it ("sending").
    """
    if db.conn.in_transaction:
        raise RuntimeError("mail is sent after the commit, never inside a database transaction")
    outcomes = []
    for message_id in message_ids:
        claimed = store.claim_mail(db, message_id, now=now, stale_before=now - SENDING_STALE)
        if claimed is None:
            outcomes.append("sending")
            continue
        outcome, error = _deliver(settings, Message(claimed["recipient"], claimed["subject"], claimed["body"]))
        retry_at = None
        if outcome == "failed" and claimed["attempts"] <= len(RETRY_WAITS):
            outcome, retry_at = "queued", now + RETRY_WAITS[claimed["attempts"] - 1]
        store.mail_attempted(db, message_id, status=outcome, error=error, now=now, retry_at=retry_at)
        outcomes.append(outcome)
    return outcomes


def send(db: Database, settings: Mapping, messages: Iterable[Message], *, now: datetime) -> list[str]:
    """Queue messages that belong to no other change, and send them at once (see deliver for the outcomes)."""
    with db.atomic():
        ids = queue(db, messages, now=now)
    return deliver(db, settings, ids, now=now)


def deliver_due(db: Database, settings: Mapping, *, now: datetime) -> dict[str, int]:
    """Send every queued message whose attempt is due (retries, and any a stopped sender left); counts by outcome."""
    counts: dict[str, int] = {}
    for outcome in deliver(db, settings, store.due_mail(db, now=now, stale_before=now - SENDING_STALE), now=now):
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _deliver(settings: Mapping, message: Message) -> tuple[str, str]:
    """Hand the message to the mail server (or the log); the outcome and any error. Touches no database."""
    if not settings.get("MAIL_SERVER"):
        log.info("mail (no mail server configured) to %s: %s\n%s", message.to, message.subject, message.body)
        return "logged", ""
    email = EmailMessage()
    email["From"] = settings.get("MAIL_SENDER") or f"no-reply@{settings['MAIL_SERVER']}"
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid()
    email.set_content(message.body)
    try:
        with smtplib.SMTP(settings["MAIL_SERVER"], int(settings.get("MAIL_PORT", 25)),
                          timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if settings.get("MAIL_USE_TLS"):
                smtp.starttls()
            if settings.get("MAIL_USERNAME"):
                smtp.login(settings["MAIL_USERNAME"], settings.get("MAIL_PASSWORD", ""))
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as error:
        log.error("mail to %s failed: %s", message.to, error)
        return "failed", str(error)
    return "sent", ""
