"""The evidence register (auditors, admins): every organisation's evidence, filtered, with expiry flagged.

It opens at the current cycle, 50 rows a page (counted and taken by the store's SQL), and downloads as CSV with
exactly the rows its filters find, on every page together.
Files are downloaded through returns.download_evidence, which refuses one whose bytes no longer match its SHA-256.
Each row is an item and an answer it backs, so its verification status is the auditor's check of that answer.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, redirect, render_template, request, url_for

from compliance import store
from compliance.core.frameworks import Requirement
from compliance.core.paging import Page, page_number
from compliance.core.returns import current_cycle
from compliance.core.text import slug
from compliance.core.verification import STATUSES, evidence_expiry
from compliance.render.register import register_csv
from compliance.services import catalogue
from compliance.web.access import requires
from compliance.web.paging import pagination
from compliance.web.requests import get_db, today
from compliance.web.responses import attachment
from compliance.web.views.returns.answers import caption, evidence_kind

bp = Blueprint("register", __name__)
PAGE_SIZE = 50
ALL_CYCLES = "all"
EXPIRY_LABELS = {"expired": "Expired", "expiring": "Expires within 60 days"}


@dataclass
class Search:
    """What was asked (as the form shows it), the store's filters, an error, and the choices the form offers."""

    asked: dict
    chosen: dict
    error: str | None
    requirement: Requirement | None  # the one found from the reference typed, if any
    frameworks: list
    cycles: list[dict]
    organisations: list[dict]

    @property
    def query(self) -> dict:
        """The filters as a query string, kept by the page links and the CSV link: the cycle always, as shown."""
        return {name: ("yes" if value is True else value) for name, value in self.asked.items() if value}

    def named(self, rows: list[dict], key: str) -> dict | None:
        return next((row for row in rows if str(row["id"]) == self.asked[key]), None)


def find_requirement(framework, typed: str):
    """The framework's requirement whose ref (or id) was typed, ignoring case and a leading "Requirement"."""
    wanted = typed.strip().lower().removeprefix("requirement").strip()
    return next((r for r in framework.requirements if wanted in (r.ref.lower(), r.id.lower())), None)


def _cycle_asked(args, cycles: list[dict]) -> str:
    """A cycle's id, or "all"; when the query names none, the current cycle (all, if there is no cycle yet)."""
    if "cycle" not in args:
        current = current_cycle(cycles)
        return str(current["id"]) if current else ALL_CYCLES
    asked = args["cycle"].strip()
    return asked if asked.isdigit() else ALL_CYCLES


def _search(database, args, *, today: date) -> Search:
    """The filters read from the query string: a filter that cannot be used is ignored (and an error says so)."""
    frameworks, cycles = catalogue.latest_frameworks(database), store.cycles(database)
    asked = {name: args.get(name, "").strip() for name in ("organisation", "framework", "requirement", "verification")}
    asked = {"cycle": _cycle_asked(args, cycles), **asked, "expired": args.get("expired") == "yes"}
    chosen, error, requirement = _chosen(asked, frameworks, today=today)
    return Search(asked, chosen, error, requirement, frameworks, cycles, store.organisations(database))


def _chosen(asked: dict, frameworks, *, today: date) -> tuple[dict, str | None, Requirement | None]:
    """The store's filters, an error for a requirement that cannot be found, and the requirement found."""
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
        return chosen, None, None
    if framework is None:
        return chosen, "Select a framework to find a requirement by its reference", None
    found = find_requirement(framework, asked["requirement"])
    if found is None:
        return chosen, (f"Enter a requirement reference from {framework.short_title}, like "
                        f"{framework.requirements[0].ref}: there is no “{asked['requirement']}”"), None
    chosen["requirement_id"] = found.id
    return chosen, None, found


def _described(database, items: Iterable[dict], today: date) -> Iterator[dict]:
    """Each row with what people read: its requirement, type, expiry and verification status in words."""
    versions = {row["key"]: catalogue.framework(database, row["key"], row["sha256"])
                for row in store.framework_rows(database)}
    for item in items:
        expiry = evidence_expiry(item["valid_until"], today)
        yield {**item, **_requirement(item, versions), "expiry": expiry, "expiry_label": EXPIRY_LABELS.get(expiry, ""),
               "kind_label": evidence_kind(item), "verification_label": STATUSES.get(item["verification_status"], "")}


def _requirement(item: dict, versions: dict) -> dict:
    if not item["framework_key"]:
        return {"requirement_label": "", "requirement_title": ""}
    framework = versions.get(item["framework_key"])
    try:
        requirement = framework.requirement(item["requirement_id"])
    except (AttributeError, KeyError):
        return {"requirement_label": f"{item['framework_key']} · {item['requirement_id']}", "requirement_title": ""}
    return {"requirement_label": caption(framework, requirement), "requirement_title": requirement.title}


def _csv_name(search: Search) -> str:
    """evidence-register-2026-27.csv, with the organisation and any other filter: the name says what it holds."""
    cycle, organisation = search.named(search.cycles, "cycle"), search.named(search.organisations, "organisation")
    parts = ["evidence-register", slug(cycle["name"]) if cycle else "all-cycles",
             slug(organisation["name"]) if organisation else "", search.chosen.get("framework_id", ""),
             f"requirement-{slug(search.requirement.ref)}" if search.requirement else "",
             search.chosen.get("verification", ""), "expired" if search.asked["expired"] else ""]
    return "-".join(part for part in parts if part)[:190] + ".csv"


@bp.get("/evidence-register")
@requires("view_evidence_register")
def evidence():
    database, day = get_db(), today()
    search = _search(database, request.args, today=day)
    page = Page(page_number(request.args.get("page")), PAGE_SIZE,
                store.count_evidence_register(database, **search.chosen))

    def link(number: int) -> str:
        return url_for(".evidence", **search.query, **({"page": number} if number > 1 else {}))

    if page.beyond_last:
        return redirect(link(page.last))
    items = store.evidence_register(database, **search.chosen, limit=page.size, offset=page.offset)
    return render_template("register/evidence.html", search=search, asked=search.asked, error=search.error,
                           items=list(_described(database, items, day)), page=page, statuses=STATUSES,
                           pagination=pagination(page, link, label="Evidence register pages"),
                           csv_url=url_for(".evidence_csv", **search.query), cycle=search.named(search.cycles, "cycle"))


@bp.get("/evidence-register.csv")
@requires("view_evidence_register")
def evidence_csv():
    database, day = get_db(), today()
    search = _search(database, request.args, today=day)
    items = _described(database, store.evidence_register(database, **search.chosen), day)
    # Flask adds "; charset=utf-8" to a text type itself: naming it here would send it twice.
    return attachment(register_csv(items), mimetype="text/csv", filename=_csv_name(search))
