"""What every template sees: the partnership's names, the filters for dates, times and sizes, the error summary."""
from __future__ import annotations

from flask import Flask, current_app
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput

from compliance import store
from compliance.core import text
from compliance.web.requests import get_db
from compliance.web.security import csp_nonce


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


def error_summary(form) -> dict:
    """The error summary's params: like govuk-frontend-wtf's, but a date's link goes to its day box."""
    params = wtforms_errors(form)
    dates = {f"#{field.id}" for field in form if isinstance(field.widget, GovDateInput)}
    for item in params["errorList"]:
        if item.get("href") in dates:
            item["href"] += "-day"
    return params


def init_app(app: Flask) -> None:
    """Register the filters and globals once: every page formats a date, a time or a size the same way."""
    for name in ("long_date", "when", "file_size", "plural"):  # as filters and as functions: both read well
        app.add_template_filter(getattr(text, name), name)
        app.add_template_global(getattr(text, name), name)
    app.add_template_global(error_summary)
    app.context_processor(template_context)
