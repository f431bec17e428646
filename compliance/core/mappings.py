"""One answer for mapped requirements: which requirement's answer stands for which, in one cycle and sector.

Pure: imports no Flask and touches no database. `AnswerPlan.answering` is the one definition of "what answers this
requirement": the task list, completeness for signing, the signed document (and so scoring, the matrix and the
statement, which read what was signed) and the requirement page all ask it.

The rule, which questionnaires/README.md ("One answer for mapped requirements") explains to people:
- A `same` mapping joins two requirements when the cycle asks both of the organisation (both frameworks are in the
  cycle and both requirements are for its sector). Requirements joined by `same` mappings, directly or through one
  another, are answered once, at the requirement whose framework comes first in the cycle's order of frameworks
  (then first in that framework's own order); each of the others is "answered through" it.
- An answer stands for another framework's requirement by its level's code: the same code in that framework's
  scale, with that scale's label, colour and score. A framework file whose `same` mapping names a framework whose
  scale has other codes is refused when it is loaded (core/frameworks.py); should two versions that disagree meet
  in a cycle all the same, their requirements are answered apart and each suggests the other's answer.
- `part-of` and `related` mappings join nothing: each requirement shows the other's answer as a suggestion to
  start from, which the person may copy into their own form and change before saving.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compliance.core.frameworks import Framework, Requirement

EQUAL, SUBSET, INTERSECT = "same", "part-of", "related"
Key = tuple[str, str]  # (framework key, requirement id), as a return keys its answers
Pair = tuple[Framework, Requirement]


@dataclass(frozen=True)
class Suggestion:
    """Another requirement whose answer this one may start from, and how the two relate, from this one's side."""

    framework: Framework
    requirement: Requirement
    words: str  # e.g. "asks something related to this requirement"


@dataclass(frozen=True)
class AnswerPlan:
    """Who answers what in one cycle for one sector: worked out from the frameworks alone, never from answers."""

    sources: Mapping[Key, Pair] = field(default_factory=dict)  # answered-through requirement -> where it is answered
    answers_too: Mapping[Key, tuple[Pair, ...]] = field(default_factory=dict)  # answering requirement -> the others
    suggestions: Mapping[Key, tuple[Suggestion, ...]] = field(default_factory=dict)

    def answering(self, framework: Framework, requirement: Requirement) -> Pair:
        """The requirement whose answer stands for this one: itself, or the one it is answered through."""
        return self.sources.get((framework.key, requirement.id), (framework, requirement))

    def source(self, framework: Framework, requirement: Requirement) -> Pair | None:
        """The requirement this one is answered through; None when it is answered on its own page."""
        return self.sources.get((framework.key, requirement.id))

    def also_answers(self, framework: Framework, requirement: Requirement) -> tuple[Pair, ...]:
        """The other frameworks' requirements this one's answer stands for too."""
        return self.answers_too.get((framework.key, requirement.id), ())

    def suggested(self, framework: Framework, requirement: Requirement) -> tuple[Suggestion, ...]:
        return self.suggestions.get((framework.key, requirement.id), ())


NO_PLAN = AnswerPlan()


def same_codes(first: Framework, second: Framework) -> bool:
    """Whether an answer to one framework can stand for the other's: their scales have the same level codes."""
    return {level.code for level in first.scale} == {level.code for level in second.scale}


# Plans made, by the identity of the framework objects (each kept alive with its plan, so no identity is reused) and
# the sector: a cycle's page works out every return's progress, each by the plan of the same frameworks.
_PLANS: dict[tuple[tuple[int, ...], str], tuple[tuple[Framework, ...], AnswerPlan]] = {}


def answer_plan(frameworks: Sequence[Framework], sector: str) -> AnswerPlan:
    """The plan for a cycle's frameworks, in the cycle's order, and an organisation's sector."""
    if not any(framework.mappings for framework in frameworks):
        return NO_PLAN
    memo = (tuple(map(id, frameworks)), sector)
    if memo not in _PLANS:
        if len(_PLANS) >= 64:
            _PLANS.clear()
        _PLANS[memo] = (tuple(frameworks), _plan(frameworks, sector))
    return _PLANS[memo][1]


def _plan(frameworks: Sequence[Framework], sector: str) -> AnswerPlan:
    by_id = {framework.id: framework for framework in frameworks}
    place: dict[Key, tuple[int, int]] = {}
    pairs: dict[Key, Pair] = {}
    for position, framework in enumerate(frameworks):
        for index, requirement in enumerate(framework.requirements_for(sector)):
            place[(framework.key, requirement.id)] = (position, index)
            pairs[(framework.key, requirement.id)] = (framework, requirement)
    joined: dict[Key, Key] = {}  # union-find: each key's parent
    loose: list[tuple[Key, Key, str]] = []  # (this, other, relation) from the file of `this`
    for framework in frameworks:
        for mapping in framework.mappings:
            other = by_id.get(mapping.framework)
            ends = (framework.key, mapping.requirement), (other.key if other else "", mapping.target)
            if other is None or ends[0] not in place or ends[1] not in place:
                continue  # the other framework is not in this cycle, or one side is not asked of this sector
            if mapping.relation == EQUAL and same_codes(framework, other):
                _join(joined, *ends)
            else:
                loose.append((*ends, mapping.relation))
    groups: dict[Key, list[Key]] = {}
    for key in joined:
        groups.setdefault(_root(joined, key), []).append(key)
    sources: dict[Key, Pair] = {}
    answers_too: dict[Key, tuple[Pair, ...]] = {}
    for members in groups.values():
        first, *others = sorted(members, key=place.__getitem__)
        sources.update({key: pairs[first] for key in others})
        answers_too[first] = tuple(pairs[key] for key in sorted(others, key=place.__getitem__))
    plan = AnswerPlan(sources, answers_too)
    return AnswerPlan(sources, answers_too, _suggestions(plan, loose, pairs, place))


