"""Uploads: real files built here with the standard library, good and bad, checked by content and stored by SHA-256.

The hand-built PNG and JPEG were decoded once in Chromium (1x1 red, 1x1 mid-grey); the PDF is read by poppler
in a test below.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import struct
import subprocess
import warnings
import zipfile

import pytest

from compliance.core import filetypes as uploads
from compliance.core.filetypes import ACCEPTED_KINDS, MAX_BYTES, Accepted, clean_filename
from compliance.store import files
from compliance.store.files import TamperedFile, evidence_path, read_verified, store_file
from tests.builders import (
    OOXML,
    _content_types,
    check,
    docx,
    jpeg,
    legacy_office,
    opendocument,
    pdf,
    png,
    pptx,
    refusal,
    windows_program,
    xlsx,
    zip_bomb,
    zipped,
)

NOT_ACCEPTED = "The selected file must be a PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, CSV or text file"


# --- good files ----------------------------------------------------------------------------------------------

def test_the_hand_built_pdf_is_a_real_pdf_that_poppler_reads(tmp_path):
    path = tmp_path / "policy.pdf"
    path.write_bytes(pdf("Safeguarding policy"))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M) and not info.stderr  # no syntax warnings either
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    assert text.stdout.strip() == "Safeguarding policy"


@pytest.mark.parametrize("build, name, kind, content_type", [
    (pdf, "policy.pdf", "PDF", "application/pdf"),
    (docx, "policy.docx", "Word document", OOXML + "wordprocessingml.document"),
    (xlsx, "figures.xlsx", "Excel spreadsheet", OOXML + "spreadsheetml.sheet"),
    (pptx, "training.pptx", "PowerPoint presentation", OOXML + "presentationml.presentation"),
    (lambda: opendocument("text"), "policy.odt", "OpenDocument text", "application/vnd.oasis.opendocument.text"),
    (lambda: opendocument("spreadsheet"), "figures.ods", "OpenDocument spreadsheet",
     "application/vnd.oasis.opendocument.spreadsheet"),
    (lambda: opendocument("presentation"), "training.odp", "OpenDocument presentation",
     "application/vnd.oasis.opendocument.presentation"),
    (png, "poster.png", "PNG image", "image/png"),
    (jpeg, "poster.jpg", "JPEG image", "image/jpeg"),
    (jpeg, "poster.jpeg", "JPEG image", "image/jpeg"),
])
def test_each_accepted_kind_is_recognised_by_its_content(build, name, kind, content_type):
    data = build()
    assert check(data, name) == Accepted(name, content_type, kind, len(data), hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize("data, name, kind, content_type", [
    ("\ufeffArea,Referrals\r\nNorth,12\r\n".encode("utf-8"), "figures.csv", "CSV file", "text/csv; charset=utf-8"),
    ("Area,Cost\nTraining,£250\n".encode("cp1252"), "costs.csv", "CSV file", "text/csv; charset=windows-1252"),
    ("Minutes\tŁódź – Wrexham – Ynys Môn\n".encode("utf-8"), "minutes.txt", "Text file",
     "text/plain; charset=utf-8"),
    (b"Plain ASCII notes\n", "notes.txt", "Text file", "text/plain; charset=utf-8"),
])
def test_csv_and_text_in_utf_8_with_or_without_bom_or_windows_1252(data, name, kind, content_type):
    assert check(data, name) == Accepted(name, content_type, kind, len(data), hashlib.sha256(data).hexdigest())


def test_the_name_is_cleaned_and_the_extension_lower_cased():
    assert check(pdf(), "C:\\Users\\sam\\Łódź policy – 2025.PDF").filename == "Łódź policy – 2025.pdf"


def test_a_file_of_exactly_the_limit_is_accepted_and_one_byte_more_is_not():
    data = pdf()
    assert check(data, "policy.pdf", max_bytes=len(data)).size == len(data)
    assert refusal(data, "policy.pdf", max_bytes=len(data) - 1) == \
        f"The selected file must be smaller than {len(data) - 1} bytes"


def test_an_ordinary_spreadsheet_of_many_rows_is_not_mistaken_for_a_zip_bomb():
    data = xlsx(rows=40_000)
    assert len(data) > 100_000 and check(data, "figures.xlsx").kind == "Excel spreadsheet"


def test_accepted_kinds_make_the_hint_text():
    assert ", ".join(ACCEPTED_KINDS) == "PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, CSV, text"
    assert uploads.NOT_ACCEPTED == NOT_ACCEPTED
    assert uploads.ACCEPT == ".pdf,.docx,.xlsx,.pptx,.odt,.ods,.odp,.png,.jpg,.jpeg,.csv,.txt"


# --- bad files: each refused with a message that says how to fix it -------------------------------------------

def _with_zip_appended(data: bytes) -> bytes:
    return data + zipped({"payload.txt": "hidden"})


def _first_part_holding_a_pdf() -> bytes:
    return zipped({"a.bin": pdf(), "[Content_Types].xml": _content_types(
        "word/document.xml", OOXML + "wordprocessingml.document.main+xml"), "word/document.xml": "<w:document/>"},
        stored_first=True)


def _with_a_corrupt_part(data: bytes) -> bytes:
    position = data.index(b"word/document.xml") + len("word/document.xml") + 5  # inside its compressed data
    return data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1:]


def _understating_its_size(data: bytes) -> bytes:
    """The central directory says the document part unpacks to 10 bytes; it does not."""
    entry = data.rindex(b"PK\x01\x02", 0, data.index(b"PK\x05\x06"))
    return data[:entry + 24] + struct.pack("<I", 10) + data[entry + 28:]


def _duplicate_part() -> bytes:
    """Two parts of one name: which one a reader takes depends on the reader."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")
        archive.writestr("[Content_Types].xml",
                         _content_types("word/document.xml", OOXML + "wordprocessingml.document.main+xml"))
        archive.writestr("word/document.xml", "<w:document>harmless</w:document>")
        archive.writestr("word/document.xml", "<w:document>something else</w:document>")
    return buffer.getvalue()


