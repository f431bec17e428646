"""Evidence uploads: decide from its content whether a file is acceptable.

Pure: standard library only; imports no Flask, touches no database and writes no file (see store/files.py).

Decisions a reader needs:
- The type is decided by the leading bytes, never the name; the cleaned name must then end with that type's
  extension, or the file is refused with a message saying how to rename it. Nothing is renamed silently.
- Office 97-2003 files (.doc, .xls, .ppt) are refused, asking for the current format: we cannot look inside
  them for macros without a full parser. Office files with macros are refused too.
- Text (.txt, .csv) is UTF-8 (byte order mark or not) or Windows-1252, with no control characters but tab, CR
  and LF; text a browser would sniff as a web page or SVG is refused, whatever its name.
- A file that is two formats at once (a PDF or image that a zip reader also opens, an image or Office file
  that a PDF reader opens, bytes after a PNG's end) is refused.
"""
from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from compliance.core.text import MB, file_size

MAX_BYTES = 20 * MB  # the default; the limit is configurable, see check_upload's max_bytes
MAX_UNPACKED = 200 * MB  # an Office or OpenDocument file may unpack to at most this
MAX_RATIO = 100  # ... and no part over RATIO_FLOOR may unpack to more than this many times its packed size
RATIO_FLOOR = 1 * MB
MAX_PARTS = 10_000
MAX_NAME = 150
ACCEPTED_KINDS = ("PDF", "Word", "Excel", "PowerPoint", "OpenDocument", "PNG", "JPEG", "CSV", "text")
NOT_ACCEPTED = f"The selected file must be a {', '.join(ACCEPTED_KINDS[:-1])} or {ACCEPTED_KINDS[-1]} file"
# bandit B105: a message about password-protected files, not a password
_PASSWORD = "The selected file is password protected: remove the password, save it, then upload it"  # nosec B105

_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
# key: (label, MIME type served, extensions the name may end with)
KINDS = {
    "pdf": ("PDF", "application/pdf", ("pdf",)),
    "docx": ("Word document", _OOXML + "wordprocessingml.document", ("docx",)),
    "xlsx": ("Excel spreadsheet", _OOXML + "spreadsheetml.sheet", ("xlsx",)),
    "pptx": ("PowerPoint presentation", _OOXML + "presentationml.presentation", ("pptx",)),
    "odt": ("OpenDocument text", _ODF + "text", ("odt",)),
    "ods": ("OpenDocument spreadsheet", _ODF + "spreadsheet", ("ods",)),
    "odp": ("OpenDocument presentation", _ODF + "presentation", ("odp",)),
    "png": ("PNG image", "image/png", ("png",)),
    "jpeg": ("JPEG image", "image/jpeg", ("jpg", "jpeg")),
    "csv": ("CSV file", "text/csv", ("csv",)),
    "txt": ("Text file", "text/plain", ("txt",)),
}
_EXTENSION_KINDS = {ext: key for key, (_, _, extensions) in KINDS.items() for ext in extensions}
ACCEPT = ",".join(f".{ext}" for ext in _EXTENSION_KINDS)  # for <input type="file" accept="...">
_OOXML_FOLDERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_ZIP_KINDS = {"docx", "xlsx", "pptx", "odt", "ods", "odp"}
_ZIP_METADATA = ("mimetype", "[Content_Types].xml", "META-INF/manifest.xml")  # parts read to decide the kind
_PROGRAMS = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
             b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
