"""``verify --deep`` (issue #10): every cache recomputed from the log, the first difference named.

A consistent rewrite of the chain fools ``verify`` alone; the read models, built from what was
recorded, no longer match the rewritten log, so ``--deep`` names where; with the checkpoint the
rewrite itself is caught. A cache edited in a way the seals cannot see (a row's content changed
under its valid MAC is impossible without the key, so the test changes the log instead) is
named the same way. Both stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseledger.domain.settings import Settings
from caseledger.domain.store.application import open_application
from tests.support.cli import run_cli
from tests.support.paths import SCENARIO
from tests.support.tampering import rewrite_consistently, sql

pytestmark = pytest.mark.slow  # every test here starts processes

TRAVEL = 59
"""The scenario's position of po.adams' 720-minute travel booking."""


def test_deep_verification_passes_on_an_honest_store_and_names_a_consistent_rewrite(store_url: str, tmp_path: Path) -> None:
    assert run_cli(store_url, "import", str(SCENARIO)).returncode == 0
    for _ in range(2):  # the second time after the scratch of the first is gone: nothing was written to the store
        honest = run_cli(store_url, "verify", "--deep")
        assert honest.returncode == 0, honest.stdout + honest.stderr
        assert b"deep: every aggregate snapshot, world snapshot and read model equals its recomputation" in honest.stdout
    made = tmp_path / "checkpoint.json"
    assert run_cli(store_url, "checkpoint", "--key", str(tmp_path / "key.pem"), "--output", str(made)).returncode == 0

    rewrite_consistently(store_url, TRAVEL, b'"minutes":720', b'"minutes":72')
    shallow = run_cli(store_url, "verify")  # the public chain is consistent; the rewritten entries' MACs are not the ledger key's
    assert shallow.returncode == 1
    assert f"BROKEN at positions {TRAVEL}–".encode() in shallow.stdout and b"MAC is not the ledger key's" in shallow.stdout, shallow.stdout
    deep = run_cli(store_url, "verify", "--deep")
    assert deep.returncode == 1 and f"BROKEN at positions {TRAVEL}–".encode() in deep.stdout, deep.stdout

    # An insider holding the ledger key rewrites the entries' MACs too: the chain alone is then
    # consistent; a client that saw the old head, and the read models (built from what was
    # recorded), still tell.
    rewrite_consistently(store_url, TRAVEL, b'"minutes":72', b'"minutes":7', key=open_application(store_url).ledger_key)
    witnessed = run_cli(store_url, "verify")  # this user's clients saw the head at the last position
    assert witnessed.returncode == 1 and b": the chain head here is not the one this client saw" in witnessed.stdout, witnessed.stdout
    stranger = {"XDG_CONFIG_HOME": str(tmp_path / "stranger"), "CASELEDGER_CACHE_KEY_FILE": str(Settings.current().default_cache_key_file)}
    keyed = run_cli(store_url, "verify", env=stranger)  # a client that never read the store, holding the key
    assert keyed.returncode == 0, keyed.stdout
    deep = run_cli(store_url, "verify", "--deep", env=stranger)
    assert deep.returncode == 1
    assert f"CACHE DIFFERS: cl_addons {TRAVEL}: minutes differ (stored {{'minutes': 720}}".encode() in deep.stdout, deep.stdout
    pinned = run_cli(store_url, "verify", "--deep", "--checkpoint", str(made), "--public-key", str(tmp_path / "key.pem"))
    assert pinned.returncode == 1 and b"BROKEN at position 72: the log up to the checkpoint differs" in pinned.stdout, pinned.stdout


def test_deep_verification_names_a_forged_seal_and_a_world_snapshot(store_url: str) -> None:
    assert run_cli(store_url, "import", str(SCENARIO)).returncode == 0
    sql(store_url, "UPDATE cl_snapshots SET state = NULL")
    deep = run_cli(store_url, "verify", "--deep")
    assert deep.returncode == 1 and b"CACHE DIFFERS: cl_snapshots boundary" in deep.stdout, deep.stdout
