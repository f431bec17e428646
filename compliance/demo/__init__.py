"""The fictional demo partnership, loaded by `flask --app wsgi demo`; loading it twice changes nothing."""
from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from compliance import store
from compliance.core.roles import ROLES
from compliance.core.sectors import Sectors
from compliance.demo import returns as demo_returns
from compliance.services.passwords import hash_password

DEMO_FILE = Path(__file__).with_name("demo.toml")


def demo_data(path: Path = DEMO_FILE, *, sectors: Sectors | None = None) -> dict:
    """The demo partnership as plain data, checked against the role list and, when given, the sectors."""
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
    return data


def load_demo(db: Database, *, now: datetime, sectors: Sectors) -> dict:
    """Create or refresh the demo organisations and sign-ins; returns what is there."""
    data = demo_data(sectors=sectors)
    password_hash = hash_password(data["password"])
    with db.atomic():
        ids = {o["name"]: store.upsert_organisation(db, demo=True, now=now, **o) for o in data["organisations"]}
        for person in data["people"]:
            _ensure_person(db, person, ids, password_hash, now=now)
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


def _ensure_person(db: Database, person: dict, ids: dict, password_hash: str, *, now: datetime) -> None:
    if store.user_by_email(db, person["email"]) is not None:
        return  # already there: a second load changes nothing, not even a password the tester changed
    store.create_user(db, email=person["email"], name=person["name"], job_title=person.get("job_title", ""),
                      role=person["role"], organisation_id=ids.get(person.get("organisation")),
                      password_hash=password_hash, demo=True, actor=store.SYSTEM, now=now)
