"""caseledger's recorders pass the eventsourcing library's own application-recorder test case,
and every insert they accept is covered by an intact hash chain."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import ApplicationRecorderTestCase

from caseledger.domain.integrity.chain import GENESIS, leaf_hash, node_hash
from caseledger.domain.store.postgres import ChainedPostgresRecorder
from caseledger.domain.store.sqlite import ChainedSQLiteRecorder
from tests.support.postgres import PostgresServer


def assert_chain_intact(rows: list[tuple[int, bytes, bytes]], events: dict[int, tuple[uuid.UUID, int, str, bytes]]) -> None:
    head = GENESIS
    assert [row[0] for row in rows] == sorted(events)
    for position, leaf, stored_head in rows:
        originator_id, version, topic, state = events[position]
        assert bytes(leaf) == leaf_hash(position, originator_id, version, topic, bytes(state))
        head = node_hash(head, bytes(leaf))
        assert bytes(stored_head) == head


class TestChainedSQLiteRecorder(ApplicationRecorderTestCase[ChainedSQLiteRecorder]):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> None:
        self.path = tmp_path / "recorder.db"

    def create_recorder(self) -> ChainedSQLiteRecorder:
        recorder = ChainedSQLiteRecorder(SQLiteDatastore(str(self.path), pool_size=20, lock_timeout=60))
        recorder.create_table()
        return recorder

    def tearDown(self) -> None:
        recorder = self.create_recorder()
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute("SELECT position, leaf, head FROM cl_chain ORDER BY position")
            rows = [tuple(row) for row in cursor.fetchall()]
            cursor.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events")
            events = {row[0]: (uuid.UUID(row[1]), row[2], row[3], row[4]) for row in cursor.fetchall()}
        assert_chain_intact(rows, events)
        super().tearDown()


class TestChainedPostgresRecorder(ApplicationRecorderTestCase[ChainedPostgresRecorder]):
    EXPECT_CONTIGUOUS_NOTIFICATION_IDS = False

    @pytest.fixture(autouse=True)
    def _server(self, postgres_server: PostgresServer) -> None:
        self.server = postgres_server
        self.database = f"r_{uuid.uuid4().hex[:12]}"
        postgres_server.create_database(self.database)

    def create_recorder(self) -> ChainedPostgresRecorder:
        datastore = PostgresDatastore(
            dbname=self.database,
            host=self.server.host,
            port=self.server.port,
            user=self.server.user,
            password=self.server.password,
            pool_size=20,
            max_overflow=20,
            lock_timeout=60,
        )
        recorder = ChainedPostgresRecorder(datastore, events_table_name="caseledger_events")
        recorder.create_table()
        return recorder

    def tearDown(self) -> None:
        with self.server.connect(self.database) as connection:
            rows = connection.execute("SELECT position, leaf, head FROM cl_chain ORDER BY position").fetchall()
            events = {
                row[0]: (row[1], row[2], row[3], row[4])
                for row in connection.execute("SELECT notification_id, originator_id, originator_version, topic, state FROM caseledger_events")
            }
        assert_chain_intact(rows, events)
        super().tearDown()


del ApplicationRecorderTestCase
