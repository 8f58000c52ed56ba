"""Key files, all created one way: in folders only their user may enter (0700), readable by their
user alone (0600), whole or not at all, and never replaced.

A key file is written aside in its folder, flushed to disk, then hard-linked into place: a
process reading it at the same moment, or after a crash, finds no file or the whole key, never
part of one. A file already there is kept — a key replaced would orphan whatever was sealed or
signed under the old one — so of two processes creating the same key at once, both end up with
the first's (which is why this links rather than renames: a rename would replace it).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def create_key_file(path: Path, content: bytes) -> None:
    """Write ``content`` to a new key file at ``path``, unless there is one already (see the
    module); the caller reads ``path`` afterwards to use whichever key is there."""
    _private_folders(path.parent)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(aside, path)
    finally:
        aside.unlink()


def _private_folders(folder: Path) -> None:
    """Create ``folder`` and any missing parent, each 0700 (a folder already there is left as it is)."""
    missing = [each for each in (folder, *folder.parents) if not each.exists()]
    for each in reversed(missing):
        with contextlib.suppress(FileExistsError):
            each.mkdir(mode=PRIVATE_FOLDER)
