"""Partnership admin pages: organisations, people, CSV import and the outbox."""
from __future__ import annotations

from flask import Blueprint

from compliance.web.forms import role_items
from compliance.web.requests import sectors

bp = Blueprint("admin", __name__)






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


@bp.context_processor
def helpers() -> dict:
    return {"person_status": person_status, "sector_label": sectors().name, "role_items": role_items,
            "sectors": sectors()}


from compliance.web.views.admin import (  # noqa: E402,F401  (registers the routes on bp)
    framework_spreadsheets,
    frameworks,
    organisations,
    outbox,
    people,
)
