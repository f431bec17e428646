"""Downloads: every file the service hands out is saved, never shown in the browser, and kept in no cache. And
long pages streamed in pieces of a useful size."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from flask import Response

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


def attachment(body, *, mimetype: str, filename: str) -> Response:
    """A download named `filename`, which must be a slug-like name (the names here are built from slugs)."""
    if not _SAFE_NAME.fullmatch(filename):
        raise ValueError(f"not a safe download name: {filename!r}")
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def in_chunks(pieces: Iterable[str], size: int = 64 * 1024) -> Iterator[str]:
    """A streamed template's output joined into pieces of about `size` characters: Jinja yields every bit of
    text between two tags on its own, some 90,000 for a matrix of 1,000 organisations, and each one passed on
    alone costs the server more than writing it."""
    held: list[str] = []
    length = 0
    for piece in pieces:
        held.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(held)
            held, length = [], 0
    if held:
        yield "".join(held)
