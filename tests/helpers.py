"""Test helpers: parse a page and read what a person would read from it."""
from __future__ import annotations

from html.parser import HTMLParser


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
