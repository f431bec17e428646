"""Forms of auditors' queries: the question, a reply (with an optional file), and the resolution."""
from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovFileInput, GovSubmitInput
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from compliance.core import limits
from compliance.core.limits import too_long
from compliance.web.forms import Form


def _text(value):
    """Typed text as stored: Windows line endings made single characters (as the character count counts them)."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


class QuestionForm(Form):
    question = TextAreaField(
        "Your question", widget=GovCharacterCount(), filters=[_text],
        description="Say what you need to see or understand. The organisation's editors and signatories will read "
                    "it and can reply with a file.",
        validators=[DataRequired("Enter your question"),
                    Length(max=limits.COMMENT, message=too_long("Your question", limits.COMMENT))])
    submit = SubmitField("Send the question", widget=GovSubmitInput())


class ReplyForm(Form):
    reply = TextAreaField(
        "Your reply", widget=GovCharacterCount(), filters=[_text],
        validators=[DataRequired("Enter your reply"),
                    Length(max=limits.COMMENT, message=too_long("Your reply", limits.COMMENT))])
    file = FileField("Add a file (optional)", widget=GovFileInput())
    submit = SubmitField("Send your reply", widget=GovSubmitInput())


class ResolveForm(Form):
    note = TextAreaField(
        "Closing note (optional)", widget=GovCharacterCount(), filters=[_text],
        description="What settled it. The organisation will read it.",
        validators=[Length(max=limits.COMMENT, message=too_long("Your closing note", limits.COMMENT))])
    submit = SubmitField("Resolve the question", widget=GovSubmitInput())
