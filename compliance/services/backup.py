"""Backup and restore of the database and its evidence files, for `flask --app wsgi backup|restore`.

Plain functions on paths (no Flask): `backup()` and `restore()` return a result or raise `Refused`, whose
`problems` say what is wrong and how to fix it.

Decisions a reader needs:
- A backup folder holds `database.sqlite`, `evidence/<sha256[:2]>/<sha256>` and `manifest.json`. The database
  is copied first, with SQLite's online backup API in one step, so it is a consistent snapshot even while the
  server writes. The copy is switched to rollback-journal mode so it is one self-contained file (no -wal).
- Then the evidence files that the *copy's* evidence rows reference are copied, each checked against its
  SHA-256 while it is copied. A file uploaded during the backup whose row is not in the copy is not needed.
- A referenced file that is missing or damaged fails the backup loudly (every such item named, exit 1). The
  rest is still copied, so an operator can salvage by hand, but no manifest is written: a folder without
  `manifest.json` is never restorable. The only fix is to put the original file back (evidence rows can
  never be deleted), then back up again.
- Every file is written under a temporary name and renamed; the manifest is written last.
- Restore checks the whole backup first (every file present, every size and SHA-256, the migrations known to
  this version) and changes nothing if anything is wrong. It refuses a target holding data (any row beyond
  the framework catalogue, which is reloaded from files, or any evidence file) unless forced, and refuses
  while another connection has the database open (an exclusive lock in WAL mode fails even against idle
  connections; but a server between requests holds none, hence "stop the server first").
- Restore never deletes: whatever was there, the database with its -wal and -shm files and the evidence
  folder, is moved aside to `<name>.before-restore-<time>`.
  The new database and evidence are staged next to their targets and checked (`PRAGMA integrity_check`, and
  every file its evidence rows use is in the manifest), put back in WAL mode, then renamed into place.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from compliance.store import db, migrations
from compliance.store.files import evidence_path, fsync_folder, written_then_renamed

FORMAT = "compliance-backup/1"
MANIFEST = "manifest.json"
DATABASE_NAME = "database.sqlite"
COUNTED = ("organisations", "returns", "evidence")
NOT_DATA = {"_sqlite_migrations", "frameworks"}  # bookkeeping and the catalogue reloaded from files
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


class Refused(Exception):
    """The backup or restore was refused or failed; each problem says what is wrong and how to fix it."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CopiedFile:
    """One file of a backup: its path inside the backup folder, SHA-256, size and the evidence rows using it."""

    path: str
    sha256: str
    size: int
    evidence: tuple[tuple[int, str], ...] = ()

    def describe(self) -> str:
        items = ", ".join(f'evidence {item_id} "{title}"' for item_id, title in self.evidence)
        return f"{self.path} ({items})" if items else self.path


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, written last as manifest.json."""

    created_at: str
    database: CopiedFile
    files: tuple[CopiedFile, ...]
    migrations: tuple[str, ...]
    counts: dict[str, int]

    def to_json(self) -> str:
        def entry(f: CopiedFile) -> dict:
            return {"path": f.path, "sha256": f.sha256, "size": f.size,
                    "evidence": [{"id": i, "title": t} for i, t in f.evidence]}
        return json.dumps({"format": FORMAT, "created_at": self.created_at, "database": entry(self.database),
                           "files": [entry(f) for f in self.files], "migrations": list(self.migrations),
                           "counts": self.counts}, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """The manifest; ValueError (or KeyError, TypeError) if it is not one this version writes."""
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"its format is {data.get('format')!r}, not {FORMAT!r}")

        def entry(d: dict) -> CopiedFile:
            return CopiedFile(str(d["path"]), str(d["sha256"]), int(d["size"]),
                              tuple((int(e["id"]), str(e["title"])) for e in d.get("evidence", [])))
        return cls(str(data["created_at"]), entry(data["database"]), tuple(entry(f) for f in data["files"]),
                   tuple(str(m) for m in data["migrations"]), {str(k): int(v) for k, v in data["counts"].items()})


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the backup's manifest, what it moved aside, and the restored database's check."""

    manifest: Manifest
    moved_aside: list[tuple[Path, Path]]
    integrity: str
    counts: dict[str, int]


# ---- backup


