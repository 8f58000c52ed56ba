"""SQL access for the read models, through the store's backend.

The read models live in the same database as the event log (SQLite: the same file;
PostgreSQL: the same schema), so a catch-up batch can write its rows and its tracking
position in one local transaction. Every difference between the backends (placeholders, row
shapes, table qualification, transactions) is the recorder's
(:class:`caseledger.domain.store.backend.LedgerRecorder`); this module only names what the read
side reads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from caseledger.domain.integrity.chain import CHAIN_TABLE
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.backend import LedgerRecorder, SQLCursor, stored_state

Cursor = SQLCursor
"""The read side's cursor: ``?`` placeholders, tuple rows, on either backend."""


class Database:
    """The ledger's database, for read-model tables and raw log reads."""

    def __init__(self, app: LedgerApplication, recorder: LedgerRecorder | None = None) -> None:
        self.app = app
        self.recorder = recorder or app.ledger_recorder
        """Where the read-model tables live: the store's own database, or (``verify --deep``) a
        scratch database that read models are rebuilt into from the store's log."""
        self._held: Cursor | None = None

    def table(self, name: str) -> str:
        """``name`` qualified with the store's schema (PostgreSQL) or as is (SQLite)."""
        return self.recorder.table(name)

    def transaction(self, *, write: bool) -> contextlib.AbstractContextManager[Cursor]:
        """One transaction: committed if the block ends normally (and ``write``), else rolled back —
        or, inside :meth:`all_or_nothing`, a part of that one."""
        if self._held is not None:
            return contextlib.nullcontext(self._held)
        return self.recorder.transaction(write=write)

    @property
    def all_in_one(self) -> bool:
        """Whether every read-model transaction is now part of one (a rebuild's)."""
        return self._held is not None

    @contextlib.contextmanager
    def all_or_nothing(self) -> Iterator[None]:
        """Make every read-model transaction of the block one write transaction: committed when the
        block ends, rolled back whole if it raises or the process dies (a rebuild). The log is
        still read in transactions of its own."""
        with self.recorder.transaction(write=True) as cursor:
            self._held = cursor
            try:
                yield
            finally:
                self._held = None

    def chained_after(self, after: int, limit: int) -> list[tuple[Any, ...]]:
        """Up to ``limit`` stored events after ``after``, in order, each with its chain row:
        (position, originator id, version, topic, state, the login the store recorded as inserting
        it or None, leaf, head, mac), leaf None where it has none
        (:meth:`~caseledger.domain.store.backend.LedgerRecorder.chained_events_after`). A state
        rewritten as text is passed on as it is: the catch-up names it.

        Reads the columns projections need, without building the library's Notification
        objects (whose UUID conversion alone costs more than decoding the event)."""
        rows = self.app.ledger_recorder.chained_events_after(after, limit)
        return [row if type(row[4]) is bytes else (*row[:4], stored_state(row[4]), *row[5:]) for row in rows]  # as read, unless a memoryview

    def chain_head(self, cursor: Cursor, position: int) -> str:
        """The log's chain head at ``position`` as hex ('' before the first event, 'missing' when
        the log has no event there) — read in ``cursor``'s transaction when the read models live
        beside the log."""
        if position == 0:
            return ""
        statement, params = f"SELECT head FROM {self.app.ledger_recorder.table(CHAIN_TABLE)} WHERE position = ?", (position,)
        if self.recorder is self.app.ledger_recorder:
            row = cursor.execute(statement, params).fetchone()
        else:
            with self.app.ledger_recorder.transaction(write=False) as log:
                row = log.execute(statement, params).fetchone()
        return bytes(row[0]).hex() if row else "missing"