def _many_parts(count: int) -> bytes:
    return zipped({"[Content_Types].xml": _content_types("word/document.xml", OOXML + "wordprocessingml."
                                                         "document.main+xml"),
                   **{f"word/part{n}.xml": "" for n in range(count)}})


def _encrypted_flag(data: bytes) -> bytes:
    entry = data.index(b"PK\x01\x02")
    return data[:entry + 8] + bytes([data[entry + 8] | 1]) + data[entry + 9:]


DAMAGED_WORD = ("The selected file could not be read as a Word document; it may be damaged. Open and save it "
                "again, then upload it")
MACROS = "The selected file contains macros: save it without macros, as {}, then upload it"

BAD = {
    "a renamed Windows program": (windows_program, "policy.pdf",
                                  "The selected file is a program, not a PDF: choose the right file"),
    "a Linux program named as a Word document": (
        lambda: b"\x7fELF\x02\x01\x01\x00" + bytes(120), "report.docx",
        "The selected file is a program, not a Word document: choose the right file"),
    "a program with a program's name": (windows_program, "setup.exe", NOT_ACCEPTED),
    "a program that also holds a PDF": (lambda: windows_program() + pdf(), "policy.pdf",
                                        "The selected file is a program, not a PDF: choose the right file"),
    "a bidi-disguised name": (windows_program, "invoice\u202efdp.exe", NOT_ACCEPTED),
    "an empty file": (lambda: b"", "policy.pdf", "The selected file is empty"),
    "a path to a system file": (
        lambda: b"root:x:0:0:root:/root:/bin/bash\n", "../../etc/passwd",
        "The selected file is a text file but its name has no extension: rename it to end .txt or .csv, "
        "or choose the right file"),
    "a truncated PDF": (lambda: pdf()[:-60], "policy.pdf",
                        "The selected file could not be read as a PDF; it may be damaged. Open and save it again, "
                        "then upload it"),
    "a PDF with a zip appended": (lambda: _with_zip_appended(pdf()), "policy.pdf",
                                  "The selected file contains another file as well as a PDF: open it, save it "
                                  "again, then upload it"),
    "a PNG with a zip appended": (lambda: _with_zip_appended(png()), "poster.png",
                                  "The selected file contains another file as well as a PNG image: open it, save "
                                  "it again, then upload it"),
    "a JPEG with a zip appended": (lambda: _with_zip_appended(jpeg()), "poster.jpg",
                                   "The selected file contains another file as well as a JPEG image: open it, "
                                   "save it again, then upload it"),
    "a PNG with bytes after its end": (lambda: png() + b"<script>alert(1)</script>", "poster.png",
                                       "The selected file contains another file as well as a PNG image: open it, "
                                       "save it again, then upload it"),
    "a Word document a PDF reader would open": (_first_part_holding_a_pdf, "policy.docx",
                                                "The selected file contains another file as well as a Word "
                                                "document: open it, save it again, then upload it"),
    "a PNG with a bad checksum": (lambda: png()[:-5] + b"X" + png()[-4:], "poster.png",
                                  "The selected file could not be read as a PNG image; it may be damaged. Open "
                                  "and save it again, then upload it"),
    "a truncated JPEG": (lambda: jpeg()[:-2], "poster.jpg",
                         "The selected file could not be read as a JPEG image; it may be damaged. Open and save "
                         "it again, then upload it"),
    "a truncated Word document": (lambda: docx()[:200], "policy.docx", DAMAGED_WORD),
    "a Word document with a corrupt part": (lambda: _with_a_corrupt_part(docx("x" * 5000)), "policy.docx",
                                            DAMAGED_WORD),
    "a zip that understates its unpacked size": (lambda: _understating_its_size(docx("y" * 5000)), "policy.docx",
                                                 DAMAGED_WORD),
    "a Word document with two parts of one name": (_duplicate_part, "policy.docx", DAMAGED_WORD),
    "a Word document of too many parts": (lambda: _many_parts(10_001), "policy.docx",
                                          "The selected file has too many parts to check: split it into smaller "
                                          "files, then upload it"),
    "a password-protected zip": (lambda: _encrypted_flag(docx()), "policy.docx",
                                 "The selected file is password protected: remove the password, save it, then "
                                 "upload it"),
    "a Word document with a macro project": (
        lambda: docx(extra_parts={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "policy.docx",
        MACROS.format(".docx, .xlsx or .pptx")),
    "a macro-enabled Word document": (
        lambda: docx(main_type="application/vnd.ms-word.document.macroEnabled.main+xml"), "policy.docm",
        MACROS.format(".docx, .xlsx or .pptx")),
    "an OpenDocument text with Basic macros": (
        lambda: opendocument("text", extra_parts={"Basic/Standard/Module1.xml": "<script:module/>"}),
        "policy.odt", MACROS.format(".odt")),
    "an ordinary zip": (lambda: zipped({"a.pdf": pdf(), "b.pdf": pdf("Other")}), "evidence.zip",
                        "The selected file is a zip file: unzip it and upload the files one at a time"),
    "an older Word document": (lambda: legacy_office("WordDocument"), "policy.doc",
                               "The selected file is an older Word document (97-2003): open it, save it as a "
                               ".docx file, then upload it"),
    "an older Excel spreadsheet": (lambda: legacy_office("Workbook"), "figures.xls",
                                   "The selected file is an older Excel spreadsheet (97-2003): open it, save it as "
                                   "a .xlsx file, then upload it"),
    "a password-protected Word document": (lambda: legacy_office("EncryptedPackage"), "policy.docx",
                                           "The selected file is password protected: remove the password, save "
                                           "it, then upload it"),
    "a web page named as text": (lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>", "notes.txt",
                                 "The selected file is a web page (HTML): save it as a PDF, then upload it"),
    "a web page behind a comment": (lambda: b"\xef\xbb\xbf\n<!-- saved -->\n<body onload=x()>", "notes.txt",
                                    "The selected file is a web page (HTML): save it as a PDF, then upload it"),
    "an SVG named as a PNG": (
        lambda: b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image.png", "The selected file is an SVG image: save it as a PNG or JPEG, then upload it"),
    "text with a NUL byte": (lambda: b"Minutes\x00of the meeting\n", "notes.txt",
                             "The selected file could not be read as a text file: save it as UTF-8 text, then "
                             "upload it"),
    "text with an escape character": (lambda: b"Minutes \x1b[31m red\n", "figures.csv",
                                      "The selected file could not be read as a CSV file: save it as UTF-8 text, "
                                      "then upload it"),
    "text in UTF-16": (lambda: "\ufeffMinutes".encode("utf-16-le"), "notes.txt",
                       "The selected file could not be read as a text file: save it as UTF-8 text, then upload it"),
    "a JPEG named as a PNG": (jpeg, "poster.png",
                              "The selected file is a JPEG image but its name ends .png: rename it to end .jpg or "
                              ".jpeg, or choose the right file"),
    "a PDF named as a Word document": (pdf, "policy.docx",
                                       "The selected file is a PDF but its name ends .docx: rename it to end .pdf, "
                                       "or choose the right file"),
    "a script named as a PDF": (lambda: b"#!/bin/sh\nrm -rf ~\n", "policy.pdf",
                                "The selected file is a text file but its name ends .pdf: rename it to end .txt "
                                "or .csv, or choose the right file"),
    "an Excel spreadsheet named as text": (xlsx, "figures.txt",
                                           "The selected file is an Excel spreadsheet but its name ends .txt: "
                                           "rename it to end .xlsx, or choose the right file"),
    "unknown bytes named as a PDF": (lambda: bytes(range(256)) * 4, "policy.pdf",
                                     "The selected file could not be read as a PDF; it may be damaged. Open and "
                                     "save it again, then upload it"),
    "unknown bytes with an unknown name": (lambda: bytes(range(256)) * 4, "data.bin", NOT_ACCEPTED),
    "a GIF": (lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "poster.gif",
              "The selected file is a GIF image: save it as a PNG or JPEG, then upload it"),
    "an RTF document": (lambda: b"{\\rtf1\\ansi Policy}", "policy.doc",
                        "The selected file is a Rich Text (RTF) file: save it as a PDF or Word document, then "
                        "upload it"),
}


@pytest.mark.parametrize("build, name, message", BAD.values(), ids=BAD.keys())
def test_a_bad_upload_is_refused_with_a_message_that_says_how_to_fix_it(build, name, message):
    assert refusal(build(), name) == message


def test_a_file_over_the_default_limit_is_refused_before_it_is_read():
    assert refusal(b"%PDF-" + bytes(MAX_BYTES), "policy.pdf") == "The selected file must be smaller than 20 MB"


def test_a_zip_bomb_named_as_a_word_document_is_refused_without_unpacking_it():
    bomb = zip_bomb(300 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    assert refusal(bomb, "policy.docx") == ("The selected file is too large when unpacked: it must unpack to "
                                            "less than 200 MB. Split it into smaller files, then upload it")


def test_a_small_zip_bomb_is_refused_by_its_compression_ratio_and_the_limits_are_options():
    bomb = zip_bomb(8 * 1024 * 1024)
    assert refusal(bomb, "policy.docx") == ("The selected file is too large when unpacked for its size: open and "
                                            "save it again, then upload it")
    assert refusal(bomb, "policy.docx", max_unpacked=4 * 1024 * 1024).endswith(
        "it must unpack to less than 4 MB. Split it into smaller files, then upload it")
    assert check(bomb, "policy.docx", max_ratio=10_000).kind == "Word document"


# --- names ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, cleaned", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\system.ini", "system.ini"),
    ("Łódź policy – 2025.pdf", "Łódź policy – 2025.pdf"),
    ("Cafe\u0301 notes.txt", "Café notes.txt"),                # decomposed accents composed (macOS names)
    ("  ..hidden   policy\t\n2025 .PDF  ", "hidden policy 2025.pdf"),
    ('Minutes: "March" <draft> | v2?*.docx', "Minutes March draft v2.docx"),
    ("report\x00\x1b\x7f.pdf", "report.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),                 # a right-to-left override cannot hide .exe
    ("policy.pdf.", "policy.pdf"),
    ("policy..pdf", "policy.pdf"),
    (".pdf", "evidence.pdf"),
    ("", "evidence"),
    ("../", "evidence"),
    ("Report v1.2 final", "Report v1.2 final"),
    ("CON.txt", "_CON.txt"),
    ("nul", "_nul"),
    ("com1.tar.csv", "_com1.tar.csv"),
    ("console.txt", "console.txt"),
])
def test_clean_filename(name, cleaned):
    assert clean_filename(name) == cleaned


def test_a_long_name_is_cut_to_150_characters_keeping_its_extension():
    cleaned = clean_filename("Ł" * 300 + ".xlsx")
    assert len(cleaned) == 150 and cleaned.endswith("Ł.xlsx")
    assert len(clean_filename("a" * 300)) == 150


# --- storing -------------------------------------------------------------------------------------------------

def _files(folder) -> list:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_a_file_is_stored_once_under_its_sha256_privately_with_nothing_left_behind(tmp_path):
    folder, data = tmp_path / "evidence", pdf()
    sha = hashlib.sha256(data).hexdigest()
    path = store_file(folder, data, sha)
    assert path == evidence_path(folder, sha) == folder / sha[:2] / sha
    assert path.read_bytes() == data and _files(folder) == [path]
    assert stat.S_IMODE(folder.stat().st_mode) == stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.stat()
    assert store_file(str(folder), data, sha) == path
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert _files(folder) == [path]


def test_a_partly_written_file_from_before_is_replaced(tmp_path):
    data = png()
    sha = hashlib.sha256(data).hexdigest()
    evidence_path(tmp_path, sha).parent.mkdir()
    evidence_path(tmp_path, sha).write_bytes(data[:10])
    assert store_file(tmp_path, data, sha).read_bytes() == data


def test_a_failure_while_moving_into_place_leaves_nothing_behind(tmp_path, monkeypatch):
    def power_cut(source, destination):
        raise OSError("disk full")
    monkeypatch.setattr(files.os, "replace", power_cut)
    data = pdf()
    with pytest.raises(OSError, match="disk full"):
        store_file(tmp_path, data, hashlib.sha256(data).hexdigest())
    assert _files(tmp_path) == []


@pytest.mark.parametrize("sha", ["../../etc/passwd", "A" * 64, "a" * 63, ""])
def test_only_a_lower_case_hex_sha256_names_a_stored_file(tmp_path, sha):
    with pytest.raises(ValueError, match="not a SHA-256"):
        evidence_path(tmp_path, sha)


def test_bytes_are_not_stored_under_another_files_sha256(tmp_path):
    with pytest.raises(ValueError, match="SHA-256 is not"):
        store_file(tmp_path, b"one", hashlib.sha256(b"two").hexdigest())
    assert _files(tmp_path) == []


def test_read_verified_returns_the_bytes_and_notices_a_changed_byte_or_a_missing_file(tmp_path):
    data = pdf()
    sha = hashlib.sha256(data).hexdigest()
    path = store_file(tmp_path, data, sha)
    assert read_verified(tmp_path, sha) == data
    os.chmod(path, 0o600)
    path.write_bytes(data[:100] + b"X" + data[101:])
    with pytest.raises(TamperedFile):
        read_verified(tmp_path, sha)
    with pytest.raises(FileNotFoundError):
        read_verified(tmp_path, hashlib.sha256(b"never stored").hexdigest())


def test_a_real_upload_end_to_end_check_store_read(tmp_path):
    data = docx()
    accepted = check(data, "Policy.docx")
    path = store_file(tmp_path, data, accepted.sha256)
    assert read_verified(tmp_path, accepted.sha256) == path.read_bytes()


def test_a_zip_claiming_a_version_python_cannot_read_is_refused_as_damaged_not_a_crash():
    """Found by the hostile-upload property test: zipfile raises NotImplementedError for "zip file version 6.4"."""
    data = bytearray(docx())
    end = data.rfind(b"PK\x01\x02")  # the last central directory entry: say it needs version 6.4 to extract
    data[end + 6:end + 8] = struct.pack("<H", 64)
    assert "damaged" in refusal(bytes(data), "policy.docx")
