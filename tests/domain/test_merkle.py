"""The Merkle log against RFC 6962's test vectors, the RFC's recursive definitions written plainly
here, and a verifier of this file's own.

The vectors are those of transparency-dev/merkle (``testonly/constants.go`` and
``cmd/proofgen/main.go``, the RFC 6962 reference data of Certificate Transparency): eight leaves,
the root at every size, five audit paths and five consistency proofs. The brute-force tree below
is RFC 9162 §2.1.1–§2.1.4.1 as written (MTH, PATH, PROOF/SUBPROOF recursing on lists of leaves);
the independent verifier rebuilds the roots by following the same recursion, not the RFC's
bit-twiddling algorithm the module uses, so the two can disagree if either is wrong.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.domain.integrity.merkle import (
    EMPTY_ROOT,
    Frontier,
    MemoryTree,
    consistency_proof,
    hash_leaf,
    inclusion_proof,
    range_from_nodes,
    verify_consistency,
    verify_inclusion,
)
from tests.support.auditor_tree import largest_power_of_two_below, leaf_hash, node_hash
from tests.support.auditor_tree import mth as auditor_mth

# --- RFC 6962 / RFC 9162 written plainly -------------------------------------------------------------


rfc_leaf, rfc_node, rfc_k = leaf_hash, node_hash, largest_power_of_two_below
"""The RFC's hashes as the auditor's tree (tests/support/auditor_tree.py) writes them: the same plain
recursion serves both the stored log's tests and these."""


def mth(entries: list[bytes]) -> bytes:
    """MTH over raw entries: the auditor's MTH over their leaf hashes."""
    return auditor_mth([rfc_leaf(entry) for entry in entries])


def path(m: int, entries: list[bytes]) -> list[bytes]:
    if len(entries) == 1:
        return []
    k = rfc_k(len(entries))
    if m < k:
        return [*path(m, entries[:k]), mth(entries[k:])]
    return [*path(m - k, entries[k:]), mth(entries[:k])]


