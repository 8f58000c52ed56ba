"""Issue #10, hole 3: an encrypted store keeps nothing identifying in plain text, anywhere.

The scenario is imported into an encrypted store and put through everything that writes to the
read side — a catch-up, every export (de-identified and not, at now and at a past cut), an
officer's screens, ``status``, ``verify --deep``, a retraction. Then the database's raw files are
read byte by byte (SQLite: the file, its WAL and shared memory; PostgreSQL: a cluster of its own,
checkpointed, its data files and its WAL) for every identifying value the scenario holds:
offender ids, officer ids and names, site codes and names, reasons, destinations, notes, CCLO ids,
police services and who recorded each event. None may appear. The same run on a plain store
finds them (so the scan can fail)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from caseledger.application.ledger import Ledger
from tests.support.cli import run_cli
from tests.support.paths import SCENARIO
from tests.support.postgres import throwaway_cluster

pytestmark = pytest.mark.slow  # every test here starts processes

IDENTIFYING = (
    "by",
    "site",
    "name",
    "officer",
    "offender",
    "destination",
    "note",
    "to_site",
    "reason",
    "destination_site",
    "covering_officer",
    "cclo",
    "police_service",
)


def identifying_values() -> set[bytes]:
    found: set[bytes] = set()
    for line in SCENARIO.read_text().splitlines():
        event = json.loads(line)
        found |= {str(event[field]).encode() for field in IDENTIFYING if field in event}
    return found


def exercise(url: str, key: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything that writes to the read side, run on the store at ``url``."""
    env = {"CASELEDGER_KEY": key} if key else {}
    assert run_cli(url, "import", str(SCENARIO), env=env).returncode == 0
    for export in (("workload",), ("addon_burden",), ("addon_burden", "--by", "site"), ("siu_stays", "--deidentify"), ("transfers", "--as-of", "2026-03-01")):
        done = run_cli(url, "export", *export, "--output", str(tmp_path / "out.csv"), "--force", env=env)
        assert done.returncode == 0, done.stderr
    assert run_cli(url, "retract", "5", "--reason", "a test retraction, Kingston", env=env).returncode == 0
    for command in (("status",), ("verify", "--deep"), ("history", "off-001")):
        assert run_cli(url, *command, env=env).returncode == 0
    if key:
        monkeypatch.setenv("CASELEDGER_KEY", key)
    session = Ledger.open(url, "po.adams")
    officer = session.officer_for("po.adams")
    assert session.week(officer) is not None and session.caseload(officer)


def leaks(files: Iterator[Path]) -> set[bytes]:
    """The identifying values found in the raw bytes of ``files``."""
    wanted, found = identifying_values(), set[bytes]()
    for path in files:
        raw = path.read_bytes()
        found |= {value for value in wanted if value in raw}
    return found


def sqlite_files(tmp_path: Path) -> Iterator[Path]:
    return (path for path in tmp_path.iterdir() if path.name.startswith("ledger.db"))


@pytest.mark.parametrize("encrypted", [True, False])
def test_a_sqlite_store_holds_nothing_identifying_in_plain_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encrypted: bool) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    exercise(url, AESCipher.create_key(32) if encrypted else None, tmp_path, monkeypatch)
    assert {path.name for path in sqlite_files(tmp_path)} >= {"ledger.db"}
    found = leaks(sqlite_files(tmp_path))
    if encrypted:
        assert found == set()
        keyless = run_cli(url, "status", env={"CASELEDGER_KEY": ""}).stdout.decode()  # status needs no key, and then cannot check the seals
        assert "sealed: not checked (this process does not hold the cache key the store records" in keyless and "WARNING" not in keyless
    else:
        assert {b"off-001", b"po.adams", b"Bath Institution", b"RCMP E Division"} <= found


def test_a_postgresql_store_holds_nothing_identifying_in_plain_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with throwaway_cluster() as server:
        url = server.create_database("encrypted")
        exercise(url, AESCipher.create_key(32), tmp_path, monkeypatch)
        with server.connect(autocommit=True) as connection:
            connection.execute("CHECKPOINT")
        data = Path(server.base_dir) / "data"
        with server.connect(dbname="encrypted") as connection:
            row = connection.execute("SELECT oid FROM pg_database WHERE datname = 'encrypted'").fetchone()
        assert row is not None
        files = [path for folder in (data / "base" / str(row[0]), data / "pg_wal") for path in folder.rglob("*") if path.is_file()]
        assert sum(os.path.getsize(path) for path in files) > 1_000_000
        assert leaks(iter(files)) == set()
