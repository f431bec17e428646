"""The outbox: every message the service has written, with the body of those it could not send."""
from __future__ import annotations

from flask import render_template

from ... import store
from ...auth import requires
from ...web import get_db
from . import bp


@bp.get("/outbox")
@requires("manage_partnership")
def outbox():
    return render_template("admin/outbox.html", messages=store.outbox_messages(get_db()))
