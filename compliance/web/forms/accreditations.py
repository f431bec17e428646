"""The form of an accreditation an organisation holds: the scheme (with its level, for a scheme with levels), the
dates, a reference, and the evidence (a file, a web address, or evidence already added)."""
from __future__ import annotations

from datetime import date

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Length, ValidationError

from compliance.core import limits
from compliance.core.accreditation_schemes import Scheme, Schemes
from compliance.core.limits import too_long
from compliance.services.accreditations import EXISTING, FILE, KEEP, LINK
from compliance.web.forms import Form, GovDateField, choices, one_line, revision_number
from compliance.web.forms.answers import _web_address


def _line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def level_field(scheme_id: str) -> str:
    """The name of the level question of a scheme with levels (each has its own, shown under its choice)."""
    return "level_" + scheme_id.replace("-", "_")


class AccreditationForm(Form):
    # In the order of the page, which is the order of the error summary (a scheme's level follows the scheme).
    scheme = RadioField("Accreditation", widget=GovRadioInput(), validate_choice=False)
    awarded_on = GovDateField("Date awarded", required="Enter the date it was awarded", example="14 5 2025")
    expires_on = GovDateField("Expiry date", example="13 5 2028")
    reference = StringField(
        "Certificate or reference number (optional)", widget=GovTextInput(), filters=[_line],
        validators=[Length(max=limits.TITLE, message=too_long("The reference", limits.TITLE)),
                    one_line("The reference")])
    evidence = RadioField("Evidence", widget=GovRadioInput(), validate_choice=False)
    file = FileField("File", widget=GovFileInput())
    url = StringField("Web address", widget=GovTextInput(), filters=[_strip])
    existing = SelectField("Evidence you have already added", widget=GovSelect(), validate_choice=False)
    revision = HiddenField()
    submit = SubmitField("Save accreditation", widget=GovSubmitInput())

    schemes: Schemes
    today: date
    library: list[dict]
    keeps: str  # the title of the evidence it has (changing one), or "" (adding one)

    @classmethod
    def build(cls, schemes: Schemes, library: list[dict], *, today: date, keeps: str = "",
              **kwargs) -> AccreditationForm:
        """The form for these schemes (a level question for each scheme with levels), offering the organisation's
        evidence library, and keeping the current evidence when keeps names it."""
        questions = {level_field(s.id): RadioField(f"Level of {s.name}", widget=GovRadioInput(), validate_choice=False,
                                                   choices=choices((level, level) for level in s.levels))
                     for s in schemes.values() if s.levels}
        form = type("AccreditationFormFor", (cls,), questions)(**kwargs)
        form.schemes, form.library, form.today, form.keeps = schemes, library, today, keeps
        form.scheme.choices = choices((s.id, s.name) for s in schemes.values())
        offered = [(KEEP, "Keep the evidence it has")] if keeps else []
        offered += [(FILE, "Upload a file"), (LINK, "Link to a web page")]
        offered += [(EXISTING, "Use evidence your organisation has already added")] if library else []
        form.evidence.choices = choices(offered)
        form.existing.choices = choices([("", "Choose the evidence")] + [(str(item["id"]), item["title"])
                                                                        for item in library])
        order = ["scheme", *questions]  # each level question straight after the scheme, in the page's order
        form._fields = {name: form._fields[name] for name in order + [n for n in form._fields if n not in order]}
        return form

    @property
    def chosen(self) -> Scheme | None:
        return self.schemes.get(self.scheme.data or "")

    @property
    def level(self):
        """The chosen scheme's level question, or None when it has no levels."""
        scheme = self.chosen
        return self[level_field(scheme.id)] if scheme and scheme.levels else None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        level = self.level
        if level is not None and self.chosen is not None:
            if not level.data:
                level.errors.append(f"Select the level of {self.chosen.name}")
            elif level.data not in self.chosen.levels:
                level.errors.append("Select one of the levels listed")
        return valid and not (level is not None and level.errors)

    def validate_scheme(self, field):
        if not field.data:
            raise ValidationError("Select the accreditation")
        if self.chosen is None:
            raise ValidationError("Select one of the accreditations listed")

    def validate_awarded_on(self, field):
        if field.data and field.data > self.today:
            raise ValidationError("The date awarded must be today or in the past")

    def validate_expires_on(self, field):
        if field.process_errors:
            return
        scheme = self.chosen
        if field.data is None and scheme is not None and scheme.expires:
            raise ValidationError(f"Enter the expiry date: {scheme.name} expires, usually after "
                                  f"{scheme.years} year{'' if scheme.years == 1 else 's'}")
        if field.data and self.awarded_on.data and field.data <= self.awarded_on.data:
            raise ValidationError("The expiry date must be after the date awarded")

    def validate_evidence(self, field):
        if not field.data:
            raise ValidationError("Select how you will show the evidence")
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Select one of the ways of showing the evidence listed")

    def validate_url(self, field):
        if self.evidence.data != LINK:
            return
        if not field.data:
            raise ValidationError("Enter the web address of the evidence")
        _web_address(self, field)

    def validate_existing(self, field):
        if self.evidence.data != EXISTING:
            return
        if not field.data:
            raise ValidationError("Choose the evidence from the list")
        if field.data not in {str(item["id"]) for item in self.library}:
            raise ValidationError("Choose evidence from the list")

    @property
    def read_revision(self) -> int:
        return revision_number(self.revision.data)

    def values(self) -> dict:
        """What is stored: the scheme's id and name, the level, the dates (ISO) and the reference."""
        scheme = self.chosen
        assert scheme is not None  # nosec B101: only called once the form is valid
        level = self.level
        return {"scheme": scheme.id, "scheme_name": scheme.name, "level": level.data if level is not None else "",
                "awarded_on": self.awarded_on.data.isoformat(),
                "expires_on": self.expires_on.data.isoformat() if self.expires_on.data else None,
                "reference": self.reference.data or ""}
