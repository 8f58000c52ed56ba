"""Replaying timeline facts into the state of the world at T, and the episodes on the way.

The specification's case-state rules, applied in occurred order (ties: log position):
an assignment lasts until the next ``CaseAssigned``, a ``TransferCompleted`` or an
``OffenderReleased``; an offender's location is the admission site, then each completed
transfer's ``to_site``, then the release's ``destination_site`` (none if absent); an officer is
on leave between ``LeaveStarted`` and ``LeaveEnded``; complexity factors are the admission list
plus flagged minus cleared. Odd but accepted input (an SIU review outside a stay, a cancel with
nothing pending, ``LeaveEnded`` with no leave) changes nothing here.

Episodes — SIU stays, transfer requests, release decisions and releases, CCLO contacts, deadline
instances — are collected as they happen, so the projections that list them need no second pass.

Deadline instances (the specification's "Deadlines") are kept here free of rules: which event
opened one, where, its anchor date, and how and when it closed (``completed``, ``superseded`` by a
later opening of the same deadline, ``moot`` when the offender was released or the SIU stay
ended, or the warrant expired before the case's next event). The due date, calendars and status
at T need the rules and T, so the ``deadlines`` projection computes them
(:mod:`caseledger.projections.catalogue.deadlines`).

A stored world — a world snapshot (:mod:`.snapshots`), the head's rows (:mod:`.headstate`) —
carries its own format, :data:`WORLD_FORMAT`, not the store's
(:mod:`caseledger.domain.store.migrations`): it is a cache, made again from the log whenever its
format is not this code's, whichever caseledger wrote it. A change to what a world holds then
needs no migration step, and a store whose worlds a newer caseledger wrote still opens here at
the cost of a rebuild; the store's format covers what cannot be made again — the log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any, TypeVar

import msgspec

from caseledger.domain.events import catalogue as p
from caseledger.projections.replay.facts import Fact


class SiteInfo(msgspec.Struct, array_like=True, gc=False):
    site: str
    kind: str
    region: str
    timezone: str
    security_levels: tuple[str, ...]
    province: str | None = None


class OfficerInfo(msgspec.Struct, array_like=True, gc=False):
    officer: str
    site: str
    role: str
    weekly_hours: Fraction
    on_leave: bool = False
    covered_by: set[str] = msgspec.field(default_factory=set)
    """Officers with an active coverage of this officer (counts only while this one is on leave)."""


class Stay(msgspec.Struct, array_like=True, gc=False):
    offender: str
    site: str | None
    started_on: dt.date
    ended_on: dt.date | None = None
    outcome: str | None = None
    reviews: int = 0
    transfer_requested_on: dt.date | None = None


class TransferRequest(msgspec.Struct, array_like=True, gc=False):
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


class Plan(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """A release plan: when it started and the arrival before it (never changed once made, so
    a release row may hold a copy)."""

    started_on: dt.date
    arrived_on: dt.date | None


class ReleaseRow(msgspec.Struct, array_like=True, gc=False):
    """One row of release_lead_time: a decision, or a release no decision matched."""

    offender: str
    site: str | None
    officer: str | None
    release_type: str
    plan: Plan | None
    decision_on: dt.date | None
    released_on: dt.date | None = None
    granted: bool = False


class Contact(msgspec.Struct, array_like=True, gc=False):
    site: str | None
    month: str
    offender: str
    purpose: str
    minutes: int


class Due(msgspec.Struct, array_like=True, gc=False):
    """One deadline instance: what opened it and how it closed (see the module)."""

    deadline: str
    offender: str
    site: str | None
    """Where the opening event happened: its calendar and T's date are that site's."""
    opened_on: dt.date
    anchor_on: dt.date
    """The date the rule counts from (``sentence_start``, the admission, the hearing…)."""
    long_sentence: bool = False
    """``correctional_plan`` only: the sentence is longer than four years."""
    closed_on: dt.date | None = None
    closed_as: str | None = None
    """``completed``, ``superseded`` or ``moot`` (None while open)."""
    officer: str | None = None
    """The assignment in force just before the closing event."""


PRELIMINARY_ASSESSMENT, CORRECTIONAL_PLAN, RELEASE_PLAN_START = "preliminary_assessment", "correctional_plan", "release_plan_start"
BOARD_INFORMATION, SIU_FIRST_REVIEW, SIU_COMMISSIONER_REVIEW, TRANSFER_DECISION = (
    "board_information",
    "siu_first_review",
    "siu_commissioner_review",
    "transfer_decision",
)
DEADLINES = (
    PRELIMINARY_ASSESSMENT,
    CORRECTIONAL_PLAN,
    RELEASE_PLAN_START,
    BOARD_INFORMATION,
    SIU_FIRST_REVIEW,
    SIU_COMMISSIONER_REVIEW,
    TRANSFER_DECISION,
)
"""Every deadline the world tracks, in the specification's order (the rules give their numbers)."""
SIU_DEADLINES = frozenset({SIU_FIRST_REVIEW, SIU_COMMISSIONER_REVIEW})
SIU_COMPLETIONS = {"institutional_head": SIU_FIRST_REVIEW, "commissioner": SIU_COMMISSIONER_REVIEW}
"""Which review level completes which SIU deadline."""
LONG_SENTENCE_YEARS = 4


