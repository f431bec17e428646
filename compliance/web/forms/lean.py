"""GOV.UK's radios, textarea and character count widgets, rendered by lean macros when the parameters allow.

govuk-frontend-wtf renders each field through `render_template` (every context processor again) and GOV.UK's
macros, which import their helpers and re-indent every nested piece: on the requirement page the rating's radios
took 0.8 ms, the narrative's character count 0.26 ms and the reason 0.2 ms, over half of the page's rendering.
`templates/components/fields.html` writes the same markup directly, for the parameters our forms pass (SHAPES
below); anything else (an id prefix, classes, HTML in a label, a radios without a fieldset) goes to GOV.UK's own
macro, as before. tests/unit/test_lean_fields.py renders both and compares them.
"""
from __future__ import annotations

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovTextArea
from markupsafe import Markup

TEXT = "text"  # a string (or Markup, taken as it is, as GOV.UK's macros take it)
FLAG = "flag"  # True, False or None
NUMBER = "number"  # an int, or a string

_TEXT_ONLY = {"text": TEXT}
SHAPES = {
    "radios": {
        "name": TEXT, "hint": _TEXT_ONLY, "errorMessage": _TEXT_ONLY,
        "fieldset": {"legend": {"text": TEXT, "classes": TEXT}},
        "items": [{"text": TEXT, "value": TEXT, "checked": FLAG, "hint": _TEXT_ONLY, "conditional": {"html": TEXT}}],
    },
    "textarea": {
        "id": TEXT, "name": TEXT, "value": TEXT, "rows": NUMBER, "hint": _TEXT_ONLY, "errorMessage": _TEXT_ONLY,
        "label": {"text": TEXT, "classes": TEXT}, "attributes": {"*": TEXT},
    },
}
SHAPES["character_count"] = {**SHAPES["textarea"], "maxlength": NUMBER, "textareaDescriptionText": TEXT}
REQUIRED = {"radios": ("name", "fieldset"), "textarea": ("name",), "character_count": ("name", "maxlength")}


def fits(value, shape) -> bool:
    """Whether parameters hold only what a lean macro renders (None, for a part, means the part is absent)."""
    if value is None:
        return True
    if isinstance(shape, dict):
        return isinstance(value, dict) and all(
            (key in shape or "*" in shape) and fits(part, shape.get(key, shape.get("*")))
            for key, part in value.items())
    if isinstance(shape, list):
        return isinstance(value, list) and all(fits(item, shape[0]) for item in value)
    if shape == FLAG:
        return isinstance(value, bool)
    if shape == NUMBER:
        return isinstance(value, (int, str)) and not isinstance(value, bool)
    return isinstance(value, str)


def lean_render(kind: str, params: dict) -> Markup | None:
    """The field's markup from the lean macro, or None when the parameters need GOV.UK's own."""
    if not fits(params, SHAPES[kind]) or not all(params.get(key) for key in REQUIRED[kind]):
        return None
    macros = current_app.jinja_env.get_template("components/fields.html").module
    return Markup(getattr(macros, kind)(params))


class LeanRadioInput(GovRadioInput):
    def render(self, params):
        return lean_render("radios", params) or super().render(params)


class LeanTextArea(GovTextArea):
    def render(self, params):
        return lean_render("textarea", params) or super().render(params)


class LeanCharacterCount(GovCharacterCount):
    def render(self, params):
        return lean_render("character_count", params) or super().render(params)
