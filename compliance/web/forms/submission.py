"""Forms for signing a return and for sending one back for amendment."""
from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovCheckboxInput, GovSubmitInput, GovTextInput
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from compliance.web.forms import Form

COMMENT_LIMIT = 5000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SignForm(Form):
    name = StringField("Full name", widget=GovTextInput(), filters=[_strip],
                       validators=[DataRequired("Enter your full name"),
                                   Length(max=200, message="Full name must be 200 characters or fewer")])
    job_title = StringField("Job title", widget=GovTextInput(), filters=[_strip],
                            validators=[DataRequired("Enter your job title"),
                                        Length(max=200, message="Job title must be 200 characters or fewer")])
    confirm = BooleanField("I confirm the declaration above", widget=GovCheckboxInput(),
                           validators=[DataRequired("Confirm the declaration to sign the return")])
    # A fingerprint of the answers the signatory was shown, so nothing changes under them unseen.
    seen = HiddenField()
    submit = SubmitField("Sign and submit the return", widget=GovSubmitInput())


class AmendForm(Form):
    comment = TextAreaField(
        "What needs to change?", widget=GovCharacterCount(), filters=[_strip],
        validators=[DataRequired("Enter what needs to change"),
                    Length(max=COMMENT_LIMIT, message="What needs to change must be 5,000 characters or fewer")])
    submit = SubmitField("Return for amendment", widget=GovSubmitInput())
