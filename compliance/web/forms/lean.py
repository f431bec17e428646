"""GOV.UK's radios, textarea and character count widgets, their markup built in Python when the parameters allow.

govuk-frontend-wtf renders each field through `render_template` (every context processor again) and GOV.UK's
macros, which import their helpers and re-indent every nested piece: on the requirement page the rating's radios
took 0.8 ms, the narrative's character count 0.26 ms and the reason 0.2 ms, over half of the page's rendering.
Lean Jinja macros of the same markup still cost 0.1 ms for the radios, mostly Jinja's price for each macro call;
built here (as the matrix's cells are, in views/board.py) the three cost a few hundredths of a millisecond. Only
the parameters our forms pass are handled (SHAPES below); anything else (an id prefix, classes, HTML in a label,
radios without a fieldset) goes to GOV.UK's own macro, as before. tests/unit/test_lean_fields.py renders each
parameter set both ways and compares the parsed markup.
"""
from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovTextArea
from markupsafe import Markup, escape

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
    """Whether parameters hold only what the lean renderers handle (None, for a part, means the part is absent).
    Written as loops: a page checks about twenty parameters of each of its three fields."""
    if value is None:
        return shape != TEXT  # GOV.UK's macros write None as the text "None": leave that to them
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return False
        anything = shape.get("*")
        for key, part in value.items():
            inner = shape.get(key, anything)
            if (key not in shape and "*" not in shape) or not fits(part, inner):
                return False
        return True
    if isinstance(shape, list):
        if not isinstance(value, list):
            return False
        for item in value:
            if not fits(item, shape[0]):
                return False
        return True
    if shape == FLAG:
        return isinstance(value, bool)
    if shape == NUMBER:
        return isinstance(value, (int, str)) and not isinstance(value, bool)
    return isinstance(value, str)


def lean_render(kind: str, params: dict) -> Markup | None:
    """The field's markup, or None when the parameters need GOV.UK's own macro."""
    if not fits(params, SHAPES[kind]) or not all(params.get(key) for key in REQUIRED[kind]):
        return None
    # bandit B704: every value in the markup is escaped by the renderers below
    return Markup(RENDERERS[kind](params))  # nosec B704


def _hint(id_: str, text, classes: str = "") -> str:
    return f'<div id="{escape(id_)}" class="govuk-hint{" " + classes if classes else ""}">\n  {escape(text)}\n</div>\n'


def _error(id_: str, text) -> str:
    return (f'<p id="{escape(id_)}" class="govuk-error-message">\n'
            f'  <span class="govuk-visually-hidden">Error:</span> {escape(text)}\n</p>\n')


def _described(ids: list[str]) -> str:
    return f' aria-describedby="{escape(" ".join(ids))}"' if ids else ""


def radios(params: dict) -> str:
    """govukRadios, with a fieldset and its legend, a hint, an error and items with hints and conditional reveals."""
    prefix, hint, error = params["name"], params.get("hint"), params.get("errorMessage")
    described = ([f"{prefix}-hint"] if hint else []) + ([f"{prefix}-error"] if error else [])
    legend = params["fieldset"].get("legend") or {}
    parts = [f'<div class="govuk-form-group{" govuk-form-group--error" if error else ""}">\n'
             f'<fieldset class="govuk-fieldset"{_described(described)}>\n']
    if legend.get("text"):
        classes = f" {escape(legend['classes'])}" if legend.get("classes") else ""
        parts.append(f'<legend class="govuk-fieldset__legend{classes}">\n{escape(legend["text"])}\n</legend>\n')
    if hint:
        parts.append(_hint(f"{prefix}-hint", hint.get("text")))
    if error:
        parts.append(_error(f"{prefix}-error", error.get("text")))
    parts.append('<div class="govuk-radios" data-module="govuk-radios">\n')
    for index, item in enumerate((item for item in params.get("items") or [] if item), start=1):
        raw_id = prefix if index == 1 else f"{prefix}-{index}"
        id_ = escape(raw_id)
        item_hint = (item.get("hint") or {}).get("text")
        reveal = (item.get("conditional") or {}).get("html")
        checked = " checked" if item.get("checked") else ""
        controls = f' data-aria-controls="conditional-{id_}"' if reveal else ""
        hinted = f' aria-describedby="{id_}-item-hint"' if item_hint else ""
        parts.append(f'<div class="govuk-radios__item">\n<input class="govuk-radios__input" id="{id_}" '
                     f'name="{escape(prefix)}" type="radio" value="{escape(item.get("value", ""))}"'
                     f'{checked}{controls}{hinted}>\n')
        if item.get("text"):
            parts.append(f'<label class="govuk-label govuk-radios__label" for="{id_}">\n'
                         f'{escape(item["text"])}\n</label>\n')
        if item_hint:
            parts.append(_hint(f"{raw_id}-item-hint", item_hint, "govuk-radios__hint"))
        parts.append("</div>\n")
        if reveal:
            hidden = "" if item.get("checked") else " govuk-radios__conditional--hidden"
            # GOV.UK's macro takes the conditional's HTML as safe, whatever its type
            parts.append(f'<div class="govuk-radios__conditional{hidden}" id="conditional-{id_}">\n'
                         f"{str(reveal).strip()}\n</div>\n")
    parts.append("</div>\n</fieldset>\n</div>\n")
    return "".join(parts)


