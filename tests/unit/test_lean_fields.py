"""The lean radios, textarea and character count (compliance/web/forms/lean.py) give GOV.UK's markup.

Each parameter set is rendered by govuk-frontend-jinja's macro and by ours, and the two parsed trees must be the
same: the same elements, attributes (classes as sets) and text, whitespace between words taken as one space.
Parameters the lean macros do not know go to GOV.UK's macro, and the forms' widgets are checked end to end.
"""
from __future__ import annotations

import copy
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from compliance.web.forms.answers import AnswerForm
from compliance.web.forms.lean import LeanCharacterCount, LeanRadioInput, LeanTextArea, lean_render, merged
from tests.builders import make_app

GOVUK = {
    "radios": ("govuk_frontend_jinja/components/radios/macro.html", "govukRadios"),
    "textarea": ("govuk_frontend_jinja/components/textarea/macro.html", "govukTextarea"),
    "character_count": ("govuk_frontend_jinja/components/character-count/macro.html", "govukCharacterCount"),
}
HOSTILE = 'Tom & Jerry\'s "best" <script>alert(1)</script>'


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: (frozenset(value.split()) if name == "class" else value) for name, value in attrs}
        self.tokens.append(("start", tag, tuple(sorted(attributes.items(), key=lambda pair: pair[0]))))

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag))

    def handle_data(self, data):
        if data.split():
            self.tokens.append(("text", " ".join(data.split())))


def tree(html: str) -> list[tuple]:
    parser = _Tree()
    parser.feed(str(html))
    parser.close()
    return parser.tokens


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(tmp_path_factory.mktemp("lean"))


def govuk(app, kind: str, params: dict) -> str:
    template, name = GOVUK[kind]
    return getattr(app.jinja_env.get_template(template).module, name)(copy.deepcopy(params))


def lean(app, kind: str, params: dict) -> str:
    with app.app_context():
        rendered = lean_render(kind, copy.deepcopy(params))
    assert rendered is not None, f"the lean {kind} refused parameters it should render"
    return rendered


def _items(checked: str | None = None, *, reveal: str | None = None) -> list[dict]:
    levels = [("met", "Met", "Fully in place."), ("partial", "Partially met", "Some gaps."),
              ("na", "Not applicable", "Does not apply.")]
    items = []
    for value, text, hint in levels:
        item = {"text": text, "value": value, "hint": {"text": hint}}
        if value == checked:
            item["checked"] = True
        if reveal and value == "na":
            item["conditional"] = {"html": Markup(reveal)}
        items.append(item)
    return items


REASON = ('<div class="govuk-form-group"><label class="govuk-label" for="reason">Reason</label>'
          '<textarea class="govuk-textarea" id="reason" name="reason" rows="4"></textarea></div>')