def subproof(m: int, entries: list[bytes], whole: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if whole else [mth(entries)]
    k = rfc_k(n)
    if m <= k:
        return [*subproof(m, entries[:k], whole), mth(entries[k:])]
    return [*subproof(m - k, entries[k:], False), mth(entries[:k])]


def proof(m: int, entries: list[bytes]) -> list[bytes]:
    return subproof(m, entries, True)


# --- an independent verifier: rebuild the roots along the recursion ----------------------------------


def root_from_path(index: int, size: int, leaf: bytes, audit: list[bytes]) -> bytes | None:
    """The root an audit path leads to, or None if the path has the wrong length for (index, size)."""
    if size == 1:
        return leaf if not audit else None
    if not audit:
        return None
    k = rfc_k(size)
    *rest, sibling = audit
    if index < k:
        left = root_from_path(index, k, leaf, rest)
        return None if left is None else rfc_node(left, sibling)
    right = root_from_path(index - k, size - k, leaf, rest)
    return None if right is None else rfc_node(sibling, right)


def sides(index: int, size: int) -> list[bool]:
    """Bottom up, whether each node of the audit path of ``index`` in ``size`` leaves is a right sibling."""
    if size == 1:
        return []
    k = rfc_k(size)
    return [*sides(index, k), True] if index < k else [*sides(index - k, size - k), False]


def independent_inclusion(leaf: bytes, index: int, size: int, audit: list[bytes], root: bytes) -> bool:
    return 0 <= index < size and root_from_path(index, size, leaf, audit) == root


def roots_from_proof(m: int, n: int, whole: bool, old_root: bytes, nodes: list[bytes]) -> tuple[bytes, bytes] | None:
    """(old subtree hash, new subtree hash) that SUBPROOF(m, D[n], whole) leads to, consuming
    ``nodes`` from the end; None if the proof's shape does not fit."""
    if m == n:
        if whole:
            return (old_root, old_root) if not nodes else None
        return (nodes[0], nodes[0]) if len(nodes) == 1 else None
    if not nodes:
        return None
    k = rfc_k(n)
    *rest, last = nodes
    if m <= k:
        inner = roots_from_proof(m, k, whole, old_root, rest)
        return None if inner is None else (inner[0], rfc_node(inner[1], last))
    inner = roots_from_proof(m - k, n - k, False, old_root, rest)
    return None if inner is None else (rfc_node(last, inner[0]), rfc_node(last, inner[1]))


def independent_consistency(m: int, n: int, old_root: bytes, new_root: bytes, nodes: list[bytes]) -> bool:
    if not 0 < m < n:
        return not nodes and 0 <= m <= n and (old_root == new_root if m == n else old_root == mth([]))
    found = roots_from_proof(m, n, True, old_root, nodes)
    return found == (old_root, new_root)


# --- the RFC 6962 test vectors -----------------------------------------------------------------------

LEAVES = [bytes.fromhex(text) for text in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
ROOTS = [
    bytes.fromhex(text)
    for text in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
"""ROOTS[n]: the tree head of the first n leaves."""
H = {
    name: bytes.fromhex(text)
    for name, text in {
        "leaf0": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "leaf1": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "leaf4": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "leaf6": "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "0-2": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "2-4": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "4-6": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "6-8": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "0-4": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4-8": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    }.items()
}
INCLUSION = [  # (leaf index from 0, tree size, audit path)
    (0, 1, []),
    (0, 8, [H["leaf1"], H["2-4"], H["4-8"]]),
    (5, 8, [H["leaf4"], H["6-8"], H["0-4"]]),
    (2, 3, [H["0-2"]]),
    (1, 5, [H["leaf0"], H["2-4"], H["leaf4"]]),
]
CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, [H["leaf1"], H["2-4"], H["4-8"]]),
    (6, 8, [H["4-6"], H["6-8"], H["0-4"]]),
    (2, 5, [H["2-4"], H["leaf4"]]),
    (6, 7, [H["4-6"], H["leaf6"], H["0-4"]]),
]
COMPACT = {3: [H["0-2"], rfc_leaf(LEAVES[2])], 6: [H["0-4"], H["4-6"]], 7: [H["0-4"], H["4-6"], H["leaf6"]], 8: [mth(LEAVES)]}
"""The frontier's peaks at some sizes (testonly.CompactTrees)."""


def test_the_roots_of_the_vectors_at_every_size() -> None:
    hashes = [hash_leaf(leaf) for leaf in LEAVES]
    tree = MemoryTree(hashes)
    frontier = Frontier()
    assert frontier.root() == EMPTY_ROOT == ROOTS[0]
    for size in range(1, 9):
        frontier.append(hashes[size - 1])
        assert frontier.root() == ROOTS[size] == tree.root(size) == mth(LEAVES[:size])
        if size in COMPACT:
            assert frontier.peaks == COMPACT[size]


@pytest.mark.parametrize(("index", "size", "audit"), INCLUSION)
def test_the_audit_paths_of_the_vectors(index: int, size: int, audit: list[bytes]) -> None:
    tree = MemoryTree([hash_leaf(leaf) for leaf in LEAVES])
    assert inclusion_proof(tree, index, size) == audit
    assert verify_inclusion(hash_leaf(LEAVES[index]), index, size, audit, ROOTS[size])
    assert not verify_inclusion(hash_leaf(LEAVES[index]), index, size, audit, ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "nodes"), CONSISTENCY)
def test_the_consistency_proofs_of_the_vectors(old: int, new: int, nodes: list[bytes]) -> None:
    tree = MemoryTree([hash_leaf(leaf) for leaf in LEAVES])
    assert consistency_proof(tree, old, new) == nodes
    assert verify_consistency(old, new, ROOTS[old], ROOTS[new], nodes)
    assert not verify_consistency(old, new, ROOTS[old], ROOTS[new - 1], nodes) or old == new - 1 == 0


# --- random logs against the brute force ---------------------------------------------------------------

logs = st.lists(st.binary(max_size=6), min_size=1, max_size=70)


@settings(max_examples=60, deadline=None)
@given(entries=logs)
def test_the_frontier_and_the_tree_give_the_rfc_root_at_every_size(entries: list[bytes]) -> None:
    frontier = Frontier()
    tree = MemoryTree([rfc_leaf(entry) for entry in entries])
    nodes: dict[tuple[int, int], bytes] = {}
    for size, entry in enumerate(entries, 1):
        for level, index, digest in frontier.append(rfc_leaf(entry)):
            nodes[level, index] = digest
        assert frontier.root() == mth(entries[:size]) == tree.root(size)
        assert Frontier.from_bytes(frontier.to_bytes()) == frontier
    assert nodes == {(level, index): digest for level, row in enumerate(tree.levels) for index, digest in enumerate(row)}


