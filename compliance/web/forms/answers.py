"""Forms of a requirement's pages: the answer, an improvement action, and evidence (file, link, existing items)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from compliance.core import limits
from compliance.core.frameworks import Framework
from compliance.core.limits import too_long
from compliance.core.returns import ACTION_STATUSES, typed_answer, typed_answer_problems
from compliance.web.forms import Form, GovDateField, choices, revision_number
from compliance.web.forms.lean import LeanCharacterCount, LeanRadioInput, LeanTextArea


def _text(value):
    """Typed text as stored: Windows line endings made single characters (as the character count counts them)."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


class AnswerForm(Form):
    """A rating, its explanation and (for levels that need one) a reason; `revision` is the answer as it was read."""

    rating = RadioField("Your rating", widget=LeanRadioInput(), validate_choice=False)
    narrative = TextAreaField(
        "Explain your rating", widget=LeanCharacterCount(), filters=[_text],
        description="Say what your organisation has in place, how you know it works in practice, and any gaps. "
                    "Do not name or describe anyone who has experienced abuse.")
    reason = TextAreaField("Reason", widget=LeanTextArea(), filters=[_text])
    confirmed = BooleanField("I have checked this answer and it is still right", widget=GovCheckboxInput())
    revision = HiddenField()

    @classmethod
    def for_framework(cls, framework: Framework, **kwargs) -> "AnswerForm":
        form = cls(**kwargs)
        form.framework = framework
        form.rating.choices = choices((level.code, level.label) for level in framework.scale)
        return form

    @property
    def level(self):
        """The chosen level, or None when no (known) rating is chosen."""
        return self.framework.level_or_none(self.rating.data or None)

    def _problem(self, field) -> None:
        """The rules of an answer as typed (core.returns.typed_answer_problems, which a spreadsheet's rows meet too)."""
        problem = typed_answer_problems(self.framework, rating=self.rating.data, narrative=self.narrative.data or "",
                                        reason=self.reason.data or "").get(field.name)
        if problem:
            raise ValidationError(problem)

    validate_rating = validate_narrative = validate_reason = _problem

    @property
    def read_revision(self) -> int:
        """The answer's revision when this person loaded the page; anything unreadable never matches."""
        return revision_number(self.revision.data)

    def values(self, *, carried_forward: int) -> dict:
        """What save_answer stores; a carried-forward answer stays so until the person ticks that it is checked."""
        still = 0 if self.confirmed.data else carried_forward
        return typed_answer(self.framework, rating=self.rating.data, narrative=self.narrative.data or "",
                            reason=self.reason.data or "", carried_forward=still)


class ActionForm(Form):
    what = TextAreaField(
        "What will you do?", widget=GovCharacterCount(), filters=[_text],
        description="Say what will change and how you will know it has worked.",
        validators=[DataRequired("Enter what you will do"),
                    Length(max=limits.ACTION, message=too_long("What you will do", limits.ACTION))])
    owner = StringField(
        "Who owns it?", widget=GovTextInput(), filters=[_line],
        description="A role or a person's name, for example Safeguarding lead.",
        validators=[DataRequired("Enter who owns this action: a role or a person's name"),
                    Length(max=limits.TITLE, message=too_long("Who owns it", limits.TITLE))])
    due_date = GovDateField("Due date", required="Enter the date the action is due", example="31 3 2027",
                            description="For example, 31 3 2027")
    status = RadioField("Status", widget=GovRadioInput(), choices=choices(ACTION_STATUSES.items()),
                        validators=[InputRequired("Select the action's status")])
    submit = SubmitField("Save action", widget=GovSubmitInput())

    def values(self) -> dict:
        return {"what": self.what.data, "owner": self.owner.data, "due_date": self.due_date.data.isoformat(),
                "status": self.status.data}


def _title_field():
    return StringField(
        "Title", widget=GovTextInput(), filters=[_line],
        description="What it is, for example Domestic abuse policy, version 3.",
        validators=[DataRequired("Enter a title for the evidence"),
                    Length(max=limits.TITLE, message=too_long("Title", limits.TITLE))])


def _effective_date_field():
    return GovDateField(
        "Date it took effect", required="Enter the date it took effect or was approved", example="1 4 2025",
        description="The date the document took effect or was approved. For example, 1 4 2025")


def _valid_until_field():
    return GovDateField(
        "Valid until", example="31 3 2027",
        description="Only if it has one: the date it must be reviewed or replaced by. For example, 31 3 2027")


class _Dates:
    """What every item of evidence has besides its content: the dates it holds for."""

    def validate_valid_until(self, field):
        if field.data and self.effective_date.data and field.data < self.effective_date.data:
            raise ValidationError("Valid until must be the same as or after the date it took effect")

    def dates(self) -> dict:
        return {"effective_date": self.effective_date.data.isoformat(),
                "valid_until": self.valid_until.data.isoformat() if self.valid_until.data else None}


class UploadForm(_Dates, Form):
    # Fields in the order of the page, which is the order of the error summary.
    file = FileField("File", widget=GovFileInput())
    title = _title_field()
    effective_date = _effective_date_field()
    valid_until = _valid_until_field()
    submit = SubmitField("Upload file", widget=GovSubmitInput())


def _web_address(_form, field):
    value = field.data or ""
    if not value:
        return
    if len(value) > limits.URL:
        raise ValidationError(too_long("Web address", limits.URL))
    try:
        parts = urlsplit(value) if not re.search(r"[\s\x00-\x1f\x7f]", value) else None
    except ValueError:  # such as "https://[": an unclosed IPv6 address
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError("Enter a web address that starts with https:// or http://, like "
                              "https://www.example.org/policies/domestic-abuse.pdf")


class LinkForm(_Dates, Form):
    title = _title_field()
    url = StringField(
        "Web address", widget=GovTextInput(), filters=[lambda v: v.strip() if isinstance(v, str) else v],
        description="Where people in your organisation find it, for example on your intranet or website. "
                    "It must start with https:// or http://",
        validators=[DataRequired("Enter the web address of the evidence"), _web_address])
    effective_date = _effective_date_field()
    valid_until = _valid_until_field()
    submit = SubmitField("Add link", widget=GovSubmitInput())


class AttachForm(Form):
    items = SelectMultipleField("Which of your evidence backs this requirement?", widget=GovCheckboxesInput(),
                                validate_choice=False, description="Select all that apply.")
    submit = SubmitField("Use this evidence", widget=GovSubmitInput())

    def set_items(self, items: list[dict]) -> None:
        self.items.choices = choices((str(item["id"]), item["title"]) for item in items)

    def validate_items(self, field):
        offered = {choice.value for choice in field.choices}
        if not field.data:
            raise ValidationError("Select at least one item of evidence")
        if any(value not in offered for value in field.data):
            raise ValidationError("Select evidence from the list")

    @property
    def chosen(self) -> list[int]:
        return [int(value) for value in self.items.data]
