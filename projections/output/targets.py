"""Where an output file may go, and how it gets there: the one rule every ``--output`` follows
(an export and its sidecar, the report, a checkpoint), whatever the front end.

* **Never the store or a key, whatever the flags.** A target is refused when it is, or is a
  hard link to, or a symbolic link to, a file caseledger must not lose: the SQLite store and its
  ``-journal``, ``-wal`` and ``-shm`` files; the store key file, the cache key file, the
  checkpoint signing key (the one given and the default) and any file that opens as a PEM private
  key; any file in the user config folder, where caseledger keeps its keys and state. Names are compared after resolving their folders
  and their links, and files by device and inode, so ``./x/../ledger.db`` or a hard link to it
  is the store as much as its own name.
* **Never an existing file without ``force``.** Without it the new file is linked into place
  (``link`` fails on a name already taken, so a file that appears meanwhile is not replaced
  either); with it, renamed over the old one.
* **Symbolic links are never followed.** The file is written to a temporary file in the
  target's folder and renamed (or linked) to the target's name: a symbolic link there is an
  existing name (refused without ``force``) and, with ``force``, the link itself is replaced —
  the file it pointed to is left as it was.

``-`` (standard output) is the caller's: it is never a file name here.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from caseledger.domain.errors import DomainError
from caseledger.domain.settings import Settings
from caseledger.domain.store.urls import sqlite_path

SQLITE_COMPANIONS = ("", "-journal", "-wal", "-shm")
"""The files a SQLite store is made of: the database, its rollback journal, its write-ahead log
and the log's shared-memory index."""

Identity = Path | tuple[int, int]
"""A name (folders and links resolved) or a file (device, inode)."""


def _identities(path: Path) -> set[Identity]:
    """What makes ``path`` the same file as another: its name with its folder's links resolved
    (the link itself), its name with every link resolved (what it points to), and its device and
    inode when it exists."""
    named = path.absolute()
    found: set[Identity] = {named.parent.resolve() / named.name, named.resolve()}
    with contextlib.suppress(OSError):
        status = os.stat(named)
        found.add((status.st_dev, status.st_ino))
    return found


PRIVATE_KEY = b"PRIVATE KEY-----"
"""What the first line of a PEM private key file ends with (a checkpoint signing key kept anywhere)."""


def _holds_a_private_key(path: Path) -> bool:
    """Whether ``path`` is a file whose first line is a PEM private key's (a signing key named on
    another day's command line, which no setting lists)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with path.open("rb") as file:
            return file.readline(80).rstrip().endswith(PRIVATE_KEY)
    except OSError:
        return False


def protected_files(store: str, keys: Iterable[Path] = ()) -> list[Path]:
    """The files no output may replace: the SQLite store at ``store`` and its companions, every
    key file the settings name, and ``keys`` (a key given on the command line)."""
    settings = Settings.current()
    database = sqlite_path(store)
    files = [database.with_name(database.name + suffix) for suffix in SQLITE_COMPANIONS] if database is not None else []
    named = (settings.key_file, settings.cache_key_file, settings.default_cache_key_file, settings.default_checkpoint_key_file)
    files += [Path(name) for name in named if name]
    return files + list(keys)


@dataclass(frozen=True)
class Target:
    """An output file checked against the rule (:func:`output_target`): where it goes, the option
    that named it (refusals name it) and whether it may replace a file already there."""

    path: Path
    flag: str
    force: bool

    def write(self, write: Callable[[IO[bytes]], Any]) -> None:
        """Write the file whole: what ``write`` writes goes to a temporary file beside the target,
        flushed to disk, then into place (:meth:`place`); a failure leaves what was there."""
        made: list[Path] = []
        try:
            self.place(temporary(self.path.parent, write, made))
        except OSError as error:
            raise DomainError(self.flag, f"could not write {self.path}: {error.strerror or error}; nothing was replaced") from None
        finally:
            for left in made:
                left.unlink(missing_ok=True)

    def place(self, written: Path) -> None:
        """Put the finished temporary file ``written`` at the target's name: linked (refused if the
        name is taken), or with ``force`` renamed over it; a file system's refusal is raised as it
        is, for the caller to say what it left. ``written`` stays for the caller to remove."""
        if self.force:
            os.replace(written, self.path)
            return
        try:
            os.link(written, self.path)
        except FileExistsError:
            raise DomainError(self.flag, f"{self.path} exists: choose another name, or give --force to replace it") from None


def as_target(output: str | Target) -> Target:
    """``output`` as a target: a bare path, named by a caller below the Ledger (a script, a test,
    a benchmark) that chose it, is written as with ``force``; the Ledger checks every path a
    person typed (:func:`output_target`) and passes the target it made."""
    return output if isinstance(output, Target) else Target(Path(output), "--output", force=True)


def output_target(path: str, flag: str, *, store: str, force: bool, keys: Iterable[Path] = (), companions: Iterable[str] = ()) -> Target:
    """Check, before any work, that ``path`` may be written (``flag`` names it in the one-line
    refusal): not a folder; in a folder that exists and can be written to; not the store, one of
    its files or a key (:func:`protected_files`, ``keys``), whatever ``force`` says; not a name
    already taken unless ``force``. ``companions`` are suffixes of files written beside it (an
    export's ``.meta.json``), checked the same way."""
    target = Path(path)
    if target.is_dir():
        raise DomainError(flag, f"{path} is a folder; name a file in it")
    if not target.parent.is_dir():
        raise DomainError(flag, f"no folder {str(target.parent)!r} to write {target.name!r} in")
    if not os.access(target.parent, os.W_OK):
        raise DomainError(flag, f"the folder {str(target.parent)!r} cannot be written to")
    kept = set().union(*(_identities(each) for each in protected_files(store, keys)))
    config = Settings.current().config_dir.resolve()
    for each in (target, *(target.with_name(target.name + suffix) for suffix in companions)):
        mine = _identities(each)
        if mine & kept or any(name.is_relative_to(config) for name in mine if isinstance(name, Path)) or _holds_a_private_key(each):
            raise DomainError(flag, f"{each} is the store, one of its files or a key: caseledger never writes over it")
        if not force and (each.is_symlink() or each.exists()):
            raise DomainError(flag, f"{each} exists: choose another name, or give --force to replace it")
    return Target(target, flag, force)


def temporary(folder: Path, write: Callable[[IO[bytes]], Any], made: list[Path]) -> Path:
    """A temporary file in ``folder`` (a short name, so a long target's still fits) holding what
    ``write`` writes, flushed to disk, with the permissions an output gets (a temporary file is
    private; the output is as the umask says); listed in ``made`` so the caller removes it."""
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".caseledger-", suffix=".tmp", delete=False)  # noqa: SIM115
    made.append(Path(handle.name))
    with handle:
        write(handle.file)  # the file itself: its wrapper costs a call per write
        handle.flush()
        os.fsync(handle.fileno())
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(handle.name, 0o666 & ~umask)
    return Path(handle.name)
