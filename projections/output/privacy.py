"""De-identification: offender ids become keyed pseudonyms; names and free text are dropped.

The key is a random per-store secret kept in the store itself (``cl_secret``), created on first
use. A pseudonym is the HMAC-SHA256 of the offender id under that key, so it is stable within a
store (the same offender has the same pseudonym in every export, and analysts can join exports)
and useless outside it (without the key it cannot be reversed or recomputed from a list of ids).
The projections carry no names or free text; the columns named here are the identifying ones.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator
from typing import Any

from caseledger.projections.readmodels.database import Database
from caseledger.projections.readmodels.engine import ProjectionError

IDENTIFYING_COLUMNS = ("offender",)
"""Columns holding offender ids, replaced by pseudonyms."""

FREE_TEXT_COLUMNS = ("note", "reason", "destination", "name")
"""Columns of free text or names, dropped (none of today's projections has one; a guard for tomorrow's)."""


def store_secret(db: Database) -> bytes:
    """This store's pseudonym key, created the first time it is needed (on a replica, the
    primary's, arrived by replication)."""
    table = db.table("cl_secret")
    if db.recorder.read_only:
        if db.recorder.has_table("cl_secret"):
            with db.transaction(write=False) as cursor:
                found = cursor.execute(f"SELECT secret FROM {table} WHERE id = 1").fetchone()
            if found is not None:
                return bytes.fromhex(found[0])
        raise ProjectionError("this replica has no pseudonym key yet: make one de-identified export on the primary first")
    with db.transaction(write=True) as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, secret TEXT NOT NULL)")
        cursor.execute(f"SELECT secret FROM {table} WHERE id = 1")
        row = cursor.fetchone()
        if row is None:
            secret = secrets.token_hex(32)
            cursor.execute(f"INSERT INTO {table} VALUES (1, ?)", (secret,))
            return bytes.fromhex(secret)
    return bytes.fromhex(row[0])


def pseudonym(secret: bytes, offender: str) -> str:
    """The store-stable pseudonym of ``offender``."""
    return "p-" + hmac.new(secret, offender.encode(), hashlib.sha256).hexdigest()[:20]


def deidentify(rows: Iterable[dict[str, Any]], secret: bytes) -> Iterator[dict[str, Any]]:
    """Rows with offender ids pseudonymised and free-text columns removed, one at a time."""
    for row in rows:
        clean = {key: value for key, value in row.items() if key not in FREE_TEXT_COLUMNS}
        for column in IDENTIFYING_COLUMNS:
            if clean.get(column) is not None:
                clean[column] = pseudonym(secret, clean[column])
        yield clean