_OTHER_FORMATS = (  # recognised but not accepted: (leading bytes, what it is, how to fix it)
    ((b"GIF8",), "a GIF image", "save it as a PNG or JPEG"),
    ((b"II*\x00", b"MM\x00*"), "a TIFF image", "save it as a PNG or JPEG"),
    ((b"{\\rtf",), "a Rich Text (RTF) file", "save it as a PDF or Word document"),
    ((b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07"), "a compressed file",
     "unpack it and upload the files one at a time"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LEGACY = (("WordDocument", "Word document", "docx"), ("Workbook", "Excel spreadsheet", "xlsx"),
           ("Book", "Excel spreadsheet", "xlsx"), ("PowerPoint Document", "PowerPoint presentation", "pptx"))
_BAD_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")
_SVG = re.compile(r"<svg[\s>]", re.I)
# the start of what a browser sniffs as HTML (WHATWG MIME Sniffing), after any XML declaration or comments
_HTML = re.compile(r"\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|script|iframe|"
                   r"h1|div|font|table|a|style|title|b|br|p)[\s>/]", re.I | re.S)
_RESERVED_CHARS = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_NAMES = {"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10))}
SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Accepted:
    """An acceptable upload: its cleaned name, the MIME type to serve it with, what it is, size and SHA-256."""

    filename: str
    content_type: str
    kind: str
    size: int
    sha256: str


class UploadRejected(Exception):
    """A file we will not store; `message` says what is wrong and how to fix it, for the form field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def clean_filename(name: str) -> str:
    """The last part of a path, with no control or reserved characters, at most 150 characters, never empty."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    # category C: control and format characters (bidi overrides that disguise an extension), unassigned
    name = "".join(" " if c.isspace() else c for c in name if c.isspace() or unicodedata.category(c)[0] != "C")
    stem, ext = _split_extension(" ".join(_RESERVED_CHARS.sub(" ", name).split()).rstrip(" ."))
    ext = ext.lower()
    stem = stem.strip(" .") or "evidence"
    if stem.split(".")[0].rstrip().upper() in _WINDOWS_NAMES:
        stem = "_" + stem
    stem = stem[:MAX_NAME - (len(ext) + 1 if ext else 0)].rstrip(" .")
    return f"{stem}.{ext}" if ext else stem


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    return (stem, ext) if dot and re.fullmatch(r"[A-Za-z0-9]{1,10}", ext) else (name, "")


def check_upload(data: bytes, filename: str, *, max_bytes: int, max_unpacked: int = MAX_UNPACKED,
                 max_ratio: int = MAX_RATIO) -> Accepted:
    """Accept a file whose content is one of KINDS and whose name agrees; UploadRejected otherwise."""
    if not data:
        raise UploadRejected("The selected file is empty")
    if len(data) > max_bytes:
        raise UploadRejected(f"The selected file must be smaller than {file_size(max_bytes)}")
    name = clean_filename(filename)
    ext = _split_extension(name)[1]
    key, charset = _detect(data, ext, max_unpacked=max_unpacked, max_ratio=max_ratio)
    if key == "txt" and ext in ("csv", "txt"):
        key = ext
    label, content_type, extensions = KINDS[key]
    if ext not in extensions:
        wanted = ".txt or .csv" if key == "txt" else " or ".join(f".{e}" for e in extensions)
        ending = f"ends .{ext}" if ext else "has no extension"
        raise UploadRejected(f"The selected file is {_what(key)} but its name {ending}: rename it to end "
                             f"{wanted}, or choose the right file")
    if charset:
        content_type += f"; charset={charset}"
    return Accepted(name, content_type, label, len(data), hashlib.sha256(data).hexdigest())


def _detect(data: bytes, ext: str, *, max_unpacked: int, max_ratio: int) -> tuple[str, str]:
    """The kind of the content (a key of KINDS, "txt" for any text) and its charset for text, or reject."""
    if data.startswith(b"%PDF-"):
        return _check_pdf(data), ""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _check_png(data), ""
    if data.startswith(b"\xff\xd8\xff"):
        return _check_jpeg(data), ""
    if data.startswith(b"PK\x03\x04"):
        return _check_zip(data, ext, max_unpacked=max_unpacked, max_ratio=max_ratio), ""
    if data.startswith(_OLE2):
        raise UploadRejected(_legacy_office(data))
    if data.startswith(_PROGRAMS) and b"\x00" in data[:1024]:
        expected = _EXTENSION_KINDS.get(ext)
        if expected is None:
            raise UploadRejected(NOT_ACCEPTED)
        raise UploadRejected(f"The selected file is a program, not {_what(expected)}: choose the right file")
    for signatures, what, fix in _OTHER_FORMATS:
        if data.startswith(signatures):
            raise UploadRejected(f"The selected file is {what}: {fix}, then upload it")
    charset = _text_charset(data)
    if charset is None:
        expected = _EXTENSION_KINDS.get(ext)
        raise UploadRejected(_unreadable(expected) if expected else NOT_ACCEPTED)
    head = data[:4096].decode(charset, errors="replace")
    if _SVG.search(head):
        raise UploadRejected("The selected file is an SVG image: save it as a PNG or JPEG, then upload it")
    if _HTML.match(head.lstrip("\ufeff")):
        raise UploadRejected("The selected file is a web page (HTML): save it as a PDF, then upload it")
    return "txt", charset


def _check_pdf(data: bytes) -> str:
    if zipfile.is_zipfile(io.BytesIO(data)):  # a zip appended to a PDF, for zip readers to find
        raise UploadRejected(_polyglot("pdf"))
    if b"%%EOF" not in data[-1024:]:  # where readers look for it; a truncated PDF has lost it
        raise UploadRejected(_unreadable("pdf"))
    return "pdf"


def _check_png(data: bytes) -> str:
    position, first = 8, True
    while position + 12 <= len(data):
        length, chunk_type = struct.unpack(">I4s", data[position:position + 8])
        end = position + 12 + length
        if end > len(data) or (first and (chunk_type, length) != (b"IHDR", 13)) or \
                zlib.crc32(data[position + 4:end - 4]) != int.from_bytes(data[end - 4:end], "big"):
            break
        if chunk_type == b"IEND":
            if end != len(data):
                raise UploadRejected(_polyglot("png"))
            _refuse_polyglot(data, "png")
            return "png"
        position, first = end, False
    raise UploadRejected(_unreadable("png"))


def _check_jpeg(data: bytes) -> str:
    _refuse_polyglot(data, "jpeg")
    if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):  # some cameras pad after the end marker with zeros
        raise UploadRejected(_unreadable("jpeg"))
    return "jpeg"


def _check_zip(data: bytes, ext: str, *, max_unpacked: int, max_ratio: int) -> str:
    """Which Office or OpenDocument kind a zip is, after reading every part within the limits; or reject."""
    expected = _EXTENSION_KINDS.get(ext)
    damaged = _unreadable(expected) if expected in _ZIP_KINDS else \
        "The selected file could not be read; it may be damaged. Open and save it again, then upload it"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError, EOFError):
        raise UploadRejected(damaged) from None
    names = [part.filename for part in parts]
    if len(parts) > MAX_PARTS:
        raise UploadRejected("The selected file has too many parts to check: split it into smaller files, "
                             "then upload it")
    if sum(part.file_size for part in parts) > max_unpacked:
        raise UploadRejected(f"The selected file is too large when unpacked: it must unpack to less than "
                             f"{file_size(max_unpacked)}. Split it into smaller files, then upload it")
    if any(p.file_size > RATIO_FLOOR and p.file_size > max_ratio * max(p.compress_size, 1) for p in parts):
        raise UploadRejected("The selected file is too large when unpacked for its size: open and save it "
                             "again, then upload it")
    if any(part.flag_bits & 0x1 for part in parts):
        raise UploadRejected(_PASSWORD)
    if len(set(names)) != len(names):
        raise UploadRejected(damaged)
    try:  # read every part to its end, so a damaged part or a false size fails its CRC check here
        heads = {}
        for part in parts:
            with archive.open(part) as member:
                head = member.read(MB)
                while member.read(MB):
                    pass
            if part.filename in _ZIP_METADATA:
                heads[part.filename] = head
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError, zlib.error):
        raise UploadRejected(damaged) from None
    key = _office_kind(names, heads, damaged)
    _refuse_polyglot(data, key)
    return key


def _office_kind(names: list[str], heads: dict[str, bytes], damaged: str) -> str:
    macros = "The selected file contains macros: save it without macros, as {}, then upload it"
    if names[:1] == ["mimetype"]:
        key = {KINDS[k][1].encode(): k for k in ("odt", "ods", "odp")}.get(heads["mimetype"].strip())
        if key is None:
            raise UploadRejected(NOT_ACCEPTED)
        if any(name.startswith(("Basic/", "Scripts/")) for name in names):
            raise UploadRejected(macros.format("." + key))
        if b"encryption-data" in heads.get("META-INF/manifest.xml", b""):
            raise UploadRejected(_PASSWORD)
        return key
    if "[Content_Types].xml" not in heads:
        raise UploadRejected("The selected file is a zip file: unzip it and upload the files one at a time")
    types = heads["[Content_Types].xml"]
    if b"macroenabled" in types.lower() or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadRejected(macros.format(".docx, .xlsx or .pptx"))
    for key, folder in _OOXML_FOLDERS.items():
        if (KINDS[key][1] + ".main+xml").encode() in types:
            if not any(name.startswith(folder) for name in names):
                raise UploadRejected(damaged)
            return key
    raise UploadRejected(NOT_ACCEPTED)


def _legacy_office(data: bytes) -> str:
    """Why an OLE2 compound file is refused, from the names of the streams in its directory (UTF-16)."""
    if "EncryptedPackage".encode("utf-16-le") in data:  # a password-protected .docx, .xlsx or .pptx
        return _PASSWORD
    for stream, label, ext in _LEGACY:
        if stream.encode("utf-16-le") in data:
            return f"The selected file is an older {label} (97-2003): open it, save it as a .{ext} file, then " \
                   f"upload it"
    return NOT_ACCEPTED


def _text_charset(data: bytes) -> str | None:
    """utf-8 or windows-1252 if the bytes are plain text we accept; None if not."""
    if b"\x00" in data:
        return None
    codecs = [("utf-8-sig", "utf-8")]  # Windows-1252 cannot follow a UTF-8 byte order mark
    if not data.startswith(b"\xef\xbb\xbf"):
        codecs.append(("cp1252", "windows-1252"))
    for codec, charset in codecs:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return None if _BAD_CONTROLS.search(text) else charset
    return None


def _refuse_polyglot(data: bytes, key: str) -> None:
    """Refuse an image or Office file that a PDF reader, or an image that a zip reader, would also open."""
    if b"%PDF-" in data[:1024] or (key not in _ZIP_KINDS and zipfile.is_zipfile(io.BytesIO(data))):
        raise UploadRejected(_polyglot(key))


def _polyglot(key: str) -> str:
    return f"The selected file contains another file as well as {_what(key)}: open it, save it again, " \
           f"then upload it"


def _unreadable(key: str) -> str:
    if key in ("txt", "csv"):
        return f"The selected file could not be read as {_what(key)}: save it as UTF-8 text, then upload it"
    return f"The selected file could not be read as {_what(key)}; it may be damaged. Open and save it " \
           f"again, then upload it"


def _what(key: str) -> str:
    """The kind with its article, for the middle of a sentence: "a PDF", "an Excel spreadsheet"."""
    label = "text file" if key == "txt" else KINDS[key][0]
    return f"{'an' if label[0] in 'AEIOU' else 'a'} {label}"
