"""``caseledger import``: stream JSON Lines into the ledger, all or nothing.

The file is read line by line (a million-line file is never held in memory). Every line is
validated against the ledger as it stands after the lines before it, and its event is written
in batches inside **one** transaction that holds the store's write lock from the start. The
first invalid line raises :class:`~caseledger.domain.errors.ImportFailed` (``line N: field: reason``) and
the transaction rolls back, so either every line is recorded or none is — the same outcome as
"validate all, then record all", without reading the file twice.

``keep_recorded`` keeps each line's ``recorded_at`` (they must be present, aware and
non-decreasing, and not before the store's newest event) so that a store can be moved with its
bitemporal history: ``caseledger --store A events | caseledger --store B import --keep-recorded -``.
Lines that carry a log ``position`` (an export) must carry increasing positions; an
``EventRetracted`` whose ``position`` names one of them is re-pointed to that event's new
position, since positions need not survive a move (PostgreSQL sequences leave gaps).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import msgspec
from eventsourcing.persistence import StoredEvent

from caseledger.application.identity import identity
from caseledger.application.interchange import ParsedLine, parse_line
from caseledger.domain.errors import DomainError, ImportFailed
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.recording import Entry, record_entry
from caseledger.domain.model.times import EARLIEST, utc_now
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.backend import AttributedEvent, BulkTransaction
from caseledger.domain.store.views import WorkingSetView

BATCH_SIZE = 5000


@dataclass(frozen=True)
class ImportReport:
    """What an import recorded."""

    events: int
    first_position: int | None
    last_position: int | None


class PositionMap:
    """Old log position (from an exported line) → new position, in two compact arrays."""

    def __init__(self) -> None:
        self.old = array("q")
        self.new = array("q")

    def add(self, old: int, new: int) -> None:
        self.old.append(old)
        self.new.append(new)

    def get(self, old: int) -> int | None:
        index = bisect_left(self.old, old)
        if index < len(self.old) and self.old[index] == old:
            return self.new[index]
        return None


class _Batch:
    """Stored events waiting to be inserted, with the positions their lines carried.

    With a ``writer`` (PostgreSQL), a flushed batch is inserted by a writer thread while the
    importer prepares the next one: the driver releases the GIL while the server works, so
    inserting overlaps with parsing and validating. Without one (SQLite), batches are inserted
    in place. At most one batch is in flight; :meth:`settle`
    waits for it (before a position lookup, and at the end) and re-raises its error.
    """

    def __init__(self, transaction: BulkTransaction, positions: PositionMap, writer: ThreadPoolExecutor | None) -> None:
        self.transaction = transaction
        self.positions = positions
        self.writer = writer
        self.events: list[StoredEvent] = []
        self.carried: list[int | None] = []
        self.recorders: list[str] | None = None
        """Each event's recorder, kept in the store's own column where it has one (``--keep-recorded``)."""
        self.in_flight: tuple[Future[list[int]], list[int | None]] | None = None
        self.written = 0
        self.first: int | None = None
        self.last: int | None = None

    def add(self, stored: StoredEvent, carried_position: int | None, kept_recorder: str | None = None) -> None:
        self.events.append(stored)
        self.carried.append(carried_position)
        if kept_recorder is not None:
            if self.recorders is None:
                self.recorders = []
            self.recorders.append(kept_recorder)

    def flush(self) -> None:
        """Hand the pending events to the writer (after the previous batch has landed)."""
        self.settle()
        if not self.events:
            return
        if self.writer is not None:
            future = self.writer.submit(self.transaction.insert, self.events, self.recorders)
        else:
            future = Future()
            future.set_result(self.transaction.insert(self.events, self.recorders))
        self.in_flight = (future, self.carried)
        self.events, self.carried = [], []
        self.recorders = None if self.recorders is None else []

    def settle(self) -> None:
        """Wait for the batch in flight and book its positions."""
        if self.in_flight is None:
            return
        future, carried_positions = self.in_flight
        self.in_flight = None
        new_positions = future.result()
        for carried, new in zip(carried_positions, new_positions, strict=True):
            if carried is not None:
                self.positions.add(carried, new)
        if self.first is None:
            self.first = new_positions[0]
        self.last = new_positions[-1]
        self.written += len(new_positions)


class _RecordedAtPolicy:
    """Gives each line its recording time: now, or (``keep_recorded``) the line's own."""

    def __init__(self, keep_recorded: bool, not_before: dt.datetime | None) -> None:
        self.keep_recorded = keep_recorded
        self.previous = not_before

    def for_line(self, parsed: ParsedLine) -> dt.datetime:
        now = utc_now()
        if not self.keep_recorded:
            return now
        kept = parsed.recorded_at
        if kept is None:
            raise DomainError("recorded_at", "--keep-recorded needs recorded_at on every line")
        if self.previous is not None and kept < self.previous:
            raise DomainError("recorded_at", f"{kept.isoformat()} is earlier than the event before it ({self.previous.isoformat()})")
        if kept > now:
            raise DomainError("recorded_at", f"{kept.isoformat()} is in the future")
        if kept.year < 1901 and kept < EARLIEST:
            raise DomainError("recorded_at", f"{kept.isoformat()} is before {EARLIEST.date()}: out of range")
        self.previous = kept
        return kept


