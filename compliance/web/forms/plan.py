"""Forms of the partnership's plan: the strategy and its themes, an action and its progress, a measure and its
figures, a risk and the risk bands. Periods, figures and timescales are read by core.plan's own rules, whose
messages say how to fix what was typed."""
from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from compliance.core import limits
from compliance.core.limits import too_long
from compliance.core.plan import (
    ACTION_STATUSES,
    DIRECTIONS,
    FIGURE_SOURCES,
    PROGRESS_WORDS,
    RULES,
    UNITS,
    PlanError,
    StrategyPeriod,
    Timescale,
    parse_timescale,
    period_of,
    strategy_period,
)
from compliance.web.forms import Form, GovDateField, choices, one_line

PARTNER = "partner"  # the lead organisation choice for a partner that is not a member organisation
TYPED = "typed"  # a measure's figures typed in by its lead, rather than filled from signed returns
LIKELIHOOD = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}
RAG_CHOICES = {"green": "Green", "amber": "Amber", "red": "Red"}
BAND_ROWS = 6  # bands a partnership may set (the defaults have 4)


def _text(value):
    """Typed text as stored: Windows line endings made single characters (as the character count counts them)."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _year(label: str, example: str):
    def check(_form, field):
        if field.data and not (field.data.isdigit() and len(field.data) == 4):
            raise ValidationError(f"{label} must be a year of 4 digits, like {example}")
    return check


class StrategyForm(Form):
    title = StringField("Title", widget=GovTextInput(), filters=[_line],
                        description="As the partnership's strategy names itself, for example Domestic Violence and "
                                    "Abuse Strategy 2019-2022.",
                        validators=[DataRequired("Enter the strategy's title"),
                                    Length(max=limits.TITLE, message=too_long("Title", limits.TITLE)),
                                    one_line("Title")])
    first_year = StringField("Starts in April of", widget=GovTextInput(), filters=[_line],
                             description="For example, 2019 for a strategy from April 2019.",
                             validators=[DataRequired("Enter the year the strategy starts, like 2019"),
                                         _year("The year it starts", "2019")])
    last_year = StringField("Ends in March of", widget=GovTextInput(), filters=[_line],
                            description="For example, 2022 for a strategy 2019-2022, which ends in March 2022.",
                            validators=[DataRequired("Enter the year the strategy ends, like 2022"),
                                        _year("The year it ends", "2022")])
    themes = TextAreaField("Themes", widget=GovTextArea(), filters=[_text],
                           description="One on each line, in the order the strategy sets them out, for example "
                                       "Prevention, Provision, Protection & Justice and Performance. You can "
                                       "change them later.")
    current = RadioField("Is this the partnership's current strategy?", widget=GovRadioInput(), default="yes",
                         invalid_choice_message="Select whether this is the current strategy",
                         choices=choices([("yes", "Yes: its actions and measures are on their leads' home pages"),
                                          ("no", "No: it is kept for the record")]),
                         validators=[InputRequired("Select whether this is the current strategy")])
    submit = SubmitField("Save strategy", widget=GovSubmitInput())

    def validate_last_year(self, field):
        if not (self.first_year.data or "").isdigit() or not (field.data or "").isdigit():
            return
        try:
            strategy_period(int(self.first_year.data), int(field.data))
        except PlanError as problem:
            raise ValidationError(str(problem)) from None

    def validate_themes(self, field):
        names = self.theme_names
        if not names:
            raise ValidationError("Enter at least one theme, one on each line, like Prevention")
        for name in names:
            if len(name) > limits.NAME:
                raise ValidationError(too_long("Each theme", limits.NAME))

    @property
    def theme_names(self) -> list[str]:
        return [" ".join(line.split()) for line in (self.themes.data or "").split("\n") if line.strip()]


class EditStrategyForm(StrategyForm):
    """The strategy's title, years and standing; its themes are changed one at a time."""

    themes = None  # type: ignore[assignment]


