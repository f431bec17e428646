"""The access rule every route declares, over the roles and permission table in core/roles.py."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, logout_user

from compliance import store
from compliance.core.roles import PERMISSIONS, ROLES
from compliance.web.requests import get_db, now
from compliance.web.security import SHARED_FILES

PUBLIC = "public"
SIGNED_IN = "signed-in"
IDLE_TIMEOUT = timedelta(minutes=30)

login_manager = LoginManager()


class User(UserMixin):
    """The signed-in person, built from their database row."""

    def __init__(self, row: dict, session_key: str):
        self.row = row
        self.session_key = session_key  # this browser's session (store.sessions): others of this person carry on
        self.id = row["id"]
        self.email = row["email"]
        self.name = row["name"]
        self.role = row["role"]
        self.organisation_id = row["organisation_id"]
        self.organisation_name = row.get("organisation_name")

    def get_id(self) -> str:
        # The person's session token is part of the id, so rotating it ends every session at once; the key names
        # this browser's own session, which signing out here ends alone.
        return f"{self.id}:{self.row['session_token']}:{self.session_key}"

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]


def can(user, permission: str) -> bool:
    """Whether this person (or an anonymous visitor) holds a permission."""
    return bool(getattr(user, "is_authenticated", False)) and user.can(permission)


def _declare(view: Callable, access: str) -> Callable:
    view.access = access  # type: ignore[attr-defined]
    return view


def public(view: Callable) -> Callable:
    """Anyone may use this route, signed in or not."""
    return _declare(view, PUBLIC)


def signed_in(view: Callable) -> Callable:
    """Anyone signed in may use this route."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return _declare(wrapper, SIGNED_IN)


def requires(permission: str) -> Callable[[Callable], Callable]:
    """Only people whose role holds this permission may use the route; others get 403."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user._get_current_object()
            if not user.is_authenticated:
                return login_manager.unauthorized()
            if not user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        return _declare(wrapper, permission)

    return decorator


def check_organisation(organisation_id: int) -> None:
    """404, not 403, for another organisation's objects, so that ids cannot be probed."""
    if current_user.can("view_partnership") or current_user.organisation_id == organisation_id:
        return
    abort(404)


def access_of(view: Callable) -> str | None:
    """What a view declared, or None when it declared nothing."""
    return getattr(view, "access", None)


def undeclared_endpoints(app) -> list[str]:
    """Endpoints whose view declares no access rule."""
    return sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if access_of(app.view_functions[rule.endpoint]) is None
    )


def safe_next(target: str | None) -> str | None:
    """A path inside this app to go to after signing in, or None for anything else."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(character) < 32 for character in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# Forms whose typing is kept when it arrives after its person's session has ended, and given back after sign-in.
KEEPS_TYPING = frozenset({"returns.answer"})


def _unauthorized():
    if request.method == "GET":
        if session.get("_user_id"):  # this browser was signed in, and its session has been ended elsewhere
            session.pop("_user_id", None)
            flash("You have been signed out on this device: you, or your partnership coordinator, chose to sign you "
                  "out everywhere else, changed your password or changed your account. Sign in again.", "important")
        return redirect(url_for("account.sign_in", next=request.full_path.rstrip("?")))
    if _keep_typing():
        flash("You were signed out before this was saved. Sign in again to get back to it: what you typed is "
              "kept for you, and you can check it and save it then.", "important")
        return redirect(url_for("account.sign_in", next=request.path))
    return redirect(url_for("account.sign_in"))


def _keep_typing() -> bool:
    """Keep a form's fields for the person whose ended session sent it (never for anyone else)."""
    user_id = str(session.get("_user_id") or "").split(":")[0]
    if request.endpoint not in KEEPS_TYPING or not user_id.isdigit():
        return False
    fields = [(name, value) for name, value in request.form.items(multi=True) if name != "csrf_token"]
    session["kept_form"] = store.keep_form(get_db(), int(user_id), request.path, fields, now=now())
    return True


def _expire_idle_session():
    """Sign out after 30 minutes without a request; the cookie's own lifetime says the same. A stylesheet, script
    or image is not a person's activity, and reading the session for one would make it vary by cookie."""
    if request.endpoint in SHARED_FILES or not current_user.is_authenticated:
        return None
    now = datetime.now(timezone.utc).timestamp()
    kept = session._get_current_object()  # read and written below: once through the proxy (see web/requests.py)
    seen = kept.get("seen")
    if seen is not None and now - seen > current_app.permanent_session_lifetime.total_seconds():
        logout_user()
        kept.clear()
        flash("You were signed out because you had not done anything for 30 minutes. Sign in again.", "important")
        return _unauthorized()
    kept["seen"] = now
    kept.permanent = True
    return None


def init_app(app, load_user: Callable[[str], User | None]) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_expire_idle_session)
    app.jinja_env.globals.update(can=can, ROLES=ROLES)
