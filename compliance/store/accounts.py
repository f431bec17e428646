"""SQL for people: accounts, one-time tokens, sign-in attempts and the mail outbox."""
from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from compliance.store._common import iso, row, rows
from compliance.store.audit import Actor, changed_fields, record

__all__ = [
    "user_by_id", "user_for_session", "user_by_email", "users", "create_user", "update_user", "set_password",
    "rotate_session",
    "end_session", "end_other_sessions", "keep_form", "kept_form", "give_back_form",
    "note_sign_in", "create_token", "user_for_token", "use_token", "record_attempt", "recent_failures",
    "token_hash", "may_sign_in",
]

_USER_COLUMNS = (
    "u.id, u.email, u.name, u.job_title, u.role, u.organisation_id, u.password_hash, u.active,"
    " u.session_token, u.demo, u.created_at, u.last_sign_in_at, o.name AS organisation_name,"
    " COALESCE(o.active, 1) AS organisation_active"
)
# bandit B608: fixed column list
_USERS = f"SELECT {_USER_COLUMNS} FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id"  # nosec B608
USER_FOR_SESSION = (
    f"SELECT {_USER_COLUMNS}, EXISTS (SELECT 1 FROM sessions s WHERE s.key_hash = ? AND s.user_id = u.id"  # nosec B608
    " AND s.ended_at IS NULL) AS session_live, EXISTS (SELECT 1 FROM organisations WHERE demo = 1) AS demo_present"
    " FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id WHERE u.id = ?"
)
# What the audit log may show of a person: never the password hash or session token.
_AUDITED = ("email", "name", "job_title", "role", "organisation_id", "active")


def user_by_id(db: Database, user_id: int) -> dict | None:
    return row(db, f"{_USERS} WHERE u.id = ?", [user_id])


def user_for_session(db: Database, user_id: int, key: str) -> dict | None:
    """A person as user_by_id gives them, with two answers every signed-in request needs, in one statement:
    `session_live` (this browser's session of theirs, `key`, has not been ended) and `demo_present` (the database
    holds the demo partnership, for the banner on every page)."""
    return row(db, USER_FOR_SESSION, [token_hash(key), user_id])


def user_by_email(db: Database, email: str) -> dict | None:
    return row(db, f"{_USERS} WHERE u.email = ?", [email.strip()])


def users(db: Database, *, organisation_id: int | None = None) -> list[dict]:
    """Everyone, or one organisation's people, by name."""
    if organisation_id is None:
        return rows(db, f"{_USERS} ORDER BY u.name COLLATE NOCASE")
    return rows(db, f"{_USERS} WHERE u.organisation_id = ? ORDER BY u.name COLLATE NOCASE", [organisation_id])


def create_user(db: Database, *, email: str, name: str, role: str, organisation_id: int | None,
                job_title: str = "", password_hash: str | None = None, demo: bool = False,
                actor: Actor, now: datetime) -> int:
    """Add a person (with no password until they accept their invitation) and log it."""
    values = {"email": email.strip(), "name": name.strip(), "job_title": job_title.strip(), "role": role,
              "organisation_id": organisation_id, "active": 1}
    user_id = db["users"].insert({
        **values, "password_hash": password_hash, "session_token": secrets.token_urlsafe(24),
        "demo": int(demo), "created_at": iso(now),
    }).last_pk
    record(db, actor, action="person-added", object_type="person", object_id=user_id,
           organisation_id=organisation_id, new=values, now=now)
    return user_id


def update_user(db: Database, user_id: int, changes: dict, *, actor: Actor, now: datetime,
                action: str = "person-changed") -> bool:
    """Change a person's details; log old and new values of what changed. False when nothing changed."""
    before = user_by_id(db, user_id)
    old, new = changed_fields({k: before[k] for k in _AUDITED}, {k: v for k, v in changes.items() if k in _AUDITED})
    if not new:
        return False
    db["users"].update(user_id, new)
    if "role" in new or "organisation_id" in new or new.get("active") == 0:
        rotate_session(db, user_id)  # a changed role or a deactivation takes effect at once
    if new.get("active") == 0:
        # Links sent before a deactivation must not work after a later reactivation.
        db.execute("UPDATE tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL", [iso(now), user_id])
    record(db, actor, action=action, object_type="person", object_id=user_id,
           organisation_id=new.get("organisation_id", before["organisation_id"]), old=old, new=new, now=now)
    return True


def set_password(db: Database, user_id: int, password_hash: str, *, actor: Actor, now: datetime, action: str) -> None:
    """Store a new password hash and end every existing session of that person."""
    db["users"].update(user_id, {"password_hash": password_hash})
    rotate_session(db, user_id)
    person = user_by_id(db, user_id)
    record(db, actor, action=action, object_type="person", object_id=user_id,
           organisation_id=person["organisation_id"], now=now)


