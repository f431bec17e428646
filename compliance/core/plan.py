"""The partnership's own plan, as rules: financial years and quarters, a performance measure's red/amber/green
against its target or against the year before (with the rule in words), and a risk's score and band.

Pure: values in, values out. The strategy's pages, its storage and the board pack build on these (issue 13);
one rule each, so a page, a PDF and a spreadsheet can never disagree about a measure's colour.

Periods are UK financial years (1 April to 31 March), written as people write them: "2010/11" for the year from
April 2010, and "2010/11 Q1" for its first quarter (April to June). Quarter 4 is January to March of the later
calendar year.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeVar

REDUCE, INCREASE = "reduce", "increase"
DIRECTIONS = {REDUCE: "Lower is better", INCREASE: "Higher is better"}
UNITS = {"count": "a count", "percent": "a percentage", "rate-per-1000": "a rate per 1,000"}
TARGET, YEAR_ON_YEAR = "target", "year-on-year"
RULES = {TARGET: "Against its target for the year", YEAR_ON_YEAR: "Against the year before (year on year)"}
QUARTER_MONTHS = {1: "April to June", 2: "July to September", 3: "October to December", 4: "January to March"}
RAG_WORDS = {TARGET: {"green": "On target", "amber": "Within tolerance", "red": "Off target"},
             YEAR_ON_YEAR: {"green": "Better than the year before", "amber": "The same as the year before",
                            "red": "Worse than the year before"}}
_PERIOD = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*(?:,?\s*(?:Q|quarter\s*)([1-4]))?\s*$", re.IGNORECASE)
Rag = Literal["green", "amber", "red"]
T = TypeVar("T")


class PlanError(ValueError):
    """Input that cannot be used; the message says what is wrong and how to fix it, and `field` (when known) which
    of a form's fields it is about: "unit", "baseline_period", "target-2019" and so on."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, order=True)
class Period:
    """A financial year (quarter None) or one of its quarters. Ordered: a year sorts before its quarters."""

    year: int  # the calendar year the financial year starts in: 2010 for 2010/11
    quarter: int | None = None

    def __str__(self) -> str:
        text = f"{self.year}/{(self.year + 1) % 100:02d}"
        return text if self.quarter is None else f"{text} Q{self.quarter}"

    @property
    def label(self) -> str:
        """As a heading reads it: "2010/11" or "2010/11 Q1 (April to June 2010)"."""
        if self.quarter is None:
            return str(self)
        calendar = self.year + 1 if self.quarter == 4 else self.year
        return f"{self} ({QUARTER_MONTHS[self.quarter]} {calendar})"

    @property
    def financial_year(self) -> Period:
        return Period(self.year)

    @property
    def starts(self) -> date:
        if self.quarter is None:
            return date(self.year, 4, 1)
        month = 3 * self.quarter + 1
        return date(self.year + 1, 1, 1) if month > 12 else date(self.year, month, 1)

    @property
    def ends(self) -> date:
        if self.quarter is None or self.quarter == 4:
            return date(self.year + 1, 3, 31)
        return {1: date(self.year, 6, 30), 2: date(self.year, 9, 30), 3: date(self.year, 12, 31)}[self.quarter]

    @property
    def previous(self) -> Period:
        """The year before (for a year), or the quarter before (for a quarter)."""
        if self.quarter is None:
            return Period(self.year - 1)
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)


def parse_period(text: str) -> Period:
    """ "2010/11", "2010-11", "2010/2011", "2010/11 Q1" or "2010/11 quarter 1"; PlanError otherwise."""
    found = _PERIOD.match(text or "")
    if not found:
        raise PlanError(f"Enter a financial year like 2010/11, or a quarter like 2010/11 Q1, not {text.strip()!r}"
                        if (text or "").strip() else "Enter a financial year like 2010/11, or a quarter like "
                        "2010/11 Q1")
    start, end, quarter = int(found.group(1)), found.group(2), found.group(3)
    follows = int(end) == start + 1 if len(end) == 4 else end == f"{(start + 1) % 100:02d}"
    if not follows:
        raise PlanError(f"A financial year runs from April to the next March, so it is written {start}/"
                        f"{(start + 1) % 100:02d}: check {text.strip()!r}")
    if not 1990 <= start <= 2100:
        raise PlanError(f"{start} is not a year this plan can hold: check the year")
    return Period(start, int(quarter) if quarter else None)


