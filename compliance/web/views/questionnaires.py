"""Printable questionnaires: every question of a framework version, for one sector or all, as a page and a PDF.

Who may see one: anyone, signed in or not, for a version whose file ships with the service (its wording is public
in the service's own source already, and people who cannot sign in are who it is for); anyone signed in for a
version the coordinator loaded, whose wording may be licensed to the partnership rather than public (the West
Midlands Standards' wording is not). Either way no return's data is on it.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from compliance.core.questionnaire import Questionnaire, build_questionnaire
from compliance.render.questionnaire import render_questionnaire_pdf
from compliance.services import questionnaires
from compliance.web.access import login_manager, public
from compliance.web.requests import get_db, sectors
from compliance.web.responses import attachment

bp = Blueprint("questionnaires", __name__)
PAGE = "/frameworks/<framework_id>/<version>/questionnaire"


@bp.get(PAGE)
@public
def questionnaire(framework_id: str, version: str):
    found = _questionnaire(framework_id, version)
    if not isinstance(found, Questionnaire):
        return found
    return render_template("questionnaires/questionnaire.html", questionnaire=found, sectors=sectors(),
                           framework_id=framework_id, version=version)


@bp.get(PAGE + ".pdf")
@public
def questionnaire_pdf(framework_id: str, version: str):
    found = _questionnaire(framework_id, version)
    if not isinstance(found, Questionnaire):
        return found
    return attachment(render_questionnaire_pdf(found), mimetype="application/pdf", filename=found.filename)


def _questionnaire(framework_id: str, version: str):
    """The questionnaire asked for (a sector not in the partnership's list means every sector); 404 for no such
    version; the sign-in page for a version that did not ship, to someone not signed in."""
    framework = questionnaires.framework_version(get_db(), framework_id, version) or abort(404)
    if not current_user.is_authenticated and framework.key not in questionnaires.shipped_keys(
            current_app.config["QUESTIONNAIRES"]):
        return login_manager.unauthorized()
    chosen = request.args.get("sector") or None
    config = current_app.config
    where = f"the {config['SERVICE_NAME']} service" + (f" at {config['BASE_URL']}" if config.get("BASE_URL") else "")
    return build_questionnaire(framework, sectors(), sector=chosen if chosen in sectors() else None,
                               partnership=config["PARTNERSHIP_NAME"], service=where,
                               others=questionnaires.other_frameworks(get_db(), framework))
