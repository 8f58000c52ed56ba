"""Which key a store is encrypted with, recorded in the store, checked by every process.

A process writing with no key, or another one, beside events encrypted with the store's key
would leave plain or foreign events that the right key cannot read. So the store records, in
``cl_store_key``, a fingerprint of the key it is encrypted with (or that it is not encrypted) —
on its first use with a key: that process's key, once it has decrypted the store's first event,
if there is one — and a process whose key does not match is refused when it opens the store,
before it can write anything.

The fingerprint (:func:`caseledger.domain.secrets.keys.store_key_fingerprint`) is SHA-256 over a
fixed label and the key: it identifies the key without weakening it (a key is 128–256 random bits).
"""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError

from caseledger.domain.errors import StoreURLError
from caseledger.domain.secrets.derive import LEDGER_MAC
from caseledger.domain.secrets.keys import (
    PLAIN,
    PSEUDONYM_KEY_VARIABLE,
    existing_cache_key,
    pseudonym_key,
    pseudonym_key_file,
    pseudonym_key_fingerprint,
    store_key_fingerprint,
)
from caseledger.domain.secrets.mac import CacheSeal
from caseledger.domain.store.backend import LedgerRecorder, SQLCursor
from caseledger.domain.store.mapper import STORED_PLAIN, LedgerMapper, decode_envelope

KEY_TABLE = "cl_store_key"
STORE_ROW, CACHE_ROW, PSEUDONYM_ROW = 1, 2, 3
"""``cl_store_key`` rows: the store key's fingerprint, the cache key's (:mod:`caseledger.domain.secrets.mac`),
the pseudonym key's (:func:`caseledger.domain.secrets.keys.pseudonym_key`)."""


def check_key(recorder: LedgerRecorder, mapper: LedgerMapper, key: str | None) -> None:
    """Refuse to go on with a key that is not the store's (see the module); record the store's
    key on first use."""
    mine = store_key_fingerprint(key)
    recorded = _recorded(recorder)
    if recorded is None:
        recorded = _first_use(recorder, mapper, mine)
    if recorded != mine:
        if recorded == PLAIN:
            raise StoreURLError("this store is not encrypted, but CASELEDGER_KEY or CASELEDGER_KEY_FILE gives a key: unset it to use this store")
        if mine == PLAIN:
            raise StoreURLError(f"this store is encrypted (key {recorded}): set CASELEDGER_KEY or CASELEDGER_KEY_FILE to its key")
        raise StoreURLError(f"this store is encrypted with another key ({recorded}, not {mine}): nothing was read or written")


def check_cache_key(recorder: LedgerRecorder, seal: CacheSeal, snapshots_table: str, *, adopt: bool = False) -> None:
    """Refuse a process whose cache key is not the one the store's caches are sealed with
    (:mod:`caseledger.domain.secrets.mac`); record it on first use. Recording a key (the first, or with ``adopt`` another)
    discards the aggregate snapshots, which no recorded key vouched for (``rebuild
    --new-cache-key`` rebuilds the read models)."""
    recorded = _recorded(recorder, CACHE_ROW)
    if recorded == seal.fingerprint:
        return
    if recorded is not None and not adopt:
        raise StoreURLError(
            f"this store's caches are sealed with another cache key ({recorded}, not {seal.fingerprint}): set CASELEDGER_CACHE_KEY_FILE "
            "to the store's cache key file (ask whoever runs the store); only if that key is lost, `caseledger rebuild --new-cache-key` "
            "rebuilds every cache under this one — every other user then needs it"
        )
    if recorder.read_only or not recorder.owns_store:
        return
    table = recorder.table(KEY_TABLE)
    with recorder.transaction(write=True) as cursor:
        _create(cursor, table)
        row = cursor.execute(f"SELECT fingerprint FROM {table} WHERE id = ?", (CACHE_ROW,)).fetchone()
        if row is not None and not adopt:
            if str(row[0]) != seal.fingerprint:
                raise StoreURLError(f"this store's caches are sealed with another cache key ({row[0]}, not {seal.fingerprint})")
            return  # another process recorded this key first
        if recorder.has_table(snapshots_table):
            cursor.execute(f"DELETE FROM {recorder.table(snapshots_table)}")
        cursor.execute(f"DELETE FROM {table} WHERE id = ?", (CACHE_ROW,))
        cursor.execute(f"INSERT INTO {table} VALUES (?, ?)", (CACHE_ROW, seal.fingerprint))


def check_pseudonym_key(recorder: LedgerRecorder) -> None:
    """Refuse, when the store is opened, a process that writes the caches (and so computes
    pseudonyms) holding a pseudonym key file whose key is not the one the store records — before
    it records anything. A process holding none is not refused: it records and verifies, and
    leaves the pseudonyms to one that holds the key (:func:`pseudonym_key_of`)."""
    if recorder.read_only or not recorder.writes_caches or not pseudonym_key_file()[1]:
        return
    if _recorded(recorder, PSEUDONYM_ROW) is not None:
        pseudonym_key_of(recorder)