def period_of(day: date, *, quarter: bool = False) -> Period:
    """The financial year (or quarter) a day falls in."""
    year = day.year if day.month >= 4 else day.year - 1
    if not quarter:
        return Period(year)
    return Period(year, (day.month - 4) % 12 // 3 + 1)


def cycle_period(name: str, open_date: date) -> Period:
    """The financial year a cycle of returns reports on: its name when that is a year, as cycles are named ("the
    reporting year, April to March, like 2025/26"); otherwise the year its open date falls in. The name comes
    first because a year's cycle may open before the year does (the demo's opens 60 days before today)."""
    try:
        named = parse_period(name)
    except PlanError:
        return period_of(open_date)
    return named if named.quarter is None else period_of(open_date)


@dataclass(frozen=True)
class StrategyPeriod:
    """A strategy's years: 2019/20 to 2021/22 for "2019-2022"."""

    first: Period
    last: Period

    def holds(self, period: Period) -> bool:
        return self.first.year <= period.year <= self.last.year

    def check(self, period: Period, what: str) -> None:
        if not self.holds(period):
            raise PlanError(f"{what} {period} is outside the strategy's period ({self.first} to {self.last}): "
                            f"enter a period from {self.first} to {self.last}")

    def __str__(self) -> str:
        return f"{self.first} to {self.last}"


def strategy_period(first_year: int, last_year: int) -> StrategyPeriod:
    """The financial years of a strategy "first_year-last_year" (2019-2022: 2019/20, 2020/21 and 2021/22)."""
    if last_year <= first_year:
        raise PlanError(f"A strategy's period must end after it starts: {first_year}-{last_year} does not. Enter "
                        "it like 2019-2022")
    if last_year - first_year > 10:
        raise PlanError("A strategy's period can be at most 10 years: check the years")
    return StrategyPeriod(Period(first_year), Period(last_year - 1))


def parse_number(text: str, unit: str) -> Decimal:
    """A measure's value as typed ("23", "40%", "1,250", "3.5"), checked against its unit; PlanError otherwise."""
    typed = (text or "").strip()
    if not typed:
        raise PlanError("Enter a number")
    percent = typed.endswith("%")
    plain = typed.rstrip("%").strip().replace(",", "")
    try:
        value = Decimal(plain)
    except InvalidOperation:
        raise PlanError(f"Enter a number, like 23 or 40.5, not {typed!r}") from None
    if not value.is_finite():
        raise PlanError(f"Enter a number, like 23 or 40.5, not {typed!r}")
    if percent and unit != "percent":
        raise PlanError(f"This measure is {UNITS[unit]}, not a percentage: enter it without the % sign")
    if value < 0:
        raise PlanError("Enter a number that is 0 or more")
    if unit == "percent" and value > 100:
        raise PlanError("A percentage must be between 0 and 100")
    if unit == "count" and value != value.to_integral_value():
        raise PlanError(f"This measure is a count: enter a whole number, not {typed!r}")
    return value


def read_measure(*, name: str, unit: str, direction: str, baseline_period: str, baseline: str, rule: str,
                 tolerance: str, targets: dict[int, str], strategy: StrategyPeriod | None
                 ) -> tuple[Measure | None, dict[str, str]]:
    """A measure from what was typed on its form (targets by the year each starts in), or the problems by field:
    every value checked against the unit, the baseline and targets as `validate` checks them."""
    errors: dict[str, str] = {}
    typed_targets = {year: text for year, text in targets.items() if (text or "").strip()}
    period = None
    if not (baseline_period or "").strip():
        errors["baseline_period"] = ("Enter the baseline's financial year, like 2010/11" +
                                     (": a target is set against a baseline" if typed_targets else ""))
    else:
        period = _read(errors, "baseline_period", lambda: parse_period(baseline_period))
    checked_unit = unit if unit in UNITS else None
    value = None
    if not (baseline or "").strip():
        errors["baseline"] = "Enter the baseline's figure, like 23"
    elif checked_unit:
        value = _read(errors, "baseline", lambda: parse_number(baseline, checked_unit))
    allowed = Decimal(0)
    if rule == TARGET and (tolerance or "").strip():
        allowed = _read(errors, "tolerance", lambda: parse_number(tolerance, "percent")) or Decimal(0)
    read_targets = []
    for year, text in sorted(typed_targets.items()):
        if checked_unit:
            found = _read(errors, f"target-{year}", functools.partial(parse_number, text, checked_unit))
            if found is not None:
                read_targets.append((Period(year), found))
    # Every other problem at once, as validate() finds them: with the baseline's year or figure unreadable, a stand-in
    # that raises nothing of its own (the field already says what is wrong).
    draft = Measure(name, unit, direction, period or Period(1990), Decimal(0) if value is None else value,
                    Rule(rule, allowed), tuple(read_targets))
    for problem in problems(draft, strategy):
        if problem.field == "targets" and typed_targets:
            continue  # targets were typed: each one's own field says what is wrong with it
        errors.setdefault(problem.field or "rule", str(problem))
    return (None, errors) if errors else (draft, {})


def read_figure(period_text: str, value_text: str, *, unit: str, strategy: StrategyPeriod
                ) -> tuple[tuple[Period, Decimal] | None, dict[str, str]]:
    """A measure's figure for a year or a quarter, as typed: the period inside the strategy's years and the value
    in the measure's unit; or the problems by field ("period", "value")."""
    errors: dict[str, str] = {}
    period = _read(errors, "period", lambda: parse_period(period_text))
    if period is not None:
        _read(errors, "period", lambda: strategy.check(period, "The figure for"))
    if not (value_text or "").strip():
        errors["value"] = f"Enter the figure, as {UNITS.get(unit, 'a number')} like {EXAMPLES.get(unit, '23')}"
        value = None
    else:
        value = _read(errors, "value", lambda: parse_number(value_text, unit))
    if errors or period is None or value is None:
        return None, errors
    return (period, value), {}


EXAMPLES = {"count": "23", "percent": "40%", "rate-per-1000": "3.2"}


def _read(errors: dict[str, str], field: str, read: Callable[[], T]) -> T | None:
    """read()'s value, or None with its PlanError's message kept as the field's problem."""
    try:
        return read()
    except PlanError as problem:
        errors.setdefault(field, str(problem))
        return None


def shown(value: Decimal | None, unit: str) -> str:
    """A value as a report shows it: 23, 40.5%, 3.2 per 1,000."""
    if value is None:
        return "Not entered"
    text = f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return {"percent": f"{text}%", "rate-per-1000": f"{text} per 1,000"}.get(unit, text)


@dataclass(frozen=True)
class Rule:
    """How a measure's colour is worked out: against its target for the year (green when the target is met, amber
    when it misses by no more than `tolerance` percent of the target, red otherwise) or year on year (green when
    better than the year before, amber when the same, red when worse; the baseline is the first "year before")."""

    kind: str  # TARGET or YEAR_ON_YEAR
    tolerance: Decimal = Decimal(0)  # percent of the target, for TARGET


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str  # a key of UNITS
    direction: str  # REDUCE or INCREASE
    baseline_period: Period
    baseline: Decimal
    rule: Rule
    targets: tuple[tuple[Period, Decimal], ...] = ()  # by financial year

    def target_for(self, period: Period) -> Decimal | None:
        return dict(self.targets).get(period.financial_year)


@dataclass(frozen=True)
class Assessment:
    """A measure's colour for a period, what it was compared with, and the rule in words."""

    kind: str  # the rule's: TARGET or YEAR_ON_YEAR
    rag: Rag | None  # None: nothing to compare yet (no actual, or no target for the year)
    actual: Decimal | None
    compared_with: Decimal | None
    compared_label: str  # "the target for 2023/24", "2022/23's actual", "the baseline (2010/11)"
    rule_text: str

    @property
    def text(self) -> str:
        """The colour in words, which every colour is shown with."""
        return RAG_WORDS[self.kind][self.rag] if self.rag else "Not rated yet"


def _better(direction: str, actual: Decimal, other: Decimal) -> int:
    """1 when actual is better than other, 0 when the same, -1 when worse."""
    if actual == other:
        return 0
    lower = actual < other
    return 1 if lower == (direction == REDUCE) else -1


def validate(measure: Measure, strategy: StrategyPeriod | None = None) -> None:
    """Refuse a measure that cannot be rated, with how to fix it (the first of its problems)."""
    found = problems(measure, strategy)
    if found:
        raise found[0]


def problems(measure: Measure, strategy: StrategyPeriod | None = None) -> list[PlanError]:
    """Everything that stops a measure being rated, each naming the form field it is about."""
    found = []
    if measure.unit not in UNITS:
        found.append(PlanError("Select the measure's unit: a count, a percentage or a rate per 1,000", "unit"))
    if measure.direction not in DIRECTIONS:
        found.append(PlanError("Select whether lower or higher is better for this measure", "direction"))
    if measure.rule.kind not in RULES:
        found.append(PlanError("Select how the measure is rated: against its target or year on year", "rule"))
    if measure.baseline_period.quarter is not None:
        found.append(PlanError("A baseline is for a whole financial year, like 2010/11: enter the year, not a quarter",
                               "baseline_period"))
    for period, _value in measure.targets:
        where = f"target-{period.year}"
        if period.quarter is not None:
            found.append(PlanError(f"Targets are set by financial year: enter {period.financial_year}, not {period}",
                                   where))
        elif period <= measure.baseline_period.financial_year:
            found.append(PlanError(f"The target for {period} is not after the baseline ({measure.baseline_period}): "
                                   "a target is for a year after the baseline", where))
        elif strategy is not None and not strategy.holds(period):
            try:
                strategy.check(period, "The target for")
            except PlanError as outside:
                found.append(PlanError(str(outside), where))
    if measure.rule.kind == TARGET and not measure.targets:
        found.append(PlanError("A measure rated against its target needs at least one year's target: add one, or "
                               "rate it year on year", "targets"))
    if not 0 <= measure.rule.tolerance <= 100:
        found.append(PlanError("The tolerance is a percentage of the target between 0 and 100", "tolerance"))
    return found


def rule_text(measure: Measure, period: Period | None = None) -> str:
    """The rule in words, beside every colour it gives."""
    better, worse = ("below", "above") if measure.direction == REDUCE else ("above", "below")
    if measure.rule.kind == YEAR_ON_YEAR:
        return (f"Green when a year's figure is {better} the year before's, amber when it is the same, red when it "
                f"is {worse}. The first year is compared with the baseline ({measure.baseline_period}: "
                f"{shown(measure.baseline, measure.unit)}).")
    target = measure.target_for(period) if period else None
    aim = f"its target of {shown(target, measure.unit)}" if target is not None else "the year's target"
    meets = "at or below" if measure.direction == REDUCE else "at or above"
    tolerance = measure.rule.tolerance
    amber = (f"amber when it is {worse} it by no more than {shown(tolerance, 'percent')} of the target, "
             if tolerance else "")
    return f"Green when the figure is {meets} {aim}; {amber}red otherwise."


def assess(measure: Measure, actuals: dict[Period, Decimal], period: Period) -> Assessment:
    """The measure's colour for `period` (a year, or a quarter against its year's target), from the actual values
    entered so far."""
    actual = actuals.get(period)
    words = rule_text(measure, period)
    if measure.rule.kind == YEAR_ON_YEAR:
        # a year is compared with the year before, a quarter with the same quarter a year before; in (or before)
        # the baseline's year, with the baseline
        before = Period(period.year - 1, period.quarter)
        compared: Decimal | None = measure.baseline
        label = f"the baseline ({measure.baseline_period})"
        if before.year > measure.baseline_period.year:
            compared, label = actuals.get(before), f"{before}'s figure"
        if actual is None or compared is None:
            return Assessment(measure.rule.kind, None, actual, compared, label, words)
        better = _better(measure.direction, actual, compared)
        rag: Rag = "green" if better > 0 else "amber" if better == 0 else "red"
        return Assessment(measure.rule.kind, rag, actual, compared, label, words)
    target = measure.target_for(period)
    label = f"the target for {period.financial_year}"
    if actual is None or target is None:
        return Assessment(measure.rule.kind, None, actual, target, label, words)
    if _better(measure.direction, actual, target) >= 0:
        return Assessment(measure.rule.kind, "green", actual, target, label, words)
    allowed = abs(target) * measure.rule.tolerance / 100
    missed: Rag = "amber" if abs(actual - target) <= allowed else "red"
    return Assessment(measure.rule.kind, missed, actual, target, label, words)


# Risks ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    """A band of risk scores, as the partnership configures them: scores from `lowest` up to the next band."""

    lowest: int
    name: str
    rag: Rag


DEFAULT_BANDS = (Band(1, "Low", "green"), Band(5, "Medium", "amber"), Band(10, "High", "red"),
                 Band(15, "Very high", "red"))


def check_bands(bands: tuple[Band, ...]) -> None:
    if not bands or bands[0].lowest != 1:
        raise PlanError("The first risk band must start at a score of 1: enter 1 as its lowest score")
    lows = [band.lowest for band in bands]
    if lows != sorted(set(lows)) or lows[-1] > 25:
        raise PlanError("Each risk band must start at a higher score than the one before, and no higher than 25: "
                        "check the lowest scores")


def risk_score(likelihood: int, impact: int) -> int:
    for value, what in ((likelihood, "Likelihood"), (impact, "Impact")):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise PlanError(f"{what} must be a whole number from 1 to 5")
    return likelihood * impact


def risk_band(score: int, bands: tuple[Band, ...] = DEFAULT_BANDS) -> Band:
    return [band for band in bands if band.lowest <= score][-1]


def review_overdue(review_by: date | None, today: date) -> bool:
    """A risk whose review date has passed (a review due today is not yet overdue)."""
    return review_by is not None and review_by < today


# What the plan holds, as the pages, the board pack and the spreadsheets read it ------------------------------

ACTION_STATUSES = {"not-started": "Not started", "in-progress": "In progress", "complete": "Complete",
                   "delayed": "Delayed", "stopped": "Stopped"}
PROGRESS_WORDS = {"green": "On track", "amber": "Some risk to delivery", "red": "Off track"}
# The figures a measure may take from signed returns instead of having them typed: a framework's % met over the
# returns signed and standing in the cycle of that year (core/scoring.py's rule, the matrix's own figure).
FIGURE_SOURCES = {"percent-met": "% met of a framework's requirements (from signed returns)"}


@dataclass(frozen=True)
class Timescale:
    """When an action is due: a date, or a financial quarter (due at its end)."""

    due: date
    period: Period | None = None  # the quarter (or year) it was given as, if it was

    @property
    def label(self) -> str:
        if self.period is not None:
            return self.period.label
        return f"{self.due.day} {self.due:%B %Y}"


def parse_timescale(text: str) -> Timescale:
    """ "31/03/2021", "2021-03-31", "2020/21 Q3" or "2020/21"; PlanError otherwise."""
    typed = (text or "").strip()
    found = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})|(\d{4})-(\d{2})-(\d{2})", typed)
    if found:
        day, month, year = ((int(found.group(1)), int(found.group(2)), int(found.group(3))) if found.group(1)
                            else (int(found.group(6)), int(found.group(5)), int(found.group(4))))
        try:
            return Timescale(date(year, month, day))
        except ValueError:
            raise PlanError(f"{typed!r} is not a real date: check the day and month") from None
    try:
        period = parse_period(typed)
    except PlanError:
        raise PlanError("Enter the timescale as a date, like 31/03/2021, or a financial quarter, like 2020/21 Q3"
                        ) from None
    return Timescale(period.ends, period)