def _textarea(params: dict, described: list[str], *, classes: str = "", count=None, after: str = "") -> str:
    id_, hint, error = params.get("id") or params["name"], params.get("hint"), params.get("errorMessage")
    label = params.get("label") or {}
    described = described + ([f"{id_}-hint"] if hint else []) + ([f"{id_}-error"] if error else [])
    group = " govuk-form-group--error" if error else ""
    if count is not None:
        group += f' govuk-character-count" data-module="govuk-character-count" data-maxlength="{escape(count)}'
    parts = [f'<div class="govuk-form-group{group}">\n']
    if label.get("text"):
        label_classes = f" {escape(label['classes'])}" if label.get("classes") else ""
        parts.append(f'<label class="govuk-label{label_classes}" for="{escape(id_)}">\n{escape(label["text"])}\n'
                     "</label>\n")
    if hint:
        parts.append(_hint(f"{id_}-hint", hint.get("text")))
    if error:
        parts.append(_error(f"{id_}-error", error.get("text")))
    attributes = "".join(f' {escape(name)}="{escape(value)}"'
                         for name, value in (params.get("attributes") or {}).items())
    area_classes = (" govuk-textarea--error" if error else "") + (f" {classes}" if classes else "")
    parts.append(f'<textarea class="govuk-textarea{area_classes}" id="{escape(id_)}" name="{escape(params["name"])}" '
                 f'rows="{escape(params.get("rows") or 5)}"{_described(described)}{attributes}>'
                 f'{escape(params.get("value", ""))}</textarea>\n{after}</div>\n')
    return "".join(parts)


def textarea(params: dict) -> str:
    """govukTextarea, with a label, a hint, an error and attributes."""
    return _textarea(params, [])


def character_count(params: dict) -> str:
    """govukCharacterCount by characters (maxlength), with the textarea's label, hint, error and attributes."""
    id_ = params.get("id") or params["name"]
    text = params.get("textareaDescriptionText") or "You can enter up to %{count} characters"
    message = _hint(f"{id_}-info", text.replace("%{count}", str(params["maxlength"])),
                    "govuk-character-count__message")
    return _textarea(params, [f"{id_}-info"], classes="govuk-js-character-count", count=params["maxlength"],
                     after=message)


RENDERERS = {"radios": radios, "textarea": textarea, "character_count": character_count}


def merged(base, extra):
    """govuk-frontend-wtf's `merger` (deepmerge: lists appended, dicts merged into `base`, anything else replaced),
    without deepmerge's dispatch through strategy objects for each value: a tenth of a field's rendering."""
    if isinstance(base, list) and isinstance(extra, list):
        return base + extra
    if isinstance(base, dict) and isinstance(extra, dict):
        for key, value in extra.items():
            base[key] = merged(base[key], value) if key in base else value
        return base
    return extra


class LeanRadioInput(GovRadioInput):
    def __call__(self, field, **kwargs):
        """GovIterableBase's, with the items made from the field's choices rather than from a subfield built for
        each one (what WTForms' iteration does, and half the widget's time)."""
        kwargs.setdefault("id", field.id)
        if "required" not in kwargs and "required" in getattr(field, "flags", []):
            kwargs["required"] = True
        kwargs["items"] = [{"text": choice.label or choice.value, "value": str(choice.value),
                            **({"checked": True} if choice.selected else {})} for choice in field.iter_choices()]
        return self.render(self.map_gov_params(field, **kwargs))

    def merge_params(self, a, b):
        return merged(a, b)

    def render(self, params):
        return lean_render("radios", params) or super().render(params)


class LeanTextArea(GovTextArea):
    def merge_params(self, a, b):
        return merged(a, b)

    def render(self, params):
        return lean_render("textarea", params) or super().render(params)


class LeanCharacterCount(GovCharacterCount):
    def merge_params(self, a, b):
        return merged(a, b)

    def render(self, params):
        return lean_render("character_count", params) or super().render(params)
