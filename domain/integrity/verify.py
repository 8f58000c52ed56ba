"""``caseledger verify``: recompute the whole hash chain, check every entry's MAC, and name every break.

Events and chain rows are read in position order, in batches, and merged: an event without a
chain row, a chain row without its event, a leaf that no longer matches the event's bytes, a
head that does not follow from the previous one, or — with the ledger key — an entry whose MAC
is missing or not the key's (:func:`~caseledger.domain.integrity.chain.entry_mac`) is a break.
The walk goes on after a break from the entry's stored head, so every break is named, not only
the first; breaks of one kind at consecutive positions are reported as one range (a chain
rewritten from an edited event on fails its MAC at every later position). Without the key the
public chain is checked and the verdict says the MACs were not.

With a checkpoint, the recomputed head at the checkpoint's position must equal the signed one
(the log still holds exactly what the checkpoint covered) and the chain must run on unbroken
from there (it only grew).
"""

from __future__ import annotations

import dataclasses
import hmac
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from caseledger.domain.integrity.chain import GENESIS, entry_mac, identity_bytes, leaf_of, node_hash

BATCH = 20_000
EVENT_COLUMNS = "originator_id, originator_version, topic, state"

UNCHAINED = "an event with no chain entry (inserted outside the ledger?)"
"""The one break that leaves the rest of the chain whole: the event is not in it (the projector
quarantines it: ``status`` and ``verify`` list it)."""
MISSING = "the event for this chain entry is missing (deleted?)"
EDITED = "the event's stored bytes differ from when it was recorded"
UNLINKED = "the chain does not follow from the previous event (rows removed or reordered)"
FORGED_MAC = "the chain entry's MAC is not the ledger key's: written without the key (an event edited, inserted, appended, re-attributed or re-chained)"
NO_MAC = "the chain entry carries no MAC: written without the ledger key (or not yet sealed by a caseledger that adds them)"


def stored_leaf(event: tuple[Any, ...]) -> bytes:
    """The leaf hash of a stored event row (position, originator id, version, topic, state, ...)."""
    position, originator_id, version, topic, state = event[:5]
    raw = bytes(state) if isinstance(state, (bytes, bytearray, memoryview)) else str(state).encode()  # a BLOB rewritten as TEXT is tampering too
    return leaf_of(position, identity_bytes(originator_id), version, str(topic), raw)


@dataclass(frozen=True)
class Break:
    """A run of positions broken for one reason, with no intact entry between them."""

    first: int
    last: int
    reason: str
    count: int = 1

    def described(self) -> str:
        where = f"position {self.first}" if self.count == 1 else f"positions {self.first}–{self.last} ({self.count} entries)"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Verdict:
    """The outcome: how many events were checked, the head, every break, and whether MACs were checked."""

    events: int
    head: bytes
    head_position: int
    breaks: tuple[Break, ...] = ()
    heads: dict[int, bytes] | None = None
    macs_checked: bool = False
    tree_checked: bool = False
    """Whether the Merkle log was checked too (a store not yet at the format that keeps it is
    not: :mod:`caseledger.domain.store.migrations`)."""

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def broken_at(self) -> int | None:
        """The first broken position (None: intact)."""
        return self.breaks[0].first if self.breaks else None

    @property
    def reason(self) -> str:
        """Why the first break is one."""
        return self.breaks[0].reason if self.breaks else ""

    def broken(self, position: int, reason: str) -> Verdict:
        """This verdict with a break at ``position`` too (a checkpoint's finding), in position order."""
        return dataclasses.replace(self, breaks=tuple(sorted((*self.breaks, Break(position, position, reason)), key=lambda found: found.first)))

    @property
    def unchained(self) -> list[int]:
        """Positions of events with no chain entry (the projector quarantines them)."""
        return [position for found in self.breaks if found.reason == UNCHAINED for position in range(found.first, found.last + 1)]


