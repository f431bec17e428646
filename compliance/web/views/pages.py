"""Public pages: start, accessibility statement, privacy notice, and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from compliance import store
from compliance.services import catalogue, questionnaires
from compliance.store import migrations
from compliance.web.access import public
from compliance.web.requests import get_db

bp = Blueprint("pages", __name__)


@bp.get("/")
@public
def start():
    frameworks = catalogue.latest_frameworks(get_db())
    # a version the coordinator loaded may have wording that is not public: its questionnaire needs signing in
    public = questionnaires.shipped_keys(current_app.config["QUESTIONNAIRES"])
    return render_template("pages/start.html", frameworks=frameworks, public=public)


@bp.get("/accessibility")
@public
def accessibility():
    return render_template("pages/accessibility.html")


@bp.get("/privacy")
@public
def privacy():
    return render_template("pages/privacy.html")


@bp.get("/healthz")
@public
def healthz():
    """Database and framework status as JSON: 200 when the database answers, 503 when it does not."""
    try:
        database = get_db()
        report = {
            "database": {"ok": store.database_ok(database),
                         "pending_migrations": migrations.pending_migrations(database)},
            "frameworks": {
                "loaded": [_framework_summary(row) for row in store.framework_rows(database)],
                "errors": list(current_app.extensions.get("framework_errors", ())),
            },
        }
    except Exception as error:  # the health check reports failure rather than raising it
        current_app.logger.exception("health check failed")
        return jsonify({"status": "error", "database": {"ok": False, "error": type(error).__name__}}), 503
    healthy = report["database"]["ok"] and not report["database"]["pending_migrations"]
    report["status"] = "ok" if healthy and not report["frameworks"]["errors"] else "degraded"
    return jsonify(report), 200 if report["database"]["ok"] else 503


def _framework_summary(row: dict) -> dict:
    keys = ("id", "version", "status", "title", "requirement_count")
    return {key: row[key] for key in keys}
