"""The Merkle log as a store keeps it: each event's leaf, every 4th level of perfect nodes, the frontier.

Three tables beside the events, written in the transaction that inserts the events (so the tree
never runs ahead of or behind the log) by :meth:`caseledger.domain.store.backend.LedgerRecorder.append_chain`,
for commands and imports alike:

* ``cl_tree_leaves (idx, position, leaf)``: leaf *idx* (from 0) is the *idx*-th chained event in
  position order, at log ``position``; ``leaf`` is its leaf hash over its canonical bytes
  (:mod:`caseledger.domain.integrity.canonical`). Both keys grow together, so each is an append.
* ``cl_tree_nodes (level, idx, hash)``: the perfect subtrees at levels 4, 8, 12, … (a node at
  level *L* covers ``2**L`` leaves from ``idx * 2**L``): one row per 16 events in all. A node at
  a level in between is folded from at most 8 stored hashes at the level below it that is kept
  — so a proof reads O(log n) rows and hashes at most 15 per node, and the tree costs about a
  15th of the leaves' rows (every level would double them; C2SP tlog-tiles keep every 8th and
  hash up to 255).

The :class:`~caseledger.domain.integrity.merkle.Frontier` an insert appends to (the size and the
peaks) is read from these, O(log n) rows: the last leaf's index, and the perfect subtrees the
size splits into. It is not kept in a row of its own, which every login would then have to be
allowed to rewrite (on PostgreSQL the user role may only add rows to the tree, as to the chain).

Writers are already serialised where these are written: SQLite's write transaction, PostgreSQL's
exclusive lock on the events table that orders positions (:mod:`caseledger.domain.store.postgres`).

Which events are leaves: every event given a chain row when it was inserted, in position order —
an event inserted by hand, outside the chain (quarantined: excluded from every figure), has no
leaf. An event the inserting process cannot read (a type this code does not know, bytes that do
not decode) gets a leaf over its stored form instead (:data:`STORED_FORM`): it can neither be
exported nor moved, and ``verify`` names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from caseledger.domain.errors import LogUnauthenticated
from caseledger.domain.events.catalogue import EventRetracted
from caseledger.domain.integrity.canonical import canonical_leaf
from caseledger.domain.integrity.merkle import Frontier, hash_children, hash_leaf, range_from_nodes
from caseledger.domain.store.mapper import StoredEnvelope

TREE_LEAVES = "cl_tree_leaves"
TREE_NODES = "cl_tree_nodes"
TREE_TABLES = (TREE_LEAVES, TREE_NODES)
STRIDE = 4
"""Nodes are kept at the levels that are multiples of this (level 0: the leaves table)."""

TREE_FORMAT = 6
"""The first store format that keeps the Merkle log (:mod:`caseledger.domain.store.migrations`):
a store at an older one holds no tree yet, and its events get no leaves until that format's
step builds it afresh from every chained event."""

STORED_FORM = b"caseledger-stored-event\x00"
"""Prefix of the leaf of an event this code cannot read: then its chain leaf (stored bytes)."""


def tree_tables(table: Callable[[str], str], binary_type: str, integer_type: str) -> list[str]:
    """CREATE statements of the tree's tables (``table``: a name as SQL, schema-qualified where
    there is one)."""
    return [
        f"CREATE TABLE IF NOT EXISTS {table(TREE_LEAVES)} (idx {integer_type} PRIMARY KEY, position {integer_type} NOT NULL UNIQUE, leaf {binary_type} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {table(TREE_NODES)} (level INTEGER NOT NULL, idx {integer_type} NOT NULL, hash {binary_type} NOT NULL, PRIMARY KEY (level, idx))",
    ]


class TreeCursor:
    """The stored tree as one transaction's cursor sees it: appends, and the subtree hashes the
    proofs ask for (:class:`~caseledger.domain.integrity.merkle.SubtreeHashes`)."""

    def __init__(self, cursor: Any, table: Callable[[str], str]) -> None:
        self.cursor = cursor
        self.leaves = table(TREE_LEAVES)
        self.nodes = table(TREE_NODES)

    # -- writing ---------------------------------------------------------------------------

    def frontier(self) -> Frontier:
        """The frontier after the last leaf (an empty one for an empty tree), from the stored
        rows: the last leaf's index, then each peak's hash."""
        size = self.size()
        return Frontier(size, [self.node(level, index) for level, index in peaks(size)])

    def append(self, frontier: Frontier, leaves: Iterable[tuple[int, bytes]]) -> None:
        """Append ``leaves`` (position, leaf hash), in position order, to the tree whose frontier
        is ``frontier`` (read in this transaction), storing each leaf and each kept node it completes."""
        leaf_rows: list[tuple[int, int, bytes]] = []
        node_rows: list[tuple[int, int, bytes]] = []
        for position, leaf in leaves:
            leaf_rows.append((frontier.size, position, leaf))
            node_rows.extend(node for node in frontier.append(leaf) if node[0] and not node[0] % STRIDE)
        if not leaf_rows:
            return
        self.cursor.executemany(f"INSERT INTO {self.leaves} (idx, position, leaf) VALUES (?, ?, ?)", leaf_rows)
        self.cursor.executemany(f"INSERT INTO {self.nodes} (level, idx, hash) VALUES (?, ?, ?)", node_rows)

    # -- reading ---------------------------------------------------------------------------

    def size(self) -> int:
        """How many leaves the tree has (the last one's index + 1)."""
        row = self.cursor.execute(f"SELECT idx FROM {self.leaves} ORDER BY idx DESC LIMIT 1").fetchone()
        return 0 if row is None else int(row[0]) + 1

    def size_at(self, position: int) -> int:
        """How many leaves are at positions up to ``position``."""
        row = self.cursor.execute(f"SELECT idx FROM {self.leaves} WHERE position <= ? ORDER BY position DESC LIMIT 1", (position,)).fetchone()
        return 0 if row is None else int(row[0]) + 1

    def leaf_index(self, position: int) -> int | None:
        """The leaf index of the event at ``position`` (None: it has no leaf)."""
        row = self.cursor.execute(f"SELECT idx FROM {self.leaves} WHERE position = ?", (position,)).fetchone()
        return None if row is None else int(row[0])

    def leaf(self, index: int) -> tuple[int, bytes] | None:
        """(position, leaf hash) of leaf ``index``."""
        row = self.cursor.execute(f"SELECT position, leaf FROM {self.leaves} WHERE idx = ?", (index,)).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    def leaves_between(self, start: int, end: int) -> list[tuple[int, int, bytes]]:
        """(idx, position, leaf hash) of leaves ``[start, end)``, in order."""
        rows = self.cursor.execute(f"SELECT idx, position, leaf FROM {self.leaves} WHERE idx >= ? AND idx < ? ORDER BY idx", (start, end)).fetchall()
        return [(int(idx), int(position), bytes(leaf)) for idx, position, leaf in rows]

    def kept(self, level: int, start: int, end: int) -> list[bytes]:
        """Hashes of the kept level ``level`` at indices ``[start, end)``."""
        if level == 0:
            rows = self.cursor.execute(f"SELECT leaf FROM {self.leaves} WHERE idx >= ? AND idx < ? ORDER BY idx", (start, end)).fetchall()
        else:
            rows = self.cursor.execute(f"SELECT hash FROM {self.nodes} WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx", (level, start, end)).fetchall()
        if len(rows) != end - start:
            raise LookupError(f"the stored tree lacks nodes at level {level}, {start}..{end - 1}")
        return [bytes(row[0]) for row in rows]

    def node(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree at ``level``, ``index``: a kept row, or folded from
        the ``2**(level % STRIDE)`` kept hashes under it."""
        below = level % STRIDE
        hashes = self.kept(level - below, index << below, (index + 1) << below)
        while len(hashes) > 1:
            hashes = [hash_children(hashes[at], hashes[at + 1]) for at in range(0, len(hashes), 2)]
        return hashes[0]

    def range_hash(self, start: int, end: int) -> bytes:
        return range_from_nodes(self.node, start, end)

    def lacking(self, error: LookupError, consequence: str) -> LogUnauthenticated:
        """The alarm for a tree missing rows it needs (``error``, from :meth:`kept`: deleted around
        the program), named at its last leaf's position; ``consequence``: what could not be done."""
        size = self.size()
        last = self.leaf(size - 1) if size else None
        return LogUnauthenticated(last[0] if last else 0, f"Merkle log: {error} (deleted?): {consequence}")


def peaks(size: int) -> list[tuple[int, int]]:
    """(level, index) of the perfect subtrees a tree of ``size`` leaves splits into, left to right."""
    found, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            found.append((level, start >> level))
            start += 1 << level
    return found


def stored_form_leaf(chain_leaf: bytes) -> bytes:
    """The leaf hash of an event this code cannot read (see the module)."""
    return hash_leaf(STORED_FORM + chain_leaf)


def event_canonical(envelope: StoredEnvelope[Any], recorded_by: str | None, retracts_leaf: int | None) -> bytes:
    """The canonical bytes of an event read as ``envelope``; ``recorded_by``: the login the store
    names as its recorder (None: the one in the envelope); ``retracts_leaf``: a retraction's
    target's leaf index (:mod:`caseledger.domain.integrity.canonical`)."""
    return canonical_leaf(
        envelope.data,
        envelope.occurred_at,
        envelope.recorded_at,
        recorded_by or envelope.recorded_by,
        entered_by=envelope.entered_by,
        note=envelope.note,
        retracts_leaf=retracts_leaf,
    )


def event_leaf(envelope: StoredEnvelope[Any], recorded_by: str | None, retracts_leaf: int | None) -> bytes:
    """The leaf hash of :func:`event_canonical`'s bytes."""
    return hash_leaf(event_canonical(envelope, recorded_by, retracts_leaf))


def retracted_position(envelope: StoredEnvelope[Any]) -> int | None:
    """The position a retraction retracts (None: not a retraction)."""
    return envelope.data.position if isinstance(envelope.data, EventRetracted) else None
