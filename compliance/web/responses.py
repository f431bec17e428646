"""Downloads: every file the service hands out is saved, never shown in the browser, and kept in no cache."""
from __future__ import annotations

import re

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
