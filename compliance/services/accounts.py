"""Signing in, throttling, invitations and password resets: the rules, with the store and mail beneath."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from compliance import store
from compliance.services import mail
from compliance.services.passwords import hash_password, password_matches
from compliance.store import Actor

INVITE_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)
THROTTLE_WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 20
WRONG_DETAILS = "Enter a correct email address and password"
# Checked against when no account matches, so that a wrong email takes as long as a wrong password.
_DUMMY_HASH = hash_password("not a real password, only used to spend the same time")


@dataclass(frozen=True)
class SignIn:
    user: dict | None
    problem: str | None = None
    throttled: bool = False
    session_key: str = ""  # this browser's session; the person's other sessions carry on


def wait_time(failures: list[str], *, limit: int, window: timedelta, now: datetime) -> timedelta | None:
    """How long to wait before trying again, once `limit` failures fall inside the window; None when free."""
    if len(failures) < limit:
        return None
    until = datetime.fromisoformat(failures[-1]) + window
    return until - now if until > now else None


def _minutes(wait: timedelta) -> int:
    return max(1, -(-int(wait.total_seconds()) // 60))


def attempt_sign_in(db: Database, *, email: str, password: str, address: str, now: datetime) -> SignIn:
    """Check an email and password, slowing repeated failures per account and per address."""
    since = now - THROTTLE_WINDOW
    wait = wait_time(store.recent_failures(db, since=since, email=email), limit=ACCOUNT_FAILURE_LIMIT,
                     window=THROTTLE_WINDOW, now=now) or wait_time(
        store.recent_failures(db, since=since, address=address), limit=ADDRESS_FAILURE_LIMIT,
        window=THROTTLE_WINDOW, now=now)
    if wait:
        with db.atomic():
            store.record(db, Actor(None, email, address), action="sign-in-throttled", object_type="sign-in", now=now)
        minutes = _minutes(wait)
        wait_text = f"{minutes} minute{'s' if minutes > 1 else ''}"
        return SignIn(None, f"You have tried to sign in too many times. Wait {wait_text}, "
                            "then try again, or reset your password", throttled=True)
    user = store.user_by_email(db, email)
    matches = password_matches(user["password_hash"] if user else _DUMMY_HASH, password)
    success = store.may_sign_in(user) and matches
    with db.atomic():
        store.record_attempt(db, email=email, address=address, success=success, now=now)
        if not success:
            store.record(db, Actor(None, email, address), action="sign-in-failed", object_type="sign-in", now=now)
            return SignIn(None, WRONG_DETAILS)
        key = store.note_sign_in(db, user["id"], now=now, address=address)
        store.record(db, Actor(user["id"], user["email"], address), action="signed-in", object_type="person",
                     object_id=user["id"], organisation_id=user["organisation_id"], now=now)
    return SignIn(store.user_by_id(db, user["id"]), session_key=key)


def sign_out(db: Database, user: dict, session_key: str, *, address: str, now: datetime) -> None:
    """End this browser's session only: the person stays signed in on their other devices."""
    with db.atomic():
        store.end_session(db, session_key, now=now)
        store.record(db, Actor(user["id"], user["email"], address), action="signed-out", object_type="person",
                     object_id=user["id"], organisation_id=user["organisation_id"], now=now)


def sign_out_elsewhere(db: Database, user: dict, session_key: str, *, address: str, now: datetime) -> int:
    """End every other session of this person (another device, a shared computer); how many were ended."""
    with db.atomic():
        ended = store.end_other_sessions(db, user["id"], session_key, now=now)
        store.record(db, Actor(user["id"], user["email"], address), action="signed-out-elsewhere",
                     object_type="person", object_id=user["id"], organisation_id=user["organisation_id"],
                     new={"sessions": ended}, now=now)
    return ended


def change_role(db: Database, user_id: int, *, role: str, organisation_id: int | None, actor: Actor,
                now: datetime) -> bool:
    """Give a person another role (and organisation); False when that is what they had."""
    with db.atomic():
        return store.update_user(db, user_id, {"role": role, "organisation_id": organisation_id}, actor=actor,
                                 now=now, action="role-changed")


