"""The Merkle log a store keeps (``cl_tree_leaves``, ``cl_tree_nodes``) is the tree an auditor
computes from ``caseledger events`` alone (:mod:`tests.support.auditor_tree`: the canonical leaf
as documented, RFC 6962's MTH written plainly), on both stores; and ``verify`` names a tree that
is not what its events give.

The log: the tamper tests' ledger (the scenario's 72 events, an add-on task at 73, at 74 the
retraction of position 33 — leaf 32, since a fresh store's positions count from 1 and leaves from
0), then the same log moved with ``import --keep-recorded`` after its recorders were rewritten to
three logins, and one more retraction recorded on the copy by its admin (a command, not an import).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from caseledger.domain.store.application import LedgerApplication
from tests.domain.conftest import scenario_ledger
from tests.domain.test_encryption import SCENARIO, cli
from tests.support.auditor_tree import canonical_leaves, kept_nodes, leaf_hash, mth, note_head, own_position, public_half
from tests.support.identity import recorder_for
from tests.support.in_process import Client
from tests.support.stores import NewStore
from tests.support.tampering import rewrite_consistently, sql


@pytest.fixture(autouse=True)
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user config folder (the cache key the ledger fixture's application seals with) that
    every in-process command of the test shares."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def exported(client: Client, url: str) -> list[bytes]:
    done = client.run(url, "events")
    assert done.returncode == 0, done.stderr
    return done.stdout.encode().splitlines()


def stored_tree(url: str) -> tuple[list[tuple[int, int, bytes]], list[tuple[int, int, bytes]]]:
    """(idx, position, leaf) of every ``cl_tree_leaves`` row in order, and (level, idx, hash) of
    every ``cl_tree_nodes`` row."""
    leaves = [(int(idx), int(position), bytes(leaf)) for idx, position, leaf in sql(url, "SELECT idx, position, leaf FROM cl_tree_leaves ORDER BY idx")]
    nodes = [(int(level), int(idx), bytes(node)) for level, idx, node in sql(url, "SELECT level, idx, hash FROM cl_tree_nodes ORDER BY level, idx")]
    return leaves, nodes


def assert_store_keeps_the_auditors_tree(url: str, client: Client, checkpoint: Path) -> list[bytes]:
    """The stored leaves, kept nodes and a fresh checkpoint's signed head (written to ``checkpoint``,
    its key beside it) against the export's own tree; the export's lines."""
    lines = exported(client, url)
    hashes = [leaf_hash(leaf) for leaf in canonical_leaves(lines)]
    leaves, nodes = stored_tree(url)
    assert [(idx, position) for idx, position, _ in leaves] == [(index, own_position(json.loads(line))) for index, line in enumerate(lines)]
    for (idx, position, leaf), expected in zip(leaves, hashes, strict=True):
        assert leaf == expected, f"leaf {idx} (position {position}) is not the auditor's"
    assert nodes == kept_nodes(hashes)
    assert client.run(url, "checkpoint", "--key", str(checkpoint.with_name("signing.pem")), "-o", str(checkpoint)).returncode == 0
    note = json.loads(checkpoint.read_bytes())["note"]
    assert note_head(note) == ("caseledger.log/" + hashes[0].hex()[:16], len(lines), mth(hashes))
    return lines


def test_the_stored_tree_is_the_one_computed_from_the_export(new_store: NewStore, config: Path, tmp_path: Path) -> None:
    url, _app = scenario_ledger(new_store())
    lines = assert_store_keeps_the_auditors_tree(url, Client("importer", config), tmp_path / "first.json")
    retraction = json.loads(lines[73])
    assert retraction["type"] == "EventRetracted" and retraction["position"] == 33  # the leaf names it as leaf 32
    assert b'"retracts_leaf":32' in canonical_leaves(lines)[73]

    # the same log recorded by three logins (the first, who records the first event, is the copy's
    # admin: on PostgreSQL the database login), moved into a second store; then a command there
    copy = new_store()
    recorders = (recorder_for(copy, "importer"), "clerk.a", "clerk.b")
    rewritten = [json.dumps({**json.loads(line), "recorded_by": recorders[index % 3]}).encode() for index, line in enumerate(lines)]
    (tmp_path / "moved.jsonl").write_bytes(b"\n".join(rewritten) + b"\n")
    admin = Client("importer", config)
    moved = admin.run(copy, "import", "--keep-recorded", str(tmp_path / "moved.jsonl"))
    assert moved.returncode == 0, moved.stderr
    target = own_position(json.loads(exported(admin, copy)[40]))
    assert admin.run(copy, "retract", str(target), "--reason", "entered on the wrong case").returncode == 0
    copied = assert_store_keeps_the_auditors_tree(copy, admin, tmp_path / "copy.json")
    assert len(copied) == 75 and {json.loads(line)["recorded_by"] for line in copied[:74]} == set(recorders)
    assert json.loads(copied[74])["position"] == target and b'"retracts_leaf":40' in canonical_leaves(copied)[74]
    assert b'"retracts_leaf":32' in canonical_leaves(copied)[73]  # the moved retraction names the same leaf


# --- tampering with the tree ------------------------------------------------------------------


def verified(url: str, config: Path) -> tuple[int, list[str]]:
    """``verify``'s exit code and its BROKEN lines."""
    done = Client("importer", config).run(url, "verify")
    assert "Traceback" not in done.said and "unexpected" not in done.said, done.said
    return done.returncode, [line for line in done.stdout.splitlines() if line.startswith("BROKEN")]


