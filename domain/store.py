"""Where the ledger lives: ``--store`` URLs, the eventsourcing Application, and atomic bulk writes.

Two backends, one behaviour:

* ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db`` (SQLAlchemy's convention:
  the path is what follows the third slash). The default is ``caseledger.db`` in the user data
  directory (platformdirs), or ``$CASELEDGER_STORE``.
* ``postgresql://user[:password]@host[:port]/dbname[?schema=name]``.

Both are the ``eventsourcing`` library's own recorders (``stored_events`` in SQLite,
``caseledger_events`` in PostgreSQL) with :class:`domain.mapper.LedgerMapper` in place of the
JSON transcoder. :class:`BulkTransaction` adds what the library lacks: many batches of inserts
in **one** transaction (an import is all-or-nothing), holding the write lock from the start so
the state validated against cannot change underneath.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlparse
from uuid import UUID

import platformdirs
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, InternalError, Mapper, Notification, ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from domain.aggregates import OffenderCase, Officer
from domain.chain import append_sqlite
from domain.chained import append_postgres
from domain.errors import StoreURLError
from domain.mapper import LedgerMapper

APP_NAME = "caseledger"

BULK_CACHE_KIB = 128 * 1024
"""SQLite page cache for bulk writes: the primary-key index of a million random UUIDs needs it."""


def default_store_url() -> str:
    """``$CASELEDGER_STORE``, else a SQLite file in the user data directory."""
    configured = os.environ.get("CASELEDGER_STORE")
    if configured:
        return configured
    path = Path(platformdirs.user_data_dir(APP_NAME)) / "caseledger.db"
    return f"sqlite:///{path}"


def encryption_env() -> dict[str, str]:
    """Encryption at rest of event payloads, when a key is configured: ``$CASELEDGER_KEY`` (the
    key itself, base64, as ``eventsourcing.cryptography.AESCipher.create_key`` makes it) or
    ``$CASELEDGER_KEY_FILE`` (a file holding it). AES-GCM via the library's cipher on the
    ``cryptography`` package; the hash chain covers the ciphertext, so ``verify`` needs no key."""
    key = os.environ.get("CASELEDGER_KEY")
    key_file = os.environ.get("CASELEDGER_KEY_FILE")
    if not key and key_file:
        try:
            key = Path(key_file).read_text().strip()
        except OSError as error:
            raise StoreURLError(f"CASELEDGER_KEY_FILE {key_file}: {error.strerror}") from None
    if not key:
        return {}
    return {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher", "CIPHER_KEY": key}


def store_env(url: str) -> dict[str, str]:
    """The eventsourcing environment variables that select and configure the store at ``url``."""
    return {**_backend_env(url), **encryption_env()}


def _backend_env(url: str) -> dict[str, str]:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise StoreURLError(f"{url!r}: expected sqlite:///path/to/file.db")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "60",
            "APPLICATION_RECORDER_TOPIC": "domain.chained:ChainedSQLiteRecorder",
        }
    if parsed.scheme in ("postgresql", "postgres"):
        if not parsed.hostname or not parsed.path.strip("/"):
            raise StoreURLError(f"{url!r}: expected postgresql://user@host:port/dbname")
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parsed.path.strip("/")),
            "POSTGRES_HOST": parsed.hostname,
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or os.environ.get("USER", "postgres")),
            "POSTGRES_PASSWORD": unquote(parsed.password or os.environ.get("PGPASSWORD", "")),
            "POSTGRES_LOCK_TIMEOUT": "60",
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "0",
            "APPLICATION_RECORDER_TOPIC": "domain.chained:ChainedPostgresRecorder",
        }
        schema = parse_qs(parsed.query).get("schema")
        if schema:
            env["POSTGRES_SCHEMA"] = schema[0]
        return env
    raise StoreURLError(f"{url!r}: the store must be a sqlite:/// or postgresql:// URL")


class LedgerApplication(Application[UUID]):
    """The eventsourcing Application holding the whole ledger, with the msgspec mapper.

    Offender cases and officers are snapshotted every 50 versions, so a command on a long-lived
    case reads a snapshot and the events after it instead of replaying the whole case."""

    name = APP_NAME
    snapshotting_intervals: ClassVar[dict[type[Aggregate], int]] = {OffenderCase: 50, Officer: 50}

    def construct_mapper(self) -> Mapper[UUID]:
        return LedgerMapper(compressor=self.factory.compressor(), cipher=self.factory.cipher())

    @property
    def ledger_mapper(self) -> LedgerMapper:
        """The mapper, typed (the library types it as its base class)."""
        assert isinstance(self.mapper, LedgerMapper)
        return self.mapper

    def head_position(self) -> int:
        """The highest log position, 0 for an empty store."""
        return self.recorder.max_notification_id() or 0


def open_application(url: str) -> LedgerApplication:
    """Open (creating tables if needed) the ledger stored at ``url``.

    Several processes opening one PostgreSQL store at once race on the library's
    ``CREATE OR REPLACE FUNCTION``/``CREATE TABLE IF NOT EXISTS`` ("tuple concurrently updated",
    duplicate catalog rows); the loser simply tries again."""
    env = store_env(url)
    for attempt in range(ATTEMPTS_TO_OPEN):
        try:
            return LedgerApplication(env=env)
        except (InternalError, IntegrityError, ProgrammingError):
            if attempt == ATTEMPTS_TO_OPEN - 1:
                raise
            time.sleep(random.uniform(0.05, 0.3))
    raise AssertionError("unreachable")


ATTEMPTS_TO_OPEN = 8


class BulkTransaction:
    """Inserts many batches of stored events in one transaction; positions come back per batch.

    Opened through :func:`bulk_transaction`. It takes the store's write lock first
    (``BEGIN IMMEDIATE`` in SQLite, the library's ``LOCK TABLE … EXCLUSIVE`` in PostgreSQL), so no
    other writer can commit between the state an import validated against and its own commit.
    """

    overlaps_writes = False
    """Whether inserting in a writer thread overlaps with the importer's work. True for
    PostgreSQL (the server works on the other core while Python waits on the socket); false
    for SQLite, whose inserts run in this process and contend for the GIL (measured slower)."""

    def insert(self, stored_events: Sequence[StoredEvent]) -> list[int]:
        """Insert ``stored_events`` in order; return their log positions."""
        raise NotImplementedError

    def read(self, position: int) -> StoredEvent | None:
        """The stored event at ``position``, seeing this transaction's own uncommitted rows."""
        raise NotImplementedError


class _SQLiteBulk(BulkTransaction):
    def __init__(self, recorder: SQLiteApplicationRecorder, cursor: Any) -> None:
        self.recorder = recorder
        self.cursor = cursor

    def insert(self, stored_events: Sequence[StoredEvent]) -> list[int]:
        """One ``executemany`` per batch. Under ``BEGIN IMMEDIATE`` nobody else inserts, and SQLite
        gives a rowid table's new rows max(rowid)+1, +2, …; the final max(rowid) confirms it."""
        if not stored_events:
            return []
        table = self.recorder.events_table_name
        self.cursor.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}")
        first = self.cursor.fetchone()[0] + 1
        self.cursor.executemany(
            self.recorder.insert_events_statement,
            [(s.originator_id.hex, s.originator_version, s.topic, s.state) for s in stored_events],  # type: ignore[union-attr]
        )
        self.cursor.execute(f"SELECT MAX(rowid) FROM {table}")
        last = self.cursor.fetchone()[0]
        if last - first + 1 != len(stored_events):
            raise IntegrityError(f"rowids {first}..{last} do not match {len(stored_events)} inserted events")
        positions = list(range(first, last + 1))
        append_sqlite(self.cursor, positions, stored_events)
        return positions

    def read(self, position: int) -> StoredEvent | None:
        self.cursor.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {self.recorder.events_table_name} WHERE rowid=?",
            (position,),
        )
        row = self.cursor.fetchone()
        if row is None:
            return None
        return StoredEvent(UUID(row[0]), row[1], row[2], row[3])


