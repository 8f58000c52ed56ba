"""The Merkle log's costs at national scale: what a write adds per event, and what a proof costs.

``python -m bench.merkle_bench [--size 3000000] [--proofs 1000] [--seed 7]``. In memory, no store:
the leaf hashes are synthetic (SHA-256 of the leaf's number), the subtree hashes come from
:class:`~caseledger.domain.integrity.merkle.MemoryTree`, so the figures are the tree's own
arithmetic; a store adds the reads of the O(log n) nodes a proof names. The canonical leaf of a
typical event (an add-on task with a note) is measured beside, as the write side's added cost
per event.

``python -m bench.merkle_bench --store sqlite:///bench/out/rebuild-3000000-seed7.db [--proofs 200]``:
the same proofs from a real store's tree (``cl_tree_leaves``, ``cl_tree_nodes``) — the store is
first brought to format 6 when it is older (the tree built from its events: timed) — each end to
end as ``caseledger prove`` does it (the leaf index, the O(log n) node reads, the event read and
its canonical leaf, the check against the root), beside the naive path measured in the same run:
every leaf read and the tree hashed whole for one proof. Also the tree's rows and, on SQLite, its
bytes on disk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import statistics
import time
from collections.abc import Callable

from bench import machine


def _each(work: Callable[[int], object], values: list[int]) -> list[float]:
    """Milliseconds of ``work`` on each of ``values``."""
    times = []
    for value in values:
        started = time.perf_counter()
        work(value)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _row(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"| {name} | {statistics.mean(ordered):.3f} | {ordered[len(ordered) // 2]:.3f} | {p99:.3f} | {ordered[-1]:.3f} |"


def main() -> None:
    from caseledger.domain.events.catalogue import AddOnTaskLogged
    from caseledger.domain.integrity.canonical import canonical_leaf
    from caseledger.domain.integrity.merkle import (
        Frontier,
        MemoryTree,
        consistency_proof,
        hash_leaf,
        inclusion_proof,
        verify_consistency,
        verify_inclusion,
    )

    parsed = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parsed.add_argument("--size", type=int, default=3_000_000, help="leaves in the tree")
    parsed.add_argument("--proofs", type=int, default=1000, help="proofs of each kind generated and verified")
    parsed.add_argument("--seed", type=int, default=7)
    parsed.add_argument("--store", help="a store URL: proofs from its stored tree instead of one in memory")
    args = parsed.parse_args()
    if args.store:
        stored(args.store, args.proofs, random.Random(args.seed))
        return
    draw = random.Random(args.seed)
    size = args.size
    print(f"\nMerkle log benchmark — {machine()} — {size:,} leaves, in memory\n")

    at = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    event = AddOnTaskLogged(officer="po.adams", category="clerical", minutes=20, offender="FPS123456")
    sample = 100_000
    started = time.perf_counter()
    for _ in range(sample):
        hash_leaf(canonical_leaf(event, at, at, "po.adams", note="faxed the release plan to the CCC"))
    leaf_us = (time.perf_counter() - started) / sample * 1e6

    started = time.perf_counter()
    leaves = [hashlib.sha256(number.to_bytes(8, "big")).digest() for number in range(size)]
    synthetic_s = time.perf_counter() - started
    frontier = Frontier()
    started = time.perf_counter()
    for leaf in leaves:
        frontier.append(leaf)
    append_s = time.perf_counter() - started
    started = time.perf_counter()
    root = frontier.root()
    root_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    tree = MemoryTree(leaves)
    build_s = time.perf_counter() - started
    assert tree.root() == root

    print("| write side, per event | cost |")
    print("|---|---:|")
    print(f"| canonical leaf + leaf hash (one add-on task with a note) | {leaf_us:.1f} µs |")
    print(f"| frontier append (leaf hash given), {size:,} leaves | {append_s / size * 1e6:.2f} µs ({append_s:.1f} s in all) |")
    print(f"| root from the frontier ({len(frontier.peaks)} peaks) | {root_ms:.3f} ms |")
    print(f"| stored frontier | {len(frontier.to_bytes())} bytes |")
    print(f"| (setup: {size:,} synthetic leaf hashes {synthetic_s:.1f} s; every level in memory {build_s:.1f} s) | |")

    indices = [draw.randrange(size) for _ in range(args.proofs)]
    old_sizes = [draw.randrange(1, size) for _ in range(args.proofs)]
    audits = {index: inclusion_proof(tree, index, size) for index in indices}
    proofs = {old: consistency_proof(tree, old, size) for old in old_sizes}
    old_roots = {old: tree.root(old) for old in old_sizes}
    assert all(verify_inclusion(leaves[index], index, size, audits[index], root) for index in indices)
    assert all(verify_consistency(old, size, old_roots[old], root, proofs[old]) for old in old_sizes)

    print(f"\n| {args.proofs} proofs at n = {size:,} (ms) | mean | median | p99 | max |")
    print("|---|---:|---:|---:|---:|")
    print(_row("inclusion proof, generate", _each(lambda index: inclusion_proof(tree, index, size), indices)))
    print(_row("inclusion proof, verify", _each(lambda index: verify_inclusion(leaves[index], index, size, audits[index], root), indices)))
    print(_row("consistency proof, generate", _each(lambda old: consistency_proof(tree, old, size), old_sizes)))
    print(_row("consistency proof, verify", _each(lambda old: verify_consistency(old, size, old_roots[old], root, proofs[old]), old_sizes)))
    print(
        f"\nproof lengths: inclusion {min(map(len, audits.values()))}–{max(map(len, audits.values()))} hashes, "
        f"consistency {min(map(len, proofs.values()))}–{max(map(len, proofs.values()))} hashes"
    )


def stored(url: str, count: int, draw: random.Random) -> None:
    """Proofs from the tree a store keeps (see the module)."""
    import logging

    from caseledger.application.proofs import head_at, prove_consistency, prove_inclusion
    from caseledger.domain.integrity.merkle import MemoryTree, inclusion_proof
    from caseledger.domain.integrity.signed_note import TreeHead
    from caseledger.domain.store.application import open_application
    from caseledger.domain.store.tree import TreeCursor

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    started = time.perf_counter()
    app = open_application(url)
    opened_s = time.perf_counter() - started
    recorder = app.ledger_recorder
    head = head_at(app, app.head_position())
    size = head.size
    print(f"\nMerkle log benchmark — {machine()} — {size:,} leaves, stored ({url})\n")
    print(f"opening the store (building the tree when it was older than format 6): {opened_s:.1f} s")
    with recorder.transaction(write=False) as cursor:
        tree = TreeCursor(cursor, recorder.table)
        positions = [position for _, position, _ in (tree.leaves_between(index, index + 1)[0] for index in (draw.randrange(size) for _ in range(count)))]
        nodes = cursor.execute(f"SELECT COUNT(*) FROM {recorder.table('cl_tree_nodes')}").fetchone()
    print(f"rows: {size:,} leaves, {nodes[0] if nodes else 0:,} kept nodes ({(nodes[0] if nodes else 0) / max(size, 1):.3f} per leaf)")
    if url.startswith("sqlite"):
        with recorder.transaction(write=False) as cursor:
            try:
                found = cursor.execute(
                    "SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'cl_tree%' OR name LIKE 'sqlite_autoindex_cl_tree%' GROUP BY name"
                ).fetchall()
                total = cursor.execute("SELECT SUM(pgsize) FROM dbstat").fetchone()
                print(
                    "bytes on disk: "
                    + ", ".join(f"{name} {size_ / 2**20:.0f} MiB" for name, size_ in found)
                    + f" (the whole store: {(total[0] if total else 0) / 2**20:.0f} MiB)"
                )
            except Exception as error:
                print(f"bytes on disk: not measured ({error})")
    olds = [TreeHead(head.origin, old, b"") for old in (draw.randrange(1, size) for _ in range(count))]
    with recorder.transaction(write=False) as cursor:
        tree = TreeCursor(cursor, recorder.table)
        olds = [TreeHead(old.origin, old.size, tree.range_hash(0, old.size)) for old in olds]
    proved = [prove_inclusion(app, position, head) for position in positions[:5]]
    assert all(proof.verified for proof in proved)
    assert all(prove_consistency(app, old, head).verified for old in olds[:5])
    print(f"\n| {count} proofs at n = {size:,}, from the store (ms) | mean | median | p99 | max |")
    print("|---|---:|---:|---:|---:|")
    inclusion = _each(lambda at: prove_inclusion(app, positions[at], head), list(range(count)))
    print(_row("inclusion proof, end to end (as `prove`)", inclusion))
    consistency = _each(lambda at: prove_consistency(app, olds[at], head), list(range(count)))
    print(_row("consistency proof, generate and verify", consistency))

    def naive(at: int) -> None:
        with recorder.transaction(write=False) as cursor:
            leaves = [leaf for _, _, leaf in TreeCursor(cursor, recorder.table).leaves_between(0, size)]
        inclusion_proof(MemoryTree(leaves), positions[at] - 1 if positions[at] <= size else 0, size)

    naive_ms = _each(naive, [0, 1, 2])
    print(_row("naive: every leaf read, the tree hashed whole (3 proofs)", naive_ms))
    print(f"\nnaive / stored (medians): {sorted(naive_ms)[1] / sorted(inclusion)[len(inclusion) // 2]:.0f}×")


if __name__ == "__main__":
    main()
