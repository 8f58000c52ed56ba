"""Aggregates: the consistency boundaries that events are appended to.

* :class:`Site` — one per registered site.
* :class:`Officer` — registration, moves, leave and coverage of one officer.
* :class:`OffenderCase` — everything that happens to one offender's case.
* :class:`AddOnTask` — one per logged add-on task. Add-ons are the most frequent event and
  need no officer state beyond "registered, at which site"; giving each its own aggregate keeps
  the officer aggregate small and lets an officer log tasks from two terminals without conflict.
* :class:`RetractionLog` — the single ledger-wide list of retractions (rare; conflicts retried).

Every event is a :class:`LedgerAggregate.Event` carrying the when/who metadata and the event's
own fields as a :class:`caseledger.domain.events.catalogue.Payload` in ``data``. The event's ``timestamp`` (the
library's) is ``recorded_at``. The first event of an aggregate (version 1) is its ``Created``.

Aggregate state here is only what validation needs; the read models in ``projections/`` compute
everything else from the log.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, ClassVar, cast

from eventsourcing.domain import Aggregate, TAggregate
from eventsourcing.utils import get_topic, resolve_topic

from caseledger.domain.events import catalogue as p

_NAMESPACE = uuid.UUID("5b1f5c3e-8a0c-4c8e-9d55-0c6a1e2f7a10")


@lru_cache(maxsize=1 << 16)
def entity_id(kind: str, key: str) -> uuid.UUID:
    """The aggregate id of the ``kind`` entity named ``key``: stable, so no lookup table is needed."""
    return uuid.uuid5(_NAMESPACE, f"{kind}/{key}")


class LedgerAggregate(Aggregate):
    """Base of caseledger's aggregates. Subclasses say how each payload type changes them."""

    KIND: ClassVar[str] = ""
    key = ""
    """The human id (site, officer or offender id) once the registering event is applied.
    (Deliberately unannotated: the library turns annotated aggregate attributes into
    constructor arguments of the Created event.)"""

    @dataclass(frozen=True)
    class Event(Aggregate.Event):
        """Every ledger event: the payload, when it occurred, who recorded it, where (the library
        makes event classes frozen dataclasses through its metaclass; the decorator, as on the
        library's own events, lets type checkers see the fields too)."""

        occurred_at: dt.datetime
        recorded_by: str
        entered_by: str | None
        """Who made the entry elsewhere, when it came in by an import (``recorded_by`` is who imported it)."""
        at_site: str | None
        note: str | None
        data: p.Payload

        def apply(self, aggregate: LedgerAggregate) -> None:
            aggregate.when(self.data)

    @dataclass(frozen=True)
    class Created(Event, Aggregate.Created):
        def mutate(self, aggregate: TAggregate | None) -> TAggregate | None:
            """Construct the aggregate. Simpler than the library's: our ``__init__`` takes no
            arguments, so there is nothing to match by name (measurably faster on imports)."""
            assert aggregate is None
            cls: type[LedgerAggregate] = resolve_topic(self.originator_topic)
            created = cls.__new__(cls)
            created.__base_init__(self.originator_id, self.originator_version, self.timestamp)
            cls.__init__(created)
            self.apply(created)
            return cast("TAggregate", created)

    HANDLERS: ClassVar[dict[type[p.Payload], Callable[[Any, Any], None]]] = {}

    SNAPSHOT_TYPES: ClassVar[dict[str, Callable[[Any], Any]]] = {}
    """Attributes whose type JSON loses (tuples, frozensets), restored from a snapshot's lists."""

    @classmethod
    def restore_state(cls, state: dict[str, Any]) -> dict[str, Any]:
        """An aggregate's attributes as a snapshot stored them, with their Python types back."""
        restored = dict(state)
        for name in ("_created_on", "_modified_on"):
            if isinstance(restored.get(name), str):
                restored[name] = dt.datetime.fromisoformat(restored[name])
        for name, convert in cls.SNAPSHOT_TYPES.items():
            if name in restored:
                restored[name] = convert(restored[name])
        return restored

    def when(self, data: p.Payload) -> None:
        """Apply ``data`` to this aggregate's state (types with no handler change nothing)."""
        handler = self.HANDLERS.get(type(data))
        if handler is not None:
            handler(self, data)


