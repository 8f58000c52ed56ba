"""The SQLite backend: the library's SQLite application recorder with the ledger's interface.

Events are ``stored_events`` (position = ``rowid``), the chain ``cl_chain``, the store's format
``cl_format``, read models beside them in the same file. Transactions are ``BEGIN IMMEDIATE``
for writes (the write lock at once) and a plain ``BEGIN`` for reads (one snapshot for every
statement)."""

from __future__ import annotations

import contextlib
import os
import pwd
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from caseledger.domain.errors import StoreURLError
from caseledger.domain.integrity.chain import CHAIN_TABLE
from caseledger.domain.store.backend import BULK_CACHE_KIB, FORMAT_TABLE, BulkTransaction, LedgerRecorder, Preflight, SQLCursor
from caseledger.domain.store.migrations import FORMAT_TABLE_COLUMNS
from caseledger.domain.store.tree import tree_tables


class ChainedSQLiteRecorder(SQLiteApplicationRecorder, LedgerRecorder):
    """SQLite recorder that appends each inserted event's leaf and head to ``cl_chain``.

    Tested with the library's own ``ApplicationRecorderTestCase`` (tests/domain/test_recorders.py)."""

    position_column = "rowid"
    identity_column = "NULL"
    binary_type = "BLOB"
    byte_order = "BINARY"
    bulk_inserts_overlap = False
    transient_errors = (sqlite3.OperationalError,)
    conflict_errors = (sqlite3.IntegrityError,)

    def construct_create_table_statements(self) -> list[str]:
        chain = f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (position INTEGER PRIMARY KEY, leaf BLOB NOT NULL, head BLOB NOT NULL, mac BLOB)"
        store_format = f"CREATE TABLE IF NOT EXISTS {FORMAT_TABLE} ({FORMAT_TABLE_COLUMNS})"
        return [*super().construct_create_table_statements(), chain, store_format, *tree_tables(self.table, self.binary_type, "INTEGER")]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        if positions:
            self.append_chain(SQLCursor(c, numbered_placeholders=False), positions, stored_events)
        return positions

    @classmethod
    def preflight(cls, env: dict[str, str]) -> Preflight:
        """A SQLite file has no replicas of its own, but a file this process cannot write (or in
        a folder it cannot write, or on a read-only mount) is opened read-only
        (:func:`database_name`) and read as a replica is. Its format is read through a read-only
        connection, so a file this code must refuse is left as it was; a file that cannot be read
        so is left for the opening to report."""
        name = env["SQLITE_DBNAME"]
        return Preflight(standby=_opened_read_only(name), store_format=_recorded_format(_file_of(name)))

    @property
    def read_only(self) -> bool:
        return _opened_read_only(self.datastore.pool.db_name)

    read_only_reason = (
        "the store or the disk refused: the store's file, its folder or its mount cannot be written here (it was opened read-only); nothing was recorded"
    )

    @property
    def owner(self) -> str | None:
        try:
            return pwd.getpwuid(os.stat(_file_of(self.datastore.pool.db_name)).st_uid).pw_name
        except (OSError, KeyError):  # an in-memory database, or a uid with no name
            return None

    def has_column(self, cursor: SQLCursor, table: str, column: str) -> bool:
        return cursor.execute("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", (table, column)).fetchone() is not None

    def init_roles(self, *, users: Sequence[str], admins: Sequence[str], projectors: Sequence[str]) -> str:
        raise StoreURLError(
            "init-roles sets up a PostgreSQL store's database roles; a SQLite file is one trust domain (whoever can write it can write anything in it)"
        )

    def upgrade_to(self, cursor: SQLCursor, version: int) -> None:
        """No store format changes a SQLite file's own objects: the file is one trust domain, and
        the operating system login who recorded an event is in the event."""

    def table(self, name: str) -> str:
        return name

    @property
    def events_table(self) -> str:
        return self.events_table_name

    def table_exists(self, cursor: SQLCursor, name: str) -> bool:
        return cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None

    def stored_id(self, aggregate_id: UUID) -> Any:
        return aggregate_id.hex

    def transaction(self, *, write: bool) -> contextlib.AbstractContextManager[SQLCursor]:
        return self._transaction(write=write, bulk=False)

    @contextlib.contextmanager
    def _transaction(self, *, write: bool, bulk: bool) -> Iterator[SQLCursor]:
        """``bulk``: a failed commit raises the library's IntegrityError, as its own writes do."""
        with self.datastore.get_connection(commit=write) as connection:
            raw = connection.cursor().sqlite_cursor  # the sqlite3 cursor itself (rowcount, speed)
            if bulk:  # the log then holds only this transaction's pages, which a failure gives back
                _truncate_wal(raw)
            if write:
                raw.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
            raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield SQLCursor(raw, numbered_placeholders=False)
            except BaseException:
                _roll_back(connection, raw, write=write)
                raise
            if not write:
                connection.rollback()
                return
            try:
                connection.commit()
            except sqlite3.Error as error:
                _roll_back(connection, raw, write=write)
                if not bulk or not isinstance(error, sqlite3.IntegrityError):
                    raise
                raise IntegrityError(error) from error

    @contextlib.contextmanager
    def bulk_transaction(self) -> Iterator[BulkTransaction]:
        with self._transaction(write=True, bulk=True) as cursor:
            yield BulkTransaction(self, cursor)

    def insert_batch(self, cursor: SQLCursor, stored_events: Sequence[StoredEvent], recorders: Sequence[str] | None = None) -> list[int]:
        """One ``executemany`` per batch. Under ``BEGIN IMMEDIATE`` nobody else inserts, and SQLite
        gives a rowid table's new rows max(rowid)+1, +2, …; the final max(rowid) confirms it."""
        (before,) = cursor.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {self.events_table}").fetchone() or (0,)
        first = before + 1
        cursor.executemany(
            self.insert_events_statement,
            [(s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id, s.originator_version, s.topic, s.state) for s in stored_events],
        )
        (last,) = cursor.execute(f"SELECT MAX(rowid) FROM {self.events_table}").fetchone() or (0,)
        if last - first + 1 != len(stored_events):
            raise IntegrityError(f"rowids {first}..{last} do not match {len(stored_events)} inserted events")
        return list(range(first, last + 1))


