"""The form of a return completed offline: the spreadsheet uploaded back."""
from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from compliance.web.forms import Form


class WorkbookForm(Form):
    file = FileField("Upload your filled-in spreadsheet", widget=GovFileInput(),
                     description="The .xlsx file you downloaded from this page, saved as an Excel workbook, smaller "
                                 "than 2 MB.")
    submit = SubmitField("Check the file", widget=GovSubmitInput())
