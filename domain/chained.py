"""The library's application recorders, extended to write the hash chain in the same transaction.

Selected through the library's ``APPLICATION_RECORDER_TOPIC`` (see :func:`domain.store.store_env`).
Both are tested with the library's own ``ApplicationRecorderTestCase`` (tests/test_recorders.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from domain.chain import CREATE_SQLITE, GENESIS, append_sqlite, chain_rows


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite recorder that appends each inserted event's leaf and head to ``cl_chain``."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), CREATE_SQLITE]

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        if positions:
            append_sqlite(c, positions, stored_events)
        return positions


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """PostgreSQL recorder that appends to ``cl_chain`` while it holds the events table's lock."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table = SQL("{}.{}").format(Identifier(self.datastore.schema), Identifier("cl_chain"))
        self.sql_create_statements.append(
            SQL("CREATE TABLE IF NOT EXISTS {} (position BIGINT PRIMARY KEY, leaf BYTEA NOT NULL, head BYTEA NOT NULL)").format(self.chain_table)
        )

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if positions:
            append_postgres(curs, self.chain_table, positions, stored_events)
        return positions


def append_postgres(curs: Any, chain_table: Any, positions: Sequence[int], stored_events: Sequence[StoredEvent]) -> None:
    """Write chain rows inside the inserting PostgreSQL transaction (the table lock is held)."""
    curs.execute(SQL("SELECT head FROM {} ORDER BY position DESC LIMIT 1").format(chain_table))
    row = curs.fetchone()
    previous = bytes(row["head"] if isinstance(row, dict) else row[0]) if row else GENESIS
    rows = chain_rows(previous, ((p, s.originator_id, s.originator_version, s.topic, s.state) for p, s in zip(positions, stored_events, strict=True)))
    curs.executemany(SQL("INSERT INTO {} VALUES (%s, %s, %s)").format(chain_table), rows)
