"""The board pack job with the partnership's plan: given the plan's values, the PDF it writes has the strategy after
the executive summary, overdue as of the day the pack was asked for; without them, nothing of it."""
from __future__ import annotations

import subprocess

from compliance import store
from compliance.core.text import london
from compliance.demo.plan import demo_plan
from compliance.services import boardpack_jobs as jobs
from compliance.web.requests import get_db
from tests.builders import NOW, SECTORS


def _pack_text(app, folder, **options) -> str:
    with app.app_context():
        cycle = next(c for c in store.cycles(get_db()) if c["status"] == "open")
        job_id = store.create_job(get_db(), kind=jobs.BOARD_PACK, cycle_id=cycle["id"], created_by=None, now=NOW)
    jobs.run_board_pack(app.config["DATABASE"], job_id, folder=folder, partnership="WDVF", sectors=SECTORS, **options)
    with app.app_context():
        job = store.job(get_db(), job_id)
    assert job["status"] == "done", job
    return subprocess.run(["pdftotext", "-layout", job["result_path"], "-"], check=True, capture_output=True,
                          text=True).stdout


def test_a_pack_asked_for_with_the_plan_has_its_strategy_and_one_without_has_none(demo_app, tmp_path):
    plan = demo_plan(london(NOW).date())
    text = _pack_text(demo_app, tmp_path / "with", plan=plan)
    summary, strategy = text.index("Executive summary"), text.index("Strategy: Brackenford Domestic Abuse")
    assert summary < strategy < text.index("Figures by requirement")
    assert "Risk register" in text and "Repeat perpetrators discussed at MARAC" in text
    without = _pack_text(demo_app, tmp_path / "without")
    assert "Strategy:" not in without and "Risk register" not in without
