"""The log as an RFC 9162 Merkle tree: its hashes, an incremental frontier, and O(log n) proofs.

A keyless auditor holding a signed tree head (size, root: :mod:`caseledger.domain.integrity.signed_note`)
checks that one event is in the log (an *inclusion proof*, RFC 9162 §2.1.3) and that a later log
only grew from the one signed (a *consistency proof*, §2.1.4), each with O(log n) hashes and
without the store. The hashing is RFC 6962's, with the chain's prefixes
(:mod:`caseledger.domain.integrity.chain`) so a leaf can never pass for a node::

    leaf hash        = SHA-256(0x00 ‖ leaf)           the leaf: an event's canonical bytes (canonical.py)
    node hash        = SHA-256(0x01 ‖ left ‖ right)
    MTH({})          = SHA-256("")
    MTH(D[n]), n > 1 = node hash(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n

Leaf *i* (from 0) is the *i*-th event in position order; the tree's size is the count of events.

**How a store keeps it** (the wiring; this module holds no store). Per store, one row holds the
:class:`Frontier` (:meth:`Frontier.to_bytes`: the size and the roots of the perfect subtrees the
log splits into, O(log n) hashes). Recording a batch reads that row *in the transaction that
inserts the events* (PostgreSQL: ``SELECT … FOR UPDATE``, the same lock that orders positions;
SQLite: the write transaction), appends each event's leaf hash in position order, inserts the
perfect nodes each :meth:`Frontier.append` completes (its return value: level, index, hash) and
writes the row back — commit or roll back together with the events, so the tree never runs ahead
of or behind the log. Proofs need the hash of any subtree the RFC's recursion names, asked
through :class:`SubtreeHashes`; a store answers it from those stored perfect nodes with
:func:`range_from_nodes` (O(log n) reads per proof node). Keeping only every 8th level
(C2SP tlog-tiles' 256-wide tiles) trades storage for recomputing at most 255 hashes per node.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from caseledger.domain.integrity.chain import LEAF_PREFIX, NODE_PREFIX

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH of the empty tree."""
_SIZE_BYTES = 8


def hash_leaf(leaf: bytes) -> bytes:
    """The leaf hash of ``leaf`` (an entry's bytes)."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """The hash of the node whose children hash to ``left`` and ``right``."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split(size: int) -> int:
    """The RFC's *k* for a tree of ``size`` > 1 leaves: the largest power of two smaller than it."""
    return 1 << ((size - 1).bit_length() - 1)


Node = tuple[int, int, bytes]
"""A perfect subtree as (level, index, hash): ``2**level`` leaves from ``index * 2**level``."""


def _peaks(start: int, end: int) -> Iterable[tuple[int, int]]:
    """(level, index) of the perfect subtrees, left to right, that ``[start, end)`` splits into
    as a subtree of the log's tree: its size's binary digits from the highest."""
    size = end - start
    if size <= 0 or start % (1 << (size - 1).bit_length()):
        raise ValueError(f"[{start}, {end}) is not a subtree of the log's tree")
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            yield level, start >> level
            start += 1 << level


def _fold(peaks: Sequence[bytes]) -> bytes:
    """MTH of a range from its perfect subtrees' hashes, left to right (each split is at the
    largest power of two, so the tree leans left and folds from the right)."""
    if not peaks:
        return EMPTY_ROOT
    root = peaks[-1]
    for peak in reversed(peaks[:-1]):
        root = hash_children(peak, root)
    return root


def range_from_nodes(node: Callable[[int, int], bytes], start: int, end: int) -> bytes:
    """MTH of leaves ``[start, end)`` from ``node(level, index)``, the hash of a perfect subtree.
    The range must be one the RFC's recursion names (ValueError otherwise): its start a multiple
    of the smallest power of two ≥ its size — every range :func:`inclusion_proof` and
    :func:`consistency_proof` ask for is."""
    if start == end:
        return EMPTY_ROOT
    return _fold([node(level, index) for level, index in _peaks(start, end)])


class SubtreeHashes(Protocol):
    """Where the proofs read the tree: the MTH of leaves ``[start, end)``, a subtree of the log's
    tree (:func:`range_from_nodes` says which ranges those are)."""

    def range_hash(self, start: int, end: int) -> bytes: ...


