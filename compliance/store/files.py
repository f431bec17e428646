"""Evidence files on disk: stored once under their SHA-256, written through a temporary file, checked on reading."""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from compliance.core.filetypes import SHA256


class TamperedFile(Exception):
    """A stored file whose bytes no longer match the SHA-256 it is named by."""


def evidence_path(folder: str | Path, sha256: str) -> Path:
    """Where the file with this SHA-256 is stored: folder/<first two hex digits>/<sha256>."""
    if not SHA256.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 in lower-case hex: {sha256!r}")
    return Path(folder) / sha256[:2] / sha256


def store_file(folder: str | Path, data: bytes, sha256: str) -> Path:
    """Write the bytes under their SHA-256, through a temporary file moved into place; once per content."""
    path = evidence_path(folder, sha256)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"the data's SHA-256 is not {sha256}")
    if path.is_file() and path.stat().st_size == len(data):
        return path
    Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    with written_then_renamed(path, prefix=".upload-") as file:
        file.write(data)
    return path


@contextmanager
def written_then_renamed(target: Path, *, prefix: str | None = None) -> Iterator[BinaryIO]:
    """A temporary file beside target (mode 0600), synced and renamed to it when the block succeeds, removed if
    not; the folder is synced too, so the rename itself survives a power cut."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=prefix or f".{target.name}-")
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)


def fsync_folder(folder: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):  # POSIX
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def sweep_evidence(folder: str | Path, referenced: set[str]) -> list[Path]:
    """Remove what interrupted uploads left in the folder: files no evidence row names, and temporary files.

    An upload's file is moved into place before its row is committed, so a crash between the two leaves a file
    that nothing refers to (and a crash while writing leaves a `.upload-*` file). Run at start-up, before any
    request, while no other process serves the same folder: a file another process had stored but not yet
    recorded would look the same. Only names this module makes are touched. Returns the paths removed.
    """
    removed = []
    for path in sorted(Path(folder).glob("[0-9a-f][0-9a-f]/*")):
        ours = path.name.startswith(".upload-") or (SHA256.fullmatch(path.name) and path.name[:2] == path.parent.name)
        if ours and path.name not in referenced and path.is_file() and not path.is_symlink():
            path.unlink()
            removed.append(path)
    return removed


def read_verified(folder: str | Path, sha256: str) -> bytes:
    """The stored bytes; TamperedFile if they no longer match their SHA-256, FileNotFoundError if missing."""
    path = evidence_path(folder, sha256)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise TamperedFile(f"{path} no longer matches its SHA-256")
    return data
