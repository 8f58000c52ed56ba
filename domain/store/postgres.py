"""The PostgreSQL backend: the library's PostgreSQL application recorder with the ledger's interface.

Events are ``<schema>.<events table>`` (position = ``notification_id``), the chain
``<schema>.cl_chain``, the store's format ``<schema>.cl_format``, read models beside them in the
same schema. The library's private hooks (its table lock and NOTIFY) are called only here,
inside the recorder that owns them.

The write lock (:func:`~caseledger.domain.store.roles.lock_statement`) is waited for at most
``CASELEDGER_LOCK_TIMEOUT`` seconds (``lock_timeout``, and a ``statement_timeout`` on the lock
call alone), once: a writer behind a session that holds it on purpose fails with
:class:`WriteLockHeld`, which the library's retry of connection failures does not retry."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow, tuple_row
from psycopg.sql import SQL, Composed, Identifier, Literal

from caseledger.domain.errors import LedgerError, StoreURLError
from caseledger.domain.integrity.chain import CHAIN_TABLE
from caseledger.domain.settings import LOCK_TIMEOUT_VARIABLE
from caseledger.domain.store.backend import FORMAT_TABLE, BulkTransaction, DeadlockLost, LedgerRecorder, Preflight, SQLCursor
from caseledger.domain.store.keys import KEY_TABLE
from caseledger.domain.store.migrations import FORMAT_TABLE_COLUMNS
from caseledger.domain.store.roles import (
    ADMIN_ROLE,
    EVENTS_TABLE,
    PROJECTOR_ROLE,
    USER_ROLE,
    chain_trigger_statements,
    format_table_statement,
    grant_statements,
    identity_statements,
    lock_statement,
    member_test,
    owner_test,
    qualified,
    recorded_by_statements,
    tree_grant_statements,
)
from caseledger.domain.store.tree import TREE_TABLES, tree_tables

LOCK_WAITS = (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled)
"""What the server raises when the write lock's ``lock_timeout`` or ``statement_timeout`` ran out."""


class WriteLockHeld(LedgerError):
    """Another session held the events table's write lock longer than the lock timeout; nothing
    was recorded."""

    def __init__(self, seconds: int) -> None:
        super().__init__(
            f"another session holds the store's write lock: waited {seconds} s ({LOCK_TIMEOUT_VARIABLE}); nothing was recorded — "
            "try again, or ask the store's DBA which session holds it (pg_locks)"
        )


def _waited_for_the_lock(error: BaseException) -> bool:
    """Whether ``error`` (or the database error it translates) is a write lock wait that ran out."""
    return isinstance(error, LOCK_WAITS) or isinstance(error.__cause__, LOCK_WAITS)


