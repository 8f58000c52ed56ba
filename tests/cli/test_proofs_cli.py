"""What a keyless auditor runs against the Merkle log (issue #25, point 1): ``verify-file``,
``prove``, ``verify --checkpoint OLD --checkpoint NEW``, and a store moved SQLite → PostgreSQL →
SQLite checked against the first store's checkpoint. The command line runs in-process; every
proof is checked again here with :mod:`tests.support.auditor_tree` (the RFC's recursions written
plainly, over the canonical leaves of ``caseledger events``), never with the product's verifiers.

Worked by hand on the tamper tests' ledger (74 events: the scenario's 72, an add-on task at 73,
at 74 the retraction of position 33; a fresh store numbers positions from 1, leaves from 0):

* the tree of 74 leaves splits into perfect subtrees of 64, 8 and 2. Leaf 73's audit path is
  leaf 72, then [64, 72), then [0, 64): 3 hashes. Leaf 0's is [1, 2), [2, 4), … [32, 64) — six —
  then [64, 74): 7 hashes.
* grown by three add-on tasks (75–77), RFC 9162 §2.1.4's SUBPROOF(74, D[0:77], true):
  74 > 64 → SUBPROOF(10, D[64:77], false) : MTH(D[0:64]); 10 > 8 → SUBPROOF(2, D[72:77], false) :
  MTH(D[64:72]); 2 ≤ 4 → SUBPROOF(2, D[72:76], false) : MTH(D[76:77]); 2 ≤ 2 → SUBPROOF(2,
  D[72:74], false) : MTH(D[74:76]); m = n, not whole → MTH(D[72:74]). The proof, in order:
  MTH(D[72:74]), MTH(D[74:76]), MTH(D[76:77]), MTH(D[64:72]), MTH(D[0:64]) — 5 hashes.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from caseledger.domain.store.application import LedgerApplication
from tests.domain.conftest import scenario_ledger
from tests.support.auditor_tree import canonical_leaves, leaf_hash, mth, note_head, own_position, public_half, root_from_path
from tests.support.commands import ScriptedService
from tests.support.forgery import append_by_hand
from tests.support.in_process import Client, Done
from tests.support.stores import NewStore
from tests.support.tampering import sql


@pytest.fixture(autouse=True)
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Client:
    """The ledger fixture's admin on SQLite (on PostgreSQL the store's URL names the login), with
    the user config folder the fixture's application seals its caches with."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return Client("importer", tmp_path / "config")


@pytest.fixture
def ledger(store_url: str, client: Client) -> tuple[str, LedgerApplication]:
    """The tamper tests' ledger (:func:`tests.domain.conftest.scenario_ledger`), on each store."""
    return scenario_ledger(store_url)


def signed(client: Client, url: str, key: Path, output: Path) -> Path:
    """``checkpoint --key KEY -o OUTPUT`` (the key is made on first use)."""
    done = client.run(url, "checkpoint", "--key", str(key), "-o", str(output))
    assert done.returncode == 0, done.stderr
    return output


def exported(client: Client, url: str) -> list[bytes]:
    done = client.run(url, "events")
    assert done.returncode == 0, done.stderr
    return done.stdout.encode().splitlines()


def grow(app: LedgerApplication, tasks: int) -> None:
    service = ScriptedService(app, "importer")
    for minutes in range(tasks):
        service.log_addon_task("po.chen", "clerical", 10 + minutes, occurred_at="2026-03-21")


def one_line_refusal(done: Done, *words: str) -> None:
    """Exit 2, one line on standard error naming ``words``, nothing on standard output."""
    lines = done.stderr.splitlines()
    assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("caseledger: "), done.said
    assert all(word in lines[0] for word in words), lines[0]
    assert "Traceback" not in done.said and "unexpected" not in done.said and not done.stdout


