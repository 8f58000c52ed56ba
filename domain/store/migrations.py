"""The store's format: which layout a store is at, recorded in it, and the steps that bring an
older store up to the one this code writes.

A store records its format in ``cl_format`` (one row). Each format adds to the one before:

1. The events, their hash chain and the caches of them — aggregate snapshots, read models and
   the pseudonym secret (``cl_secret``) — kept unsealed.
2. Every cache sealed under the cache key kept outside the database
   (:mod:`caseledger.domain.secrets.mac`): each aggregate snapshot carries a MAC, each read-model
   row a MAC and each read-model table a seal (``cl_seals``); no secret is kept in the database.
3. PostgreSQL proves who recorded each event: the events table's ``recorded_by`` column, filled
   by a trigger from the login that inserts the row, and the trigger that refuses changing or
   deleting an event (:mod:`caseledger.domain.store.roles`). Nothing changes on SQLite, where the
   operating system login is in the event.
4. PostgreSQL refuses a chain row that names no event (a trigger), so nobody can fill the chain
   ahead of the log and block every writer. Nothing changes on SQLite.
5. Every chain entry carries a MAC under the ledger key, kept with the clients
   (:mod:`caseledger.domain.integrity.chain`): the step adds the column, walks the public chain
   and gives a MAC to every entry that verifies — an entry that does not (an event edited,
   deleted, re-chained before this release) is left without one, and ``verify`` names it. Only a
   process holding the store's keys takes this step (one that opened the store to verify
   without them leaves it at format 4); it says on stderr how many entries it sealed.
6. The Merkle log (:mod:`caseledger.domain.store.tree`): the step walks the chain (counting the
   entries that do not verify, which ``verify`` names), then builds the tree afresh over every
   chained event's canonical leaf, decoding each with the store's keys — so, as step 5, only a
   process holding them takes it. The chain stays as it was, so a checkpoint signed before the
   step (a chain head, with no tree-head note) still verifies through it; PostgreSQL's user role,
   if set up, is granted what it needs on the new tables.

:func:`migrate` runs when the store's owner opens it (a replica's tables arrive by replication;
another login migrates nothing): it reads the recorded format, applies each step after it in
order, in one transaction holding the events table's write lock, and records
:data:`CURRENT_FORMAT`. Every step only changes what it finds in the older layout, so a store the
library has just created (format 2: it has no unsealed cache) is brought to the current format by
the same steps. A store that records no format was made before the format was recorded; it is
detected as the code that made it left it: format 1 if it holds unsealed caches (read models
without seals, or aggregate snapshots while no cache key is recorded), else format 2 — steps 3
and 4 create only what is missing, so they are safe on a store already past them.

A store recording a format newer than :data:`CURRENT_FORMAT` was written by a newer caseledger:
:func:`refuse_newer` refuses it before this code creates or writes anything in it
(:meth:`LedgerRecorder.preflight` reads the row without opening the store for writing).

What the format does not cover: the key fingerprints in ``cl_store_key``, recorded on a store's
first use with its keys at every format (:mod:`caseledger.domain.store.keys`); and the world
snapshots and head rows, which carry their own world format and are rebuilt from the log when it
is not this code's (:mod:`caseledger.projections.replay.world`) — a cache can always be made
again, so it needs no step, and a newer caseledger's cache only costs a rebuild, not a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from caseledger.domain.errors import LedgerError
from caseledger.domain.integrity.chain import CHAIN_TABLE, entry_mac
from caseledger.domain.integrity.verify import UNCHAINED, walk
from caseledger.domain.store.backend import FORMAT_TABLE, LedgerRecorder, SQLCursor, stored_state
from caseledger.domain.store.keys import CACHE_ROW, KEY_TABLE
from caseledger.domain.store.snapshots import REPORTS
from caseledger.domain.store.tree import TREE_FORMAT, TREE_TABLES, TreeCursor

FORMAT_TABLE_COLUMNS = "id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL"
"""One row (id 1): the format the store is at."""

UNSEALED_READ_SIDE = (
    "cl_timeline",
    "cl_addons",
    "cl_addon_totals",
    "cl_snapshots",
    "cl_officer_weeks",
    "cl_head_cases",
    "cl_head_registry",
    "cl_tracking",
    "cl_secret",
)
"""The read side's tables a format-1 store may hold, unsealed, by the names they had then (the
read models' own modules name today's); the engine makes them again, sealed, from the log."""


class NewerStore(LedgerError):
    """The store was written by a newer caseledger, in a format this code does not know."""


@dataclass(frozen=True)
class Step:
    """What brings a store from the format before ``version`` to ``version``."""

    version: int
    apply: Callable[[LedgerRecorder, SQLCursor, str], None]
    """Called with the recorder, the migrating transaction's cursor and the aggregate snapshots' table."""


def _seal_caches(recorder: LedgerRecorder, cursor: SQLCursor, snapshots_table: str) -> None:
    """Format 2: unsealed caches are discarded — the aggregate snapshots (when no cache key has
    sealed them) and the read side's tables — and made again, sealed, by the next process that
    needs them; the pseudonym secret goes with them (pseudonyms derive from the cache key)."""
    if not _cache_key_recorded(recorder, cursor) and recorder.table_exists(cursor, snapshots_table):
        cursor.execute(f"DELETE FROM {recorder.table(snapshots_table)}")
    if _unsealed_read_models(recorder, cursor):
        for name in UNSEALED_READ_SIDE:
            cursor.execute(f"DROP TABLE IF EXISTS {recorder.table(name)}")


def _backend_step(version: int) -> Callable[[LedgerRecorder, SQLCursor, str], None]:
    """A format whose changes are the backend's own objects (triggers, columns)."""

    def apply(recorder: LedgerRecorder, cursor: SQLCursor, snapshots_table: str) -> None:
        recorder.upgrade_to(cursor, version)

    return apply


