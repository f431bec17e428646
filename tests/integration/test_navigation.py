"""The header's navigation is a table (web/navigation.py): each role sees its items, and the current one is marked."""
from __future__ import annotations

import re

import pytest

from compliance import store
from compliance.web.navigation import NAVIGATION
from compliance.web.requests import get_db
from tests.builders import DEMO_PASSWORD, signed_in

EXPECTED = {
    "coordinator@demo.example": ["Home", "Cycles", "Improvement actions", "Strategy", "Organisations", "Frameworks",
                                 "People", "Evidence", "Audit trail", "Outbox"],
    "board@demo.example": ["Home", "Cycles", "Improvement actions", "Strategy", "Organisations", "Frameworks"],
    "auditor@demo.example": ["Home", "Cycles", "Improvement actions", "Strategy", "Organisations", "Frameworks",
                             "Evidence", "Audit trail"],
    "editor.police@demo.example": ["Home"],
    "signatory.police@demo.example": ["Home"],
}


def _navigation(html: str) -> list[tuple[str, bool]]:
    """The service navigation's links, in order, each with whether it is marked as the current page."""
    found = re.search(r'<nav aria-label="Menu" class="govuk-service-navigation__wrapper">(.*?)</nav>', html, re.S)
    assert found, "no service navigation on the page"
    items = re.findall(r'<li class="govuk-service-navigation__item( govuk-service-navigation__item--active)?">\s*'
                       r'<a class="govuk-service-navigation__link" href="[^"]+"( aria-current="(?:page|true)")?>\s*'
                       r'(?:<strong[^>]*>)?([^<]+)', found.group(1))
    return [(text.strip(), bool(active and current)) for active, current, text in items]


@pytest.mark.parametrize("email", sorted(EXPECTED))
def test_each_role_sees_its_own_items(demo_app, email):
    client = signed_in(demo_app, email, DEMO_PASSWORD)
    shown = _navigation(client.get("/home").get_data(as_text=True))
    assert [text for text, _ in shown] == EXPECTED[email]
    assert [text for text, current in shown if current] == ["Home"]


def _matrix_path(app) -> str:
    with app.app_context():
        cycle = next(c for c in store.cycles(get_db()) if c["status"] == "open")
    return f"/cycles/{cycle['id']}/matrix"


def test_a_cycles_matrix_and_progress_are_under_cycles(demo_app):
    client = signed_in(demo_app, "board@demo.example", DEMO_PASSWORD)
    matrix = _matrix_path(demo_app)
    for path in (matrix, matrix.replace("/matrix", "/progress"), matrix.replace("/matrix", "/charts")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert [text for text, is_current in _navigation(response.get_data(as_text=True)) if is_current] == ["Cycles"]


@pytest.mark.parametrize(("path", "current"), [("/cycles", "Cycles"), ("/organisations", "Organisations"),
                                               ("/organisations/new", "Organisations"), ("/frameworks", "Frameworks"),
                                               ("/people", "People"), ("/people/invite", "People"),
                                               ("/outbox", "Outbox"), ("/plan/strategies", "Strategy"),
                                               ("/plan/new", "Strategy"), ("/plan/risk-bands", "Strategy")])
def test_the_section_of_the_page_is_the_current_item(demo_app, path, current):
    client = signed_in(demo_app, "coordinator@demo.example", DEMO_PASSWORD)
    response = client.get(path)
    assert response.status_code == 200
    assert [text for text, is_current in _navigation(response.get_data(as_text=True)) if is_current] == [current]


def test_anyone_not_signed_in_is_offered_sign_in_except_on_the_sign_in_page(client):
    assert _navigation(client.get("/").get_data(as_text=True)) == [("Sign in", False)]
    assert "govuk-service-navigation__item" not in client.get("/sign-in").get_data(as_text=True)


def test_every_page_the_table_names_exists(app):
    for item in NAVIGATION:
        assert item.endpoint in app.view_functions, item
        for section in item.sections:
            assert section.endswith(".") or section in app.view_functions, f"{item.text}: no page {section}"