class Case(msgspec.Struct, array_like=True, gc=False):
    """One offender's case. The episodes it is in the middle of are held as indexes into the
    world's lists (``stay`` into ``stays``, ``pending`` into ``transfers``, ``open_grants`` into
    ``releases``), so a world is a tree that encodes and decodes without losing any sharing."""

    offender: str
    location: str | None
    last_site: str
    warrant_expiry: dt.date
    factors: tuple[str, ...]
    """Complexity factors, sorted (tuples, not sets and lists, here: a world of 100,000 cases
    decodes in 60% of the time)."""
    day_parole_eligibility: dt.date | None = None
    full_parole_eligibility: dt.date | None = None
    officer: str | None = None
    stay: int | None = None
    pending: tuple[int, ...] = ()
    plan: Plan | None = None
    last_arrival: dt.date | None = None
    open_grants: tuple[int, ...] = ()
    statutory_release: dt.date | None = None
    granted_release: dt.date | None = None
    """The release date of the latest granted decision, until the offender is released."""
    open_deadlines: tuple[int, ...] = ()
    """Indexes into the world's ``deadlines`` of the instances still open."""
    submitted: tuple[int, dt.date, str | None] | None = None
    """When (occurred µs, local date) and under whom the assessment for decision was first
    submitted under the current plan: it completes a Board-information deadline opened later, by
    a hearing scheduled under that plan, as of that date and officer."""
    instant: tuple[int, tuple[str, ...]] = (0, ())
    """The deadlines completed by events at one occurred instant (µs), the latest seen: an opening
    at that same instant, recorded after them, is completed by them ("at or after" the opening)."""

    @property
    def where(self) -> str:
        return self.location or self.last_site


