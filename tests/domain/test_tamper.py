"""Tamper evidence on real stores: every tampering in the list is caught, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from caseledger.domain.integrity.checkpoint import CheckpointError, check, make_checkpoint
from caseledger.domain.integrity.verify import verify
from caseledger.domain.store.application import LedgerApplication, open_application
from tests.support.cli import run_cli
from tests.support.commands import ScriptedService
from tests.support.tampering import sql, truncate_tail


def flip_a_byte(url: str) -> int:
    state = bytes(sql(url, "SELECT state FROM stored_events WHERE rowid = %s", (40,))[0][0])
    changed = state.replace(b'"', b"'", 1)
    sql(url, "UPDATE stored_events SET state = %s WHERE rowid = %s", (changed, 40))
    return 40


def delete_a_row(url: str) -> int:
    sql(url, "DELETE FROM stored_events WHERE rowid = %s", (30,))
    return 30


def delete_a_row_and_its_chain_entry(url: str) -> int:
    sql(url, "DELETE FROM stored_events WHERE rowid = %s", (30,))
    sql(url, "DELETE FROM cl_chain WHERE position = %s", (30,))
    return 31


def swap_two_rows(url: str) -> int:
    first = bytes(sql(url, "SELECT state FROM stored_events WHERE rowid = %s", (20,))[0][0])
    second = bytes(sql(url, "SELECT state FROM stored_events WHERE rowid = %s", (21,))[0][0])
    sql(url, "UPDATE stored_events SET state = %s WHERE rowid = %s", (second, 20))
    sql(url, "UPDATE stored_events SET state = %s WHERE rowid = %s", (first, 21))
    return 20


TAMPERINGS: dict[str, Callable[[str], int]] = {
    "one byte changed": flip_a_byte,
    "a row deleted": delete_a_row,
    "a row and its chain entry deleted": delete_a_row_and_its_chain_entry,
    "two rows swapped": swap_two_rows,
}


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_tampering_is_caught_at_its_position(ledger: tuple[str, LedgerApplication], tampering: str) -> None:
    url, _app = ledger
    expected = TAMPERINGS[tampering](url)
    verdict = verify(open_application(url))
    assert not verdict.ok
    assert verdict.broken_at == expected, verdict.reason


def test_a_truncated_tail_is_caught_against_a_checkpoint(ledger: tuple[str, LedgerApplication], tmp_path: Path) -> None:
    url, app = ledger
    made = make_checkpoint(app, tmp_path / "key.pem")
    truncate_tail(url, made.position - 3)
    reopened = open_application(url)
    assert verify(reopened).ok  # consistent on its own…
    verdict = check(reopened, made)
    assert not verdict.ok and verdict.broken_at == made.position and "truncated" in verdict.reason


def test_a_replaced_tail_is_caught_against_a_checkpoint(ledger: tuple[str, LedgerApplication], tmp_path: Path) -> None:
    url, app = ledger
    made = make_checkpoint(app, tmp_path / "key.pem")
    truncate_tail(url, made.position - 3)
    forger = ScriptedService(open_application(url), "importer")
    for minutes in (5, 6, 7, 8):
        forger.log_addon_task("po.chen", "other", minutes, occurred_at="2026-03-20")
    reopened = open_application(url)
    assert verify(reopened).ok
    verdict = check(reopened, made)
    assert not verdict.ok and verdict.broken_at == made.position


def test_a_log_that_only_grew_passes_its_checkpoint(ledger: tuple[str, LedgerApplication], tmp_path: Path) -> None:
    _url, app = ledger
    made = make_checkpoint(app, tmp_path / "key.pem")
    ScriptedService(app, "importer").log_addon_task("po.chen", "clerical", 30, occurred_at="2026-03-20")
    assert check(app, made).ok


def test_a_forged_or_reattributed_checkpoint_is_refused(ledger: tuple[str, LedgerApplication], tmp_path: Path) -> None:
    import msgspec

    _url, app = ledger
    made = make_checkpoint(app, tmp_path / "key.pem")
    forged = msgspec.structs.replace(made, head="00" * 32)
    with pytest.raises(CheckpointError, match="signature does not match"):
        check(app, forged)
    other = make_checkpoint(app, tmp_path / "other.pem")
    with pytest.raises(CheckpointError, match="different key"):
        check(app, other, pinned=made.public_key)


@pytest.mark.slow
def test_the_command_line_names_the_first_broken_position(ledger: tuple[str, LedgerApplication], tmp_path: Path) -> None:
    url, _ = ledger

    key = tmp_path / "key.pem"
    made = run_cli(url, "checkpoint", "--key", str(key), "--output", str(tmp_path / "cp.json"), text=True)
    assert made.returncode == 0, made.stderr
    assert run_cli(url, "verify", "--checkpoint", str(tmp_path / "cp.json"), "--public-key", str(key), text=True).returncode == 0
    flip_a_byte(url)
    broken = run_cli(url, "verify", text=True)
    assert broken.returncode == 1
    assert broken.stdout.startswith("BROKEN at position 40: the event's stored bytes differ")
