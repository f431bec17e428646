"""The Executive Board's view of the partnership: the matrix of a cycle, on screen and as CSV or XLSX."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, request, stream_template, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from compliance import store
from compliance.core.matrix import SELF_ASSESSED, TRENDS, VALIDATED
from compliance.core.returns import RETURN_STATUSES
from compliance.core.text import slug
from compliance.core.verification import VIEWS
from compliance.render import exports
from compliance.services import matrix as matrix_service
from compliance.web.access import requires
from compliance.web.requests import get_db, now, sectors
from compliance.web.responses import attachment

bp = Blueprint("board", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _matrix(cycle_id: int, view: str | None = None):
    """The cycle and its matrix, filtered by the query string; values not on offer are ignored."""
    database = get_db()
    cycle = store.cycle(database, cycle_id) or abort(404)
    keys = {key.split("@")[0] for key in store.cycle_framework_keys(database, cycle_id)}
    chosen = {name: request.args.get(name) or None for name in ("framework", "sector", "status")}
    allowed = {"framework": keys, "sector": sectors(), "status": RETURN_STATUSES}
    chosen = {name: value if value in allowed[name] else None for name, value in chosen.items()}
    view = view or (request.args.get("view") if request.args.get("view") in VIEWS else SELF_ASSESSED)
    return cycle, matrix_service.cycle_matrix(database, cycle, sectors=sectors(), sector=chosen["sector"],
                                              framework_id=chosen["framework"], status=chosen["status"], view=view)


def matrix_cell(cell, version_url: str) -> Markup:
    """One cell of the matrix as HTML. Built here rather than in the template because a matrix of 1,000
    organisations has 38,000 cells, and Jinja's per-cell overhead was most of the page's time (see make bench).
    Every value is escaped; the visible letter and marks are hidden from screen readers, which read the
    description instead, so colour is never the only signal."""
    differs = " app-matrix__cell--differs" if cell.disagrees else ""
    opening = f'<td class="govuk-table__cell app-matrix__cell app-rag--{escape(cell.rag)}{differs}">'
    description = f'<span class="govuk-visually-hidden">{escape(cell.description)}</span>'
    if not (cell.link and cell.link.get("version")):
        # bandit B704: every value in it is escaped above
        return Markup(f"{opening}{description}</td>")  # nosec B704
    shown = cell.letter or ("–" if cell.state == "not-checked" else "")
    if cell.trend:
        shown += f" {TRENDS[cell.trend][0]}"
    if cell.disagrees:
        shown += " ≠"
    anchor = f"{version_url}#answer-{cell.link['framework_id']}-{cell.link['requirement_id']}"
    # bandit B704: every value in it is escaped
    return Markup(f'{opening}<a class="app-matrix__link" href="{escape(anchor)}"><span aria-hidden="true">'  # nosec B704
                  f"{escape(shown)}</span>{description}</a></td>")


def _filename(cycle: dict, extension: str) -> str:
    return f"partnership-matrix-{slug(cycle['name'])}.{extension}"


@bp.get("/cycles/<int:cycle_id>/matrix")
@requires("view_partnership")
def matrix(cycle_id: int):
    cycle, found = _matrix(cycle_id)
    query = {k: v for k, v in found.filters.items() if v}
    views = [(code, label, url_for(".matrix", cycle_id=cycle_id, **query, **({"view": code} if code == VALIDATED
                                                                              else {})))
             for code, label in VIEWS.items()]
    # Streamed: a matrix of 1,000 organisations is a 12 MB page, which need never be held whole in memory.
    # The session is saved before a streamed body is drawn, so the page's form token is made first.
    generate_csrf()
    return stream_template("board/matrix.html", cycle=cycle, matrix=found, trends=TRENDS, sectors=sectors(),
                           statuses=RETURN_STATUSES, views=views, matrix_cell=matrix_cell,
                           csv_url=url_for(".matrix_csv", cycle_id=cycle_id, **query),
                           xlsx_url=url_for(".matrix_xlsx", cycle_id=cycle_id, **query))


@bp.get("/cycles/<int:cycle_id>/matrix.csv")
@requires("view_partnership")
def matrix_csv(cycle_id: int):
    cycle, found = _matrix(cycle_id, SELF_ASSESSED)
    return attachment(exports.matrix_csv(found), mimetype="text/csv", filename=_filename(cycle, "csv"))


@bp.get("/cycles/<int:cycle_id>/matrix.xlsx")
@requires("view_partnership")
def matrix_xlsx(cycle_id: int):
    cycle, found = _matrix(cycle_id, SELF_ASSESSED)
    validated = _matrix(cycle_id, VALIDATED)[1]
    body = exports.matrix_xlsx(found, validated, partnership=current_app.config["PARTNERSHIP_NAME"], prepared=now())
    return attachment(body, mimetype=XLSX, filename=_filename(cycle, "xlsx"))


from compliance.web.views import board_progress  # noqa: E402,F401 (registers its routes on bp)
