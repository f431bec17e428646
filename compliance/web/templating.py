"""What every template sees: the partnership's names, the filters for dates, times and sizes, the error summary."""
from __future__ import annotations

from collections import ChainMap
from types import SimpleNamespace

import jinja2
from flask import Flask, current_app, g
from flask.globals import _cv_request
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from markupsafe import Markup, escape

from compliance import store
from compliance.core import limits, text
from compliance.core.accreditations import EXPIRING_WITHIN, flags_text
from compliance.core.mappings import named
from compliance.web.navigation import navigation
from compliance.web.requests import get_db
from compliance.web.security import csp_nonce


def template_context() -> dict:
    config = current_app.config
    return {
        "cspNonce": csp_nonce(),
        "partnership_name": config["PARTNERSHIP_NAME"],
        "partnership_short_name": config["PARTNERSHIP_SHORT_NAME"],
        "service_name": config["SERVICE_NAME"],
        "demo_mode": _demo_mode(),
    }


def _demo_mode() -> bool:
    """Asked once a request: every form field GOV.UK's widgets render is a template, with this context too."""
    here = g._get_current_object()
    if "demo_mode" not in here:
        try:
            here.demo_mode = store.demo_loaded(get_db())
        except Exception:  # the banner must never stop an error page from rendering
            here.demo_mode = False
    return here.demo_mode


def lines(text: str | None) -> Markup:
    """Escaped text whose line breaks survive the macros' re-indenting: each one becomes a character reference."""
    return escape((text or "").replace("\r\n", "\n").replace("\r", "\n")).replace("\n", Markup("&#10;"))


def error_summary(form) -> dict:
    """The error summary's params: like govuk-frontend-wtf's, but a date's link goes to its day box."""
    params = wtforms_errors(form)
    dates = {f"#{field.id}" for field in form if isinstance(field.widget, GovDateInput)}
    for item in params["errorList"]:
        if item.get("href") in dates:
            item["href"] += "-day"
    return params


# GOV.UK macros whose markup depends on their parameters alone, used on most pages: templates call them as
# globals (memoised below) rather than importing them. A page's buttons, header, banners and back link cost
# 0.1 ms each to render and come out the same every time.
MEMOISED = {
    "govukBackLink": "back-link", "govukButton": "button", "govukDetails": "details",
    "govukGenericHeader": "generic-header", "govukInsetText": "inset-text",
    "govukNotificationBanner": "notification-banner", "govukPhaseBanner": "phase-banner",
    "govukServiceNavigation": "service-navigation", "govukSkipLink": "skip-link", "govukTag": "tag",
    "govukWarningText": "warning-text",
}
# GOV.UK's page template imports its own header, service navigation, skip link and footer, and a name a template
# imports hides the global of that name from every block of the pages built on it: base.html calls those it uses as
# memoised.govukServiceNavigation(...).
_MEMO_LIMIT = 4096  # distinct keys kept in each memo below; past that the memo starts again


def _remembered(memo: dict, key, make):
    """What `make()` gives, kept in `memo` under `key` (at most _MEMO_LIMIT keys)."""
    found = memo.get(key)
    if found is None:
        found = make()
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = found
    return found


class _Unfrozen(Exception):
    """A parameter value that is not plain data (a Jinja Undefined, an object): the macro is called as it is."""


def _freeze(value):
    """Parameters as a hashable key that keeps Markup apart from str, and True apart from 1. The plain types a
    template's parameters are made of are told by their exact type first (a page freezes about sixty values)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        return ("dict", tuple([(key, _freeze(part)) for key, part in value.items()]))
    if kind is list:
        return ("list", tuple([_freeze(part) for part in value]))
    if isinstance(value, str):
        return ("markup", str(value)) if isinstance(value, Markup) else value
    if isinstance(value, dict):
        return ("dict", tuple((key, _freeze(part)) for key, part in value.items()))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_freeze(part) for part in value))
    if value is None or type(value) in (bool, int, float):
        return (type(value).__name__, value)
    raise _Unfrozen


class MemoisedMacro:
    """A GOV.UK macro that renders each distinct set of parameters once, and with `caller` every time."""

    def __init__(self, environment: jinja2.Environment, name: str, component: str):
        self.environment, self.name = environment, name
        self.template = f"govuk_frontend_jinja/components/{component}/macro.html"
        self.memo: dict = {}

    def macro(self):
        return getattr(self.environment.get_template(self.template).module, self.name)

    def __call__(self, params=None, **kwargs):
        if kwargs:  # {% call %}: the caller's content is rendered each time
            return self.macro()(params, **kwargs)
        try:
            key = _freeze(params)
        except _Unfrozen:
            return self.macro()(params)
        return _remembered(self.memo, key, lambda: self.macro()(params))


class MemoisedTemplate:
    """A template that depends only on the values it is given (hashable ones) and the environment's globals,
    rendered once for each distinct set of them: a requirement's wording and guidance (0.1 ms of its page: an
    include and three of GOV.UK's components) are the same on every page that shows that requirement."""

    def __init__(self, environment: jinja2.Environment, name: str):
        self.environment, self.name = environment, name
        self.memo: dict = {}

    def __call__(self, **values) -> Markup:
        # bandit B704: the template's own output, escaped as it was rendered
        return _remembered(self.memo, tuple(sorted(values.items())),
                           lambda: Markup(self.environment.get_template(self.name).render(**values)))  # nosec B704


