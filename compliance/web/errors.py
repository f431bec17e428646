"""Error pages: every HTTP error and every unexpected exception gets a page in the service's own words."""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

ERROR_TEMPLATES = {403: "errors/403.html", 404: "errors/404.html", 500: "errors/500.html"}


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error  # routing redirects travel as HTTPExceptions too
    if isinstance(error, SecurityError):  # a Host outside TRUSTED_HOSTS: no page of ours can link to anything
        current_app.logger.warning("refused a request for an untrusted host: %s", error.description)
        return "Bad request: this service does not answer to that host name.\n", 400, {"Content-Type": "text/plain"}
    template = ERROR_TEMPLATES.get(error.code, "errors/generic.html")
    return render_template(template, error=error), error.code


def handle_unexpected_error(error: Exception):
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return render_template(ERROR_TEMPLATES[500]), 500


def handle_csrf_error(error: CSRFError):
    return render_template("errors/csrf.html", error=error), 400
