"""Hostile evidence uploads through the upload page, and what a download of an accepted file looks like.

tests/unit/test_uploads.py proves check_upload's decisions one by one. Here the same kinds of file go through
the real route (multipart parsing, the 1 MB request limit, the form, the store, the evidence folder) with
filenames sent exactly as a browser or a hand-made request sends them, and every accepted file is downloaded
again. A refusal must say how to fix it and store nothing; an acceptance must store one file under its SHA-256
inside the evidence folder, and serve it back only as an attachment with a clean name and nosniff.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.http import parse_options_header

from compliance.core.filetypes import MAX_NAME, clean_filename
from tests.builders import (
    build_world,
    docx,
    fields_of,
    jpeg,
    make_app,
    note_outcome,
    pdf,
    png,
    windows_program,
    xlsx,
    zip_bomb,
    zipped,
)

UPLOAD_SETTINGS = settings(max_examples=40, deadline=None,
                           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
MB = 1024 * 1024


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-uploads")
    return build_world(make_app(root, WTF_CSRF_ENABLED=False, MAX_UPLOAD_MB=1))


def browser_name(name: str) -> bytes:
    """A file name as a browser puts it in multipart/form-data: line breaks and quotes percent-encoded."""
    return name.replace("\n", "%0A").replace("\r", "%0D").replace('"', "%22").encode("utf-8")


def multipart(filename: bytes, data: bytes, fields: dict | None = None) -> tuple[bytes, str]:
    """A request body built by hand, so that the file name arrives byte for byte as given."""
    boundary = f"hostile-{uuid.uuid4().hex}"
    body = bytearray()
    for name, values in {"title": "Minutes", "effective_date": ["1", "4", "2030"], **(fields or {})}.items():
        for value in [values] if isinstance(values, str) else values:
            body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode() + filename
             + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + data + b"\r\n")
    body += f"--{boundary}--\r\n".encode()
    return bytes(body), f"multipart/form-data; boundary={boundary}"


def evidence_files(world) -> set[Path]:
    folder = Path(world.app.config["EVIDENCE_DIR"])
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def files_outside_the_evidence_folder(world) -> set[Path]:
    root = Path(world.app.config["EVIDENCE_DIR"]).parent
    evidence = Path(world.app.config["EVIDENCE_DIR"])
    return {path for path in root.rglob("*") if path.is_file() and evidence not in path.parents
            and not path.name.startswith(("compliance.sqlite", "secret_key"))}


def upload(world, filename: bytes, data: bytes):
    """Post the upload form; on a refusal, check it says so and nothing was stored; return (response, row)."""
    before_rows, before_files = world.count("evidence"), evidence_files(world)
    outside = files_outside_the_evidence_folder(world)
    body, content_type = multipart(filename, data)
    response = world.client("editor").post(world.page("return_a", "/evidence/upload"), data=body,
                                           content_type=content_type)
    assert response.status_code < 500, f"{response.status_code} for {filename[:60]!r}"
    assert files_outside_the_evidence_folder(world) == outside, "an upload wrote a file outside the evidence folder"
    if response.status_code != 302:
        note_outcome(f"refused with {response.status_code}")
        assert response.status_code in (200, 400, 413)
        assert "govuk-error-summary" in response.get_data(as_text=True)
        assert world.count("evidence") == before_rows and evidence_files(world) == before_files
        return response, None
    note_outcome("accepted")
    row = world.one("SELECT * FROM evidence ORDER BY id DESC LIMIT 1")
    assert world.count("evidence") == before_rows + 1
    stored = Path(world.app.config["EVIDENCE_DIR"]) / row["sha256"][:2] / row["sha256"]
    assert stored.read_bytes() == data and row["sha256"] == hashlib.sha256(data).hexdigest()
    assert evidence_files(world) - before_files <= {stored}
    return response, row


def error_message(response) -> str:
    """The file field's error, as the page shows it."""
    found = re.search(r'id="file-error"[^>]*>\s*<span[^>]*>Error:</span>\s*(.*?)\s*</p>',
                      response.get_data(as_text=True), re.S)
    assert found, "the file field has no error message"
    return found.group(1).replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")


def assert_clean_name(name: str) -> None:
    assert name and len(name) <= MAX_NAME
    assert not any(unicodedata.category(c)[0] == "C" for c in name), f"control or format character in {name!r}"
    assert not re.search(r'[<>:"/\\|?*]', name) and not name.startswith((".", " ")) and ".." not in name
    assert clean_filename(name) == name


def download(world, row: dict, data: bytes) -> str:
    """Download an accepted file as its organisation's editor; check the headers; return the name it is saved as."""
    response = world.client("editor").get(f"/evidence/{row['id']}/download")
    assert response.status_code == 200 and response.data == data
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == row["content_type"].split(";")[0]  # charset: tested below
    assert "no-store" in response.headers["Cache-Control"]
    dispositions = response.headers.getlist("Content-Disposition")
    assert len(dispositions) == 1 and not re.search(r"[\x00-\x1f\x7f]", dispositions[0]), dispositions
    kind, options = parse_options_header(dispositions[0])  # as a browser reads it, filename* first
    assert kind == "attachment"
    name = options["filename"]
    assert name == row["filename"]
    assert re.fullmatch(r"[ -~]+", dispositions[0]), "the header must be printable ASCII (non-ASCII in filename*)"
    assert_clean_name(name)
    return name


