"""Builders every test module may use: an app on a fresh database (or a copy of the demo, built once per run),
people who can sign in, signed-in clients, form tokens, pages read as a person reads them, small valid files.

Test modules import from here (or take fixtures from conftest.py), never from one another.
"""
from __future__ import annotations

import atexit
import functools
import io
import itertools
import re
import shutil
import sqlite3
import struct
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis.control import currently_in_test_context, event
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.security import generate_password_hash

from compliance import config, create_app, store
from compliance.core.filetypes import MAX_BYTES, Accepted, UploadRejected, check_upload
from compliance.core.frameworks import Framework, Guidance, Level, OverallRule, Requirement, load_all, version_order
from compliance.core.matrix import OrgRow
from compliance.core.returns import ReturnContext, ReturnRow
from compliance.core.statements import build_statement
from compliance.demo import load_demo
from compliance.services import returns as return_service
from compliance.store import db
from compliance.web.requests import get_db

PASSWORD = "lantern-orchard-mosaic"
DEMO_PASSWORD = "demo-partnership-2026"
NOW = datetime.now(timezone.utc)
SECTORS = config.read_sectors(config.DEFAULTS["SECTORS_FILE"])  # the shipped list, read as the app reads it


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


class _CompiledTemplates(BytecodeCache):
    """The templates compiled once per test process and shared by every app the tests make. Each app has a Jinja
    environment of its own, and compiling every template again for each was half of the integration tests' time.
    Jinja checks each template's source against the checksum it was compiled from before using the code."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    @staticmethod
    def _key(bucket: Bucket) -> str:
        """The template, and the options its compiled code depends on (an app made with others gets its own)."""
        env = bucket.environment
        return repr((bucket.key, env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline, env.newline_sequence,
                     env.optimized, sorted(env.extensions), env.block_start_string, env.variable_start_string,
                     env.comment_start_string, env.line_statement_prefix, env.line_comment_prefix))

    def load_bytecode(self, bucket: Bucket) -> None:
        if self._key(bucket) in self._code:
            bucket.bytecode_from_string(self._code[self._key(bucket)])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[self._key(bucket)] = bucket.bytecode_to_string()


_TEMPLATES = _CompiledTemplates()


def make_app(tmp_path, **overrides):
    """The application on a fresh SQLite database in tmp_path (migrated, with the shipped frameworks); its templates
    compiled once for the whole test run."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE": str(tmp_path / "compliance.sqlite"),
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "BASE_URL": "http://localhost",  # where emailed links point (the test client's own address)
    }
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.bytecode_cache = _TEMPLATES
    return app


