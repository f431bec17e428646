"""The partnership compliance service: create_app() wires configuration, templates, database and views."""
from __future__ import annotations

import gc
import threading
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import Flask, g
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from compliance import config, demo, store, web
from compliance.cli import register_commands
from compliance.core.accreditation_schemes import Schemes, SchemesError
from compliance.core.sectors import Sectors, SectorsError
from compliance.services import catalogue
from compliance.store import db, files, migrations
from compliance.web import access as auth
from compliance.web.requests import person_for_request
from compliance.web.views import (
    account,
    accreditations,
    actions,
    admin,
    audit_trail,
    board,
    boardpack,
    cycles,
    evidence_register,
    pages,
    plan,
    queries,
    questionnaires,
    returns,
    statements,
    verification,
)

ROOT = config.ROOT
csrf = CSRFProtect()
_prepare_lock = threading.Lock()


# The youngest generation is collected every this many new objects, not CPython's 700: a large page (the matrix of
# 5,000 organisations makes about a million short-lived objects, none in cycles) otherwise set off hundreds of
# collections, and the full ones among them walk everything alive: a third of that page's time.
YOUNG_COLLECTION_EVERY = 50_000


def settle_collector() -> None:
    """For a server process, once it has started (wsgi.py; make bench does the same before it measures): what
    start-up made lives as long as the process, so it is moved out of the collector's sight (a full collection
    no longer walks its 70,000 objects, which stalled every thread for about 28 ms each time), and the youngest
    generation is collected every YOUNG_COLLECTION_EVERY new objects."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, oldest)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; test_config overrides the environment."""
    app = web.App(
        __name__,
        static_folder=str(ROOT / "static"),
        static_url_path="/assets",
        template_folder=str(ROOT / "templates"),
        instance_path=str((test_config or {}).get("INSTANCE_PATH") or ROOT / "instance"),
    )
    _configure(app, test_config)
    app.extensions["sectors"] = _read_sectors(app.config["SECTORS_FILE"])
    app.extensions["accreditation_schemes"] = _read_schemes(app.config["ACCREDITATIONS_FILE"])
    if int(app.config["TRUST_PROXIES"]):
        # Behind a reverse proxy that terminates HTTPS: believe its X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["TRUST_PROXIES"]),
                                x_proto=int(app.config["TRUST_PROXIES"]), x_host=int(app.config["TRUST_PROXIES"]))
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # An id in an address beyond SQLite's 64-bit integers matches no route (404) rather than overflowing.
    app.url_map.converters["int"] = SQLiteInteger
    csrf.init_app(app)
    WTFormsHelpers(app)
    web.init_app(app)
    # Before the sign-in check, which may read a return ahead of the view (web.requests.person_for_request).
    app.before_request(lambda: _ensure_prepared(app))
    auth.init_app(app, load_user)
    for blueprint in (pages.bp, account.bp, admin.bp, cycles.bp, returns.bp, board.bp, statements.bp, boardpack.bp,
                      audit_trail.bp, evidence_register.bp, verification.bp, queries.bp, actions.bp,
                      accreditations.bp, questionnaires.bp, plan.bp):
        app.register_blueprint(blueprint)
    app.view_functions["static"] = auth.public(app.view_functions["static"])
    register_commands(app)
    # A CLI command does its own preparing and reporting; a server prepares at start-up, and
    # `flask run` (which is also a CLI command) on its first request.
    if click.get_current_context(silent=True) is None:
        prepare_database(app)
    return app


class SQLiteInteger(IntegerConverter):
    """The int converter, bounded to what SQLite can store."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def _ensure_prepared(app: Flask) -> None:
    if "framework_errors" not in app.extensions:
        with _prepare_lock:
            if "framework_errors" not in app.extensions:
                prepare_database(app)


def load_user(session_id: str) -> auth.User | None:
    """The person a session belongs to, while the person's token is current, this browser's session has not been
    ended and the account is active."""
    user_id, token, key = (session_id.split(":") + ["", ""])[:3]
    row = person_for_request(int(user_id), key) if user_id.isdigit() and key else None
    if row is not None:
        g.demo_mode = bool(row["demo_present"])  # asked in the same statement, for the banner (web/templating.py)
    if not store.may_sign_in(row) or row["session_token"] != token or not row["session_live"]:
        g.pop("read_with_sign_in", None)  # a return read for someone not signed in is never shown
        return None
    return auth.User(row, key)


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.update(config.from_environment())
    app.config.update(
        PERMANENT_SESSION_LIFETIME=auth.IDLE_TIMEOUT,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Form tokens last as long as the session, which itself ends after 30 idle minutes.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(test_config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.instance_secret_key(app.instance_path)
    instance = Path(app.instance_path)
    app.config["DATABASE"] = app.config["DATABASE"] or str(instance / "compliance.sqlite")
    app.config["EVIDENCE_DIR"] = app.config["EVIDENCE_DIR"] or str(instance / "evidence")
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024 + 64 * 1024


def _read_sectors(path: str) -> Sectors:
    """The partnership's sectors; a file that cannot be used stops the start with what to fix, not a traceback."""
    try:
        return config.read_sectors(path)
    except SectorsError as error:
        count = len(error.errors)
        raise SystemExit("\n".join([
            f"The service cannot start: the sectors file {path} has {count} problem{'' if count == 1 else 's'}:",
            *(f"  {line}" for line in error.errors),
            f"Fix the file (README.md, under Sectors, says how), or set {config.PREFIX}SECTORS_FILE to the right "
            "file, then start the service again."])) from None


def _read_schemes(path: str) -> Schemes:
    """The accreditation schemes; a file that cannot be used stops the start with what to fix, as sectors do."""
    try:
        return config.read_accreditation_schemes(path)
    except SchemesError as error:
        count = len(error.errors)
        raise SystemExit("\n".join([
            f"The service cannot start: the accreditation schemes file {path} has {count} "
            f"problem{'' if count == 1 else 's'}:",
            *(f"  {line}" for line in error.errors),
            "Fix the file (README.md, under Accreditation schemes, says how), or set "
            f"{config.PREFIX}ACCREDITATIONS_FILE to the right file, then start the service again."])) from None


def prepare_database(app: Flask) -> catalogue.SyncResult:
    """Migrate the database, load the framework files (bad ones are logged and skipped whole), sweep the evidence."""
    database = db.connect(app.config["DATABASE"])
    try:
        migrations.migrate(database)
        result = catalogue.sync_folder(database, app.config["QUESTIONNAIRES"], now=datetime.now(timezone.utc),
                                       sectors=app.extensions["sectors"])
        if app.config["LOAD_DEMO"]:  # `make run`: one process migrates, loads the demo and serves
            summary = demo.load_demo(database, now=datetime.now(timezone.utc), sectors=app.extensions["sectors"],
                                     schemes=app.extensions["accreditation_schemes"])
            for line in demo.summary_lines(summary):
                print(line, flush=True)
        referenced = store.evidence_digests(database)
    finally:
        database.close()
    for error in result.errors:
        app.logger.error("framework file rejected: %s", error)
    # A crash between storing an upload's file and committing its row leaves a file nothing refers to.
    for path in files.sweep_evidence(app.config["EVIDENCE_DIR"], referenced):
        app.logger.warning("removed %s from the evidence folder: an upload interrupted before it was recorded", path)
    app.extensions["framework_errors"] = result.errors
    return result
