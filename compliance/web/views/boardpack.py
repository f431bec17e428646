"""The board pack: prepared in the background, followed on a progress page, downloaded when done."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, send_file, url_for
from flask_login import current_user

from compliance import store
from compliance.core.board_paper import NO_DISAGREEMENT, NO_OVERDUE, NO_RATINGS
from compliance.core.text import file_size, london
from compliance.render.plan_page import plan_page
from compliance.services import boardpack_jobs as jobs
from compliance.services import plan as plan_service
from compliance.web.access import requires
from compliance.web.requests import get_db, now, sectors

bp = Blueprint("boardpack", __name__)


@bp.post("/cycles/<int:cycle_id>/board-pack")
@requires("view_partnership")
def start(cycle_id: int):
    store.cycle(get_db(), cycle_id) or abort(404)
    job_id = jobs.start_board_pack(current_app._get_current_object(), get_db(), cycle_id, user_id=current_user.id,
                                   now=datetime.now(timezone.utc), plan=plan_service.current_plan(get_db()))
    return redirect(url_for(".job", job_id=job_id))


@bp.get("/cycles/<int:cycle_id>/board-paper")
@requires("view_partnership")
def paper(cycle_id: int):
    """The board pack's own pages as a web page: the same BoardPaper the PDF is drawn from, as of now, with the
    current strategy's section as the next pack will have it."""
    database = get_db()
    cycle = store.cycle(database, cycle_id) or abort(404)
    prepared = now()
    found = jobs.cycle_board_paper(database, cycle, sectors=sectors(),
                                   partnership=current_app.config["PARTNERSHIP_NAME"], prepared=prepared)
    plan = plan_service.current_plan(database)
    return render_template("boardpack/paper.html", cycle=cycle, paper=found, NO_RATINGS=NO_RATINGS,
                           NO_OVERDUE=NO_OVERDUE, NO_DISAGREEMENT=NO_DISAGREEMENT,
                           plan=plan_page(plan, today=london(prepared).date()) if plan else None)


@bp.get("/board-pack/jobs/<int:job_id>")
@requires("view_partnership")
def job(job_id: int):
    found, cycle = _job(job_id)
    size = Path(found["result_path"]).stat().st_size if found["status"] == "done" else 0
    return render_template("boardpack/job.html", job=found, cycle=cycle, size=file_size(size))


@bp.get("/board-pack/jobs/<int:job_id>/download")
@requires("view_partnership")
def download(job_id: int):
    found, cycle = _job(job_id)
    if found["status"] != "done":
        abort(404)
    name = f"board-pack-{re.sub(r'[^0-9A-Za-z]+', '-', cycle['name']).strip('-')}.pdf"
    return send_file(found["result_path"], mimetype="application/pdf", as_attachment=True, download_name=name,
                     max_age=0)


def _job(job_id: int) -> tuple[dict, dict]:
    database = get_db()
    found = store.job(database, job_id)
    if found is None or found["kind"] != jobs.BOARD_PACK:
        abort(404)
    return found, store.cycle(database, found["cycle_id"])
