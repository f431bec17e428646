"""Forms for accounts and the admin pages, rendered with GOV.UK Frontend widgets."""
from __future__ import annotations

import re
from datetime import date
from functools import cached_property

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from markupsafe import Markup, escape
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import DateField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import HiddenInput

from compliance.core import limits
from compliance.core.limits import too_long
from compliance.core.roles import ORGANISATION_ROLES, ROLE_HINTS, ROLES
from compliance.web.requests import sectors

# No spaces and no control characters: an address goes into a mail's To header as it is.
EMAIL_PATTERN = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def valid_email(message: str = "Enter an email address in the correct format, like name@example.org"):
    def check(_form, field):
        if field.data and not EMAIL_PATTERN.match(field.data.strip()):
            raise ValidationError(message)

    return check


class GovDateField(DateField):
    """A GOV.UK day, month, year date whose errors say what to enter; optional unless `required` is given."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, *, required: str | None = None, example: str = "27 3 2026",
                 **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.required_message, self.example = required, example

    def process_formdata(self, valuelist):
        # The widget re-renders raw_data as exactly day, month and year: a post with fewer or more parts (a
        # hand-made request) must not reach it as anything else.
        self.raw_data = [*valuelist, "", "", ""][:3]
        if len(valuelist) > 3:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like {self.example}")
        parts = [part.strip() for part in self.raw_data]
        if not any(parts):
            self.data = None
            if self.required_message:
                raise ValueError(self.required_message)
            return
        names = [name for name, part in zip(("day", "month", "year"), parts + ["", "", ""]) if not part]
        if names:
            raise ValueError(f"{self.label.text} must include a {' and a '.join(names)}")
        try:
            day, month, year = (int(part) for part in parts[:3])
            self.data = date(year, month, day)
        except (ValueError, OverflowError):  # a year past what a C int holds overflows rather than being invalid
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like {self.example}") from None
        if not 1900 <= year <= 2200:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like {self.example}")


def one_line(label: str):
    """Refuse control characters (whitespace is already folded to single spaces by the _line filter)."""
    def check(_form, field):
        if field.data and CONTROL_CHARACTERS.search(field.data):
            raise ValidationError(f"{label} must not include control characters. Type it again rather than "
                                  "pasting it")

    return check


def revision_number(value) -> int:
    """A revision posted back by a form as a number; -1 (which never matches) when it is not plain digits."""
    text = value if isinstance(value, str) else ""
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else -1


def choices(pairs) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _line(value):
    """Text for one line: line breaks, tabs and runs of spaces become single spaces (a name reaches mail headers)."""
    return " ".join(value.split()) if isinstance(value, str) else value


_FROM_THE_REQUEST = object()


class _TokenWhenShown(CSRFTokenField):
    """The form token field, its signed token made when the form is shown rather than when it is built: a form
    posted and accepted (most are) is never shown again, and signing a token takes about 25 microseconds."""

    def process(self, *args, **kwargs):
        super(CSRFTokenField, self).process(*args, **kwargs)  # CSRFTokenField's own would sign a token now

    @cached_property
    def current_token(self) -> str:  # type: ignore[override]
        return self.csrf_impl.generate_csrf_token(self)


class _FormTokens(FlaskForm.Meta.csrf_class):  # Flask-WTF's, giving its tokens through this field
    field_class = _TokenWhenShown


class Form(FlaskForm):
    """A form that reads only what a browser's form sends: its fields, and files only for its file fields.

    FlaskForm would also take a file posted under a text field's name, or a JSON body, so a hand-made request
    could put a file or a number where every validator expects text (a 500 rather than an error message).
    """

    class Meta:
        csrf_class = _FormTokens

        def render_field(self, field, render_kw):
            """The form token's hidden input as WTForms writes it, without its general attribute writer (a
            twentieth of a page's rendering); any other field, or the token with attributes, as WTForms renders it."""
            if (type(field) is _TokenWhenShown and type(field.widget) is HiddenInput and not render_kw
                    and not field.render_kw):
                # bandit B704: the id, name and token are escaped
                return Markup(f'<input id="{escape(field.id)}" name="{escape(field.name)}" type="hidden" '  # nosec B704
                              f'value="{escape(field._value())}">')
            return super().render_field(field, render_kw)

    def __init__(self, formdata=_FROM_THE_REQUEST, **kwargs):
        if formdata is _FROM_THE_REQUEST:
            formdata = self._browser_formdata() if self.is_submitted() else None
        super().__init__(formdata=formdata, **kwargs)

    def _browser_formdata(self) -> CombinedMultiDict:
        file_fields = {name for name, unbound in self._unbound_fields if issubclass(unbound.field_class, FileField)}
        files = MultiDict([(name, upload) for name, upload in request.files.items(multi=True) if name in file_fields])
        return CombinedMultiDict([files, request.form])