class World(msgspec.Struct, gc=False):
    """The state at T of every site, officer and case, plus the episodes that led there.

    A msgspec structure of plain values, so the projection engine can store it as a snapshot
    (:mod:`caseledger.projections.replay.snapshots`) and a query can carry on from one."""

    sites: dict[str, SiteInfo] = msgspec.field(default_factory=dict)
    officers: dict[str, OfficerInfo] = msgspec.field(default_factory=dict)
    cases: dict[str, Case] = msgspec.field(default_factory=dict)
    stays: list[Stay] = msgspec.field(default_factory=list)
    transfers: list[TransferRequest] = msgspec.field(default_factory=list)
    releases: list[ReleaseRow] = msgspec.field(default_factory=list)
    contacts: list[Contact] = msgspec.field(default_factory=list)
    hearings: dict[str, dt.date] = msgspec.field(default_factory=dict)
    """Each offender's latest scheduled hearing date (whether or not the case is admitted yet)."""
    deadlines: list[Due] = msgspec.field(default_factory=list)
    cclos: dict[str, str] = msgspec.field(default_factory=dict)
    """Every community-corrections liaison officer seen in a contact, with their police service (the
    record form offers them)."""
    format: int = 0
    """:data:`WORLD_FORMAT` when this code made it; a stored world of another format (0: one
    that records none) is rebuilt, not read."""

    @classmethod
    def replay(cls, facts: Iterable[Fact]) -> World:
        """The world after ``facts`` (in occurred order)."""
        world = cls(format=WORLD_FORMAT)
        world.apply(facts)
        return world

    def covered_by(self, officer: str) -> set[str]:
        """The absent colleagues (on leave) whose caseloads ``officer`` covers."""
        return {absent.officer for absent in self.officers.values() if absent.on_leave and officer in absent.covered_by}

    def open_stay(self, case: Case) -> Stay | None:
        """The SIU stay ``case`` is in, if any."""
        return self.stays[case.stay] if case.stay is not None else None

    def apply(self, facts: Iterable[Fact]) -> None:
        """Carry on replaying ``facts`` (later in occurred order than those applied so far) —
        how a series of past cuts is computed with one pass, and how a query carries on from a
        snapshot."""
        world = self
        registrations, officer_events, case_events = _REGISTRATIONS, _OFFICER_EVENTS, _CASE_EVENTS
        for fact in facts:
            data: Any = fact.data  # each handler table holds the payload types that have the field it reads
            kind = type(data)
            handler = case_events.get(kind)
            if handler is not None:
                case = world.cases.get(data.offender)
                if case is not None:
                    if case.open_deadlines:
                        expire(world, case, fact.local_date)
                    handler(world, case, fact, data)
            elif kind in officer_events:
                officer = world.officers.get(data.officer)
                if officer is not None:
                    officer_events[kind](officer, data)
            elif kind in registrations:
                registrations[kind](world, fact, data)


WORLD_FORMAT = 4
"""Raised whenever a stored world would mean something else (a field added, a rule of the replay
changed): the world snapshots and head rows of any other number are rebuilt from the log."""


def _open(world: World, case: Case, fact: Fact, deadline: str, anchor_on: dt.date, *, long_sentence: bool = False) -> None:
    """Open an instance of ``deadline`` for ``case``, superseding an open one of the same deadline —
    completed at once when an event at the same instant, recorded before it, completed one."""
    _close(world, case, fact.local_date, "superseded", {deadline})
    case.open_deadlines = (*case.open_deadlines, len(world.deadlines))
    world.deadlines.append(Due(deadline, case.offender, fact.at_site, fact.local_date, anchor_on, long_sentence))
    occurred, done = case.instant
    if occurred == fact.occurred_us and deadline in done:
        _close(world, case, fact.local_date, "completed", {deadline})


def _complete(world: World, case: Case, fact: Fact, deadlines: set[str]) -> None:
    """``fact`` completes ``case``'s open instances of ``deadlines`` (and any opened at its instant)."""
    _close(world, case, fact.local_date, "completed", deadlines)
    occurred, done = case.instant
    case.instant = (fact.occurred_us, tuple(sorted({*done, *deadlines}))) if occurred == fact.occurred_us else (fact.occurred_us, tuple(sorted(deadlines)))


def _close(world: World, case: Case, day: dt.date, how: str, deadlines: Iterable[str] | None = None, *, officer: str | None = None) -> None:
    """Close ``case``'s open instances of ``deadlines`` (all when None) on ``day`` as ``how``, under
    the case's officer now (or ``officer``: the one in force at the closing event, when it was earlier)."""
    kept = []
    for index in case.open_deadlines:
        due = world.deadlines[index]
        if deadlines is None or due.deadline in deadlines:
            due.closed_on, due.closed_as, due.officer = day, how, officer or case.officer
        else:
            kept.append(index)
    case.open_deadlines = tuple(kept)


