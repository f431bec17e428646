"""Killing the server (SIGKILL) while people save answers and upload evidence loses nothing acknowledged.

Five rounds: writers save and upload through waitress; the server is killed at a random moment, then started
again. After each kill the database passes its integrity check, every acknowledged save and upload is there,
and every evidence row has its file. An upload's file is stored before its row is committed, so a kill between
the two leaves a file nothing refers to: the start-up sweep removes it, so once the server answers again the
evidence folder holds exactly the files the rows name.
"""
from __future__ import annotations

import hashlib
import random
import threading
import time

from compliance.store.files import evidence_path
from compliance.web.requests import get_db
from tests.builders import make_app, minimal_pdf
from tests.load.checks import check_saves, check_uploads, evidence_files, evidence_rows, integrity
from tests.load.client import LOCKED, Ledger, run_writers, signed_in_clients, summary
from tests.load.server import Server, prepare_site

ROUNDS = 5
WRITERS = 8
REQUIREMENTS = 4


def test_a_killed_server_loses_nothing_acknowledged_and_leaves_no_stray_evidence(tmp_path):
    site = prepare_site(tmp_path, clients=WRITERS, requirements_per_return=REQUIREMENTS)
    server = Server(site).start()
    seed = random.randrange(2**32)
    rng, ledger, swept = random.Random(seed), Ledger(), []
    print(f"seed {seed}")  # shown with a failure: the kill times come from it
    try:
        clients = signed_in_clients(server.port, site)
        for _ in range(ROUNDS):
            ledger.merge(_write_until_killed(server, clients, site, after=rng.uniform(0.5, 2.5)))
            assert integrity(site.database) == "ok"
            assert check_saves(site.database, ledger.saves, every_commit_acknowledged=False) == []
            assert check_uploads(site.database, site.evidence, ledger.uploads) == []
            files, rows = evidence_files(site.evidence), evidence_rows(site.database)
            assert rows - files == set(), "evidence rows without their file"
            swept.append(len(files - rows))
            server.start()
            assert evidence_files(site.evidence) == evidence_rows(site.database)
    finally:
        server.stop()
    print(f"stray files swept after each kill: {swept}; {summary(ledger)}")
    assert ledger.problems == []
    assert LOCKED not in server.log_text() and "Traceback" not in server.log_text()
    assert sum(save.acknowledged for save in ledger.saves) and sum(upload.acknowledged for upload in ledger.uploads)


def _write_until_killed(server, clients, site, *, after: float) -> Ledger:
    """Every writer saving and uploading until the server is SIGKILLed, `after` seconds in."""
    stop, ledgers = threading.Event(), []
    writers = threading.Thread(target=lambda: ledgers.extend(run_writers(
        clients, site, iterations=10_000, seconds=after + 10, upload_every=1, stop=stop)))
    writers.start()
    time.sleep(after)
    server.kill()
    stop.set()
    writers.join(30)
    merged = Ledger()
    for each in ledgers:
        merged.merge(each)
    return merged


def test_the_start_up_sweep_removes_only_unrecorded_evidence_and_temporary_files(tmp_path):
    evidence = tmp_path / "evidence"
    kept, stray = minimal_pdf("recorded"), minimal_pdf("never recorded")
    kept_path = evidence_path(evidence, hashlib.sha256(kept).hexdigest())
    stray_path = evidence_path(evidence, hashlib.sha256(stray).hexdigest())
    with make_app(tmp_path).app_context():  # a migrated database, with one evidence row for `kept`
        database = get_db()
        database.execute("INSERT INTO organisations (name, sector, created_at) VALUES ('Org', 'police', 'now')")
        database.execute("INSERT INTO evidence (organisation_id, kind, title, filename, sha256, effective_date,"
                         " created_at) VALUES (1, 'file', 'Policy', 'policy.pdf', ?, '2025-04-01', 'now')",
                         [kept_path.name])
    for path, data in ((kept_path, kept), (stray_path, stray), (kept_path.parent / ".upload-x1y2", b"%PDF-half"),
                       (evidence / "README.txt", b"not ours"), (evidence / "ab" / "notes.txt", b"not ours")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    make_app(tmp_path)  # starting again sweeps
    assert evidence_files(evidence) == {f"{kept_path.parent.name}/{kept_path.name}", "README.txt",
                                                "ab/notes.txt"}
