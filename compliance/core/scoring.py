"""Scoring: answers to RAG colours, percentages, overall ratings, per-requirement counts and year-on-year.

Pure: standard library only; imports no Flask and touches no database. Every function takes values and
returns values.

Decisions a reader needs (see also the docstrings):
- A percentage is computed from the exact fraction and rounded once, half-up, to the framework's decimals;
  thresholds are compared with that rounded figure, so 10 of 17 (58.82...) is 59% and meets a 59 threshold.
- Not applicable (a grey level) is left out of every denominator.
- Per requirement, % met is worked out over the organisations whose return is in (signed): one not yet returned
  is counted apart, as not returned, and is in no denominator. A returned answer left blank (or, in the
  validated view, not yet checked) counts as not met.
- Per organisation, an unanswered mandatory requirement makes the overall "incomplete"; the percentage is
  still worked out, counting it as not met. An unanswered optional requirement is left out altogether.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from compliance.core.frameworks import Framework, Level, OverallRule

BLANK = "blank"  # nothing submitted
NO_PERCENT = "Not applicable"  # shown instead of a percentage when every answer was not applicable

_LETTERS = {"green": "G", "amber": "A", "red": "R", "grey": "N/A", BLANK: ""}
_TEXTS = {"green": "Green", "amber": "Amber", "red": "Red", "grey": "Not applicable", BLANK: "Not submitted"}

# rank tiers: a complete rating outranks "not applicable", which outranks "incomplete"
_INCOMPLETE, _NOT_RANKED, _COMPLETE = 0, 1, 2
# An overall's rank: its tier, then (complete or incomplete) the worst level's score or the percentage.
Rank = tuple[int | Decimal, ...]
# What _direction compares: two scores, or two ranks.
_Ordered = TypeVar("_Ordered", int, Rank)


def level_for(framework: Framework, code: str) -> Level:
    """The scale level for an answer code; ValueError naming the framework and the valid codes if unknown."""
    try:
        return framework.level(code)
    except KeyError:
        valid = ", ".join(level.code for level in framework.scale)
        raise ValueError(
            f"{framework.key}: unknown level code {code!r}; expected one of: {valid}"
        ) from None


def rag(framework: Framework, code: str | None) -> str:
    """The colour of one answer: green, amber, red, grey (not applicable), or blank (nothing submitted)."""
    return BLANK if code is None else level_for(framework, code).rag


def rag_letter(colour: str) -> str:
    """The letter shown with a colour (G, A, R, N/A; empty for blank) so colour is never the only signal."""
    return _lookup(_LETTERS, colour)


def rag_text(colour: str) -> str:
    """The words for a colour: Green, Amber, Red, Not applicable, Not submitted."""
    return _lookup(_TEXTS, colour)


def _lookup(table: dict[str, str], colour: str) -> str:
    try:
        return table[colour]
    except KeyError:
        raise ValueError(f"unknown colour {colour!r}; expected one of: {', '.join(table)}") from None


def percent(
    numerator: int, denominator: int, *, decimals: int = 0, rounding: str = "half-up"
) -> Decimal | None:
    """numerator / denominator x 100, exact then rounded once half-up; None when the denominator is 0."""
    if rounding != "half-up":
        raise ValueError(f"unknown rounding {rounding!r}; the only rule is 'half-up'")
    if decimals < 0 or numerator < 0 or denominator < 0 or numerator > denominator:
        raise ValueError(
            f"cannot make a percentage of {numerator} of {denominator} to {decimals} decimal places"
        )
    if denominator == 0:
        return None
    scaled = Fraction(numerator * 100 * 10**decimals, denominator)
    # floor(x + 1/2) is half-up for the non-negative values allowed here, with no float or Decimal step first
    return Decimal(math.floor(scaled + Fraction(1, 2))).scaleb(-decimals)


def format_percent(value: Decimal | None, *, decimals: int = 0) -> str:
    """A percentage as people read it ("59%", "54.5%"), or "Not applicable" for None (nothing applicable)."""
    if value is None:
        return NO_PERCENT
    shown = value.quantize(Decimal(1).scaleb(-decimals))
    if shown != value:
        # rounding here would be a second rounding of a figure percent() already rounded
        raise ValueError(f"{value} has more than {decimals} decimal places; round it once with percent()")
    return f"{shown}%"


@dataclass(frozen=True)
class Overall:
    """One organisation's overall rating against one framework.

    state: "complete", "incomplete" (a mandatory requirement is unanswered), "not-applicable" (every
    answer is not applicable) or "no-requirements" (none applies to the organisation's sector).
    percent: % met for percentage-met frameworks (unanswered counted as not met); None otherwise.
    met / applicable: answers counting as met / applicable requirements (unanswered mandatory ones included).
    rank: better compares greater among complete ratings of one framework; "not-applicable" and
    "no-requirements" sort below every complete rating and "incomplete" below everything.
    """

    state: str
    label: str
    rag: str
    percent: Decimal | None
    met: int
    applicable: int
    answered: int
    total: int
    rank: Rank


def overall(framework: Framework, answers: Mapping[str, str | None], *, sector: str) -> Overall:
    """The overall rating by the framework's rule, from requirement id -> level code (None: unanswered)."""
    requirements = framework.requirements_for(sector)
    if not requirements:
        return Overall("no-requirements", "No requirements apply", "grey", None, 0, 0, 0, 0, (_NOT_RANKED,))
    given = {
        r.id: level_for(framework, code) for r in requirements if (code := answers.get(r.id)) is not None
    }
    unanswered = sum(1 for r in requirements if r.id not in given and r.mandatory)
    applicable = [level for level in given.values() if level.applicable]
    tally = {
        "met": sum(1 for level in applicable if level.counts_as_met),
        "applicable": len(applicable) + unanswered,
        "answered": len(given),
        "total": len(requirements),
    }
    rule = framework.overall
    if rule.kind == "worst-rating-wins":
        return _worst_rating_wins(applicable, tally, complete=not unanswered)
    if rule.kind == "percentage-met":
        return _percentage_met(rule, tally, complete=not unanswered)
    raise ValueError(f"{framework.key}: unknown overall rule {rule.kind!r}")


def overall_rule_text(framework: Framework) -> str:
    """How an organisation's overall against the framework is decided, in words for the board."""
    rule = framework.overall
    if rule.kind == "worst-rating-wins":
        return ("the lowest rating given to any of its requirements: one requirement not met makes the overall "
                "not met, however many others are met")
    if rule.kind == "percentage-met":
        levels = "; ".join(f"{t.label} from {format_percent(t.min_percent, decimals=rule.decimals)}"
                           for t in sorted(rule.thresholds, key=lambda t: t.min_percent, reverse=True))
        return ("the % of its requirements met, not applicable ones left out"
                + (f" ({levels})" if levels else ""))
    raise ValueError(f"{framework.key}: unknown overall rule {rule.kind!r}")


def _score(level: Level) -> int:
    """An applicable level's score: the parser gives one to every level but the grey (not applicable) ones."""
    if level.score is None:
        raise ValueError(f"level {level.code!r} is {level.rag} but has no score; only a grey level may have none")
    return level.score


def _worst_rating_wins(applicable: list[Level], tally: dict[str, int], *, complete: bool) -> Overall:
    worst = min(applicable, key=_score, default=None)
    if not complete:
        so_far = () if worst is None else (_score(worst),)
        return Overall("incomplete", "Incomplete", BLANK, None, **tally, rank=(_INCOMPLETE, *so_far))
    if worst is None:
        return Overall("not-applicable", rag_text("grey"), "grey", None, **tally, rank=(_NOT_RANKED,))
    return Overall("complete", worst.label, worst.rag, None, **tally, rank=(_COMPLETE, _score(worst)))


def _percentage_met(rule: OverallRule, tally: dict[str, int], *, complete: bool) -> Overall:
    value = percent(tally["met"], tally["applicable"], decimals=rule.decimals, rounding=rule.rounding)
    if value is None:  # nothing applicable and nothing unanswered
        return Overall("not-applicable", rag_text("grey"), "grey", None, **tally, rank=(_NOT_RANKED,))
    if not complete:
        return Overall("incomplete", "Incomplete", BLANK, value, **tally, rank=(_INCOMPLETE, value))
    label, colour = _threshold(rule, value)
    return Overall("complete", label, colour, value, **tally, rank=(_COMPLETE, value))


def _threshold(rule: OverallRule, value: Decimal) -> tuple[str, str]:
    """The label and colour of the highest threshold the rounded percentage reaches, else the bare figure."""
    reached = [t for t in rule.thresholds if t.min_percent <= value]
    if not reached:
        return format_percent(value, decimals=rule.decimals), BLANK
    best = max(reached, key=lambda t: t.min_percent)
    return best.label, best.rag


@dataclass(frozen=True)
class Counts:
    """How the organisations answered one requirement, and its % met over the returns that are in."""

    green: int
    amber: int
    red: int
    na: int
    missing: int  # returned, but this answer is blank (or, validated, not yet checked): counts as not met
    met: int
    applicable: int  # returned organisations minus not applicable; missing answers stay in
    percent_met: Decimal | None  # None when there is nothing applicable
    not_returned: int = 0  # asked, but their return is not in yet: in no denominator

    @property
    def returned(self) -> int:
        return self.green + self.amber + self.red + self.na + self.missing

    @property
    def asked(self) -> int:
        return self.returned + self.not_returned


def requirement_counts(
    framework: Framework, requirement_id: str, codes: Iterable[str | None], *, not_returned: int = 0,
    decimals: int = 0
) -> Counts:
    """Counts per colour and % met = met / (returned - N/A).

    codes are the answers of the organisations whose return is in (None: left blank, counted as not met);
    not_returned is how many more were asked and have not returned: counted, never as not met.
    """
    try:
        framework.requirement(requirement_id)
    except KeyError:
        raise ValueError(f"{framework.key}: no requirement {requirement_id!r}") from None
    if not_returned < 0:
        raise ValueError(f"not_returned must be 0 or more, not {not_returned}")
    colours: Counter[str] = Counter()
    met = answers = 0
    for code, how_many in Counter(codes).items():  # each distinct code looked up once, not once an organisation
        level = None if code is None else level_for(framework, code)
        colours[BLANK if level is None else level.rag] += how_many
        met += how_many if level is not None and level.counts_as_met else 0
        answers += how_many
    applicable = answers - colours["grey"]
    return Counts(
        green=colours["green"],
        amber=colours["amber"],
        red=colours["red"],
        na=colours["grey"],
        missing=colours[BLANK],
        met=met,
        applicable=applicable,
        percent_met=percent(met, applicable, decimals=decimals, rounding=framework.overall.rounding),
        not_returned=not_returned,
    )


def framework_percent(framework: Framework, counts: Iterable[Counts]) -> Decimal | None:
    """A framework's % met over its requirements' counts: every met answer over every applicable one, rounded once
    to the framework's decimals. The matrix's figure for a framework (core.matrix.Group), and the one a plan's
    measure of a framework's % met takes (core.figures.CycleFigures.framework_percent)."""
    met = applicable = 0
    for found in counts:
        met += found.met
        applicable += found.applicable
    return percent(met, applicable, decimals=framework.overall.decimals, rounding=framework.overall.rounding)


def coverage_text(returned: int, asked: int) -> str:
    """How many of the organisations asked have returned, in words: "9 of 13 organisations returned"."""
    if returned < 0 or asked < returned:
        raise ValueError(f"cannot have {returned} returned of {asked}")
    return f"{returned} of {asked} organisation{'' if asked == 1 else 's'} returned"


def trend_of(better: int, same: int, worse: int) -> str | None:
    """A column's or framework's direction from its like-for-like answer changes: "better" when more answers rose
    than fell, "worse" when more fell, "same" when as many rose as fell; None when no answer could be compared.
    Worked out from the counts, so the arrow never disagrees with them."""
    if better + same + worse == 0:
        return None
    if better > worse:
        return "better"
    return "worse" if worse > better else "same"


def compare(framework: Framework, before: str | None, after: str | None) -> str | None:
    """"better", "same" or "worse" from one answer to the next; None if either is missing or one is N/A."""
    if before is None or after is None:
        return None
    return compare_levels(level_for(framework, before), level_for(framework, after))


def compare_levels(old: Level, new: Level) -> str | None:
    """compare() for two levels already looked up."""
    if not old.applicable and not new.applicable:
        return "same"
    if not old.applicable or not new.applicable:
        return None
    return _direction(_score(old), _score(new))


def compare_overall(before: Overall, after: Overall) -> str | None:
    """Better / same / worse between two overalls of one framework; None if incomplete or only one is N/A."""
    if "incomplete" in (before.state, after.state):
        return None
    old_rated, new_rated = before.state == "complete", after.state == "complete"
    if not old_rated and not new_rated:
        return "same"
    if not old_rated or not new_rated:
        return None
    return _direction(before.rank, after.rank)


def _direction(before: _Ordered, after: _Ordered) -> str:
    if after > before:
        return "better"
    return "worse" if after < before else "same"
