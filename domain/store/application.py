"""The eventsourcing Application holding the whole ledger, opened from a ``--store`` URL."""

from __future__ import annotations

import random
import time
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import MutableOrImmutableAggregate
from eventsourcing.persistence import IntegrityError, InternalError, Mapper, ProgrammingError
from eventsourcing.utils import resolve_topic

from caseledger.domain.errors import ReadOnlyStore
from caseledger.domain.model.aggregates import OffenderCase, Officer
from caseledger.domain.store.backend import LedgerRecorder
from caseledger.domain.store.keys import check_key
from caseledger.domain.store.mapper import LedgerMapper
from caseledger.domain.store.urls import APP_NAME, store_env

ATTEMPTS_TO_OPEN = 8


class LedgerApplication(Application[UUID]):
    """The eventsourcing Application holding the whole ledger, with the msgspec mapper.

    Offender cases and officers are snapshotted every 50 versions, so a command on a long-lived
    case reads a snapshot and the events after it instead of replaying the whole case."""

    name = APP_NAME
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {OffenderCase: 50, Officer: 50}

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

    def check_writable(self) -> None:
        """Refuse, before any work, to record into a read-only replica."""
        if self.ledger_recorder.read_only:
            raise ReadOnlyStore("this store is a read-only replica: record on the primary, the replica follows it")

    def head_position(self) -> int:
        """The highest log position, 0 for an empty store."""
        return self.recorder.max_notification_id() or 0


def open_application(url: str, *, payloads: bool = True) -> LedgerApplication:
    """Open (creating tables if needed) the ledger stored at ``url`` — or, when ``url`` names a
    read-only standby, open it without creating anything. A process that will read or write
    events' payloads (``payloads``) must hold the store's key, if it has one, or none if it has
    none (:mod:`caseledger.domain.store.keys`); one that only walks the hash chain (verify,
    checkpoint, status) needs no key: the chain covers the ciphertext.

    Several processes opening one PostgreSQL store at once race on the library's
    ``CREATE OR REPLACE FUNCTION``/``CREATE TABLE IF NOT EXISTS`` ("tuple concurrently updated",
    duplicate catalog rows); the loser simply tries again."""
    env = store_env(url)
    recorder: type[LedgerRecorder] = resolve_topic(env["APPLICATION_RECORDER_TOPIC"])
    if recorder.standby(env):
        env["CREATE_TABLE"] = "false"  # a replica is read-only: its tables arrive by replication
    racing: tuple[type[Exception], ...] = (InternalError, IntegrityError, ProgrammingError, *recorder.conflict_errors)
    for attempt in range(ATTEMPTS_TO_OPEN):
        try:
            app = LedgerApplication(env=env)
            if payloads:
                check_key(app.ledger_recorder, app.ledger_mapper, env.get("CIPHER_KEY"))
            return app
        except racing:
            if attempt == ATTEMPTS_TO_OPEN - 1:
                raise
            time.sleep(random.uniform(0.05, 0.3))
    raise AssertionError("unreachable")