class _PostgresBulk(BulkTransaction):
    """Batches go in with ``COPY … FROM STDIN (FORMAT BINARY)``, several times cheaper than the
    library's ``INSERT … SELECT unnest(composite[])``. Under the exclusive table lock nobody else
    draws from the ``notification_id`` sequence, so a batch's positions are consecutive; the
    count of rows in that range confirms it."""

    overlaps_writes = True

    def __init__(self, recorder: PostgresApplicationRecorder, cursor: Any) -> None:
        from psycopg.sql import SQL, Identifier, Literal

        self.recorder = recorder
        self.cursor = cursor
        table = SQL("{}.{}").format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        qualified = f"{recorder.datastore.schema}.{recorder.events_table_name}"
        self.copy_statement = SQL("COPY {} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)").format(table)
        self.last_position = SQL("SELECT currval(pg_get_serial_sequence({}, 'notification_id')) AS last").format(Literal(qualified))
        self.count_range = SQL("SELECT COUNT(*) AS n FROM {} WHERE notification_id BETWEEN %s AND %s").format(table)
        self.read_statement = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {} WHERE notification_id=%s"
        ).format(table)
        self.chain_table = SQL("{}.{}").format(Identifier(recorder.datastore.schema), Identifier("cl_chain"))

    def insert(self, stored_events: Sequence[StoredEvent]) -> list[int]:
        if not stored_events:
            return []
        self.recorder._notify_channel(self.cursor)
        with self.cursor.copy(self.copy_statement) as copy:
            copy.set_types(["uuid", "int8", "text", "bytea"])
            for s in stored_events:
                copy.write_row((s.originator_id, s.originator_version, s.topic, s.state))
        self.cursor.execute(self.last_position)
        last = self.cursor.fetchone()["last"]
        first = last - len(stored_events) + 1
        self.cursor.execute(self.count_range, (first, last))
        if self.cursor.fetchone()["n"] != len(stored_events):
            raise IntegrityError(f"positions {first}..{last} are not the {len(stored_events)} events just copied")
        positions = list(range(first, last + 1))
        append_postgres(self.cursor, self.chain_table, positions, stored_events)
        return positions

    def read(self, position: int) -> StoredEvent | None:
        self.cursor.execute(self.read_statement, (position,))
        row = self.cursor.fetchone()
        if row is None:
            return None
        return StoredEvent(row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))


