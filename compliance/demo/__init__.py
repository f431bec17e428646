"""The fictional demo partnership, loaded by `flask --app wsgi demo`; loading it twice changes nothing."""
from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from compliance import config, store
from compliance.core.accreditation_schemes import Schemes
from compliance.core.roles import ROLES
from compliance.core.sectors import Sectors
from compliance.core.text import london
from compliance.demo import plan as demo_plan
from compliance.demo import returns as demo_returns
from compliance.services import accreditations
from compliance.services.passwords import hash_password

DEMO_FILE = Path(__file__).with_name("demo.toml")


def demo_data(path: Path = DEMO_FILE, *, sectors: Sectors | None = None, schemes: Schemes | None = None) -> dict:
    """The demo partnership as plain data, checked against the role list and, when given, the sectors and the
    accreditation schemes."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    names = {organisation["name"] for organisation in data["organisations"]}
    for organisation in data["organisations"]:
        if sectors is not None and organisation["sector"] not in sectors:
            raise ValueError(f"{path}: organisation {organisation['name']!r} is in the sector "
                             f"{organisation['sector']!r}, which the partnership's sectors do not have; load the "
                             "demo with the shipped sectors file")
    for person in data["people"]:
        if person["role"] not in ROLES or person.get("organisation", next(iter(names))) not in names:
            raise ValueError(f"{path}: person {person['email']!r} has an unknown role or organisation")
    for held in data.get("accreditations", []):
        scheme = schemes.get(held["scheme"]) if schemes is not None else None
        if held["organisation"] not in names or (schemes is not None and (
                scheme is None or held.get("level", "") not in (scheme.levels or ("",)))):
            raise ValueError(f"{path}: the {held['organisation']!r} accreditation names an unknown organisation, "
                             "scheme or level; load the demo with the shipped accreditation schemes file")
    return data


def load_demo(db: Database, *, now: datetime, sectors: Sectors, schemes: Schemes | None = None) -> dict:
    """Create or refresh the demo organisations, sign-ins and accreditations, and add the demo's plan and cycles
    once; returns what is there. schemes: the accreditation schemes (by default the shipped list)."""
    schemes = schemes if schemes is not None else config.read_accreditation_schemes(
        config.DEFAULTS["ACCREDITATIONS_FILE"])
    data = demo_data(sectors=sectors, schemes=schemes)
    password_hash = hash_password(data["password"])
    with db.atomic():
        ids = {o["name"]: store.upsert_organisation(db, demo=True, now=now, **o) for o in data["organisations"]}
        for person in data["people"]:
            _ensure_person(db, person, ids, password_hash, now=now)
        _ensure_accreditations(db, data.get("accreditations", []), ids, schemes, now=now)
        contacts = {o["contact_name"]: o["name"] for o in data["organisations"] if o.get("contact_name")}
        demo_plan.load_demo_plan(lambda values: demo_plan.save_plan(db, values, contacts=contacts,
                                                                    password_hash=password_hash, now=now),
                                 today=london(now).date())
        demo_returns.load_demo_cycles(db, password_hash=password_hash, today=now.date(), now=now,
                                      framework_order=data.get("framework_order", []))
    return {"organisations": len(ids), "people": data["people"], "password": data["password"]}


def summary_lines(summary: dict) -> list[str]:
    """What `flask --app wsgi demo` and a server started with the demo print: the sign-ins to try."""
    lines = [f"Demo partnership: {summary['organisations']} fictional organisations loaded.",
             f"Demo sign-ins (password for all: {summary['password']}):"]
    for person in summary["people"]:
        where = f", {person['organisation']}" if person.get("organisation") else ""
        lines.append(f"  {person['email']:<34} {ROLES[person['role']]}{where}")
    return lines


def _ensure_accreditations(db: Database, held: list[dict], ids: dict, schemes: Schemes, *, now: datetime) -> None:
    """The demo's accreditations, recorded by the coordinator, for each organisation that has none yet."""
    admin = store.user_by_email(db, "coordinator@demo.example")
    actor = store.Actor(admin["id"], admin["email"]) if admin else store.SYSTEM
    bare = {name for name, organisation_id in ids.items()
            if not store.organisation_accreditations(db, organisation_id)}
    for item in held:
        if item["organisation"] not in bare:
            continue
        values = {"scheme": item["scheme"], "scheme_name": schemes[item["scheme"]].name,
                  "level": item.get("level", ""), "reference": item.get("reference", ""),
                  "awarded_on": (now.date() - timedelta(days=item["awarded_days_ago"])).isoformat(),
                  "expires_on": (now.date() + timedelta(days=item["expires_in_days"])).isoformat()
                  if "expires_in_days" in item else None}
        accreditations.add(db, "", ids[item["organisation"]], values,
                           accreditations.Evidence(accreditations.LINK, url=item["evidence_url"]), actor=actor,
                           now=now)


def _ensure_person(db: Database, person: dict, ids: dict, password_hash: str, *, now: datetime) -> None:
    if store.user_by_email(db, person["email"]) is not None:
        return  # already there: a second load changes nothing, not even a password the tester changed
    store.create_user(db, email=person["email"], name=person["name"], job_title=person.get("job_title", ""),
                      role=person["role"], organisation_id=ids.get(person.get("organisation")),
                      password_hash=password_hash, demo=True, actor=store.SYSTEM, now=now)
