"""SQL for background jobs: create one, follow its progress, record how it ended."""
from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from compliance.store._common import iso, row

__all__ = ["create_job", "job", "start_job", "update_progress", "finish_job", "fail_job"]


def create_job(db: Database, *, kind: str, cycle_id: int | None, created_by: int | None, now: datetime) -> int:
    """A queued job; returns its id."""
    with db.atomic():
        cursor = db.execute("INSERT INTO jobs (kind, cycle_id, status, created_by, created_at) "
                            "VALUES (?, ?, 'queued', ?, ?)", [kind, cycle_id, created_by, iso(now)])
    return cursor.lastrowid


def job(db: Database, job_id: int) -> dict | None:
    return row(db, "SELECT * FROM jobs WHERE id = ?", [job_id])


def start_job(db: Database, job_id: int, *, total: int) -> None:
    with db.atomic():
        db.execute("UPDATE jobs SET status = 'running', done = 0, total = ? WHERE id = ?", [total, job_id])


def update_progress(db: Database, job_id: int, done: int, total: int) -> None:
    with db.atomic():
        db.execute("UPDATE jobs SET done = ?, total = ? WHERE id = ?", [done, total, job_id])


def finish_job(db: Database, job_id: int, *, result_path: str, now: datetime) -> None:
    with db.atomic():
        db.execute("UPDATE jobs SET status = 'done', done = total, result_path = ?, finished_at = ? WHERE id = ?",
                   [result_path, iso(now), job_id])


def fail_job(db: Database, job_id: int, error: str, *, now: datetime) -> None:
    with db.atomic():
        db.execute("UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?",
                   [error, iso(now), job_id])