class ThemeForm(Form):
    name = StringField("Theme", widget=GovTextInput(), filters=[_line],
                       validators=[DataRequired("Enter the theme's name, like Prevention"),
                                   Length(max=limits.NAME, message=too_long("The theme's name", limits.NAME)),
                                   one_line("The theme's name")])
    submit = SubmitField("Save theme", widget=GovSubmitInput())


class ConfirmTickForm(Form):
    """A change that cannot be undone from its page: the box must be ticked."""

    confirm = BooleanField("Yes, I am sure", widget=GovCheckboxInput(),
                           validators=[DataRequired("Tick the box to confirm. Nothing has been changed")])
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class MoveForm(Form):
    direction = HiddenField(validators=[DataRequired()])


def _people(people: list[dict]) -> list:
    return choices([("", "Select a person")] + [
        (str(p["id"]), f"{p['name']} ({p['organisation_name'] or 'partnership'})") for p in people])


class PlanActionForm(Form):
    theme = RadioField("Theme", widget=GovRadioInput(), invalid_choice_message="Select one of the strategy's themes",
                       validators=[InputRequired("Select the action's theme")])
    action = TextAreaField("Action", widget=GovCharacterCount(), filters=[_text],
                           description="What will be done, as the plan says it.",
                           validators=[DataRequired("Enter the action"),
                                       Length(max=limits.ACTION, message=too_long("The action", limits.ACTION))])
    outcome = TextAreaField("Outcome sought", widget=GovCharacterCount(), filters=[_text],
                            description="What will be different when it is done, and how the partnership will know.",
                            validators=[Length(max=limits.ACTION, message=too_long("The outcome", limits.ACTION))])
    lead_organisation = SelectField("Lead organisation", widget=GovSelect(),
                                    invalid_choice_message="Select one of the organisations listed",
                                    validators=[InputRequired("Select the lead organisation")])
    lead_partner = StringField("Partner's name", widget=GovTextInput(), filters=[_line],
                               validators=[Length(max=limits.NAME, message=too_long("The partner's name",
                                                                                      limits.NAME)),
                                           one_line("The partner's name")])
    lead_user = SelectField("Lead person", widget=GovSelect(), invalid_choice_message="Select one of the people listed",
                            description="The person who updates the action's progress, from their home page.",
                            validators=[InputRequired("Select the lead person")])
    partners = TextAreaField("Partners", widget=GovTextArea(), filters=[_text],
                             description="Who else delivers it (optional).",
                             validators=[Length(max=limits.ACTION, message=too_long("Partners", limits.ACTION))])
    resources = TextAreaField("Resources", widget=GovTextArea(), filters=[_text],
                              description="Money, people or time it needs, and where they come from (optional).",
                              validators=[Length(max=limits.ACTION, message=too_long("Resources", limits.ACTION))])
    timescale = StringField("Timescale", widget=GovTextInput(), filters=[_line],
                            description="A date, like 31/03/2021, or a financial quarter or year, like 2020/21 Q3 or "
                                        "2020/21: the action is due by its end.",
                            validators=[DataRequired("Enter the timescale, as a date like 31/03/2021 or a quarter "
                                                     "like 2020/21 Q3")])
    status = RadioField("Status", widget=GovRadioInput(), default="not-started",
                        choices=choices(ACTION_STATUSES.items()), invalid_choice_message="Select one of the statuses",
                        validators=[InputRequired("Select the status")])
    submit = SubmitField("Save action", widget=GovSubmitInput())

    period: StrategyPeriod | None = None  # the strategy's years, which the timescale must fall in

    def offer(self, themes, organisations: list[dict], people: list[dict]) -> PlanActionForm:
        self.theme.choices = choices((str(t.id), t.name) for t in themes)
        self.lead_organisation.choices = choices(
            [("", "Select an organisation")] + [(str(o["id"]), o["name"]) for o in organisations]
            + [(PARTNER, "A partner that is not a member organisation")])
        self.lead_user.choices = _people(people)
        return self

    def validate_lead_partner(self, field):
        if self.lead_organisation.data == PARTNER and not field.data:
            raise ValidationError("Enter the partner's name, or select a member organisation")

    def validate_timescale(self, field):
        if not field.data:
            return
        try:
            found = parse_timescale(field.data)
            if self.period is not None:
                self.period.check(found.period or period_of(found.due), "The timescale")
        except PlanError as problem:
            raise ValidationError(str(problem)) from None

    @property
    def timescale_value(self) -> Timescale:
        return parse_timescale(self.timescale.data)

    def values(self) -> dict:
        partner = self.lead_organisation.data == PARTNER
        found = self.timescale_value
        return {"theme_id": int(self.theme.data), "action": self.action.data, "outcome": self.outcome.data or "",
                "lead_organisation_id": None if partner else int(self.lead_organisation.data),
                "lead_partner": self.lead_partner.data if partner else None,
                "lead_user_id": int(self.lead_user.data), "partners": self.partners.data or "",
                "resources": self.resources.data or "", "due_date": found.due.isoformat(),
                "due_period": str(found.period) if found.period else None, "status": self.status.data}


