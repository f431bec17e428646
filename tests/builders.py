"""Builders every test module may use: an app on a fresh database (or a copy of the demo, built once per run),
people who can sign in, signed-in clients, form tokens, pages read as a person reads them, small valid files.

Test modules import from here (or take fixtures from conftest.py), never from one another.
"""
from __future__ import annotations

import functools
import re
import shutil
import sqlite3
import tempfile
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

from compliance import create_app, store
from compliance.demo import load_demo
from compliance.services.passwords import hash_password
from compliance.store import db
from compliance.web.requests import get_db

PASSWORD = "lantern-orchard-mosaic"
DEMO_PASSWORD = "demo-partnership-2026"
NOW = datetime.now(timezone.utc)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.title = ""
        self.h1 = ""
        self._in = None

    def handle_starttag(self, tag, attrs):
        if tag in {"title", "h1"}:
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.h1 += data


def page_text(response) -> _Page:
    """The page's title and main heading, whitespace folded."""
    page = _Page()
    page.feed(response.get_data(as_text=True))
    page.title = " ".join(page.title.split())
    page.h1 = " ".join(page.h1.split())
    return page


def minimal_pdf(text: str = "Haven Lane domestic abuse policy") -> bytes:
    """A small, valid one-page PDF: four objects, a cross-reference table with their true offsets, a trailer."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_app(tmp_path, **overrides):
    """The application on a fresh SQLite database in tmp_path (migrated, with the shipped frameworks)."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE": str(tmp_path / "compliance.sqlite"),
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
    }
    config.update(overrides)
    return create_app(config)


@functools.cache
def _demo_database() -> Path:
    """The demo partnership, loaded once per test run into a database of its own (one file, no -wal)."""
    folder = Path(tempfile.mkdtemp(prefix="demo-"))
    app = make_app(folder / "build")
    with app.app_context():
        load_demo(get_db(), now=NOW)
    built = sqlite3.connect(app.config["DATABASE"])
    copy = sqlite3.connect(folder / "demo.sqlite")
    with copy:
        built.backup(copy)
    built.close()
    copy.close()
    return folder / "demo.sqlite"


def demo_app(tmp_path, **overrides):
    """The application on a copy of the demo database: as `flask --app wsgi demo` leaves it, at NOW."""
    shutil.copyfile(_demo_database(), tmp_path / "compliance.sqlite")
    return make_app(tmp_path, **overrides)


@functools.cache
def password_hash(password: str = PASSWORD) -> str:
    """A real scrypt hash of the test password, made once: hashing is slow by design (about 0.1 s)."""
    return hash_password(password)


def add_person(app, email, role="admin", organisation=None, password=PASSWORD, active=True):
    """A person who can sign in (or, with password=None, one invited and not yet signed in)."""
    with app.app_context():
        database = get_db()
        org_id = None
        if organisation:
            org_id = store.upsert_organisation(database, name=organisation, sector="police", now=NOW)
        user_id = store.create_user(database, email=email, name=email.split("@")[0].title(), role=role,
                                    organisation_id=org_id, password_hash=password_hash(password) if password else None,
                                    actor=store.SYSTEM, now=NOW)
        if not active:
            store.update_user(database, user_id, {"active": 0}, actor=store.SYSTEM, now=NOW)
        return user_id


def token_from(client, path):
    """The CSRF token of the form on a page."""
    html = client.get(path).get_data(as_text=True)
    match = (re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
             or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, email, password=PASSWORD, next_path=None):
    """Sign in through the real form; the response to the POST."""
    path = "/sign-in" + (f"?next={next_path}" if next_path else "")
    token = token_from(client, "/sign-in")
    return client.post(path, data={"email": email, "password": password, "csrf_token": token})


def signed_in(app, email, password=DEMO_PASSWORD):
    """A test client signed in as this person (a demo account by default)."""
    client = app.test_client()
    assert sign_in(client, email, password).status_code == 302
    return client


def db_of(app):
    """A connection of the test's own to the app's database."""
    return db.connect(app.config["DATABASE"])
