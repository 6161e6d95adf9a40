"""Uploaded files kept for a later step of the same person's form (an import's mapping step).

A file is stored under a random token in a private directory, its name binding it to its
owner: ``<owner>-<token>``. Only the owner can get it back (another person's token finds no
file), a token that is not one ``stash`` makes is refused before any path is built, and files
older than ``MAX_AGE`` are removed whenever a new one is stored.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

MAX_AGE = 24 * 60 * 60  # seconds
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _path(directory: Path, owner: int, token: str) -> Path | None:
    if not _TOKEN.fullmatch(token):
        return None
    return directory / f"{int(owner)}-{token}"


def stash(data: bytes, *, owner: int, directory: Path) -> str:
    """Keep ``data`` for ``owner``; return the token that gets it back."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _prune(directory)
    token = secrets.token_urlsafe(24)
    path = _path(directory, owner, token)
    assert path is not None
    # Readable by this process's user only: HR files hold personal data.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return token


def unstash(token: str, *, owner: int, directory: Path) -> bytes | None:
    """The owner's file kept under ``token``, or None (unknown, expired or someone else's)."""
    path = _path(directory, owner, token)
    if path is None:
        return None
    try:
        if time.time() - path.stat().st_mtime > MAX_AGE:
            return None
        return path.read_bytes()
    except OSError:
        return None


def discard(token: str, *, owner: int, directory: Path) -> None:
    path = _path(directory, owner, token)
    if path is not None:
        path.unlink(missing_ok=True)


def _prune(directory: Path) -> None:
    cutoff = time.time() - MAX_AGE
    for path in directory.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
