"""What the ledger needs of a database, as one interface: :class:`LedgerRecorder`.

Everything that differs between SQLite and PostgreSQL lives in one class per backend
(:mod:`.sqlite`, :mod:`.postgres`), each the library's application recorder extended with this
interface — the way the library's own recorders share a base. Code outside those two classes
writes portable SQL with ``?`` placeholders through :class:`SQLCursor` and never asks which
backend it is on. What is written once here, on top of the backend's few primitives:

* the hash chain, appended in the inserting transaction (:meth:`LedgerRecorder.append_chain`);
* one aggregate's events with their log positions, event counts by type, raw rows in position
  order (for ``verify`` and the projection engine).
"""

from __future__ import annotations

import contextlib
import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import MapperDeserialisationError, StoredEvent

from caseledger.domain.errors import LogUnauthenticated
from caseledger.domain.integrity.chain import CHAIN_TABLE, GENESIS, chain_rows
from caseledger.domain.store.mapper import StoredEnvelope
from caseledger.domain.store.tree import TREE_FORMAT, TreeCursor, event_leaf, retracted_position, stored_form_leaf

FORMAT_TABLE = "cl_format"
"""The one-row table a store records its format in (:mod:`caseledger.domain.store.migrations`)."""

BULK_CACHE_KIB = 128 * 1024
"""SQLite page cache for bulk writes: the primary-key index of a million random UUIDs needs it."""


def stored_state(value: Any) -> Any:
    """A stored event's ``state`` as bytes (PostgreSQL may hand back a memoryview). Anything else —
    a SQLite BLOB rewritten as TEXT by someone editing the database — is passed on as it is, so
    reading it fails where it is decoded, with the error the mapper gives, and ``verify`` names it."""
    return bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else value


class DeadlockLost(Exception):
    """The server broke a deadlock by aborting this transaction: a race lost, as a conflicting
    insert is (two processes wrote the same caches in different orders). Raised in place of the
    driver's error inside a transaction, so that the library's translation of driver errors
    (into its generic ``OperationalError``) does not hide what happened from the callers that
    re-read and go on (a backend's :attr:`LedgerRecorder.conflict_errors`)."""


class SQLCursor:
    """A cursor that takes ``?`` placeholders and returns tuples, on either backend.

    ``dict_rows``: the raw cursor is one of the library's PostgreSQL cursors, which return rows as
    dicts (the ledger's own read transactions ask for tuples, the fast path)."""

    def __init__(self, raw: Any, *, numbered_placeholders: bool, dict_rows: bool = False) -> None:
        self.raw = raw
        self.numbered_placeholders = numbered_placeholders
        self._row = _dict_values if dict_rows else tuple
        self.census: object | None = None
        """What the read side counts in this transaction before it trusts what it reads (the
        projections' census of sealed blocks, :mod:`caseledger.projections.readmodels.sealing`)."""

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.numbered_placeholders else statement

    def execute(self, statement: str, params: Sequence[Any] = ()) -> SQLCursor:
        self.raw.execute(self._sql(statement), params)
        return self

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.raw.executemany(self._sql(statement), rows)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(map(self._row, self.raw.fetchall()))

    def chunks(self, size: int = 2000) -> Iterator[list[tuple[Any, ...]]]:
        """The result in chunks: a long ``fetchall`` holds the GIL throughout, which would freeze a
        UI thread while a worker reads 200,000 facts; chunks let it run in between."""
        while True:
            rows = self.raw.fetchmany(size)
            if not rows:
                return
            yield list(map(self._row, rows))

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self.raw.fetchone()
        return None if row is None else self._row(row)

    @property
    def rowcount(self) -> int:
        return int(self.raw.rowcount)


def _dict_values(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row.values())


@dataclass(frozen=True, slots=True)
class AttributedEvent:
    """A stored event with its position and the login the database recorded as inserting it
    (None on SQLite, and for events a PostgreSQL store holds from before it recorded logins):
    where the store names the login, that name, not the one in the event's state, is who
    recorded it (:mod:`caseledger.domain.store.postgres`)."""

    position: int
    stored: StoredEvent
    login: str | None