RADIOS = {
    "plain": {"name": "rating", "items": _items(), "hint": {"text": ""},
              "fieldset": {"legend": {"text": "Your rating", "classes": "govuk-fieldset__legend--m"}}},
    "checked, with hint": {"name": "rating", "items": _items("partial"), "hint": {"text": "Choose one."},
                           "fieldset": {"legend": {"text": "Your rating"}}},
    "error": {"name": "rating", "items": _items(), "hint": {"text": "Choose one."},
              "errorMessage": {"text": "Select one of the ratings listed"},
              "fieldset": {"legend": {"text": "Your rating", "classes": "govuk-fieldset__legend--m"}}},
    "conditional, hidden": {"name": "rating", "items": _items("met", reveal=REASON), "hint": {"text": "Choose."},
                            "fieldset": {"legend": {"text": "Your rating"}}},
    "conditional, shown, with error": {
        "name": "rating", "items": _items("na", reveal=REASON), "hint": {"text": "Choose."},
        "errorMessage": {"text": "Enter a reason"}, "fieldset": {"legend": {"text": "Your rating"}}},
    "hostile text": {"name": "status", "items": [{"text": HOSTILE, "value": HOSTILE, "hint": {"text": HOSTILE}}],
                     "hint": {"text": HOSTILE}, "errorMessage": {"text": HOSTILE},
                     "fieldset": {"legend": {"text": HOSTILE}}},
    "Markup text": {"name": "x&y", "items": [{"text": Markup("<b>Met</b> &amp; more"), "value": 'a"b'}],
                    "hint": {"text": Markup("<i>Choose</i>")}, "fieldset": {"legend": {"text": Markup("<b>L</b>")}}},
    "no hints, unchecked item flagged false": {
        "name": "status", "hint": None,
        "items": [{"text": "To do", "value": "todo", "checked": False}, {"text": "Done", "value": "done"}],
        "fieldset": {"legend": {"text": "Status"}}},
}
TEXTAREAS = {
    "plain": {"id": "reason", "name": "reason", "label": {"text": "Reason"}, "attributes": {}, "hint": None,
              "value": ""},
    "hint, rows, value": {"id": "reason", "name": "reason", "label": {"text": "Reason"}, "attributes": {},
                          "hint": {"text": "Say why."}, "rows": 4, "value": "Because\nit does not apply"},
    "error, required, label classes": {
        "id": "what", "name": "what", "label": {"text": "What will you do?", "classes": "govuk-label--m"},
        "attributes": {"required": "required"}, "hint": {"text": "Say what will change."}, "value": "x" * 20,
        "errorMessage": {"text": "Enter what you will do"}},
    "hostile": {"id": "reason", "name": "reason", "label": {"text": HOSTILE}, "attributes": {"data-x": HOSTILE},
                "hint": {"text": HOSTILE}, "value": HOSTILE, "errorMessage": {"text": HOSTILE}},
    "empty hint": {"id": "reason", "name": "reason", "label": {"text": "Reason"}, "hint": {"text": ""},
                   "value": ""},
}
COUNTS = {
    "narrative": {"id": "narrative", "name": "narrative", "label": {"text": "Explain", "classes": "govuk-label--m"},
                  "attributes": {}, "hint": {"text": "Say what is in place."}, "value": "Line one\nLine two",
                  "maxlength": 5000, "rows": 8, "textareaDescriptionText": "You can enter up to 5,000 characters"},
    "default description, error": {
        "id": "what", "name": "what", "label": {"text": "What will you do?"}, "attributes": {"required": "required"},
        "hint": None, "value": "", "maxlength": 2000, "errorMessage": {"text": "Enter what you will do"}},
    "hostile": {"id": "narrative", "name": "narrative", "label": {"text": HOSTILE}, "hint": {"text": HOSTILE},
                "value": HOSTILE, "maxlength": 10, "errorMessage": {"text": HOSTILE},
                "textareaDescriptionText": "Up to %{count} characters"},
    "Markup description": {"name": "n", "maxlength": "10", "value": "v", "label": {"text": Markup("<b>Explain</b>")},
                           "textareaDescriptionText": Markup("Up to <b>%{count}</b> characters")},
}
CASES = ([("radios", name, params) for name, params in RADIOS.items()]
         + [("textarea", name, params) for name, params in TEXTAREAS.items()]
         + [("character_count", name, params) for name, params in COUNTS.items()])


@pytest.mark.parametrize(("kind", "name", "params"), CASES, ids=[f"{kind}: {name}" for kind, name, _ in CASES])
def test_the_lean_macro_gives_govuk_markup(app, kind, name, params):
    assert tree(lean(app, kind, params)) == tree(govuk(app, kind, params))


@pytest.mark.parametrize("kind", ["textarea", "character_count"])
def test_typed_text_comes_back_exactly(app, kind):
    params = {**(COUNTS["narrative"] if kind == "character_count" else TEXTAREAS["plain"]),
              "value": "First line\n  indented\n\nlast & <b>"}
    assert ">First line\n  indented\n\nlast &amp; &lt;b&gt;</textarea>" in lean(app, kind, params)


@pytest.mark.parametrize(("kind", "extra"), [
    ("radios", {"idPrefix": "other"}), ("radios", {"classes": "govuk-radios--small"}),
    ("radios", {"fieldset": None}), ("radios", {"items": [{"html": "<b>Met</b>", "value": "met"}]}),
    ("textarea", {"label": {"html": "<b>Reason</b>"}}), ("textarea", {"spellcheck": False}),
    ("textarea", {"attributes": {"data-x": {"value": "1", "optional": True}}}),
    ("character_count", {"maxwords": 100}), ("character_count", {"maxlength": None}),
    ("textarea", {"value": None}), ("radios", {"hint": {"text": None}}),
])
def test_parameters_the_lean_macros_do_not_know_go_to_govuk(app, kind, extra):
    base = {"radios": RADIOS["plain"], "textarea": TEXTAREAS["plain"], "character_count": COUNTS["narrative"]}[kind]
    with app.app_context():
        assert lean_render(kind, {**copy.deepcopy(base), **extra}) is None