class ChainedPostgresRecorder(PostgresApplicationRecorder, LedgerRecorder):
    """PostgreSQL recorder that appends to ``cl_chain`` while it holds the events table's lock.

    Tested with the library's own ``ApplicationRecorderTestCase`` (tests/domain/test_recorders.py)."""

    position_column = "notification_id"
    identity_column = "recorded_by"
    binary_type = "BYTEA"
    byte_order = '"C"'
    bulk_inserts_overlap = True
    transient_errors = (psycopg.Error,)
    conflict_errors = (psycopg.IntegrityError, DeadlockLost)
    """A deadlock the server broke by aborting this transaction is a race lost too: re-read, go on
    (:meth:`transaction` raises it as :class:`DeadlockLost`)."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql_create_statements.append(
            SQL("CREATE TABLE IF NOT EXISTS {}.{} (position BIGINT PRIMARY KEY, leaf BYTEA NOT NULL, head BYTEA NOT NULL, mac BYTEA)").format(
                Identifier(self.datastore.schema), Identifier(CHAIN_TABLE)
            )
        )
        self.sql_create_statements.append(format_table_statement(self.datastore.schema, FORMAT_TABLE, FORMAT_TABLE_COLUMNS))
        self.sql_create_statements.extend(SQL(statement).format() for statement in tree_tables(self.table, self.binary_type, "BIGINT"))
        self.sql_create_statements.extend(identity_statements(self.datastore.schema, events_table_name))
        self.lock_table_statements = [
            self._lock_timeout_statement,
            SQL("SET LOCAL statement_timeout = '{}s'").format(self.datastore.lock_timeout),
            lock_statement(self.datastore.schema),
            SQL("SET LOCAL statement_timeout TO DEFAULT"),
        ]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's insert — the write lock, NOTIFY, the events, then (in
        :meth:`_fetch_ids_after_insert_events`) their chain rows and leaves — in one transaction
        that any error rolls back. Not the library's own method: it pipelines the statements and,
        to keep psycopg's pipeline quiet, catches every error inside its transaction block and
        raises it only after the block has committed, which would record the events of a writer
        the chain or the tree refused. Retried as the library does — but a wait for the write lock
        that ran out is not retried (ten waits would stall a writer ten times as long): it is
        :class:`WriteLockHeld`."""
        if not stored_events:
            return None
        try:
            with self.datastore.get_connection() as connection, connection.transaction(), connection.cursor() as cursor:
                self._insert_stored_events(cursor, stored_events, **kwargs)
                return self._fetch_ids_after_insert_events(cursor, stored_events, **kwargs)
        except OperationalError as error:
            if _waited_for_the_lock(error):
                raise WriteLockHeld(self.datastore.lock_timeout) from None
            raise

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        """The library's tables and ours, on every opening by the owner: their ``IF NOT EXISTS``
        still queues for the events table's lock, so the wait is bounded as a writer's is."""
        try:
            curs.execute(self._lock_timeout_statement)
            super()._create_table(curs)
        except LOCK_WAITS:
            raise WriteLockHeld(self.datastore.lock_timeout) from None

    @functools.cached_property
    def _lock_timeout_statement(self) -> Composed:
        return SQL("SET LOCAL lock_timeout = '{}s'").format(self.datastore.lock_timeout)

    def _lock_table(self, curs: Cursor[DictRow]) -> None:
        """Take the write lock (see the module), or fail with :class:`WriteLockHeld`."""
        try:
            super()._lock_table(curs)
        except LOCK_WAITS:
            raise WriteLockHeld(self.datastore.lock_timeout) from None

    def _fetch_ids_after_insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if positions:
            self.append_chain(SQLCursor(curs, numbered_placeholders=True, dict_rows=True), positions, stored_events)
        return positions

    @classmethod
    def preflight(cls, env: dict[str, str]) -> Preflight:
        """Ask the server whether it is in recovery (a hot standby streaming from a primary), or the
        login may not create the store's tables (they exist, and another login owns them), and
        which format the store records — on one connection of its own; a server that cannot be
        reached or refuses the login is reported here, in one line without the password."""
        where = f"{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/{env['POSTGRES_DBNAME']}"
        schema = env.get("POSTGRES_SCHEMA") or "public"
        events = qualified(schema, EVENTS_TABLE)
        try:
            with psycopg.connect(
                host=env["POSTGRES_HOST"],
                port=int(env["POSTGRES_PORT"]),
                user=env["POSTGRES_USER"],
                password=env.get("POSTGRES_PASSWORD", ""),
                dbname=env["POSTGRES_DBNAME"],
                connect_timeout=10,
            ) as connection:
                row = connection.execute(
                    SQL("SELECT pg_is_in_recovery() OR (to_regclass({}) IS NOT NULL AND NOT {}), to_regclass({}) IS NOT NULL").format(
                        Literal(events), owner_test(events), Literal(qualified(schema, FORMAT_TABLE))
                    )
                ).fetchone()
                standby, has_format = (bool(row[0]), bool(row[1])) if row else (False, False)
                found = (
                    connection.execute(SQL("SELECT version FROM {}.{} WHERE id = 1").format(Identifier(schema), Identifier(FORMAT_TABLE))).fetchone()
                    if has_format
                    else None
                )
        except psycopg.OperationalError as error:
            reason = " ".join(str(error).split()).replace(env.get("POSTGRES_PASSWORD") or "\0", "***")
            raise StoreURLError(f"cannot open the PostgreSQL store at {where}: {reason}") from None
        return Preflight(standby=standby, store_format=int(found[0]) if found else None)

    @functools.cached_property
    def read_only(self) -> bool:
        with self.transaction(write=False) as cursor:
            row = cursor.execute("SELECT pg_is_in_recovery()").fetchone()
        return bool(row and row[0])

    @functools.cached_property
    def login(self) -> str | None:
        with self.transaction(write=False) as cursor:
            row = cursor.execute("SELECT session_user").fetchone()
        return str(row[0]) if row else None

    @functools.cached_property
    def owner(self) -> str | None:
        with self.datastore.get_connection() as connection, connection.cursor(row_factory=tuple_row) as cursor:
            row = cursor.execute(
                "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass(%s)", (qualified(self.datastore.schema, self.events_table_name),)
            ).fetchone()
        return str(row[0]) if row else None

    @functools.cached_property
    def owns_store(self) -> bool:
        return self._holds(owner_test(qualified(self.datastore.schema, self.events_table_name)))

    @functools.cached_property
    def writes_caches(self) -> bool:
        return self.owns_store or self._holds(member_test(PROJECTOR_ROLE))

    def _holds(self, test: Composed) -> bool:
        with self.datastore.get_connection() as connection, connection.cursor(row_factory=tuple_row) as cursor:
            row = cursor.execute(SQL("SELECT {}").format(test)).fetchone()
        return bool(row and row[0])

    def init_roles(self, *, users: Sequence[str], admins: Sequence[str], projectors: Sequence[str]) -> str:
        if not self.owns_store:
            raise StoreURLError(f"only the store's owner ({self.owner}) sets up its roles; this is {self.login}")
        schema = self.datastore.schema
        with self.datastore.get_connection() as connection, connection.transaction(), connection.cursor(row_factory=tuple_row) as cursor:
            tables = [
                str(name)
                for (name,) in cursor.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s AND NOT tablename = ANY(%s)",
                    (schema, [self.events_table_name, CHAIN_TABLE, KEY_TABLE, FORMAT_TABLE, *TREE_TABLES]),
                ).fetchall()
            ]
            for statement in grant_statements(schema, self.events_table_name, CHAIN_TABLE, tables):
                cursor.execute(statement)
            for group, logins in ((USER_ROLE, users), (ADMIN_ROLE, admins), (PROJECTOR_ROLE, projectors)):
                for login in logins:
                    cursor.execute(SQL("GRANT {} TO {}").format(Identifier(group), Identifier(login)))
        members = ", ".join(
            f"{group}: {', '.join(logins)}" for group, logins in ((USER_ROLE, users), (ADMIN_ROLE, admins), (PROJECTOR_ROLE, projectors)) if logins
        )
        return f"roles {USER_ROLE}, {ADMIN_ROLE}, {PROJECTOR_ROLE} granted on schema {schema} ({len(tables)} cache tables for the projector){'; ' + members if members else ''}"

    def table(self, name: str) -> str:
        return f'"{self.datastore.schema}".{name}'

    def table_exists(self, cursor: SQLCursor, name: str) -> bool:
        row = cursor.execute("SELECT to_regclass(?) IS NOT NULL", (self.table(name),)).fetchone()
        return bool(row and row[0])

    def has_column(self, cursor: SQLCursor, table: str, column: str) -> bool:
        found = cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?", (self.datastore.schema, table, column)
        ).fetchone()
        return found is not None

    def upgrade_to(self, cursor: SQLCursor, version: int) -> None:
        schema = self.datastore.schema
        statements = {
            3: recorded_by_statements(schema, self.events_table_name),
            4: chain_trigger_statements(schema, CHAIN_TABLE),
            6: tree_grant_statements(schema),
        }
        for statement in statements.get(version, []):
            cursor.raw.execute(statement)

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
                return
            raw.execute(self._lock_timeout_statement)  # a migration, a key's fingerprint, the read models
            try:
                yield SQLCursor(raw, numbered_placeholders=True)
            except LOCK_WAITS:
                raise WriteLockHeld(self.datastore.lock_timeout) from None
            except psycopg.errors.DeadlockDetected as error:
                raise DeadlockLost(str(error)) from error

    @contextlib.contextmanager
    def bulk_transaction(self) -> Iterator[BulkTransaction]:
        with self.datastore.get_connection() as connection, connection.transaction(), connection.cursor() as cursor:
            self._lock_table(cursor)
            yield BulkTransaction(self, SQLCursor(cursor, numbered_placeholders=True, dict_rows=True))

    def insert_batch(self, cursor: SQLCursor, stored_events: Sequence[StoredEvent], recorders: Sequence[str] | None = None) -> list[int]:
        """``COPY … FROM STDIN (FORMAT BINARY)``, several times cheaper than the library's
        ``INSERT … SELECT unnest(composite[])``. Under the exclusive table lock nobody else draws
        from the ``notification_id`` sequence, so a batch's positions are consecutive; the count
        of rows in that range confirms it."""
        raw: Cursor[DictRow] = cursor.raw
        self._notify_channel(raw)
        kept = ", recorded_by" if recorders is not None else ""
        with raw.copy(f"COPY {self.events_table} (originator_id, originator_version, topic, state{kept}) FROM STDIN (FORMAT BINARY)") as copy:
            if recorders is None:
                copy.set_types(["uuid", "int8", "text", "bytea"])
                for s in stored_events:
                    copy.write_row((s.originator_id, s.originator_version, s.topic, s.state))
            else:
                copy.set_types(["uuid", "int8", "text", "bytea", "text"])
                for s, name in zip(stored_events, recorders, strict=True):
                    copy.write_row((s.originator_id, s.originator_version, s.topic, s.state, name))
        sequence = f"{self.datastore.schema}.{self.events_table_name}"
        (last,) = cursor.execute("SELECT currval(pg_get_serial_sequence(?, 'notification_id'))", (sequence,)).fetchone() or (0,)
        first = last - len(stored_events) + 1
        (count,) = cursor.execute(f"SELECT COUNT(*) FROM {self.events_table} WHERE notification_id BETWEEN ? AND ?", (first, last)).fetchone() or (0,)
        if count != len(stored_events):
            raise IntegrityError(f"positions {first}..{last} are not the {len(stored_events)} events just copied")
        return list(range(first, last + 1))