@settings(max_examples=60, deadline=None)
@given(entries=logs, data=st.data())
def test_inclusion_proofs_are_the_rfc_paths_and_verify(entries: list[bytes], data: st.DataObject) -> None:
    tree = MemoryTree([rfc_leaf(entry) for entry in entries])
    size = data.draw(st.integers(1, len(entries)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    audit = inclusion_proof(tree, index, size)
    assert audit == path(index, entries[:size])
    leaf, root = rfc_leaf(entries[index]), mth(entries[:size])
    assert verify_inclusion(leaf, index, size, audit, root)
    assert independent_inclusion(leaf, index, size, audit, root)


@settings(max_examples=60, deadline=None)
@given(entries=logs, data=st.data())
def test_consistency_proofs_are_the_rfc_proofs_and_verify(entries: list[bytes], data: st.DataObject) -> None:
    tree = MemoryTree([rfc_leaf(entry) for entry in entries])
    new = data.draw(st.integers(1, len(entries)), label="new")
    old = data.draw(st.integers(0, new), label="old")
    nodes = consistency_proof(tree, old, new)
    assert nodes == (proof(old, entries[:new]) if 0 < old < new else [])
    old_root, new_root = mth(entries[:old]), mth(entries[:new])
    assert verify_consistency(old, new, old_root, new_root, nodes)
    assert independent_consistency(old, new, old_root, new_root, nodes)


def _flip(digest: bytes, bit: int) -> bytes:
    return digest[: bit // 8] + bytes([digest[bit // 8] ^ (1 << bit % 8)]) + digest[bit // 8 + 1 :]


@settings(max_examples=80, deadline=None)
@given(entries=st.lists(st.binary(max_size=4), min_size=2, max_size=40, unique=True), data=st.data())
def test_a_tampered_inclusion_proof_is_refused(entries: list[bytes], data: st.DataObject) -> None:
    """A changed hash (proof node, leaf or root), a node dropped or added, is refused; a changed
    index or size is refused unless the independent verifier accepts it too (an audit path of
    leaf 0 in 3 leaves is also one in 4: the signed root binds the size, not the path)."""
    tree = MemoryTree([rfc_leaf(entry) for entry in entries])
    size = data.draw(st.integers(2, len(entries)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    audit = inclusion_proof(tree, index, size)
    leaf, root = rfc_leaf(entries[index]), tree.root(size)
    bit = data.draw(st.integers(0, 255), label="bit")
    spot = data.draw(st.integers(0, len(audit) - 1), label="spot")
    hashes_changed = [
        (_flip(leaf, bit), index, size, audit, root),
        (leaf, index, size, audit, _flip(root, bit)),
        (leaf, index, size, [*audit[:spot], _flip(audit[spot], bit), *audit[spot + 1 :]], root),
        (leaf, index, size, audit[:-1], root),
        (leaf, index, size, [*audit, root], root),
        (leaf, index, size, audit[1:], root),
        (rfc_leaf(entries[(index + 1) % size]), index, size, audit, root),
    ]
    for case in hashes_changed:
        assert not verify_inclusion(*case)
        assert not independent_inclusion(*case)
    other_index = data.draw(st.integers(-1, size), label="other index")
    other_size = data.draw(st.integers(0, 2 * size), label="other size")
    for case in [(leaf, other_index, size, audit, root), (leaf, index, other_size, audit, root)]:
        accepted = verify_inclusion(*case)
        assert accepted == independent_inclusion(*case)
        if accepted and case[1:3] != (index, size):
            assert sides(case[1], case[2]) == sides(index, size)


@settings(max_examples=80, deadline=None)
@given(entries=st.lists(st.binary(max_size=4), min_size=3, max_size=40, unique=True), data=st.data())
def test_a_tampered_consistency_proof_is_refused(entries: list[bytes], data: st.DataObject) -> None:
    tree = MemoryTree([rfc_leaf(entry) for entry in entries])
    new = data.draw(st.integers(2, len(entries)), label="new")
    old = data.draw(st.integers(1, new - 1), label="old")
    nodes = consistency_proof(tree, old, new)
    old_root, new_root = tree.root(old), tree.root(new)
    bit = data.draw(st.integers(0, 255), label="bit")
    spot = data.draw(st.integers(0, len(nodes) - 1), label="spot")
    changed = [
        (old, new, _flip(old_root, bit), new_root, nodes),
        (old, new, old_root, _flip(new_root, bit), nodes),
        (old, new, old_root, new_root, [*nodes[:spot], _flip(nodes[spot], bit), *nodes[spot + 1 :]]),
        (old, new, old_root, new_root, nodes[:-1]),
        (old, new, old_root, new_root, [*nodes, new_root]),
        (old, new, new_root, old_root, nodes),
        (new, old, new_root, old_root, nodes),
        (old, new, old_root, new_root, []),
    ]
    for case in changed:
        assert not verify_consistency(*case)
        assert not independent_consistency(*case)
    other_old = data.draw(st.integers(0, new + 1), label="other old")
    other_new = data.draw(st.integers(0, len(entries)), label="other new")
    for case in [(other_old, new, old_root, new_root, nodes), (old, other_new, old_root, tree.root(other_new), nodes)]:
        assert verify_consistency(*case) == independent_consistency(*case)


def test_a_log_rewritten_before_the_old_size_has_no_consistency_proof() -> None:
    """Leaf 2 of 8 replaced: the proof from the honest tree of 3 to the rewritten tree of 8 (or
    from the rewritten 3 to the honest 8) fails, whichever tree the proof's nodes come from."""
    honest = MemoryTree([hash_leaf(leaf) for leaf in LEAVES])
    rewritten_leaves = [*LEAVES[:2], b"forged", *LEAVES[3:]]
    rewritten = MemoryTree([hash_leaf(leaf) for leaf in rewritten_leaves])
    for tree in (honest, rewritten):
        nodes = consistency_proof(tree, 3, 8)
        assert not verify_consistency(3, 8, honest.root(3), rewritten.root(8), nodes)
        assert not verify_consistency(3, 8, rewritten.root(3), honest.root(8), nodes)


def test_degenerate_sizes() -> None:
    """An empty old tree is a prefix of every tree; equal sizes need equal roots; nothing is
    included in an empty tree."""
    tree = MemoryTree([hash_leaf(leaf) for leaf in LEAVES])
    assert consistency_proof(tree, 0, 5) == [] == consistency_proof(tree, 5, 5)
    assert verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
    assert not verify_consistency(0, 5, ROOTS[1], ROOTS[5], [])
    assert verify_consistency(5, 5, ROOTS[5], ROOTS[5], [])
    assert not verify_consistency(5, 5, ROOTS[5], ROOTS[6], [])
    assert not verify_consistency(5, 5, ROOTS[5], ROOTS[5], [ROOTS[5]])
    assert not verify_inclusion(hash_leaf(LEAVES[0]), 0, 0, [], EMPTY_ROOT)
    with pytest.raises(ValueError, match="not in a tree of 0 leaves"):
        inclusion_proof(tree, 0, 0)
    with pytest.raises(ValueError, match="no consistency proof from 6 leaves to 5"):
        consistency_proof(tree, 6, 5)
    with pytest.raises(IndexError):
        inclusion_proof(tree, 0, 9)


def test_only_subtrees_of_the_log_are_asked_for() -> None:
    """[2, 5) is no subtree of the log's tree (its 3 leaves would start at a multiple of 4)."""
    tree = MemoryTree([hash_leaf(leaf) for leaf in LEAVES])
    assert range_from_nodes(tree.node, 4, 7) == mth(LEAVES[4:7])
    with pytest.raises(ValueError, match=r"\[2, 5\) is not a subtree"):
        range_from_nodes(tree.node, 2, 5)


@pytest.mark.parametrize("length", [0, 7, 8 + 31, 8 + 64])
def test_a_frontier_of_the_wrong_shape_is_refused(length: int) -> None:
    """Size 3 has two peaks: 8 + 64 bytes is the one right length; 8 + 64 bytes with size 3
    changed to 4 (one peak) is refused too."""
    data = (3).to_bytes(8, "big") + bytes(64)
    assert Frontier.from_bytes(data).size == 3
    with pytest.raises(ValueError, match="not a Merkle frontier"):
        Frontier.from_bytes(data[:length] if length < len(data) else (4).to_bytes(8, "big") + bytes(64))