class BulkTransaction:
    """Inserts many batches of stored events in one transaction; positions come back per batch.

    Opened through :meth:`LedgerRecorder.bulk_transaction`, which takes the store's write lock
    first, so no other writer can commit between the state an import validated against and its
    own commit. How a batch goes in is the backend's (:meth:`LedgerRecorder.insert_batch`); the
    chain is appended here, for every backend alike."""

    def __init__(self, recorder: LedgerRecorder, cursor: SQLCursor) -> None:
        self.recorder = recorder
        self.cursor = cursor
        self.overlaps_writes = recorder.bulk_inserts_overlap

    def insert(self, stored_events: Sequence[StoredEvent], recorders: Sequence[str] | None = None) -> list[int]:
        """Insert ``stored_events`` in order; return their log positions. ``recorders``: the name
        each one keeps as its recorder (an admin's ``--keep-recorded`` import); otherwise the
        store names the login that inserts them where it can (:attr:`LedgerRecorder.identity_column`)."""
        if not stored_events:
            return []
        positions = self.recorder.insert_batch(self.cursor, stored_events, recorders)
        self.recorder.append_chain(self.cursor, positions, stored_events, recorders)
        return positions

    def read(self, position: int) -> AttributedEvent | None:
        """The stored event at ``position``, seeing this transaction's own uncommitted rows."""
        recorder = self.recorder
        row = self.cursor.execute(
            f"SELECT originator_id, originator_version, topic, state, {recorder.identity_column} FROM {recorder.events_table} WHERE {recorder.position_column}=?",
            (position,),
        ).fetchone()
        if row is None:
            return None
        originator_id = row[0] if isinstance(row[0], UUID) else UUID(row[0])
        return AttributedEvent(position, StoredEvent(originator_id, row[1], row[2], stored_state(row[3])), row[4])


@dataclass(frozen=True, slots=True)
class Preflight:
    """What a store says before it is opened (:meth:`LedgerRecorder.preflight`)."""

    standby: bool
    """Whether it is to be opened read-only, creating nothing: a streaming replica, or (PostgreSQL)
    a store another login owns; nothing of its layout may be written."""
    store_format: int | None
    """The format it records (None: it records none, or there is no store yet;
    :mod:`caseledger.domain.store.migrations`)."""


