"""Which key a store is encrypted with, recorded in the store, checked by every process.

An import run without the key (or with another one) used to store its events in plain JSON
beside encrypted ones, print "imported", and leave a store that no longer opened with the right
key. Now the store records, in ``cl_store_key``, a fingerprint of the key it is encrypted with
(or that it is not encrypted) — from the first process that opens it, or, for a store made
before this, from the key its first event decrypts with — and a process whose key does not
match is refused when it opens the store, before it can write anything.

The fingerprint is SHA-256 over a fixed label and the key: it identifies the key without
weakening it (a key is 128–256 random bits).
"""

from __future__ import annotations

import base64
import hashlib

from caseledger.domain.errors import StoreURLError
from caseledger.domain.store.backend import LedgerRecorder
from caseledger.domain.store.mapper import LedgerMapper, decode_envelope

KEY_TABLE = "cl_store_key"
PLAIN = "not encrypted"


def fingerprint(key: str | None) -> str:
    """The fingerprint of a base64 AES key, or :data:`PLAIN` without one."""
    if not key:
        return PLAIN
    return "sha256:" + hashlib.sha256(b"caseledger store key\0" + base64.b64decode(key)).hexdigest()[:32]


def check_key(recorder: LedgerRecorder, mapper: LedgerMapper, key: str | None) -> None:
    """Refuse to go on with a key that is not the store's (see the module); record the store's
    key on first use."""
    mine = fingerprint(key)
    recorded = _recorded(recorder)
    if recorded is None:
        recorded = _first_use(recorder, mapper, mine)
    if recorded != mine:
        if recorded == PLAIN:
            raise StoreURLError("this store is not encrypted, but CASELEDGER_KEY or CASELEDGER_KEY_FILE gives a key: unset it to use this store")
        if mine == PLAIN:
            raise StoreURLError(f"this store is encrypted (key {recorded}): set CASELEDGER_KEY or CASELEDGER_KEY_FILE to its key")
        raise StoreURLError(f"this store is encrypted with another key ({recorded}, not {mine}): nothing was read or written")


def _recorded(recorder: LedgerRecorder) -> str | None:
    if not recorder.has_table(KEY_TABLE):
        return None
    with recorder.transaction(write=False) as cursor:
        row = cursor.execute(f"SELECT fingerprint FROM {recorder.table(KEY_TABLE)} WHERE id = 1").fetchone()
    return str(row[0]) if row else None


def _first_use(recorder: LedgerRecorder, mapper: LedgerMapper, mine: str) -> str:
    """Record the store's key: the one its first event decrypts with (a store made before the
    fingerprint existed), else this process's (a new store). A replica records nothing."""
    first = recorder.events_after("topic, state", 0, 1)
    found = mine
    if first:
        try:
            decode_envelope(first[0][1], mapper.unseal(bytes(first[0][2])))
        except Exception:  # the first event does not open and decode with this key (or without one): not ours to record
            raise StoreURLError("this store's events do not decrypt with the key given (or are encrypted and no key is given)") from None
    if recorder.read_only:
        return found
    table = recorder.table(KEY_TABLE)
    with recorder.transaction(write=True) as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL)")
        row = cursor.execute(f"SELECT fingerprint FROM {table} WHERE id = 1").fetchone()
        if row is not None:
            return str(row[0])  # another process recorded it first
        cursor.execute(f"INSERT INTO {table} VALUES (1, ?)", (found,))
    return found
