"""The application service: one method per command, each recorded as the current user.

Every command reads the aggregates it needs fresh from the store, validates, appends one event
and saves it in its own transaction. If another writer appended to the same aggregate first
(the store's ``(originator_id, originator_version)`` key rejects the second insert), the command
is re-run against the new state — up to :attr:`LedgerService.ATTEMPTS` times, with jittered
exponential backoff so racing writers fall out of lockstep — so it either
applies to what is really there or fails with :class:`~caseledger.domain.errors.ConflictError`. No event is
ever lost or written twice.

The return value of every command is the new event's log position.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from eventsourcing.persistence import IntegrityError

from caseledger.application.identity import identity
from caseledger.domain.errors import ConflictError
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.recording import Entry, actor_of, checked, record_entry
from caseledger.domain.model.times import parse_instant, utc_now
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.views import StoreView

When = dt.datetime | dt.date | str
"""``occurred_at`` as a datetime with offset, a local date, or ISO 8601 text of either."""


class LedgerService:
    """Records commands into the ledger as ``user``."""

    ATTEMPTS = 20

    def __init__(self, app: LedgerApplication, user: str | None = None, on_recorded: Callable[[int], object] | None = None) -> None:
        """``user``: who records, where the store does not prove it (SQLite: the operating system
        login unless a script says otherwise; on PostgreSQL the database login, whatever is given).
        ``on_recorded(position)`` runs after each recorded command — the hook the read models use
        to update incrementally (the session wires it to the projector; scripts may leave it out)."""
        self.app = app
        self.user = identity(app, user)
        self.on_recorded = on_recorded

    def record(self, data: p.Payload, occurred_at: When, note: str | None = None) -> int:
        """Validate and record one event; return its log position."""
        self.app.check_writable()
        data = checked(data)
        when = parse_instant(occurred_at, "occurred_at") if isinstance(occurred_at, str) else occurred_at
        entry = Entry(data, when, self.user, note)
        for attempt in range(self.ATTEMPTS):
            view = StoreView(self.app)
            aggregate, event = record_entry(view, entry, utc_now(), actor_of(view, self.user))
            aggregate.pending_events.append(event)  # saved through the aggregate, so snapshots are taken
            try:
                recordings = self.app.save(aggregate)
            except IntegrityError:
                time.sleep(random.uniform(0, min(0.25, 0.002 * 2**attempt)))  # jittered backoff breaks lockstep
                continue
            position = recordings[-1].notification.id
            if self.on_recorded is not None:
                self.on_recorded(position)
            return position
        raise ConflictError(f"{type(data).__name__}: the case kept changing under {self.ATTEMPTS} attempts; nothing was recorded")

    def retract(self, position: int, reason: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``EventRetracted``: the event at ``position`` no longer counts in projections."""
        return self.record(p.EventRetracted(position=position, reason=reason), occurred_at, note)