def expire(world: World, case: Case, day: dt.date) -> None:
    """Before an event on ``day`` after the warrant's expiry: the case's open instances closed
    (moot) at the expiry, under the officer in force then — no event of the case came between."""
    if case.open_deadlines and day > case.warrant_expiry:
        _close(world, case, case.warrant_expiry, "moot")


def _years_after(day: dt.date, years: int) -> dt.date:
    """``day`` moved ``years`` calendar years on (29 February to 28 February in a common year; the
    last representable date when that is past year 9999)."""
    if day.year + years > dt.date.max.year:
        return dt.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _site(world: World, fact: Fact, data: p.SiteRegistered) -> None:
    world.sites[data.site] = SiteInfo(data.site, data.kind, data.region, data.timezone, tuple(data.security_levels), data.province)


def _officer(world: World, fact: Fact, data: p.OfficerRegistered) -> None:
    world.officers[data.officer] = OfficerInfo(data.officer, data.site, data.role, Fraction(str(data.weekly_hours)))


def _moved(officer: OfficerInfo, data: p.OfficerMoved) -> None:
    officer.site = data.site


def _leave_started(officer: OfficerInfo, data: p.LeaveStarted) -> None:
    officer.on_leave = True


def _leave_ended(officer: OfficerInfo, data: p.LeaveEnded) -> None:
    officer.on_leave = False


def _coverage_started(officer: OfficerInfo, data: p.CoverageStarted) -> None:
    officer.covered_by.add(data.covering_officer)


def _coverage_ended(officer: OfficerInfo, data: p.CoverageEnded) -> None:
    officer.covered_by.discard(data.covering_officer)


def _admitted(world: World, fact: Fact, data: p.OffenderAdmitted) -> None:
    case = world.cases[data.offender] = Case(
        data.offender,
        data.site,
        data.site,
        data.warrant_expiry,
        tuple(sorted(set(data.complexity))),
        data.day_parole_eligibility,
        data.full_parole_eligibility,
        statutory_release=data.statutory_release,
    )
    admitted_on = fact.local_date
    _open(world, case, fact, PRELIMINARY_ASSESSMENT, data.sentence_start)
    _open(world, case, fact, CORRECTIONAL_PLAN, admitted_on, long_sentence=data.warrant_expiry > _years_after(data.sentence_start, LONG_SENTENCE_YEARS))
    eligible = [day for day in (data.day_parole_eligibility, data.full_parole_eligibility, data.statutory_release) if day is not None and day > admitted_on]
    if eligible:
        _open(world, case, fact, RELEASE_PLAN_START, min(eligible))


def _hearing(world: World, fact: Fact, data: p.HearingScheduled) -> None:
    world.hearings[data.offender] = data.hearing_date
    case = world.cases.get(data.offender)
    if case is not None:
        expire(world, case, fact.local_date)
        _open(world, case, fact, BOARD_INFORMATION, data.hearing_date)
        if case.plan is not None and case.submitted is not None:
            _occurred, day, officer = case.submitted
            _close(world, case, day, "completed", {BOARD_INFORMATION}, officer=officer)


def _assigned(world: World, case: Case, fact: Fact, data: p.CaseAssigned) -> None:
    case.officer = data.officer


def _flagged(world: World, case: Case, fact: Fact, data: p.ComplexityFlagged) -> None:
    if data.factor not in case.factors:
        case.factors = tuple(sorted((*case.factors, data.factor)))


def _cleared(world: World, case: Case, fact: Fact, data: p.ComplexityCleared) -> None:
    case.factors = tuple(factor for factor in case.factors if factor != data.factor)


