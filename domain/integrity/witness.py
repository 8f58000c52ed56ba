"""The client's witness: the last (position, chain head) this user's clients saw of each store.

As immudb's clients keep the last verified state, each caseledger client remembers, per store,
in the user config folder (``seen/``, one small JSON file per store, 0600, replaced whole), the
highest position whose chain head it has authenticated — after its read models caught up with
the log (every entry's MAC checked on the way) or a ``verify`` that found the log intact with the
ledger key. Every open then checks that the log still *extends* it: the head at that position is
the one remembered. A rollback to an older copy, a cut tail or a rewrite of anything a client has
seen is refused in one line naming the position, before any figure is shown.

A store is known by its URL without the password (a SQLite file by its resolved path): a copy
of a store at another path is another store to the client. What this witness cannot see is a
state no client of this user has seen — a rollback to before anything they read; a signed
checkpoint kept elsewhere is the other, independent witness (docs/security.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from caseledger.domain.errors import LogUnauthenticated
from caseledger.domain.secrets.files import PRIVATE_FOLDER
from caseledger.domain.settings import Settings


@dataclass(frozen=True)
class Seen:
    """A position and the chain head there, as a client authenticated it."""

    position: int
    head: bytes


def _file(store: str) -> Path:
    name = hashlib.sha256(store.encode()).hexdigest()[:32]
    return Settings.current().remembered_heads_dir / f"{name}.json"


def remembered(store: str) -> Seen | None:
    """What this user's clients last saw of ``store`` (None: nothing, or an unreadable file —
    which is no witness, and is written afresh)."""
    try:
        found = json.loads(_file(store).read_text())
        return Seen(int(found["position"]), bytes.fromhex(found["head"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(store: str, seen: Seen) -> None:
    """Remember ``seen`` for ``store`` if it is past what is remembered (the file is replaced
    whole: a process killed halfway leaves the old one)."""
    before = remembered(store)
    if seen.position == 0 or (before is not None and before.position >= seen.position):
        return
    path = _file(store)
    path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump({"store": store, "position": seen.position, "head": seen.head.hex()}, out)
    partial.replace(path)


def check_extends(store: str, head_at: Callable[[int], bytes | None]) -> None:
    """Refuse a log that no longer extends what was remembered of ``store``: ``head_at(position)``
    gives the log's chain head at a position (None: the log has no entry there)."""
    seen = remembered(store)
    if seen is None:
        return
    found = head_at(seen.position)
    if found is None:
        raise LogUnauthenticated(
            seen.position, "this client saw the log reach this position; the store no longer does (a cut tail, or a rollback to an older copy)"
        )
    if found != seen.head:
        raise LogUnauthenticated(seen.position, "the chain head here is not the one this client saw (the log was rewritten, or rolled back and written again)")