class LedgerRecorder(ABC):
    """The interface every backend's recorder offers the ledger, beyond the library's own."""

    position_column: str
    """The column holding an event's log position (``rowid`` / ``notification_id``)."""

    binary_type: str
    """The column type for bytes (``BLOB`` / ``BYTEA``); reads come back as bytes or a memoryview."""

    byte_order: str
    """The collation that sorts text by code point, as Python does (``BINARY`` / ``"C"``): an
    export sorted by the database must come out in the order a sorted() list would."""

    transient_errors: tuple[type[Exception], ...]
    """The driver's errors worth retrying, e.g. when processes create tables at the same moment."""

    conflict_errors: tuple[type[Exception], ...]
    """The driver's errors for a key already taken (another writer got there first)."""

    identity_column: str
    """SQL for the login the database recorded as inserting an event: ``NULL`` on SQLite (one
    trust domain: the operating system login is in the event's state), ``recorded_by`` on
    PostgreSQL, written by the server from ``session_user`` (a client cannot write another)."""

    bulk_inserts_overlap: bool
    """Whether inserting in a writer thread overlaps with the importer's work. True for
    PostgreSQL (the server works on the other core while Python waits on the socket); false
    for SQLite, whose inserts run in this process and contend for the GIL (measured slower)."""

    @classmethod
    @abstractmethod
    def preflight(cls, env: dict[str, str]) -> Preflight:
        """What the store ``env`` names says before it is opened, read without creating or writing
        anything (the first connection, so one that fails is reported here)."""

    @property
    @abstractmethod
    def read_only(self) -> bool:
        """Whether this store refuses writes (a replica, or a file this process cannot write): its
        read models are read as they are found."""

    read_only_reason = "this store is a read-only replica: record on the primary, the replica follows it"
    """What a write asked of a :attr:`read_only` store is told."""

    @property
    def login(self) -> str | None:
        """The login the database knows this connection by, where it proves one (PostgreSQL's
        ``session_user``); None where the operating system login is the identity (SQLite)."""
        return None

    @property
    @abstractmethod
    def owner(self) -> str | None:
        """Who owns the store — the login that created its tables (PostgreSQL), the operating
        system user owning its file (SQLite): its first user, an admin without a grant."""

    @abstractmethod
    def init_roles(self, *, users: Sequence[str], admins: Sequence[str], projectors: Sequence[str]) -> str:
        """Give the database the group roles and grants of :mod:`caseledger.domain.store.roles` and
        make the logins named members; say what was done."""

    @property
    def owns_store(self) -> bool:
        """Whether this login owns the store: creates and migrates its tables, records its keys."""
        return True

    @property
    def writes_caches(self) -> bool:
        """Whether this login writes the read models and snapshots (the owner or the projector);
        a user login reads them as it finds them (:mod:`caseledger.domain.store.roles`)."""
        return True

    @abstractmethod
    def table(self, name: str) -> str:
        """``name`` as SQL for a table beside the events (schema-qualified where there is one)."""

    @property
    @abstractmethod
    def events_table(self) -> str:
        """The events table as SQL."""

    @abstractmethod
    def transaction(self, *, write: bool) -> contextlib.AbstractContextManager[SQLCursor]:
        """One transaction: committed if the block ends normally (and ``write``), else rolled back.
        A read sees one snapshot for all its statements."""

    def has_table(self, name: str) -> bool:
        """Whether table ``name`` exists beside the events (read-only: takes no lock)."""
        with self.transaction(write=False) as cursor:
            return self.table_exists(cursor, name)

    @abstractmethod
    def table_exists(self, cursor: SQLCursor, name: str) -> bool:
        """Whether table ``name`` exists beside the events, seen from ``cursor``'s transaction."""

    @abstractmethod
    def upgrade_to(self, cursor: SQLCursor, version: int) -> None:
        """Bring this backend's own objects (triggers, columns) to store format ``version``, in the
        migrating transaction (:mod:`caseledger.domain.store.migrations`); a format may change none."""

    @abstractmethod
    def bulk_transaction(self) -> contextlib.AbstractContextManager[BulkTransaction]:
        """One write transaction for many batches, holding the write lock from the start."""

    @abstractmethod
    def insert_batch(self, cursor: SQLCursor, stored_events: Sequence[StoredEvent], recorders: Sequence[str] | None = None) -> list[int]:
        """Insert one non-empty batch inside a bulk transaction; return the positions given
        (``recorders``: see :meth:`BulkTransaction.insert`)."""

    # -- written once, for every backend -----------------------------------------------------

    chain_key: bytes | None = None
    """The ledger key the chain entries' MACs are made with — set by the application that opens
    the store holding its keys (a process that only verifies holds none). None: entries are
    written without a MAC, which ``verify`` then names."""

    @property
    def proves_recorder(self) -> bool:
        """Whether the store names the login that inserted each event (:attr:`identity_column`)."""
        return self.identity_column != "NULL"

    def append_chain(self, cursor: SQLCursor, positions: Sequence[int], stored_events: Sequence[StoredEvent], recorders: Sequence[str] | None = None) -> None:
        """Write the chain rows of freshly inserted events, inside the inserting transaction
        (which holds the write lock, so the previous head cannot move underneath), each with its
        MAC over the recorder the store will name: ``recorders`` where an import keeps them, else
        this login (:mod:`caseledger.domain.integrity.chain`)."""
        chain = self.table(CHAIN_TABLE)
        row = cursor.execute(f"SELECT head FROM {chain} ORDER BY position DESC LIMIT 1").fetchone()
        previous = bytes(row[0]) if row else GENESIS
        authors: Sequence[str | None] = [None] * len(positions)
        if self.proves_recorder:
            authors = recorders if recorders is not None else [self.login] * len(positions)
        events = ((p, s.originator_id, s.originator_version, s.topic, s.state, author) for p, s, author in zip(positions, stored_events, authors, strict=True))
        rows = chain_rows(previous, events, self.chain_key)
        cursor.executemany(f"INSERT INTO {chain} (position, leaf, head, mac) VALUES (?, ?, ?, ?)", rows)
        if self._keeps_tree(cursor):
            self.append_tree(TreeCursor(cursor, self.table), positions, stored_events, authors, [row[1] for row in rows])

    _tree_kept = False

    def _keeps_tree(self, cursor: SQLCursor) -> bool:
        """Whether the store is at a format that keeps the Merkle log (:data:`~.tree.TREE_FORMAT`),
        read in the inserting transaction: the format's step records it in the transaction that
        builds the tree and grants PostgreSQL's user role its inserts, under the same write lock,
        so a writer that finds it finds the tree and the grants. An older store's events get no
        leaf (a user login may record in a store its owner has not yet brought to format 6, whose
        tables an opening without the store's keys may already have made, empty and without
        grants): the step builds the tree afresh from every chained event. A store never goes
        back a format, so only a yes is remembered — a process open while the owner migrates
        adds leaves from then on."""
        if not self._tree_kept:
            found = self.recorded_format(cursor)
            self._tree_kept = found is not None and found >= TREE_FORMAT
        return self._tree_kept

    def recorded_format(self, cursor: SQLCursor) -> int | None:
        """The format the store records (:data:`FORMAT_TABLE`), seen from ``cursor``; None: none (a
        store made before formats were recorded may not have the table, until its owner opens it)."""
        if not self.table_exists(cursor, FORMAT_TABLE):
            return None
        row = cursor.execute(f"SELECT version FROM {self.table(FORMAT_TABLE)} WHERE id = 1").fetchone()
        return int(row[0]) if row else None

    envelope_of: Callable[[StoredEvent], StoredEnvelope[Any]] | None = None
    """How this process reads a stored event it did not just map (the application's mapper, set
    where it holds the store's keys); None: such an event's leaf is over its stored form."""

    def append_tree(
        self, tree: TreeCursor, positions: Sequence[int], stored_events: Sequence[StoredEvent], authors: Sequence[str | None], chain_leaves: Sequence[bytes]
    ) -> None:
        """Append the freshly chained events' leaves to the Merkle log (:mod:`.tree`), in the
        inserting transaction: each over its canonical form, with the recorder the store names."""
        try:
            frontier = tree.frontier()
        except LookupError as error:
            raise tree.lacking(error, "no leaf can be appended to it; nothing was recorded") from None
        last = tree.leaf(frontier.size - 1) if frontier.size else None
        if last is not None and last[0] >= positions[0]:
            raise LogUnauthenticated(
                last[0], "the Merkle log holds a leaf at this position, past the log's last event: the log's tail was cut; nothing was recorded"
            )
        indices: dict[int, int] = {}
        leaves: list[tuple[int, bytes]] = []
        for position, stored, author, chain_leaf in zip(positions, stored_events, authors, chain_leaves, strict=True):
            envelope = self._envelope(stored)
            if envelope is None:
                leaf = stored_form_leaf(chain_leaf)
            else:
                target = retracted_position(envelope)
                retracts = None if target is None else indices.get(target, tree.leaf_index(target))
                leaf = event_leaf(envelope, author, retracts)
            indices[position] = frontier.size + len(leaves)
            leaves.append((position, leaf))
        tree.append(frontier, leaves)

    def _envelope(self, stored: StoredEvent) -> StoredEnvelope[Any] | None:
        envelope = getattr(stored, "envelope", None)
        if envelope is not None or self.envelope_of is None:
            return envelope
        try:
            return self.envelope_of(stored)
        except MapperDeserialisationError:
            return None

    @functools.cached_property
    def chain_has_macs(self) -> bool:
        """Whether the chain table has its MAC column (a store before format 5 that no process
        holding the ledger key has opened since has none)."""
        with self.transaction(write=False) as cursor:
            return self.has_column(cursor, CHAIN_TABLE, "mac")

    @abstractmethod
    def has_column(self, cursor: SQLCursor, table: str, column: str) -> bool:
        """Whether table ``table`` beside the events has column ``column``, seen from ``cursor``."""

    def aggregate_events(self, aggregate_id: UUID) -> list[AttributedEvent]:
        """One aggregate's stored events *with their log positions* (the library's select_events
        has none) and the login that recorded each, in version order."""
        return self._attributed("originator_id = ? ORDER BY originator_version", (self.stored_id(aggregate_id),))

    def head_at_version(self, aggregate_id: UUID, version: int) -> bytes | None:
        """The chain head at the log position of ``aggregate_id``'s event ``version`` (None when this
        log has no such event): it commits to the whole log up to that event, so a snapshot bound
        to it is bound to this log's history of the aggregate."""
        with self.transaction(write=False) as cursor:
            row = cursor.execute(
                f"SELECT chain.head FROM {self.events_table} AS e JOIN {self.table(CHAIN_TABLE)} AS chain ON chain.position = e.{self.position_column} "
                "WHERE e.originator_id = ? AND e.originator_version = ?",
                (self.stored_id(aggregate_id), version),
            ).fetchone()
        return bytes(row[0]) if row else None

    def topic_counts(self, after: int = 0) -> dict[str, int]:
        """How many stored events of each type after position ``after`` (one GROUP BY over a range
        of the primary key; no event is decoded)."""
        with self.transaction(write=False) as cursor:
            statement = f"SELECT topic, COUNT(*) FROM {self.events_table} WHERE {self.position_column} > ? GROUP BY topic"
            return dict(cursor.execute(statement, (after,)).fetchall())

    def events_after(self, columns: str, after: int, limit: int) -> list[tuple[Any, ...]]:
        """Up to ``limit`` stored events after position ``after``, in position order: the
        position, then ``columns``."""
        return self._rows_after(self.events_table, self.position_column, columns, after, limit)

    def chained_events_after(self, after: int, limit: int) -> list[tuple[Any, ...]]:
        """Up to ``limit`` stored events after position ``after``, in position order, each with its
        chain row, in one read: (position, originator id, version, topic, state, the login the
        store recorded or None, leaf, head, mac) — leaf, head and mac None where the event has no
        chain row (mac None too where the table has no MAC column yet). The read side applies and
        authenticates a batch from these rows alone. Query plans (2026-12-07): SQLite searches
        both primary keys; PostgreSQL merge-joins two index scans, the chain's bounded by the
        repeated ``c.position > ?`` (without it the scan starts at the log's first entry)."""
        login = "NULL" if self.identity_column == "NULL" else f"e.{self.identity_column}"
        mac = "c.mac" if self.chain_has_macs else "NULL"
        with self.transaction(write=False) as cursor:
            return cursor.execute(
                f"SELECT e.{self.position_column}, e.originator_id, e.originator_version, e.topic, e.state, {login}, c.leaf, c.head, {mac} "
                f"FROM {self.events_table} AS e LEFT JOIN {self.table(CHAIN_TABLE)} AS c ON c.position = e.{self.position_column} AND c.position > ? "
                f"WHERE e.{self.position_column} > ? ORDER BY e.{self.position_column} LIMIT ?",
                (after, after, limit),
            ).fetchall()

    def chain_count(self, after: int, upto: int) -> int:
        """How many chain rows lie at positions after ``after`` up to ``upto`` (a range of the
        primary key: no row is read)."""
        with self.transaction(write=False) as cursor:
            counted = cursor.execute(f"SELECT COUNT(*) FROM {self.table(CHAIN_TABLE)} WHERE position > ? AND position <= ?", (after, upto)).fetchone()
        return int(counted[0]) if counted else 0

    def chain_after(self, after: int, limit: int) -> list[tuple[Any, ...]]:
        """Up to ``limit`` chain rows (position, leaf, head, mac) after ``after``, in position order
        (mac None where the table has no MAC column yet)."""
        return self._rows_after(self.table(CHAIN_TABLE), "position", "leaf, head, " + ("mac" if self.chain_has_macs else "NULL"), after, limit)

    def chained_positions(self, positions: Sequence[int]) -> set[int]:
        """Those of ``positions`` that have a chain row (one primary-key lookup each)."""
        if not positions:
            return set()
        with self.transaction(write=False) as cursor:
            rows = cursor.execute(
                f"SELECT position FROM {self.table(CHAIN_TABLE)} WHERE position IN ({','.join('?' * len(positions))})", list(positions)
            ).fetchall()
        return {int(row[0]) for row in rows}

    def events_at(self, positions: Sequence[int]) -> list[AttributedEvent]:
        """The stored events at ``positions`` that exist, in position order."""
        if not positions:
            return []
        return self._attributed(f"{self.position_column} IN ({','.join('?' * len(positions))}) ORDER BY {self.position_column}", list(positions))

    def attributed_after(self, after: int, limit: int, *, upto: int | None = None, topics: Sequence[str] = ()) -> list[AttributedEvent]:
        """Up to ``limit`` stored events after ``after`` (to ``upto``; of ``topics``, if given), in
        position order — the log as readers show it, with the login the store recorded."""
        where, params = f"{self.position_column} > ?", list[Any]([after])
        if upto is not None:
            where, params = f"{where} AND {self.position_column} <= ?", [*params, upto]
        if topics:
            where, params = f"{where} AND topic IN ({','.join('?' * len(topics))})", [*params, *topics]
        return self._attributed(f"{where} ORDER BY {self.position_column} LIMIT ?", [*params, limit])

    def _attributed(self, where: str, params: Sequence[Any]) -> list[AttributedEvent]:
        with self.transaction(write=False) as cursor:
            rows = cursor.execute(
                f"SELECT {self.position_column}, originator_id, originator_version, topic, state, {self.identity_column} FROM {self.events_table} WHERE {where}",
                params,
            ).fetchall()
        return [
            AttributedEvent(position, StoredEvent(originator if isinstance(originator, UUID) else UUID(originator), version, topic, stored_state(state)), login)
            for position, originator, version, topic, state, login in rows
        ]

    def between(self, source: str, columns: str, after: int, upto: int) -> list[tuple[Any, ...]]:
        """Rows of ``source`` (:attr:`events_table`, or the chain: ``table(CHAIN_TABLE)``) at positions
        after ``after`` up to ``upto``, in order: the position, then ``columns``."""
        key = self.position_column if source == self.events_table else "position"
        with self.transaction(write=False) as cursor:
            return cursor.execute(f"SELECT {key}, {columns} FROM {source} WHERE {key} > ? AND {key} <= ? ORDER BY {key}", (after, upto)).fetchall()

    def head_at(self, position: int) -> bytes | None:
        """The chain head at ``position`` (None: no entry there)."""
        with self.transaction(write=False) as cursor:
            row = cursor.execute(f"SELECT head FROM {self.table(CHAIN_TABLE)} WHERE position = ?", (position,)).fetchone()
        return bytes(row[0]) if row else None

    def chain_before(self, position: int) -> tuple[Any, ...] | None:
        """The last chain row (position, leaf, head) before ``position``, if any."""
        with self.transaction(write=False) as cursor:
            return cursor.execute(
                f"SELECT position, leaf, head FROM {self.table(CHAIN_TABLE)} WHERE position < ? ORDER BY position DESC LIMIT 1", (position,)
            ).fetchone()

    def _rows_after(self, source: str, key: str, columns: str, after: int, limit: int) -> list[tuple[Any, ...]]:
        with self.transaction(write=False) as cursor:
            return rows_after(cursor, source, key, columns, after=after, limit=limit)

    def stored_id(self, aggregate_id: UUID) -> Any:
        """How ``originator_id`` is stored (SQLite: hex text; PostgreSQL: uuid)."""
        return aggregate_id

    def log_in(self, cursor: SQLCursor) -> LogInTransaction:
        """The log as ``cursor``'s transaction sees it (a migration reads what it is changing)."""
        return LogInTransaction(self, cursor)


