"""Reading the log: every stored event in position order, decoded, in batches.

Used by ``caseledger events`` and the Audit screen (through the application's filters) and to
find each site's time zone. Reading goes
a batch at a time, so a store of any size streams in constant memory; the ``type`` filter is
pushed down into SQL as topics. Each event's recorder is the login the store recorded, where it
records one (PostgreSQL), else the name in the event.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import MapperDeserialisationError

from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.backend import AttributedEvent
from caseledger.domain.store.mapper import StoredEnvelope

READ_BATCH = 5000


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One event as the log holds it: position, aggregate, and its decoded envelope."""

    position: int
    originator_id: UUID | str
    """As the library's recorders return it (SQLite: hex text, PostgreSQL: a UUID)."""
    version: int
    envelope: StoredEnvelope[Any]

    @property
    def type(self) -> str:
        return type(self.envelope.data).__name__


def read_log(
    app: LedgerApplication,
    *,
    after: int = 0,
    upto: int | None = None,
    types: Sequence[str] = (),
    batch: int = READ_BATCH,
    skip_unreadable: bool = False,
) -> Iterator[LoggedEvent]:
    """Events with ``after < position <= upto`` (of ``types``, if given), in position order.
    ``skip_unreadable``: leave out an event whose state does not decode (written around the
    program: the read side quarantines it and lists it apart) instead of raising."""
    recorder = app.ledger_recorder
    while True:
        found = recorder.attributed_after(after, batch, upto=upto, topics=types)
        for event in found:
            try:
                decoded = logged(app, event)
            except MapperDeserialisationError:
                if skip_unreadable:
                    continue
                raise
            yield decoded
        if len(found) < batch:
            return
        after = found[-1].position


def logged(app: LedgerApplication, event: AttributedEvent) -> LoggedEvent:
    """Decode ``event``; where the store recorded the login that inserted it, that login is who
    recorded it, whatever name its state carries (a client wrote the state; the server wrote
    the login)."""
    envelope = app.ledger_mapper.read_envelope(event.stored)
    if event.login is not None and event.login != envelope.recorded_by:
        envelope = msgspec.structs.replace(envelope, recorded_by=event.login)
    return LoggedEvent(event.position, event.stored.originator_id, event.stored.originator_version, envelope)


def site_zones(app: LedgerApplication, after: int = 0) -> dict[str, str]:
    """The IANA time zone of every site registered after position ``after``. From the start of
    the log this is a full scan (the library's topic filter has no index): the read side keeps
    the sites it has applied (:func:`caseledger.projections.replay.facts.registered_zones`) and
    asks here only for the log's tail. A site registered twice (only by hand: the rules refuse it,
    and the read side quarantines it) keeps its first zone; a registration that does not decode
    is left out."""
    zones: dict[str, str] = {}
    for event in read_log(app, after=after, types=["SiteRegistered"], skip_unreadable=True):
        zones.setdefault(event.envelope.data.site, event.envelope.data.timezone)
    return zones


def logged_at(app: LedgerApplication, positions: Sequence[int]) -> list[LoggedEvent]:
    """The events at ``positions`` (those that exist), decoded, read straight from the log."""
    return [logged(app, event) for event in app.ledger_recorder.events_at(positions)]


class SiteZones:
    """Each site's IANA time zone, from a quick source that may be incomplete (the read side's
    index of registrations), checked by use: every event happens at a site registered before it,
    so a site this does not know means the quick source missed one — then the whole log is read
    once. The zones themselves always come from the log's own (chained, authenticated) events."""

    def __init__(self, app: LedgerApplication | None, known: dict[str, str], *, complete: bool = False) -> None:
        self._app = app
        self._known = dict(known)
        self._complete = complete or app is None

    @classmethod
    def of(cls, known: dict[str, str]) -> SiteZones:
        """Zones someone already read in full (nothing more to look up)."""
        return cls(None, known, complete=True)

    def zone_of(self, site: str | None) -> str:
        """The site's zone; UTC for an event with no site."""
        if not site:
            return "UTC"
        zone = self._known.get(site)
        if zone is None and not self._complete and self._app is not None:
            self._known.update(site_zones(self._app))
            self._complete = True
            zone = self._known.get(site)
        return zone or "UTC"

    def knows(self, site: str) -> bool:
        """Whether ``site`` is registered (the whole log is read once if the quick source missed it)."""
        self.zone_of(site)
        return site in self._known

    def add(self, site: str, zone: str) -> None:
        """A site just registered (the projection engine meets them as it applies events)."""
        self._known[site] = zone

    def as_dict(self) -> dict[str, str]:
        return dict(self._known)
