"""De-identification: offender ids become keyed pseudonyms; names and free text are dropped.

The pseudonym key is derived from the store's cache key (:mod:`caseledger.domain.secrets.keys`),
kept outside the database: a secret kept in the database would let anyone reading it compute
pseudonyms from a list of ids, and anyone writing it replace it unseen. A pseudonym is the HMAC-SHA256 of the offender id
under that key, so it is stable for a store (the same offender has the same pseudonym in every
export, and analysts can join exports) and useless without the key (it cannot be reversed or
recomputed from a list of ids). Replacing the cache key (``rebuild --new-cache-key``) changes
every pseudonym.
The projections carry no names or free text; the columns named here are the identifying ones.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from typing import Any

from caseledger.domain.secrets.derive import PSEUDONYMS
from caseledger.projections.readmodels.database import Database

IDENTIFYING_COLUMNS = ("offender",)
"""Columns holding offender ids, replaced by pseudonyms."""

FREE_TEXT_COLUMNS = ("note", "reason", "destination", "name")
"""Columns of free text or names, dropped (none of today's projections has one; a guard for tomorrow's)."""


def store_secret(db: Database) -> bytes:
    """This store's pseudonym key (the same on a replica, whose processes hold the same cache key)."""
    return db.app.seal.derived(PSEUDONYMS)


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