@dataclass(slots=True)
class Frontier:
    """The log's compact range: its size and the roots of the perfect subtrees it splits into,
    left to right (one per binary digit of the size). Appending a leaf hash costs O(1) hashes
    amortised; :meth:`root` is the tree head at the current size."""

    size: int = 0
    peaks: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> list[Node]:
        """Add the leaf hash ``leaf``; the perfect subtrees it completes, the leaf's own first."""
        index, level, node = self.size, 0, leaf
        completed: list[Node] = [(0, index, leaf)]
        while index & 1:
            node = hash_children(self.peaks.pop(), node)
            index >>= 1
            level += 1
            completed.append((level, index, node))
        self.peaks.append(node)
        self.size += 1
        return completed

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Append each leaf hash of ``leaves`` in order."""
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        """MTH of the log so far."""
        return _fold(self.peaks)

    def to_bytes(self) -> bytes:
        """The stored form: the size (8 bytes, big-endian), then the peaks' hashes."""
        return self.size.to_bytes(_SIZE_BYTES, "big") + b"".join(self.peaks)

    @classmethod
    def from_bytes(cls, data: bytes) -> Frontier:
        """The frontier :meth:`to_bytes` wrote; ValueError for bytes of any other shape."""
        size = int.from_bytes(data[:_SIZE_BYTES], "big")
        if len(data) < _SIZE_BYTES or len(data) != _SIZE_BYTES + HASH_SIZE * size.bit_count():
            raise ValueError(f"not a Merkle frontier: {len(data)} bytes")
        return cls(size, [bytes(data[at : at + HASH_SIZE]) for at in range(_SIZE_BYTES, len(data), HASH_SIZE)])


class MemoryTree:
    """Every perfect subtree's hash of a list of leaf hashes, level by level (2n hashes in
    memory): the :class:`SubtreeHashes` of tests, benchmarks and a file checked offline."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([hash_children(below[at], below[at + 1]) for at in range(0, len(below) - 1, 2)])

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def node(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree at ``level``, ``index`` (IndexError past the leaves)."""
        return self.levels[level][index]

    def range_hash(self, start: int, end: int) -> bytes:
        if end > self.size:
            raise IndexError(f"the tree has {self.size} leaves, not {end}")
        return range_from_nodes(self.node, start, end)

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all of them by default)."""
        return self.range_hash(0, self.size if size is None else size)


def inclusion_proof(tree: SubtreeHashes, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1: the audit path of leaf ``index``, bottom up."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        middle = start + split(end - start)
        if index < middle:
            path.append(tree.range_hash(middle, end))
            end = middle
        else:
            path.append(tree.range_hash(start, middle))
            start = middle
    path.reverse()
    return path


def consistency_proof(tree: SubtreeHashes, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1: the nodes that take the tree head at
    ``old_size`` to the one at ``new_size``. Empty when the sizes are equal or the old tree is
    empty (nothing to prove: :func:`verify_consistency` compares the roots)."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} leaves to {new_size}")
    proof: list[bytes] = []
    if old_size in (0, new_size):
        return proof
    start, end, whole = 0, new_size, True  # SUBPROOF(m, D[start:end], whole), m = old_size - start
    while old_size != end:
        middle = start + split(end - start)
        if old_size <= middle:
            proof.append(tree.range_hash(middle, end))
            end = middle
        else:
            proof.append(tree.range_hash(start, middle))
            start, whole = middle, False
    if not whole:
        proof.append(tree.range_hash(start, end))
    proof.reverse()
    return proof


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` take the leaf hash ``leaf`` at ``index`` to ``root``,
    the tree head of ``size`` leaves?"""
    if not 0 <= index < size or len(leaf) != HASH_SIZE:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0 or len(p) != HASH_SIZE:
            return False
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = hash_children(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show the tree of ``new_size`` leaves with head
    ``new_root`` extends the one of ``old_size`` with head ``old_root``? Equal sizes need equal
    roots and an empty proof; an empty old tree (head MTH({})) is a prefix of every tree."""
    if not 0 <= old_size <= new_size or any(len(c) != HASH_SIZE for c in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else list(proof)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = hash_children(c, fr), hash_children(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = hash_children(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0