def rotate_session(db: Database, user_id: int) -> str:
    """A new session token: every session of this person ends (every cookie carrying the old token stops working)."""
    token = secrets.token_urlsafe(24)
    db["users"].update(user_id, {"session_token": token})
    db.execute("UPDATE sessions SET ended_at = COALESCE(ended_at, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'))"
               " WHERE user_id = ?", [user_id])
    return token


def note_sign_in(db: Database, user_id: int, *, now: datetime, address: str = "") -> str:
    """Record a successful sign-in and start a session for this browser; its key (kept only as a hash here)."""
    db["users"].update(user_id, {"last_sign_in_at": iso(now)})
    key = secrets.token_urlsafe(24)
    db["sessions"].insert({"user_id": user_id, "key_hash": token_hash(key), "created_at": iso(now),
                           "address": address})
    return key


def end_session(db: Database, key: str, *, now: datetime) -> None:
    db.execute("UPDATE sessions SET ended_at = ? WHERE key_hash = ? AND ended_at IS NULL", [iso(now), token_hash(key)])


def end_other_sessions(db: Database, user_id: int, key: str, *, now: datetime) -> int:
    """End every session of this person but this browser's; how many were ended."""
    return db.execute("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND key_hash != ? AND ended_at IS NULL",
                      [iso(now), user_id, token_hash(key)]).rowcount


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(db: Database, user_id: int, purpose: str, *, lifetime: timedelta, now: datetime) -> str:
    """A new one-time link token; earlier unused ones for the same purpose stop working."""
    db.execute("UPDATE tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
               [iso(now), user_id, purpose])
    raw = secrets.token_urlsafe(32)
    db["tokens"].insert({"user_id": user_id, "purpose": purpose, "token_hash": token_hash(raw),
                         "created_at": iso(now), "expires_at": iso(now + lifetime), "used_at": None})
    return raw


def user_for_token(db: Database, raw: str, purpose: str, *, now: datetime) -> dict | None:
    """The active person a token belongs to, if it is unused and unexpired."""
    found = row(db, "SELECT user_id FROM tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL"
                    " AND expires_at > ?", [token_hash(raw), purpose, iso(now)])
    if found is None:
        return None
    person = user_by_id(db, found["user_id"])
    return person if may_sign_in(person) else None


def may_sign_in(person: dict | None) -> bool:
    """Whether this account may be used: it is active, and so is its organisation (an archived one's people
    keep their accounts, to come back if it is restored, but cannot sign in or reset their password)."""
    return bool(person and person["active"] and person["organisation_active"])


def use_token(db: Database, raw: str, *, now: datetime) -> None:
    db.execute("UPDATE tokens SET used_at = ? WHERE token_hash = ?", [iso(now), token_hash(raw)])


def record_attempt(db: Database, *, email: str, address: str, success: bool, now: datetime) -> None:
    db["sign_in_attempts"].insert({"at": iso(now), "email": email.strip().lower(), "address": address,
                                   "success": int(success)})


def recent_failures(db: Database, *, since: datetime, email: str | None = None,
                    address: str | None = None) -> list[str]:
    """Times of failed sign-ins since a moment, for one email or one address, oldest first."""
    column, value = ("email", email.strip().lower()) if email is not None else ("address", address)
    # bandit B608: column is email or address
    found = db.execute(f"SELECT at FROM sign_in_attempts WHERE {column} = ? AND success = 0 AND at >= ? ORDER BY at",  # nosec B608
                       [value, iso(since)]).fetchall()
    return [at for (at,) in found]


def keep_form(db: Database, user_id: int, path: str, fields: list[tuple[str, str]], *, now: datetime) -> str:
    """Keep what was typed into a form that arrived after its person's session ended; the key to get it back."""
    key = secrets.token_urlsafe(24)
    with db.atomic():
        db["kept_forms"].insert({"token_hash": token_hash(key), "user_id": user_id, "path": path,
                                 "fields": json.dumps(fields, ensure_ascii=False), "created_at": iso(now)})
    return key


def kept_form(db: Database, key: str, user_id: int) -> dict | None:
    """The kept form this key names, if it is this person's and not given back yet (and less than a day old)."""
    found = row(db, "SELECT * FROM kept_forms WHERE token_hash = ? AND user_id = ? AND used_at IS NULL",
                [token_hash(key), user_id])
    return {**found, "fields": json.loads(found["fields"])} if found else None


def give_back_form(db: Database, key: str, user_id: int, *, now: datetime) -> dict | None:
    """The kept form, once: it is marked given back (and its text dropped) as it is read."""
    with db.atomic():
        found = kept_form(db, key, user_id)
        if found is None or found["created_at"] < iso(now - timedelta(days=1)):
            return None
        db.execute("UPDATE kept_forms SET used_at = ?, fields = '[]' WHERE id = ?", [iso(now), found["id"]])
    return found
