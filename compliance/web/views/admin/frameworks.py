"""Frameworks: every loaded version, one version in full, and uploading a new version file.

An upload is checked exactly as the files in questionnaires/ are at start-up: the same parser, mappings
resolved against the stored frameworks, and the same refusal of a changed id@version. A file with any
problem is loaded not at all.
"""
from __future__ import annotations

from pathlib import Path

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from werkzeug.utils import secure_filename
from wtforms import SubmitField

from compliance import store
from compliance.core import frameworks as fw
from compliance.core import scoring
from compliance.core.text import long_date
from compliance.services import catalogue
from compliance.web.access import requires, signed_in
from compliance.web.forms import Form
from compliance.web.requests import actor, get_db, now, sectors
from compliance.web.views.admin import bp

COLOURS = {"green": "Green", "amber": "Amber", "red": "Red", "grey": "Grey"}
RELATIONS = {"same": "Same as", "related": "Related to", "part-of": "Part of"}


class FrameworkUploadForm(Form):
    file = FileField("Framework file", widget=GovFileInput(),
                     description="A TOML file (its name ends in .toml), smaller than 1 MB, in the format described "
                                 "in questionnaires/README.md.")
    submit = SubmitField("Check and load", widget=GovSubmitInput())


@bp.get("/frameworks")
@requires("view_partnership")
def frameworks():
    database = get_db()
    found = sorted(store.framework_rows(database), key=lambda row: (row["title"].lower(), row["loaded_at"]))
    drafts = [catalogue.framework(database, row["key"], row["sha256"]) for row in found if row["status"] == "draft"]
    return render_template("admin/frameworks.html", frameworks=found, drafts=drafts)


@bp.get("/frameworks/<framework_id>/<version>")
@signed_in
def framework(framework_id: str, version: str):
    database = get_db()
    stored = store.framework_rows(database)
    found = next((row for row in stored if row["id"] == framework_id and row["version"] == version), None)
    if found is None:
        abort(404)
    loaded = catalogue.framework(database, found["key"], found["sha256"])
    others = sorted((row for row in stored if row["id"] == framework_id and row["key"] != found["key"]),
                    key=lambda row: row["loaded_at"])
    return render_template("admin/framework.html", row=found, others=others,
                           file_name=Path(found["source_name"]).name, **framework_page_parts(loaded, stored))


def framework_page_parts(framework: fw.Framework, stored: list[dict] | None = None) -> dict:
    """What the framework's content (admin/_framework_content.html) is shown with: on its page, and as the
    preview of a version from a spreadsheet."""
    database = get_db()
    stored = store.framework_rows(database) if stored is None else stored
    return {"framework": framework, "overall": _overall_in_words(framework),
            "links": _links(database, framework, stored), "published": long_date(framework.published),
            "paragraphs": _paragraphs, "heading": _heading, "applies_to": _applies_to, "COLOURS": COLOURS}


@bp.route("/frameworks/upload", methods=["GET", "POST"])
@requires("manage_partnership")
def upload_framework():
    form = FrameworkUploadForm()
    problems: list[tuple[str, str]] = []
    if form.validate_on_submit():
        loaded, problems = _load_upload(form)
        if loaded is not None:
            flash(f"Version {loaded.version} of {loaded.title} loaded")
            return redirect(url_for(".framework", framework_id=loaded.id, version=loaded.version))
    return render_template("admin/framework_upload.html", form=form, problems=problems)


def _load_upload(form: FrameworkUploadForm) -> tuple[fw.Framework | None, list[tuple[str, str]]]:
    """Check the uploaded file and load it if it has no problem; each problem on the form and in the list."""
    upload = form.file.data
    if upload is None or not upload.filename:
        form.file.errors.append("Select a framework file")
        return None, []
    outcome = catalogue.load_upload(get_db(), secure_filename(upload.filename) or "framework.toml",
                                    upload.stream.read(catalogue.MAX_UPLOAD_BYTES + 1), actor=actor(), now=now(),
                                    sectors=sectors())
    if outcome.problem:
        form.file.errors.append(outcome.problem)
    return outcome.framework, outcome.problems


def _heading(requirement: fw.Requirement) -> str:
    """"1. Named lead", "Standard 3: Safe practice", or just "Standard 1" when the title repeats the ref."""
    if requirement.title == requirement.ref:
        return requirement.ref
    return f"{requirement.ref}{'.' if requirement.ref.isdigit() else ':'} {requirement.title}"


def _applies_to(requirement: fw.Requirement) -> str:
    names = sectors()
    return ", ".join(names.name(code) for code in requirement.sectors) if requirement.sectors else "All sectors"


def _paragraphs(text: str) -> list[list[str]]:
    """Text split at blank lines into paragraphs, each a list of its lines, so the wording keeps its breaks."""
    return [[line.strip() for line in block.strip().splitlines()] for block in text.split("\n\n") if block.strip()]


def _labels(levels) -> str:
    labels = [f"“{level.label}”" for level in levels]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def _overall_in_words(framework: fw.Framework) -> list[str]:
    """The framework's overall rule as sentences people can check a result against."""
    not_applicable = [level for level in framework.scale if not level.applicable]
    left_out = (f" Answers rated {_labels(not_applicable)} are left out." if not_applicable else "")
    rule = framework.overall
    if rule.kind == "worst-rating-wins":
        ranked = sorted((level for level in framework.scale if level.applicable), key=lambda level: level.score)
        sentences = ["Worst rating wins: an organisation's overall rating is the lowest-scoring rating among its "
                     f"answers, so a single {_labels(ranked[:1])} makes the overall rating {_labels(ranked[:1])}."
                     + left_out]
        if not_applicable:
            sentences.append(f"If every answer is rated {_labels(not_applicable)}, the overall rating is not "
                             "applicable.")
        return sentences
    met = [level for level in framework.scale if level.counts_as_met]
    places = f"{rule.decimals} decimal place{'' if rule.decimals == 1 else 's'}"
    sentences = [f"Percentage met: the answers rated {_labels(met)} (which count as met), divided by the number of "
                 "requirements that apply to the organisation, times 100." + left_out,
                 f"The percentage is worked out exactly, then rounded once, half up, to {places}."]
    total = len(framework.requirements)
    if total >= 2:
        example = scoring.percent(total - 1, total, decimals=rule.decimals, rounding=rule.rounding)
        sentences.append(f"For example, {total - 1} of {total} requirements met is {example}%.")
    if rule.thresholds:
        sentences.append("The rounded percentage gives the overall rating: the first row below whose minimum it "
                         "reaches.")
    else:
        sentences.append("There are no thresholds: the overall result is the percentage alone.")
    return sentences


def _links(database, framework: fw.Framework, stored: list[dict]) -> list[dict]:
    """The framework's mappings, each with the other framework's newest stored version holding the target."""
    found = []
    for mapping in framework.mappings:
        candidates = sorted((row for row in stored if row["id"] == mapping.framework),
                            key=lambda row: row["loaded_at"], reverse=True)
        other, target = None, None
        for row in candidates:
            version = catalogue.framework(database, row["key"], row["sha256"])
            if any(item.id == mapping.target for item in version.requirements):
                other, target = version, version.requirement(mapping.target)
                break
        found.append({"requirement": framework.requirement(mapping.requirement),
                      "relation": RELATIONS.get(mapping.relation, mapping.relation),
                      "framework": other, "framework_id": mapping.framework, "target": target,
                      "target_id": mapping.target})
    return found