def _roll_back(connection: Any, raw: sqlite3.Cursor, *, write: bool) -> None:
    """Roll the transaction back; after a write, also empty the write-ahead log, so that the pages
    a failed write spilled there — a full disk's worth, when the disk filled — are given back and
    the store stays readable."""
    connection.rollback()
    if write:
        _truncate_wal(raw)


def _truncate_wal(raw: sqlite3.Cursor) -> None:
    """Copy the write-ahead log's committed pages into the database and empty the log (best
    effort: a log another connection is reading is left to the next checkpoint). Before a bulk
    write too, so that what its failure leaves in the log is only its own pages: a log still
    holding committed pages could not be emptied on a full disk (the database could not grow to
    take them)."""
    with contextlib.suppress(sqlite3.Error):
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


READ_ONLY = "?mode=ro"
"""The URI query a SQLite file is opened read-only with."""


def database_name(path: str) -> str:
    """What the library opens for the SQLite file at ``path``: the path itself, or — when the
    file exists but this process cannot write it or create the journal and WAL beside it (a
    0444 file, a 0555 folder, a read-only mount) — a read-only URI. Where no journal can be made
    beside it and it has no write-ahead log to read, ``immutable`` (SQLite then takes no locks
    and needs no shared-memory file: nobody can be writing a file on a read-only mount); a file
    with a log is read with it, which needs its ``-shm`` beside it (else the opening says so)."""
    file = Path(path)
    if not file.is_file() or (os.access(file, os.W_OK) and os.access(file.parent, os.W_OK)):
        return path
    log = file.with_name(file.name + "-wal")
    immutable = not os.access(file.parent, os.W_OK) and not (log.exists() and log.stat().st_size)
    return f"{file.resolve().as_uri()}{READ_ONLY}{'&immutable=1' if immutable else ''}"


def _opened_read_only(name: str) -> bool:
    return name.startswith("file:") and READ_ONLY in name


def _file_of(name: str) -> Path:
    """The file a database name (a path or a ``file:`` URI) opens."""
    return Path(unquote(urlparse(name).path)) if name.startswith("file:") else Path(name)


def _recorded_format(path: Path) -> int | None:
    if not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
            if connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FORMAT_TABLE,)).fetchone() is None:
                return None
            row = connection.execute(f"SELECT version FROM {FORMAT_TABLE} WHERE id = 1").fetchone()
    except sqlite3.Error:
        return None
    return int(row[0]) if row else None
