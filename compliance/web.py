"""Request plumbing: the database on g, security headers, template context and error pages."""
from __future__ import annotations

import secrets
from datetime import date

from flask import Flask, current_app, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from sqlite_utils import Database
from werkzeug.exceptions import HTTPException

from compliance.store import db
from compliance import store

ERROR_TEMPLATES = {403: "errors/403.html", 404: "errors/404.html", 500: "errors/500.html"}


def get_db() -> Database:
    """The request's database connection, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = db.connect(current_app.config["DATABASE"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    database = g.pop("db", None)
    if database is not None:
        database.close()


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def security_headers(response):
    """Headers every response carries, error pages included."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{csp_nonce()}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def template_context() -> dict:
    config = current_app.config
    return {
        "cspNonce": csp_nonce(),
        "partnership_name": config["PARTNERSHIP_NAME"],
        "partnership_short_name": config["PARTNERSHIP_SHORT_NAME"],
        "service_name": config["SERVICE_NAME"],
        "demo_mode": _demo_mode(),
    }


def _demo_mode() -> bool:
    try:
        return store.demo_loaded(get_db())
    except Exception:  # the banner must never stop an error page from rendering
        return False


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error  # routing redirects travel as HTTPExceptions too
    template = ERROR_TEMPLATES.get(error.code, "errors/generic.html")
    return render_template(template, error=error), error.code


def handle_unexpected_error(error: Exception):
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return render_template(ERROR_TEMPLATES[500]), 500


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the request came over HTTPS, whatever the configuration says."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def handle_csrf_error(error: CSRFError):
    return render_template("errors/csrf.html", error=error), 400


def error_summary(form) -> dict:
    """The error summary's params: like govuk-frontend-wtf's, but a date's link goes to its day box."""
    params = wtforms_errors(form)
    dates = {f"#{field.id}" for field in form if isinstance(field.widget, GovDateInput)}
    for item in params["errorList"]:
        if item.get("href") in dates:
            item["href"] += "-day"
    return params


def long_date(value: str | None) -> str:
    """An ISO date as people read it: 30 June 2026."""
    if not value:
        return ""
    day = date.fromisoformat(value[:10])
    return f"{day.day} {day:%B %Y}"


def init_app(app: Flask) -> None:
    app.add_template_filter(long_date)
    app.add_template_global(error_summary)
    app.session_interface = SessionInterface()
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.teardown_appcontext(close_db)
    app.after_request(security_headers)
    app.context_processor(template_context)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
