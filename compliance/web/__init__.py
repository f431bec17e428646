"""The web layer, the only package that imports Flask: request helpers, security headers, errors, templating,
access rules, forms and the views (one blueprint per area). A view calls one use case and renders what it returns."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from compliance.web import assets, errors, security, templating
from compliance.web.requests import close_db

_SYNC_LIMIT = 1000  # functions remembered by App.ensure_sync; this service registers about 140


class App(Flask):
    """Flask, asking once for each function whether it is a coroutine. Flask asks before it calls every view and
    every before-request, after-request and teardown function (eleven times a request here), through
    inspect.iscoroutinefunction; the answer never changes for a function. This service has no async views."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        found = self._sync.get(func)
        if found is None:
            found = super().ensure_sync(func)
            if len(self._sync) >= _SYNC_LIMIT:  # a function made for one request (after_this_request, a class-based
                self._sync.clear()              # view) would otherwise be kept for good, one a request
            self._sync[func] = found
        return found


def init_app(app: Flask) -> None:
    templating.init_app(app)
    assets.init_app(app)
    app.session_interface = security.SessionInterface()
    app.register_error_handler(CSRFError, errors.handle_csrf_error)
    app.teardown_appcontext(close_db)
    app.after_request(security.security_headers)
    app.register_error_handler(HTTPException, errors.handle_http_error)
    app.register_error_handler(Exception, errors.handle_unexpected_error)