@contextlib.contextmanager
def bulk_transaction(app: LedgerApplication) -> Iterator[BulkTransaction]:
    """One write transaction for many batches: committed if the block ends normally, else rolled back."""
    recorder = app.recorder
    if isinstance(recorder, SQLiteApplicationRecorder):
        import sqlite3

        with recorder.datastore.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            cursor.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield _SQLiteBulk(recorder, cursor)
            except BaseException:
                connection.rollback()
                raise
            try:
                connection.commit()
            except sqlite3.IntegrityError as error:
                raise IntegrityError(error) from error
    elif isinstance(recorder, PostgresApplicationRecorder):
        with recorder.datastore.get_connection() as connection, connection.transaction():
            with connection.cursor() as cursor:
                recorder._lock_table(cursor)
                yield _PostgresBulk(recorder, cursor)
    else:
        raise StoreURLError(f"bulk writes are not supported by {type(recorder).__name__}")


def aggregate_notifications(app: LedgerApplication, aggregate_id: UUID) -> list[Notification]:
    """One aggregate's stored events *with their log positions* (the library's select_events has none)."""
    recorder = app.recorder
    if isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT rowid, originator_version, topic, state FROM {recorder.events_table_name} "
                "WHERE originator_id=? ORDER BY originator_version",
                (aggregate_id.hex,),
            )
            rows = [(row[0], row[1], row[2], row[3]) for row in cursor.fetchall()]
    elif isinstance(recorder, PostgresApplicationRecorder):
        from psycopg.sql import SQL, Identifier

        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                SQL(
                    "SELECT notification_id, originator_version, topic, state FROM {}.{} "
                    "WHERE originator_id=%s ORDER BY originator_version"
                ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)),
                (aggregate_id,),
            )
            rows = [(r["notification_id"], r["originator_version"], r["topic"], bytes(r["state"])) for r in cursor.fetchall()]
    else:
        raise StoreURLError(f"aggregate reads are not supported by {type(recorder).__name__}")
    return [Notification(id=pos, originator_id=aggregate_id, originator_version=ver, topic=topic, state=state) for pos, ver, topic, state in rows]


def topic_counts(app: LedgerApplication) -> dict[str, int]:
    """How many stored events of each type (one GROUP BY; no event is decoded)."""
    recorder = app.recorder
    if isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT topic, COUNT(*) FROM {recorder.events_table_name} GROUP BY topic")
            return {row[0]: row[1] for row in cursor.fetchall()}
    if isinstance(recorder, PostgresApplicationRecorder):
        from psycopg.sql import SQL, Identifier

        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                SQL("SELECT topic, COUNT(*) AS n FROM {}.{} GROUP BY topic").format(
                    Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
                )
            )
            return {row["topic"]: row["n"] for row in cursor.fetchall()}
    raise StoreURLError(f"counts are not supported by {type(recorder).__name__}")