class SignInForm(Form):
    email = StringField("Email address", widget=GovTextInput(), filters=[_strip],
                        validators=[DataRequired("Enter your email address"), valid_email()])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[InputRequired("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SetPasswordForm(Form):
    password = PasswordField(
        "New password", widget=GovPasswordInput(),
        description="Use 12 characters or more. A few unrelated words together make a strong password that is easy "
                    "to remember.",
        validators=[InputRequired("Enter a new password")],
    )
    confirm = PasswordField("Confirm new password", widget=GovPasswordInput(),
                            validators=[InputRequired("Enter the new password again")])
    submit = SubmitField("Save password", widget=GovSubmitInput())

    def validate_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError("The passwords do not match. Enter the same password twice")


class ForgotPasswordForm(Form):
    email = StringField("Email address", widget=GovTextInput(), filters=[_strip],
                        validators=[DataRequired("Enter your email address"), valid_email()])
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class ConfirmForm(Form):
    """A form with only its CSRF token and a button: sign out, deactivate, resend."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class OrganisationForm(Form):
    name = StringField("Organisation name", widget=GovTextInput(), filters=[_line],
                       validators=[DataRequired("Enter the organisation's name"),
                                   Length(max=limits.NAME, message=too_long("Organisation name", limits.NAME)),
                                   one_line("Organisation name")])
    sector = RadioField("Sector", widget=GovRadioInput(),  # the partnership's sectors: choices set in __init__
                        validators=[InputRequired("Select the organisation's sector")])
    contact_name = StringField("Main contact's name", widget=GovTextInput(), filters=[_line],
                               validators=[Length(max=limits.NAME, message=too_long("Name", limits.NAME)),
                                           one_line("Name")])
    contact_email = StringField("Main contact's email address", widget=GovTextInput(), filters=[_strip],
                                validators=[valid_email()])
    status = RadioField("Status", widget=GovRadioInput(), default="active",
                        choices=choices([("active", "Active: takes part in this year's cycle"),
                                         ("archived", "Archived: kept for the record, not asked for new returns")]),
                        validators=[InputRequired("Select active or archived")])
    submit = SubmitField("Save organisation", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = choices(sectors().items())


class PersonRoleForm(Form):
    role = RadioField("Role", widget=GovRadioInput(), choices=choices(ROLES.items()),
                      validators=[InputRequired("Select the person's role")])
    organisation_id = SelectField("Organisation", widget=GovSelect(), coerce=str,
                                  description="Only for organisation editors and signatories.")
    submit = SubmitField("Save role", widget=GovSubmitInput())

    def set_organisations(self, organisations: list[dict]) -> None:
        self.organisation_id.choices = choices([("", "Not part of a member organisation")] + [
            (str(o["id"]), o["name"]) for o in organisations
        ])

    def validate_organisation_id(self, field):
        if self.role.data in ORGANISATION_ROLES and not field.data:
            raise ValidationError(f"Select the organisation this {ROLES[self.role.data].lower()} belongs to")
        if self.role.data in ROLES and self.role.data not in ORGANISATION_ROLES and field.data:
            raise ValidationError(f"{ROLES[self.role.data]}s are not part of a member organisation. Select 'Not part "
                                  "of a member organisation'")

    @property
    def chosen_organisation(self) -> int | None:
        return int(self.organisation_id.data) if self.organisation_id.data else None


class InviteForm(PersonRoleForm):
    name = StringField("Full name", widget=GovTextInput(), filters=[_strip],
                       validators=[DataRequired("Enter the person's full name"),
                                   Length(max=limits.NAME, message=too_long("Full name", limits.NAME))])
    email = StringField("Email address", widget=GovTextInput(), filters=[_strip],
                        description="We will send the invitation to this address.",
                        validators=[DataRequired("Enter the person's email address"), valid_email()])
    job_title = StringField("Job title", widget=GovTextInput(), filters=[_strip],
                            validators=[Length(max=limits.NAME, message=too_long("Job title", limits.NAME))])
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    field_order = ("name", "email", "job_title", "role", "organisation_id")


class ImportForm(Form):
    file = FileField("CSV file", widget=GovFileInput(),
                     description="Columns: name, sector, contact_name, contact_email. The first row holds the column "
                                 "names.")
    submit = SubmitField("Check and import", widget=GovSubmitInput())


def role_items() -> dict:
    """Radio params that put each role's hint under it (merged with the field's items by position)."""
    return {"items": [{"hint": {"text": ROLE_HINTS[code]}} for code in ROLES]}