class ProgressForm(Form):
    note = TextAreaField("What has happened since the last update?", widget=GovCharacterCount(), filters=[_text],
                         description="What was done, what is next, and anything in the way. The board reads it.",
                         validators=[DataRequired("Enter a note on the action's progress"),
                                     Length(max=limits.COMMENT, message=too_long("The note", limits.COMMENT))])
    rag = RadioField("How is it going?", widget=GovRadioInput(),
                     choices=choices((colour, f"{RAG_CHOICES[colour]}: {words.lower()}")
                                     for colour, words in PROGRESS_WORDS.items()),
                     invalid_choice_message="Select how the action is going: green, amber or red",
                     validators=[InputRequired("Select how the action is going: green, amber or red")])
    status = RadioField("Status", widget=GovRadioInput(), choices=choices(ACTION_STATUSES.items()),
                        invalid_choice_message="Select one of the statuses",
                        validators=[InputRequired("Select the action's status")])
    submit = SubmitField("Save update", widget=GovSubmitInput())


class MeasureForm(Form):
    """A measure; its targets are one field a year of the strategy, named target_<year>, added by for_years."""

    name = StringField("Name", widget=GovTextInput(), filters=[_line],
                       validators=[DataRequired("Enter the measure's name"),
                                   Length(max=limits.TITLE, message=too_long("The name", limits.TITLE)),
                                   one_line("The name")])
    definition = TextAreaField("Definition", widget=GovCharacterCount(), filters=[_text],
                               description="What is counted, from where, and how often (optional).",
                               validators=[Length(max=limits.ACTION,
                                                  message=too_long("The definition", limits.ACTION))])
    theme = RadioField("Theme", widget=GovRadioInput(), invalid_choice_message="Select one of the strategy's themes",
                       validators=[InputRequired("Select the measure's theme")])
    # unit, direction and rule: core.plan.read_measure says what is wrong with them
    unit = RadioField("Unit", widget=GovRadioInput(), validate_choice=False, choices=choices(
        (code, words[0].upper() + words[1:]) for code, words in UNITS.items()))
    direction = RadioField("Which is better?", widget=GovRadioInput(), validate_choice=False,
                           choices=choices(DIRECTIONS.items()))
    baseline_period = StringField("Baseline year", widget=GovTextInput(), filters=[_line],
                                  description="The financial year the baseline is for, like 2010/11.")
    baseline = StringField("Baseline figure", widget=GovTextInput(), filters=[_line],
                           description="The figure in that year, like 23 or 40%.")
    rule = RadioField("How is it rated?", widget=GovRadioInput(), validate_choice=False, choices=choices(RULES.items()))
    tolerance = StringField("Tolerance", widget=GovTextInput(), filters=[_line],
                            description="How far from the target is still amber, as a percentage of the target, "
                                        "like 5%. Leave it empty for none.")
    lead_user = SelectField("Lead", widget=GovSelect(), invalid_choice_message="Select one of the people listed",
                            description="The person who enters its figures, from their home page.",
                            validators=[InputRequired("Select the measure's lead")])
    source = RadioField("Where do its figures come from?", widget=GovRadioInput(), default=TYPED,
                        invalid_choice_message="Select where the measure's figures come from",
                        validators=[InputRequired("Select where the measure's figures come from")])
    framework = SelectField("Framework", widget=GovSelect(), validate_choice=False)  # checked when it is used
    submit = SubmitField("Save measure", widget=GovSubmitInput())

    years: tuple[int, ...] = ()

    @classmethod
    def for_years(cls, years: tuple[int, ...], **kwargs) -> MeasureForm:
        """The form with a target field for each of the strategy's years (each starting in April of `year`)."""
        fields = {f"target_{year}": StringField(f"Target for {year}/{(year + 1) % 100:02d}", widget=GovTextInput(),
                                                filters=[_line]) for year in years}
        form_class = type("MeasureFormForYears", (cls,), {**fields, "years": years})
        return form_class(**kwargs)

    @property
    def target_fields(self) -> list:
        return [self[f"target_{year}"] for year in self.years]

    def offer(self, themes, people: list[dict], frameworks: list[tuple[str, str]]) -> MeasureForm:
        self.theme.choices = choices((str(t.id), t.name) for t in themes)
        self.lead_user.choices = _people(people)
        self.source.choices = choices([(TYPED, "Typed in by its lead, for a year or a quarter"),
                                       *FIGURE_SOURCES.items()])
        self.framework.choices = choices([("", "Select a framework")] + frameworks)
        return self

    def validate_framework(self, field):
        offered = {choice.value for choice in self.framework.choices if choice.value}
        if self.source.data in FIGURE_SOURCES and field.data not in offered:
            raise ValidationError("Select the framework whose % met the measure takes")

    def validate_unit(self, field):
        if self.source.data in FIGURE_SOURCES and field.data != "percent":
            raise ValidationError("A measure of a framework's % met is a percentage: select A percentage")

    def typed(self) -> dict:
        """What core.plan.read_measure reads."""
        return {"name": self.name.data or "", "unit": self.unit.data or "", "direction": self.direction.data or "",
                "baseline_period": self.baseline_period.data or "", "baseline": self.baseline.data or "",
                "rule": self.rule.data or "", "tolerance": self.tolerance.data or "",
                "targets": {year: self[f"target_{year}"].data or "" for year in self.years}}

    def take_problems(self, problems: dict[str, str]) -> None:
        """core.plan's problems, each on its field (a rule's need of targets on the first year's target)."""
        for name, message in problems.items():
            if name == "targets":
                name = f"target-{self.years[0]}" if self.years else "rule"
            field = self[name.replace("-", "_")] if name.replace("-", "_") in self else self.rule
            if message not in field.errors:
                field.errors = [*field.errors, message]

    def values(self) -> dict:
        from_returns = self.source.data in FIGURE_SOURCES
        return {"theme_id": int(self.theme.data), "definition": self.definition.data or "",
                "lead_user_id": int(self.lead_user.data), "source": self.source.data if from_returns else None,
                "source_framework": self.framework.data if from_returns else None}


