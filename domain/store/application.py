"""The eventsourcing Application holding the whole ledger, opened from a ``--store`` URL."""

from __future__ import annotations

import random
import time
from functools import cached_property
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import MutableOrImmutableAggregate, Snapshot
from eventsourcing.persistence import EventStore, IntegrityError, InternalError, Mapper, ProgrammingError, StoredEvent
from eventsourcing.utils import resolve_topic

from caseledger.domain.errors import ReadOnlyStore
from caseledger.domain.model.aggregates import LedgerAggregate
from caseledger.domain.secrets.derive import LEDGER_MAC
from caseledger.domain.secrets.keys import cache_key
from caseledger.domain.secrets.mac import CacheSeal
from caseledger.domain.settings import APP_NAME
from caseledger.domain.store.backend import LedgerRecorder
from caseledger.domain.store.cloak import Cloak
from caseledger.domain.store.keys import check_cache_key, check_key, check_pseudonym_key
from caseledger.domain.store.mapper import LedgerMapper
from caseledger.domain.store.migrations import CURRENT_FORMAT, migrate, refuse_newer
from caseledger.domain.store.snapshots import SNAPSHOTTED, SealedSnapshotStore
from caseledger.domain.store.urls import store_env

ATTEMPTS_TO_OPEN = 8


class LedgerApplication(Application[UUID]):
    """The eventsourcing Application holding the whole ledger, with the msgspec mapper.

    Offender cases and officers are snapshotted every 50 versions, so a command on a long-lived
    case reads a snapshot and the events after it instead of replaying the whole case."""

    name = APP_NAME
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = dict.fromkeys(SNAPSHOTTED, 50)

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshots are a cache the owner and the projector write; a user login's save takes none
        (the database would refuse it: :mod:`caseledger.domain.store.roles`)."""
        if self.ledger_recorder.writes_caches:
            super()._take_snapshots(processing_event)

    def construct_mapper(self) -> Mapper[UUID]:
        return LedgerMapper(compressor=self.factory.compressor(), cipher=self.factory.cipher())

    @property
    def ledger_mapper(self) -> LedgerMapper:
        """The mapper, typed (the library types it as its base class)."""
        assert isinstance(self.mapper, LedgerMapper)
        return self.mapper

    @property
    def ledger_recorder(self) -> LedgerRecorder:
        """The recorder, typed as the ledger's backend interface (every store URL selects one)."""
        assert isinstance(self.recorder, LedgerRecorder)
        return self.recorder

    @cached_property
    def cloak(self) -> Cloak:
        """Encryption of the read side's values, on when the store is encrypted (:mod:`caseledger.domain.store.cloak`)."""
        return Cloak(self.env.get("CIPHER_KEY"), self.ledger_mapper.cipher)

    @cached_property
    def ledger_key(self) -> bytes:
        """The key of the chain entries' MACs (:data:`~caseledger.domain.secrets.derive.LEDGER_MAC`), from the cache key."""
        return self.seal.derived(LEDGER_MAC)

    @cached_property
    def seal(self) -> CacheSeal:
        """MACs for this store's caches, under its cache key (:mod:`caseledger.domain.secrets.mac`)."""
        return CacheSeal(cache_key(self.env.get("CIPHER_KEY")))

    def construct_snapshot_store(self) -> EventStore[UUID]:
        """Snapshots with a MAC, checked before they are used (:mod:`caseledger.domain.store.snapshots`)."""
        recorder = self.factory.aggregate_recorder(purpose="snapshots")
        return SealedSnapshotStore(self.mapper, recorder, lambda: self.seal, self.ledger_recorder)

    @property
    def snapshots_table(self) -> str:
        """The name of the library's aggregate snapshot table (the backends' factories name it differently)."""
        assert self.snapshots is not None, "snapshotting_intervals always gives a snapshot store"
        return str(vars(self.snapshots.recorder)["events_table_name"])

    def forged_snapshots(self) -> list[tuple[UUID, int]]:
        """(aggregate, version) of every stored snapshot whose MAC fails."""
        assert isinstance(self.snapshots, SealedSnapshotStore)
        recorder = self.ledger_recorder
        forged = []
        with recorder.transaction(write=False) as cursor:
            cursor.execute(f"SELECT originator_id, originator_version, topic, state FROM {recorder.table(self.snapshots_table)}")
            for stored_id, version, topic, state in cursor.fetchall():
                aggregate = stored_id if isinstance(stored_id, UUID) else UUID(stored_id)
                if self.snapshots.authentic(StoredEvent(aggregate, int(version), topic, bytes(state))) is None:
                    forged.append((aggregate, int(version)))
        return forged

    def unfaithful_snapshot(self) -> tuple[UUID, int] | None:
        """The first authentic stored snapshot whose state is not what its aggregate's events give
        up to its version (``verify --deep``), or None."""
        assert isinstance(self.snapshots, SealedSnapshotStore)
        with self.ledger_recorder.transaction(write=False) as cursor:
            cursor.execute(
                f"SELECT originator_id, originator_version FROM {self.ledger_recorder.table(self.snapshots_table)} ORDER BY originator_id, originator_version"
            )
            stored = [(key if isinstance(key, UUID) else UUID(key), int(version)) for key, version in cursor.fetchall()]
        for aggregate, version in stored:
            snapshots = [cast("Snapshot", found) for found in self.snapshots.get(aggregate, gt=version - 1, lte=version)]
            replayed: LedgerAggregate | None = None
            for event in self.events.get(aggregate, lte=version):
                replayed = cast("LedgerAggregate.Event", event).mutate(replayed)
            if snapshots and (replayed is None or Snapshot.take(replayed).state != snapshots[0].state):
                return aggregate, version
        return None

    def delete_snapshots(self, snapshots: list[tuple[UUID, int]]) -> None:
        recorder = self.ledger_recorder
        with recorder.transaction(write=True) as cursor:
            for aggregate, version in snapshots:
                cursor.execute(
                    f"DELETE FROM {recorder.table(self.snapshots_table)} WHERE originator_id = ? AND originator_version = ?",
                    (recorder.stored_id(aggregate), version),
                )

    def check_writable(self) -> None:
        """Refuse, before any work, to record into a read-only replica."""
        if self.ledger_recorder.read_only:
            raise ReadOnlyStore(self.ledger_recorder.read_only_reason)

    def head_position(self) -> int:
        """The highest log position, 0 for an empty store."""
        return self.recorder.max_notification_id() or 0