class _Template(jinja2.Template):
    """A template whose imports cost a lookup, not a set difference, once its module is made.

    GOV.UK's macros import their helpers inside each macro, so a page imports 60 to 70 times. For each, Jinja
    checks whether the importing template has globals the imported one lacks, by subtracting a ChainMap's keys
    from a set: about 40 lookups through two mappings each time, a tenth of a page's time. Every template here
    shares the environment's globals, which are set up before the first request and never change, so the
    answer is found once per pair of key sets and kept.
    """

    def _get_default_module(self, ctx: jinja2.runtime.Context | None = None) -> jinja2.environment.TemplateModule:
        if ctx is None or self.environment.is_async:
            return super()._get_default_module(ctx)
        names = self.__dict__.get("_global_names")
        if names is None:
            names = self.__dict__["_global_names"] = frozenset(self.globals)
        if not ctx.globals_keys <= names:  # new globals: Jinja makes a fresh module, as it always would
            return super()._get_default_module(ctx)
        if self._module is None:
            self._module = self.make_module()
        return self._module

    def new_context(self, vars=None, shared=False, locals=None) -> jinja2.runtime.Context:  # noqa: A002
        """Jinja's, given the environment's globals as the dict they are when the template adds none of its own.
        Jinja layers them under the template's (empty) ones in a ChainMap, which a page's context copies (its
        variables) and an included template's context too (their names), each time walking every layer's keys in
        Python."""
        plain = self.plain_globals()
        if plain is not None:
            return jinja2.runtime.new_context(self.environment, self.name, self.blocks, vars, shared, plain, locals)
        return super().new_context(vars, shared, locals)

    def plain_globals(self) -> dict | None:
        """The environment's globals, when this template's are exactly those; None when it has its own."""
        layered = self.globals
        if (isinstance(layered, ChainMap) and len(layered.maps) == 2 and not layered.maps[0]
                and layered.maps[1] is self.environment.globals):
            return self.environment.globals
        return None


_PLAIN = frozenset({str, int, bool, type(None)})  # values whose key is exactly what the address shows


def memoised_url_for(app: Flask):
    """url_for for templates, remembering each address it builds: a page builds ten to twenty, most of them the
    same on every page (the header's, the footer's, the session dialog's), at 5 microseconds each.

    An address depends on the endpoint, its values, and the request's root, host, scheme and blueprint (for an
    endpoint relative to it), which are the key; values other than strings, integers and booleans, calls naming an
    anchor, method, scheme or external address, and any app with url_defaults, build as Flask does. The request
    is found as Flask's own has_request_context finds it (its context variable), a proxy lookup cheaper."""
    build, memo = app.url_for, {}

    def url_for(endpoint: str, **values):
        current = _cv_request.get(None)
        if current is None or app.url_default_functions:
            return build(endpoint, **values)
        parts = []
        for name, value in values.items():  # a loop, not generators: a page asks ten to twenty times
            if name[:1] == "_" or type(value) not in _PLAIN:  # 1.0 and -0.0, (1,) and (True,) are equal
                return build(endpoint, **values)
            parts.append((name, type(value), value))
        base = current.__dict__.get("url_memo_base")
        if base is None:  # once a request: what its addresses depend on besides the endpoint and values
            req = current.request
            base = current.__dict__["url_memo_base"] = (req.script_root, req.host, req.scheme, req.blueprint)
        return _remembered(memo, (base, endpoint, *parts), lambda: build(endpoint, **values))

    url_for.memo = memo
    return url_for


def init_app(app: Flask) -> None:
    """Register the filters and globals once: every page formats a date, a time or a size the same way."""
    app.jinja_env.template_class = _Template
    # Every template kept, in a plain dict: Jinja's default keeps 400 in an LRU whose every lookup takes a lock and
    # moves the name to the end of a queue (a search of the queue), and a page looks up 20 to 30 (its macros'
    # imports). The templates are the ones in the repository and GOV.UK's, a fixed set of about 150.
    app.jinja_env.cache = {}
    for name in ("long_date", "when", "file_size", "plural"):  # as filters and as functions: both read well
        app.add_template_filter(getattr(text, name), name)
        app.add_template_global(getattr(text, name), name)
    app.add_template_global(error_summary)
    app.add_template_global(lines)
    app.add_template_global(named, "requirement_named")  # "WDVF protocol, requirement 3": one way everywhere
    app.add_template_global(limits, "limits")
    app.add_template_global(flags_text, "accreditation_flags")
    app.add_template_global(EXPIRING_WITHIN.days, "accreditation_expiring_days")
    app.add_template_global(navigation, "service_navigation")
    memoised = {name: MemoisedMacro(app.jinja_env, name, component) for name, component in MEMOISED.items()}
    for name, macro in memoised.items():
        app.add_template_global(macro, name)
    app.add_template_global(SimpleNamespace(**memoised), "memoised")
    app.add_template_global(MemoisedTemplate(app.jinja_env, "returns/_requirement_text.html"), "requirement_text")
    app.context_processor(template_context)
    app.jinja_env.globals["url_for"] = memoised_url_for(app)
