"""Issue #10, hole 1: a forged aggregate snapshot cannot let forbidden events into the log.

The forger edits the database, not the program: it rewrites a snapshot's JSON (keeping the
bytes that were there before it) or invents a snapshot for an offender who was never admitted.
It does not hold the cache key, kept outside the database, so it cannot make the MAC. The
import that the forgery would have let through is refused as if the snapshot were not there,
the forgery is reported and deleted, and the log is unchanged."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import StoredEvent

from caseledger.domain.model.aggregates import OffenderCase, User, entity_id
from caseledger.domain.model.recording import actor_of
from caseledger.domain.secrets.mac import MAC_SIZE
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.snapshots import SealedSnapshotStore
from caseledger.domain.store.views import StoreView
from tests.support.cli import run_cli, verified
from tests.support.stores import NewStore
from tests.support.world import open_ledger, seed_world


def _snapshot_rows(url: str, key: str) -> list[tuple[int, bytes]]:
    app, _ = open_ledger(url)
    recorder, case = app.ledger_recorder, entity_id(OffenderCase.KIND, key)
    with recorder.transaction(write=False) as cursor:
        rows = cursor.execute(
            f"SELECT originator_version, state FROM {recorder.table(app.snapshots_table)} WHERE originator_id = ? ORDER BY originator_version",
            (recorder.stored_id(case),),
        ).fetchall()
    return [(int(version), bytes(state)) for version, state in rows]


def _write_snapshot(url: str, key: str, version: int, state: bytes) -> None:
    app, _ = open_ledger(url)
    recorder, case = app.ledger_recorder, entity_id(OffenderCase.KIND, key)
    with recorder.transaction(write=True) as cursor:
        table = recorder.table(app.snapshots_table)
        cursor.execute(f"DELETE FROM {table} WHERE originator_id = ? AND originator_version = ?", (recorder.stored_id(case), version))
        cursor.execute(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", (recorder.stored_id(case), version, "snapshot:OffenderCase", state))


def _forged(genuine: bytes, **changes: object) -> bytes:
    """The genuine snapshot with its state edited, its MAC bytes left as they were."""
    envelope = json.loads(genuine[MAC_SIZE:])
    envelope["state"].update(changes)
    return genuine[:MAC_SIZE] + json.dumps(envelope).encode()


def _snapshotted(url: str, *, in_siu: bool = False) -> LedgerApplication:
    """The tiny world with O1 past 50 versions, so it has a snapshot at version 50 (taken while in
    an SIU stay when ``in_siu``)."""
    app, service = open_ledger(url)
    seed_world(service)
    if in_siu:
        service.start_siu_placement("O1", "assault", occurred_at="2026-01-07")
    for index in range(55 - in_siu):
        service.assign_case("O1", ("po1", "po2")[index % 2], occurred_at="2026-01-08")
    return app


def _count(url: str) -> int:
    app, _ = open_ledger(url)
    return app.head_position()


@pytest.mark.slow
def test_a_forged_snapshot_is_not_trusted(store_url: str, tmp_path: Path) -> None:
    _snapshotted(store_url)
    [(version, genuine)] = _snapshot_rows(store_url, "O1")
    assert version == 50 and json.loads(genuine[MAC_SIZE:])["state"]["in_siu"] is False
    _write_snapshot(store_url, "O1", version, _forged(genuine, in_siu=True, pending_transfer_sites=["PEN"]))
    before, head = verified(store_url), _count(store_url)

    lines = tmp_path / "forbidden.jsonl"
    lines.write_text(
        '{"type":"SIUPlacementEnded","occurred_at":"2026-01-09","by":"po1","offender":"O1","outcome":"mainstream"}\n'
        '{"type":"TransferCompleted","occurred_at":"2026-01-09","by":"po1","offender":"O1"}\n'
    )
    done = run_cli(store_url, "import", str(lines))
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert "version 50 fails its MAC" in stderr and "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("caseledger: line 1: "), stderr
    assert verified(store_url) == before and _count(store_url) == head
    assert len(_snapshot_rows(store_url, "O1")) == 1  # reported, not deleted (by `rebuild`, below) ...
    shown = run_cli(store_url, "history", "O1")
    assert shown.returncode == 0 and b"Traceback" not in shown.stderr  # ... and the case still loads from its events


@pytest.mark.slow
def test_an_invented_snapshot_does_not_admit_an_offender(store_url: str, tmp_path: Path) -> None:
    _snapshotted(store_url)
    [(_version, genuine)] = _snapshot_rows(store_url, "O1")
    _write_snapshot(store_url, "GHOST", 50, _forged(genuine, offender="GHOST"))  # copied from O1, MAC and all
    head = _count(store_url)
    lines = tmp_path / "ghost.jsonl"
    lines.write_text('{"type":"CaseAssigned","occurred_at":"2026-01-09","by":"po1","offender":"GHOST","officer":"po1"}\n')
    done = run_cli(store_url, "import", str(lines))
    assert done.returncode == 2, done.stderr
    assert b"fails its MAC" in done.stderr and b"Traceback" not in done.stderr
    assert _count(store_url) == head


def test_the_genuine_snapshot_is_used(store_url: str) -> None:
    """The MAC does not stop honest snapshots: the repository restores O1 from its snapshot
    (made visible by giving the snapshot a state the events do not have, MAC recomputed as the
    store's own key would)."""
    app = _snapshotted(store_url)
    [(version, genuine)] = _snapshot_rows(store_url, "O1")
    envelope = json.loads(genuine[MAC_SIZE:])
    envelope["state"]["supervision_notes_marker"] = "from the snapshot"
    state = json.dumps(envelope).encode()
    case = entity_id(OffenderCase.KIND, "O1")
    assert isinstance(app.snapshots, SealedSnapshotStore)
    mac = app.snapshots.mac(StoredEvent(case, version, "snapshot:OffenderCase", state))
    _write_snapshot(store_url, "O1", version, mac + state)
    fresh, _ = open_ledger(store_url)
    restored: OffenderCase = fresh.repository.get(case)
    assert vars(restored)["supervision_notes_marker"] == "from the snapshot"
    assert restored.version == 56


@pytest.mark.slow
def test_rebuild_deletes_forged_snapshots_and_a_new_cache_key_is_adopted_only_when_asked(sqlite_url: str, tmp_path: Path) -> None:
    _snapshotted(sqlite_url)
    [(version, genuine)] = _snapshot_rows(sqlite_url, "O1")
    _write_snapshot(sqlite_url, "O1", version, _forged(genuine, in_siu=True))
    rebuilt = run_cli(sqlite_url, "rebuild")
    assert rebuilt.returncode == 0 and b"deleted 1 aggregate snapshots that failed their MAC" in rebuilt.stderr
    assert _snapshot_rows(sqlite_url, "O1") == []

    other_key = tmp_path / "other-cache-key"
    other_key.write_text(base64.b64encode(b"k" * 32).decode())
    elsewhere = {"CASELEDGER_CACHE_KEY_FILE": str(other_key)}
    refused = run_cli(sqlite_url, "export", "workload", env=elsewhere)
    assert refused.returncode == 2 and b"this store's caches are sealed with another cache key" in refused.stderr
    assert run_cli(sqlite_url, "rebuild", "--new-cache-key", env=elsewhere).returncode == 0
    assert run_cli(sqlite_url, "export", "workload", env=elsewhere).returncode == 0
    assert b"sealed with another cache key" in run_cli(sqlite_url, "export", "workload").stderr  # the old key is now the other one


@pytest.mark.slow
def test_deep_verification_names_a_forged_and_an_unfaithful_snapshot(sqlite_url: str) -> None:
    """A snapshot with a wrong MAC is named by ``verify --deep``; so is one sealed with the
    store's own key whose state is not what the events give (a bug, or someone holding the key)."""
    app = _snapshotted(sqlite_url)
    assert run_cli(sqlite_url, "verify", "--deep").returncode == 0
    [(version, genuine)] = _snapshot_rows(sqlite_url, "O1")
    envelope = json.loads(genuine[MAC_SIZE:])
    envelope["state"]["officer"] = "cpo"
    state = json.dumps(envelope).encode()
    case = entity_id(OffenderCase.KIND, "O1")
    assert isinstance(app.snapshots, SealedSnapshotStore)
    _write_snapshot(sqlite_url, "O1", version, app.snapshots.mac(StoredEvent(case, version, "snapshot:OffenderCase", state)) + state)
    unfaithful = run_cli(sqlite_url, "verify", "--deep")
    assert unfaithful.returncode == 1 and f"CACHE DIFFERS: stored_snapshots {case} v50: its state is not what".encode() in unfaithful.stdout
    _write_snapshot(sqlite_url, "O1", version, _forged(genuine, officer="cpo"))
    forged = run_cli(sqlite_url, "verify", "--deep")
    assert forged.returncode == 1 and f"CACHE DIFFERS: stored_snapshots {case} v50: fails its MAC".encode() in forged.stdout


@pytest.mark.slow
def test_a_snapshot_copied_from_another_store_with_the_same_cache_key_is_not_trusted(new_store: NewStore, tmp_path: Path) -> None:
    """The reviewer's attack: two stores of one user share the cache key; in the second, O1's
    version 50 follows an SIU placement. Its snapshot, MAC and all, copied into the first, must
    not let the first end a stay it never began: the MAC binds the chain head of this log."""
    honest, other = new_store(), new_store()
    _snapshotted(honest)
    _snapshotted(other, in_siu=True)
    [(version, copied)] = _snapshot_rows(other, "O1")
    assert json.loads(copied[MAC_SIZE:])["state"]["in_siu"] is True
    _write_snapshot(honest, "O1", version, copied)
    _write_snapshot(honest, "GHOST", version, copied)  # and for an offender the first store never admitted
    head = _count(honest)
    lines = tmp_path / "forbidden.jsonl"
    lines.write_text('{"type":"SIUPlacementEnded","occurred_at":"2026-01-09","by":"po1","offender":"O1","outcome":"mainstream"}\n')
    done = run_cli(honest, "import", str(lines))
    assert done.returncode == 2 and b"fails its MAC" in done.stderr and b"Traceback" not in done.stderr, done.stderr
    ghost = tmp_path / "ghost.jsonl"
    ghost.write_text('{"type":"CaseAssigned","occurred_at":"2026-01-09","by":"po1","offender":"GHOST","officer":"po1"}\n')
    assert run_cli(honest, "import", str(ghost)).returncode == 2
    assert _count(honest) == head
    rebuilt = run_cli(honest, "rebuild")
    assert b"deleted 2 aggregate snapshots that failed their MAC" in rebuilt.stderr


def test_a_sealed_snapshot_of_a_users_roles_is_never_used(store_url: str) -> None:
    """A holder of the cache key (the projector login) seals a snapshot of po.chen's User
    aggregate with the admin role added. caseledger never snapshots users, so it is not read:
    po.chen's roles are what the events say."""
    app, service = open_ledger(store_url)
    seed_world(service)
    service.grant("po.chen", "officer")
    user: User = app.repository.get(entity_id(User.KIND, "po.chen"))
    assert isinstance(user, User)
    user.roles = user.roles | {("admin", None)}
    assert app.snapshots is not None
    app.snapshots.put([Snapshot.take(user)])  # sealed with the cache key: its MAC is valid
    assert len(list(app.snapshots.recorder.select_events(user.id))) == 1
    chen = actor_of(StoreView(open_ledger(store_url)[0]), "po.chen")
    assert (chen.roles, chen.admin) == (frozenset({("officer", None)}), False)
