"""The partnership's plan as the board reads it: each theme's actions with their latest progress, its measures with
every figure beside what it was compared with and the rule in words, and the risks by score.

Pure: the plan's values (core/plan.py's types) and the day in, plain values out. The strategy page, the board pack's
section, and the CSV and XLSX downloads all read these, so they say the same words for the same figures: one place
decides that an action is overdue, which risks belong to a theme, and how a measure's row reads.

Decisions a reader needs:
- Actions keep the plan's order (as it was entered or imported); a risk register is by score, highest first, then
  the review due soonest (so an overdue review comes first among equal scores): core.plan.by_score, the one rule.
- A risk belongs to a theme when one of its mitigating actions is in the theme, or it was raised from one of the
  theme's measures; the board pack lists every risk once, in one register.
- An action or measure whose theme is not the strategy's (or has none) is shown under "Not under a theme", never
  left out.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from compliance.core.plan import (
    ACTION_STATUSES,
    DEFAULT_BANDS,
    DIRECTIONS,
    FIGURE_SOURCES,
    PROGRESS_WORDS,
    RULES,
    UNITS,
    Assessment,
    Band,
    MeasureRecord,
    Period,
    Rag,
    Risk,
    Strategy,
    StrategyAction,
    Theme,
    by_score,
    review_overdue,
    shown,
)
from compliance.core.text import long_date, plural, when

NO_THEME = Theme(0, "Not under a theme")
NO_UPDATE = "No update yet"
NOT_RATED = "Not rated yet"


@dataclass(frozen=True)
class PlanValues:
    """Everything the board's outputs of the plan take, as plain values: the strategy, every action (with its
    updates), every measure (with its figures, those from signed returns already filled in) and every risk, with
    the partnership's risk bands."""

    strategy: Strategy
    actions: tuple[StrategyAction, ...] = ()
    measures: tuple[MeasureRecord, ...] = ()
    risks: tuple[Risk, ...] = ()
    bands: tuple[Band, ...] = DEFAULT_BANDS


@dataclass(frozen=True)
class ActionView:
    id: int
    theme: str
    action: str
    outcome: str
    lead_organisation: str
    lead_person: str
    partners: str
    resources: str
    timescale: str  # "2020/21 Q3 (October to December 2020)" or "31 March 2021"
    due: date
    status: str
    status_label: str
    rag: Rag | None  # the latest update's
    rag_text: str  # "On track", or "No update yet"
    overdue: bool
    note: str  # the latest update's note ("" with none)
    updated: str  # when, London time: "5 March 2026 at 2:07pm" ("" with none)
    updated_by: str
    updates: int  # how many updates are kept


@dataclass(frozen=True)
class MeasureRow:
    """One figure of a measure, as its table reads: the period, the figure, what it was compared with, its colour in
    words and the rule in words."""

    period: Period
    label: str  # "2011/12", "2011/12 Q1 (April to June 2011)", "2026/27 (provisional: its cycle is still open)"
    actual: str  # "19", "40.5%"
    compared_with: str  # "23, the baseline (2010/11)"; "No target set for 2008/09"
    rag: Rag | None
    rag_text: str  # "Better than the year before", "Not rated yet"
    rule_text: str
    provisional: bool = False  # filled from a cycle still open: the figure may yet change


@dataclass(frozen=True)
class MeasureView:
    id: int
    theme: str
    name: str
    definition: str
    lead: str
    unit: str  # a key of UNITS
    unit_label: str  # "a count"
    direction_label: str  # "Lower is better"
    rule_label: str  # "Against the year before (year on year)"
    baseline: str  # "23 in 2010/11"
    targets: tuple[tuple[str, str], ...]  # ("2011/12", "20") by year
    rows: tuple[MeasureRow, ...]  # by period, oldest first
    source: str  # where its figures come from, when from signed returns ("" when typed by the lead): "% met of a
    # framework's requirements (from signed returns): Over-Arching Domestic Violence Protocol 2018"
    record: MeasureRecord  # the values, for its chart

    @property
    def latest(self) -> MeasureRow | None:
        return self.rows[-1] if self.rows else None

    @property
    def targets_text(self) -> str:
        return "; ".join(f"{year}: {value}" for year, value in self.targets) or "No targets set"