def _join(parents: dict[Key, Key], first: Key, second: Key) -> None:
    parents.setdefault(first, first)
    parents.setdefault(second, second)
    parents[_root(parents, first)] = _root(parents, second)


def _root(parents: dict[Key, Key], key: Key) -> Key:
    while parents[key] != key:
        key = parents[key]
    return key


# How a requirement B relates to a requirement A whose file maps A to B, said from either side.
_WORDS = {EQUAL: ("asks the same as this requirement", "asks the same as this requirement"),
          SUBSET: ("asks all of this requirement and more", "asks part of what this requirement asks"),
          INTERSECT: ("asks something related to this requirement", "asks something related to this requirement")}


def _suggestions(plan: AnswerPlan, loose: list[tuple[Key, Key, str]], pairs: dict[Key, Pair],
                 place: dict[Key, tuple[int, int]]) -> dict[Key, tuple[Suggestion, ...]]:
    """Each requirement answered on its own page, with the answers it may start from: the other end of each
    part-of or related mapping (or where that end is answered, if it is answered through another)."""
    found: dict[Key, dict[Key, Suggestion]] = {}
    for this, other, relation in loose:
        seen_from_this, seen_from_other = _WORDS.get(relation, _WORDS[INTERSECT])
        for here, there, words in ((this, other, seen_from_this), (other, this, seen_from_other)):
            if here in plan.sources:
                continue  # answered through another requirement: its page shows that answer, not a form
            framework, requirement = plan.answering(*pairs[there])
            key = (framework.key, requirement.id)
            if key != here:
                found.setdefault(here, {}).setdefault(key, Suggestion(framework, requirement, words))
    return {here: tuple(sorted(items.values(), key=lambda s: place[(s.framework.key, s.requirement.id)]))
            for here, items in found.items()}


def mapped_to(framework: Framework, others: Sequence[Framework], *, sector: str | None = None
              ) -> dict[str, tuple[Suggestion, ...]]:
    """Each of the framework's requirements (by id) with the other frameworks' requirements mapped to it, by either
    framework's file, and how each relates from this one's side in the words a requirement page uses: for a printable
    questionnaire, which belongs to no cycle. others: the version of each other framework to name (its newest);
    sector: only the requirements asked of it on both sides. Whether two are answered once is a cycle's (AnswerPlan)."""
    by_id = {other.id: other for other in others if other.id != framework.id}
    mine = {requirement.id for requirement in (framework.requirements_for(sector) if sector else
                                               framework.requirements)}
    ends: list[tuple[str, Framework, str, str]] = []  # (this requirement, other framework, its requirement, words)
    for mapping in framework.mappings:
        if mapping.framework in by_id:
            ends.append((mapping.requirement, by_id[mapping.framework], mapping.target,
                         _WORDS.get(mapping.relation, _WORDS[INTERSECT])[0]))
    for other in by_id.values():
        ends += [(mapping.target, other, mapping.requirement, _WORDS.get(mapping.relation, _WORDS[INTERSECT])[1])
                 for mapping in other.mappings if mapping.framework == framework.id]
    found: dict[str, dict[Key, Suggestion]] = {}
    for here, other, there, words in ends:
        asked = {r.id: r for r in (other.requirements_for(sector) if sector else other.requirements)}
        if here in mine and there in asked:
            found.setdefault(here, {}).setdefault((other.key, there), Suggestion(other, asked[there], words))
    return {here: tuple(items.values()) for here, items in found.items()}


def translated(answer: Mapping[str, Any] | None, source: Framework, target: Framework) -> dict[str, Any] | None:
    """The source requirement's answer as the target's: its rating is the target's level with the same code
    (None if the target's scale has no such code, which loading refuses)."""
    if answer is None:
        return None
    code = answer.get("rating")
    return {**answer, "rating": code if code and target.level_or_none(code) else None}


def cross_reference(framework: Framework, requirement: Requirement, *, short: bool = False) -> str:
    """A requirement as people name it across frameworks: "WDVF protocol, requirement 3" or "West Midlands DV
    Standards, Standard 3"."""
    return named(framework.short_title if short else framework.title, requirement.ref)


def named(framework_title: str, ref: str) -> str:
    """cross_reference() from the words a signed document keeps: a framework's title and a requirement's ref."""
    return f"{framework_title}, {f'requirement {ref}' if ref.isdigit() else ref}"
