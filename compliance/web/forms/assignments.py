"""The form for assigning a return's requirements: the requirements are checkboxes the view reads itself."""
from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SelectMultipleField, SubmitField

from compliance.web.forms import Form

NOBODY = "nobody"


class AssignForm(Form):
    # The choices are the organisation's active editors, set by the view; any other value is refused by the use
    # case with a message saying why (validate_choice would only say "Not a valid choice").
    # Rendered by the template as checkboxes grouped by framework; the first one's id is "requirements", where the
    # error summary links.
    requirements = SelectMultipleField("Requirements", validate_choice=False)
    person = SelectField("Assign them to", widget=GovSelect(), validate_choice=False)
    submit = SubmitField("Save", widget=GovSubmitInput())

    def set_people(self, people: list[dict]) -> None:
        self.person.choices = [("", "Select a person"), *[(str(p["id"]), p["name"]) for p in people],
                               (NOBODY, "Nobody (remove the assignment)")]