# --- the corpus -------------------------------------------------------------------------------------------------

def _html_as_pdf() -> bytes:
    return b"<!DOCTYPE html><html><body onload=\"fetch('/evidence')\"><script>alert(document.cookie)</script>"


def _pdf_with_zip() -> bytes:
    return pdf() + zipped({"payload.exe": windows_program()})


def _jpeg_with_zip() -> bytes:
    return jpeg() + zipped({"payload.html": _html_as_pdf()})


def _zip_of_traversing_names() -> bytes:
    return zipped({"../../../../etc/cron.d/evil": "* * * * * root sh", "/etc/passwd": "root::0:0",
                   "..\\..\\windows\\evil.bat": "format c:"})


def _nested_zip() -> bytes:
    return zipped({"inner.zip": zipped({"deeper.zip": zipped({"policy.pdf": pdf()})})})


REFUSED = {
    "a truncated PDF": (lambda: pdf()[:-60], "policy.pdf", "could not be read as a PDF; it may be damaged. Open "
                                                           "and save it again, then upload it"),
    "a PDF named as a Word document": (pdf, "policy.docx", "is a PDF but its name ends .docx: rename it to end "
                                                           ".pdf, or choose the right file"),
    "a zip bomb named as a Word document": (lambda: zip_bomb(16 * MB), "policy.docx",
                                            "too large when unpacked for its size: open and save it again"),
    "a zip of path-traversing names named as a Word document": (_zip_of_traversing_names, "policy.docx",
                                                                 "is a zip file: unzip it and upload the files one "
                                                                 "at a time"),
    "zips inside a zip": (_nested_zip, "bundle.zip", "is a zip file: unzip it and upload the files one at a time"),
    "a PDF with a zip appended": (_pdf_with_zip, "policy.pdf", "contains another file as well as a PDF: open it, "
                                                               "save it again"),
    "a JPEG with a zip appended": (_jpeg_with_zip, "photo.jpg", "contains another file as well as a JPEG image"),
    "a PNG followed by a web page": (lambda: png() + _html_as_pdf(), "chart.png",
                                     "contains another file as well as a PNG image"),
    "a web page named as a PDF": (_html_as_pdf, "policy.pdf", "is a web page (HTML): save it as a PDF, then "
                                                              "upload it"),
    "a Windows program named as a PDF": (windows_program, "policy.pdf", "is a program, not a PDF: choose the "
                                                                        "right file"),
    "a program whose name hides .exe behind a right-to-left override": (
        windows_program, "invoice\u202efdp.exe", "must be a PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, "
                                                  "CSV or text file"),
    "a PDF whose name hides .exe behind a right-to-left override": (
        pdf, "evil\u202efdp.exe", "is a PDF but its name ends .exe: rename it to end .pdf"),
    "an empty file": (lambda: b"", "policy.pdf", "The selected file is empty"),
    "a file just over 1 MB": (lambda: b"%PDF-" + bytes(MB), "policy.pdf", "must be smaller than 1 MB"),
    "text named as a Windows ini file, through a Windows path": (
        lambda: b"[boot]\nshell=evil.exe\n", "..\\..\\windows\\win.ini", "is a text file but its name ends .ini: "
                                                                          "rename it to end .txt or .csv"),
    "an Excel spreadsheet named as text": (xlsx, "figures.txt", "is an Excel spreadsheet but its name ends .txt"),
}


@pytest.mark.parametrize("build, name, message", REFUSED.values(), ids=REFUSED.keys())
def test_a_hostile_file_is_refused_on_the_page_with_how_to_fix_it(world, build, name, message):
    response, row = upload(world, browser_name(name), build())
    assert row is None, f"{name} was accepted"
    assert message in error_message(response)


def test_a_request_over_the_upload_limit_is_answered_on_the_upload_page(world):
    response, row = upload(world, b"policy.pdf", b"%PDF-" + bytes(2 * MB))
    assert row is None and response.status_code == 413
    assert error_message(response) == "The selected file must be smaller than 1 MB"
    assert "Upload a file" in response.get_data(as_text=True) or fields_of(response).values.get("title") is not None


