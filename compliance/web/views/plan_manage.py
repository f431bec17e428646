"""The coordinator's pages for the partnership's plan: the strategy, its themes, actions, measures (with their
targets), risks and the risk bands. Each change is one use case in services/plan.py, audited there."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for

from compliance import store
from compliance.core.frameworks import newest_versions
from compliance.core.plan import DEFAULT_BANDS, FIGURE_SOURCES, Band, PlanError, read_measure, risk_from_measure
from compliance.services import plan
from compliance.web.access import requires
from compliance.web.forms.plan import (
    BAND_ROWS,
    PARTNER,
    RAG_CHOICES,
    TYPED,
    BandsForm,
    ConfirmTickForm,
    EditStrategyForm,
    MeasureForm,
    MoveForm,
    PlanActionForm,
    RiskForm,
    StrategyForm,
    ThemeForm,
)
from compliance.web.requests import actor, get_db, now
from compliance.web.views.plan import bp, held

MANAGE = "manage_partnership"


def _theme(strategy_id: int, theme_id: int) -> dict:
    found = store.plan_theme(get_db(), theme_id)
    if found is None or found["strategy_id"] != strategy_id:
        abort(404)
    return found


def _problem(form, problem: PlanError, fallback: str) -> None:
    """core.plan's refusal on the field it names (or `fallback`), as the form's other errors are."""
    field = form[problem.field] if problem.field and problem.field in form else form[fallback]
    field.errors = [*field.errors, str(problem)]


def _people(current: int | None) -> list[dict]:
    """Who may lead or own something, and whoever does now (kept on offer after their account is deactivated)."""
    people = store.plan_people(get_db())
    if current is not None and all(person["id"] != current for person in people):
        person = store.user_by_id(get_db(), current)
        if person is not None:
            where = person.get("organisation_name") or "partnership"
            people.append({**person, "organisation_name": f"{where}, no longer active"})
    return people


@bp.route("/plan/new", methods=["GET", "POST"])
@requires(MANAGE)
def new_strategy():
    form = StrategyForm()
    if form.validate_on_submit():
        try:
            strategy_id = plan.create_strategy(get_db(), title=form.title.data, first_year=int(form.first_year.data),
                                               last_year=int(form.last_year.data), themes=form.theme_names,
                                               current=form.current.data == "yes", actor=actor(), now=now())
        except PlanError as problem:
            _problem(form, problem, "last_year")
        else:
            flash(f"The strategy “{form.title.data}” is saved. Add its actions and measures theme by theme")
            return redirect(url_for(".strategy", strategy_id=strategy_id))
    return render_template("plan/strategy_form.html", form=form, row=None)


@bp.route("/plan/<int:strategy_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_strategy(strategy_id: int):
    row = store.plan_strategy(get_db(), strategy_id) or abort(404)
    form = EditStrategyForm(data={"title": row["title"], "first_year": str(row["first_year"]),
                                  "last_year": str(row["last_year"]), "current": "yes" if row["active"] else "no"})
    if form.validate_on_submit():
        try:
            plan.change_strategy(get_db(), strategy_id, title=form.title.data, first_year=int(form.first_year.data),
                                 last_year=int(form.last_year.data), current=form.current.data == "yes",
                                 actor=actor(), now=now())
        except PlanError as problem:
            _problem(form, problem, "last_year")
        else:
            flash("The strategy is saved")
            return redirect(url_for(".strategy", strategy_id=strategy_id))
    return render_template("plan/strategy_form.html", form=form, row=row)


@bp.route("/plan/<int:strategy_id>/themes/new", methods=["GET", "POST"])
@requires(MANAGE)
def new_theme(strategy_id: int):
    return _theme_page(held(strategy_id), None)


@bp.route("/plan/<int:strategy_id>/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_theme(strategy_id: int, theme_id: int):
    return _theme_page(held(strategy_id), _theme(strategy_id, theme_id))


def _theme_page(found, row: dict | None):
    form = ThemeForm(data={"name": row["name"]} if row else None)
    if form.validate_on_submit():
        try:
            if row is None:
                plan.add_theme(get_db(), found.id, form.name.data, actor=actor(), now=now())
            else:
                plan.rename_theme(get_db(), row, form.name.data, actor=actor(), now=now())
        except PlanError as problem:
            _problem(form, problem, "name")
        else:
            flash(f"The theme “{form.name.data}” is saved")
            return redirect(url_for(".strategy", strategy_id=found.id))
    return render_template("plan/theme_form.html", form=form, strategy=found, row=row)


@bp.post("/plan/<int:strategy_id>/themes/<int:theme_id>/move")
@requires(MANAGE)
def move_theme(strategy_id: int, theme_id: int):
    row = _theme(strategy_id, theme_id)
    form = MoveForm()
    if form.validate_on_submit() and form.direction.data in ("up", "down"):
        plan.move_theme(get_db(), row, up=form.direction.data == "up", actor=actor(), now=now())
        flash(f"“{row['name']}” has moved {form.direction.data}")
    return redirect(url_for(".strategy", strategy_id=strategy_id, _anchor="themes"))


@bp.route("/plan/<int:strategy_id>/themes/<int:theme_id>/remove", methods=["GET", "POST"])
@requires(MANAGE)
def remove_theme(strategy_id: int, theme_id: int):
    row = _theme(strategy_id, theme_id)
    in_use = store.plan_theme_in_use(get_db(), theme_id)
    form = ConfirmTickForm()
    if not in_use and form.validate_on_submit():
        plan.remove_theme(get_db(), row, actor=actor(), now=now())
        flash(f"The theme “{row['name']}” is removed")
        return redirect(url_for(".strategy", strategy_id=strategy_id))
    return render_template("plan/theme_remove.html", form=form, strategy=held(strategy_id), row=row, in_use=in_use)


def _action_form(found, row: dict | None) -> PlanActionForm:
    data = None
    if row is not None:
        data = {"theme": str(row["theme_id"]), "action": row["action"], "outcome": row["outcome"],
                "lead_organisation": str(row["lead_organisation_id"]) if row["lead_organisation_id"] else PARTNER,
                "lead_partner": row["lead_partner"] or "", "lead_user": str(row["lead_user_id"]),
                "partners": row["partners"], "resources": row["resources"], "status": row["status"],
                "timescale": row["due_period"] or plan.timescale_of(row).due.strftime("%d/%m/%Y")}
    elif request.args.get("theme"):
        data = {"theme": request.args["theme"]}
    form = PlanActionForm(data=data)
    form.period = found.period
    organisations = [o for o in store.organisations(get_db()) if o["active"] or (
        row is not None and o["id"] == row["lead_organisation_id"])]
    return form.offer(found.themes, organisations, _people(row["lead_user_id"] if row else None))


@bp.route("/plan/<int:strategy_id>/actions/new", methods=["GET", "POST"])
@requires(MANAGE)
def new_action(strategy_id: int):
    return _action_page(held(strategy_id), None)


@bp.route("/plan/actions/<int:plan_action_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_action(plan_action_id: int):
    row = store.plan_action(get_db(), plan_action_id) or abort(404)
    return _action_page(held(row["strategy_id"]), row)


def _action_page(found, row: dict | None):
    form = _action_form(found, row)
    if form.validate_on_submit():
        action_id = plan.save_action(get_db(), found.id, row["id"] if row else None, form.values(), actor=actor(),
                                     now=now())
        flash("The action is saved")
        return redirect(url_for(".action", plan_action_id=action_id))
    return render_template("plan/action_form.html", form=form, strategy=found, row=row, partner=PARTNER)


def _frameworks() -> list[tuple[str, str]]:
    return [(row["id"], row["title"]) for row in newest_versions(store.framework_rows(get_db()))]


def _measure_form(found, row: dict | None) -> MeasureForm:
    years = tuple(range(found.period.first.year, found.period.last.year + 1))
    data = None
    if row is not None:
        targets = store.plan_measure_targets(get_db(), [row["id"]]).get(row["id"], {})
        data = {"name": row["name"], "definition": row["definition"], "theme": str(row["theme_id"] or ""),
                "unit": row["unit"], "direction": row["direction"], "baseline_period": row["baseline_period"],
                "baseline": row["baseline_value"], "rule": row["rule_kind"],
                "tolerance": "" if row["tolerance"] in ("0", "") else row["tolerance"],
                "lead_user": str(row["lead_user_id"]), "source": row["source"] or TYPED,
                "framework": row["source_framework"] or "",
                **{f"target_{year}": value for year, value in targets.items()}}
    elif request.args.get("theme"):
        data = {"theme": request.args["theme"]}
    form = MeasureForm.for_years(years, data=data)
    return form.offer(found.themes, _people(row["lead_user_id"] if row else None), _frameworks())


@bp.route("/plan/<int:strategy_id>/measures/new", methods=["GET", "POST"])
@requires(MANAGE)
def new_measure(strategy_id: int):
    return _measure_page(held(strategy_id), None)


@bp.route("/plan/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_measure(measure_id: int):
    row = store.plan_measure(get_db(), measure_id) or abort(404)
    return _measure_page(held(row["strategy_id"]), row)


def _measure_page(found, row: dict | None):
    form = _measure_form(found, row)
    if form.is_submitted():
        fields_valid = form.validate()
        measure, problems = read_measure(**form.typed(), strategy=found.period)
        form.take_problems(problems)
        if fields_valid and measure is not None and not form.errors:
            measure_id = plan.save_measure(get_db(), found.id, row["id"] if row else None, measure, form.values(),
                                           actor=actor(), now=now())
            flash(f"The measure “{measure.name}” is saved")
            return redirect(url_for(".measure", measure_id=measure_id))
    return render_template("plan/measure_form.html", form=form, strategy=found, row=row, sources=FIGURE_SOURCES)


def _risk_page(found, row: dict | None, form: RiskForm):
    held_values = plan.plan_values(get_db(), found.id)
    form.offer(_people(row["owner_user_id"] if row else None), list(held_values.actions) if held_values else [])
    measure = None
    raised_from = row["raised_from_measure_id"] if row else (
        int(form.raised_from.data) if (form.raised_from.data or "").isdigit() else None)
    if raised_from is not None:
        measure = store.plan_measure(get_db(), raised_from)
        if measure is None or measure["strategy_id"] != found.id:
            abort(404)
    if form.validate_on_submit():
        fields = {**form.values(), "raised_from_measure_id": raised_from}
        try:
            risk_id = plan.save_risk(get_db(), found.id, row["id"] if row else None, fields,
                                     [int(a) for a in form.actions.data], actor=actor(), now=now())
        except PlanError as problem:
            _problem(form, problem, "actions")
        else:
            flash("The risk is saved")
            return redirect(url_for(".risks", strategy_id=found.id, _anchor=f"risk-{risk_id}"))
    return render_template("plan/risk_form.html", form=form, strategy=found, row=row, measure=measure)


@bp.route("/plan/<int:strategy_id>/risks/new", methods=["GET", "POST"])
@requires(MANAGE)
def new_risk(strategy_id: int):
    return _risk_page(held(strategy_id), None, RiskForm())


@bp.route("/plan/measures/<int:measure_id>/raise-risk", methods=["GET", "POST"])
@requires(MANAGE)
def raise_risk(measure_id: int):
    """A measure off target raises a risk in one step: the form starts from what the measure says."""
    row, record, found = plan.measure_record(get_db(), measure_id) or abort(404)
    started = risk_from_measure(record, owner="", review_by=None)
    form = RiskForm(data={"description": started["description"], "likelihood": str(started["likelihood"]),
                          "impact": str(started["impact"]), "owner": str(row["lead_user_id"]),
                          "raised_from": str(measure_id)})
    return _risk_page(found, None, form)


@bp.route("/plan/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit_risk(risk_id: int):
    row = store.plan_risk(get_db(), risk_id) or abort(404)
    links = store.plan_risk_actions(get_db(), [risk_id]).get(risk_id, [])
    form = RiskForm(data={"description": row["description"], "cause": row["cause"],
                          "consequence": row["consequence"], "likelihood": str(row["likelihood"]),
                          "impact": str(row["impact"]), "owner": str(row["owner_user_id"]),
                          "review_by": date.fromisoformat(row["review_by"]) if row["review_by"] else None,
                          "actions": [str(a) for a in links]})
    return _risk_page(held(row["strategy_id"]), row, form)


@bp.route("/plan/risks/<int:risk_id>/close", methods=["GET", "POST"])
@requires(MANAGE)
def close_risk(risk_id: int):
    row = store.plan_risk(get_db(), risk_id) or abort(404)
    form = ConfirmTickForm()
    if row["closed_at"] is None and form.validate_on_submit():
        plan.close_risk(get_db(), row, actor=actor(), now=now())
        flash("The risk is closed: it has left the register, and is kept under Closed risks")
        return redirect(url_for(".risks", strategy_id=row["strategy_id"]))
    return render_template("plan/risk_close.html", form=form, row=row, strategy=held(row["strategy_id"]))


@bp.route("/plan/risk-bands", methods=["GET", "POST"])
@requires(MANAGE)
def risk_bands():
    current = plan.bands(get_db())
    # The rows as they are, on the page; a post holds every row as typed (a row left out of it is an empty row).
    form = BandsForm(data={f"{part}_{index}": str(getattr(band, part)) for index, band in enumerate(current, 1)
                           for part in ("lowest", "name", "rag")} if request.method == "GET" else None)
    if form.validate_on_submit():
        bands, (where, problem) = _bands(form)
        if problem is None:
            try:
                plan.save_bands(get_db(), bands, actor=actor(), now=now())
            except PlanError as refused:
                where, problem = 1, str(refused)
            else:
                flash("The risk bands are saved: every risk's band follows them")
                return redirect(url_for(".risk_bands"))
        form[f"lowest_{where}"].errors = [*form[f"lowest_{where}"].errors, problem]
    return render_template("plan/bands_form.html", form=form, rows=range(1, BAND_ROWS + 1), defaults=DEFAULT_BANDS,
                           strategy_id=plan.current_strategy_id(get_db()))


def _bands(form: BandsForm) -> tuple[tuple[Band, ...], tuple[int, str | None]]:
    """The bands typed, rows left empty left out; or which row is wrong and how."""
    bands = []
    for index in range(1, BAND_ROWS + 1):
        lowest, name, rag = (form[f"{part}_{index}"].data or "" for part in ("lowest", "name", "rag"))
        if not (lowest or name or rag):
            continue
        if not lowest.isdigit() or not name or rag not in RAG_CHOICES:
            return (), (index, f"Band {index} needs a lowest score (a whole number from 1 to 25), a name and a "
                               "colour: enter all three, or leave all three empty")
        bands.append(Band(int(lowest), name, rag))
    return tuple(bands), (1, None)
