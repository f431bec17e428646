"""The Executive Board's view of the partnership: the matrix of a cycle, on screen and as CSV or XLSX."""
from __future__ import annotations

import functools
from html import escape as html_escape

from flask import Blueprint, Response, abort, current_app, request, stream_template, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from compliance import store
from compliance.core.matrix import NOT_ASKED, SELF_ASSESSED, THROUGH_KEY, THROUGH_MARK, TRENDS, VALIDATED
from compliance.core.returns import RETURN_STATUSES
from compliance.core.scoring import BLANK, overall_rule_text
from compliance.core.text import slug
from compliance.core.verification import VIEWS
from compliance.render import exports
from compliance.services import matrix as matrix_service
from compliance.web.access import requires
from compliance.web.requests import get_db, now, sectors
from compliance.web.responses import attachment, in_chunks

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


def _cell_html(cell, version_url: str) -> str:  # version_url: already escaped
    """One cell of the matrix as HTML. Built here rather than in the template because a matrix of 1,000
    organisations has 38,000 cells, and Jinja's per-cell overhead was most of the page's time (see make bench).
    The description, the one text a person wrote any of (the organisation's name), and the link are escaped
    (html.escape: plain text in, plain text out, without a Markup object for each); the colour and the marks are
    the core's own fixed words and symbols. The visible letter and marks are hidden from screen readers, which
    read the description instead, so colour is never the only signal."""
    differs = " app-matrix__cell--differs" if cell.disagrees else ""
    opening = f'<td class="govuk-table__cell app-matrix__cell app-rag--{cell.rag}{differs}">'
    description = f'<span class="govuk-visually-hidden">{html_escape(cell.description)}</span>'
    link = cell.link
    if not (link and link.get("version")):
        return f"{opening}{description}</td>"
    shown = cell.letter or ("–" if cell.state == "not-checked" else "")
    if cell.trend:
        shown += f" {TRENDS[cell.trend][0]}"
    if cell.disagrees:
        shown += " ≠"
    if cell.through:
        shown += f" {THROUGH_MARK}"
    # version_url comes escaped (matrix_cells); framework and requirement ids are lower-case letters, digits and
    # hyphens, which the framework file's parser insists on (core.frameworks.ID_PATTERN)
    anchor = f"{version_url}#answer-{link['framework_id']}-{link['requirement_id']}"
    return (f'{opening}<a class="app-matrix__link" href="{anchor}"><span aria-hidden="true">'
            f"{shown}</span>{description}</a></td>")


def matrix_cells(cells, version_url: str) -> Markup:
    """A row's cells, in one call from the template rather than one a cell (Jinja's cost for each call is as much
    as building the cell)."""
    version_url = html_escape(version_url)
    # bandit B704: each cell is built by _cell_html, which escapes what it must
    return Markup("".join([_cell_html(cell, version_url) for cell in cells]))  # nosec B704


def matrix_summary(row, indexes: list[int], version_url: str, organisation_url: str) -> Markup:
    """One organisation for small screens, in place of its row of the grid: each framework asked of it with its
    overall, then its red and amber answers by requirement title. Built here for the reason the cells are."""
    escaped_version_url = html_escape(version_url)
    parts = [f'<li class="app-matrix-list__org"><h4 class="govuk-heading-s govuk-!-margin-bottom-1">'
             f'<a class="govuk-link" href="{html_escape(organisation_url)}">{html_escape(row.org.name)}</a></h4>'
             f'<p class="govuk-body-s govuk-!-margin-bottom-2">{html_escape(row.status_label)}'
             '</p><dl class="govuk-summary-list app-matrix-list__frameworks">']
    for index in indexes:
        group = row.groups[index]
        if all(cell.state == NOT_ASKED for cell in group.cells):
            continue
        # a not submitted return's overall is dashed like its cells; a percentage with no colour has none
        rag = BLANK if group.overall is None else "none" if group.overall.rag == BLANK else group.overall.rag
        parts.append(f'<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">'
                     f'{html_escape(group.framework.short_title)}</dt><dd class="govuk-summary-list__value">'
                     f'<span class="app-rag app-rag--{html_escape(rag)}">{html_escape(group.overall_text)}</span>')
        if group.overall is not None:
            parts.append(_flagged(group.flagged, escaped_version_url))
        parts.append("</dd></div>")
    parts.append("</dl></li>")
    # bandit B704: every value in it is escaped
    return Markup("".join(parts))  # nosec B704


def _flagged(cells, version_url: str) -> str:
    """The red, then the amber answers under their colour, each linking to the signed answer (a 1,000-organisation
    page has tens of thousands of them, so each is kept short). version_url comes escaped (matrix_summary)."""
    if not cells:
        return '<p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-0">No red or amber answers</p>'
    parts, colour = [], None
    for cell in cells:
        if cell.rag != colour:  # the colour and its words are the core's own fixed words
            parts.append(f'{"</ul>" if colour else ""}<p class="app-matrix-list__colour"><span class="app-rag '
                         f'app-rag--{cell.rag}">{cell.text}</span></p><ul class="app-matrix-list__flags">')
            colour = cell.rag
        words = _requirement_words(cell.requirement.ref, cell.requirement.title)
        if cell.through:
            words += f" (answered through {html_escape(cell.through)})"
        link = cell.link
        if link and link.get("version"):  # ids: lower-case letters, digits and hyphens (core.frameworks.ID_PATTERN)
            words = f'<a href="{version_url}#answer-{link["framework_id"]}-{link["requirement_id"]}">{words}</a>'
        parts.append(f"<li>{words}</li>")
    return "".join(parts) + "</ul>"


@functools.lru_cache(maxsize=1024)
def _requirement_words(ref: str, title: str) -> str:
    """A requirement as the small-screen list names it, escaped once rather than for every organisation."""
    return f"{html_escape(ref)}. {html_escape(title)}"


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
    # Streamed: a matrix of 1,000 organisations is a 16 MB page, which need never be held whole in memory.
    # The session is saved before a streamed body is drawn, so the page's form token is made first.
    generate_csrf()
    # each row's two links, made once rather than once for each table the row is in and again for the list
    links = {row.org.return_id: (url_for("returns.version", return_id=row.org.return_id, version=row.org.version)
                                 if row.org.version else "",
                                 url_for("admin.organisation", organisation_id=row.org.organisation_id))
             for row in found.rows}
    page = stream_template("board/matrix.html", links=links, cycle=cycle, matrix=found, trends=TRENDS,
                           sectors=sectors(), statuses=RETURN_STATUSES, views=views, matrix_cells=matrix_cells,
                           overall_rule_text=overall_rule_text, matrix_summary=matrix_summary,
                           through_mark=THROUGH_MARK, through_key=THROUGH_KEY,
                           csv_url=url_for(".matrix_csv", cycle_id=cycle_id, **query),
                           xlsx_url=url_for(".matrix_xlsx", cycle_id=cycle_id, **query))
    return Response(in_chunks(page), mimetype="text/html")


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