# --- verify-file ------------------------------------------------------------------------------


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def test_verify_file_checks_an_export_against_a_checkpoint_without_a_store(ledger: tuple[str, LedgerApplication], client: Client, tmp_path: Path) -> None:
    url, app = ledger
    checkpoint = signed(client, url, tmp_path / "signing.pem", tmp_path / "checkpoint.json")
    pin = public_half(tmp_path / "signing.pem")
    lines = exported(client, url)
    assert len(lines) == 74
    nowhere = tmp_path / "no-store.db"

    def verify_file(name: str, content: list[bytes], *, key: Path = checkpoint) -> Done:
        done = client.run(f"sqlite:///{nowhere}", "verify-file", str(write(tmp_path / name, content)), "--checkpoint", str(key), "--public-key", str(pin))
        assert not nowhere.exists()  # no store was opened, not even the one named
        return done

    good = verify_file("events.jsonl", lines)
    assert (good.returncode, good.stdout) == (0, f"ok: the first 74 events of {tmp_path / 'events.jsonl'} are the log the checkpoint signed\n"), good.said

    review = lines[32]  # position 33: po.brown's 45-minute review, the one retracted at 74
    assert b'"minutes":45' in review
    edited = [*lines[:32], review.replace(b'"minutes":45', b'"minutes":46'), *lines[33:]]
    swapped = [*lines[:9], lines[10], lines[9], *lines[11:]]
    repointed = [*lines[:73], lines[73].replace(b'"position":33', b'"position":34')]  # the retraction names another event
    for name, content in (("edited", edited), ("swapped", swapped), ("repointed", repointed)):
        differs = verify_file(f"{name}.jsonl", content)
        assert (differs.returncode, differs.stdout) == (1, "DIFFERS: its first 74 events are not the log the checkpoint signed\n"), (name, differs.said)
    dropped = verify_file("dropped.jsonl", [*lines[:19], *lines[20:]])
    assert (dropped.returncode, dropped.stdout) == (1, "DIFFERS: the file holds 73 events, fewer than the checkpoint's 74\n"), dropped.said

    one_line_refusal(verify_file("not-json.jsonl", [*lines[:9], b"{not json", *lines[9:]]), "line 10")

    grow(app, 3)
    grown = exported(client, url)
    longer = verify_file("grown.jsonl", grown)
    assert longer.returncode == 0 and longer.stdout.endswith("are the log the checkpoint signed; 3 more events follow it\n"), longer.said
    # a dropped line is found by the root, not only by the count, when the file is long enough
    dropped_from_grown = verify_file("dropped-grown.jsonl", [*grown[:19], *grown[20:]])
    assert (dropped_from_grown.returncode, dropped_from_grown.stdout) == (1, "DIFFERS: its first 74 events are not the log the checkpoint signed\n")

    other = signed(client, url, tmp_path / "other.pem", tmp_path / "other-checkpoint.json")
    one_line_refusal(verify_file("events.jsonl", lines, key=other), str(other), "not signed by caseledger.log/")


# --- prove ------------------------------------------------------------------------------------


def proof_of(client: Client, url: str, position: int, checkpoint: Path, pin: Path) -> dict[str, Any]:
    done = client.run(url, "prove", str(position), "--checkpoint", str(checkpoint), "--public-key", str(pin))
    assert done.returncode == 0 and not done.stderr, done.said
    document = json.loads(done.stdout)
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize(("position", "path_length"), [(1, 7), (33, 7), (74, 3)])
def test_prove_gives_a_path_an_auditor_checks_against_the_signed_root(
    ledger: tuple[str, LedgerApplication], client: Client, tmp_path: Path, position: int, path_length: int
) -> None:
    url, _app = ledger
    checkpoint = signed(client, url, tmp_path / "signing.pem", tmp_path / "checkpoint.json")
    lines = exported(client, url)
    leaves = canonical_leaves(lines)
    hashes = [leaf_hash(leaf) for leaf in leaves]
    index = [own_position(json.loads(line)) for line in lines].index(position)
    proof = proof_of(client, url, position, checkpoint, public_half(tmp_path / "signing.pem"))
    path = [bytes.fromhex(node) for node in proof["path"]]
    signed_root = note_head(json.loads(checkpoint.read_bytes())["note"])[2]
    assert (proof["position"], proof["leaf_index"], proof["tree_size"], proof["verified"]) == (position, index, 74, True)
    assert str(proof["leaf"]).encode() == leaves[index] and proof["leaf_hash"] == hashes[index].hex()
    assert len(path) == path_length
    assert root_from_path(hashes[index], index, 74, path) == mth(hashes) == signed_root == bytes.fromhex(str(proof["root"]))