@pytest.mark.parametrize("formdata", [
    None,
    {"rating": "not-applicable", "reason": "Line one\nLine two", "narrative": "We do this."},
    {"rating": "no-such-level", "narrative": "x" * 6000, "reason": "y" * 3000},
])
def test_the_answer_forms_fields_render_as_govuks_widgets_would(app, formdata):
    from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovTextArea
    from werkzeug.datastructures import MultiDict

    from compliance.store import frameworks as framework_store
    from compliance.web.requests import get_db

    widgets = {"rating": (LeanRadioInput, GovRadioInput), "narrative": (LeanCharacterCount, GovCharacterCount),
               "reason": (LeanTextArea, GovTextArea)}
    params = {"rating": {"fieldset": {"legend": {"text": "Your rating", "classes": "govuk-fieldset__legend--m"}},
                         "hint": {"text": "Choose one."}, "items": [{"hint": {"text": "First"}}, {}, {"hint": {}}]},
              "narrative": {"label": {"text": "Explain", "classes": "govuk-label--m"}, "maxlength": 5000, "rows": 8,
                            "textareaDescriptionText": "You can enter up to 5,000 characters"},
              "reason": {"rows": 4, "hint": {"text": "Say why."}}}
    with app.test_request_context("/", method="POST" if formdata else "GET", data=formdata):
        framework = next(framework for framework in framework_store.stored_frameworks(get_db())
                         if any(level.needs_reason for level in framework.scale))
        form = AnswerForm.for_framework(framework, formdata=MultiDict(formdata) if formdata else None,
                                        meta={"csrf": False})
        form.validate()
        for name, (ours, theirs) in widgets.items():
            field = form[name]
            assert isinstance(field.widget, ours)
            mine = field(params=copy.deepcopy(params[name]))
            assert tree(mine) == tree(theirs()(field, params=copy.deepcopy(params[name]))), name
            assert Markup(mine) == mine


# GOV.UK macros memoised by their parameters (compliance/web/templating.py) ---------------------------------


def test_a_memoised_macro_gives_what_govuk_gives_and_keeps_markup_apart_from_text(app):
    button = app.jinja_env.globals["govukButton"]
    macro = app.jinja_env.get_template("govuk_frontend_jinja/components/button/macro.html").module.govukButton
    for params in ({"text": "Save and continue", "name": "then", "value": "continue", "preventDoubleClick": True},
                   {"text": "Save", "classes": "govuk-button--secondary"}, {"html": Markup("<b>Save</b>")},
                   {"html": "<b>Save</b>"}, {"text": HOSTILE, "href": "/x?a=1&b=2"}):
        assert button(params) == macro(params)
        assert button(copy.deepcopy(params)) == macro(params)  # the second time, from the memo
    assert "<b>Go</b>" in button({"text": Markup("<b>Go</b>")})  # Markup is taken as it is...
    assert "&lt;b&gt;Go" in button({"text": "<b>Go</b>"})  # ...and the same text as str is escaped, not memo'd as one


def test_a_memoised_macro_renders_a_callers_content_every_time(app):
    page = app.jinja_env.from_string(
        '{% for name in ["Ann", "Bob"] %}{% call govukDetails({"summaryText": "Who"}) %}{{ name }}{% endcall %}'
        '{% endfor %}{{ govukTag({"text": missing}) }}')
    html = page.render()
    assert "Ann" in html and "Bob" in html and 'class="govuk-tag"' in html


def test_the_lean_widgets_merge_parameters_as_govuk_frontend_wtfs_merger_does():
    from govuk_frontend_wtf.main import merger

    cases = [({"a": 1, "b": {"c": [1], "k": {"x": 1}}}, {"b": {"c": [2], "d": 3, "k": {"y": 2}}, "e": None}),
             ([1], [2, 3]), ({"a": [1]}, {"a": "x"}), ("x", {"a": 1}), ({"a": {"b": 1}}, {"a": None}),
             (None, {"a": 1}), ({"items": [{"x": 1}]}, {"items": [{"y": 2}]}), ({"a": True}, {"a": 0}),
             ({"a": Markup("<b>")}, {"a": "<i>"}), ({}, {})]
    for base, extra in cases:
        ours, theirs = copy.deepcopy(base), copy.deepcopy(base)
        assert merged(ours, copy.deepcopy(extra)) == merger.merge(theirs, copy.deepcopy(extra))
        assert ours == theirs, "the base is changed in place the same way"