class ChainedLog(Protocol):
    """What verification reads: stored events and chain rows in position order, a batch at a time
    (every store backend offers it; integrity needs nothing else of the store)."""

    identity_column: str

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


class Step(NamedTuple):
    """One position of the walk: the head after it and what is wrong there (None: nothing). A
    tuple: the walk makes one per event, and a frozen dataclass costs a microsecond to build."""

    position: int
    head: bytes
    problem: str | None
    recorder: str | None = None
    """The login the store names as the event's recorder (None on SQLite)."""


def walk(log: ChainedLog, key: bytes | None = None, *, start: tuple[int, bytes] = (0, GENESIS)) -> Iterator[Step]:
    """Every position after ``start`` (a position and the head there, trusted), in order, with
    its problem; after a broken entry the walk goes on from the head the entry stores. ``key``:
    the ledger key, to check each entry's MAC (None: the public chain only)."""
    after = start[0]
    columns = f"{EVENT_COLUMNS}, {log.identity_column}"
    events = _batched(lambda after, limit: log.events_after(columns, after, limit), after)
    chain = _batched(log.chain_after, after)
    return walk_rows(events, chain, key, start=start)


def walk_rows(events: Iterator[tuple[Any, ...]], chain: Iterator[tuple[Any, ...]], key: bytes | None, *, start: tuple[int, bytes]) -> Iterator[Step]:
    """:func:`walk` over rows already read, in position order: events (position, originator id,
    version, topic, state, recorder, …) and chain rows (position, leaf, head, mac) after ``start``
    (the projection engine authenticates a batch with the rows it has read to apply them). The
    loop is the hot path of every catch-up and ``verify``: one pass per event, nothing built but
    its :class:`Step`."""
    head = start[1]
    compare = hmac.compare_digest
    event = next(events, None)
    link = next(chain, None)
    while event is not None or link is not None:
        if event is not None and (link is None or event[0] < link[0]):
            yield Step(event[0], head, UNCHAINED)
            event = next(events, None)
            continue
        assert link is not None
        position, stored_head = link[0], bytes(link[2])
        if event is None or position < event[0]:
            yield Step(position, stored_head, MISSING)
            head = stored_head
            link = next(chain, None)
            continue
        recorder = None if event[5] is None else str(event[5])
        if stored_leaf(event) != link[1]:
            problem: str | None = EDITED
        elif node_hash(head, link[1]) != stored_head:
            problem = UNLINKED
        elif key is None:
            problem = None
        elif link[3] is None:
            problem = NO_MAC
        elif not compare(bytes(link[3]), entry_mac(key, position, stored_head, recorder)):
            problem = FORGED_MAC
        else:
            problem = None
        yield Step(position, stored_head, problem, recorder)
        head = stored_head
        event = next(events, None)
        link = next(chain, None)


def verify(app: Ledger, keep_heads_at: AbstractSet[int] = frozenset(), *, start: tuple[int, bytes] = (0, GENESIS), key: bytes | None = None) -> Verdict:
    """Walk the chain (checking MACs with ``key``, the ledger key); ``keep_heads_at`` positions get
    their heads reported. ``start`` (a position and the head there, trusted: a signed
    checkpoint's) walks only what follows it."""
    count, last, head = 0, start[0], start[1]
    heads: dict[int, bytes] = {}
    breaks: list[Break] = []
    previous: str | None = None
    for step in walk(app.ledger_recorder, key, start=start):
        if step.problem is None:
            count += 1
        elif previous == step.problem:  # the run of this break goes on
            breaks[-1] = Break(breaks[-1].first, step.position, step.problem, breaks[-1].count + 1)
        else:
            breaks.append(Break(step.position, step.position, step.problem))
        previous = step.problem
        if step.problem != UNCHAINED:
            head, last = step.head, step.position
            if step.position in keep_heads_at:
                heads[step.position] = step.head
    return Verdict(count, head, last, tuple(breaks), heads, macs_checked=key is not None)