def test_prove_refuses_a_position_outside_the_signed_tree(ledger: tuple[str, LedgerApplication], client: Client, tmp_path: Path) -> None:
    url, app = ledger
    checkpoint = signed(client, url, tmp_path / "signing.pem", tmp_path / "checkpoint.json")
    pin = public_half(tmp_path / "signing.pem")
    for nowhere in (0, 999):
        one_line_refusal(client.run(url, "prove", str(nowhere), "--checkpoint", str(checkpoint), "--public-key", str(pin)), "POSITION", "not in the Merkle log")
    grow(app, 1)
    later = own_position(json.loads(exported(client, url)[-1]))
    one_line_refusal(
        client.run(url, "prove", str(later), "--checkpoint", str(checkpoint), "--public-key", str(pin)), "POSITION", "after the checkpoint's 74 leaves"
    )


def test_prove_of_an_event_edited_since_does_not_verify(ledger: tuple[str, LedgerApplication], client: Client, tmp_path: Path) -> None:
    """The stored leaf still leads to the signed root, but the event no longer gives it: the
    proof is printed unverified, without a leaf, and the command fails."""
    url, _app = ledger
    checkpoint = signed(client, url, tmp_path / "signing.pem", tmp_path / "checkpoint.json")
    [(state,)] = sql(url, "SELECT state FROM stored_events WHERE rowid = %s", (74,))
    sql(url, "UPDATE stored_events SET state = %s WHERE rowid = %s", (bytes(state).replace(b"entered twice", b"entered thrice"), 74))
    done = client.run(url, "prove", "74", "--checkpoint", str(checkpoint), "--public-key", str(public_half(tmp_path / "signing.pem")))
    assert done.returncode == 1 and done.stderr == "caseledger: the proof of position 74 does not lead to the checkpoint's root\n", done.said
    document = json.loads(done.stdout)
    assert (document["verified"], document["leaf"]) == (False, "")


# --- verify --checkpoint OLD --checkpoint NEW --------------------------------------------------


def test_two_checkpoints_of_one_grown_log_are_consistent_and_of_another_log_are_not(new_store: NewStore, client: Client, tmp_path: Path) -> None:
    url, app = scenario_ledger(new_store())
    key = tmp_path / "signing.pem"
    old = signed(client, url, key, tmp_path / "old.json")
    grow(app, 3)
    new = signed(client, url, key, tmp_path / "new.json")
    pin = public_half(key)
    hashes = [leaf_hash(leaf) for leaf in canonical_leaves(exported(client, url))]
    assert len(hashes) == 77

    done = client.run(url, "verify", "--checkpoint", str(old), "--checkpoint", str(new), "--public-key", str(pin))
    assert done.returncode == 0, done.said
    headline, *proof = done.stdout.splitlines()
    assert headline == "consistency proof (5 hashes): the tree of 77 events extends the one of 74"
    assert proof == [mth(hashes[a:b]).hex() for a, b in ((72, 74), (74, 76), (76, 77), (64, 72), (0, 64))]

    other_url, other_app = scenario_ledger(new_store())  # the same scenario recorded again: another log
    grow(other_app, 2)
    foreign = signed(client, other_url, key, tmp_path / "foreign.json")
    assert note_head(json.loads(foreign.read_bytes())["note"])[1] == 76
    inconsistent = client.run(url, "verify", "--checkpoint", str(old), "--checkpoint", str(foreign), "--public-key", str(pin))
    assert inconsistent.returncode == 1, inconsistent.said
    assert inconsistent.stdout.splitlines()[0] == "INCONSISTENT: the store's tree does not show that the tree of 76 events extends the one of 74"

    three = client.run(url, "verify", "--checkpoint", str(old), "--checkpoint", str(new), "--checkpoint", str(new), "--public-key", str(pin))
    one_line_refusal(three, "--checkpoint", "give one checkpoint, or two")


# --- a moved store ----------------------------------------------------------------------------


