"""Encryption at rest: payloads are ciphertext in the database, everything still works with the
key, ``verify`` works without it, and reading without it is a clear error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from caseledger.application.imports import import_lines
from caseledger.domain.integrity.verify import verify
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import read_log
from caseledger.projections.compute import compute, find
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import load_rules
from tests.domain.test_tamper import sql
from tests.support.paths import ROOT

SCENARIO = ROOT / "fixtures" / "scenario.jsonl"


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
    keyless = open_application(store_url)
    assert verify(keyless).ok  # the chain covers the ciphertext: auditors need no key
    result = subprocess.run(
        [sys.executable, "-m", "caseledger.cli.main", "--store", store_url, "events"],
        capture_output=True,
        check=False,
        text=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("CASELEDGER_KEY")},
        timeout=120,
    )
    assert result.returncode == 2 and "set CASELEDGER_KEY" in result.stderr
