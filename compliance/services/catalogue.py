"""Keeping the database's framework versions in step with the files in questionnaires/."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from compliance import store
from compliance.core import frameworks as fw


@dataclass(frozen=True)
class SyncResult:
    added: tuple[str, ...]
    errors: tuple[str, ...]


def sync_folder(db: Database, folder: str | Path, *, now: datetime) -> SyncResult:
    """Validate every file in the folder and store the new versions; a bad file is skipped whole."""
    paths = fw.framework_files(folder)
    result = fw.load_all(paths, known=store.stored_frameworks(db))
    sources = {str(path): path.read_text(encoding="utf-8") for path in paths}
    added, errors = store.store_frameworks(db, result.frameworks, sources, now=now)
    return SyncResult(tuple(added), tuple(result.errors) + tuple(errors))


_parsed: dict[tuple[str, str], fw.Framework] = {}


def framework(db: Database, key: str, sha256: str) -> fw.Framework:
    """A stored framework version, parsed once per process (a version never changes, so caching is safe)."""
    cached = _parsed.get((key, sha256))
    if cached is None:
        name, text = store.framework_source(db, key)
        cached = _parsed[(key, sha256)] = fw.parse(text, name=name)
    return cached


def latest_frameworks(db: Database) -> list[fw.Framework]:
    """The most recently loaded version of each framework, by framework title."""
    newest: dict[str, dict] = {}
    for row in store.framework_rows(db):
        if row["id"] not in newest or row["loaded_at"] >= newest[row["id"]]["loaded_at"]:
            newest[row["id"]] = row
    loaded = [framework(db, row["key"], row["sha256"]) for row in newest.values()]
    return sorted(loaded, key=lambda f: f.title)
