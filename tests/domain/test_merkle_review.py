"""A review of the Merkle log's wiring (issue #25 point 1) where it meets the rest of the store:
writers at once on PostgreSQL, gaps in PostgreSQL's positions, events outside the chain (the
read side's quarantine) through store format 6's migration and the export, an encrypted store
verified without its key, a moved copy verified from its checkpoint on, and a tree an insider
cut leaves from. The stored tree is compared with the one an auditor computes from
``caseledger events`` (:mod:`tests.support.auditor_tree`), never with the product's own code.

The ledger: the tamper tests' 74 events (:func:`tests.domain.conftest.scenario_ledger`: the
scenario's 72, an add-on task at 73, at 74 the retraction of position 33), positions 1–74 being
leaves 0–73 in a fresh store.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from eventsourcing.cryptography import AESCipher

from caseledger.application.imports import import_lines
from caseledger.domain.store.application import LedgerApplication, open_application
from tests.domain.conftest import scenario_ledger
from tests.support.auditor_tree import canonical_leaves, kept_nodes, leaf_hash, own_position, public_half
from tests.support.commands import ScriptedService
from tests.support.forgery import append_by_hand, envelope
from tests.support.in_process import Client, Done
from tests.support.stores import NewStore
from tests.support.tampering import sql


@pytest.fixture(autouse=True)
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Client:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return Client("importer", tmp_path / "config")


def exported(client: Client, url: str) -> list[bytes]:
    done = client.run(url, "events")
    assert done.returncode == 0, done.said
    return done.stdout.encode().splitlines()


def tree_rows(url: str) -> tuple[list[tuple[int, int, bytes]], list[tuple[int, int, bytes]]]:
    leaves = [(int(i), int(at), bytes(h)) for i, at, h in sql(url, "SELECT idx, position, leaf FROM cl_tree_leaves ORDER BY idx")]
    nodes = [(int(lv), int(i), bytes(h)) for lv, i, h in sql(url, "SELECT level, idx, hash FROM cl_tree_nodes ORDER BY level, idx")]
    return leaves, nodes


def assert_the_auditors_tree(client: Client, url: str) -> list[bytes]:
    """The stored leaves and kept nodes are the export's; the export's lines."""
    lines = exported(client, url)
    hashes = [leaf_hash(leaf) for leaf in canonical_leaves(lines)]
    leaves, nodes = tree_rows(url)
    assert [(idx, position) for idx, position, _ in leaves] == [(index, own_position(json.loads(line))) for index, line in enumerate(lines)]
    assert [leaf for _, _, leaf in leaves] == hashes
    assert nodes == kept_nodes(hashes)
    return lines


def verified(client: Client, url: str, *args: str) -> Done:
    done = client.run(url, "verify", *args)
    assert "Traceback" not in done.said and "unexpected" not in done.said, done.said
    return done


# --- PostgreSQL: writers at once, gaps in positions --------------------------------------------


def test_writers_at_once_and_an_import_keep_the_auditors_tree(postgres_url: str, client: Client) -> None:
    """Three sessions write at once — two recording add-on tasks one by one (the library's
    insert, each its own transaction), one importing a file (one bulk transaction): each reads
    the tree's frontier under the events table's write lock, so every leaf lands at the index
    its position gives, whatever the interleaving."""
    url, _app = scenario_ledger(postgres_url)
    lines = b"".join(
        json.dumps({"type": "AddOnTaskLogged", "occurred_at": "2026-03-21", "officer": "po.chen", "category": "travel_logistics", "minutes": 60 + n}).encode()
        + b"\n"
        for n in range(40)
    )
    start = threading.Barrier(3)
    failures: list[BaseException] = []

    def recording(officer: str) -> Callable[[], None]:
        def run() -> None:
            service = ScriptedService(open_application(url), "importer")
            start.wait()
            for minutes in range(25):
                service.log_addon_task(officer, "clerical", 5 + minutes, occurred_at="2026-03-21")

        return run

    def importing() -> None:
        app = open_application(url)
        start.wait()
        import_lines(app, lines.splitlines(), "importer", batch_size=7)

    def guarded(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except BaseException as error:  # reported by the test, not lost in the thread
                failures.append(error)

        return run

    threads = [threading.Thread(target=guarded(work)) for work in (recording("po.chen"), recording("po.brown"), importing)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert len(assert_the_auditors_tree(client, url)) == 74 + 25 + 25 + 40
    assert verified(client, url).returncode == 0


def test_a_gap_in_postgresql_positions_keeps_leaves_consecutive_and_provable(postgres_url: str, client: Client, tmp_path: Path) -> None:
    """A transaction rolled back (a lost race, a refused import) spends sequence values: the next
    event is at 80, not 75. Leaves stay consecutive (leaf 74 at position 80), and the event is
    proved at its position; a position in the gap is no event."""
    url, app = scenario_ledger(postgres_url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SELECT setval(pg_get_serial_sequence('caseledger_events', 'notification_id'), 79)")
    assert ScriptedService(app, "importer").log_addon_task("po.chen", "clerical", 15, occurred_at="2026-03-21") == 80
    lines = assert_the_auditors_tree(client, url)
    assert own_position(json.loads(lines[-1])) == 80 and tree_rows(url)[0][-1][:2] == (74, 80)
    checkpoint = tmp_path / "checkpoint.json"
    assert client.run(url, "checkpoint", "--key", str(tmp_path / "k.pem"), "-o", str(checkpoint)).returncode == 0
    pin = public_half(tmp_path / "k.pem")
    proof = client.run(url, "prove", "80", "--checkpoint", str(checkpoint), "--public-key", str(pin))
    assert proof.returncode == 0 and json.loads(proof.stdout)["leaf_index"] == 74, proof.said
    gap = client.run(url, "prove", "77", "--checkpoint", str(checkpoint), "--public-key", str(pin))
    assert gap.returncode == 2 and "not in the Merkle log" in gap.stderr, gap.said


# --- events outside the chain --------------------------------------------------------------------


def with_a_quarantined_event(url: str, app_key: bytes) -> tuple[int, int]:
    """An add-on task inserted by hand with no chain row (quarantined: no leaf), then an event
    recorded through the program; the two positions."""
    outside = append_by_hand(
        url, "AddOnTaskLogged", envelope("importer", {"officer": "po.chen", "category": "clerical", "minutes": 45}), key=app_key, chained=False
    )
    return outside, outside + 1


def test_the_format_6_migration_builds_over_a_quarantined_event_the_tree_writers_built(new_store: NewStore, client: Client) -> None:
    """The migration (every chained event, in order) and the writers (each event as recorded)
    agree: an event outside the chain has no leaf, and the events after it follow on; a retraction
    of it names it by its position (it has no leaf index). Hand-worked: 74 leaves, the event by
    hand at 75 has none, the add-on task at 76 is leaf 74, the retraction of 75 at 77 leaf 75."""
    url, app = scenario_ledger(new_store())
    outside, after = with_a_quarantined_event(url, app.ledger_key)
    service = ScriptedService(app, "importer")
    assert service.log_addon_task("po.chen", "clerical", 30, occurred_at="2026-03-21") == after
    assert service.retract(outside, "written outside the ledger", occurred_at="2026-03-21") == after + 1  # names it by position: it has no leaf
    kept = tree_rows(url)
    assert [(idx, position) for idx, position, _ in kept[0][-2:]] == [(74, after), (75, after + 1)]
    assert outside not in [position for _, position, _ in kept[0]]
    sql(url, "DELETE FROM cl_tree_leaves")  # the store as the release before format 6 left it
    sql(url, "DELETE FROM cl_tree_nodes")
    sql(url, "UPDATE cl_format SET version = 5")
    open_application(url)  # the owner's opening with the store's keys: format 6 builds the tree
    assert tree_rows(url) == kept


def test_an_export_of_a_store_holding_a_quarantined_event_verifies_against_its_checkpoint(sqlite_url: str, client: Client, tmp_path: Path) -> None:
    url, app = scenario_ledger(sqlite_url)
    outside, _after = with_a_quarantined_event(url, app.ledger_key)
    ScriptedService(app, "importer").log_addon_task("po.chen", "clerical", 30, occurred_at="2026-03-21")
    assert client.run(url, "project").returncode == 0  # the read side judges the log: it quarantines the event
    checkpoint = tmp_path / "checkpoint.json"
    made = client.run(url, "checkpoint", "--key", str(tmp_path / "k.pem"), "-o", str(checkpoint))
    assert made.returncode == 0 and f"positions {outside}" in made.stderr, made.said  # signed over, named
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"".join(line + b"\n" for line in exported(client, url)))
    done = client.run(
        f"sqlite:///{tmp_path}/none.db", "verify-file", str(events), "--checkpoint", str(checkpoint), "--public-key", str(public_half(tmp_path / "k.pem"))
    )
    assert done.returncode == 0, done.said


# --- an encrypted store, verified without its key -------------------------------------------------


def test_an_encrypted_store_verified_without_its_key_says_the_leaves_were_not_recomputed(
    store_url: str, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``verify`` opens the store without its keys: the encrypted events cannot be read, so their
    stored leaves stand in — it says so on standard error, and still recomputes every kept node
    from the leaves (a leaf edited under a complete node is named); with the key, the edited leaf
    is named as the event's, whatever the nodes."""
    key = AESCipher.create_key(32)
    monkeypatch.setenv("CASELEDGER_KEY", key)
    url, app = scenario_ledger(store_url)
    ScriptedService(app, "importer").grant("auditor", "auditor")  # stored in plain text: read without the key
    keyed = Client("auditor", client.config, {"CASELEDGER_KEY": key})
    keyless = Client("auditor", client.config, {"CASELEDGER_KEY": ""})
    assert_the_auditors_tree(keyed, url)
    plain = verified(keyless, url)
    assert plain.returncode == 0 and "the Merkle log was not checked against the events" in plain.stderr, plain.said
    assert "not checked against the events" not in verified(keyed, url).stderr
    sql(url, "UPDATE cl_tree_leaves SET leaf = %s WHERE idx = %s", (bytes(32), 20))  # under the level-4 node 16–31
    without = verified(keyless, url)
    assert without.returncode == 1 and "BROKEN at position 32: Merkle log: the stored node at level 4, index 1" in without.stdout, without.said
    assert "BROKEN at position 21: Merkle log: the event does not give its tree leaf" in verified(keyed, url).stdout


