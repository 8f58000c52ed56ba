"""Encryption at rest: payloads are ciphertext in the database, everything still works with the
key, ``verify`` works without it, and reading without it is a clear error."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from caseledger.application.imports import import_lines
from caseledger.domain.errors import StoreURLError
from caseledger.domain.integrity.verify import verify
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import read_log
from caseledger.projections.engine.compute import compute, find
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import load_rules
from tests.support.cli import run_cli
from tests.support.paths import ROOT
from tests.support.tampering import sql

SCENARIO = ROOT / "fixtures" / "scenario.jsonl"


def cli(url: str, *args: str, key: str | None) -> subprocess.CompletedProcess[str]:
    """``caseledger --store url ARGS`` run as a process with ``key`` as its only key (or none)."""
    without_keys = {k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_KEY")}
    return run_cli(url, *args, base_env=without_keys, env={"CASELEDGER_KEY": key} if key else None, text=True)


@pytest.mark.slow
def test_payloads_are_encrypted_and_everything_still_works(store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file = tmp_path / "store.key"
    key_file.write_text(AESCipher.create_key(32))
    monkeypatch.setenv("CASELEDGER_KEY_FILE", str(key_file))
    app = open_application(store_url)
    import_lines(app, SCENARIO.read_bytes().splitlines(), "importer")
    states = [bytes(row[0]) for row in sql(store_url, "SELECT state FROM stored_events")]
    assert len(states) == 72 and not any(b"po.adams" in state or b"off-001" in state for state in states)
    assert next(read_log(app)).envelope.data.site == "on-hyb"
    rows = compute(app, find("transfers"), View(), load_rules("current")).rows
    assert {row["offender"] for row in rows} == {"off-003", "off-005"}
    monkeypatch.delenv("CASELEDGER_KEY_FILE")
    keyless = open_application(store_url, payloads=False)
    assert verify(keyless).ok  # the chain covers the ciphertext: auditors need no key
    result = cli(store_url, "events", key=None)
    assert result.returncode == 2 and "set CASELEDGER_KEY" in result.stderr


@pytest.mark.slow
def test_an_import_without_the_key_or_with_another_is_refused_before_it_writes(store_url: str, tmp_path: Path) -> None:
    """An import run without the key (or with a wrong one) stored its events in plain JSON beside
    the encrypted ones and broke the store for the right key. Now both are refused in one line
    when the store opens, and the store still reads with its key; a plain store refuses a key."""
    key, other = AESCipher.create_key(32), AESCipher.create_key(32)
    assert cli(store_url, "import", str(SCENARIO), key=key).returncode == 0
    before = cli(store_url, "verify", key=None).stdout
    for attempt, message in ((None, "this store is encrypted (key sha256:"), (other, "this store is encrypted with another key (sha256:")):
        done = cli(store_url, "import", str(SCENARIO), key=attempt)
        assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
        assert cli(store_url, "verify", key=None).stdout == before  # nothing was written
    events = cli(store_url, "events", key=key)
    assert events.returncode == 0 and len(events.stdout.splitlines()) == 72


@pytest.mark.slow
def test_a_plain_store_refuses_a_key_and_an_older_store_learns_its_key_from_its_events(sqlite_url: str) -> None:
    key = AESCipher.create_key(32)
    plain = sqlite_url
    app = open_application(plain)
    import_lines(app, SCENARIO.read_bytes().splitlines(), "importer")
    refused = cli(plain, "events", key=key)
    assert refused.returncode == 2 and "this store is not encrypted" in refused.stderr
    sql(plain, "DROP TABLE cl_store_key")  # a store made before the fingerprint was recorded
    wrong = cli(plain, "events", key=key)
    assert wrong.returncode == 2 and "do not decrypt with the key given" in wrong.stderr
    again = cli(plain, "events", key=None)
    assert again.returncode == 0 and len(again.stdout.splitlines()) == 72
    assert sql(plain, "SELECT fingerprint FROM cl_store_key WHERE id = 1") == [("not encrypted",)]


def test_an_older_encrypted_store_opened_without_its_key_is_not_taken_for_a_plain_one(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a key the ciphertext is not decrypted at all: the first event must still decode,
    or the store would be recorded as plain and its own key refused from then on."""
    monkeypatch.setenv("CASELEDGER_KEY", AESCipher.create_key(32))
    import_lines(open_application(sqlite_url), SCENARIO.read_bytes().splitlines(), "importer")
    sql(sqlite_url, "DROP TABLE cl_store_key")
    monkeypatch.delenv("CASELEDGER_KEY")
    with pytest.raises(StoreURLError, match="do not decrypt with the key given"):
        open_application(sqlite_url)
    assert sql(sqlite_url, "SELECT name FROM sqlite_master WHERE name = 'cl_store_key'") == []