def _authenticate_chain(recorder: LedgerRecorder, cursor: SQLCursor, snapshots_table: str) -> None:
    """Format 5 (see the module), in the migrating transaction (which holds the write lock)."""
    if not recorder.has_column(cursor, CHAIN_TABLE, "mac"):
        cursor.execute(f"ALTER TABLE {recorder.table(CHAIN_TABLE)} ADD COLUMN mac {recorder.binary_type}")
    count, skipped = mac_the_chain(recorder, cursor)
    if count or skipped:
        left = f"; {skipped} entries that did not verify were left without one (`caseledger verify` names them)" if skipped else ""
        REPORTS.warning("caseledger: store format 5: the public chain verified, and its %d entries now carry a MAC under the ledger key%s", count, left)


def mac_the_chain(recorder: LedgerRecorder, cursor: SQLCursor) -> tuple[int, int]:
    """Walk the public chain in ``cursor``'s transaction and give every entry that verifies a MAC
    under the recorder's ledger key (any MAC it had is replaced); return how many were given one
    and how many did not verify (left without). The store format's step, and ``rebuild
    --new-cache-key`` (the ledger key derives from the cache key)."""
    chain = recorder.table(CHAIN_TABLE)
    key = recorder.chain_key
    assert key is not None, "only a process holding the ledger key gives MACs"
    sealed: list[tuple[bytes | None, int]] = []
    count = skipped = 0
    for step in walk(recorder.log_in(cursor)):
        if step.problem is None:
            sealed.append((entry_mac(key, step.position, step.head, step.recorder), step.position))
            count += 1
        elif step.problem != UNCHAINED:
            sealed.append((None, step.position))
            skipped += 1
        if len(sealed) >= MAC_BATCH:
            cursor.executemany(f"UPDATE {chain} SET mac = ? WHERE position = ?", sealed)
            sealed = []
    cursor.executemany(f"UPDATE {chain} SET mac = ? WHERE position = ?", sealed)
    recorder.__dict__.pop("chain_has_macs", None)
    return count, skipped


MAC_BATCH = 10_000


def _build_tree(recorder: LedgerRecorder, cursor: SQLCursor, snapshots_table: str) -> None:
    """Format 6 (see the module), in the migrating transaction (which holds the write lock)."""
    recorder.upgrade_to(cursor, 6)
    count, broken = build_tree(recorder, cursor)
    if count or broken:
        left = f"; {broken} chain entries did not verify (`caseledger verify` names them)" if broken else ""
        REPORTS.warning(
            "caseledger: store format 6: the Merkle log was built over the %d chained events%s; checkpoints made before it still verify through the chain",
            count,
            left,
        )


def build_tree(recorder: LedgerRecorder, cursor: SQLCursor) -> tuple[int, int]:
    """Build the Merkle log afresh from the chained events, in ``cursor``'s transaction (whatever
    it held is replaced: leaves a login appended before the owner migrated included); return how
    many leaves it has and how many chain entries did not verify on the way."""
    for name in TREE_TABLES:
        cursor.execute(f"DELETE FROM {recorder.table(name)}")
    broken = sum(1 for step in walk(recorder.log_in(cursor)) if step.problem is not None and step.problem != UNCHAINED)
    tree = TreeCursor(cursor, recorder.table)
    after, count = 0, 0
    chain = recorder.table(CHAIN_TABLE)
    while True:
        rows = cursor.execute(
            f"SELECT e.{recorder.position_column}, e.originator_id, e.originator_version, e.topic, e.state, {_login(recorder)}, c.leaf "
            f"FROM {recorder.events_table} AS e JOIN {chain} AS c ON c.position = e.{recorder.position_column} "
            f"WHERE e.{recorder.position_column} > ? ORDER BY e.{recorder.position_column} LIMIT ?",
            (after, MAC_BATCH),
        ).fetchall()
        if not rows:
            return count, broken
        stored = [StoredEvent(row[1] if isinstance(row[1], UUID) else UUID(row[1]), row[2], row[3], stored_state(row[4])) for row in rows]
        recorder.append_tree(tree, [row[0] for row in rows], stored, [row[5] for row in rows], [bytes(row[6]) for row in rows])
        after, count = rows[-1][0], count + len(rows)


