"""Aggregate snapshots that cannot be forged: each carries a MAC under the cache key.

The library's snapshot store trusts whatever row it finds, and commands validate against the
aggregate it restores: a snapshot edited to say ``in_siu = true`` would let an import end an SIU
stay that never began, while ``verify`` finds the chain intact (the chain covers events, not
snapshots). Here every stored snapshot's state is its MAC (:mod:`caseledger.domain.secrets.mac`) followed by the sealed
state. The MAC covers the aggregate, version, topic and state **and the chain head at the log
position of the aggregate's event of that version** — so a snapshot copied from another store
sealed with the same cache key (a backup, a fork, another store of the same user), or invented
for an aggregate this log has no such event of, fails too. A snapshot whose MAC does not match
is reported and skipped, so the aggregate is rebuilt from an older authentic snapshot or from its
events — never from the forgery. It is not deleted there (the reader may be inside an import's
write transaction); ``caseledger rebuild`` deletes every forged snapshot and
``verify --deep`` names them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import AggregateRecorder, EventStore, Mapper, Recording, StoredEvent

from caseledger.domain.model.aggregates import LedgerAggregate, OffenderCase, Officer
from caseledger.domain.secrets.mac import MAC_SIZE, CacheSeal
from caseledger.domain.store.backend import LedgerRecorder
from caseledger.domain.store.mapper import SNAPSHOT_TOPIC_PREFIX

REPORTS = logging.getLogger("caseledger.integrity")
"""Where forged caches are reported (with no handler configured, Python prints warnings to stderr)."""


FORGED = (
    "caseledger: warning: the snapshot of %s version %s fails its MAC (edited, or sealed with another cache key): "
    "not used, the aggregate is replayed from its events; `caseledger rebuild` deletes it"
)


SNAPSHOTTED: tuple[type[LedgerAggregate], ...] = (OffenderCase, Officer)
"""The only aggregates the program snapshots (long-lived, many events): a snapshot of any other —
a user's roles, say — was not taken by caseledger and is never used."""

SNAPSHOTTED_TOPICS = frozenset(SNAPSHOT_TOPIC_PREFIX + cls.__name__ for cls in SNAPSHOTTED)


class SealedSnapshotStore(EventStore[UUID]):
    """The application's snapshot store, with a MAC on every snapshot."""

    def __init__(self, mapper: Mapper[UUID], recorder: AggregateRecorder, seal: Callable[[], CacheSeal], log: LedgerRecorder) -> None:
        super().__init__(mapper, recorder)
        self._seal = seal
        self.log = log
        """The application recorder: where the chain head each snapshot is bound to is read."""

    def _parts(self, stored: StoredEvent) -> tuple[Any, ...] | None:
        """What the MAC covers, or None when this log has no event of the snapshot's version."""
        head = self.log.head_at_version(UUID(str(stored.originator_id)), stored.originator_version)
        return None if head is None else (str(stored.originator_id), stored.originator_version, stored.topic, bytes(stored.state), head)

    def authentic(self, stored: StoredEvent) -> StoredEvent | None:
        """The stored snapshot without its MAC, or None if the MAC does not match."""
        state = bytes(stored.state)
        plain = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, state[MAC_SIZE:])
        parts = self._parts(plain)
        return plain if parts is not None and self._seal().valid("snapshot", parts, state[:MAC_SIZE]) else None

    def mac(self, stored: StoredEvent) -> bytes:
        """The MAC of a stored snapshot (its state without a MAC) in this log."""
        parts = self._parts(stored)
        assert parts is not None, "a snapshot is taken of an aggregate whose event of that version is recorded"
        return self._seal().mac("snapshot", parts)

    def put(self, domain_events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any) -> list[Recording[UUID]]:
        stored = []
        for snapshot in domain_events:
            plain = self.mapper.to_stored_event(snapshot)
            stored.append(StoredEvent(plain.originator_id, plain.originator_version, plain.topic, self.mac(plain) + plain.state))
        self.recorder.insert_events(stored, **kwargs)
        return []

    def get(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[DomainEventProtocol[UUID]]:
        """The authentic snapshots asked for. A forged one is left out, so ``limit=1`` (the newest,
        as the repository asks) goes on to the next older authentic one, if any."""
        found = 0
        for stored in self.recorder.select_events(originator_id, gt=gt, lte=lte, desc=desc):
            if stored.topic not in SNAPSHOTTED_TOPICS:  # the program snapshots no other aggregate: a cache-key holder's invention
                REPORTS.warning(FORGED, stored.originator_id, stored.originator_version)
                continue
            plain = self.authentic(stored)
            if plain is None:
                REPORTS.warning(FORGED, stored.originator_id, stored.originator_version)
                continue
            yield self.mapper.to_domain_event(plain)
            found += 1
            if limit is not None and found >= limit:
                return