def open_application(url: str, *, payloads: bool = True, new_cache_key: bool = False) -> LedgerApplication:
    """Open (creating tables if needed, and bringing an older store to the current format:
    :mod:`caseledger.domain.store.migrations`) the ledger stored at ``url`` — or, when ``url``
    names a read-only standby or a store another login owns, open it without creating or
    migrating anything. A store written by a newer caseledger is refused before anything is
    created or written. A process that will read or write events' payloads (``payloads``) must
    hold the store's key, if it has one, or none if it has none
    (:mod:`caseledger.domain.store.keys`); one that only walks the hash chain (verify,
    checkpoint, status) needs no key: the chain covers the ciphertext. ``new_cache_key``: this
    process's cache key replaces the one the store's caches were sealed with (every cache is
    then discarded and rebuilt).

    Several processes opening one PostgreSQL store at once race on the library's
    ``CREATE OR REPLACE FUNCTION``/``CREATE TABLE IF NOT EXISTS`` ("tuple concurrently updated",
    duplicate catalog rows); the loser simply tries again."""
    env = store_env(url)
    recorder: type[LedgerRecorder] = resolve_topic(env["APPLICATION_RECORDER_TOPIC"])
    preflight = recorder.preflight(env)
    if preflight.standby:
        env["CREATE_TABLE"] = "false"  # a replica is read-only: its tables arrive by replication
    refuse_newer(preflight.store_format)
    racing: tuple[type[Exception], ...] = (InternalError, IntegrityError, ProgrammingError, *recorder.conflict_errors)
    for attempt in range(ATTEMPTS_TO_OPEN):
        try:
            app = LedgerApplication(env=env)
            if payloads:
                check_key(app.ledger_recorder, app.ledger_mapper, env.get("CIPHER_KEY"))
                check_cache_key(app.ledger_recorder, app.seal, app.snapshots_table, adopt=new_cache_key)
                app.ledger_recorder.chain_key = app.ledger_key
                app.ledger_recorder.envelope_of = app.ledger_mapper.read_envelope
                check_pseudonym_key(app.ledger_recorder)
            if not preflight.standby and preflight.store_format != CURRENT_FORMAT:
                migrate(app.ledger_recorder, app.snapshots_table)
            return app
        except racing:
            if attempt == ATTEMPTS_TO_OPEN - 1:
                raise
            time.sleep(random.uniform(0.05, 0.3))
    raise AssertionError("unreachable")
