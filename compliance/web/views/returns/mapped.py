"""A requirement page's part in "one answer for mapped requirements" (core/mappings.py decides who answers what).

- A requirement answered through another framework's has no form: its page shows that answer, read-only, with its
  evidence and actions and a link to the requirement where it is answered.
- A requirement others are answered through says so, naming and linking them.
- A requirement with a part-of or related mapping shows the other requirement's answer as a suggestion, and
  "Start from ...'s answer" fills the form with it (rating by code, explanation, reason) without saving anything.
"""
from __future__ import annotations

from flask import render_template, request, url_for

from compliance.core.frameworks import Framework, Requirement
from compliance.core.mappings import cross_reference, translated
from compliance.core.returns import ANSWER_STATES, ReturnContext

START_FROM = "start_from"  # the query parameter: "<framework id>/<requirement id>" of a suggested answer


def answered_through_page(context: ReturnContext, framework: Framework, requirement: Requirement, caption: str,
                          **evidence_helpers):
    """The read-only page of a requirement answered through another framework's."""
    source = context.source(framework, requirement)  # the view asks only of a requirement that has one
    key, answer = context.answered_by(framework, requirement)
    own_level = framework.level_or_none((answer or {}).get("rating"))
    their_level = source[0].level_or_none((answer or {}).get("rating"))
    following = context.next_after(framework, requirement)
    return render_template(
        "returns/answer_through.html", context=context, framework=framework, requirement=requirement,
        caption=caption, source=source, source_name=cross_reference(*source), answer=answer or {}, level=own_level,
        their_level=their_level, actions=context.actions.get(key, []), evidence=context.evidence.get(key, []),
        state=ANSWER_STATES[context.state(framework, requirement)],
        problems=context.problems_for(framework, requirement),
        source_url=_page(context, *source), others=[pair for pair in context.plan.also_answers(*source)
                                                    if pair != (framework, requirement)],
        next_url=_page(context, *following) if following else url_for(".check", return_id=context.ret.id),
        **evidence_helpers)


def also_answers(context: ReturnContext, framework: Framework, requirement: Requirement) -> list[dict]:
    """The other frameworks' requirements answered through this one, each named and linked to its page."""
    return [{"name": cross_reference(*pair), "page": _page(context, *pair)}
            for pair in context.plan.also_answers(framework, requirement)]


def suggestions(context: ReturnContext, framework: Framework, requirement: Requirement) -> list[dict]:
    """The other requirements' answers this one may start from: those with a rating or an explanation."""
    found = []
    for suggestion in context.plan.suggested(framework, requirement):
        key, answer = context.answered_by(suggestion.framework, suggestion.requirement)
        if not answer or not (answer.get("rating") or answer.get("narrative")):
            continue
        level = suggestion.framework.level_or_none(answer.get("rating"))
        found.append({"name": cross_reference(suggestion.framework, suggestion.requirement),
                      "short_name": cross_reference(suggestion.framework, suggestion.requirement, short=True),
                      "title": suggestion.requirement.title, "words": suggestion.words, "answer": answer,
                      "level": level, "evidence": context.evidence.get(key, []),
                      "href": url_for(".answer", return_id=context.ret.id, framework_id=framework.id,
                                      requirement_id=requirement.id,
                                      **{START_FROM: f"{suggestion.framework.id}/{suggestion.requirement.id}"},
                                      _anchor="started"),
                      "page": _page(context, suggestion.framework, suggestion.requirement)})
    return found


def started_from(context: ReturnContext, framework: Framework, requirement: Requirement,
                 stored: dict | None) -> tuple[dict, dict] | None:
    """The form's starting values from the suggested answer the query string names, and that suggestion; None
    when it names none of this requirement's suggestions. The revision stays this answer's own, so saving it is
    an ordinary save (and nothing is saved until then)."""
    chosen = request.args.get(START_FROM, "")
    for suggestion in context.plan.suggested(framework, requirement):
        if chosen != f"{suggestion.framework.id}/{suggestion.requirement.id}":
            continue
        given = context.answered_by(suggestion.framework, suggestion.requirement)[1] or {}
        answer = translated(given, suggestion.framework, framework) or {}
        values = {"rating": answer.get("rating"), "narrative": answer.get("narrative") or "",
                  "reason": answer.get("reason") or "", "revision": str((stored or {}).get("revision", 0))}
        return values, {"name": cross_reference(suggestion.framework, suggestion.requirement),
                        "rating_dropped": bool(given.get("rating")) and not answer.get("rating")}
    return None


def _page(context: ReturnContext, framework: Framework, requirement: Requirement) -> str:
    return url_for(".answer", return_id=context.ret.id, framework_id=framework.id, requirement_id=requirement.id)