def _siu_started(world: World, case: Case, fact: Fact, data: p.SIUPlacementStarted) -> None:
    if case.stay is None:
        case.stay = len(world.stays)
        world.stays.append(Stay(case.offender, case.location, fact.local_date))
        _open(world, case, fact, SIU_FIRST_REVIEW, fact.local_date)
        _open(world, case, fact, SIU_COMMISSIONER_REVIEW, fact.local_date)


def _siu_review(world: World, case: Case, fact: Fact, data: p.SIUReviewHeld) -> None:
    if case.stay is not None:
        world.stays[case.stay].reviews += 1
    if data.level in SIU_COMPLETIONS:
        _complete(world, case, fact, {SIU_COMPLETIONS[data.level]})


def _siu_ended(world: World, case: Case, fact: Fact, data: p.SIUPlacementEnded) -> None:
    if case.stay is not None:
        stay = world.stays[case.stay]
        stay.ended_on, stay.outcome = fact.local_date, data.outcome
        case.stay = None
        _close(world, case, fact.local_date, "moot", SIU_DEADLINES)


def _transfer_requested(world: World, case: Case, fact: Fact, data: p.TransferRequested) -> None:
    case.pending = (*case.pending, len(world.transfers))
    world.transfers.append(TransferRequest(case.offender, case.location, data.to_site, data.kind, fact.local_date))
    if data.kind == "voluntary":
        _open(world, case, fact, TRANSFER_DECISION, fact.local_date)
    stay = world.open_stay(case)
    if stay is not None and stay.transfer_requested_on is None:
        stay.transfer_requested_on = fact.local_date


def _transfer_completed(world: World, case: Case, fact: Fact, data: p.TransferCompleted) -> None:
    if case.pending:
        request = world.transfers[case.pending[-1]]
        case.pending = case.pending[:-1]
        request.completed_on = fact.local_date
        if request.kind == "voluntary":
            _complete(world, case, fact, {TRANSFER_DECISION})
        case.location = case.last_site = request.to_site
        case.officer = None
        case.last_arrival = fact.local_date


def _transfer_cancelled(world: World, case: Case, fact: Fact, data: p.TransferCancelled) -> None:
    if case.pending:
        request = world.transfers[case.pending[-1]]
        request.cancelled_on = fact.local_date
        case.pending = case.pending[:-1]
        if request.kind == "voluntary":
            _complete(world, case, fact, {TRANSFER_DECISION})


def _plan_started(world: World, case: Case, fact: Fact, data: p.ReleasePlanStarted) -> None:
    case.plan = Plan(fact.local_date, case.last_arrival)
    if case.submitted is not None and case.submitted[0] != fact.occurred_us:  # a submission at the plan's instant counts under it
        case.submitted = None
    _complete(world, case, fact, {RELEASE_PLAN_START})


def _plan_step(world: World, case: Case, fact: Fact, data: p.ReleasePlanStep) -> None:
    if data.step == "assessment_for_decision_submitted":
        _complete(world, case, fact, {BOARD_INFORMATION})
        if case.submitted is None:
            case.submitted = (fact.occurred_us, fact.local_date, case.officer)


def _task_completed(world: World, case: Case, fact: Fact, data: p.CaseTaskCompleted) -> None:
    _complete(world, case, fact, {data.task})


def _decision(world: World, case: Case, fact: Fact, data: p.ReleaseDecisionRecorded) -> None:
    row = ReleaseRow(case.offender, fact.at_site, case.officer, data.release_type, case.plan, fact.local_date, granted=data.decision == "granted")
    if row.granted:
        case.open_grants = (*case.open_grants, len(world.releases))
        case.granted_release = data.release_date
    world.releases.append(row)