def backup(database: Path, evidence_dir: Path, dest: Path, *, now: datetime) -> Manifest:
    """Copy the database, then the evidence files its rows use, then write the manifest; Refused if not all.

    A destination that runs out of space is refused in those words, and what was copied into it is removed.
    """
    if not database.is_file():
        raise Refused([f"There is no database at {database}: check COMPLIANCE_DATABASE"])
    _prepare_destination(dest)
    try:
        return _backup_into(database, evidence_dir, dest, now=now)
    except (OSError, sqlite3.DatabaseError, Refused) as error:
        if not _out_of_space(error):
            raise
        shutil.rmtree(dest, ignore_errors=True)  # it was empty or new: nothing but this backup's copies is in it
        raise Refused([f"The disk holding {dest} ran out of space, so the backup could not be made; nothing of it "
                       f"was kept. Back up to a disk with more free space (the database and evidence files need "
                       f"about {_size_needed(database, evidence_dir) // (1024 * 1024) + 1} MB)"]) from None


def _out_of_space(error: BaseException) -> bool:
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    if isinstance(error, Refused):
        return any("disk is full" in problem or "No space left" in problem for problem in error.problems)
    return "disk is full" in str(error)


def _size_needed(database: Path, evidence_dir: Path) -> int:
    files = [database, *(p for p in Path(evidence_dir).rglob("*") if p.is_file())] if Path(evidence_dir).exists() \
        else [database]
    return sum(p.stat().st_size for p in files)


def _backup_into(database: Path, evidence_dir: Path, dest: Path, *, now: datetime) -> Manifest:
    copied_db = _copy_database(database, dest)
    migrations, counts, referenced = _describe(dest / DATABASE_NAME)
    files, problems = _copy_evidence(evidence_dir, dest, referenced)
    if problems:
        raise Refused(problems + [f"{dest} has no {MANIFEST}, so it cannot be restored. Put each file named above "
                                  f"back in place (from an earlier backup, or from the organisation that uploaded "
                                  f"it), then back up into a new folder"])
    manifest = Manifest(now.isoformat(timespec="seconds"), copied_db, tuple(files), tuple(migrations), counts)
    with written_then_renamed(dest / MANIFEST) as file:
        file.write(manifest.to_json().encode("utf-8"))
    return manifest


