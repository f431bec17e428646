"""Partnership admin pages: organisations, people, CSV import and the outbox."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, request
from flask_login import current_user

from compliance import store
from compliance.forms import role_items
from compliance.core.sectors import SECTORS, sector_label

bp = Blueprint("admin", __name__)


def now() -> datetime:
    return datetime.now(timezone.utc)


def actor() -> store.Actor:
    """The signed-in person making a change, as the audit log records them."""
    return store.Actor(current_user.id, current_user.email, request.remote_addr or "")


def valid_submission(form, *checks) -> bool:
    """validate_on_submit() plus checks that need the database, all run so every error shows at once."""
    if not form.is_submitted():
        return False
    return all([form.validate(), *[check(form) for check in checks]])


def person_status(person: dict) -> str:
    """Invited (no password yet), Active or Deactivated."""
    if not person["active"]:
        return "Deactivated"
    return "Active" if person["password_hash"] else "Invited"


def when(moment: str | None) -> str:
    """A stored UTC time as people read it: 5 March 2025 at 2:07pm UTC."""
    if not moment:
        return ""
    at = datetime.fromisoformat(moment)
    return f"{at.day} {at:%B %Y} at {at.hour % 12 or 12}:{at:%M}{'am' if at.hour < 12 else 'pm'} UTC"


@bp.context_processor
def helpers() -> dict:
    return {"person_status": person_status, "sector_label": sector_label, "when": when, "role_items": role_items,
            "sectors": SECTORS}


from compliance.views.admin import frameworks, organisations, outbox, people  # noqa: E402,F401  (registers the routes on bp)
