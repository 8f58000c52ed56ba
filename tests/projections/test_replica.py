"""Analysts' exports on a streaming read replica: a second PostgreSQL cluster made with
``pg_basebackup -R`` from the primary, read-only. The read models arrive by replication, so every
export runs there without writing (a hot standby refuses any write, so an export that tried
would fail), gives the primary's rows, follows new events, and writes are refused in one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from caseledger.application.exports import PROJECTION_NAMES
from tests.support.cli import run_cli
from tests.support.paths import SCENARIO
from tests.support.postgres import PostgresServer, streaming_replica, throwaway_cluster, wait_for_replay

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def primary() -> Iterator[PostgresServer]:
    with throwaway_cluster() as server:
        yield server


def rows_of(url: str, tmp_path: Path, name: str, *options: str) -> bytes:
    """The export's rows (its first line, the provenance with its generation time, left out)."""
    target = tmp_path / f"{name}-{abs(hash((url, options)))}.csv"
    done = run_cli(url, "export", name, "--as-of", "2026-03-20", "--output", str(target), "--force", *options)
    assert done.returncode == 0, done.stderr
    return target.read_bytes().split(b"\n", 1)[1]


def test_exports_on_a_streaming_replica_equal_the_primary_and_write_nothing(primary: PostgresServer, tmp_path: Path) -> None:
    url = primary.create_database("ledger")
    assert run_cli(url, "import", str(SCENARIO)).returncode == 0
    on_primary = {name: rows_of(url, tmp_path, name) for name in PROJECTION_NAMES}
    on_primary["deidentified"] = rows_of(url, tmp_path, "transfers", "--deidentify")  # makes the store's pseudonym key
    with streaming_replica(primary) as replica:
        wait_for_replay(primary, replica)
        replica_url = replica.url("ledger")
        with replica.connect(dbname="ledger") as connection:
            assert connection.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        for name in PROJECTION_NAMES:
            assert rows_of(replica_url, tmp_path, name) == on_primary[name], name
        assert rows_of(replica_url, tmp_path, "transfers", "--deidentify") == on_primary["deidentified"]

        task = tmp_path / "task.jsonl"
        task.write_text('{"type":"AddOnTaskLogged","occurred_at":"2026-03-19","by":"po.brown","officer":"po.brown","category":"clerical","minutes":45}\n')
        added = run_cli(url, "import", str(task))  # the primary's engine catches up after it
        assert added.returncode == 0, added.stderr
        wait_for_replay(primary, replica)
        assert rows_of(replica_url, tmp_path, "addon_burden") == rows_of(url, tmp_path, "addon_burden") != on_primary["addon_burden"]

        for args, message in (
            (("import", str(SCENARIO)), b"read-only replica: record on the primary"),
            (("rebuild",), b"a read replica cannot rebuild its read models: rebuild them on the primary"),
        ):
            refused = run_cli(replica_url, *args)
            assert refused.returncode == 2 and message in refused.stderr and b"Traceback" not in refused.stderr, refused.stderr