def _login(recorder: LedgerRecorder) -> str:
    return "NULL" if recorder.identity_column == "NULL" else f"e.{recorder.identity_column}"


STEPS: tuple[Step, ...] = (
    Step(2, _seal_caches),
    Step(3, _backend_step(3)),
    Step(4, _backend_step(4)),
    Step(5, _authenticate_chain),
    Step(TREE_FORMAT, _build_tree),
)
"""Every step, in format order."""

CURRENT_FORMAT = STEPS[-1].version
"""The format this code writes: the last step's."""

LEDGER_KEY_FORMAT = 5
"""The first format whose step needs the ledger key."""


def refuse_newer(found: int | None) -> None:
    """Refuse a store recording a format newer than this code's (see the module)."""
    if found is not None and found > CURRENT_FORMAT:
        raise NewerStore(
            f"this store is in store format {found}, written by a newer caseledger; this one knows formats up to {CURRENT_FORMAT}: "
            "open it with the newer caseledger (nothing was read or written)"
        )


def migrate(recorder: LedgerRecorder, snapshots_table: str) -> list[int]:
    """Bring the store the owner has just opened to :data:`CURRENT_FORMAT`; return the formats
    whose steps ran, in order (none for a store already there)."""
    with recorder.transaction(write=False) as cursor:
        recorded = recorder.recorded_format(cursor)
    refuse_newer(recorded)
    if recorded == CURRENT_FORMAT:
        return []
    with recorder.bulk_transaction() as bulk:  # the write lock: writers and other openers wait, then find the format recorded
        cursor = bulk.cursor
        found = recorder.recorded_format(cursor)
        refuse_newer(found)
        start = found if found is not None else _detected(recorder, cursor, snapshots_table)
        applied = []
        for step in STEPS:
            if step.version == LEDGER_KEY_FORMAT and recorder.chain_key is None:
                break  # a process without the store's keys cannot add MACs: the store stays where it is
            if step.version > start:
                step.apply(recorder, cursor, snapshots_table)
                applied.append(step.version)
        cursor.execute(f"DELETE FROM {recorder.table(FORMAT_TABLE)}")
        cursor.execute(f"INSERT INTO {recorder.table(FORMAT_TABLE)} (id, version) VALUES (1, ?)", (max([start, *applied]),))
    return applied


def keeps_tree(recorder: LedgerRecorder) -> bool:
    """Whether the store is at a format that keeps the Merkle log (an older one's is not built yet)."""
    with recorder.transaction(write=False) as cursor:
        found = recorder.recorded_format(cursor)
    return found is not None and found >= TREE_FORMAT


def _detected(recorder: LedgerRecorder, cursor: SQLCursor, snapshots_table: str) -> int:
    """The format of a store that records none (see the module)."""
    unsealed_snapshots = not _cache_key_recorded(recorder, cursor) and _holds_rows(recorder, cursor, snapshots_table)
    return 1 if _unsealed_read_models(recorder, cursor) or unsealed_snapshots else 2


def _unsealed_read_models(recorder: LedgerRecorder, cursor: SQLCursor) -> bool:
    """Read models tracked (``cl_tracking``) but not sealed (no ``cl_seals``)."""
    return recorder.table_exists(cursor, "cl_tracking") and not recorder.table_exists(cursor, "cl_seals")


def _cache_key_recorded(recorder: LedgerRecorder, cursor: SQLCursor) -> bool:
    if not recorder.table_exists(cursor, KEY_TABLE):
        return False
    return cursor.execute(f"SELECT 1 FROM {recorder.table(KEY_TABLE)} WHERE id = ?", (CACHE_ROW,)).fetchone() is not None


def _holds_rows(recorder: LedgerRecorder, cursor: SQLCursor, name: str) -> bool:
    return recorder.table_exists(cursor, name) and cursor.execute(f"SELECT 1 FROM {recorder.table(name)} LIMIT 1").fetchone() is not None