def test_the_untouched_ledger_verifies(ledger: tuple[str, LedgerApplication], config: Path) -> None:
    url, _app = ledger
    assert verified(url, config) == (0, [])


def test_an_edited_tree_leaf_is_named_at_its_position(ledger: tuple[str, LedgerApplication], config: Path) -> None:
    url, _app = ledger
    sql(url, "UPDATE cl_tree_leaves SET leaf = %s WHERE position = %s", (bytes(32), 40))
    code, broken = verified(url, config)
    assert code == 1 and len(broken) == 1
    assert broken[0].startswith("BROKEN at position 40: Merkle log:"), broken


def test_an_edited_event_is_named_by_the_tree_even_when_its_chain_was_rewritten_with_the_ledger_key(
    ledger: tuple[str, LedgerApplication], config: Path
) -> None:
    """An insider holding the ledger key rewrites the retraction's reason and recomputes the
    chain and its MACs from there, but leaves the tree: the chain alone finds nothing; the event's
    canonical leaf is no longer the one the tree holds. (One who rewrites the tree too is caught
    by a signed tree head: test_a_consistent_rewrite_of_chain_and_tree_is_caught_by_the_signed_tree_head.)"""
    url, app = ledger
    rewrite_consistently(url, 74, b"entered twice", b"entered thrice", key=app.ledger_key, tree=False)
    code, broken = verified(url, config)
    assert code == 1
    assert broken == ["BROKEN at position 74: Merkle log: the event does not give its tree leaf (edited, or its leaf was)"]


def test_an_edited_event_state_is_named(ledger: tuple[str, LedgerApplication], config: Path) -> None:
    url, _app = ledger
    [(state,)] = sql(url, "SELECT state FROM stored_events WHERE rowid = %s", (74,))
    sql(url, "UPDATE stored_events SET state = %s WHERE rowid = %s", (bytes(state).replace(b"entered twice", b"entered thrice"), 74))
    code, broken = verified(url, config)
    assert code == 1 and broken and all(line.startswith("BROKEN at position 74: ") for line in broken)
    assert any("Merkle log" in line for line in broken), broken


def test_a_deleted_last_tree_leaf_breaks_verify(ledger: tuple[str, LedgerApplication], config: Path) -> None:
    url, _app = ledger
    sql(url, "DELETE FROM cl_tree_leaves WHERE idx = (SELECT MAX(idx) FROM cl_tree_leaves)")
    code, broken = verified(url, config)
    assert code == 1 and len(broken) == 1 and "Merkle log" in broken[0], broken


def test_a_deleted_last_tree_leaf_with_consistent_nodes_is_named_at_its_event(ledger: tuple[str, LedgerApplication], config: Path) -> None:
    """Leaf 73 completes no kept node (the level-4 node over leaves 64–79 is not complete), so the
    73 leaves left are a consistent tree — the chain still holds event 74, the tree no longer does:
    a checkpoint signed now would sign a tree head without it."""
    url, _app = ledger
    sql(url, "DELETE FROM cl_tree_leaves WHERE idx = %s", (73,))
    code, broken = verified(url, config)
    assert code == 1 and any(line.startswith("BROKEN at position 74: Merkle log") for line in broken), broken


