"""Backup and restore through the CLI, on real SQLite files and real evidence files: a round trip that keeps
every row and every byte, a backup taken while answers are being saved, and the refusals (a tampered backup,
a target that holds data, a folder that is not empty, a damaged evidence file)."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from compliance import demo, store
from compliance.core import filetypes as uploads
from compliance.services.backup import MANIFEST
from compliance.store import db, migrations
from compliance.store import files as evidence_files
from tests.builders import SECTORS, make_app

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
MINUTES = b"Minutes of the MARAC steering group, 3 March 2026\n"
TRAINING = b"name,course,date\nA. Person,DA awareness,2026-02-01\n"


def _add_file(app, database, organisation_id: int, data: bytes, filename: str, title: str) -> int:
    accepted = uploads.check_upload(data, filename, max_bytes=1_000_000)
    evidence_files.store_file(app.config["EVIDENCE_DIR"], data, accepted.sha256)
    return store.add_evidence(database, organisation_id, {
        "kind": "file", "title": title, "filename": accepted.filename, "content_type": accepted.content_type,
        "size": accepted.size, "sha256": accepted.sha256, "effective_date": "2025-04-01"},
        actor=store.SYSTEM, now=NOW)


def _demo_app(folder: Path, files: list[tuple[bytes, str, str]]):
    """An app in its own folder with the demo partnership and these evidence files (data, name, title)."""
    app = make_app(folder)
    database = db.connect(app.config["DATABASE"])
    try:
        demo.load_demo(database, now=NOW, sectors=SECTORS)
        police = store.organisation_named(database, "Brackenford Police")
        for data, filename, title in files:
            _add_file(app, database, police["id"], data, filename, title)
    finally:
        database.close()
    return app


@pytest.fixture
def source(tmp_path):
    # The same minutes twice (stored once) and a training record.
    return _demo_app(tmp_path / "source", [(MINUTES, "minutes.txt", "MARAC minutes"),
                                           (MINUTES, "minutes-copy.txt", "MARAC minutes (again)"),
                                           (TRAINING, "training.csv", "Training record")])


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def tables(path: str | Path) -> dict[str, list[tuple]]:
    """Every table's full rows in rowid order, and the schema itself."""
    conn = sqlite3.connect(str(path))
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        found = {name: conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall() for name in names}
        found["(schema)"] = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
        return found
    finally:
        conn.close()


