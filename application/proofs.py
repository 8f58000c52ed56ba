"""Proofs a keyless auditor checks: tree heads signed as C2SP checkpoints, inclusion and
consistency proofs from the store's Merkle log, and an exported event file checked offline.

The tree (:mod:`caseledger.domain.store.tree`) is over each event's canonical leaf
(:mod:`caseledger.domain.integrity.canonical`), so it is the same in every store holding the log:
a store moved with ``events | import --keep-recorded`` verifies against the source's checkpoints.

**The signed tree head** is a C2SP ``tlog-checkpoint`` signed note (Ed25519, the checkpoint key):

    caseledger.log/<first 16 hex digits of leaf 0's hash>     the origin: this log, in any store
    <tree size>
    <base64 root hash>

    — caseledger.log/… <base64 key ID ‖ signature>

``caseledger checkpoint`` writes it as the ``note`` member of its JSON file (beside the chain's
signed head); ``jq -r .note FILE`` gives the note alone, for any C2SP verifier, and every command
here reads either form. A log with no event yet has the origin ``caseledger.log/empty``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from eventsourcing.persistence import MapperDeserialisationError

from caseledger.application.interchange import parse_line
from caseledger.domain.errors import DomainError
from caseledger.domain.events.catalogue import EventRetracted
from caseledger.domain.inputs import SMALL_FILE_CAP, read_regular
from caseledger.domain.integrity.canonical import canonical_leaf
from caseledger.domain.integrity.checkpoint import Checkpoint, CheckpointError
from caseledger.domain.integrity.merkle import (
    Frontier,
    consistency_proof,
    hash_leaf,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from caseledger.domain.integrity.signed_note import NoteError, TreeHead, Verifier, open_checkpoint, sign_checkpoint
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.tree import STRIDE, TreeCursor, event_canonical, event_leaf, peaks, retracted_position

ORIGIN_PREFIX = "caseledger.log/"
LEAF_BATCH = 5000


def origin_of(first_leaf: bytes | None) -> str:
    """The origin line naming the log whose leaf 0 hashes to ``first_leaf`` (see the module)."""
    return ORIGIN_PREFIX + (first_leaf.hex()[:16] if first_leaf is not None else "empty")


def head_at(app: LedgerApplication, position: int) -> TreeHead:
    """The tree head of the events up to log ``position`` (a checkpoint's chain position), read
    in one transaction from the stored nodes."""
    recorder = app.ledger_recorder
    with recorder.transaction(write=False) as cursor:
        tree = TreeCursor(cursor, recorder.table)
        first = tree.leaf(0)
        size = tree.size_at(position)
        return TreeHead(origin_of(first[1] if first else None), size, tree.range_hash(0, size))


def signed_tree_head(head: TreeHead, key: Ed25519PrivateKey) -> str:
    """``head`` signed as a C2SP checkpoint note, named by its origin."""
    return sign_checkpoint(head, head.origin, key).decode()


def read_tree_head(path: Path, public_key: str) -> TreeHead:
    """The tree head a checkpoint file signs — a ``caseledger checkpoint`` JSON file carrying a
    ``note``, or the note alone — once its signature is checked against ``public_key`` (raw hex,
    the pin); CheckpointError naming the file otherwise. A note is signed over its exact bytes,
    so one re-saved with CR LF line endings is refused as such."""
    try:
        data = read_regular(path, str(path), SMALL_FILE_CAP)
    except DomainError as error:
        raise CheckpointError(f"{path}: cannot read the checkpoint: {error.rule}") from None
    if data.lstrip().startswith(b"{"):
        try:
            note = msgspec.json.decode(data, type=Checkpoint).note
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            raise CheckpointError(f"{path}: not a caseledger checkpoint: {error}") from None
        if note is None:
            raise CheckpointError(f"{path}: this checkpoint signs no tree head (made before the Merkle log: sign a new one with caseledger checkpoint)")
        data = note.encode()
    origin = data.split(b"\n", 1)[0]
    if origin.endswith(b"\r"):
        raise CheckpointError(
            f"{path}: note: its lines end in CR LF (re-saved?): a signed note's lines end in LF alone, and its signature covers its exact bytes"
        )
    try:
        verifier = Verifier(origin.decode("utf-8", "replace"), Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)))
    except NoteError:
        raise CheckpointError(
            f"{path}: note line 1 (origin): {origin.decode('utf-8', 'replace')!r} is not a log's origin (non-empty, no space, no '+')"
        ) from None
    try:
        return open_checkpoint(data, verifier)
    except NoteError as error:
        raise CheckpointError(f"{path}: {error}") from None


@dataclass(frozen=True)
class InclusionProof:
    """That the event at ``position`` is leaf ``index`` of the tree of ``size`` leaves with ``root``."""

    position: int
    index: int
    size: int
    leaf: str
    """The event's canonical bytes (what its leaf hash is the hash of), as text."""
    leaf_hash: bytes
    path: list[bytes]
    root: bytes
    verified: bool

    def document(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "leaf_index": self.index,
            "tree_size": self.size,
            "leaf": self.leaf,
            "leaf_hash": self.leaf_hash.hex(),
            "path": [node.hex() for node in self.path],
            "root": self.root.hex(),
            "verified": self.verified,
        }


def prove_inclusion(app: LedgerApplication, position: int, head: TreeHead) -> InclusionProof:
    """The inclusion proof of the event at ``position`` in the signed tree ``head``, checked
    against the signed root; CheckpointError where the store cannot give one."""
    recorder = app.ledger_recorder
    with recorder.transaction(write=False) as cursor:
        tree = TreeCursor(cursor, recorder.table)
        index = tree.leaf_index(position)
        if index is None:
            raise CheckpointError(f"POSITION: the event at {position} is not in the Merkle log (no such event, or one outside the chain)")
        if index >= head.size:
            raise CheckpointError(f"POSITION: the event at {position} is leaf {index}, recorded after the checkpoint's {head.size} leaves")
        if tree.size() < head.size:
            raise CheckpointError(f"the store's tree has {tree.size()} leaves, fewer than the checkpoint's {head.size}: it is not this log")
        found = tree.leaf(index)
        assert found is not None
        try:
            path = inclusion_proof(tree, index, head.size)
        except LookupError as error:
            raise tree.lacking(error, "no proof can be drawn from it") from None
    event = recorder.events_at([position])
    leaf_text = ""
    if event:
        stored = event[0]
        envelope = app.ledger_mapper.read_envelope(stored.stored)
        target = retracted_position(envelope)
        with recorder.transaction(write=False) as cursor:
            retracts = None if target is None else TreeCursor(cursor, recorder.table).leaf_index(target)
        canonical = event_canonical(envelope, stored.login, retracts)
        if hash_leaf(canonical) == found[1]:  # else the event no longer gives its stored leaf: verify names it
            leaf_text = canonical.decode()
    verified = verify_inclusion(found[1], index, head.size, path, head.root) and bool(leaf_text)
    return InclusionProof(position, index, head.size, leaf_text, found[1], path, head.root, verified)


@dataclass(frozen=True)
class ConsistencyProof:
    """That the tree of ``new.size`` leaves extends the one of ``old.size``, both signed."""

    old: TreeHead
    new: TreeHead
    path: list[bytes]
    verified: bool


def prove_consistency(app: LedgerApplication, old: TreeHead, new: TreeHead) -> ConsistencyProof:
    """The consistency proof from ``old`` to ``new`` drawn from the store's tree, checked
    against both signed roots."""
    if old.size > new.size:
        old, new = new, old
    recorder = app.ledger_recorder
    with recorder.transaction(write=False) as cursor:
        tree = TreeCursor(cursor, recorder.table)
        if tree.size() < new.size:
            raise CheckpointError(f"the store's tree has {tree.size()} leaves, fewer than the newer checkpoint's {new.size}")
        try:
            path = consistency_proof(tree, old.size, new.size)
        except LookupError as error:
            raise tree.lacking(error, "no proof can be drawn from it") from None
    return ConsistencyProof(old, new, path, verify_consistency(old.size, new.size, old.root, new.root, path))


@dataclass(frozen=True)
class TreeCheck:
    """What walking the tree's leaves found: how many were walked, and the first problem
    (position, reason), if any."""

    walked: int
    problem: tuple[int, str] | None = None
    unread: int = 0
    """Leaves whose event this process could not read (no key, an unknown type): their stored
    leaf hash stood in for the one recomputed."""


def check_tree(app: LedgerApplication, head: TreeHead | None = None, *, since: bool = False) -> TreeCheck:
    """Recompute the tree: every leaf from its event where this process can read it (an
    encrypted store's events only with its key), every kept node from the leaves, the root at
    the signed ``head``'s size against its root; and count the chained events, each of which
    must have its leaf. With ``since`` (and ``head``), the signed root is checked against the
    stored nodes under it and only the leaves after it are walked."""
    try:
        start, after = _start(app, head if since else None)
    except _Broken as broken:
        return TreeCheck(0, broken.problem)
    frontier, walked, last, unread = start, 0, after, 0
    pending: list[tuple[int, int, bytes, int]] = []
    for index, position, leaf, recomputed in _leaves(app, frontier.size):
        if index != frontier.size:
            return TreeCheck(walked, unread=unread, problem=(position, f"leaf {frontier.size} is missing from the tree"))
        unread += recomputed is None
        if recomputed is not None and recomputed != leaf:
            return TreeCheck(walked, unread=unread, problem=(position, "the event does not give its tree leaf (edited, or its leaf was)"))
        pending.extend((*node, position) for node in frontier.append(leaf) if node[0] and not node[0] % STRIDE)
        walked, last = walked + 1, position
        if head is not None and frontier.size == head.size and frontier.root() != head.root:
            return TreeCheck(walked, unread=unread, problem=(position, "the tree up to the checkpoint differs from the tree it signed"))
        if len(pending) >= LEAF_BATCH // 16:
            if (forged := _forged_node(app, pending)) is not None:
                return TreeCheck(walked, unread=unread, problem=forged)
            pending = []
    if (forged := _forged_node(app, pending)) is not None:
        return TreeCheck(walked, unread=unread, problem=forged)
    if head is not None and frontier.size < head.size:
        return TreeCheck(walked, unread=unread, problem=(0, f"the tree has {frontier.size} leaves, fewer than the checkpoint's {head.size} (truncated)"))
    chained = app.ledger_recorder.chain_count(after, 2**63 - 1)
    if chained != walked:
        missing = chained - walked
        return TreeCheck(
            walked,
            unread=unread,
            problem=(_first_without_leaf(app, after, last), f"{missing} chained event{'s' * (missing != 1)} with no leaf in the Merkle log"),
        )
    return TreeCheck(walked, unread=unread)


class _Broken(Exception):
    def __init__(self, position: int, reason: str) -> None:
        super().__init__(reason)
        self.problem = (position, reason)


def _start(app: LedgerApplication, head: TreeHead | None) -> tuple[Frontier, int]:
    """The frontier a walk starts from and the log position of its last leaf: the empty tree,
    or the signed ``head``'s, taken from the stored nodes under it once they fold to its root."""
    if head is None or head.size == 0:
        return Frontier(), 0
    recorder = app.ledger_recorder
    with recorder.transaction(write=False) as cursor:
        tree = TreeCursor(cursor, recorder.table)
        found = tree.leaf(head.size - 1)
        if found is None:
            raise _Broken(0, f"the tree has {tree.size()} leaves, fewer than the checkpoint's {head.size} (truncated)")
        try:
            frontier = Frontier(head.size, [tree.node(level, index) for level, index in peaks(head.size)])
        except LookupError as error:
            raise _Broken(found[0], str(error)) from None
    if frontier.root() != head.root:
        raise _Broken(found[0], "the tree up to the checkpoint differs from the tree it signed")
    return frontier, found[0]


def _forged_node(app: LedgerApplication, nodes: list[tuple[int, int, bytes, int]]) -> tuple[int, str] | None:
    """Where and why the stored kept nodes differ from ``nodes`` (level, index, hash, the position
    of the leaf that completed it) the walk computed, or None."""
    if not nodes:
        return None
    recorder = app.ledger_recorder
    with recorder.transaction(write=False) as cursor:
        tree = TreeCursor(cursor, recorder.table)
        for level in sorted({level for level, _, _, _ in nodes}):
            wanted = [(index, node, position) for at, index, node, position in nodes if at == level]
            try:
                stored = tree.kept(level, wanted[0][0], wanted[-1][0] + 1)
            except LookupError as error:
                return wanted[0][2], str(error)
            for (index, node, position), found in zip(wanted, stored, strict=True):
                if node != found:
                    return position, f"the stored node at level {level}, index {index} (up to this event) is not the one its leaves give"
    return None


def _first_without_leaf(app: LedgerApplication, after: int, last: int) -> int:
    """The first chained position after ``after`` with no leaf (``last``: the last leaf's)."""
    recorder = app.ledger_recorder
    position = after
    while rows := recorder.chain_after(position, LEAF_BATCH):
        with recorder.transaction(write=False) as cursor:
            tree = TreeCursor(cursor, recorder.table)
            for row in rows:
                if tree.leaf_index(row[0]) is None:
                    return int(row[0])
        position = rows[-1][0]
    return last


def _leaves(app: LedgerApplication, start: int) -> Iterator[tuple[int, int, bytes, bytes | None]]:
    """(index, position, stored leaf hash, the leaf recomputed from the event or None where this
    process cannot read it) of every leaf from ``start``, in order."""
    recorder = app.ledger_recorder
    mapper = app.ledger_mapper
    indices: dict[int, int] = {}
    after = start
    while True:
        with recorder.transaction(write=False) as cursor:
            rows = TreeCursor(cursor, recorder.table).leaves_between(after, after + LEAF_BATCH)
        if not rows:
            return
        events = {event.position: event for event in recorder.events_at([position for _, position, _ in rows])}
        for index, position, leaf in rows:
            indices[position] = index
            event = events.get(position)
            recomputed = None
            if event is not None:
                try:
                    envelope = mapper.read_envelope(event.stored)
                except MapperDeserialisationError:  # no key here, or a type this code does not know
                    envelope = None
                if envelope is not None:
                    target = retracted_position(envelope)
                    retracts = None
                    if target is not None:
                        retracts = indices.get(target) if target in indices else _index_of(app, target)
                    recomputed = event_leaf(envelope, event.login, retracts)
            else:
                recomputed = b""  # the event is gone: never equal to a leaf
            yield index, position, leaf, recomputed
        after = rows[-1][0] + 1


def _index_of(app: LedgerApplication, position: int) -> int | None:
    recorder = app.ledger_recorder
    with recorder.transaction(write=False) as cursor:
        return TreeCursor(cursor, recorder.table).leaf_index(position)


@dataclass(frozen=True)
class FileCheck:
    """An event file checked against a signed tree head: how many of its events it holds, and
    whether its first ``head.size`` give the signed root."""

    events: int
    size: int
    matches: bool
    reason: str = ""


def check_event_file(lines: Iterable[bytes], head: TreeHead) -> FileCheck:
    """Whether the file's events, in order, begin with the log the checkpoint signed: each
    line's canonical leaf (a retraction names its target by the leaf index of the line at its
    ``position``), folded into the tree until the signed size. DomainError names a line that is
    not an event line."""
    frontier = Frontier()
    indices: dict[int, int] = {}
    count = 0
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            parsed = parse_line(raw, "-")
        except DomainError as error:
            raise DomainError(f"line {number}: {error.field}", error.rule) from None
        entry = parsed.kept()
        if parsed.recorded_at is None:
            raise DomainError(f"line {number}: recorded_at", "an exported event line carries when it was recorded")
        if not isinstance(entry.occurred_at, dt.datetime):
            raise DomainError(f"line {number}: occurred_at", "an exported event line carries an instant with its offset, not a bare date")
        target = entry.data.position if isinstance(entry.data, EventRetracted) else None
        leaf = canonical_leaf(
            entry.data,
            entry.occurred_at,
            parsed.recorded_at,
            entry.recorded_by,
            entered_by=entry.entered_by,
            note=entry.note,
            retracts_leaf=None if target is None else indices.get(target),
        )
        if parsed.log_position is not None:  # the line's own position (a retraction's log_position)
            indices[parsed.log_position] = count
        count += 1
        if frontier.size < head.size:
            frontier.append(hash_leaf(leaf))
    if count < head.size:
        return FileCheck(count, head.size, False, f"the file holds {count} events, fewer than the checkpoint's {head.size}")
    if frontier.root() != head.root:
        return FileCheck(count, head.size, False, f"its first {head.size} events are not the log the checkpoint signed")
    return FileCheck(count, head.size, True)
