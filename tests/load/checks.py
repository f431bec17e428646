"""The load tests' checks: the database and the evidence folder against what the clients were told."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from pathlib import Path

from tests.load.client import Save, Upload


def open_database(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=15)
    connection.row_factory = sqlite3.Row
    return connection


def integrity(path: Path) -> str:
    with open_database(path) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def check_saves(path: Path, saves: list[Save], *, every_commit_acknowledged: bool) -> list[str]:
    """Problems with the acknowledged saves: each in the audit log once; the last of each answer is what is stored.

    Optimistic concurrency makes revisions a total order per answer: a save read at revision r stores r + 1, so
    no two acknowledged saves of an answer may share a read revision (that would be a lost update). When the
    server may have been killed, a save can be committed but never acknowledged: the stored answer may then be
    later than the last acknowledged save, never earlier.
    """
    acknowledged = [save for save in saves if save.acknowledged]
    with open_database(path) as connection:
        logged = Counter(json.loads(row["new_value"]).get("narrative") for row in connection.execute(
            "SELECT new_value FROM audit_log WHERE action = 'answer-changed'"))
        stored = {(row["return_id"], row["framework_key"], row["requirement_id"]): row
                  for row in connection.execute("SELECT * FROM answers")}
    problems = [f"acknowledged save logged {logged[s.narrative]} times: {s.narrative}"
                for s in acknowledged if logged[s.narrative] != 1]
    by_answer: dict[tuple, list[Save]] = {}
    for save in acknowledged:
        by_answer.setdefault((save.task.return_id, save.task.framework_key, save.task.requirement_id), []).append(save)
    for key, answer_saves in by_answer.items():
        revisions = Counter(save.revision for save in answer_saves)
        problems += [f"{key}: {count} acknowledged saves from revision {revision}"
                     for revision, count in revisions.items() if count > 1]
        last, row = max(answer_saves, key=lambda save: save.revision), stored.get(key)
        if row is None:
            problems.append(f"{key}: no answer stored")
        elif row["revision"] < last.revision + 1:
            problems.append(f"{key}: stored revision {row['revision']} is older than acknowledged {last.revision + 1}")
        elif row["revision"] == last.revision + 1 and row["narrative"] != last.narrative:
            problems.append(f"{key}: revision {row['revision']} holds {row['narrative']!r}, not {last.narrative!r}")
        elif row["revision"] > last.revision + 1 and every_commit_acknowledged:
            problems.append(f"{key}: stored revision {row['revision']} was never acknowledged")
    if every_commit_acknowledged:
        ours = sum(count for narrative, count in logged.items() if (narrative or "").startswith("Load check "))
        if ours != len(acknowledged):
            problems.append(f"{ours} saves in the audit log, {len(acknowledged)} acknowledged")
    return problems


def check_uploads(path: Path, evidence: Path, uploads: list[Upload]) -> list[str]:
    """Problems with the acknowledged uploads: each has its evidence row and its file, with the right bytes."""
    from compliance.store.files import evidence_path

    with open_database(path) as connection:
        rows = {row["title"]: row["sha256"] for row in connection.execute(
            "SELECT title, sha256 FROM evidence WHERE kind = 'file'")}
    problems = []
    for upload in (upload for upload in uploads if upload.acknowledged):
        file = evidence_path(evidence, upload.sha256)
        if rows.get(upload.title) != upload.sha256:
            problems.append(f"acknowledged upload has no evidence row: {upload.title}")
        elif not file.is_file() or hashlib.sha256(file.read_bytes()).hexdigest() != upload.sha256:
            problems.append(f"acknowledged upload has no file: {upload.title}")
    return problems


def evidence_files(evidence: Path) -> set[str]:
    """Every file in the evidence folder, temporary ones included, as paths relative to it."""
    return {str(p.relative_to(evidence)) for p in evidence.rglob("*") if p.is_file()} if evidence.exists() else set()


def evidence_rows(path: Path) -> set[str]:
    """The file each evidence row needs, as a path relative to the evidence folder."""
    with open_database(path) as connection:
        return {f"{sha[:2]}/{sha}" for (sha,) in connection.execute(
            "SELECT DISTINCT sha256 FROM evidence WHERE kind = 'file'")}