@dataclass(frozen=True)
class RiskView:
    id: int
    description: str
    cause: str
    consequence: str
    likelihood: int
    impact: int
    score: int
    band: str  # "High"
    band_rag: Rag
    owner: str
    review_by: str  # "31 January 2027", or "No review date"
    review_overdue: bool
    mitigations: tuple[tuple[int, str], ...]  # (action id, the action) of the plan's actions that mitigate it
    raised_from: str  # the measure's name, when raised from one
    raised_from_id: int | None = None  # that measure's id

    @property
    def mitigations_text(self) -> str:
        return "; ".join(action for _id, action in self.mitigations) or "No actions linked"


@dataclass(frozen=True)
class ThemeReport:
    theme: Theme
    actions: tuple[ActionView, ...]
    measures: tuple[MeasureView, ...]
    risks: tuple[RiskView, ...]  # those linked to the theme, by score

    @property
    def progress(self) -> dict[str, int]:
        """How many actions are at each colour: green, amber, red and none (no update yet)."""
        counts = Counter(action.rag or "none" for action in self.actions)
        return {colour: counts.get(colour, 0) for colour in ("green", "amber", "red", "none")}

    @property
    def overdue(self) -> int:
        return sum(action.overdue for action in self.actions)

    @property
    def actions_text(self) -> str:
        """ "8 actions: 5 on track, 2 some risk to delivery, 1 off track, 2 overdue" (only the counts not 0)."""
        if not self.actions:
            return "No actions"
        counts = self.progress
        parts = [f"{counts[c]} {PROGRESS_WORDS[c].lower()}" for c in ("green", "amber", "red") if counts[c]]
        if counts["none"]:
            parts.append(f"{counts['none']} with no update yet")
        if self.overdue:
            parts.append(f"{self.overdue} overdue")
        return f"{plural(len(self.actions), 'action')}: {', '.join(parts)}"

    @property
    def measures_text(self) -> str:
        """ "3 measures: 1 green, 1 amber, 1 not rated yet" by each measure's latest figure."""
        if not self.measures:
            return "No measures"
        counts = Counter(m.latest.rag if m.latest and m.latest.rag else "none" for m in self.measures)
        words = {"green": "green", "amber": "amber", "red": "red", "none": "not rated yet"}
        parts = [f"{counts[c]} {words[c]}" for c in ("green", "amber", "red", "none") if counts[c]]
        return f"{plural(len(self.measures), 'measure')}: {', '.join(parts)} (by the latest figure)"


@dataclass(frozen=True)
class PlanReport:
    strategy: Strategy
    period: str  # "2019/20 to 2021/22"
    today: date
    themes: tuple[ThemeReport, ...]  # the strategy's, in its order; then "Not under a theme" when anything is
    risks: tuple[RiskView, ...]  # every risk, by score
    bands: tuple[Band, ...]

    @property
    def as_of(self) -> str:
        return long_date(self.today)

    @property
    def risks_text(self) -> str:
        if not self.risks:
            return "No risks recorded"
        counts = Counter(risk.band for risk in self.risks)
        parts = [f"{counts[band.name]} {band.name.lower()}" for band in reversed(self.bands) if counts[band.name]]
        overdue = sum(risk.review_overdue for risk in self.risks)
        return (f"{plural(len(self.risks), 'risk')}: {', '.join(parts)}"
                + (f"; {overdue} review{'s' if overdue != 1 else ''} overdue" if overdue else ""))


def action_view(action: StrategyAction, theme: str, today: date) -> ActionView:
    latest = action.latest
    return ActionView(
        id=action.id, theme=theme, action=action.action, outcome=action.outcome,
        lead_organisation=action.lead_organisation, lead_person=action.lead_person, partners=action.partners,
        resources=action.resources, timescale=action.timescale.label, due=action.timescale.due,
        status=action.status, status_label=ACTION_STATUSES.get(action.status, action.status), rag=action.rag,
        rag_text=PROGRESS_WORDS[action.rag] if action.rag else NO_UPDATE, overdue=action.overdue(today),
        note=latest.note if latest else "", updated=when(latest.at) if latest else "",
        updated_by=latest.by if latest else "", updates=len(action.updates))


def measure_row(record: MeasureRecord, period: Period, assessment: Assessment) -> MeasureRow:
    unit = record.measure.unit
    if assessment.compared_with is not None:
        compared = f"{shown(assessment.compared_with, unit)}, {assessment.compared_label}"
    elif assessment.kind == "target":
        compared = f"No target set for {period.financial_year}"
    else:
        before = assessment.compared_label.removesuffix("'s figure")
        compared = f"No figure for {before} to compare with"
    provisional = period in record.provisional
    label = f"{period.label} (provisional: its cycle is still open)" if provisional else period.label
    return MeasureRow(period, label, shown(assessment.actual, unit), compared, assessment.rag, assessment.text,
                      assessment.rule_text, provisional)


