"""Replaying timeline facts into the state of the world at T, and the episodes on the way.

The specification's case-state rules, applied in occurred order (ties: log position):
an assignment lasts until the next ``CaseAssigned``, a ``TransferCompleted`` or an
``OffenderReleased``; an offender's location is the admission site, then each completed
transfer's ``to_site``, then the release's ``destination_site`` (none if absent); an officer is
on leave between ``LeaveStarted`` and ``LeaveEnded``; complexity factors are the admission list
plus flagged minus cleared. Odd but accepted input (an SIU review outside a stay, a cancel with
nothing pending, ``LeaveEnded`` with no leave) changes nothing here.

Episodes — SIU stays, transfer requests, release decisions and releases, CCLO contacts — are
collected as they happen, so the projections that list them need no second pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from domain import payloads as p
from projections.facts import Fact


@dataclass
class SiteInfo:
    site: str
    kind: str
    region: str
    timezone: str
    security_levels: tuple[str, ...]


@dataclass
class OfficerInfo:
    officer: str
    site: str
    role: str
    weekly_hours: Fraction
    on_leave: bool = False
    covered_by: set[str] = field(default_factory=set)
    """Officers with an active coverage of this officer (counts only while this one is on leave)."""


@dataclass
class Stay:
    offender: str
    site: str | None
    started_on: dt.date
    ended_on: dt.date | None = None
    outcome: str | None = None
    reviews: int = 0
    transfer_requested_on: dt.date | None = None


@dataclass
class TransferRequest:
    offender: str
    from_site: str | None
    to_site: str
    kind: str
    requested_on: dt.date
    completed_on: dt.date | None = None
    cancelled_on: dt.date | None = None

    @property
    def status(self) -> str:
        if self.completed_on is not None:
            return "completed"
        return "cancelled" if self.cancelled_on is not None else "pending"


@dataclass
class Plan:
    started_on: dt.date
    arrived_on: dt.date | None


@dataclass
class ReleaseRow:
    """One row of release_lead_time: a decision, or a release no decision matched."""

    offender: str
    site: str | None
    officer: str | None
    release_type: str
    plan: Plan | None
    decision_on: dt.date | None
    released_on: dt.date | None = None
    granted: bool = False


@dataclass
class Contact:
    site: str | None
    month: str
    offender: str
    purpose: str
    minutes: int


@dataclass
class Case:
    offender: str
    location: str | None
    last_site: str
    warrant_expiry: dt.date
    factors: set[str]
    officer: str | None = None
    stay: Stay | None = None
    pending: list[TransferRequest] = field(default_factory=list)
    plan: Plan | None = None
    last_arrival: dt.date | None = None
    open_grants: list[ReleaseRow] = field(default_factory=list)

    @property
    def where(self) -> str:
        return self.location or self.last_site


class World:
    """The state at T of every site, officer and case, plus the episodes that led there."""

    def __init__(self) -> None:
        self.sites: dict[str, SiteInfo] = {}
        self.officers: dict[str, OfficerInfo] = {}
        self.cases: dict[str, Case] = {}
        self.stays: list[Stay] = []
        self.transfers: list[TransferRequest] = []
        self.releases: list[ReleaseRow] = []
        self.contacts: list[Contact] = []

    @classmethod
    def replay(cls, facts: Iterable[Fact]) -> World:
        world = cls()
        for fact in facts:
            handler = _HANDLERS.get(type(fact.data))
            if handler is not None:
                handler(world, fact, fact.data)
        return world

    def case(self, fact: Fact) -> Case | None:
        return self.cases.get(fact.data.offender)  # type: ignore[attr-defined]


def _site(world: World, fact: Fact, data: p.SiteRegistered) -> None:
    world.sites[data.site] = SiteInfo(data.site, data.kind, data.region, data.timezone, tuple(data.security_levels))


def _officer(world: World, fact: Fact, data: p.OfficerRegistered) -> None:
    world.officers[data.officer] = OfficerInfo(data.officer, data.site, data.role, Fraction(str(data.weekly_hours)))


def _officer_event(world: World, fact: Fact, data: Any) -> None:
    officer = world.officers.get(data.officer)
    if officer is None:
        return
    if isinstance(data, p.OfficerMoved):
        officer.site = data.site
    elif isinstance(data, p.LeaveStarted):
        officer.on_leave = True
    elif isinstance(data, p.LeaveEnded):
        officer.on_leave = False
    elif isinstance(data, p.CoverageStarted):
        officer.covered_by.add(data.covering_officer)
    elif isinstance(data, p.CoverageEnded):
        officer.covered_by.discard(data.covering_officer)


def _admitted(world: World, fact: Fact, data: p.OffenderAdmitted) -> None:
    world.cases[data.offender] = Case(data.offender, data.site, data.site, data.warrant_expiry, set(data.complexity))


def _case_event(world: World, fact: Fact, data: Any) -> None:  # noqa: C901, PLR0912
    case = world.case(fact)
    if case is None:
        return
    day = fact.local_date
    if isinstance(data, p.CaseAssigned):
        case.officer = data.officer
    elif isinstance(data, p.ComplexityFlagged):
        case.factors.add(data.factor)
    elif isinstance(data, p.ComplexityCleared):
        case.factors.discard(data.factor)
    elif isinstance(data, p.SIUPlacementStarted):
        if case.stay is None:
            case.stay = Stay(case.offender, case.location, day)
            world.stays.append(case.stay)
    elif isinstance(data, p.SIUReviewHeld):
        if case.stay is not None:
            case.stay.reviews += 1
    elif isinstance(data, p.SIUPlacementEnded):
        if case.stay is not None:
            case.stay.ended_on, case.stay.outcome = day, data.outcome
            case.stay = None
    elif isinstance(data, p.TransferRequested):
        request = TransferRequest(case.offender, case.location, data.to_site, data.kind, day)
        case.pending.append(request)
        world.transfers.append(request)
        if case.stay is not None and case.stay.transfer_requested_on is None:
            case.stay.transfer_requested_on = day
    elif isinstance(data, p.TransferCompleted):
        if case.pending:
            request = case.pending.pop()
            request.completed_on = day
            case.location = case.last_site = request.to_site
            case.officer = None
            case.last_arrival = day
    elif isinstance(data, p.TransferCancelled):
        if case.pending:
            case.pending.pop().cancelled_on = day
    elif isinstance(data, p.ReleasePlanStarted):
        case.plan = Plan(day, case.last_arrival)
    elif isinstance(data, p.ReleaseDecisionRecorded):
        row = ReleaseRow(case.offender, fact.at_site, case.officer, data.release_type, case.plan, day, granted=data.decision == "granted")
        world.releases.append(row)
        if row.granted:
            case.open_grants.append(row)
    elif isinstance(data, p.OffenderReleased):
        _released(world, fact, data, case)
    elif isinstance(data, p.CcloContactRecorded):
        world.contacts.append(Contact(fact.at_site, f"{day.year}-{day.month:02d}", case.offender, data.purpose, data.minutes))


def _released(world: World, fact: Fact, data: p.OffenderReleased, case: Case) -> None:
    match = next((row for row in reversed(case.open_grants) if row.release_type == data.release_type), None)
    if match is not None:
        case.open_grants.remove(match)
        match.released_on = fact.local_date
    else:
        world.releases.append(
            ReleaseRow(case.offender, fact.at_site, case.officer, data.release_type, case.plan, None, fact.local_date)
        )
    case.location = data.destination_site
    if data.destination_site:
        case.last_site = data.destination_site
    case.officer = None


_HANDLERS: dict[type, Callable[[World, Fact, Any], None]] = {
    p.SiteRegistered: _site,
    p.OfficerRegistered: _officer,
    p.OfficerMoved: _officer_event,
    p.LeaveStarted: _officer_event,
    p.LeaveEnded: _officer_event,
    p.CoverageStarted: _officer_event,
    p.CoverageEnded: _officer_event,
    p.OffenderAdmitted: _admitted,
    **{
        cls: _case_event
        for cls in p.PAYLOAD_TYPES.values()
        if "offender" in cls.__struct_fields__ and cls not in (p.OffenderAdmitted, p.AddOnTaskLogged)
    },
}
