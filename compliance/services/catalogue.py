"""Keeping the database's framework versions in step with the files in questionnaires/."""
from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from compliance import store
from compliance.core import frameworks as fw
from compliance.core.sectors import Sectors


@dataclass(frozen=True)
class SyncResult:
    added: tuple[str, ...]
    errors: tuple[str, ...]


def sync_folder(db: Database, folder: str | Path, *, now: datetime, sectors: Sectors) -> SyncResult:
    """Validate every file in the folder and store the new versions; a bad file (one naming a sector the
    partnership does not have, for one) is skipped whole."""
    paths = fw.framework_files(folder)
    result = fw.load_all(paths, sectors=sectors, known=store.stored_frameworks(db))
    sources = {str(path): path.read_text(encoding="utf-8") for path in paths}
    added, errors = store.store_frameworks(db, result.frameworks, sources, now=now)
    return SyncResult(tuple(added), tuple(result.errors) + tuple(errors))


_parsed: dict[tuple[str, str], fw.Framework] = {}


def framework(db: Database, key: str, sha256: str) -> fw.Framework:
    """A stored framework version, parsed once per process (a version never changes, so caching is safe)."""
    cached = _parsed.get((key, sha256))
    if cached is None:
        name, text = store.framework_source(db, key)
        # sectors=None: a stored version was checked when it was loaded, and stays readable if the list changes.
        cached = _parsed[(key, sha256)] = fw.parse(text, name=name, sectors=None)
    return cached


def latest_frameworks(db: Database) -> list[fw.Framework]:
    """The newest version of each framework (by version number), by framework title."""
    loaded = [framework(db, row["key"], row["sha256"]) for row in fw.newest_versions(store.framework_rows(db))]
    return sorted(loaded, key=lambda f: f.title)


MAX_UPLOAD_BYTES = 1024 * 1024
MAX_NAME = 100  # the checked copy is written under this name: a file system refuses names over 255 bytes


@dataclass(frozen=True)
class Upload:
    """What loading an uploaded framework file did: the framework loaded, or why not (and each problem)."""
    framework: fw.Framework | None
    problem: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)


def load_upload(db: Database, name: str, data: bytes, *, actor: store.Actor, now: datetime,
                sectors: Sectors) -> Upload:
    """Check an uploaded file as start-up checks a folder's files, and store it only if it has no problem."""
    if not name.lower().endswith(".toml"):
        return Upload(None, "The selected file must be a TOML file: its name must end in .toml")
    name = name if len(name) <= MAX_NAME else name[:MAX_NAME - len(".toml")] + ".toml"  # ASCII: chars are bytes
    if len(data) > MAX_UPLOAD_BYTES:
        return Upload(None, "The selected file must be smaller than 1 MB")
    if not data:
        return Upload(None, "The selected file is empty")
    # load_all takes paths, so the upload is checked from a file of its own name in a folder of its own.
    with tempfile.TemporaryDirectory(prefix="framework-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        result = fw.load_all([path], sectors=sectors, known=store.stored_frameworks(db))
        # Read back as sync_folder reads a folder's files, so both store the same text.
        text = path.read_text(encoding="utf-8") if result.frameworks else ""
    prefixes = (f"{path}: ", f"{name}: ")
    if result.errors:
        return Upload(None, _problems_message(len(result.errors)), _split(result.errors, prefixes))
    loaded = dataclasses.replace(result.frameworks[0], path=name)
    added, errors = store_version(db, loaded, text, actor=actor, now=now)
    if errors:
        return Upload(None, _problems_message(len(errors)), _split(errors, prefixes))
    if not added:
        return Upload(None, f"This version is already loaded: version {loaded.version} of {loaded.title}, "
                            "with exactly this content. Nothing has changed")
    return Upload(loaded)


def store_version(db: Database, loaded: fw.Framework, text: str, *, actor: store.Actor, now: datetime
                  ) -> tuple[list[str], list[str]]:
    """Store a checked framework version from the text it was parsed from (its path is the name it came in), and
    record who loaded it; a changed id@version is refused by the store. Returns (added, errors)."""
    with db.atomic():
        added, errors = store.store_frameworks(db, [loaded], {loaded.path: text}, now=now)
        if added:
            store.record(db, actor, action="framework-loaded", object_type="framework", object_id=loaded.key,
                         now=now, new={"id": loaded.id, "version": loaded.version, "title": loaded.title,
                                       "status": loaded.status, "requirements": len(loaded.requirements),
                                       "sha256": loaded.sha256, "file": loaded.path})
    return added, errors


def _problems_message(count: int) -> str:
    return (f"The selected file has {count} problem{'' if count == 1 else 's'}, listed below. Nothing has been "
            "loaded. Fix every problem and upload the file again")


def _split(errors, prefixes: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each "name: place: problem" line as (place, problem), without the uploaded file's name."""
    found = []
    for error in errors:
        for prefix in prefixes:
            if error.startswith(prefix):
                error = error[len(prefix):]
                break
        place, _, problem = error.partition(": ")
        found.append((place, problem) if problem else ("(file)", place))
    return found
