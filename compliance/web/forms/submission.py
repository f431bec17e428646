"""Forms for signing a return and for sending one back for amendment."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovFileInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from compliance.core import limits
from compliance.core.limits import too_long
from compliance.web.forms import Form


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SignForm(Form):
    name = StringField("Full name", widget=GovTextInput(), filters=[_strip],
                       validators=[DataRequired("Enter your full name"),
                                   Length(max=limits.NAME, message=too_long("Full name", limits.NAME))])
    job_title = StringField("Job title", widget=GovTextInput(), filters=[_strip],
                            validators=[DataRequired("Enter your job title"),
                                        Length(max=limits.NAME, message=too_long("Job title", limits.NAME))])
    confirm = BooleanField("I confirm the declaration above", widget=GovCheckboxInput(),
                           validators=[DataRequired("Confirm the declaration to sign the return")])
    # A fingerprint of the answers the signatory was shown, so nothing changes under them unseen.
    seen = HiddenField()
    submit = SubmitField("Sign and submit the return", widget=GovSubmitInput())


class AmendForm(Form):
    """What needs to change overall; the requirements named, each with its own comment, are read by the view."""
    comment = TextAreaField(
        "What needs to change overall (optional if you chose requirements above)", widget=GovCharacterCount(),
        filters=[_strip],
        validators=[Length(max=limits.COMMENT, message=too_long("What needs to change", limits.COMMENT))])
    submit = SubmitField("Return for amendment", widget=GovSubmitInput())


class AcceptForm(Form):
    comment = TextAreaField(
        "Comment (optional)", widget=GovCharacterCount(), filters=[_strip],
        description="The organisation's editors and signatories will see this, for example what they did well or "
                    "what to look at next year.",
        validators=[Length(max=limits.COMMENT, message=too_long("The comment", limits.COMMENT))])
    submit = SubmitField("Accept this return", widget=GovSubmitInput())


class CheckFileForm(Form):
    file = FileField("Signed document file", widget=GovFileInput(),
                     description="The JSON file downloaded from a signed version's page.",
                     validators=[FileRequired("Select the signed document file to check")])
    submit = SubmitField("Check the file", widget=GovSubmitInput())