def set_active(db: Database, user_id: int, active: bool, *, actor: Actor, now: datetime) -> None:
    """Deactivate a person (they can no longer sign in; their sessions end) or reactivate them."""
    with db.atomic():
        store.update_user(db, user_id, {"active": int(active)}, actor=actor, now=now,
                          action="person-reactivated" if active else "person-deactivated")


def invite_person(db: Database, *, email: str, name: str, job_title: str, role: str, organisation_id: int | None,
                  actor: Actor, now: datetime, settings: Mapping, link: Callable[..., str]) -> tuple[int, str]:
    """Add a person and send them a one-time link, valid for 7 days, to set their password (after the commit).

    Their id, and what became of the mail (see mail.deliver)."""
    with db.atomic():
        user_id = store.create_user(db, email=email, name=name, job_title=job_title, role=role,
                                    organisation_id=organisation_id, actor=actor, now=now)
        queued = mail.queue(db, [_invitation(db, user_id, actor=actor, now=now, settings=settings, link=link)],
                            now=now)
    [outcome] = mail.deliver(db, settings, queued, now=now)
    return user_id, outcome


def send_invitation(db: Database, user_id: int, *, actor: Actor, now: datetime, settings: Mapping,
                    link: Callable[..., str]) -> str:
    """(Re)send an invitation; any earlier link stops working. What became of the mail (see mail.deliver)."""
    with db.atomic():
        queued = mail.queue(db, [_invitation(db, user_id, actor=actor, now=now, settings=settings, link=link)],
                            now=now)
    [outcome] = mail.deliver(db, settings, queued, now=now)
    return outcome


def _invitation(db: Database, user_id: int, *, actor: Actor, now: datetime, settings: Mapping,
                link: Callable[..., str]) -> mail.Message:
    person = store.user_by_id(db, user_id)
    token = store.create_token(db, user_id, "invite", lifetime=INVITE_LIFETIME, now=now)
    store.record(db, actor, action="invitation-sent", object_type="person", object_id=user_id,
                 organisation_id=person["organisation_id"], now=now)
    return mail.compose("invitation.txt", to=person["email"], settings=settings, person=person,
                        subject=f"You have been invited to {settings['SERVICE_NAME']}",
                        link=link("account.set_password", token=token), expires=now + INVITE_LIFETIME)


def request_reset(db: Database, *, email: str, address: str, now: datetime, settings: Mapping,
                  link: Callable[..., str]) -> None:
    """Send a reset link if an active account has this email (after the commit); say nothing either way."""
    person = store.user_by_email(db, email)
    with db.atomic():
        store.record(db, Actor(person["id"] if person else None, email, address), action="password-reset-requested",
                     object_type="person", object_id=person["id"] if person else "", now=now)
        if not store.may_sign_in(person):
            return
        token = store.create_token(db, person["id"], "reset", lifetime=RESET_LIFETIME, now=now)
        queued = mail.queue(db, [mail.compose(
            "reset.txt", to=person["email"], settings=settings, person=person,
            subject=f"Reset your password for {settings['SERVICE_NAME']}",
            link=link("account.reset_password", token=token), expires=now + RESET_LIFETIME)], now=now)
    mail.deliver(db, settings, queued, now=now)


def person_for_link(db: Database, token: str, purpose: str, *, now: datetime) -> dict | None:
    return store.user_for_token(db, token, purpose, now=now)


def complete_link(db: Database, token: str, purpose: str, *, password: str, address: str, now: datetime) -> dict | None:
    """Use a one-time link to set a password; None when the link is no longer valid."""
    with db.atomic():
        person = store.user_for_token(db, token, purpose, now=now)
        if person is None:
            return None
        store.use_token(db, token, now=now)
        action = "invitation-accepted" if purpose == "invite" else "password-reset"
        store.set_password(db, person["id"], hash_password(password), now=now, action=action,
                           actor=Actor(person["id"], person["email"], address))
    return store.user_by_id(db, person["id"])
