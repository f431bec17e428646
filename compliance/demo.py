"""The fictional demo partnership, loaded by `flask --app wsgi demo`; loading it twice changes nothing."""
from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from . import store
from .sectors import SECTORS

DEMO_FILE = Path(__file__).with_name("demo.toml")


def demo_data(path: Path = DEMO_FILE) -> dict:
    """The demo partnership as plain data, checked against the sector list."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for organisation in data["organisations"]:
        if organisation["sector"] not in SECTORS:
            raise ValueError(f"{path}: organisation {organisation['name']!r} has unknown sector {organisation['sector']!r}")
    return data


def load_demo(db: Database, *, now: datetime) -> dict:
    """Create or refresh the demo organisations; returns counts of what is there."""
    data = demo_data()
    with db.atomic():
        for organisation in data["organisations"]:
            store.upsert_organisation(db, demo=True, now=now, **organisation)
    return {"organisations": len(data["organisations"])}