def _newest_recorded_at(app: LedgerApplication) -> dt.datetime | None:
    head = app.head_position()
    if not head:
        return None
    newest = app.recorder.select_notifications(start=head, limit=1)
    return app.ledger_mapper.read_envelope(newest[0]).recorded_at


def import_lines(
    app: LedgerApplication,
    lines: Iterable[bytes],
    user: str | None = None,
    *,
    keep_recorded: bool = False,
    batch_size: int = BATCH_SIZE,
    on_line: Callable[[int], None] | None = None,
) -> ImportReport:
    """Record every line of ``lines`` or none; ``on_line(n)`` reports progress every batch.
    ``user``: who imports, where the store does not prove it (:func:`~caseledger.application.identity.identity`).
    Every line is the importer's to record: who may import, and keep recorders, is checked once,
    before (:meth:`caseledger.application.ledger.Ledger.import_lines`)."""
    app.check_writable()
    user = identity(app, user)
    mapper = app.ledger_mapper
    store_was_empty = app.head_position() == 0
    recorded_at = _RecordedAtPolicy(keep_recorded, _newest_recorded_at(app) if keep_recorded else None)
    positions = PositionMap()
    with app.ledger_recorder.bulk_transaction() as transaction, ThreadPoolExecutor(1, thread_name_prefix="import-writer") as writer:
        batch = _Batch(transaction, positions, writer if transaction.overlaps_writes else None)

        def read_position(position: int) -> AttributedEvent | None:
            batch.flush()
            batch.settle()
            return transaction.read(position)

        view = WorkingSetView(app, read_position, store_was_empty=store_was_empty)
        number = 0
        previous_carried = 0
        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                parsed = parse_line(raw, user)
                carried = parsed.log_position
                if carried is not None:
                    if carried <= previous_carried:
                        raise DomainError("position", f"log positions must increase (after {previous_carried})")
                    previous_carried = carried
                entry = parsed.kept() if keep_recorded else parsed.entry
                if isinstance(entry.data, p.EventRetracted):
                    batch.flush()
                    batch.settle()
                    entry = _repointed(entry, positions)
                aggregate, event = record_entry(view, entry, recorded_at.for_line(parsed))
            except DomainError as error:
                raise ImportFailed(number, error.field, error.rule) from None
            view.remember(aggregate)
            batch.add(mapper.to_stored_event(event), carried, entry.recorded_by if keep_recorded else None)
            if len(batch.events) >= batch_size:
                batch.flush()
                if on_line is not None:
                    on_line(number)
        batch.flush()
        batch.settle()
        if on_line is not None:
            on_line(number)
    return ImportReport(batch.written, batch.first, batch.last)


def _repointed(entry: Entry, positions: PositionMap) -> Entry:
    data = entry.data
    assert isinstance(data, p.EventRetracted)
    new_position = positions.get(data.position)
    if new_position is None:
        return entry
    return dataclasses.replace(entry, data=msgspec.structs.replace(data, position=new_position))
