"""The evidence register (auditors, admins): every organisation's evidence, filtered, with expiry flagged.

Files are downloaded through returns.download_evidence, which refuses one whose bytes no longer match its SHA-256.
Each row is an item and an answer it backs, so its verification status is the auditor's check of that answer.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import Blueprint, render_template, request

from compliance import store
from compliance.core.verification import STATUSES, evidence_expiry
from compliance.services import catalogue
from compliance.web.access import requires
from compliance.web.requests import get_db
from compliance.web.views.returns.answers import caption, evidence_kind

bp = Blueprint("register", __name__)
LIMIT = 500


def find_requirement(framework, typed: str):
    """The framework's requirement whose ref (or id) was typed, ignoring case and a leading "Requirement"."""
    wanted = typed.strip().lower().removeprefix("requirement").strip()
    return next((r for r in framework.requirements if wanted in (r.ref.lower(), r.id.lower())), None)


def _filters(args, frameworks, *, today: date) -> tuple[dict, dict, str | None]:
    """(what was asked, the store's filters, an error): a filter that cannot be used is ignored."""
    asked = {name: args.get(name, "").strip()
             for name in ("cycle", "organisation", "framework", "requirement", "verification")}
    asked["expired"] = args.get("expired") == "yes"
    chosen: dict = {"expired_on": today.isoformat()} if asked["expired"] else {}
    if asked["verification"] in STATUSES:
        chosen["verification"] = asked["verification"]
    for name in ("cycle", "organisation"):
        if asked[name].isdigit():
            chosen[f"{name}_id"] = int(asked[name])
    framework = next((f for f in frameworks if f.id == asked["framework"]), None)
    if framework is not None:
        chosen["framework_id"] = framework.id
    if not asked["requirement"]:
        return asked, chosen, None
    if framework is None:
        return asked, chosen, "Select a framework to find a requirement by its reference"
    found = find_requirement(framework, asked["requirement"])
    if found is None:
        return asked, chosen, (f"Enter a requirement reference from {framework.short_title}, like "
                               f"{framework.requirements[0].ref}: there is no “{asked['requirement']}”")
    chosen["requirement_id"] = found.id
    return asked, chosen, None


def _requirement_label(item: dict, versions: dict) -> str:
    if not item["framework_key"]:
        return ""
    framework = versions.get(item["framework_key"])
    try:
        return caption(framework, framework.requirement(item["requirement_id"]))
    except (AttributeError, KeyError):
        return f"{item['framework_key']} · {item['requirement_id']}"


@bp.get("/evidence-register")
@requires("view_evidence_register")
def evidence():
    database = get_db()
    today = datetime.now(timezone.utc).date()
    frameworks = catalogue.latest_frameworks(database)
    asked, chosen, error = _filters(request.args, frameworks, today=today)
    versions = {row["key"]: catalogue.framework(database, row["key"], row["sha256"])
                for row in store.framework_rows(database)}
    items = [{**item, "requirement_label": _requirement_label(item, versions),
              "expiry": evidence_expiry(item["valid_until"], today), "kind_label": evidence_kind(item)}
             for item in store.evidence_register(database, **chosen, limit=LIMIT)]
    return render_template("register/evidence.html", asked=asked, error=error, items=items, limit=LIMIT,
                           frameworks=frameworks, cycles=store.cycles(database), statuses=STATUSES,
                           organisations=store.organisations(database))