def test_a_rewritten_kept_node_is_named_at_the_event_that_completed_it(ledger: tuple[str, LedgerApplication], config: Path) -> None:
    """74 leaves keep four level-4 nodes (leaves 0–15, 16–31, 32–47, 48–63); the second zeroed is
    named at leaf 31's event, position 32 (positions 1–74 are leaves 0–73)."""
    url, _app = ledger
    _leaves, nodes = stored_tree(url)
    assert [(level, idx) for level, idx, _ in nodes] == [(4, 0), (4, 1), (4, 2), (4, 3)]
    sql(url, "UPDATE cl_tree_nodes SET hash = %s WHERE level = 4 AND idx = 1", (bytes(32),))
    code, broken = verified(url, config)
    assert code == 1 and len(broken) == 1 and broken[0].startswith("BROKEN at position 32: Merkle log: the stored node at level 4, index 1"), broken


def test_a_kept_node_that_is_no_hash_is_named_as_a_break(ledger: tuple[str, LedgerApplication], config: Path) -> None:
    url, _app = ledger
    sql(url, "UPDATE cl_tree_nodes SET hash = %s WHERE level = 4 AND idx = 3", (b"garbage",))
    code, broken = verified(url, config)
    assert code == 1 and len(broken) == 1 and "Merkle log" in broken[0], broken


def test_a_consistent_rewrite_of_chain_and_tree_is_caught_by_the_signed_tree_head(ledger: tuple[str, LedgerApplication], config: Path, tmp_path: Path) -> None:
    """The tree's hashing is public: an insider holding the ledger key who rewrites event 74 and
    then the chain, its MACs and the tree passes a plain ``verify``; the tree head signed before
    (74 leaves) no longer folds from the leaves, so ``verify --checkpoint`` names leaf 73's event."""
    url, app = ledger
    client = Client("importer", config)
    signed = tmp_path / "checkpoint.json"
    assert client.run(url, "checkpoint", "--key", str(tmp_path / "signing.pem"), "-o", str(signed)).returncode == 0
    public = public_half(tmp_path / "signing.pem")
    rewrite_consistently(url, 74, b"entered twice", b"entered thrice", key=app.ledger_key)
    assert verified(url, config)[0] == 0
    done = client.run(url, "verify", "--checkpoint", str(signed), "--public-key", str(public))
    assert done.returncode == 1
    assert "BROKEN at position 74: Merkle log: the tree up to the checkpoint differs from the tree it signed" in done.stdout, done.stdout


@pytest.mark.slow
def test_an_encrypted_store_moved_to_a_plain_one_keeps_the_tree_and_verifies_without_its_key_as_the_copy_does(
    sqlite_url: str, tmp_path: Path, config: Path
) -> None:
    """The scenario imported into an encrypted SQLite store (AES-GCM: its stored bytes are
    ciphertext), moved with ``events | import --keep-recorded`` into a plain one: the leaves, the
    kept nodes and so the root are the same (they hash the canonical form, not the stored bytes),
    and the plain copy verifies against the checkpoint signed on the encrypted store. Without its
    key, ``verify`` of the encrypted store says the tree was not checked against the events."""
    key = AESCipher.create_key(32)
    encrypted = cli(sqlite_url, "import", str(SCENARIO), key=key)
    assert encrypted.returncode == 0, encrypted.stderr
    signed = tmp_path / "checkpoint.json"
    assert cli(sqlite_url, "checkpoint", "--key", str(tmp_path / "signing.pem"), "-o", str(signed), key=key).returncode == 0
    exported_file = tmp_path / "events.jsonl"
    done = cli(sqlite_url, "events", key=key)
    assert done.returncode == 0, done.stderr
    exported_file.write_text(done.stdout)
    plain = f"sqlite:///{tmp_path}/plain.db"
    assert cli(plain, "import", "--keep-recorded", str(exported_file), key=None).returncode == 0
    assert stored_tree(plain) == stored_tree(sqlite_url)
    public = public_half(tmp_path / "signing.pem")
    copy = cli(plain, "verify", "--checkpoint", str(signed), "--public-key", str(public), key=None)
    assert copy.returncode == 0 and "its tree head matches (a moved copy" in copy.stdout, copy.stdout + copy.stderr
    keyless = cli(sqlite_url, "verify", key=None)
    assert keyless.returncode == 0 and "the Merkle log was not checked against the events" in keyless.stderr, keyless.stderr
