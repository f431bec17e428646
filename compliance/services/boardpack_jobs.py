"""Background jobs: the board pack, rendered on a worker thread with its own database connection.

The app owns one single-worker pool (app.extensions["jobs"]), so packs are prepared one at a time and a large
partnership never holds a request open. The job row carries progress; the PDF is written atomically under
<instance>/boardpacks/<job id>.pdf, so a download never sees half a file.
"""
from __future__ import annotations

import errno
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from compliance import store
from compliance.core.actions import ActionItem, action_item
from compliance.core.board_paper import BoardPaper, board_paper
from compliance.core.plan_report import PlanValues
from compliance.core.returns import digest
from compliance.core.sectors import Sectors
from compliance.core.statements import Statement, build_statement
from compliance.core.text import london
from compliance.render.boardpack import render_board_pack
from compliance.services import matrix as matrix_service
from compliance.services.actions import partnership_actions
from compliance.services.returns import cycle_frameworks
from compliance.store import db as dbm
from compliance.store import files

BOARD_PACK = "board-pack"
_pool_lock = threading.Lock()


def pool(app) -> ThreadPoolExecutor:
    """The app's worker pool, made on first use; packs queue behind one another."""
    with _pool_lock:
        if "jobs" not in app.extensions:
            app.extensions["jobs"] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs")
        return app.extensions["jobs"]


def start_board_pack(app, database: Database, cycle_id: int, *, user_id: int | None, now: datetime,
                     plan: PlanValues | None = None) -> int:
    """Queue a board pack for a cycle; returns the job id. plan: the partnership's own plan as it stands now, for
    the pack's strategy section (none without it)."""
    job_id = store.create_job(database, kind=BOARD_PACK, cycle_id=cycle_id, created_by=user_id, now=now)
    pool(app).submit(run_board_pack, app.config["DATABASE"], job_id, folder=board_pack_folder(app),
                     partnership=app.config["PARTNERSHIP_NAME"], sectors=app.extensions["sectors"], plan=plan)
    return job_id


def board_pack_folder(app) -> Path:
    return Path(app.instance_path) / "boardpacks"


def cycle_statements(database: Database, cycle: dict, matrix, *, today: date | None = None) -> list[Statement]:
    """The statement of every return in the matrix whose signed version stands, in the matrix's order, with the
    auditors' checks as its own page shows them (today, a London day, flags expiring evidence)."""
    frameworks = {f.key: f for f in cycle_frameworks(database, cycle["id"])}
    found = []
    for row in matrix.rows:
        if row.org.version is None:
            continue
        version = store.return_version(database, row.org.return_id, row.org.version)
        found.append(build_statement(json.loads(version["canonical"]), frameworks, submitted=True,
                                     sha256=version["sha256"], version=row.org.version,
                                     intact=digest(version["canonical"]) == version["sha256"], today=today,
                                     verifications=store.verifications_for_return(database, row.org.return_id)))
    return found


def cycle_actions(database: Database, cycle: dict, *, today: date) -> list[ActionItem]:
    """Every improvement action in the cycle's standing signed versions (the action plan's), overdue as of today
    (a London day)."""
    return [action_item(action) for action in partnership_actions(database, cycle, today=today).actions]


def cycle_board_paper(database: Database, cycle: dict, *, sectors: Sectors, partnership: str, prepared: datetime
                      ) -> BoardPaper:
    """The board paper of a cycle as at a moment: what the board pack's own pages say, for its web page."""
    matrix = matrix_service.cycle_matrix(database, cycle, sectors=sectors)
    actions = cycle_actions(database, cycle, today=london(prepared).date())
    return board_paper(matrix, actions, partnership=partnership, cycle_name=cycle["name"], prepared=prepared)


OUT_OF_STORAGE = ("The service has run out of storage space, so the board pack could not be saved. Try again "
                  "later, or tell the partnership coordinator")


def run_board_pack(path: str, job_id: int, *, folder: Path, partnership: str, sectors: Sectors,
                   plan: PlanValues | None = None) -> None:
    """Render the pack for a job and record the outcome; never raises (a failure is written to the job).
    plan: the partnership's own plan, whose strategy section follows the executive summary (none without it)."""
    database = dbm.connect(path)
    try:
        job = store.job(database, job_id)
        cycle = store.cycle(database, job["cycle_id"])
        matrix = matrix_service.cycle_matrix(database, cycle, sectors=sectors)
        prepared = datetime.fromisoformat(job["created_at"])
        statements = cycle_statements(database, cycle, matrix, today=london(prepared).date())
        actions = cycle_actions(database, cycle, today=london(prepared).date())
        store.start_job(database, job_id, total=len(statements))
        data = render_board_pack(matrix, statements, partnership=partnership, cycle_name=cycle["name"],
                                 prepared=prepared, actions=actions, plan=plan,
                                 progress=lambda done, total: store.update_progress(database, job_id, done, total))
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{job_id}.pdf"
        with files.written_then_renamed(target) as file:  # a failed write leaves no partial file
            file.write(data)
        store.finish_job(database, job_id, result_path=str(target), now=datetime.now(timezone.utc))
    except OSError as error:
        said = OUT_OF_STORAGE if error.errno in (errno.ENOSPC, errno.EDQUOT) else f"{type(error).__name__}: {error}"
        store.fail_job(database, job_id, said, now=datetime.now(timezone.utc))
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the person waiting must be told
        store.fail_job(database, job_id, f"{type(error).__name__}: {error}", now=datetime.now(timezone.utc))
    finally:
        database.close()