def pseudonym_key_of(recorder: LedgerRecorder) -> bytes | None:
    """This process's pseudonym key, about to compute pseudonyms — refused in one line if it is
    not the one the store's pseudonyms are made with, so two processes holding different keys
    never give one offender two pseudonyms; None if the store records a key and this process
    holds no key file (none is created then). The default file is created only if the store
    records no key yet; the key is recorded on first use, by the owner or a projector login
    (which may insert that row and no other: :mod:`caseledger.domain.store.roles`)."""
    recorded = _recorded(recorder, PSEUDONYM_ROW)
    if recorded is not None and not pseudonym_key_file()[1]:
        return None
    key = pseudonym_key()
    mine = pseudonym_key_fingerprint(key)
    if recorded is None and not recorder.read_only and recorder.has_table(KEY_TABLE):
        lost: tuple[type[Exception], ...] = (IntegrityError, *recorder.conflict_errors)
        try:
            with recorder.transaction(write=True) as cursor:
                if cursor.execute(f"SELECT 1 FROM {recorder.table(KEY_TABLE)} WHERE id = ?", (PSEUDONYM_ROW,)).fetchone() is None:
                    cursor.execute(f"INSERT INTO {recorder.table(KEY_TABLE)} VALUES (?, ?)", (PSEUDONYM_ROW, mine))
        except lost:
            pass  # another process recorded its key first: compared below
        recorded = _recorded(recorder, PSEUDONYM_ROW)
    if recorded is not None and recorded != mine:
        raise _another_pseudonym_key(recorded, mine)
    return key


def _another_pseudonym_key(recorded: str, mine: str) -> StoreURLError:
    return StoreURLError(
        f"{PSEUDONYM_KEY_VARIABLE}: this store's pseudonyms are made with another pseudonym key ({recorded}, this process holds {mine}): "
        "set it to the store's pseudonym key file (ask whoever runs the projector); no pseudonym was written"
    )


def holds_cache_key(recorder: LedgerRecorder, seal: CacheSeal) -> bool:
    """Whether ``seal`` is under the cache key the store's caches are sealed with (a process that
    opened the store without its keys, to verify or report, may not hold it)."""
    return _recorded(recorder, CACHE_ROW) in (None, seal.fingerprint)


def held_ledger_key(recorder: LedgerRecorder, store_key: str | None) -> bytes | None:
    """The ledger key (:data:`~caseledger.domain.secrets.derive.LEDGER_MAC`) if this process holds
    the store's cache key — without creating one — else None: ``verify`` then checks the public
    chain and says it could not check the MACs."""
    key = existing_cache_key(store_key)
    if key is None:
        return None
    seal = CacheSeal(key)
    if _recorded(recorder, CACHE_ROW) != seal.fingerprint:
        return None
    return seal.derived(LEDGER_MAC)


def _create(cursor: SQLCursor, table: str) -> None:
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL)")


def _recorded(recorder: LedgerRecorder, row_id: int = STORE_ROW) -> str | None:
    if not recorder.has_table(KEY_TABLE):
        return None
    with recorder.transaction(write=False) as cursor:
        row = cursor.execute(f"SELECT fingerprint FROM {recorder.table(KEY_TABLE)} WHERE id = ?", (row_id,)).fetchone()
    return str(row[0]) if row else None


def _first_use(recorder: LedgerRecorder, mapper: LedgerMapper, mine: str) -> str:
    """Record this process's key as the store's, once it has decrypted the store's first sealed
    event, if there is one (access events are stored plain: :data:`~caseledger.domain.store.mapper.STORED_PLAIN`):
    a store's events may predate its recorded key (written by a caseledger that recorded none, or
    first by a login that may not record it). A replica records nothing."""
    first = _first_sealed(recorder)
    found = mine
    if first:
        try:
            decode_envelope(first[0], mapper.unseal(first[1], first[0]))
        except Exception:  # the first event does not open and decode with this key (or without one): not ours to record
            raise StoreURLError("this store's events do not decrypt with the key given (or are encrypted and no key is given)") from None
    if recorder.read_only or not recorder.owns_store:
        return found
    table = recorder.table(KEY_TABLE)
    with recorder.transaction(write=True) as cursor:
        _create(cursor, table)
        row = cursor.execute(f"SELECT fingerprint FROM {table} WHERE id = ?", (STORE_ROW,)).fetchone()
        if row is not None:
            return str(row[0])  # another process recorded it first
        cursor.execute(f"INSERT INTO {table} VALUES (?, ?)", (STORE_ROW, found))
    return found


def _first_sealed(recorder: LedgerRecorder) -> tuple[str, bytes] | None:
    """The topic and state of the first event the store's key seals (None: there is none yet)."""
    after = 0
    while rows := recorder.events_after("topic, state", after, 100):
        for position, topic, state in rows:
            if str(topic) not in STORED_PLAIN:
                return str(topic), bytes(state)
            after = position
    return None
