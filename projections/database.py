"""SQL access for the read models, one code path for SQLite and PostgreSQL.

The read models live in the same database as the event log (SQLite: the same file;
PostgreSQL: the same schema), so a catch-up batch can write its rows and its tracking
position in one local transaction. This module hides the two drivers' differences: the
placeholder style (``?`` is written everywhere and becomes ``%s`` for psycopg), row shapes
(plain tuples on both), table qualification, and reading raw stored events by position.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from domain.errors import StoreURLError
from domain.store import BULK_CACHE_KIB, LedgerApplication


class Cursor:
    """A cursor that takes ``?`` placeholders and returns tuples, on either backend."""

    def __init__(self, raw: Any, postgres: bool) -> None:
        self.raw = raw
        self.postgres = postgres

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.postgres else statement

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Cursor:
        self.raw.execute(self._sql(statement), params)
        return self

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.raw.executemany(self._sql(statement), rows)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.raw.fetchall()]

    def chunks(self, size: int = 2000) -> Iterator[list[tuple[Any, ...]]]:
        """The result in chunks: a long ``fetchall`` holds the GIL throughout, which would freeze a
        UI thread while a worker reads 200,000 facts; chunks let it run in between."""
        while True:
            rows = self.raw.fetchmany(size)
            if not rows:
                return
            yield [tuple(row) for row in rows]

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self.raw.fetchone()
        return None if row is None else tuple(row)

    @property
    def rowcount(self) -> int:
        return int(self.raw.rowcount)


class Database:
    """The ledger's database, for read-model tables and raw log reads."""

    def __init__(self, app: LedgerApplication) -> None:
        self.app = app
        recorder = app.recorder
        if isinstance(recorder, SQLiteApplicationRecorder):
            self.postgres = False
            self.events_table = recorder.events_table_name
            self.position_column = "rowid"
            self.schema_prefix = ""
        elif isinstance(recorder, PostgresApplicationRecorder):
            self.postgres = True
            self.schema_prefix = f'"{recorder.datastore.schema}".'
            self.events_table = f'{self.schema_prefix}"{recorder.events_table_name}"'
            self.position_column = "notification_id"
        else:
            raise StoreURLError(f"read models are not supported on {type(recorder).__name__}")
        self.recorder = recorder

    def table(self, name: str) -> str:
        """``name`` qualified with the store's schema (PostgreSQL) or as is (SQLite)."""
        return f"{self.schema_prefix}{name}"

    @contextlib.contextmanager
    def transaction(self, *, write: bool) -> Iterator[Cursor]:
        """One transaction: committed if the block ends normally (and ``write``), else rolled back."""
        if self.postgres:
            from psycopg.rows import tuple_row

            with self.recorder.datastore.get_connection() as connection:
                with connection.transaction(force_rollback=not write):
                    with connection.cursor(row_factory=tuple_row) as raw:
                        if not write:  # one snapshot for every statement of a read
                            raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                        yield Cursor(raw, postgres=True)
            return
        with self.recorder.datastore.get_connection(commit=write) as connection:
            raw = connection.cursor().sqlite_cursor  # the sqlite3 cursor itself (rowcount, speed)
            if write:
                raw.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
            raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Cursor(raw, postgres=False)
            except BaseException:
                connection.rollback()
                raise
            if write:
                connection.commit()
            else:
                connection.rollback()

    def stored_after(self, after: int, limit: int) -> list[tuple[int, str, bytes]]:
        """Up to ``limit`` stored events after ``after``: (position, topic, state), in order.

        Reads the three columns projections need, without building the library's Notification
        objects (whose UUID conversion alone costs more than decoding the event)."""
        with self.transaction(write=False) as cursor:
            cursor.execute(
                f"SELECT {self.position_column}, topic, state FROM {self.events_table} "
                f"WHERE {self.position_column} > ? ORDER BY {self.position_column} LIMIT ?",
                (after, limit),
            )
            return [(row[0], row[1], bytes(row[2])) for row in cursor.fetchall()]