ACCEPTED = {
    "a path to a system file": (lambda: b"root:x:0:0\n", "../../../../etc/passwd.txt", "passwd.txt"),
    "a NUL in the name": (pdf, "report\x00.exe.pdf", "report.exe.pdf"),
    "line breaks in the name (a browser percent-encodes them)": (
        lambda: b"Minutes\n", "minutes\r\nContent-Type: text/html.txt", "html.txt"),  # the last part of a path
    "quotes in the name": (lambda: b"Minutes\n", 'minutes"; filename="evil.exe.txt',
                           "minutes ; filename= evil.exe.txt"),
    "a Windows device name": (pdf, "CON.pdf", "_CON.pdf"),
    "a Windows device name with two extensions": (lambda: b"a,b\n", "com1.tar.csv", "_com1.tar.csv"),
    "a very long name": (pdf, "policy " * 300 + ".pdf", None),
    "a right-to-left mark in a real PDF's name": (pdf, "\u202epolicy.pdf", "policy.pdf"),
    "a Word document whose parts have path-traversing names": (
        lambda: docx(extra_parts={"../../../../tmp/evil.sh": "rm -rf /", "/etc/cron.d/evil": "x"}), "policy.docx",
        "policy.docx"),
    "a Word document holding a zip": (lambda: docx(extra_parts={"word/embeddings/inner.zip": _nested_zip()}),
                                      "policy.docx", "policy.docx"),
    "a PNG named in capitals": (png, "CHART.PNG", "CHART.png"),
}


@pytest.mark.parametrize("build, name, cleaned", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_an_odd_but_harmless_file_is_stored_safely_and_served_only_as_an_attachment(world, build, name, cleaned):
    data = build()
    response, row = upload(world, browser_name(name), data)
    assert row is not None, error_message(response)
    assert row["filename"] == (cleaned or row["filename"])
    served = download(world, row, data)
    assert cleaned or (len(served) == MAX_NAME and served.endswith(".pdf"))
    page = world.client("editor").get(world.page("return_a"))
    assert page.status_code == 200 and not fields_of(page).planted


@pytest.mark.parametrize("filename", [
    b"minutes\r\nContent-Type: text/html\r\n\r\n<script>.txt", b"minutes\x00.txt", b"\xff\xfe\xfd.txt",
    b"", b"\"", b"a" * 5000 + b".txt", b"%00.txt", b"..", b"/", b"\\", "\u202egnp.txt".encode(),
    b"min\\\"utes.txt", b"C:\\fakepath\\minutes.txt",
    b"minutes.txt\"; name=\"title",

])
def test_a_file_name_a_browser_would_never_send_is_refused_or_cleaned(world, filename):
    data = b"Minutes of the meeting\n"
    response, row = upload(world, filename, data)
    if row is not None:
        download(world, row, data)
        assert row["filename"].endswith((".txt", ".csv"))
    else:
        assert "The selected file" in error_message(response) or "Select a file" in error_message(response)


def test_a_text_file_is_downloaded_with_its_own_charset_only(world):
    data = "Caf\u00e9 minutes \u2013 \u00a35\n".encode("cp1252")
    _, row = upload(world, b"notes.txt", data)
    assert row["content_type"] == "text/plain; charset=windows-1252"
    response = world.client("editor").get(f"/evidence/{row['id']}/download")
    assert response.headers["Content-Type"] == "text/plain; charset=windows-1252"


# --- generated --------------------------------------------------------------------------------------------------

any_name = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)


@UPLOAD_SETTINGS
@given(name=st.one_of(any_name, st.builds("{}.{}".format, any_name, st.sampled_from(["txt", "csv", "TXT", "exe",
                                                                                      "txt.exe", "pdf", ""]))))
def test_any_file_name_is_refused_with_a_reason_or_cleaned_and_served_safely(world, name):
    data = f"Minutes {uuid.uuid4()}\n".encode()
    response, row = upload(world, browser_name(name), data)
    if row is None:
        assert error_message(response).startswith(("The selected file", "Select a file"))
    else:
        download(world, row, data)


def _mutated(data: bytes, positions: list[int], values: bytes, cut: int) -> bytes:
    changed = bytearray(data)
    for position, value in zip(positions, values):
        changed[position % len(changed)] = value
    return bytes(changed[:max(1, len(changed) - cut)])


good_files = st.sampled_from([("policy.pdf", pdf), ("chart.png", png), ("photo.jpg", jpeg),
                              ("policy.docx", docx), ("figures.xlsx", xlsx)])


@UPLOAD_SETTINGS
@given(kind=good_files, positions=st.lists(st.integers(min_value=0, max_value=10**6), max_size=6),
       values=st.binary(max_size=6), cut=st.integers(min_value=0, max_value=50), random=st.binary(max_size=2000),
       use_random=st.booleans())
def test_damaged_and_random_bytes_are_refused_with_a_reason_or_accepted_as_what_they_are(world, kind, positions,
                                                                                         values, cut, random,
                                                                                         use_random):
    name, build = kind
    data = random if use_random else _mutated(build(), positions, values, cut)
    response, row = upload(world, name.encode(), data)
    if row is None:
        assert error_message(response).startswith("The selected file")
    else:
        assert row["filename"] == name
        download(world, row, data)


def test_a_file_is_served_only_to_people_who_may_see_its_organisation(world):
    data = b"Minutes for one organisation only\n"
    _, row = upload(world, b"minutes.txt", data)
    assert row is not None
    anonymous = world.app.test_client().get(f"/evidence/{row['id']}/download")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")
    another_organisation = world.client("signatory").get(f"/evidence/{row['id']}/download")
    assert another_organisation.status_code == 404 and another_organisation.data != data