def _released(world: World, case: Case, fact: Fact, data: p.OffenderReleased) -> None:
    match = next((index for index in reversed(case.open_grants) if world.releases[index].release_type == data.release_type), None)
    if match is not None:
        case.open_grants = tuple(index for index in case.open_grants if index != match)
        world.releases[match].released_on = fact.local_date
    else:
        world.releases.append(ReleaseRow(case.offender, fact.at_site, case.officer, data.release_type, case.plan, None, fact.local_date))
    _close(world, case, fact.local_date, "moot")
    case.granted_release = None
    case.location = data.destination_site
    if data.destination_site:
        case.last_site = data.destination_site
    case.officer = None


def _contact(world: World, case: Case, fact: Fact, data: p.CcloContactRecorded) -> None:
    day = fact.local_date
    world.contacts.append(Contact(fact.at_site, f"{day.year}-{day.month:02d}", case.offender, data.purpose, data.minutes))
    world.cclos[data.cclo] = data.police_service


_REGISTRATIONS: dict[type, Callable[[World, Fact, Any], None]] = {
    p.SiteRegistered: _site,
    p.OfficerRegistered: _officer,
    p.OffenderAdmitted: _admitted,
    p.HearingScheduled: _hearing,
}
_OFFICER_EVENTS: dict[type, Callable[[OfficerInfo, Any], None]] = {
    p.OfficerMoved: _moved,
    p.LeaveStarted: _leave_started,
    p.LeaveEnded: _leave_ended,
    p.CoverageStarted: _coverage_started,
    p.CoverageEnded: _coverage_ended,
}
_CASE_EVENTS: dict[type, Callable[[World, Case, Fact, Any], None]] = {
    p.CaseAssigned: _assigned,
    p.ComplexityFlagged: _flagged,
    p.ComplexityCleared: _cleared,
    p.SIUPlacementStarted: _siu_started,
    p.SIUReviewHeld: _siu_review,
    p.SIUPlacementEnded: _siu_ended,
    p.TransferRequested: _transfer_requested,
    p.TransferCompleted: _transfer_completed,
    p.TransferCancelled: _transfer_cancelled,
    p.ReleasePlanStarted: _plan_started,
    p.ReleasePlanStep: _plan_step,
    p.CaseTaskCompleted: _task_completed,
    p.ReleaseDecisionRecorded: _decision,
    p.OffenderReleased: _released,
    p.CcloContactRecorded: _contact,
}


WORLD_TYPES = frozenset(kind.__name__ for kind in (*_REGISTRATIONS, *_OFFICER_EVENTS, *_CASE_EVENTS))
"""Every timeline event type the world applies (the others change nothing in it)."""

CASE_TYPES = frozenset({"OffenderAdmitted", *(kind.__name__ for kind in _CASE_EVENTS)})
"""The event types that make or change a case (the bulk of a world)."""


def _encode_extra(value: Any) -> Any:
    if isinstance(value, Fraction):
        return str(value)
    raise NotImplementedError(f"cannot store {type(value).__name__}")


_FRACTIONS: dict[str, Fraction] = {}
"""Weekly hours read so far: a few distinct values for thousands of officers (a Fraction is
immutable, so one can be shared; parsing each costs more than decoding the rest of the officer)."""


def _decode_extra(kind: type, value: Any) -> Any:
    if kind is Fraction and isinstance(value, str):
        found = _FRACTIONS.get(value)
        if found is None:
            found = _FRACTIONS[value] = Fraction(value)
        return found
    raise NotImplementedError(f"cannot read {kind.__name__}")


ENCODER = msgspec.msgpack.Encoder(enc_hook=_encode_extra)
"""Worlds and their parts as msgpack (weekly hours, exact fractions, as text)."""

_Kind = TypeVar("_Kind")


def decoder(kind: type[_Kind]) -> msgspec.msgpack.Decoder[_Kind]:
    """A decoder of ``kind`` (a world or a part of one) from what :data:`ENCODER` wrote."""
    return msgspec.msgpack.Decoder(kind, dec_hook=_decode_extra)