@dataclass(frozen=True)
class Theme:
    id: int
    name: str  # "Prevention", "Provision", "Protection & Justice", "Performance"


@dataclass(frozen=True)
class Strategy:
    id: int
    title: str  # "Domestic Violence and Abuse Strategy 2019-2022"
    period: StrategyPeriod
    themes: tuple[Theme, ...]


@dataclass(frozen=True)
class ActionUpdate:
    """A lead's dated note on an action's progress, with its colour; kept for ever, never overwritten."""

    at: str  # when it was written (ISO, UTC)
    by: str  # the person's name
    note: str
    rag: Rag


@dataclass(frozen=True)
class StrategyAction:
    id: int
    theme_id: int
    action: str
    outcome: str
    lead_organisation: str
    lead_person: str
    partners: str
    resources: str
    timescale: Timescale
    status: str  # a key of ACTION_STATUSES
    updates: tuple[ActionUpdate, ...] = ()  # oldest first

    @property
    def latest(self) -> ActionUpdate | None:
        return self.updates[-1] if self.updates else None

    @property
    def rag(self) -> Rag | None:
        return self.latest.rag if self.latest else None

    def overdue(self, today: date) -> bool:
        return self.status not in ("complete", "stopped") and self.timescale.due < today


@dataclass(frozen=True)
class MeasureRecord:
    """A measure with what the pages show beside its rule: its definition, lead and values entered."""

    id: int
    theme_id: int | None
    measure: Measure
    definition: str
    lead: str
    actuals: tuple[tuple[Period, Decimal], ...] = ()  # typed by the lead, or filled from signed returns
    source: str | None = None  # a key of FIGURE_SOURCES when the figures come from signed returns
    source_framework: str | None = None  # the framework id the figure is of
    provisional: tuple[Period, ...] = ()  # filled from a cycle still open: its figure may yet change
    source_title: str = ""  # the framework's title, for words ("" when not known: its id is shown)

    def assessments(self) -> list[tuple[Period, Assessment]]:
        values = dict(self.actuals)
        return [(period, assess(self.measure, values, period)) for period in sorted(values)]

    def latest(self) -> tuple[Period, Assessment] | None:
        done = self.assessments()
        return done[-1] if done else None