def moved(client: Client, source: str, target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``caseledger --store SOURCE events | caseledger --store TARGET import --keep-recorded -``."""
    events = client.run(source, "events")
    assert events.returncode == 0, events.stderr
    with monkeypatch.context() as patch:
        patch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(events.stdout.encode())))
        imported = client.run(target, "import", "--keep-recorded", "-")
    assert imported.returncode == 0, imported.said


@pytest.fixture
def three_stores(sqlite_url: str, postgres_url: str, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], Path, Path]:
    """The ledger on SQLite, signed there, moved to PostgreSQL and from there to another SQLite
    file: the three URLs, the checkpoint and its public key."""
    first, _app = scenario_ledger(sqlite_url)
    checkpoint = signed(client, first, tmp_path / "signing.pem", tmp_path / "checkpoint.json")
    second, third = postgres_url, f"sqlite:///{tmp_path}/third.db"
    moved(client, first, second, monkeypatch)
    moved(client, second, third, monkeypatch)
    return [first, second, third], checkpoint, public_half(tmp_path / "signing.pem")


def tree_rows(url: str) -> tuple[list[bytes], list[tuple[int, int, bytes]]]:
    """Every leaf hash in index order, and every kept node (level, index, hash)."""
    leaves = [bytes(leaf) for (leaf,) in sql(url, "SELECT leaf FROM cl_tree_leaves ORDER BY idx")]
    return leaves, [(int(level), int(idx), bytes(node)) for level, idx, node in sql(url, "SELECT level, idx, hash FROM cl_tree_nodes ORDER BY level, idx")]


def test_a_moved_store_keeps_the_tree_and_proves_against_the_first_stores_checkpoint(
    three_stores: tuple[list[str], Path, Path], client: Client, tmp_path: Path
) -> None:
    stores, checkpoint, pin = three_stores
    signed_root = note_head(json.loads(checkpoint.read_bytes())["note"])[2]
    trees = [tree_rows(url) for url in stores]
    assert trees[0] == trees[1] == trees[2]
    for url in stores:
        lines = exported(client, url)
        hashes = [leaf_hash(leaf) for leaf in canonical_leaves(lines)]
        assert mth(hashes) == signed_root
        retraction = own_position(json.loads(lines[73]))
        proof = proof_of(client, url, retraction, checkpoint, pin)
        path = [bytes.fromhex(node) for node in proof["path"]]
        assert proof["verified"] is True and root_from_path(hashes[73], 73, 74, path) == signed_root
        assert '"retracts_leaf":32' in str(proof["leaf"])


def test_a_moved_store_verifies_against_the_first_stores_checkpoint(three_stores: tuple[list[str], Path, Path], client: Client) -> None:
    """application/proofs.py and domain/integrity/canonical.py: "a store moved with ``events |
    import --keep-recorded`` … verifies against the source's signed checkpoints"."""
    stores, checkpoint, pin = three_stores
    for url in stores:
        done = client.run(url, "verify", "--checkpoint", str(checkpoint), "--public-key", str(pin))
        assert done.returncode == 0, (url, done.said)


def test_an_event_inserted_around_the_chain_is_left_out_of_events_so_the_file_still_verifies(
    ledger: tuple[str, LedgerApplication], client: Client, tmp_path: Path
) -> None:
    """An add-on task written into the database by hand, with no chain row (quarantined) at
    position 75: ``events`` leaves it out — the store's chained events, 74 of them, are what a
    checkpoint signs and what an import moving the store must not launder into a chain — and the
    exported file verifies against a checkpoint signed over it (74 leaves)."""
    url, app = ledger
    state = msgspec.json.encode(
        {
            "recorded_at": "2026-03-23T12:00:00+00:00",
            "occurred_at": "2026-03-23T12:00:00+00:00",
            "recorded_by": "po.adams",
            "at_site": "on-hyb",
            "data": {"officer": "po.adams", "category": "clerical", "minutes": 45},
        }
    )
    assert append_by_hand(url, "AddOnTaskLogged", state, key=app.ledger_key, chained=False) == 75
    lines = exported(client, url)
    assert len(lines) == 74 and all(own_position(json.loads(line)) != 75 for line in lines)
    assert client.run(url, "project").returncode == 0  # the read side judges 75: quarantined, so a checkpoint may sign over it
    signed = tmp_path / "checkpoint.json"
    done = client.run(url, "checkpoint", "--key", str(tmp_path / "signing.pem"), "-o", str(signed))
    assert done.returncode == 0, done.said
    assert note_head(json.loads(signed.read_bytes())["note"])[1] == 74
    events_file = tmp_path / "events.jsonl"
    events_file.write_bytes(b"\n".join(lines) + b"\n")
    checked = client.run(url, "verify-file", str(events_file), "--checkpoint", str(signed), "--public-key", str(public_half(tmp_path / "signing.pem")))
    assert checked.returncode == 0 and "the first 74 events" in checked.stdout, checked.said
