"""Reading the raw log through filters: ``caseledger events`` and the TUI's Audit screen share them.

A filter keeps events by type (pushed down into SQL), by who recorded them, by the offender or
officer they name, by occurred time (from / to — ``--as-of`` is "to") and by recorded time
(``--known-at``). Bare dates mean local days at each event's site, inclusive, as everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from caseledger.domain.model.times import Cutoff, LocalDay, within, zone
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.log import READ_BATCH, LoggedEvent, SiteZones, read_log
from caseledger.projections.readmodels.database import Database
from caseledger.projections.replay.facts import registered_zones


class Scope(Protocol):
    """What of the log a reader may see (the Ledger derives it from their roles)."""

    def allows(self, envelope: Any) -> bool:
        """Whether the reader may see the event in ``envelope``."""
        ...


@dataclass(frozen=True)
class EventFilter:
    """Which events to keep (every field optional; an empty filter keeps everything)."""

    types: Sequence[str] = ()
    actor: str | None = None
    offender: str | None = None
    officer: str | None = None
    """An event names the officer as ``officer`` or ``covering_officer``."""
    occurred_from: Cutoff | None = None
    occurred_to: Cutoff | None = None
    known_at: Cutoff | None = None
    scope: Scope | None = None
    """What the reader may see (None: a program's own reading, unfiltered)."""

    @property
    def needs_zones(self) -> bool:
        """Whether a time bound needs each site's time zone (bare dates are local days)."""
        return (self.occurred_from or self.occurred_to or self.known_at) is not None

    def keeps(self, event: LoggedEvent, zones: SiteZones) -> bool:
        envelope = event.envelope
        data = envelope.data
        if self.scope is not None and not self.scope.allows(envelope):
            return False
        if self.actor and self.actor not in (envelope.recorded_by, envelope.entered_by):
            return False
        if self.offender and getattr(data, "offender", None) != self.offender:
            return False
        if self.officer and self.officer not in (getattr(data, "officer", None), getattr(data, "covering_officer", None)):
            return False
        zone_name = zones.zone_of(envelope.at_site)
        if not within(envelope.occurred_at, self.occurred_to, zone_name) or not within(envelope.recorded_at, self.known_at, zone_name):
            return False
        return self.occurred_from is None or _not_before(envelope, self.occurred_from, zone_name)


def _not_before(envelope: Any, cutoff: Cutoff, zone_name: str) -> bool:
    if isinstance(cutoff, LocalDay):
        return bool(envelope.occurred_at.astimezone(zone(zone_name)).date() >= cutoff.day)
    return bool(envelope.occurred_at >= cutoff)


def filtered_events(app: LedgerApplication, keep: EventFilter, *, after: int = 0, batch: int = READ_BATCH) -> Iterator[LoggedEvent]:
    """Events after position ``after`` that ``keep`` keeps, in position order (streamed); one that
    does not decode is left out (``status``, ``verify`` and the Audit screen list it as quarantined)."""
    zones = registered_zones(Database(app)) if keep.needs_zones else SiteZones.of({})
    for event in read_log(app, after=after, types=keep.types, batch=batch, skip_unreadable=True):
        if keep.keeps(event, zones):
            yield event


def in_the_chain(app: LedgerApplication, events: Iterable[LoggedEvent], batch: int = READ_BATCH) -> Iterator[LoggedEvent]:
    """``events`` less those with no chain row — inserted around caseledger, quarantined, in no
    signed tree. The raw log ``caseledger events`` writes is what moves a store and what
    ``verify-file`` checks against a checkpoint: an event outside the chain would be chained by
    the import that moves it (laundered into the copy's log) and would break the file's tree."""
    pending: list[LoggedEvent] = []
    for event in events:
        pending.append(event)
        if len(pending) >= batch:
            yield from _chained(app, pending)
            pending = []
    yield from _chained(app, pending)


def _chained(app: LedgerApplication, events: list[LoggedEvent]) -> Iterator[LoggedEvent]:
    present = app.ledger_recorder.chained_positions([event.position for event in events])
    return (event for event in events if event.position in present)


@dataclass
class LogPage:
    """One page of the filtered log, and where it sits in the whole."""

    events: list[LoggedEvent]
    first: int
    last: int
    head: int
    zones: SiteZones = field(default_factory=lambda: SiteZones.of({}))
    """Each site's time zone, for :meth:`occurred_at_site`."""

    def occurred_at_site(self, event: LoggedEvent) -> dt.datetime:
        """When ``event`` happened, in its site's time zone: the offset it was recorded with may be
        UTC's (the quick add-on records the instant), which is no one's local time."""
        return event.envelope.occurred_at.astimezone(zone(self.zones.zone_of(event.envelope.at_site)))


def log_page(app: LedgerApplication, keep: EventFilter, after: int, limit: int) -> LogPage:
    """Up to ``limit`` events after ``after`` that pass the filter (reads on until it has them)."""
    found: list[LoggedEvent] = []
    for event in filtered_events(app, keep, after=after, batch=max(limit, 200)):
        found.append(event)
        if len(found) >= limit:
            break
    first = found[0].position if found else after
    last = found[-1].position if found else after
    return LogPage(found, first, last, app.head_position(), registered_zones(Database(app)))
