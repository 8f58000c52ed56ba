"""The PostgreSQL backend: the library's PostgreSQL application recorder with the ledger's interface.

Events are ``<schema>.<events table>`` (position = ``notification_id``), the chain
``<schema>.cl_chain``, read models beside them in the same schema. The library's private hooks
(its table lock and NOTIFY) are called only here, inside the recorder that owns them."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Identifier

from caseledger.domain.errors import StoreURLError
from caseledger.domain.integrity.chain import CHAIN_TABLE
from caseledger.domain.store.backend import BulkTransaction, LedgerRecorder, SQLCursor


class ChainedPostgresRecorder(PostgresApplicationRecorder, LedgerRecorder):
    """PostgreSQL recorder that appends to ``cl_chain`` while it holds the events table's lock.

    Tested with the library's own ``ApplicationRecorderTestCase`` (tests/domain/test_recorders.py)."""

    position_column = "notification_id"
    binary_type = "BYTEA"
    byte_order = '"C"'
    bulk_inserts_overlap = True
    transient_errors = (psycopg.Error,)
    conflict_errors = (psycopg.IntegrityError, psycopg.errors.DeadlockDetected)
    """A deadlock the server broke by aborting this transaction is a race lost too: re-read, go on."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql_create_statements.append(
            SQL("CREATE TABLE IF NOT EXISTS {}.{} (position BIGINT PRIMARY KEY, leaf BYTEA NOT NULL, head BYTEA NOT NULL)").format(
                Identifier(self.datastore.schema), Identifier(CHAIN_TABLE)
            )
        )

    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if positions:
            self.append_chain(SQLCursor(curs, numbered_placeholders=True, dict_rows=True), positions, stored_events)
        return positions

    @classmethod
    def standby(cls, env: dict[str, str]) -> bool:
        """Ask the server whether it is in recovery (a hot standby streaming from a primary) —
        the first connection, so a server that cannot be reached or refuses the login is reported
        here, in one line without the password."""
        where = f"{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/{env['POSTGRES_DBNAME']}"
        try:
            with psycopg.connect(
                host=env["POSTGRES_HOST"],
                port=int(env["POSTGRES_PORT"]),
                user=env["POSTGRES_USER"],
                password=env.get("POSTGRES_PASSWORD", ""),
                dbname=env["POSTGRES_DBNAME"],
                connect_timeout=10,
            ) as connection:
                row = connection.execute("SELECT pg_is_in_recovery()").fetchone()
        except psycopg.OperationalError as error:
            reason = " ".join(str(error).split()).replace(env.get("POSTGRES_PASSWORD") or "\0", "***")
            raise StoreURLError(f"cannot open the PostgreSQL store at {where}: {reason}") from None
        return bool(row and row[0])

    @functools.cached_property
    def read_only(self) -> bool:
        with self.transaction(write=False) as cursor:
            row = cursor.execute("SELECT pg_is_in_recovery()").fetchone()
        return bool(row and row[0])

    def table(self, name: str) -> str:
        return f'"{self.datastore.schema}".{name}'

    def has_table(self, name: str) -> bool:
        with self.transaction(write=False) as cursor:
            row = cursor.execute("SELECT to_regclass(?) IS NOT NULL", (self.table(name),)).fetchone()
        return bool(row and row[0])

    @property
    def events_table(self) -> str:
        return f'"{self.datastore.schema}"."{self.events_table_name}"'

    @contextlib.contextmanager
    def transaction(self, *, write: bool) -> Iterator[SQLCursor]:
        with (
            self.datastore.get_connection() as connection,
            connection.transaction(force_rollback=not write),
            connection.cursor(row_factory=tuple_row) as raw,
        ):
            if not write:  # one snapshot for every statement of a read
                raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield SQLCursor(raw, numbered_placeholders=True)

    @contextlib.contextmanager
    def bulk_transaction(self) -> Iterator[BulkTransaction]:
        with self.datastore.get_connection() as connection, connection.transaction(), connection.cursor() as cursor:
            self._lock_table(cursor)
            yield BulkTransaction(self, SQLCursor(cursor, numbered_placeholders=True, dict_rows=True))

    def insert_batch(self, cursor: SQLCursor, stored_events: Sequence[StoredEvent]) -> list[int]:
        """``COPY … FROM STDIN (FORMAT BINARY)``, several times cheaper than the library's
        ``INSERT … SELECT unnest(composite[])``. Under the exclusive table lock nobody else draws
        from the ``notification_id`` sequence, so a batch's positions are consecutive; the count
        of rows in that range confirms it."""
        raw: Cursor[DictRow] = cursor.raw
        self._notify_channel(raw)
        with raw.copy(f"COPY {self.events_table} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["uuid", "int8", "text", "bytea"])
            for s in stored_events:
                copy.write_row((s.originator_id, s.originator_version, s.topic, s.state))
        sequence = f"{self.datastore.schema}.{self.events_table_name}"
        (last,) = cursor.execute("SELECT currval(pg_get_serial_sequence(?, 'notification_id'))", (sequence,)).fetchone() or (0,)
        first = last - len(stored_events) + 1
        (count,) = cursor.execute(f"SELECT COUNT(*) FROM {self.events_table} WHERE notification_id BETWEEN ? AND ?", (first, last)).fetchone() or (0,)
        if count != len(stored_events):
            raise IntegrityError(f"positions {first}..{last} are not the {len(stored_events)} events just copied")
        return list(range(first, last + 1))
