"""make bench: figures for the matrix and charts pages, the XLSX, one statement PDF and the board pack on synthetic
data (not a test), each beside its floor measured in the same run (bench/floors.py) as "x over the floor", since
this machine is shared and absolute times drift. `python -m bench ratios` stops after those ratios; `python -m bench
offline` measures only a return completed offline beside its floor (bench/offline.py).

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

from bench import concurrency, floors, offline, worker
from compliance import create_app, settle_collector, store
from compliance.core.frameworks import newest_versions
from compliance.core.matrix import VALIDATED
from compliance.core.returns import digest
from compliance.render import exports
from compliance.render.boardpack import render_board_pack
from compliance.render.pdf import render_statement_pdf
from compliance.services import boardpack_jobs as jobs
from compliance.services import matrix as matrix_service
from compliance.services import returns as return_service
from compliance.services.passwords import hash_password
from compliance.services.returns import cycle_frameworks
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
        keys = [row["key"] for row in newest_versions(store.framework_rows(db))]  # a cycle asks one of each
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


def beside_floor(action, floor, runs: int) -> tuple[float, float]:
    """The fastest of `runs` of the action and of its floor, run in turns so that both see the same load. The
    fastest, as timeit advises: on a shared machine a slower run says more about the neighbours than the code."""
    ours, floors = [], []
    for _ in range(runs):
        for action_or_floor, times in ((action, ours), (floor, floors)):
            start = time.perf_counter()
            action_or_floor()
            times.append(time.perf_counter() - start)
    return min(ours), min(floors)


def accelerated() -> str:
    """Whether ReportLab's C accelerator (_rl_accel, from the rl_accel package) is what reportlab.lib.rl_accel uses."""
    from reportlab.lib import rl_accel

    return "in use" if rl_accel._c_funcs else "not installed: pure-Python fallbacks"


def ratio_line(name: str, ours: float, floor: float, target: float) -> str:
    ratio = ours / floor
    met = "" if ratio <= target else "; missed"
    return f"{name}: {ours:.2f} s; floor {floor:.2f} s; {ratio:.1f}x over the floor (target {target:g}x{met})"


def page_getter(client, path: str, expected: bytes):
    def get():
        response = client.get(path)
        assert response.status_code == 200 and expected in response.data, path
    return get


def offline_ratio(folder: Path) -> str:
    """A 38-requirement return completed offline: download, upload and preview, beside openpyxl writing and reading
    the same cells (bench/offline.py)."""
    ours, floor = offline.round_trip(folder)
    return ratio_line("Return completed offline, 38 requirements (download, upload, preview)",
                      *beside_floor(ours, floor, 7), 3)