# --- a moved copy, from its checkpoint on ---------------------------------------------------------


def test_a_moved_copy_verified_since_the_source_checkpoint_is_not_called_broken(
    sqlite_url: str, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _app = scenario_ledger(sqlite_url)
    checkpoint = tmp_path / "checkpoint.json"
    assert client.run(url, "checkpoint", "--key", str(tmp_path / "k.pem"), "-o", str(checkpoint)).returncode == 0
    pin = str(public_half(tmp_path / "k.pem"))
    copy = f"sqlite:///{tmp_path}/copy.db"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\n".join(exported(client, url)) + b"\n")))
    assert client.run(copy, "import", "--keep-recorded", "-").returncode == 0
    assert verified(client, copy, "--checkpoint", str(checkpoint), "--public-key", pin).returncode == 0
    since = verified(client, copy, "--checkpoint", str(checkpoint), "--public-key", pin, "--since-checkpoint")
    assert since.returncode == 0 and "BROKEN" not in since.stdout and "its tree head matches (a moved copy" in since.stdout, since.said
    assert "from the checkpoint on" not in since.stdout  # verified in full: nothing of this chain was signed


# --- a tree an insider cut leaves from -------------------------------------------------------------


def test_a_tree_missing_a_leaf_under_its_frontier_stops_writers_and_proofs_in_one_named_line(
    ledger: tuple[str, LedgerApplication], client: Client, tmp_path: Path
) -> None:
    """Leaf 66 (position 67) deleted: the frontier of 74 leaves folds the peak over leaves 64–71
    from its leaves, one of which is gone. A writer cannot append to that tree and a proof cannot
    be drawn from it: each says so in one line naming the Merkle log (as ``verify`` names the
    leaf), nothing is recorded — never an 'unexpected LookupError'."""
    url, _app = ledger
    checkpoint = tmp_path / "checkpoint.json"
    assert client.run(url, "checkpoint", "--key", str(tmp_path / "k.pem"), "-o", str(checkpoint)).returncode == 0
    pin = str(public_half(tmp_path / "k.pem"))
    sql(url, "DELETE FROM cl_tree_leaves WHERE idx = %s", (66,))
    [(head,)] = sql(url, "SELECT MAX(position) FROM cl_chain")
    for args in (("retract", "73", "--reason", "entered twice"), ("prove", "73", "--checkpoint", str(checkpoint), "--public-key", pin)):
        done = client.run(url, *args)
        lines = done.stderr.splitlines()
        assert done.returncode in (1, 2) and len(lines) == 1 and "Merkle log" in lines[0], (args, done.said)
        assert "unexpected" not in done.said and "Traceback" not in done.said, (args, done.said)
    assert sql(url, "SELECT MAX(position) FROM cl_chain") == [(head,)]
    assert "BROKEN at position 68: Merkle log: leaf 66 is missing from the tree" in verified(client, url).stdout


# --- a writer refused inside the inserting transaction --------------------------------------------


def test_a_writer_the_tree_refuses_records_nothing_on_postgresql(postgres_url: str, client: Client) -> None:
    """An insider cuts the log's last two events (and their chain rows) but not their leaves,
    and sets the position sequence back: the next event would be at 73, where the tree already
    has a leaf. The writer refuses (the tree runs past the log) — and the refusal must leave the
    store as it found it."""
    url, _app = scenario_ledger(postgres_url)
    sql(url, "DELETE FROM stored_events WHERE rowid > 72")
    sql(url, "DELETE FROM cl_chain WHERE position > 72")
    sql(url, "SELECT setval(pg_get_serial_sequence('caseledger_events', 'notification_id'), 72)")
    done = client.run(url, "retract", "72", "--reason", "entered twice")
    assert done.returncode == 1 and "the log's tail was cut; nothing was recorded" in done.stderr, done.said
    assert sql(url, "SELECT MAX(rowid) FROM stored_events") == [(72,)]
    assert sql(url, "SELECT MAX(position) FROM cl_chain") == [(72,)]


# --- verify --since-checkpoint: the walk from a signed tree head ----------------------------------


def test_the_walk_since_a_checkpoint_starts_from_its_signed_head(store_url: str, client: Client, tmp_path: Path) -> None:
    """Signed at 74 leaves (peaks: 64 from the kept level-4 nodes, 8 and 2 folded from leaves),
    then 20 add-on tasks and a retraction of position 40 — a target before the checkpoint, whose
    leaf index (39) the walk reads from the store. From the checkpoint on, 22 events are walked
    (the checkpoint's own and the 21 after: docs/cli.md); a node under the signed head rewritten,
    or a leaf after it, is named."""
    url, app = scenario_ledger(store_url)
    checkpoint = tmp_path / "checkpoint.json"
    assert client.run(url, "checkpoint", "--key", str(tmp_path / "k.pem"), "-o", str(checkpoint)).returncode == 0
    service = ScriptedService(app, "importer")
    for minutes in range(20):
        service.log_addon_task("po.chen", "clerical", 5 + minutes, occurred_at="2026-03-21")
    assert service.retract(40, "entered on the wrong case", occurred_at="2026-03-21") == 95
    lines = assert_the_auditors_tree(client, url)
    assert b'"retracts_leaf":39' in canonical_leaves(lines)[94]
    since = ("--checkpoint", str(checkpoint), "--public-key", str(public_half(tmp_path / "k.pem")), "--since-checkpoint")
    walked = verified(client, url, *since)
    assert walked.returncode == 0 and walked.stdout.startswith("intact: 22 events from the checkpoint on, head position 95"), walked.said

    sql(url, "UPDATE cl_tree_leaves SET leaf = %s WHERE idx = %s", (bytes(32), 90))  # position 91, after the checkpoint
    after = verified(client, url, *since)
    assert after.returncode == 1 and "BROKEN at position 91: Merkle log: the event does not give its tree leaf" in after.stdout, after.said
    sql(url, "UPDATE cl_tree_leaves SET leaf = %s WHERE idx = %s", (leaf_hash(canonical_leaves(lines)[90]), 90))
    sql(url, "UPDATE cl_tree_nodes SET hash = %s WHERE level = 4 AND idx = 2", (bytes(32),))  # under the signed head
    before = verified(client, url, *since)
    assert before.returncode == 1 and "Merkle log: the tree up to the checkpoint differs from the tree it signed" in before.stdout, before.said