def files(folder: str | Path) -> dict[str, bytes]:
    folder = Path(folder)
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def integrity(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_restored_into_a_new_instance_has_every_row_and_every_evidence_byte(source, tmp_path):
    result = run(source, "backup", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    assert "Evidence files copied: 2" in result.output
    assert "Counts: 13 organisations, 26 returns" in result.output
    assert "Backup complete" in result.output

    manifest = json.loads((tmp_path / "backup" / MANIFEST).read_text(encoding="utf-8"))
    expected = {hashlib.sha256(data).hexdigest(): len(data) for data in (MINUTES, TRAINING)}
    assert {f["path"]: (f["sha256"], f["size"]) for f in manifest["files"]} == {
        f"evidence/{sha[:2]}/{sha}": (sha, size) for sha, size in expected.items()}
    copy = (tmp_path / "backup" / "database.sqlite").read_bytes()
    assert manifest["database"]["sha256"] == hashlib.sha256(copy).hexdigest()
    titles = sorted(e["title"] for f in manifest["files"] for e in f["evidence"])
    assert titles == ["MARAC minutes", "MARAC minutes (again)", "Training record"]
    source_db = db.connect(source.config["DATABASE"])
    assert manifest["migrations"] == migrations.applied_migrations(source_db)
    source_db.close()
    assert manifest["counts"]["organisations"] == 13

    target = make_app(tmp_path / "target")
    restored = run(target, "restore", str(tmp_path / "backup"))
    assert restored.exit_code == 0, restored.output
    assert "integrity check: ok" in restored.output
    assert "Counts: 13 organisations, 26 returns" in restored.output
    assert tables(target.config["DATABASE"]) == tables(source.config["DATABASE"])
    assert files(target.config["EVIDENCE_DIR"]) == files(source.config["EVIDENCE_DIR"])
    assert len(files(target.config["EVIDENCE_DIR"])) == 2
    assert not list((tmp_path / "target").glob("compliance.sqlite-*")), "a -wal or -shm file was left behind"
    # The restored service serves the restored data.
    assert target.test_client().get("/healthz").get_json()["status"] == "ok"


def _police_answer(path: str) -> tuple[int, str, str]:
    database = db.connect(path)
    try:
        police = store.organisation_named(database, "Brackenford Police")
        current = next(r for r in store.returns_for_organisation(database, police["id"])
                       if r["status"] == "in-progress")
        answer = next(iter(store.answers_for_return(database, current["id"]).values()))
        return current["id"], answer["framework_key"], answer["requirement_id"]
    finally:
        database.close()


def _changes(path: Path, return_id: int, framework_key: str, requirement_id: str) -> tuple[int, int]:
    """The answer's revision and the number of audit rows recording a change to it."""
    conn = sqlite3.connect(str(path))
    try:
        answer_id, revision = conn.execute(
            "SELECT id, revision FROM answers WHERE return_id = ? AND framework_key = ? AND requirement_id = ?",
            [return_id, framework_key, requirement_id]).fetchone()
        audited = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'answer-changed' AND object_id = ?",
                               [str(answer_id)]).fetchone()[0]
        return revision, audited
    finally:
        conn.close()


def test_a_backup_taken_while_answers_are_being_saved_is_a_consistent_snapshot(source, tmp_path):
    path = source.config["DATABASE"]
    key = _police_answer(path)
    revision_before, audited_before = _changes(Path(path), *key)
    stop, saved, errors = threading.Event(), [0], []

    def keep_saving() -> None:
        database = db.connect(path)
        try:
            while not stop.is_set():
                current = store.answer(database, *key)
                store.save_answer(database, *key, {"rating": current["rating"], "reason": current["reason"],
                                                   "narrative": f"Saved {saved[0]} times"},
                                  revision=current["revision"], actor=store.SYSTEM, now=datetime.now(timezone.utc))
                saved[0] += 1
        except Exception as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            database.close()

    writer = threading.Thread(target=keep_saving)
    writer.start()
    try:
        while saved[0] < 3 and writer.is_alive():
            time.sleep(0.01)
        during = []
        for n in range(3):
            before = saved[0]
            result = run(source, "backup", str(tmp_path / f"backup-{n}"))
            assert result.exit_code == 0, result.output
            during.append(saved[0] - before)
    finally:
        stop.set()
        writer.join()
    assert not errors
    assert sum(during) > 0, "the writer saved nothing while the backups ran"
    for n in range(3):
        copy = tmp_path / f"backup-{n}" / "database.sqlite"
        assert integrity(copy) == "ok"
        revision, audited = _changes(copy, *key)
        # Each save adds one revision and one audit row in one transaction: a snapshot has both or neither.
        assert revision - revision_before == audited - audited_before > 0


@pytest.mark.parametrize("tampered", ["evidence", "database"])
def test_restore_refuses_a_tampered_backup_naming_the_file_and_changes_nothing(source, tmp_path, tampered):
    assert run(source, "backup", str(tmp_path / "backup")).exit_code == 0
    sha256 = hashlib.sha256(TRAINING).hexdigest()
    name = f"evidence/{sha256[:2]}/{sha256}" if tampered == "evidence" else "database.sqlite"
    data = bytearray((tmp_path / "backup" / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / "backup" / name).write_bytes(bytes(data))
    target = make_app(tmp_path / "target")
    before = files(tmp_path / "target")

    result = run(target, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 1
    assert f"Error: {name}" in result.output and "its contents have changed since the backup" in result.output
    if tampered == "evidence":
        assert '"Training record"' in result.output
    assert "Restore refused: nothing has been changed." in result.output
    assert files(tmp_path / "target") == before


def test_restore_refuses_a_backup_made_by_a_newer_version(source, tmp_path):
    assert run(source, "backup", str(tmp_path / "backup")).exit_code == 0
    manifest = tmp_path / "backup" / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["migrations"].append("0099_from_the_future")
    manifest.write_text(json.dumps(data), encoding="utf-8")
    result = run(make_app(tmp_path / "target"), "restore", str(tmp_path / "backup"))
    assert result.exit_code == 1
    assert "newer version of the service (migrations unknown here: 0099_from_the_future)" in result.output


def test_restore_refuses_a_folder_without_a_manifest(source, tmp_path):
    (tmp_path / "not-a-backup").mkdir()
    result = run(source, "restore", str(tmp_path / "not-a-backup"))
    assert result.exit_code == 1
    assert "has no manifest.json" in result.output


def test_restore_refuses_a_target_with_data_unless_forced_and_then_moves_it_aside(source, tmp_path):
    assert run(source, "backup", str(tmp_path / "backup")).exit_code == 0
    target = _demo_app(tmp_path / "target", [(b"The target's own policy\n", "policy.txt", "Old policy")])
    old_rows, old_files = tables(target.config["DATABASE"]), files(target.config["EVIDENCE_DIR"])

    refused = run(target, "restore", str(tmp_path / "backup"))
    assert refused.exit_code == 1
    assert "already holds data" in refused.output and "--force" in refused.output
    assert tables(target.config["DATABASE"]) == old_rows
    assert files(target.config["EVIDENCE_DIR"]) == old_files

    forced = run(target, "restore", "--force", str(tmp_path / "backup"))
    assert forced.exit_code == 0, forced.output
    assert tables(target.config["DATABASE"]) == tables(source.config["DATABASE"])
    assert files(target.config["EVIDENCE_DIR"]) == files(source.config["EVIDENCE_DIR"])
    [old_db] = (tmp_path / "target").glob("compliance.sqlite.before-restore-*")
    [old_evidence] = (tmp_path / "target").glob("evidence.before-restore-*")
    assert f"Moved aside: {target.config['DATABASE']} -> {old_db}" in forced.output
    assert tables(old_db) == old_rows
    assert files(old_evidence) == old_files


def test_restore_refuses_while_another_connection_has_the_database_open(source, tmp_path):
    assert run(source, "backup", str(tmp_path / "backup")).exit_code == 0
    target = make_app(tmp_path / "target")
    server = db.connect(target.config["DATABASE"])  # as the running server would
    try:
        server.execute("SELECT count(*) FROM frameworks").fetchone()
        result = run(target, "restore", "--force", str(tmp_path / "backup"))
    finally:
        server.close()
    assert result.exit_code == 1
    assert "is in use by another program: stop the server" in result.output
    assert not list((tmp_path / "target").glob("*.before-restore-*"))


def test_backup_refuses_a_folder_that_is_not_empty(source, tmp_path):
    dest = tmp_path / "backup"
    dest.mkdir()
    (dest / "notes.txt").write_text("already here")
    result = run(source, "backup", str(dest))
    assert result.exit_code == 1
    assert "is not empty: choose a new folder" in result.output
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_backup_fails_loudly_naming_evidence_whose_file_is_missing_or_changed(source, tmp_path, damage):
    stored = evidence_files.evidence_path(source.config["EVIDENCE_DIR"], hashlib.sha256(MINUTES).hexdigest())
    if damage == "missing":
        stored.unlink()
    else:
        stored.write_bytes(b"Something else entirely\n")
    result = run(source, "backup", str(tmp_path / "backup"))
    assert result.exit_code == 1
    assert '"MARAC minutes"' in result.output and '"MARAC minutes (again)"' in result.output
    assert ("is missing" if damage == "missing" else "no longer matches its SHA-256") in result.output
    assert not (tmp_path / "backup" / MANIFEST).exists()
    assert run(source, "restore", str(tmp_path / "backup")).exit_code == 1


def test_a_backup_to_a_full_disk_says_so_and_keeps_nothing_of_it(demo_app, tiny_disk):
    dest = tiny_disk / "backup"
    result = demo_app.test_cli_runner().invoke(args=["backup", str(dest)])
    assert result.exit_code != 0
    assert "ran out of space, so the backup could not be made" in result.output
    assert "integrity" not in result.output, "a full disk is not reported as a damaged database"
    assert not dest.exists() and list(tiny_disk.iterdir()) == [], "no partial backup is left"