def test_the_form_token_renders_as_wtforms_hidden_input_writes_it(app):
    from wtforms.widgets import HiddenInput

    from compliance.web.forms import SignInForm

    with app.test_request_context("/"):
        for prefix in ("", "second"):
            token = SignInForm(prefix=prefix).csrf_token
            assert str(token) == str(HiddenInput()(token))
            assert f'value="{token.current_token}"' in str(token) and f'name="{token.name}"' in str(token)
            assert str(token(**{"data-x": '"1"'})) == str(HiddenInput()(token, **{"data-x": '"1"'}))


def test_a_forms_token_is_signed_when_the_form_is_shown_and_is_one_the_service_accepts(app):
    """A posted form that is accepted is never shown again: its token is signed only when the form is rendered."""
    from flask_wtf.csrf import validate_csrf

    from compliance.web.forms import ConfirmForm

    with app.test_request_context("/"):
        form = ConfirmForm()
        assert "current_token" not in vars(form.csrf_token), "built, not signed"
        shown = str(form.csrf_token)
        token = form.csrf_token.current_token
        assert f'value="{token}"' in shown
        validate_csrf(token)  # raises if the service would refuse it


def test_the_macros_govuks_page_template_imports_are_the_memoised_ones_on_every_page(app):
    """template.html imports its own govukServiceNavigation and govukSkipLink, which hide the memoised globals
    of those names from base.html's blocks: base.html calls them through `memoised`."""
    memoised = app.jinja_env.globals["memoised"]
    client = app.test_client()
    for _ in range(2):
        assert client.get("/sign-in").status_code == 200
    for name in ("govukServiceNavigation", "govukSkipLink"):
        assert len(getattr(memoised, name).memo) == 1, name
        assert getattr(memoised, name) is app.jinja_env.globals[name]


def test_a_templates_context_is_the_one_jinja_makes(app):
    """Templates take the environment's globals as the dict they are, not through Jinja's ChainMap: the same
    variables and global names, for a page, an included template, and a template with globals of its own (which
    keeps Jinja's way)."""
    import jinja2

    env = app.jinja_env
    page = env.get_template("base.html")
    own = env.from_string("{{ mine }} {{ memoised is defined }}", globals={"mine": "its own"})
    with app.test_request_context("/"):
        for template in (page, own):
            for shared in (False, True):
                ours = template.new_context({"x": 1}, shared, {"l_1_y": 2})
                jinjas = jinja2.Template.new_context(template, {"x": 1}, shared, {"l_1_y": 2})
                assert ours.get_all() == jinjas.get_all() and ours.globals_keys == jinjas.globals_keys
                assert ours.vars == jinjas.vars and ours.name == jinjas.name
        assert own.render() == "its own True"
    assert page.plain_globals() is env.globals and own.plain_globals() is None, "which way each takes"
    page = app.test_client().get("/sign-in")  # a page that includes and imports, with the environment's dict
    assert page.status_code == 200 and "Sign in" in page.get_data(as_text=True)


def test_a_requirements_text_is_rendered_once_and_as_its_template_renders_it(app):
    """requirement_text (web/templating.py) renders a requirement's wording and guidance once for each requirement,
    the same as the template included in a page."""
    from flask import render_template_string
    from jinja2 import meta

    from compliance.core.frameworks import Guidance, Requirement

    shown = app.jinja_env.globals["requirement_text"]
    shown.memo.clear()
    requirements = [Requirement("r1", "1", "Policy", "Have a <policy>", Guidance("Good & <b>dated</b>", "Upload it")),
                    Requirement("r2", "2", "Training", "", Guidance("", "Records"))]
    with app.test_request_context("/"):
        for requirement in requirements * 2:
            included = render_template_string('{% include "returns/_requirement_text.html" %}', requirement=requirement)
            assert str(shown(requirement=requirement)) == included
        assert "Have a &lt;policy&gt;" in shown(requirement=requirements[0]) and "<policy>" not in included
    assert len(shown.memo) == 2, "once for each requirement"
    # What is kept is shown to everyone: the template may read the requirement and GOV.UK's (memoised) components,
    # never anything of a request (a form token, a nonce, a person's name).
    source = app.jinja_env.loader.get_source(app.jinja_env, "returns/_requirement_text.html")[0]
    its_own = {"requirement_html", "good_html", "evidenced_html"}  # set in blocks of its own
    assert meta.find_undeclared_variables(app.jinja_env.parse(source)) <= {
        "requirement", "govukInsetText", "govukDetails", *its_own}
