"""The board pack as a background job on the demo partnership: start, follow, download; editors may not."""
from __future__ import annotations

import re
import time
from datetime import date, datetime, timezone

from compliance import store
from compliance.core.returns import financial_year
from compliance.services.boardpack_jobs import run_board_pack
from compliance.web.requests import get_db
from tests.builders import signed_in, token_from

NOW = datetime.now(timezone.utc)


def _current_cycle(app) -> dict:
    with app.app_context():
        return next(c for c in store.cycles(get_db()) if c["name"] == financial_year(date.today()))


def _wait(app, job_id: int) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with app.app_context():
            job = store.job(get_db(), job_id)
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError("the board pack did not finish within 30 seconds")


def test_the_board_prepares_follows_and_downloads_the_board_pack(demo_app):
    cycle = _current_cycle(demo_app)
    board = signed_in(demo_app, "board@demo.example")
    matrix_url = f"/cycles/{cycle['id']}/matrix"
    assert "Prepare the board pack" in board.get(matrix_url).get_data(as_text=True)
    response = board.post(f"/cycles/{cycle['id']}/board-pack", data={"csrf_token": token_from(board, matrix_url)})
    assert response.status_code == 302
    job_id = int(re.search(r"/board-pack/jobs/(\d+)$", response.headers["Location"]).group(1))
    first = board.get(f"/board-pack/jobs/{job_id}").get_data(as_text=True)
    assert "Preparing the board pack" in first or "is ready" in first
    job = _wait(demo_app, job_id)
    assert job["status"] == "done", job["error"]
    assert job["total"] > 0 and job["done"] == job["total"]
    page = board.get(f"/board-pack/jobs/{job_id}").get_data(as_text=True)
    assert "Download the board pack (PDF, " in page
    assert f"{job['total']} submitted statement" in page
    download = board.get(f"/board-pack/jobs/{job_id}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.data.startswith(b"%PDF")


def test_a_running_job_shows_progress_and_a_failed_one_says_so(demo_app):
    cycle = _current_cycle(demo_app)
    with demo_app.app_context():
        db = get_db()
        job_id = store.create_job(db, kind="board-pack", cycle_id=cycle["id"], created_by=None, now=NOW)
        store.start_job(db, job_id, total=9)
        store.update_progress(db, job_id, 4, 9)
    board = signed_in(demo_app, "board@demo.example")
    page = board.get(f"/board-pack/jobs/{job_id}").get_data(as_text=True)
    assert "Preparing the board pack: 4 of 9 statements." in page and "Check progress now" in page
    assert board.get(f"/board-pack/jobs/{job_id}/download").status_code == 404
    with demo_app.app_context():
        store.fail_job(get_db(), job_id, "RuntimeError: test", now=NOW)
    assert "could not be prepared" in board.get(f"/board-pack/jobs/{job_id}").get_data(as_text=True)


def test_a_board_pack_that_fills_the_disk_says_so_and_leaves_no_partial_file(demo_app, tiny_disk):
    cycle = _current_cycle(demo_app)
    (tiny_disk / "ballast").write_bytes(b"\0" * (200 * 1024))  # most of the 256 KB taken already
    with demo_app.app_context():
        job_id = store.create_job(get_db(), kind="board-pack", cycle_id=cycle["id"], created_by=None, now=NOW)
    run_board_pack(demo_app.config["DATABASE"], job_id, folder=tiny_disk / "packs", partnership="WDVF",
                   sectors=demo_app.extensions["sectors"])
    with demo_app.app_context():
        job = store.job(get_db(), job_id)
    assert job["status"] == "failed" and "run out of storage space" in job["error"]
    assert [p.name for p in tiny_disk.rglob("*") if p.is_file()] == ["ballast"], "no partial file"
    board = signed_in(demo_app, "board@demo.example")
    page = board.get(f"/board-pack/jobs/{job_id}").get_data(as_text=True)
    assert "The service has run out of storage space, so the board pack could not be saved" in page
