"""The Merkle log's costs at national scale: what a write adds per event, and what a proof costs.

``python -m bench.merkle_bench [--size 3000000] [--proofs 1000] [--seed 7]``. In memory, no store:
the leaf hashes are synthetic (SHA-256 of the leaf's number), the subtree hashes come from
:class:`~caseledger.domain.integrity.merkle.MemoryTree`, so the figures are the tree's own
arithmetic; a store adds the reads of the O(log n) nodes a proof names. The canonical leaf of a
typical event (an add-on task with a note) is measured beside, as the write side's added cost
per event.
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
    args = parsed.parse_args()
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


if __name__ == "__main__":
    main()
