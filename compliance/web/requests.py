"""What a request needs from its surroundings: its database connection, the time, and who is acting."""
from __future__ import annotations

import os
import threading
from datetime import date, datetime, timezone

from flask import current_app, g, request, url_for
from flask_login import current_user
from sqlite_utils import Database

from compliance import store
from compliance.core.accreditation_schemes import Schemes
from compliance.core.sectors import Sectors
from compliance.core.text import london
from compliance.services.notifications import Notify
from compliance.services.returns import ReturnContext, load_return, return_from
from compliance.store import db

_kept = threading.local()  # each server thread's own connection: opened once, its settings applied once


def get_db() -> Database:
    """The request's database connection: its thread's own, kept from one request to the next.

    Opening a connection and applying its four settings cost more than a short request's own queries. A thread
    keeps one connection, for one database file: another path, or a file replaced since (a restore), gets a new one.

    Called several times a request, so `g` is read through its proxy once, not three times: each attribute read
    through one of Flask's proxies (g, request, session, current_app, current_user) costs about a microsecond, the
    proxy's own lookup failing first. The hot paths below take the object behind the proxy once for that reason.
    """
    here = g._get_current_object()
    database = here.get("db")
    if database is None:
        database = here.db = _thread_connection(current_app.config["DATABASE"])
    return database


def _thread_connection(path: str) -> Database:
    identity = _identity(path)
    kept = getattr(_kept, "connection", None)
    if kept is not None and identity is not None and kept[0] == identity:
        return kept[1]
    if kept is not None:
        kept[1].close()
    database = db.connect(path)
    _kept.connection = (_identity(path), database)
    return database


def _identity(path: str) -> tuple[str, int, int] | None:
    """The setting's path and its file's device and inode: one system call a request (each lets another thread
    run). A restore replaces the file, which gives it another inode."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return path, found.st_dev, found.st_ino


def close_db(_exc: BaseException | None = None) -> None:
    """At the end of a request: the connection is kept, but never with a transaction left open."""
    database = g.pop("db", None)
    if database is not None and database.conn.in_transaction:
        database.conn.rollback()


def person_for_request(user_id: int, key: str) -> dict | None:
    """The sign-in check (store.user_for_session). On a page of one return, the return is read by the same statement
    (one hand-over between server threads fewer) and kept for `read_return`, which the view calls next."""
    database = get_db()
    asking = request._get_current_object()
    return_id = (asking.view_args or {}).get("return_id") if asking.blueprint == "returns" else None
    if type(return_id) is not int:
        return store.user_for_session(database, user_id, key)
    person, found = store.person_and_return(database, user_id, key, return_id)
    g.read_with_sign_in = (return_id, database.conn.total_changes, found)
    return person


def read_return(return_id: int) -> ReturnContext | None:
    """The return (services.returns.load_return): as the sign-in check read it, when it did and this request has
    written nothing since; read again otherwise. What was kept is used once."""
    database = get_db()
    kept = g.pop("read_with_sign_in", None)
    if kept is not None and kept[0] == return_id and kept[1] == database.conn.total_changes:
        return return_from(database, kept[2])
    return load_return(database, return_id)


def now() -> datetime:
    """This moment, in UTC (as stored)."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in London, which is what due dates and expiry dates mean."""
    return london(now()).date()


def sectors() -> Sectors:
    """The partnership's sectors, read from their file when the app was made."""
    return current_app.extensions["sectors"]


def accreditation_schemes() -> Schemes:
    """The accreditation schemes, read from their file when the app was made."""
    return current_app.extensions["accreditation_schemes"]


def actor() -> store.Actor:
    """The signed-in person making a change, as the audit log records them."""
    user = current_user._get_current_object()
    return store.Actor(user.id, user.email, request.remote_addr or "")


# Said to the person who asked for a link to be emailed, when the service cannot build one it can trust.
NO_LINKS = ("No email with a link can be sent yet: the service has not been told its own web address. Whoever "
            "runs it must set COMPLIANCE_BASE_URL to its public address (for example "
            "https://compliance.example.org), or list the host names it is reached at in COMPLIANCE_TRUSTED_HOSTS, "
            "and restart it")


class NoTrustedAddress(RuntimeError):
    """Neither a base URL nor trusted hosts are configured: a link would come from the request's Host header."""


def links_can_be_emailed() -> bool:
    """Whether a link sent by email can be built on an address the service trusts (see external_url)."""
    return bool(current_app.config.get("BASE_URL")) or bool(current_app.config.get("TRUSTED_HOSTS"))


def external_url(endpoint: str, **values) -> str:
    """The full address of a page, for links that leave the site in an email.

    On the configured base URL; or on the request's own host when the app checks hosts against TRUSTED_HOSTS
    (Flask then refuses any other Host with 400 before a view runs). Never on a Host header nobody checked: a
    forged one would send a password-reset link, and its token, to whoever forged it.
    """
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    if current_app.config.get("TRUSTED_HOSTS"):
        return url_for(endpoint, **values, _external=True)
    raise NoTrustedAddress(NO_LINKS)


def notifier() -> Notify | None:
    """How this request's use cases email people, or None when links cannot be built (the change still happens;
    the log says why nobody was told)."""
    if not links_can_be_emailed():
        current_app.logger.warning("nobody was emailed about this change: %s", NO_LINKS)
        return None
    return Notify(current_app.config, external_url)
