"""``caseledger verify``: recompute the whole hash chain and name the first broken position.

Events and chain rows are read in position order, in batches, and merged: an event without a
chain row, a chain row without its event, a leaf that no longer matches the event's bytes, or a
head that does not follow from the previous one is a break. With a checkpoint, the recomputed
head at the checkpoint's position must equal the signed one (the log still holds exactly what the
checkpoint covered) and the chain must run on unbroken from there (it only grew).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from caseledger.domain.integrity.chain import GENESIS, leaf_hash, node_hash

BATCH = 20_000
EVENT_COLUMNS = "originator_id, originator_version, topic, state"


def stored_leaf(event: tuple[Any, ...]) -> bytes:
    """The leaf hash of a stored event row (position, originator id, version, topic, state)."""
    position, originator_id, version, topic, state = event
    identity = originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
    raw = bytes(state) if isinstance(state, (bytes, bytearray, memoryview)) else str(state).encode()  # a BLOB rewritten as TEXT is tampering too
    return leaf_hash(position, identity, version, str(topic), raw)


@dataclass(frozen=True)
class Verdict:
    """The outcome: how many events were checked, the head, and the first break (if any)."""

    events: int
    head: bytes
    head_position: int
    broken_at: int | None = None
    reason: str = ""
    heads: dict[int, bytes] | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


class ChainedLog(Protocol):
    """What verification reads: stored events and chain rows in position order, a batch at a time
    (every store backend offers it; integrity needs nothing else of the store)."""

    def events_after(self, columns: str, after: int, limit: int) -> list[tuple[Any, ...]]: ...

    def chain_after(self, after: int, limit: int) -> list[tuple[Any, ...]]: ...

    def chain_before(self, position: int) -> tuple[Any, ...] | None: ...


class Ledger(Protocol):
    """A ledger whose log can be verified (the store's Application is one)."""

    @property
    def ledger_recorder(self) -> ChainedLog: ...


def _batched(read: Callable[[int, int], list[tuple[Any, ...]]], after: int = 0) -> Iterator[tuple[Any, ...]]:
    """Every row ``read(after, limit)`` gives past ``after``, position first, read in batches."""
    while True:
        rows = read(after, BATCH)
        yield from rows
        if len(rows) < BATCH:
            return
        after = rows[-1][0]


def verify(app: Ledger, keep_heads_at: AbstractSet[int] = frozenset(), *, start: tuple[int, bytes] = (0, GENESIS)) -> Verdict:
    """Walk the chain; ``keep_heads_at`` positions get their recomputed heads reported. ``start``
    (a position and the head there, trusted: a signed checkpoint's) walks only what follows it."""
    log = app.ledger_recorder
    after, head = start
    events = _batched(lambda after, limit: log.events_after(EVENT_COLUMNS, after, limit), after)
    chain = _batched(log.chain_after, after)
    count = 0
    last = after
    heads: dict[int, bytes] = {}
    event = next(events, None)
    link = next(chain, None)
    while event is not None or link is not None:
        if event is not None and (link is None or event[0] < link[0]):
            return Verdict(count, head, last, event[0], "an event with no chain entry (inserted outside the ledger?)", heads)
        if link is not None and (event is None or link[0] < event[0]):
            return Verdict(count, head, last, link[0], "the event for this chain entry is missing (deleted?)", heads)
        assert event is not None and link is not None
        position = event[0]
        leaf = stored_leaf(event)
        if leaf != bytes(link[1]):
            return Verdict(count, head, last, position, "the event's stored bytes differ from when it was recorded", heads)
        head = node_hash(head, leaf)
        if head != bytes(link[2]):
            return Verdict(count, head, last, position, "the chain does not follow from the previous event (rows removed or reordered)", heads)
        if position in keep_heads_at:
            heads[position] = head
        count += 1
        last = position
        event = next(events, None)
        link = next(chain, None)
    return Verdict(count, head, last, heads=heads)
