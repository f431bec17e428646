"""The outbox: every message the service has written, with the body of those it could not send."""
from __future__ import annotations

from flask import render_template

from compliance import store
from compliance.web.access import requires
from compliance.web.requests import get_db
from compliance.web.views.admin import bp


@bp.get("/outbox")
@requires("manage_partnership")
def outbox():
    return render_template("admin/outbox.html", messages=store.outbox_messages(get_db()))
