"""What a request needs from its surroundings: its database connection, the time, and who is acting."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import current_app, g, request, url_for
from flask_login import current_user
from sqlite_utils import Database

from compliance import store
from compliance.core.text import london
from compliance.store import db


def get_db() -> Database:
    """The request's database connection, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = db.connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    database = g.pop("db", None)
    if database is not None:
        database.close()


def now() -> datetime:
    """This moment, in UTC (as stored)."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in London, which is what due dates and expiry dates mean."""
    return london(now()).date()


def actor() -> store.Actor:
    """The signed-in person making a change, as the audit log records them."""
    return store.Actor(current_user.id, current_user.email, request.remote_addr or "")


def external_url(endpoint: str, **values) -> str:
    """The full address of a page, for links that leave the site in an email: on the configured base URL."""
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, **values, _external=True)