class FigureForm(Form):
    period = StringField("Year or quarter", widget=GovTextInput(), filters=[_line],
                         description="A financial year, like 2024/25, or a quarter of one, like 2024/25 Q1 (April to "
                                     "June).")
    value = StringField("Figure", widget=GovTextInput(), filters=[_line])
    submit = SubmitField("Save figure", widget=GovSubmitInput())

    def take_problems(self, problems: dict[str, str]) -> None:
        for name, message in problems.items():
            self[name].errors = [*self[name].errors, message]


class RiskForm(Form):
    description = TextAreaField("Risk", widget=GovCharacterCount(), filters=[_text],
                                description="What might happen, in a sentence.",
                                validators=[DataRequired("Enter the risk"),
                                            Length(max=limits.ACTION, message=too_long("The risk", limits.ACTION))])
    cause = TextAreaField("Cause", widget=GovTextArea(), filters=[_text], description="Why it might happen.",
                          validators=[Length(max=limits.ACTION, message=too_long("The cause", limits.ACTION))])
    consequence = TextAreaField("Consequence", widget=GovTextArea(), filters=[_text],
                                description="What it would mean for the people the partnership serves.",
                                validators=[Length(max=limits.ACTION,
                                                   message=too_long("The consequence", limits.ACTION))])
    likelihood = RadioField("Likelihood", widget=GovRadioInput(),
                            choices=choices((str(n), f"{n}: {words}") for n, words in LIKELIHOOD.items()),
                            invalid_choice_message="Select how likely it is, from 1 (rare) to 5 (almost certain)",
                            validators=[InputRequired("Select how likely it is, from 1 (rare) to 5 (almost "
                                                      "certain)")])
    impact = RadioField("Impact", widget=GovRadioInput(),
                        choices=choices((str(n), f"{n}: {words}") for n, words in IMPACT.items()),
                        invalid_choice_message="Select its impact, from 1 (negligible) to 5 (severe)",
                        validators=[InputRequired("Select its impact, from 1 (negligible) to 5 (severe)")])
    owner = SelectField("Owner", widget=GovSelect(), invalid_choice_message="Select one of the people listed",
                        validators=[InputRequired("Select the risk's owner")])
    review_by = GovDateField("Review by", example="31 3 2027", description="For example, 31 3 2027")
    actions = SelectMultipleField("Mitigating actions", widget=GovCheckboxesInput(),
                                  invalid_choice_message="Select actions from this strategy's plan",
                                  description="Actions in the plan that reduce it.")
    raised_from = HiddenField()
    submit = SubmitField("Save risk", widget=GovSubmitInput())

    def offer(self, people: list[dict], actions) -> RiskForm:
        self.owner.choices = _people(people)
        self.actions.choices = choices((str(a.id), a.action) for a in actions)
        return self

    def values(self) -> dict:
        return {"description": self.description.data, "cause": self.cause.data or "",
                "consequence": self.consequence.data or "", "likelihood": int(self.likelihood.data),
                "impact": int(self.impact.data), "owner_user_id": int(self.owner.data),
                "review_by": self.review_by.data.isoformat() if self.review_by.data else None}


