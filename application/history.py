"""An offender's case history: every event of the case in occurred order, with who recorded it when.

``--as-of T`` keeps events that occurred by T; ``--known-at R`` keeps events recorded by R and
applies only the retractions recorded by R. A retraction applies whatever its own occurred time,
so ``--as-of`` never hides one. Retracted events stay in the history, marked, because an auditor
must see both the event and its retraction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from caseledger.domain.errors import DomainError
from caseledger.domain.events.catalogue import EventRetracted
from caseledger.domain.model.aggregates import RETRACTION_LOG_ID, OffenderCase, entity_id
from caseledger.domain.model.retractions import retracted_positions
from caseledger.domain.model.times import Cutoff, within, zone
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.log import LoggedEvent, SiteZones, logged
from caseledger.projections.readmodels.database import Database
from caseledger.projections.replay.facts import registered_zones


@dataclass(frozen=True)
class HistoryLine:
    """One event of a case history, and whether (and why) it is retracted."""

    event: LoggedEvent
    zone: str
    retracted_by: tuple[int, str] | None

    @property
    def occurred_local(self) -> dt.datetime:
        """When it happened, at its site (in :attr:`zone`)."""
        return self.event.envelope.occurred_at.astimezone(zone(self.zone))

    @property
    def recorded_utc(self) -> dt.datetime:
        """When it was recorded, in UTC."""
        return self.event.envelope.recorded_at.astimezone(dt.UTC)


def _logged(app: LedgerApplication, aggregate_id: UUID) -> list[LoggedEvent]:
    return [logged(app, event) for event in app.ledger_recorder.aggregate_events(aggregate_id)]


def case_history(
    app: LedgerApplication,
    offender: str,
    zones: dict[str, str] | None = None,
    *,
    as_of: Cutoff | None = None,
    known_at: Cutoff | None = None,
) -> list[HistoryLine]:
    """The history of ``offender`` (a :class:`DomainError` if the store never admitted it);
    ``zones`` (each site's time zone, for local times and bare-date cut-offs) are found through the
    timeline read model and read from the log if not given."""
    site_zone = registered_zones(Database(app)) if zones is None else SiteZones.of(zones)
    events = _logged(app, entity_id(OffenderCase.KIND, offender))
    if not events:
        raise DomainError("offender", f"unknown offender {offender!r}")

    def zone_of(event: LoggedEvent) -> str:
        return site_zone.zone_of(event.envelope.at_site)

    known = [e for e in events if within(e.envelope.recorded_at, known_at, zone_of(e))]
    retractions = [e for e in _logged(app, RETRACTION_LOG_ID) if within(e.envelope.recorded_at, known_at, zone_of(e))]
    targets = {e.position: e.envelope.data.position for e in retractions if isinstance(e.envelope.data, EventRetracted)}
    retracted = retracted_positions(targets)
    reason_for = {e.envelope.data.position: (e.position, e.envelope.data.reason) for e in retractions if e.envelope.data.position in retracted}
    lines = [HistoryLine(e, zone_of(e), reason_for.get(e.position)) for e in known if within(e.envelope.occurred_at, as_of, zone_of(e))]
    lines.sort(key=lambda line: (line.event.envelope.occurred_at, line.event.position))
    return lines