class Site(LedgerAggregate):
    KIND = "site"

    def __init__(self) -> None:
        self.site = ""
        self.kind = ""
        self.timezone = "UTC"
        self.security_levels: tuple[str, ...] = ()

    def _registered(self, data: p.SiteRegistered) -> None:
        self.key = self.site = data.site
        self.kind, self.timezone = data.kind, data.timezone
        self.security_levels = tuple(data.security_levels)

    HANDLERS: ClassVar[dict[type[p.Payload], Callable[[Any, Any], None]]] = {p.SiteRegistered: _registered}
    SNAPSHOT_TYPES: ClassVar[dict[str, Callable[[Any], Any]]] = {"security_levels": tuple}


class Officer(LedgerAggregate):
    KIND = "officer"

    def __init__(self) -> None:
        self.officer = ""
        self.site = ""
        self.role = ""
        self.on_leave = False
        self.covering_officers: frozenset[str] = frozenset()

    def _registered(self, data: p.OfficerRegistered) -> None:
        self.key = self.officer = data.officer
        self.site, self.role = data.site, data.role

    def _moved(self, data: p.OfficerMoved) -> None:
        self.site = data.site

    def _leave_started(self, data: p.LeaveStarted) -> None:
        self.on_leave = True

    def _leave_ended(self, data: p.LeaveEnded) -> None:
        self.on_leave = False

    def _coverage_started(self, data: p.CoverageStarted) -> None:
        self.covering_officers = self.covering_officers | {data.covering_officer}

    def _coverage_ended(self, data: p.CoverageEnded) -> None:
        self.covering_officers = self.covering_officers - {data.covering_officer}

    HANDLERS: ClassVar[dict[type[p.Payload], Callable[[Any, Any], None]]] = {
        p.OfficerRegistered: _registered,
        p.OfficerMoved: _moved,
        p.LeaveStarted: _leave_started,
        p.LeaveEnded: _leave_ended,
        p.CoverageStarted: _coverage_started,
        p.CoverageEnded: _coverage_ended,
    }
    SNAPSHOT_TYPES: ClassVar[dict[str, Callable[[Any], Any]]] = {"covering_officers": frozenset}


class OffenderCase(LedgerAggregate):
    KIND = "offender"

    def __init__(self) -> None:
        self.offender = ""
        self.location: str | None = None
        self.last_site = ""
        self.officer: str | None = None
        self.in_siu = False
        self.pending_transfer_sites: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        """Where the offender's events happen: the current location, else the last site."""
        return self.location or self.last_site

    def _admitted(self, data: p.OffenderAdmitted) -> None:
        self.key = self.offender = data.offender
        self.location = self.last_site = data.site

    def _assigned(self, data: p.CaseAssigned) -> None:
        self.officer = data.officer

    def _siu_started(self, data: p.SIUPlacementStarted) -> None:
        self.in_siu = True

    def _siu_ended(self, data: p.SIUPlacementEnded) -> None:
        self.in_siu = False

    def _transfer_requested(self, data: p.TransferRequested) -> None:
        self.pending_transfer_sites = (*self.pending_transfer_sites, data.to_site)

    def _transfer_completed(self, data: p.TransferCompleted) -> None:
        if not self.pending_transfer_sites:  # validation refuses it; only an event written around the program gets here
            return
        self.location = self.last_site = self.pending_transfer_sites[-1]
        self.pending_transfer_sites = ()
        self.officer = None

    def _transfer_cancelled(self, data: p.TransferCancelled) -> None:
        self.pending_transfer_sites = self.pending_transfer_sites[:-1]

    def _released(self, data: p.OffenderReleased) -> None:
        self.location = data.destination_site
        if data.destination_site:
            self.last_site = data.destination_site
        self.officer = None

    HANDLERS: ClassVar[dict[type[p.Payload], Callable[[Any, Any], None]]] = {
        p.OffenderAdmitted: _admitted,
        p.CaseAssigned: _assigned,
        p.SIUPlacementStarted: _siu_started,
        p.SIUPlacementEnded: _siu_ended,
        p.TransferRequested: _transfer_requested,
        p.TransferCompleted: _transfer_completed,
        p.TransferCancelled: _transfer_cancelled,
        p.OffenderReleased: _released,
    }
    SNAPSHOT_TYPES: ClassVar[dict[str, Callable[[Any], Any]]] = {"pending_transfer_sites": tuple}