class BandsForm(Form):
    """Up to BAND_ROWS bands, each a lowest score, a name and a colour; empty rows are left out."""

    submit = SubmitField("Save risk bands", widget=GovSubmitInput())


for _row in range(1, BAND_ROWS + 1):
    setattr(BandsForm, f"lowest_{_row}", StringField(f"Band {_row}: lowest score", widget=GovTextInput(),
                                                     filters=[_line]))
    setattr(BandsForm, f"name_{_row}", StringField(f"Band {_row}: name", widget=GovTextInput(), filters=[_line],
                                                   validators=[Length(max=limits.NAME,
                                                                      message=too_long("A band's name", limits.NAME)),
                                                               one_line("A band's name")]))
    setattr(BandsForm, f"rag_{_row}", SelectField(f"Band {_row}: colour", widget=GovSelect(), validate_choice=False,
                                                  choices=choices([("", "Select a colour"), *RAG_CHOICES.items()])))


class PlanWorkbookForm(Form):
    """A workbook of actions and measures to load into the strategy (the template, filled in)."""

    file = FileField("Upload the filled-in workbook", widget=GovFileInput(),
                     description="The .xlsx file you downloaded from this page and filled in, saved as an Excel "
                                 "workbook, smaller than 2 MB.")
    submit = SubmitField("Check the workbook", widget=GovSubmitInput())


class AddCheckedForm(Form):
    """Adding what a checked workbook's preview showed: the preview's digest comes back with it."""

    seen = HiddenField()
    submit = SubmitField("Add these", widget=GovSubmitInput())