def rows_after(cursor: SQLCursor, source: str, key: str, columns: str, *, after: int, limit: int) -> list[tuple[Any, ...]]:
    """Up to ``limit`` rows of ``source`` after ``key`` ``after``, in order: the key, then ``columns``."""
    return cursor.execute(f"SELECT {key}, {columns} FROM {source} WHERE {key} > ? ORDER BY {key} LIMIT ?", (after, limit)).fetchall()


class LogInTransaction:
    """Events and chain rows read through one open transaction's cursor (the public chain: no MAC)."""

    def __init__(self, recorder: LedgerRecorder, cursor: SQLCursor) -> None:
        self.recorder = recorder
        self.cursor = cursor
        self.identity_column = recorder.identity_column

    def events_after(self, columns: str, after: int, limit: int) -> list[tuple[Any, ...]]:
        return rows_after(self.cursor, self.recorder.events_table, self.recorder.position_column, columns, after=after, limit=limit)

    def chain_after(self, after: int, limit: int) -> list[tuple[Any, ...]]:
        return rows_after(self.cursor, self.recorder.table(CHAIN_TABLE), "position", "leaf, head, NULL", after=after, limit=limit)

    def chain_before(self, position: int) -> tuple[Any, ...] | None:
        return self.cursor.execute(
            f"SELECT position, leaf, head FROM {self.recorder.table(CHAIN_TABLE)} WHERE position < ? ORDER BY position DESC LIMIT 1", (position,)
        ).fetchone()
