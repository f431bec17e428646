"""The annual statement of compliance for any version of a return: a printable page and the same as PDF."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, current_app, render_template

from compliance import store
from compliance.core.returns import digest
from compliance.core.statements import Statement, build_statement, draft_document, filename
from compliance.render.pdf import HOW_TO_CHECK, render_statement_pdf
from compliance.services import accreditations
from compliance.services.returns import ReturnContext
from compliance.web.access import signed_in
from compliance.web.requests import accreditation_schemes, get_db
from compliance.web.responses import attachment
from compliance.web.views.returns import visible_return
from compliance.web.views.returns.submission import RAG_TAGS

bp = Blueprint("statements", __name__)


@bp.get("/returns/<int:return_id>/statement")
@signed_in
def statement(return_id: int):
    return _page(*_statement(visible_return(return_id), None))


@bp.get("/returns/<int:return_id>/versions/<int:version>/statement")
@signed_in
def version_statement(return_id: int, version: int):
    return _page(*_statement(visible_return(return_id), version))


@bp.get("/returns/<int:return_id>/statement.pdf")
@signed_in
def statement_pdf(return_id: int):
    return _pdf(_statement(visible_return(return_id), None)[1])


@bp.get("/returns/<int:return_id>/versions/<int:version>/statement.pdf")
@signed_in
def version_statement_pdf(return_id: int, version: int):
    return _pdf(_statement(visible_return(return_id), version)[1])


def _statement(context: ReturnContext, version: int | None) -> tuple[ReturnContext, Statement]:
    """A signed version's statement (the latest when version is None), or the live draft if never signed."""
    database = get_db()
    frameworks = {f.key: f for f in context.frameworks}
    today = datetime.now(timezone.utc).date()
    if version is None:
        versions = store.return_versions(database, context.ret.id)
        if not versions:
            document = draft_document(context, partnership=current_app.config["PARTNERSHIP_NAME"])
            document["accreditations"] = accreditations.held_at_signing(database, context.ret.organisation_id, today,
                                                                        accreditation_schemes())
            return context, build_statement(document, frameworks, submitted=False, sha256=None, version=None,
                                            today=today)
        version = versions[0]["version"]
    found = store.return_version(database, context.ret.id, version) or abort(404)
    document = json.loads(found["canonical"])
    return context, build_statement(document, frameworks, submitted=True, sha256=found["sha256"], version=version,
                                    intact=digest(found["canonical"]) == found["sha256"], today=today,
                                    verifications=store.verifications_for_return(database, context.ret.id))


def _page(context: ReturnContext, statement: Statement):
    return render_template("statements/statement.html", context=context, statement=statement, RAG_TAGS=RAG_TAGS,
                           HOW_TO_CHECK=HOW_TO_CHECK)


def _pdf(statement: Statement) -> Response:
    return attachment(render_statement_pdf(statement), mimetype="application/pdf", filename=filename(statement))