def main(*, ratios_only: bool = False) -> None:
    """Every figure; ratios_only (python -m bench ratios) stops after the figures beside their floors."""
    settle_collector()  # as wsgi.py does in a server: the in-process figures and their floors alike
    figures, workers, cycle_ids, ratios = [], [], {}, []
    with tempfile.TemporaryDirectory() as temp:
        ratios.append(offline_ratio(Path(temp) / "offline"))
        print(ratios[-1], file=sys.stderr)
        for size in (200, 1000, 5000):
            started = time.perf_counter()
            folder = Path(temp) / str(size)
            app, cycle_id = build(folder, size)
            cycle_ids[size] = cycle_id
            print(f"built {size} organisations in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            client = app.test_client()
            client.post("/sign-in", data={"email": "board@bench.example", "password": PASSWORD})
            with app.app_context():
                db = get_db()
                cycle = store.cycle(db, cycle_id)
                frameworks = cycle_frameworks(db, cycle_id)
            matrix_page = page_getter(client, f"/cycles/{cycle_id}/matrix", b"Organisation 0000")
            if size == 200:
                figures.append((f"Matrix page, {size} organisations (server side)", median_seconds(matrix_page, 5), 5))
            else:
                runs = 5 if size == 1000 else 3

                def in_context(floor, app=app, cycle_id=cycle_id, frameworks=frameworks):
                    with app.app_context():
                        return floor(get_db(), cycle_id, frameworks)

                ours, floor = beside_floor(matrix_page, lambda: in_context(floors.matrix_html), runs)
                ratios.append(ratio_line(f"Matrix page, {size:,} organisations", ours, floor, 2))
                charts_page = page_getter(client, f"/cycles/{cycle_id}/charts", b"Ratings per requirement")
                ours, floor = beside_floor(charts_page, lambda: in_context(floors.charts_svg), runs)
                ratios.append(ratio_line(f"Charts page, {size:,} organisations", ours, floor, 2))
                print(ratios[-2], ratios[-1], sep="\n", file=sys.stderr)
            if size == 1000:
                with app.app_context():
                    db = get_db()
                    matrix = matrix_service.cycle_matrix(db, cycle, sectors=app.extensions["sectors"])
                    validated = matrix_service.cycle_matrix(db, cycle, sectors=app.extensions["sectors"],
                                                            view=VALIDATED)

                def workbook(matrix=matrix, validated=validated):
                    return exports.matrix_xlsx(matrix, validated, partnership="Bench partnership", prepared=NOW)

                cells = floors.xlsx_cells(workbook())
                ours, floor = beside_floor(workbook, lambda cells=cells: floors.xlsx_bytes(cells), 3)
                ratios.append(ratio_line(f"XLSX, {size:,} organisations (both views; the workbook only)", ours,
                                         floor, 1.5))
                print(ratios[-1], file=sys.stderr)
            if size != 200:
                continue
            with app.app_context():
                db = get_db()
                matrix = matrix_service.cycle_matrix(db, cycle, sectors=app.extensions["sectors"])
                statements = jobs.cycle_statements(db, cycle, matrix)
            figures.append(("One statement PDF",
                            median_seconds(lambda statements=statements: render_statement_pdf(statements[0]), 5), 5))
            pack = []

            def board_pack(pack=pack, matrix=matrix, statements=statements, cycle=cycle):
                pack.append(render_board_pack(matrix, statements, partnership="Bench partnership",
                                              cycle_name=cycle["name"]))

            story = floors.pdf_story(board_pack)
            ours, floor = beside_floor(board_pack, lambda story=story: floors.pdf_bytes(story), 3)
            ratios.append(ratio_line(f"Board pack, {size} organisations ({len(statements)} statements)", ours,
                                     floor, 1.5))
            print(ratios[-1], file=sys.stderr)
            print(f"board pack: {len(pack[-1]) / 1024 / 1024:.1f} MB; its floor: {len(story)} paragraphs and "
                  f"tables", file=sys.stderr)
        for size, pack_too in () if ratios_only else ((200, True), (1000, False)):
            print(f"serving {size} organisations from a waitress worker...", file=sys.stderr)
            folder = Path(temp) / str(size)
            found = worker.serve_and_measure(folder, folder / "bench.sqlite", folder / "evidence",
                                             cycle_ids[size], secret="bench", board_pack=pack_too)
            workers.append((f"{size} organisations: matrix page x5" + (", board pack prepared and downloaded"
                                                                        if pack_too else ""), found))
    print("\nBeside their floors, measured in the same run (the fastest of each, run in turns with its floor):")
    for line in ratios:
        print(f"- {line}")
    print(f"ReportLab's C accelerator (_rl_accel): {accelerated()}")
    print("\n| Measure | Median | Runs |\n|---|---|---|")
    for name, seconds, runs in figures:
        print(f"| {name} | {seconds:.2f} s | {runs} |")
    print(f"\n{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if not ratios_only:
        worker.report(workers)
        concurrency.main()


if __name__ == "__main__":
    if sys.argv[1:] == ["offline"]:  # this one figure alone: python -m bench offline
        settle_collector()
        with tempfile.TemporaryDirectory() as folder:
            print(offline_ratio(Path(folder)))
    else:
        main(ratios_only=sys.argv[1:] == ["ratios"])