class AddOnTask(LedgerAggregate):
    KIND = "addon"


class User(LedgerAggregate):
    """A login: the officer it is linked to, and the roles it holds (a supervisor's with its site)."""

    KIND = "user"

    def __init__(self) -> None:
        self.user = ""
        self.officer: str | None = None
        self.roles: frozenset[tuple[str, str | None]] = frozenset()
        self.admin_revoked = False
        """The admin role was revoked (and not granted again): a first user, admin without a grant, is then not."""

    def _linked(self, data: p.UserLinked) -> None:
        self.key = self.user = data.user
        self.officer = data.officer

    def _granted(self, data: p.RoleGranted) -> None:
        self.key = self.user = data.user
        self.roles = self.roles | {(data.role, data.site)}
        if data.role == "admin":
            self.admin_revoked = False

    def _revoked(self, data: p.RoleRevoked) -> None:
        self.key = self.user = data.user
        self.roles = self.roles - {(data.role, data.site)}
        if data.role == "admin":
            self.admin_revoked = True

    HANDLERS: ClassVar[dict[type[p.Payload], Callable[[Any, Any], None]]] = {
        p.UserLinked: _linked,
        p.RoleGranted: _granted,
        p.RoleRevoked: _revoked,
    }
    SNAPSHOT_TYPES: ClassVar[dict[str, Callable[[Any], Any]]] = {"roles": lambda held: frozenset((role, site) for role, site in held)}


class RetractionLog(LedgerAggregate):
    """Every retraction of the ledger, in one aggregate: retractions are rare, and one sequence
    makes two retractions of one event racing each other impossible (the second is re-run and
    refused)."""

    KIND = "retractions"
    key = "ledger"

    def __init__(self) -> None:
        self.targets: frozenset[int] = frozenset()
        """The positions a retraction names (each may be named once)."""

    def _retracted(self, data: p.EventRetracted) -> None:
        self.targets = self.targets | {data.position}

    HANDLERS: ClassVar[dict[type[p.Payload], Callable[[Any, Any], None]]] = {p.EventRetracted: _retracted}
    SNAPSHOT_TYPES: ClassVar[dict[str, Callable[[Any], Any]]] = {"targets": frozenset}


RETRACTION_LOG_KEY = RetractionLog.key


@cache
def aggregate_topic(cls: type[LedgerAggregate]) -> str:
    """The library topic of an aggregate class (kept in every Created event, cached here)."""
    return get_topic(cls)


RETRACTION_LOG_ID = entity_id(RetractionLog.KIND, RETRACTION_LOG_KEY)

AGGREGATE_FOR_TYPE: dict[type[p.Payload], type[LedgerAggregate]] = {
    p.SiteRegistered: Site,
    p.OfficerRegistered: Officer,
    p.OfficerMoved: Officer,
    p.LeaveStarted: Officer,
    p.LeaveEnded: Officer,
    p.CoverageStarted: Officer,
    p.CoverageEnded: Officer,
    p.AddOnTaskLogged: AddOnTask,
    p.EventRetracted: RetractionLog,
    p.UserLinked: User,
    p.RoleGranted: User,
    p.RoleRevoked: User,
    **{cls: OffenderCase for cls in p.PAYLOAD_TYPES.values() if "offender" in cls.__struct_fields__ and cls is not p.AddOnTaskLogged},
}
"""Which aggregate each event type is appended to (the mapper uses it to rebuild events)."""


AGGREGATE_CLASSES: dict[str, type[LedgerAggregate]] = {cls.__name__: cls for cls in (Site, Officer, OffenderCase, AddOnTask, RetractionLog, User)}
"""Every aggregate class by its name: stored snapshots name their aggregate so, not by module path."""
