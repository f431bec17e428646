"""Sixteen editors saving answers and uploading evidence at once, through waitress as in production.

Nothing may fail and nothing acknowledged may be lost: no 5xx, no "database is locked" in any page or in the
server's log; every acknowledged save in the audit log, and the last acknowledged save of each answer is what
the database holds; every acknowledged upload has its evidence row and its file. And a write transaction that
has read cannot be refused because another process committed since (write transactions begin IMMEDIATE).
"""
from __future__ import annotations

import subprocess
import sys
import time

from compliance.store import db
from tests.load.checks import check_saves, check_uploads, evidence_files, evidence_rows, integrity
from tests.load.client import LOCKED, Ledger, run_writers, signed_in_clients, summary
from tests.load.server import Server, prepare_site

CLIENTS = 16
ITERATIONS = 70  # per client: a page and a save, and an upload every UPLOAD_EVERY-th time: about 2,500 requests
UPLOAD_EVERY = 5
SECONDS = 75  # the writing stops here even if the iterations are not done
REQUIREMENTS = 3  # per client, so that the two clients of each return often save the same answer


def test_sixteen_editors_at_once_lose_nothing_and_get_no_errors(tmp_path):
    site = prepare_site(tmp_path, clients=CLIENTS, requirements_per_return=REQUIREMENTS)
    with Server(site) as server:
        clients = signed_in_clients(server.port, site)
        started = time.monotonic()
        ledgers = run_writers(clients, site, iterations=ITERATIONS, seconds=SECONDS, upload_every=UPLOAD_EVERY)
        seconds = time.monotonic() - started
    ledger = Ledger()
    for each in ledgers:
        ledger.merge(each)
    print(summary(ledger, seconds))

    assert ledger.problems == []
    assert not [status for status in ledger.statuses if status >= 500]
    log = server.log_text()
    assert LOCKED not in log and "Traceback" not in log, log[-4000:]
    assert ledger.requests >= 1000, summary(ledger, seconds)  # enough to mean something
    assert sum(save.acknowledged for save in ledger.saves) >= 400
    assert integrity(site.database) == "ok"
    assert check_saves(site.database, ledger.saves, every_commit_acknowledged=True) == []
    assert check_uploads(site.database, site.evidence, ledger.uploads) == []
    assert evidence_files(site.evidence) == evidence_rows(site.database)


OTHER_PROCESS = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], timeout=15, isolation_level=None)
print("writing", flush=True)
connection.execute("UPDATE counter SET n = n + 10")
"""


def test_a_transaction_that_has_read_still_writes_when_another_process_writes_meanwhile(tmp_path):
    database = db.connect(tmp_path / "compliance.sqlite")
    database.execute("CREATE TABLE counter (n INTEGER)")
    database.execute("INSERT INTO counter VALUES (0)")
    other = subprocess.Popen([sys.executable, "-c", OTHER_PROCESS, str(tmp_path / "compliance.sqlite")],
                             stdout=subprocess.PIPE, text=True)
    try:
        with database.atomic():
            read = database.execute("SELECT n FROM counter").fetchone()[0]
            assert other.stdout.readline() == "writing\n"
            time.sleep(0.5)  # time enough for the other write to commit, unless it has to wait for this one
            database.execute("UPDATE counter SET n = ?", [read + 1])
        assert other.wait(20) == 0
    finally:
        other.kill()
        other.wait()
    assert database.execute("SELECT n FROM counter").fetchone()[0] == 11  # this one, then the other
    database.close()
