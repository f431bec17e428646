"""The service navigation as a table: what each person sees in the header, and which item is the current one."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_login import current_user

from compliance.web.access import can


@dataclass(frozen=True)
class Item:
    text: str
    endpoint: str
    permission: str | None  # None: everyone signed in
    sections: tuple[str, ...]  # endpoints (or prefixes ending in ".") of the pages this item is current on


NAVIGATION = (
    Item("Home", "account.home", None, ("account.home",)),
    # A cycle's matrix, charts, progress and board pack are pages of that cycle.
    Item("Cycles", "cycles.cycles", "view_partnership", ("cycles.", "board.", "boardpack.")),
    Item("Improvement actions", "actions.current", "view_partnership", ("actions.",)),
    # The partnership's own strategy: its action plan, measures and risk register (a lead's own pages are theirs).
    Item("Strategy", "plan.current", "view_partnership", ("plan.",)),
    Item("Organisations", "admin.organisations", "view_partnership",
         ("admin.organisations", "admin.organisation", "admin.new_organisation", "admin.edit_organisation",
          "admin.import_organisations")),
    Item("Frameworks", "admin.frameworks", "view_partnership",
         ("admin.frameworks", "admin.framework", "admin.upload_framework")),
    Item("People", "admin.people", "manage_partnership",
         ("admin.people", "admin.person", "admin.invite", "admin.person_role", "admin.deactivate_person",
          "admin.reactivate_person", "admin.resend_invitation")),
    Item("Evidence", "register.evidence", "view_evidence_register", ("register.",)),
    Item("Audit trail", "audit.trail", "view_audit_trail", ("audit.",)),
    Item("Outbox", "admin.outbox", "manage_partnership", ("admin.outbox",)),
)


def is_current(item: Item, endpoint: str) -> bool:
    return any(endpoint == section or (section.endswith(".") and endpoint.startswith(section))
               for section in item.sections)


def navigation() -> list[dict]:
    """The header's links for the person signed in (or "Sign in" for anyone else), for govukServiceNavigation.

    The same for every page of an endpoint and every person of a role, so each is made once (eight url_for a
    page, otherwise)."""
    asking, user = request._get_current_object(), current_user._get_current_object()
    endpoint = asking.endpoint or ""
    made = current_app.extensions.setdefault("navigation", {})
    key = (asking.script_root, endpoint, user.role if user.is_authenticated else None)
    if key not in made:
        made[key] = tuple(_navigation(endpoint))
    return [dict(item) for item in made[key]]


def _navigation(endpoint: str) -> list[dict]:
    if not current_user.is_authenticated:
        return [] if endpoint == "account.sign_in" else [{"href": url_for("account.sign_in"), "text": "Sign in"}]
    return [{"href": url_for(item.endpoint), "text": item.text, "active": is_current(item, endpoint)}
            for item in NAVIGATION if item.permission is None or can(current_user, item.permission)]
