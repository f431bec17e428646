"""An uploaded evidence file, checked as every evidence upload is: by its content, size and name."""
from __future__ import annotations

from flask import current_app

from compliance.core import filetypes

KEEP_NOTHING = "Choose the file again: a file cannot be kept while something else on this page needs fixing"


def checked_upload(field, *, fields_valid: bool) -> tuple[filetypes.Accepted, bytes] | None:
    """The accepted file and its bytes when the file and every other field (fields_valid) are right; the reason
    on the file field if not."""
    upload = field.data
    if upload is None:
        field.errors.append("Select a file")
        return None
    data = upload.read()
    max_bytes = int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    try:
        accepted = filetypes.check_upload(data, upload.filename or "", max_bytes=max_bytes)
    except filetypes.UploadRejected as rejected:
        field.errors.append(rejected.message)
        return None
    if not fields_valid:
        field.errors.append(KEEP_NOTHING)
        return None
    return accepted, data
