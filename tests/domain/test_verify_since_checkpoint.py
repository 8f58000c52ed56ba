"""``verify --since-checkpoint``: trust what a signed checkpoint covered, walk only what came after.

Hand-checked on the tamper tests' ledger (the scenario's 72 events, an add-on task at 73 and a
retraction at 74; the checkpoint signs position 74), grown by three add-on tasks (75–77):
since the checkpoint, 4 events are walked (the checkpoint's own, 74, and 75–77).
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from caseledger.domain.integrity.checkpoint import check, make_checkpoint
from caseledger.domain.store.application import LedgerApplication, open_application
from tests.support.cli import run_cli
from tests.support.commands import ScriptedService
from tests.support.tampering import sql, truncate_tail


def grow(app: LedgerApplication, tasks: int = 3) -> None:
    service = ScriptedService(app, "importer")
    for minutes in range(tasks):
        service.log_addon_task("po.chen", "clerical", 10 + minutes, occurred_at="2026-03-21")


def test_a_grown_log_passes_and_only_the_events_after_the_checkpoint_are_walked(ledger: tuple[str, LedgerApplication], tmp_path: Path) -> None:
    _url, app = ledger
    made = make_checkpoint(app, tmp_path / "key.pem")
    assert made.position == 74
    grow(app)
    verdict = check(app, made, since=True)
    assert verdict.ok and verdict.events == 4 and verdict.head_position == 77
    assert verdict.head == check(app, made).head  # the same head the full walk reaches


def test_tampering_after_the_checkpoint_is_caught_and_before_it_only_by_the_full_walk(ledger: tuple[str, LedgerApplication], tmp_path: Path) -> None:
    url, app = ledger
    made = make_checkpoint(app, tmp_path / "key.pem")
    grow(app)
    state = bytes(sql(url, "SELECT state FROM stored_events WHERE rowid = %s", (76,))[0][0])
    sql(url, "UPDATE stored_events SET state = %s WHERE rowid = %s", (state.replace(b'"', b"'", 1), 76))
    after = check(open_application(url), made, since=True)
    assert not after.ok and after.broken_at == 76
    sql(url, "UPDATE stored_events SET state = %s WHERE rowid = %s", (state, 76))  # undone
    early = bytes(sql(url, "SELECT state FROM stored_events WHERE rowid = %s", (40,))[0][0])
    sql(url, "UPDATE stored_events SET state = %s WHERE rowid = %s", (early.replace(b'"', b"'", 1), 40))
    reopened = open_application(url)
    assert check(reopened, made, since=True).ok  # trusted: the checkpoint covered it
    full = check(reopened, made)
    assert not full.ok and full.broken_at == 40


def test_a_truncated_or_replaced_tail_is_caught_at_the_checkpoint(ledger: tuple[str, LedgerApplication], tmp_path: Path) -> None:
    url, app = ledger
    made = make_checkpoint(app, tmp_path / "key.pem")
    truncate_tail(url, made.position - 3)
    truncated = check(open_application(url), made, since=True)
    assert not truncated.ok and truncated.broken_at == made.position and "truncated" in truncated.reason
    grow(open_application(url), tasks=5)  # a consistent forged tail over the checkpoint's position
    replaced = check(open_application(url), made, since=True)
    # SQLite reuses the freed positions, so 74 holds a forged event ("differs"); PostgreSQL's
    # sequence moves on, so 74 is simply gone ("truncated"): caught at the checkpoint either way
    assert not replaced.ok and replaced.broken_at == made.position
    assert ("differs" if url.startswith("sqlite") else "truncated") in replaced.reason


@pytest.mark.slow
def test_the_command_line_verifies_since_a_checkpoint_and_refuses_the_flag_alone(ledger: tuple[str, LedgerApplication], tmp_path: Path) -> None:
    url, app = ledger
    made = make_checkpoint(app, tmp_path / "key.pem")
    (tmp_path / "cp.json").write_bytes(msgspec.json.encode(made))
    grow(app)
    result = run_cli(url, "verify", "--checkpoint", str(tmp_path / "cp.json"), "--since-checkpoint", text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("intact: 4 events from the checkpoint on, head position 77,")
    alone = run_cli(url, "verify", "--since-checkpoint", text=True)
    assert alone.returncode == 2
    assert alone.stderr.strip() == "caseledger: --since-checkpoint needs --checkpoint FILE (the signed head to start from)"


def test_a_checkpoint_of_the_first_event_walks_from_the_start(store_url: str, tmp_path: Path) -> None:
    app = open_application(store_url)
    service = ScriptedService(app, "tester")
    service.register_site("KPO", "Kingston Parole Office", "community_office", "ontario", "America/Toronto", occurred_at="2026-01-05")
    made = make_checkpoint(app, tmp_path / "key.pem")
    assert made.position == 1
    service.register_site("CCC1", "Portsmouth CCC", "ccc", "ontario", "America/Toronto", occurred_at="2026-01-05")
    verdict = check(app, made, since=True)
    assert verdict.ok and verdict.events == 2 and verdict.head_position == 2


def test_a_rewritten_checkpoint_event_with_a_rewritten_chain_leaf_is_caught(ledger: tuple[str, LedgerApplication], tmp_path: Path) -> None:
    """The chain rows live in the database too: an insider who rewrites the checkpoint's event and
    recomputes its leaf in ``cl_chain`` (keeping the head) must still be caught."""
    from caseledger.domain.integrity.chain import leaf_hash

    url, app = ledger
    made = make_checkpoint(app, tmp_path / "key.pem")
    grow(app)
    originator, version, topic, state = sql(
        url, "SELECT originator_id, originator_version, topic, state FROM stored_events WHERE rowid = %s", (made.position,)
    )[0]
    forged = bytes(state).replace(b"entered twice", b"entered twice!")
    assert forged != bytes(state)
    sql(url, "UPDATE stored_events SET state = %s WHERE rowid = %s", (forged, made.position))
    sql(url, "UPDATE cl_chain SET leaf = %s WHERE position = %s", (leaf_hash(made.position, originator, version, topic, forged), made.position))
    verdict = check(open_application(url), made, since=True)
    assert not verdict.ok and verdict.broken_at == made.position and "differs" in verdict.reason


def test_a_checkpoint_of_an_empty_store_passes_once_the_log_grew(store_url: str, tmp_path: Path) -> None:
    app = open_application(store_url)
    made = make_checkpoint(app, tmp_path / "key.pem")
    assert made.position == 0
    ScriptedService(app, "tester").register_site("KPO", "Kingston Parole Office", "community_office", "ontario", "America/Toronto", occurred_at="2026-01-05")
    assert check(app, made).ok and check(app, made, since=True).ok


@pytest.mark.slow
def test_a_checkpoint_file_out_of_range_is_refused_in_one_line(ledger: tuple[str, LedgerApplication], tmp_path: Path) -> None:
    url, app = ledger
    made = make_checkpoint(app, tmp_path / "key.pem")
    for position in (2**63, -1):
        (tmp_path / "cp.json").write_bytes(msgspec.json.encode(msgspec.structs.replace(made, position=position)))
        result = run_cli(url, "verify", "--checkpoint", str(tmp_path / "cp.json"), "--since-checkpoint", text=True)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr.startswith("caseledger: ") and "not a caseledger checkpoint" in result.stderr and result.stderr.count("\n") == 1