def _prepare_destination(dest: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise Refused([f"{dest} is a file, not a folder: choose a new folder for the backup"])
    if dest.is_dir() and any(dest.iterdir()):
        raise Refused([f"{dest} is not empty: choose a new folder for the backup (it will be created), "
                       f"or an empty one"])
    try:
        dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise Refused([f"{dest} cannot be made ({error.strerror}): choose a folder you can write to"]) from None


def _copy_database(database: Path, dest: Path) -> CopiedFile:
    """SQLite's online backup in one step (a snapshot, even while others write), renamed into place."""
    partial = dest / f".{DATABASE_NAME}.partial"
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # it holds password hashes
    source = sqlite3.connect(str(database), timeout=db.BUSY_TIMEOUT_MS / 1000)
    target = sqlite3.connect(str(partial))
    try:
        source.backup(target)  # every page in one step: one read transaction, so one consistent snapshot
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        integrity = _integrity(target)
    except sqlite3.DatabaseError as error:
        integrity = str(error)
    finally:
        target.close()
        source.close()
    if integrity != "ok":
        partial.unlink()
        raise Refused([f"The copy of {database} fails SQLite's integrity check ({integrity}): keep every earlier "
                       f"backup, and have the database checked before anything else is done with it"])
    with open(partial, "rb+") as file:
        os.fsync(file.fileno())
    final = dest / DATABASE_NAME
    os.replace(partial, final)
    fsync_folder(dest)
    sha256, size = _hash(final)
    return CopiedFile(DATABASE_NAME, sha256, size)


def _describe(copy: Path) -> tuple[list[str], dict[str, int], dict[str, list[tuple[int, str]]]]:
    """The copy's migrations, counts, and the evidence rows using each stored file, by SHA-256."""
    conn = _read_only(copy)
    try:
        referenced: dict[str, list[tuple[int, str]]] = {}
        if "evidence" in _tables(conn):
            for item_id, title, sha256 in conn.execute(
                    "SELECT id, title, sha256 FROM evidence WHERE kind = 'file' ORDER BY id"):
                referenced.setdefault(sha256, []).append((item_id, title))
        if "query_evidence" in _tables(conn):  # files added to replies to auditors' queries
            for item_id, title, sha256 in conn.execute(
                    "SELECT id, 'File added to a query: ' || filename, sha256 FROM query_evidence ORDER BY id"):
                referenced.setdefault(sha256, []).append((item_id, title))
        return migrations.applied_migrations(Database(conn)), _counts(conn), referenced
    finally:
        conn.close()


def _copy_evidence(evidence_dir: Path, dest: Path,
                   referenced: dict[str, list[tuple[int, str]]]) -> tuple[list[CopiedFile], list[str]]:
    files, problems = [], []
    for sha256, items in sorted(referenced.items()):
        entry = CopiedFile(f"evidence/{sha256[:2]}/{sha256}", sha256, 0, tuple(items))
        try:
            size = _copy_verified(evidence_path(evidence_dir, sha256), dest / entry.path, sha256)
        except FileNotFoundError:
            problems.append(f"{entry.describe()}: the file is missing from {evidence_dir}")
        except (ValueError, OSError) as error:
            problems.append(f"{entry.describe()}: {error}")
        else:
            files.append(CopiedFile(entry.path, sha256, size, entry.evidence))
    return files, problems


# ---- restore


def check_backup(folder: Path) -> Manifest:
    """The backup's manifest, once every file in it is present and matches; Refused listing every problem."""
    manifest_file = folder / MANIFEST
    if not manifest_file.is_file():
        raise Refused([f"{folder} has no {MANIFEST}: it is not a backup, or its backup did not finish. "
                       f"Choose a folder written by `flask --app wsgi backup`"])
    try:
        manifest = Manifest.from_json(manifest_file.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Refused([f"{manifest_file} cannot be read ({error}): choose a complete backup"]) from None
    problems = [] if manifest.database.path == DATABASE_NAME else [f"{manifest_file} names an unexpected "
                                                                   f"database file {manifest.database.path}"]
    for entry in (manifest.database, *manifest.files):
        problems.extend(_check_file(folder, entry))
    unknown = sorted(set(manifest.migrations) - _known_migrations())
    if unknown:
        problems.append(f"The backup was made by a newer version of the service (migrations unknown here: "
                        f"{', '.join(unknown)}): upgrade the service, then restore")
    if problems:
        raise Refused(problems)
    return manifest


def _check_file(folder: Path, entry: CopiedFile) -> list[str]:
    expected = DATABASE_NAME if entry.path == DATABASE_NAME else f"evidence/{entry.sha256[:2]}/{entry.sha256}"
    if entry.path != expected or not _SHA256.fullmatch(entry.sha256):
        return [f"{entry.path}: not a file a backup writes (the manifest has been edited)"]
    path = folder / entry.path
    if not path.is_file():
        return [f"{entry.describe()}: the file is missing from the backup"]
    sha256, size = _hash(path)
    if (sha256, size) != (entry.sha256, entry.size):
        return [f"{entry.describe()}: its contents have changed since the backup (SHA-256 or size differs)"]
    return []


def restore(backup_dir: Path, database: Path, evidence_dir: Path, *, force: bool, now: datetime) -> RestoreResult:
    """Replace the database and evidence folder with a checked backup's; what was there is moved aside."""
    manifest = check_backup(backup_dir)
    _check_target(database, evidence_dir, force=force)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    staged_db = None
    try:
        staged_db = _stage_database(backup_dir, manifest, database, stamp)
        staged_evidence = _stage_evidence(backup_dir, manifest, evidence_dir, stamp)
    except BaseException as error:
        if staged_db is not None:
            staged_db.unlink(missing_ok=True)
        if isinstance(error, (ValueError, OSError, sqlite3.DatabaseError)):  # changed under us, or not writable
            raise Refused([f"The backup could not be copied into place ({error}): check the backup again and "
                           f"that the service's folders can be written to, then restore again"]) from None
        raise
    moved = _move_aside(database, evidence_dir, stamp)
    os.replace(staged_db, database)
    os.replace(staged_evidence, evidence_dir)
    fsync_folder(database.parent)
    fsync_folder(evidence_dir.parent)
    conn = sqlite3.connect(str(database))  # not read-only: closing it removes the -wal and -shm it opens
    try:
        return RestoreResult(manifest, moved, _integrity(conn), _counts(conn))
    finally:
        conn.close()


def _check_target(database: Path, evidence_dir: Path, *, force: bool) -> None:
    """Refuse while the database is open elsewhere, or when it holds data and force is not given."""
    held = []
    if database.exists() and _holds_data(database):
        held.append(f"The database {database} already holds data")
    if evidence_dir.is_dir() and any(p.is_file() for p in evidence_dir.rglob("*")):
        held.append(f"The evidence folder {evidence_dir} already holds files")
    if held and not force:
        raise Refused(held + ["To replace them, run restore again with --force: what is there now is moved aside "
                              "to <name>.before-restore-<time>, not deleted"])


def _holds_data(database: Path) -> bool:
    """Whether any table but the framework catalogue has a row; Refused while another connection is open."""
    conn = sqlite3.connect(str(database), timeout=0.5)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")  # fails while any other connection, even an idle one, is open
        # bandit B608: table names come from sqlite_master of our own database, quoted
        found = any(conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in _tables(conn) - NOT_DATA)  # nosec B608
        conn.rollback()
        return found
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise Refused([f"{database} is in use by another program: stop the server (and any other "
                           f"`flask` command), then restore again"]) from None
        return True  # unreadable: treat as data, so only --force replaces it
    except sqlite3.DatabaseError:
        return True
    finally:
        conn.close()  # the last connection: SQLite folds the -wal file into the database


def _stage_database(backup_dir: Path, manifest: Manifest, database: Path, stamp: str) -> Path:
    database.parent.mkdir(parents=True, exist_ok=True)
    staged = database.with_name(f".{database.name}.restore-{stamp}")
    _copy_verified(backup_dir / manifest.database.path, staged, manifest.database.sha256)
    conn = sqlite3.connect(str(staged))
    try:
        integrity = _integrity(conn)
        needed = {row[0] for row in conn.execute("SELECT sha256 FROM evidence WHERE kind = 'file'")} \
            if "evidence" in _tables(conn) else set()
        if integrity == "ok":  # as the service runs it; closing the only connection leaves no -wal or -shm
            conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    problems = [] if integrity == "ok" else [f"The backup's database fails SQLite's integrity check: {integrity}"]
    missing = sorted(needed - {f.sha256 for f in manifest.files})
    if missing:
        problems.append(f"The backup's database uses evidence files its manifest does not list: {', '.join(missing)}")
    if problems:
        staged.unlink()
        raise Refused(problems)
    return staged


def _stage_evidence(backup_dir: Path, manifest: Manifest, evidence_dir: Path, stamp: str) -> Path:
    staged = evidence_dir.with_name(f".{evidence_dir.name}.restore-{stamp}")
    staged.mkdir(mode=0o700, parents=True)
    try:
        for entry in manifest.files:
            _copy_verified(backup_dir / entry.path, evidence_path(staged, entry.sha256), entry.sha256)
    except BaseException:
        shutil.rmtree(staged)  # only our own half-made copy
        raise
    return staged


def _move_aside(database: Path, evidence_dir: Path, stamp: str) -> list[tuple[Path, Path]]:
    """Rename the database with its -wal and -shm, and the evidence folder, to <name>.before-restore-<time>."""
    suffix = f".before-restore-{stamp}"
    n = 1
    while any(Path(f"{p}{suffix}").exists() for p in (database, evidence_dir)):
        n += 1
        suffix = f".before-restore-{stamp}-{n}"
    moved = []
    for path, aside in ((database, Path(f"{database}{suffix}")),
                        *((Path(f"{database}{s}"), Path(f"{database}{suffix}{s}")) for s in ("-wal", "-shm")),
                        (evidence_dir, Path(f"{evidence_dir}{suffix}"))):
        if path.exists():
            os.replace(path, aside)
            moved.append((path, aside))
    return moved


# ---- files and SQLite


def _copy_verified(source: Path, target: Path, sha256: str) -> int:
    """Copy, checking the SHA-256 on the way; ValueError (and nothing written) if it does not match."""
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as reader, written_then_renamed(target) as writer:  # a missing source: nothing made
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
        if digest.hexdigest() != sha256:
            raise ValueError(f"the file {source} no longer matches its SHA-256 (it is damaged or was changed)")
    return size


def _hash(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _known_migrations() -> set[str]:
    """Every migration this version has: all of them are pending on an empty database."""
    empty = Database(sqlite3.connect(":memory:"))
    try:
        return set(migrations.pending_migrations(empty))
    finally:
        empty.close()


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%'")}


def _integrity(conn: sqlite3.Connection) -> str:
    return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = _tables(conn)
    # bandit B608: t is one of COUNTED, this module's own table names
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] if t in tables else 0 for t in COUNTED}  # nosec B608
    if "evidence" in tables:
        counts["evidence_files"] = conn.execute(
            "SELECT count(DISTINCT sha256) FROM evidence WHERE kind = 'file'").fetchone()[0]
    return counts
