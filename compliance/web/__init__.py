"""The web layer, the only package that imports Flask: request helpers, security headers, errors, templating,
access rules, forms and the views (one blueprint per area). A view calls one use case and renders what it returns."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from compliance.web import assets, errors, security, templating
from compliance.web.requests import close_db


def init_app(app: Flask) -> None:
    templating.init_app(app)
    assets.init_app(app)
    app.session_interface = security.SessionInterface()
    app.register_error_handler(CSRFError, errors.handle_csrf_error)
    app.teardown_appcontext(close_db)
    app.after_request(security.security_headers)
    app.register_error_handler(HTTPException, errors.handle_http_error)
    app.register_error_handler(Exception, errors.handle_unexpected_error)
