"""make bench: figures for the matrix page, one statement PDF and the board pack on synthetic data (not a test).

Builds N organisations in a temporary SQLite database with one cycle of the three shipped frameworks, every
requirement answered in a signed version (one return is answered and signed through the real service; the
rest are copies of its signed document, bulk-inserted, which is what the matrix and the PDFs read).
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import concurrency, worker
from compliance import create_app, store
from compliance.core.returns import digest
from compliance.render.boardpack import render_board_pack
from compliance.render.pdf import render_statement_pdf
from compliance.services import boardpack_jobs as jobs
from compliance.services import matrix as matrix_service
from compliance.services import returns as return_service
from compliance.services.passwords import hash_password
from compliance.web.requests import get_db

NOW = datetime.now(timezone.utc)
PASSWORD = "bench-password-not-secret"


def build(folder: Path, organisations: int):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder / "instance"),
                      "DATABASE": str(folder / "bench.sqlite"), "EVIDENCE_DIR": str(folder / "evidence"),
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db = get_db()
        db.conn.execute("PRAGMA synchronous = OFF")
        with db.atomic():
            db["organisations"].insert_all(({"name": f"Organisation {n:04d}", "sector": "local-authority",
                                             "created_at": NOW.isoformat(), "active": 1}
                                            for n in range(organisations)), batch_size=500)
        board = store.create_user(db, email="board@bench.example", name="Board", role="board", organisation_id=None,
                          password_hash=hash_password(PASSWORD), actor=store.SYSTEM, now=NOW)
        actor = store.Actor(board, "board@bench.example")
        keys = [row["key"] for row in store.framework_rows(db)]
        cycle_id = store.create_cycle(db, name="2030/31", open_date="2030-04-01", due_date="2030-06-30",
                                      declaration="I confirm.", framework_keys=keys, actor=store.SYSTEM, now=NOW)
        return_service.open_cycle(db, cycle_id, actor=store.SYSTEM, now=NOW)
        returns = store.returns_for_cycle(db, cycle_id)
        first = return_service.load_return(db, returns[0]["id"])
        for number, (framework, requirement) in enumerate(first.requirements()):
            level = framework.scale[number % len(framework.scale)]
            store.save_answer(db, first.ret.id, framework.key, requirement.id,
                              {"rating": level.code, "narrative": f"Evidence of practice for {requirement.ref}. " * 8,
                               "reason": "Not relevant this year" if not level.applicable else ""},
                              revision=0, actor=store.SYSTEM, now=NOW)
        return_service.submit(db, return_service.load_return(db, first.ret.id), partnership="Bench partnership",
                              signatory_name="Signatory", job_title="Director", actor=actor, now=NOW)
        template = json.loads(store.return_version(db, first.ret.id, 1)["canonical"])
        versions = []
        for ret in returns[1:]:
            document = {**template, "organisation": ret["organisation_name"], "return": ret["id"]}
            text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            versions.append({"return_id": ret["id"], "version": 1, "submitted_at": NOW.isoformat(),
                             "submitted_by": board, "signatory_name": "Signatory",
                             "signatory_job_title": "Director", "canonical": text, "sha256": digest(text)})
        with db.atomic():
            db["return_versions"].insert_all(versions, batch_size=200)
            db.execute("UPDATE returns SET status = 'submitted' WHERE cycle_id = ?", [cycle_id])
        db.conn.execute("PRAGMA synchronous = FULL")
    return app, cycle_id


def median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    figures, workers, cycle_ids = [], [], {}
    with tempfile.TemporaryDirectory() as temp:
        for size in (200, 1000):
            started = time.perf_counter()
            folder = Path(temp) / str(size)
            app, cycle_id = build(folder, size)
            cycle_ids[size] = cycle_id
            print(f"built {size} organisations in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            client = app.test_client()
            client.post("/sign-in", data={"email": "board@bench.example", "password": PASSWORD})

            def matrix_page(client=client, cycle_id=cycle_id):
                response = client.get(f"/cycles/{cycle_id}/matrix")
                assert response.status_code == 200 and b"Organisation 0000" in response.data

            figures.append((f"Matrix page, {size} organisations (server side)", median_seconds(matrix_page, 5), 5))
            if size != 200:
                continue
            with app.app_context():
                db = get_db()
                cycle = store.cycle(db, cycle_id)
                matrix = matrix_service.cycle_matrix(db, cycle, sectors=app.extensions["sectors"])
                statements = jobs.cycle_statements(db, cycle, matrix)
            figures.append(("One statement PDF",
                            median_seconds(lambda statements=statements: render_statement_pdf(statements[0]), 5), 5))
            pack = []

            def board_pack(pack=pack, matrix=matrix, statements=statements, cycle=cycle):
                pack.append(render_board_pack(matrix, statements, partnership="Bench partnership",
                                              cycle_name=cycle["name"]))

            figures.append((f"Board pack, {size} organisations ({len(statements)} statements)",
                            median_seconds(board_pack, 3), 3))
            print(f"board pack: {len(pack[-1]) / 1024 / 1024:.1f} MB", file=sys.stderr)
        for size, pack_too in ((200, True), (1000, False)):
            print(f"serving {size} organisations from a waitress worker...", file=sys.stderr)
            folder = Path(temp) / str(size)
            found = worker.serve_and_measure(folder, folder / "bench.sqlite", folder / "evidence",
                                             cycle_ids[size], secret="bench", board_pack=pack_too)
            workers.append((f"{size} organisations: matrix page x5" + (", board pack prepared and downloaded"
                                                                        if pack_too else ""), found))
    print("\n| Measure | Median | Runs |\n|---|---|---|")
    for name, seconds, runs in figures:
        print(f"| {name} | {seconds:.2f} s | {runs} |")
    worker.report(workers)
    print(f"\n{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    concurrency.main()


if __name__ == "__main__":
    main()