@dataclass(frozen=True)
class Risk:
    id: int
    description: str
    cause: str
    consequence: str
    likelihood: int
    impact: int
    owner: str
    review_by: date | None
    mitigating_action_ids: tuple[int, ...] = ()
    raised_from_measure_id: int | None = None

    @property
    def score(self) -> int:
        return risk_score(self.likelihood, self.impact)

    def band(self, bands: tuple[Band, ...] = DEFAULT_BANDS) -> Band:
        return risk_band(self.score, bands)


def by_score(risks: Iterable[Risk]) -> tuple[Risk, ...]:
    """The register's order: highest score first, then the review due soonest (none last), then the oldest."""
    return tuple(sorted(risks, key=lambda risk: (-risk.score, risk.review_by or date.max, risk.id)))


def risk_from_measure(record: MeasureRecord, *, owner: str, review_by: date | None) -> dict[str, object]:
    """What a risk raised in one step from a measure off target starts with (the person edits it before saving)."""
    latest = record.latest()
    figure = (f" In {latest[0]} it was {shown(latest[1].actual, record.measure.unit)} against "
              f"{latest[1].compared_label} ({shown(latest[1].compared_with, record.measure.unit)})."
              if latest and latest[1].actual is not None else "")
    return {"description": f"{record.measure.name} is off target.{figure}",
            "cause": "", "consequence": "", "likelihood": 3, "impact": 3, "owner": owner, "review_by": review_by,
            "raised_from_measure_id": record.id}