def measure_view(record: MeasureRecord, theme: str) -> MeasureView:
    measure = record.measure
    source = ""
    if record.source:
        source = FIGURE_SOURCES.get(record.source, record.source)
        if record.source_title or record.source_framework:
            source += f": {record.source_title or record.source_framework}"
    return MeasureView(
        id=record.id, theme=theme, name=measure.name, definition=record.definition, lead=record.lead,
        unit=measure.unit, unit_label=UNITS.get(measure.unit, measure.unit),
        direction_label=DIRECTIONS.get(measure.direction, measure.direction),
        rule_label=RULES.get(measure.rule.kind, measure.rule.kind),
        baseline=f"{shown(measure.baseline, measure.unit)} in {measure.baseline_period}",
        targets=tuple((str(period), shown(value, measure.unit)) for period, value in sorted(measure.targets)),
        rows=tuple(measure_row(record, period, assessment) for period, assessment in record.assessments()),
        source=source, record=record)


def risk_view(risk: Risk, *, bands: tuple[Band, ...], today: date, actions: dict[int, StrategyAction],
              measures: dict[int, MeasureRecord]) -> RiskView:
    band = risk.band(bands)
    raised = measures.get(risk.raised_from_measure_id) if risk.raised_from_measure_id is not None else None
    return RiskView(
        id=risk.id, description=risk.description, cause=risk.cause, consequence=risk.consequence,
        likelihood=risk.likelihood, impact=risk.impact, score=risk.score, band=band.name, band_rag=band.rag,
        owner=risk.owner, review_by=long_date(risk.review_by) if risk.review_by else "No review date",
        review_overdue=review_overdue(risk.review_by, today),
        mitigations=tuple((i, actions[i].action) for i in risk.mitigating_action_ids if i in actions),
        raised_from=raised.measure.name if raised else "", raised_from_id=raised.id if raised else None)


def risk_views(values: PlanValues, risks: Iterable[Risk], *, today: date) -> tuple[RiskView, ...]:
    """Risks as the register reads them, by score (core.plan.by_score), their actions and measures from `values`:
    the plan's own risks, or others of the strategy (those closed, which the board pack leaves out)."""
    actions = {action.id: action for action in values.actions}
    measures = {record.id: record for record in values.measures}
    return tuple(risk_view(risk, bands=values.bands, today=today, actions=actions, measures=measures)
                 for risk in by_score(risks))


def plan_report(values: PlanValues, *, today: date) -> PlanReport:
    """The whole plan by theme, with every risk by score, as at `today` (a London day)."""
    strategy = values.strategy
    themes = {theme.id: theme for theme in strategy.themes}
    risks = risk_views(values, values.risks, today=today)

    def theme_of(theme_id: int | None) -> Theme:
        return themes[theme_id] if theme_id in themes else NO_THEME

    originals = {risk.id: risk for risk in values.risks}
    reports = []
    for theme in (*strategy.themes, NO_THEME):
        own_actions = [a for a in values.actions if theme_of(a.theme_id) is theme]
        own_measures = [m for m in values.measures if theme_of(m.theme_id) is theme]
        if theme is NO_THEME and not own_actions and not own_measures:
            continue
        action_ids = {a.id for a in own_actions}
        measure_ids = {m.id for m in own_measures}
        linked = [view for view in risks if set(originals[view.id].mitigating_action_ids) & action_ids
                  or originals[view.id].raised_from_measure_id in measure_ids]
        reports.append(ThemeReport(theme, tuple(action_view(a, theme.name, today) for a in own_actions),
                                   tuple(measure_view(m, theme.name) for m in own_measures), tuple(linked)))
    return PlanReport(strategy, str(strategy.period), today, tuple(reports), risks, values.bands)


def theme_report(values: PlanValues, theme_id: int, *, today: date) -> ThemeReport:
    """One theme of the plan (its page): KeyError when the strategy has no such theme."""
    for report in plan_report(values, today=today).themes:
        if report.theme.id == theme_id and report.theme is not NO_THEME:
            return report
    raise KeyError(theme_id)
