"""Public pages: each renders in GOV.UK style with the partnership's name and no GOV.UK branding."""
from __future__ import annotations

import pytest

from compliance.web.access import public
from tests.builders import page_text

PAGES = [
    ("/", "Annual statement of compliance"),
    ("/accessibility", "Accessibility statement"),
    ("/privacy", "Privacy notice"),
]


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_public_page_has_title_heading_and_partnership(client, path, heading):
    response = client.get(path)
    assert response.status_code == 200
    page = page_text(response)
    assert page.h1 == heading
    assert page.title == f"{heading} – Domestic abuse compliance returns – WDVF"
    html = response.get_data(as_text=True)
    assert "Wolverhampton Domestic Violence Forum" in html
    assert 'href="/accessibility"' in html and 'href="/privacy"' in html


@pytest.mark.parametrize("path", ["/", "/accessibility", "/privacy", "/no-such-page"])
def test_no_page_shows_the_crown_or_govuk_logotype(client, path):
    html = client.get(path).get_data(as_text=True)
    for mark in ("govuk-logo", "govuk-header__logotype", "govuk-footer__crown", "Crown copyright", "GOV.UK"):
        assert mark not in html


def test_stylesheet_uses_arial_and_never_names_gds_transport(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/assets/css/app.css"' in html
    css = client.get("/assets/css/app.css")
    assert css.status_code == 200
    text = css.get_data(as_text=True)
    assert "GDS Transport" not in text
    assert "font-family:Arial,Helvetica,sans-serif" in text


def test_script_and_favicon_are_served(client):
    assert client.get("/assets/js/app.js").status_code == 200
    assert client.get("/assets/js/vendor/govuk-frontend.min.js").status_code == 200
    assert client.get("/assets/images/favicon.svg").status_code == 200


def test_start_page_lists_frameworks_with_the_draft_notice(client):
    html = client.get("/").get_data(as_text=True)
    assert "Over-Arching Domestic Violence Protocol" in html
    assert "BVPI 225" in html
    assert "West Midlands" in html
    assert "must be loaded from the published standards" in html or "published standards" in html


def test_not_found_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert page_text(response).h1 == "Page not found"


def test_forbidden_page(app):
    from flask import abort

    app.add_url_rule("/test-forbidden", "test_forbidden", public(lambda: abort(403)))
    response = app.test_client().get("/test-forbidden")
    assert response.status_code == 403
    assert page_text(response).h1 == "You do not have permission to see this page"


def test_server_error_page_hides_the_error(app):
    def explode():
        raise RuntimeError("secret internals")

    app.add_url_rule("/test-explode", "test_explode", public(explode))
    response = app.test_client().get("/test-explode")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert page_text(response).h1 == "Sorry, there is a problem with the service"
    assert "secret internals" not in html


def test_method_not_allowed_gets_a_styled_page(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "govuk-template" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/no-such-page", "/healthz", "/assets/css/app.css"])
def test_security_headers_on_pages_errors_and_assets(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_inline_script_carries_the_csp_nonce(client):
    response = client.get("/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.get_data(as_text=True)


def test_demo_banner_only_when_the_demo_is_loaded(app, client):
    assert "fictional" not in client.get("/").get_data(as_text=True)
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    banner = "Every organisation, person and rating in this demo partnership is fictional"
    assert banner in client.get("/").get_data(as_text=True)