@functools.cache
def _demo_database() -> Path:
    """The demo partnership, loaded once per test run into a database of its own (one file, no -wal), in a folder
    removed when the run ends. Its people's password is hashed at the tests' cost (see password_hash)."""
    folder = Path(tempfile.mkdtemp(prefix="demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    app = make_app(folder / "build")
    with app.app_context():
        database = get_db()
        load_demo(database, now=NOW, sectors=SECTORS)
        with database.atomic():
            database.execute("UPDATE users SET password_hash = ? WHERE demo = 1 AND password_hash IS NOT NULL",
                             [password_hash(DEMO_PASSWORD)])
    built = sqlite3.connect(app.config["DATABASE"])
    copy = sqlite3.connect(folder / "demo.sqlite")
    with copy:
        built.backup(copy)
    built.close()
    copy.close()
    return folder / "demo.sqlite"


def demo_app(tmp_path, **overrides):
    """The application on a copy of the demo database: as `flask --app wsgi demo` leaves it, at NOW, but for its
    people's password hashes (see password_hash)."""
    shutil.copyfile(_demo_database(), tmp_path / "compliance.sqlite")
    return make_app(tmp_path, **overrides)


# The people tests sign in as have their passwords hashed with a cheaper scrypt than the product's: n = 1,024 checks
# in about 1 ms where the product's n = 32,768 takes about 0.13 s, on purpose, and the suite signs in well over a
# thousand times. Checking a password still runs the product's code on a real scrypt hash; the product's own
# hashing (and its cost) is tested in test_accounts.
TEST_PASSWORD_HASHING = "scrypt:1024:8:1"


@functools.cache
def password_hash(password: str = PASSWORD) -> str:
    """A real scrypt hash of a test password, at the tests' cost, made once."""
    return generate_password_hash(password, method=TEST_PASSWORD_HASHING)


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


# Files, good and bad, built with the standard library ---------------------------------------------------------------

OOXML = "application/vnd.openxmlformats-officedocument."

# --- building real files -------------------------------------------------------------------------------------

def pdf(text: str = "Safeguarding policy") -> bytes:
    """A minimal valid one-page PDF with a cross-reference table, built by hand."""
    stream = f"BT /F1 18 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png() -> bytes:
    """A 1x1 red PNG: signature, IHDR, IDAT, IEND."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + _chunk(b"IEND", b""))


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg() -> bytes:
    """A 1x1 grey baseline JPEG: one Huffman code each for "DC difference 0" and "end of block"."""
    return (b"\xff\xd8" + _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
            + _segment(0xDB, b"\x00" + b"\x01" * 64)                    # quantisation table of ones
            + _segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")  # 8-bit, 1x1, one component
            + _segment(0xC4, b"\x00\x01" + b"\x00" * 15 + b"\x00")      # DC table: code 0 -> size 0
            + _segment(0xC4, b"\x10\x01" + b"\x00" * 15 + b"\x00")      # AC table: code 0 -> end of block
            + _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x3f"     # bits 00, padded with ones
            + b"\xff\xd9")


def zipped(parts: dict[str, bytes | str], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, body) in enumerate(parts.items()):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, body, compress_type=method)
    return buffer.getvalue()


def _content_types(main_part: str, main_type: str, extra: str = "") -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main_part}" ContentType="{main_type}"/>{extra}</Types>')


def _rels(target: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'officeDocument" Target="{target}"/></Relationships>')


def docx(text: str = "Our safeguarding policy", *, main_type: str = OOXML + "wordprocessingml.document.main+xml",
         extra_parts: dict | None = None) -> bytes:
    body = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.'
            f'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
            '</w:body></w:document>')
    return zipped({"[Content_Types].xml": _content_types("word/document.xml", main_type),
                   "_rels/.rels": _rels("word/document.xml"), "word/document.xml": body, **(extra_parts or {})})


def xlsx(rows: int = 3) -> bytes:
    sheet_type = OOXML + "spreadsheetml.worksheet+xml"
    cells = "".join(f'<row r="{n}"><c r="A{n}"><v>{n * 7919 % 10007}</v></c></row>' for n in range(1, rows + 1))
    return zipped({
        "[Content_Types].xml": _content_types("xl/workbook.xml", OOXML + "spreadsheetml.sheet.main+xml",
                                              f'<Override PartName="/xl/worksheets/sheet1.xml" '
                                              f'ContentType="{sheet_type}"/>'),
        "_rels/.rels": _rels("xl/workbook.xml"),
        "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r='
                           '"http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
                           'name="Figures" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": _rels("worksheets/sheet1.xml").replace("officeDocument\"", "worksheet\""),
        "xl/worksheets/sheet1.xml": '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                                    f'main"><sheetData>{cells}</sheetData></worksheet>',
    })


def pptx() -> bytes:
    """The package structure of a presentation (content types, relationships, main part), enough to classify."""
    return zipped({
        "[Content_Types].xml": _content_types("ppt/presentation.xml",
                                              OOXML + "presentationml.presentation.main+xml"),
        "_rels/.rels": _rels("ppt/presentation.xml"),
        "ppt/presentation.xml": '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/'
                                'main"/>',
    })


def opendocument(kind: str, *, extra_parts: dict | None = None) -> bytes:
    """An OpenDocument file: "mimetype" first and stored, then content and manifest."""
    mimetype = f"application/vnd.oasis.opendocument.{kind}"
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                f'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path='
                f'"/" manifest:media-type="{mimetype}"/><manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>')
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
               'opendocument:xmlns:office:1.0" office:version="1.2"><office:body/></office:document-content>')
    return zipped({"mimetype": mimetype, "content.xml": content, "META-INF/manifest.xml": manifest,
                   **(extra_parts or {})}, stored_first=True)


def windows_program() -> bytes:
    """The start of a Windows executable: MZ header pointing at a PE header."""
    header = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 56)
    header[0x3C:0x40] = struct.pack("<I", 0x40)
    return bytes(header) + b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x102) + b"\x00" * 200


def zip_bomb(size: int) -> bytes:
    """A .docx-shaped zip whose document part unpacks to `size` bytes of zeros, written in 1 MB chunks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         _content_types("word/document.xml", OOXML + "wordprocessingml.document.main+xml"))
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = bytes(1024 * 1024)
            for _ in range(size // len(zeros)):
                member.write(zeros)
    return buffer.getvalue()


def legacy_office(stream_name: str) -> bytes:
    """The start of an OLE2 compound file naming one stream, as Office 97-2003 and encrypted Office files do."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + stream_name.encode("utf-16-le") + b"\x00" * 512


def check(data: bytes, name: str, **options) -> Accepted:
    return check_upload(data, name, max_bytes=options.pop("max_bytes", MAX_BYTES), **options)


def refusal(data: bytes, name: str, **options) -> str:
    with pytest.raises(UploadRejected) as raised:
        check(data, name, **options)
    assert str(raised.value) == raised.value.message
    return raised.value.message


# Hostile input: a page read as a browser reads it, and a world with every kind of object a form can change ----------

PROTOCOL_ID = "wdvf-overarching-protocol-2018"
PREVIOUS_NARRATIVE = "Previous narrative: our named lead is in post"
FORM_STATUSES = {200, 400, 409, 413, 422, 429}  # what a form may answer to anything at all: never a 500
MARKER = "hostile-tag-7"  # a made-up element: if it ever appears as markup, something was not escaped


def first_versions(database, framework_id: str | None = None) -> list[str]:
    """The key of the first stored version of each framework (or of the one named): the versions a test world
    asks about. The protocol's version 2 differs only in needing evidence with Met and Partially met; the demo
    uses it, and the tests of that rule say so."""
    first: dict[str, dict] = {}
    for row in store.framework_rows(database):
        if framework_id in (None, row["id"]) and (
                row["id"] not in first or version_order(row["version"]) < version_order(first[row["id"]]["version"])):
            first[row["id"]] = row
    return [row["key"] for row in first.values()]


def one_line(value: str) -> str:
    return " ".join(value.split())

class _Fields(HTMLParser):
    """Values of a page's text inputs and textareas, by name, unescaped; and whether a tag we planted exists."""

    TEXT_TYPES = {"text", "email", "password", "hidden", "search", "tel", "url", "number", None}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self.planted = False
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == MARKER:
            self.planted = True
        if tag == "input" and attributes.get("type") in self.TEXT_TYPES and attributes.get("name"):
            self.values.setdefault(attributes["name"], []).append(attributes.get("value") or "")
        if tag == "textarea" and attributes.get("name"):
            self._textarea = attributes["name"]
            self.values.setdefault(self._textarea, []).append("")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data


def fields_of(response) -> _Fields:
    parser = _Fields()
    parser.feed(response.get_data(as_text=True))
    parser.close()
    return parser


def note_outcome(outcome: str) -> None:
    """Count outcomes for --hypothesis-show-statistics (and do nothing outside a hypothesis test)."""
    if currently_in_test_context():
        event(outcome)


def _no_crlf_in_headers(response) -> None:
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value, f"{name} carries a line break"


def answered(response, *, kept: dict[str, str] | None = None, dates: dict[str, list[str]] | None = None,
             not_echoed: tuple[str, ...] = ()) -> str:
    """"saved" for a redirect; "refused" for a form shown again with an error summary and what was typed."""
    assert response.status_code < 500, f"{response.status_code} for hostile input"
    _no_crlf_in_headers(response)
    if 300 <= response.status_code < 400:
        note_outcome("saved")
        return "saved"
    note_outcome(f"refused with {response.status_code}")
    assert response.status_code in FORM_STATUSES, response.status_code
    page = fields_of(response)
    assert "govuk-error-summary" in response.get_data(as_text=True), "a refused form must say what is wrong"
    assert not page.planted, "typed markup reached the page unescaped"
    for name, value in (kept or {}).items():
        assert value in page.values.get(name, []), f"{name} lost what was typed: {value[:80]!r}"
    for name, parts in (dates or {}).items():
        # A line break cannot be typed into a one-line box; the date macro re-indents one, which is harmless.
        shown = [one_line(part) for part in page.values.get(name, [])]
        assert shown == [one_line(part) for part in [*parts, "", "", ""][:3]], f"{name} lost its day, month or year"
    for name in not_echoed:
        assert set(page.values.get(name, [""])) == {""}, f"{name} was sent back to the browser"
    return "refused"


# --- the world: one application with every kind of object a form can change ------------------------------------

_addresses = itertools.count(1)


def fresh_address() -> str:
    """A client address of its own, so sign-in throttling per address never carries over between examples."""
    number = next(_addresses)
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


@dataclass
class World:
    app: object
    ids: dict
    clients: dict = field(default_factory=dict)

    @contextmanager
    def db(self):
        with self.app.app_context():
            yield get_db()

    def one(self, sql: str, params=()) -> dict | None:
        with self.db() as database:
            cursor = database.execute(sql, list(params))
            found = cursor.fetchone()
            return dict(zip([c[0] for c in cursor.description], found)) if found else None

    def count(self, table: str) -> int:
        return self.one(f"SELECT COUNT(*) AS n FROM {table}")["n"]

    def client(self, who: str):
        if who not in self.clients:
            client = self.app.test_client()
            if who != "anonymous":
                response = client.post("/sign-in", data={"email": f"{who}@hostile.example", "password": PASSWORD})
                assert response.status_code == 302, f"{who} could not sign in"
            self.clients[who] = client
        return self.clients[who]

    def page(self, return_name: str, tail: str = "", requirement: str | None = None) -> str:
        return f"/returns/{self.ids[return_name]}/{PROTOCOL_ID}/{requirement or self.ids['requirement']}{tail}"

    def answer(self) -> dict:
        with self.db() as database:
            return store.answer(database, self.ids["return_a"], self.ids["key"], self.ids["requirement"])


def _fill(database, context, level: str) -> None:
    for framework, requirement in context.requirements():
        store.save_answer(database, context.ret.id, framework.key, requirement.id,
                          {"rating": level, "narrative": "In place and checked", "reason": ""}, revision=0,
                          actor=store.SYSTEM, now=NOW)


def build_world(app) -> World:
    """Organisation A (an editor's return in progress), S (a complete return to sign), D (a submitted return),
    E (an organisation the admin changes); an admin, and a person whose role the admin changes."""
    with app.app_context():
        database = get_db()
        orgs = {code: store.upsert_organisation(database, name=f"Organisation {code}", sector=sector, now=NOW)
                for code, sector in [("A", "police"), ("S", "police"), ("D", "police"), ("E", "health")]}
        people = {}
        for who, role, org in [("admin", "admin", None), ("editor", "editor", "A"), ("signatory", "signatory", "S"),
                               ("signatory-d", "signatory", "D"), ("target", "editor", "A")]:
            people[who] = store.create_user(
                database, email=f"{who}@hostile.example", name=who.title(), role=role,
                organisation_id=orgs[org] if org else None, password_hash=password_hash(),
                actor=store.SYSTEM, now=NOW)
        people["invitee"] = store.create_user(database, email="invitee@hostile.example", name="Invitee",
                                              role="editor", organisation_id=orgs["A"], actor=store.SYSTEM, now=NOW)
        keys = first_versions(database, PROTOCOL_ID)
        cycle_id = store.create_cycle(database, name="2030/31", open_date="2030-04-01", due_date="2099-06-30",
                                      declaration="I confirm.", framework_keys=keys, actor=store.SYSTEM, now=NOW)
        return_service.open_cycle(database, cycle_id, actor=store.SYSTEM, now=NOW)
        returns = {row["organisation_id"]: row["id"] for row in store.returns_for_cycle(database, cycle_id)}
        contexts = {code: return_service.load_return(database, returns[orgs[code]]) for code in "ASD"}
        framework, requirement = contexts["A"].requirements()[0]
        met = next(level.code for level in framework.scale
                   if level.counts_as_met and not (level.needs_action or level.needs_reason))
        _fill(database, contexts["S"], met)
        _fill(database, contexts["D"], met)
        signatory_d = store.user_by_id(database, people["signatory-d"])
        return_service.submit(database, return_service.load_return(database, returns[orgs["D"]]), partnership="WDVF",
                              signatory_name="Signatory D", job_title="Director",
                              actor=store.Actor(signatory_d["id"], signatory_d["email"]), now=NOW)
        query = store.raise_query(database, returns[orgs["D"]], framework.key, requirement.id, version=1,
                                  question="Which policy is this?",
                                  actor=store.Actor(people["admin"], "admin@hostile.example"), now=NOW)
        store.save_answer(database, returns[orgs["A"]], framework.key, requirement.id,
                          {"rating": met, "narrative": PREVIOUS_NARRATIVE, "reason": ""}, revision=0,
                          actor=store.SYSTEM, now=NOW)
        answer_id = store.answer(database, returns[orgs["A"]], framework.key, requirement.id)["id"]
        action_id = store.save_action(database, answer_id, {"what": "Train every manager", "owner": "Safeguarding lead",
                                                            "due_date": "2031-01-31", "status": "in-progress"},
                                      actor=store.SYSTEM, now=NOW)
        evidence_id = store.add_evidence(database, orgs["A"], {
            "kind": "link", "title": "Policy", "url": "https://intranet.example/policy",
            "effective_date": "2030-05-01"}, answer_id=answer_id, actor=store.SYSTEM, now=NOW)
        accreditation_id = store.add_accreditation(database, orgs["E"], {
            "scheme": "daha", "scheme_name": "DAHA accreditation", "awarded_on": "2030-05-01",
            "expires_on": "2033-04-30"}, actor=store.SYSTEM, now=NOW)
        plan_ids = build_plan(database, lead_id=people["editor"], organisation_id=orgs["A"])
    return World(app, {**plan_ids,
        **{f"org_{code}": org for code, org in orgs.items()}, **people, "cycle": cycle_id, "key": framework.key,
        "requirement": requirement.id, "levels": [level.code for level in framework.scale], "met": met,
        "action": action_id, "evidence": evidence_id, "query": query["id"], "accreditation": accreditation_id,
        **{f"return_{code.lower()}": returns[orgs[code]] for code in "ASDE"}})


# The partnership's plan: a strategy with a theme, an action and a measure led by one person, and a risk -------------

def build_plan(database, *, lead_id: int, organisation_id: int | None = None, first_year: int = 2030) -> dict:
    """A current strategy (first_year to first_year + 3) with one theme, an action and a measure (a count, year on
    year) that `lead_id` leads, a figure for the first year, and a risk mitigated by the action: their ids, named as
    the plan's routes name them."""
    from compliance.core.plan import read_measure
    from compliance.services import plan

    strategy_id = plan.create_strategy(database, title="Strategy", first_year=first_year, last_year=first_year + 3,
                                       themes=["Prevention"], current=True, actor=store.SYSTEM, now=NOW)
    held = plan.strategy(database, strategy_id)
    theme_id = held.themes[0].id
    action_id = plan.save_action(database, strategy_id, None, {
        "theme_id": theme_id, "action": "Train every GP practice", "outcome": "More referrals",
        "lead_organisation_id": organisation_id, "lead_partner": None if organisation_id else "Commissioner's office",
        "lead_user_id": lead_id, "partners": "", "resources": "", "due_date": f"{first_year + 1}-03-31",
        "due_period": f"{first_year}/{(first_year + 1) % 100:02d}", "status": "in-progress"},
        actor=store.SYSTEM, now=NOW)
    measure, problems = read_measure(name="Repeat perpetrators", unit="count", direction="reduce",
                                     baseline_period=f"{first_year - 1}/{first_year % 100:02d}", baseline="23",
                                     rule="year-on-year", tolerance="", targets={}, strategy=held.period)
    assert measure is not None, problems
    measure_id = plan.save_measure(database, strategy_id, None, measure, {
        "theme_id": theme_id, "definition": "", "lead_user_id": lead_id, "source": None, "source_framework": None},
        actor=store.SYSTEM, now=NOW)
    risk_id = plan.save_risk(database, strategy_id, None, {
        "description": "Practices do not take part", "cause": "", "consequence": "", "likelihood": 3, "impact": 4,
        "owner_user_id": lead_id, "review_by": None, "raised_from_measure_id": measure_id}, [action_id],
        actor=store.SYSTEM, now=NOW)
    return {"strategy_id": strategy_id, "theme_id": theme_id, "plan_action_id": action_id, "measure_id": measure_id,
            "risk_id": risk_id}


# Who may use each page: the access table the access tests walk, and the hostile-form tests take ---------------------

EVERYONE = {"anonymous", "admin", "board", "auditor", "editor", "signatory", "other_editor"}
SIGNED_IN = EVERYONE - {"anonymous"}
PARTNERSHIP = {"admin", "board", "auditor"}
ADMIN = {"admin"}
EDITOR = {"editor"}
MEMBERS_AND_PARTNERSHIP = PARTNERSHIP | {"editor", "signatory"}

# endpoint -> who may use it. Organisation-scoped routes name who may see organisation A's object:
# anyone else signed in gets 404 (so ids cannot be probed), anonymous visitors go to sign-in.
ACCESS: dict[str, set[str]] = {
    "static": EVERYONE,
    "asset": EVERYONE,
    "pages.start": EVERYONE,
    "pages.accessibility": EVERYONE,
    "pages.privacy": EVERYONE,
    "pages.healthz": EVERYONE,
    "account.sign_in": EVERYONE,
    "account.forgot_password": EVERYONE,
    "account.reset_sent": EVERYONE,
    "account.set_password": EVERYONE,
    "account.reset_password": EVERYONE,
    "account.sign_out": SIGNED_IN,
    "account.home": SIGNED_IN,
    "account.account": SIGNED_IN,
    "account.sign_out_elsewhere": SIGNED_IN,
    "account.keep_alive": SIGNED_IN,
    "admin.organisations": PARTNERSHIP,
    "admin.organisation": PARTNERSHIP | {"editor", "signatory"},
    "accreditations.add": {"admin", "editor"},
    "accreditations.change": {"admin", "editor"},
    "accreditations.remove": {"admin", "editor"},
    "admin.new_organisation": ADMIN,
    "admin.edit_organisation": ADMIN,
    "admin.import_organisations": ADMIN,
    "admin.people": ADMIN,
    "admin.invite": ADMIN,
    "admin.person": ADMIN,
    "admin.person_role": ADMIN,
    "admin.deactivate_person": ADMIN,
    "admin.reactivate_person": ADMIN,
    "admin.resend_invitation": ADMIN,
    "admin.outbox": ADMIN,
    "admin.frameworks": PARTNERSHIP,
    "admin.framework": SIGNED_IN,
    "admin.upload_framework": ADMIN,
    "admin.framework_template": PARTNERSHIP,
    "admin.framework_spreadsheet": SIGNED_IN,
    "admin.framework_file": SIGNED_IN,
    "admin.framework_spreadsheet_help": PARTNERSHIP,
    "admin.upload_framework_spreadsheet": ADMIN,
    "admin.load_framework_spreadsheet": ADMIN,
    "cycles.cycles": PARTNERSHIP,
    "cycles.cycle": PARTNERSHIP,
    "cycles.new_cycle": ADMIN,
    "cycles.open_cycle": ADMIN,
    "cycles.close_cycle": ADMIN,
    "cycles.add_organisations": ADMIN,
    "actions.current": PARTNERSHIP,
    "actions.plan": PARTNERSHIP,
    "actions.plan_csv": PARTNERSHIP,
    "board.matrix": PARTNERSHIP,
    "board.matrix_csv": PARTNERSHIP,
    "board.matrix_xlsx": PARTNERSHIP,
    "board.charts": PARTNERSHIP,
    "board.progress": PARTNERSHIP,
    "board.send_reminders": ADMIN,
    "board.reminder_schedule": ADMIN,
    "boardpack.start": PARTNERSHIP,
    "boardpack.paper": PARTNERSHIP,
    "boardpack.job": PARTNERSHIP,
    "boardpack.download": PARTNERSHIP,
    "audit.trail": {"admin", "auditor"},
    "audit.trail_csv": {"admin", "auditor"},
    "register.evidence": {"admin", "auditor"},
    "register.evidence_csv": {"admin", "auditor"},
    "returns.overview": MEMBERS_AND_PARTNERSHIP,
    "returns.check": MEMBERS_AND_PARTNERSHIP,
    "returns.submitted": MEMBERS_AND_PARTNERSHIP,
    "returns.version": MEMBERS_AND_PARTNERSHIP,
    "returns.download_evidence": MEMBERS_AND_PARTNERSHIP,
    "returns.start_from_last_year": EDITOR,
    "returns.answer": EDITOR,
    "returns.new_action": EDITOR,
    "returns.edit_action": EDITOR,
    "returns.remove_action": EDITOR,
    "returns.upload_evidence": EDITOR,
    "returns.add_link": EDITOR,
    "returns.attach_evidence": EDITOR,
    "returns.unlink_evidence": EDITOR,
    "returns.sign": {"signatory"},
    "returns.amend": ADMIN,
    "returns.accept": ADMIN,
    "returns.signed_json": MEMBERS_AND_PARTNERSHIP,
    "returns.check_statement": SIGNED_IN,
    "returns.changes": MEMBERS_AND_PARTNERSHIP,
    "returns.confirm_carried_forward": EDITOR,
    "returns.ready_to_sign": EDITOR,
    "returns.assign": {"editor", "signatory"},
    "returns.offline": EDITOR,
    "returns.offline_workbook": EDITOR,
    "returns.offline_check": EDITOR,
    "statements.statement": MEMBERS_AND_PARTNERSHIP,
    "statements.version_statement": MEMBERS_AND_PARTNERSHIP,
    "statements.statement_pdf": MEMBERS_AND_PARTNERSHIP,
    "statements.version_statement_pdf": MEMBERS_AND_PARTNERSHIP,
    "verification.verification": {"admin", "auditor"},
    "verification.verify_answer": {"admin", "auditor"},
    "verification.summary": MEMBERS_AND_PARTNERSHIP,
    "verification.summary_pdf": MEMBERS_AND_PARTNERSHIP,
    "queries.raise_query": {"admin", "auditor"},
    "queries.query": MEMBERS_AND_PARTNERSHIP,
    "queries.reply": {"admin", "auditor", "editor", "signatory"},
    "queries.resolve": {"admin", "auditor"},
    "queries.download": MEMBERS_AND_PARTNERSHIP,
    # a shipped framework version's (as here) is public; one the coordinator loaded needs signing in (tested apart)
    "questionnaires.questionnaire": EVERYONE,
    "questionnaires.questionnaire_pdf": EVERYONE,
    # The partnership's plan: the board, auditors and the coordinator read it and download it (CSV, XLSX); the
    # coordinator changes it and loads actions and measures from a workbook; an action's or a measure's lead (here
    # the editor) reads and updates only theirs (see test_access.LEAD_SCOPED).
    "plan.current": PARTNERSHIP,
    "plan.strategies": PARTNERSHIP,
    "plan.strategy": PARTNERSHIP,
    "plan.theme": PARTNERSHIP,
    "plan.risks": PARTNERSHIP,
    "plan.download": PARTNERSHIP,
    "plan.action": PARTNERSHIP | {"editor"},
    "plan.measure": PARTNERSHIP | {"editor"},
    "plan.add_progress": EDITOR,
    "plan.enter_figure": EDITOR,
    "plan.new_strategy": ADMIN,
    "plan.edit_strategy": ADMIN,
    "plan.new_theme": ADMIN,
    "plan.edit_theme": ADMIN,
    "plan.move_theme": ADMIN,
    "plan.remove_theme": ADMIN,
    "plan.new_action": ADMIN,
    "plan.edit_action": ADMIN,
    "plan.new_measure": ADMIN,
    "plan.edit_measure": ADMIN,
    "plan.raise_risk": ADMIN,
    "plan.new_risk": ADMIN,
    "plan.edit_risk": ADMIN,
    "plan.close_risk": ADMIN,
    "plan.risk_bands": ADMIN,
    "plan.import_template": ADMIN,
    "plan.import_plan": ADMIN,
    "plan.import_check": ADMIN,
}


# Frameworks made by hand: levels, requirements, a scale of four and one of yes or no --------------------------------

def level(code, label, colour, score, *, met=False):
    return Level(code, label, f"{label}.", colour, score, met, colour in ("amber", "red"), colour == "grey")


def requirement(rid, *, sectors=(), mandatory=True):
    guidance = Guidance("", "")
    return Requirement(rid, rid, f"Title {rid}", f"Text {rid}.", guidance, sectors=sectors,
                       mandatory=mandatory)


def framework(fid, scale, requirements, rule):
    return Framework(
        id=fid, version="1", title=fid, short_title=fid, published=date(2018, 6, 1), source="tests",
        status="published", notice="", scale=tuple(scale), requirements=tuple(requirements), overall=rule,
    )


NA = level("n-a", "Not applicable", "grey", None)
FOUR_LEVELS = (
    level("met", "Met", "green", 3, met=True),
    level("partially-met", "Partially met", "amber", 2),
    level("not-met", "Not met", "red", 1),
    NA,
)
YES_NO = (level("yes", "Yes", "green", 1, met=True), level("no", "No", "red", 0))


# A partnership matrix on a hand-computed fixture: 4 organisations x 3 requirements, an N/A, a missing return --------

FW = framework("proto", FOUR_LEVELS, [requirement("r1"), requirement("r2"), requirement("r3")],
               OverallRule("worst-rating-wins"))
OTHER = framework("other", FOUR_LEVELS, [requirement("x1"), requirement("x2", sectors=("police",))],
                  OverallRule("percentage-met"))
K = FW.key


def ratings(**codes):
    return {(K, rid): code for rid, code in codes.items()}


ROWS = [
    OrgRow(1, "Alpha Police", "police", 11, "accepted", ratings(r1="met", r2="partially-met", r3="n-a"), 1),
    OrgRow(2, "Bravo Police", "police", 12, "submitted", ratings(r1="met", r2="met", r3="not-met"), 2),
    OrgRow(3, "Charlie Health", "health", 13, "submitted", ratings(r1="not-met", r2="n-a", r3="met"), 1),
    OrgRow(4, "Delta Health", "health", 14, "in-progress", None),
]
# Last year, against version 0 of the same framework: trends follow the framework id and requirement id.
OLD = "proto@0"
PREVIOUS = {
    1: {(OLD, "r1"): "partially-met", (OLD, "r2"): "partially-met"},
    2: {(OLD, "r1"): "met", (OLD, "r3"): "met"},
    4: {(OLD, "r1"): "met"},
}


# A signed statement, from a hand-made canonical document ------------------------------------------------------------

HOSTILE = "<b>bold?</b> & <unclosed"
SHA = "ab12" * 16


def numbered_framework(fid, scale, count, rule, *, prefix):
    requirements = [Requirement(f"{prefix}{i:02}", str(i), f"Requirement {i} of {fid}", "Text.", Guidance("", ""))
                    for i in range(1, count + 1)]
    return Framework(id=fid, version="1", title=f"The {fid} framework", short_title=fid, published=date(2018, 6, 1),
                     source="tests", status="published", notice="", scale=tuple(scale),
                     requirements=tuple(requirements), overall=rule)


STATEMENT_PROTOCOL = numbered_framework("protocol", (level("met", "Met", "green", 3, met=True),
                                                    level("partially-met", "Partially met", "amber", 2),
                                                    level("not-met", "Not met", "red", 1),
                                                    level("n-a", "Not applicable", "grey", None)),
                                        4, OverallRule("worst-rating-wins"), prefix="p")
STATEMENT_BVPI = numbered_framework("bvpi", (level("yes", "Yes", "green", 1, met=True), level("no", "No", "red", 0)),
                                    11, OverallRule("percentage-met", decimals=1), prefix="q")
FRAMEWORKS = {STATEMENT_PROTOCOL.key: STATEMENT_PROTOCOL, STATEMENT_BVPI.key: STATEMENT_BVPI}


def answer(fw, index, code, *, narrative="As typed.", reason="", evidence=(), actions=()):
    requirement = fw.requirements[index]
    return {"framework": fw.key, "requirement": requirement.id, "ref": requirement.ref, "title": requirement.title,
            "rating": code, "rating_label": fw.level(code).label if code else None, "narrative": narrative,
            "reason": reason, "evidence": list(evidence), "actions": list(actions)}


def document(*, protocol=("met", "partially-met", "met", "n-a"), bvpi=("yes",) * 6 + ("no",) * 5, narrative=HOSTILE):
    """A canonical document as return_service.signed_document makes it."""
    evidence = {"kind": "file", "title": "Policy & annex <2030>", "url": None, "filename": "policy.pdf",
                "sha256": "cd34" * 16, "effective_date": "2025-04-01", "valid_until": "2027-03-31"}
    action = {"what": "Train the new starters", "owner": "Zoë Ünal", "due_date": "2026-01-31", "status": "in-progress"}
    answers = [answer(STATEMENT_PROTOCOL, i, code, narrative=narrative if i == 0 else "Done — “fully”, cost £20.",
                      reason="Łukasz says we have no such service" if code == "n-a" else "",
                      evidence=[evidence] if i == 0 else [], actions=[action] if code == "partially-met" else [])
               for i, code in enumerate(protocol)]
    answers += [answer(STATEMENT_BVPI, i, code) for i, code in enumerate(bvpi)]
    return {"partnership": "Wolverhampton Domestic Violence Forum", "cycle": "2025/26",
            "organisation": "Haven Lane Women's Aid", "return": 7, "version": 2, "sector": "voluntary",
            "frameworks": [{"key": STATEMENT_PROTOCOL.key, "title": STATEMENT_PROTOCOL.title, "status": "published"},
                           {"key": STATEMENT_BVPI.key, "title": STATEMENT_BVPI.title, "status": "published"}],
            "answers": answers,
            "attestation": {"name": "Łukasz Zoë Ünal", "job_title": "Chief executive",
                            "declaration": "I confirm this is true.", "submitted_at": "2026-03-05T14:07:00+00:00",
                            "submitted_by": "signatory@example.org"}}


def signed(doc=None):
    return build_statement(doc or document(), FRAMEWORKS, submitted=True, sha256=SHA, version=2)


# The partnership's plan (issue 13) ------------------------------------------------------------------------------

PLAN_TODAY = date(2026, 12, 5)  # the demo plan is written for 2026/27; on this day Q2's figures are the latest
# User text a page, a PDF and a spreadsheet must all show as typed: markup, a formula and an ampersand.
PLAN_HOSTILE = '=cmd|" /C calc"!A0 <script>alert("plan")</script> & Sons <hostile-tag-7>'


def plan_values(*, hostile: bool = True, today: date = PLAN_TODAY):
    """The demo partnership's plan as values (compliance/demo/plan.toml), with one action, its update, one measure
    and one risk carrying hostile text when asked."""
    from dataclasses import replace

    from compliance.core.plan import ActionUpdate
    from compliance.demo.plan import demo_plan

    values = demo_plan(today)
    if not hostile:
        return values
    first = values.actions[0]
    action = replace(first, action=PLAN_HOSTILE, lead_person="Zoë <i>Ünal</i> & co",
                     updates=(*first.updates, ActionUpdate("2026-11-30T09:00:00+00:00", "=SUM(A1)", PLAN_HOSTILE,
                                                           "red")))
    measure = values.measures[0]
    measure = replace(measure, definition=PLAN_HOSTILE,
                      measure=replace(measure.measure, name="Staff trained <b>&</b> =ready"))
    risk = replace(values.risks[0], description=PLAN_HOSTILE, owner="@owner")
    return replace(values, actions=(action, *values.actions[1:]), measures=(measure, *values.measures[1:]),
                   risks=(risk, *values.risks[1:]))


# Two fixture frameworks that map to each other (tests/fixtures/frameworks/mapped-*.toml) --------------------------

MAPPED_FILES = tuple(Path(__file__).parent / "fixtures" / "frameworks" / name
                     for name in ("mapped-protocol.toml", "mapped-standards.toml"))
MAPPED_PROTOCOL, MAPPED_STANDARDS = "mapped-protocol", "mapped-standards"


def mapped_frameworks() -> tuple[Framework, Framework]:
    """The fixture protocol and standards, parsed as the app parses them: standards' Leadership is the same as the
    protocol's Named lead, its Induction training part of the protocol's Training, the protocol's Policy related
    to its Policies."""
    result = load_all(MAPPED_FILES, sectors=SECTORS)
    assert result.errors == ()
    protocol, standards = result.frameworks
    return protocol, standards


def mapped_context(frameworks, answers=None, *, actions=None, evidence=None, sector="police",
                   status="in-progress") -> ReturnContext:
    """A return's context over these frameworks, in this order, with answers keyed by (framework key,
    requirement id)."""
    row = ReturnRow(id=1, cycle_id=1, organisation_id=1, sector=sector, status=status, version=1,
                    started_from_previous=0, updated_at="2030-05-01T09:00:00+00:00",
                    organisation_name="Wrenfield Police", cycle_name="2030/31", cycle_status="open",
                    open_date="2030-04-01", due_date="2030-06-30", declaration="I confirm.")
    return ReturnContext(row, tuple(frameworks), dict(answers or {}), dict(actions or {}), dict(evidence or {}))


def mapped_app(tmp_path, **overrides):
    """The application with the two mapped fixture frameworks as its only framework files."""
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    for path in MAPPED_FILES:
        shutil.copyfile(path, folder / path.name)
    return make_app(tmp_path, QUESTIONNAIRES=str(folder), **overrides)


def mapped_world(app, *, order=(MAPPED_PROTOCOL, MAPPED_STANDARDS), sector="police") -> dict:
    """An open cycle asking both fixture frameworks in this order of one organisation, with its editor and
    signatory, the coordinator and a board member (each signs in with PASSWORD): their ids, by name."""
    with app.app_context():
        database = get_db()
        organisation = store.upsert_organisation(database, name="Wrenfield Police", sector=sector, now=NOW)
        people = {role: store.create_user(database, email=f"{role}@mapped.example", name=f"Pat {role.title()}",
                                          role=role, organisation_id=organisation if role in ("editor", "signatory")
                                          else None, password_hash=password_hash(), actor=store.SYSTEM, now=NOW)
                  for role in ("editor", "signatory", "admin", "board")}
        keys = {row["id"]: row["key"] for row in store.framework_rows(database)}
        cycle = store.create_cycle(database, name="2030/31", open_date="2030-04-01", due_date="2099-06-30",
                                   declaration="I confirm.", framework_keys=[keys[fid] for fid in order],
                                   actor=store.SYSTEM, now=NOW)
        return_service.open_cycle(database, cycle, actor=store.SYSTEM, now=NOW)
        [ret] = store.returns_for_cycle(database, cycle)
    return {"organisation": organisation, "cycle": cycle, "return": ret["id"], "keys": keys, **people}
