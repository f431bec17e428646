"""Public pages: each renders in GOV.UK style with the partnership's name and no GOV.UK branding."""
from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from compliance.web.access import public
from compliance.web.assets import fingerprint
from tests.builders import add_person, page_text, sign_in

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


def test_stylesheet_uses_arial_and_never_names_gds_transport(app, client):
    html = client.get("/").get_data(as_text=True)
    address = f"/assets/v/{app.config['ASSET_VERSION']}/css/app.css"
    assert f'href="{address}"' in html
    css = client.get(address)
    assert css.status_code == 200
    text = css.get_data(as_text=True)
    assert "GDS Transport" not in text
    assert "font-family:Arial,Helvetica,sans-serif" in text


def test_assets_at_the_current_version_are_kept_a_year_and_any_other_address_is_asked_for_again(app, client):
    version = app.config["ASSET_VERSION"]
    html = client.get("/").get_data(as_text=True)
    assert f'src="/assets/v/{version}/js/app.js"' in html and f'href="/assets/v/{version}/images/favicon.svg"' in html
    for name in ("css/app.css", "js/app.js", "js/session-timeout.js", "js/vendor/govuk-frontend.min.js"):
        kept = client.get(f"/assets/v/{version}/{name}")
        assert kept.status_code == 200 and kept.data == client.get(f"/assets/{name}").data
        assert kept.cache_control.max_age == 365 * 24 * 60 * 60 and kept.cache_control.immutable
        assert kept.cache_control.public and not kept.cache_control.no_cache
    # a page from before a release names an older version: it gets today's file, but not kept
    older = client.get("/assets/v/000000000000/css/app.css")
    assert older.status_code == 200 and older.cache_control.max_age is None and older.cache_control.no_cache
    assert client.get("/assets/css/app.css").cache_control.no_cache
    assert client.get(f"/assets/v/{version}/../compliance/__init__.py").status_code == 404
    assert client.get(f"/assets/v/{version}/js/no-such-file.js").status_code == 404


def test_an_asset_address_is_built_once_for_each_root_the_app_is_served_under(app):
    from flask import url_for

    from compliance.web.assets import asset_url

    version = app.config["ASSET_VERSION"]
    for base in ("http://localhost/", "http://localhost/compliance/"):
        with app.test_request_context("/", base_url=base):
            built = url_for("asset", version=version, filename="css/app.css")
            assert asset_url("css/app.css") == built == f"{base[16:]}assets/v/{version}/css/app.css"
            assert asset_url("css/app.css") == built, "the second time, as kept"
            assert asset_url("js/app.js") == url_for("asset", version=version, filename="js/app.js")
    assert any(key[1] == "asset" for key in app.jinja_env.globals["url_for"].memo), "kept by the templates' url_for"


def test_a_signed_in_persons_session_never_travels_with_a_file_proxies_may_keep(app):
    add_person(app, "lead@org.example")
    client = app.test_client()
    assert sign_in(client, "lead@org.example").status_code == 302
    assert "Set-Cookie" in client.get("/home").headers, "pages renew the session"
    for path in (f"/assets/v/{app.config['ASSET_VERSION']}/css/app.css", "/assets/css/app.css",
                 f"/assets/v/{app.config['ASSET_VERSION']}/no-such-file.css"):
        response = client.get(path)
        assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", ""), path
    assert page_text(client.get("/home")).h1 == "Hello, Lead", "still signed in"


def test_the_asset_version_changes_when_any_file_changes(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, text in ((first, "body { color: #0b0c0c }"), (second, "body { color: #000 }")):
        (folder / "css").mkdir(parents=True)
        (folder / "css" / "app.css").write_text(text)
    assert fingerprint(str(first)) != fingerprint(str(second))
    assert len(fingerprint(str(first))) == 12


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


@pytest.mark.parametrize("path", ["/", "/no-such-page", "/healthz", "/assets/css/app.css", "/assets/v/0/css/app.css"])
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


def _page_token(response) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_each_session_has_its_own_form_token_and_anothers_is_refused(app):
    add_person(app, "lead@org.example")
    add_person(app, "other@org.example")
    first, second = app.test_client(), app.test_client()
    assert sign_in(first, "lead@org.example").status_code == 302
    assert sign_in(second, "other@org.example").status_code == 302
    token = _page_token(first.get("/account"))
    assert _page_token(second.get("/account")) != token
    with first.session_transaction() as session:
        raw = session["csrf_token"]
    with app.test_request_context("/"):
        assert URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").loads(token) == raw
    assert first.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert sign_in(first, "lead@org.example").status_code == 302
    assert first.post("/sign-out", data={"csrf_token": _page_token(second.get("/account"))}).status_code == 400
    assert page_text(first.get("/account")).h1, "still signed in"


def test_a_new_secret_key_signs_sessions_with_itself_at_once(app):
    add_person(app, "lead@org.example")
    client = app.test_client()
    assert sign_in(client, "lead@org.example").status_code == 302
    assert client.get("/account").status_code == 200
    before = app.secret_key
    app.secret_key = app.config["SECRET_KEY"] = before + "-rotated"
    try:
        assert client.get("/account").status_code == 302, "a cookie signed with the old key is no session now"
        assert sign_in(client, "lead@org.example").status_code == 302
        assert client.get("/account").status_code == 200
    finally:
        app.secret_key = app.config["SECRET_KEY"] = before


def test_session_cookies_are_written_uncompressed_and_compressed_ones_are_still_read(app):
    from flask.sessions import SecureCookieSessionInterface

    add_person(app, "lead@org.example")
    client = app.test_client()
    assert sign_in(client, "lead@org.example").status_code == 302
    assert client.get("/account").status_code == 200
    written = client.get_cookie("session").value
    assert not written.startswith("."), "zlib is not tried on the cookie"
    with app.test_request_context("/"):
        ours = app.session_interface.get_signing_serializer(app)
        contents = ours.loads(written)
        assert contents["_user_id"] and contents["csrf_token"]
        # a cookie an earlier release wrote, compressed, with the same key: still this person's session
        compressed = SecureCookieSessionInterface().get_signing_serializer(app).dumps(
            {**contents, "padding": "x" * 400})
    assert compressed.startswith(".")
    client.set_cookie("session", compressed)
    assert client.get("/account").status_code == 200, "still signed in"


def test_session_cookies_are_flasks_own_text_and_read_both_ways(app):
    """The session's serializer skips asking the tags about plain values, and signs with hashlib's SHA-1 itself:
    the same text and signatures as Flask's own, so each reads what the other wrote."""
    from datetime import datetime, timezone
    from uuid import UUID

    from flask.json.tag import TaggedJSONSerializer
    from flask.sessions import SecureCookieSessionInterface
    from markupsafe import Markup

    values = {"_user_id": "3:token:key", "_fresh": True, "seen": 1796501772.25, "n": 0, "none": None, "": "",
              "_flashes": [("important", "Saved, but <b>not</b> complete"), ("message", Markup("<b>Bold</b>"))],
              "nested": {" t": ["a dict whose one key is a tag's"], "list": [1, (2, 3), b"bytes"]},
              "when": datetime(2026, 12, 5, 20, 0, tzinfo=timezone.utc),
              "uuid": UUID("12345678-1234-5678-1234-567812345678"), "text": "Line\n\"quoted\" \u00e9 \U0001f4a9"}
    assert app.session_interface.serializer.dumps(values) == TaggedJSONSerializer().dumps(values)
    with app.test_request_context("/"):
        ours = app.session_interface.get_signing_serializer(app)
        flasks = SecureCookieSessionInterface().get_signing_serializer(app)
        assert ours.loads(flasks.dumps(values)) == values == flasks.loads(ours.dumps(values))
        assert isinstance(ours.loads(flasks.dumps(values))["_flashes"][1][1], Markup)


def test_template_addresses_are_remembered_and_always_what_flask_builds(app):
    from flask import url_for

    memoised = app.jinja_env.globals["url_for"]
    cases = [("pages.start", {}), ("returns.overview", {"return_id": 3}), ("returns.overview", {"return_id": "3"}),
             ("account.account", {}), ("returns.overview", {"return_id": 3, "tab": "a b&c"}),
             ("returns.overview", {"return_id": 3, "_anchor": "evidence"}), ("pages.start", {"_external": True}),
             ("pages.start", {"a": (1,)}), ("pages.start", {"a": (True,)}), ("pages.start", {"a": 0.0}),
             ("pages.start", {"a": -0.0}), ("pages.start", {"a": True}), ("pages.start", {"a": 1})]
    for base, path in (("http://localhost/", "/returns/3"), ("https://other.example/root/", "/home")):
        for _ in range(2):  # built, then remembered
            with app.test_request_context(path, base_url=base):
                for endpoint, values in cases:
                    assert memoised(endpoint, **values) == url_for(endpoint, **values), (base, endpoint, values)
    with app.test_request_context("/returns/3"):  # relative to the request's blueprint, as Flask resolves it
        request_blueprint_address = memoised(".overview", return_id=4)
        assert request_blueprint_address == url_for(".overview", return_id=4) == "/returns/4"
    with app.test_request_context("/"):
        assert memoised(".start") == url_for(".start") == "/"
    assert memoised.memo, "addresses are kept"
    assert any(key[0][0] == "/root" for key in memoised.memo), "each root its own"
