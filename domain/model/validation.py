"""The rules that need the ledger's state, and where each event happens.

Shape rules (types, enumerations, ranges, identifier pattern) are enforced by the payload
Structs; this module holds the rest of the specification's error list (and an id that starts
with ``-`` or ``.``, refused here rather than by the pattern so that stores holding one still read): unknown and duplicate
ids, transfer to the current site, completing a transfer never requested, ending an SIU stay
that never started, SIU at a non-institution, admission outside an institution, a release to a
site that is not a community office or CCC, security levels on the wrong kind of site, an
unknown time zone, retracting a position that does not exist; a second
retraction of one event or a retraction with a blank reason, a supervisor's role without its
site (or another role with one), a user linked to an officer never registered. Anything else odd is accepted
(the specification calls it realistic messiness; projections ignore it).

Validation runs in log order against a :class:`LedgerView`: the command path reads aggregates
from the store, the importer keeps them in memory. Both call :func:`place`, so both enforce the
same rules. Retractions are ignored here (a retracted event still counts for validation), as
the specification says.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

import msgspec

from caseledger.domain.errors import DomainError
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.access import LoggedEntry
from caseledger.domain.model.aggregates import (
    RETRACTION_LOG_ID,
    AddOnTask,
    LedgerAggregate,
    OffenderCase,
    Officer,
    RetractionLog,
    Site,
    User,
    entity_id,
)
from caseledger.domain.model.times import zone

RELEASE_DESTINATION_KINDS = ("community_office", "ccc")

USER_EVENTS = frozenset(kind.__name__ for kind in (p.UserLinked, p.RoleGranted, p.RoleRevoked))
"""Events a retraction may not name: validation ignores retractions (as the specification says), so
retracting a grant would change nothing the permission checks read — revoke the role instead."""


class LedgerView(Protocol):
    """Read access to the current state of the aggregates validation consults."""

    def site(self, key: str) -> Site | None: ...

    def officer(self, key: str) -> Officer | None: ...

    def offender(self, key: str) -> OffenderCase | None: ...

    def retraction_log(self) -> RetractionLog | None: ...

    def user(self, key: str) -> User | None: ...

    def entry_at(self, position: int) -> LoggedEntry | None:
        """The event at ``position`` (where it happened, who recorded it when), if there is one."""
        ...

    def first_users(self) -> frozenset[str] | None:
        """The store's first users, admins without a grant: its owner and whoever recorded its
        first event; None while it holds no event (whoever records first is one)."""
        ...


class Placement(NamedTuple):
    """Where a valid event goes: which aggregate (``existing`` or a new one) and which site. A
    tuple: the read side places every stored event, and a frozen dataclass costs a microsecond to build."""

    aggregate_class: type[LedgerAggregate]
    aggregate_id: uuid.UUID | None
    """None for a new add-on task: its id is random, drawn when it is recorded (the read side,
    judging a million stored tasks, never needs one: drawing them cost a quarter of its time)."""
    existing: LedgerAggregate | None
    at_site: str | None
    target: LoggedEntry | None = None
    """The event a retraction names."""


def _site(view: LedgerView, key: str, field: str) -> Site:
    site = view.site(key)
    if site is None:
        raise DomainError(field, f"unknown site {key!r}")
    return site


def _officer(view: LedgerView, key: str, field: str = "officer") -> Officer:
    officer = view.officer(key)
    if officer is None:
        raise DomainError(field, f"unknown officer {key!r}")
    return officer


def _offender(view: LedgerView, key: str) -> OffenderCase:
    case = view.offender(key)
    if case is None:
        raise DomainError("offender", f"unknown offender {key!r}")
    return case


def _new(aggregate_class: type[LedgerAggregate], key: str, at_site: str | None) -> Placement:
    return Placement(aggregate_class, entity_id(aggregate_class.KIND, key), None, at_site)


def _site_registered(view: LedgerView, data: p.SiteRegistered) -> Placement:
    if view.site(data.site) is not None:
        raise DomainError("site", f"site {data.site!r} is already registered")
    zone(data.timezone)
    if data.kind == "institution" and not data.security_levels:
        raise DomainError("security_levels", "an institution needs at least one security level")
    if data.kind != "institution" and data.security_levels:
        raise DomainError("security_levels", f"a {data.kind} has no security levels")
    return _new(Site, data.site, data.site)


def _officer_registered(view: LedgerView, data: p.OfficerRegistered) -> Placement:
    if view.officer(data.officer) is not None:
        raise DomainError("officer", f"officer {data.officer!r} is already registered")
    _site(view, data.site, "site")
    return _new(Officer, data.officer, data.site)


def _officer_moved(view: LedgerView, data: p.OfficerMoved) -> Placement:
    officer = _officer(view, data.officer)
    _site(view, data.site, "site")
    return Placement(Officer, officer.id, officer, data.site)


def _officer_event(view: LedgerView, data: p.LeaveStarted | p.LeaveEnded) -> Placement:
    officer = _officer(view, data.officer)
    return Placement(Officer, officer.id, officer, officer.site)


def _coverage(view: LedgerView, data: p.CoverageStarted | p.CoverageEnded) -> Placement:
    absent = _officer(view, data.officer)
    _officer(view, data.covering_officer, "covering_officer")
    return Placement(Officer, absent.id, absent, absent.site)


def _addon_logged(view: LedgerView, data: p.AddOnTaskLogged) -> Placement:
    officer = _officer(view, data.officer)
    if data.offender is not None:
        _offender(view, data.offender)
    return Placement(AddOnTask, None, None, officer.site)


def _offender_admitted(view: LedgerView, data: p.OffenderAdmitted) -> Placement:
    if view.offender(data.offender) is not None:
        raise DomainError("offender", f"offender {data.offender!r} is already admitted")
    site = _site(view, data.site, "site")
    if site.kind != "institution":
        raise DomainError("site", f"admission site {data.site!r} is a {site.kind}, not an institution")
    return _new(OffenderCase, data.offender, data.site)


class _NamesOffender(Protocol):
    """Every payload of a case event names its offender."""

    @property
    def offender(self) -> str: ...


def _case_placement(case: OffenderCase) -> Placement:
    return Placement(OffenderCase, case.id, case, case.where)


def _case_event(view: LedgerView, data: _NamesOffender) -> Placement:
    return _case_placement(_offender(view, data.offender))


def _case_assigned(view: LedgerView, data: p.CaseAssigned) -> Placement:
    placement = _case_event(view, data)
    _officer(view, data.officer)
    return placement


def _siu_started(view: LedgerView, data: p.SIUPlacementStarted) -> Placement:
    case = _offender(view, data.offender)
    location = case.location
    site = view.site(location) if location else None
    if site is None or site.kind != "institution":
        raise DomainError("offender", f"SIU placement needs an institution; {data.offender!r} is at {location or 'no site'}")
    return _case_placement(case)


def _siu_ended(view: LedgerView, data: p.SIUPlacementEnded) -> Placement:
    case = _offender(view, data.offender)
    if not case.in_siu:
        raise DomainError("offender", f"{data.offender!r} has no SIU stay in progress to end")
    return _case_placement(case)


def _transfer_requested(view: LedgerView, data: p.TransferRequested) -> Placement:
    case = _offender(view, data.offender)
    _site(view, data.to_site, "to_site")
    if data.to_site == case.location:
        raise DomainError("to_site", f"{data.offender!r} is already at {data.to_site!r}")
    return _case_placement(case)


def _transfer_completed(view: LedgerView, data: p.TransferCompleted) -> Placement:
    case = _offender(view, data.offender)
    if not case.pending_transfer_sites:
        raise DomainError("offender", f"{data.offender!r} has no pending transfer request to complete")
    return Placement(OffenderCase, case.id, case, case.pending_transfer_sites[-1])


def _release_plan_started(view: LedgerView, data: p.ReleasePlanStarted) -> Placement:
    placement = _case_event(view, data)
    if data.destination_site is not None:
        _site(view, data.destination_site, "destination_site")
    return placement


def _offender_released(view: LedgerView, data: p.OffenderReleased) -> Placement:
    placement = _case_event(view, data)
    if data.destination_site is not None:
        site = _site(view, data.destination_site, "destination_site")
        if site.kind not in RELEASE_DESTINATION_KINDS:
            raise DomainError("destination_site", f"{data.destination_site!r} is a {site.kind}; releases go to a community office or a CCC")
    return placement


def _event_retracted(view: LedgerView, data: p.EventRetracted) -> Placement:
    target = view.entry_at(data.position)
    if target is None:
        raise DomainError("position", f"no event at position {data.position}")
    if not data.reason.strip():
        raise DomainError("reason", "a retraction must say why (the reason is blank)")
    if target.kind in USER_EVENTS:
        raise DomainError(
            "position",
            f"position {data.position} is a {target.kind}: who may do what is changed by revoking a role or linking the user again, not by a retraction",
        )
    log = view.retraction_log()
    if log is not None and data.position in log.targets:
        raise DomainError(
            "position", f"the event at position {data.position} was already retracted: one retraction per event (to undo it, retract the retraction)"
        )
    return Placement(RetractionLog, RETRACTION_LOG_ID, log, target.at_site, target)


def _user_placement(view: LedgerView, key: str, at_site: str | None) -> Placement:
    existing = view.user(key)
    return Placement(User, entity_id(User.KIND, key), existing, at_site)


def _user_linked(view: LedgerView, data: p.UserLinked) -> Placement:
    officer = _officer(view, data.officer)
    return _user_placement(view, data.user, officer.site)


def _role_changed(view: LedgerView, data: p.RoleGranted | p.RoleRevoked) -> Placement:
    """A supervisor's role is for one site, which must be registered; no other role has one."""
    if data.role == "supervisor" and data.site is None:
        raise DomainError("site", "a supervisor supervises one site: name it")
    if data.role != "supervisor" and data.site is not None:
        raise DomainError("site", f"only a supervisor's role has a site; the {data.role} role has none")
    if data.site is not None:
        _site(view, data.site, "site")
    return _user_placement(view, data.user, data.site)


Rule = Callable[[LedgerView, Any], Placement]
"""A validation rule: takes the ledger's state and one payload of the type it is registered for."""

_RULES: dict[type[p.Payload], Rule] = {
    p.SiteRegistered: _site_registered,
    p.OfficerRegistered: _officer_registered,
    p.OfficerMoved: _officer_moved,
    p.LeaveStarted: _officer_event,
    p.LeaveEnded: _officer_event,
    p.CoverageStarted: _coverage,
    p.CoverageEnded: _coverage,
    p.AddOnTaskLogged: _addon_logged,
    p.OffenderAdmitted: _offender_admitted,
    p.CaseAssigned: _case_assigned,
    p.SIUPlacementStarted: _siu_started,
    p.SIUPlacementEnded: _siu_ended,
    p.TransferRequested: _transfer_requested,
    p.TransferCompleted: _transfer_completed,
    p.ReleasePlanStarted: _release_plan_started,
    p.OffenderReleased: _offender_released,
    p.EventRetracted: _event_retracted,
    p.UserLinked: _user_linked,
    p.RoleGranted: _role_changed,
    p.RoleRevoked: _role_changed,
}


IDENTIFIER_LEADS = ("-", ".")
"""What no id may start with: a command line reads ``-2-3`` as an option, a spreadsheet as a
formula, a file listing hides ``.x``. (The catalogue's pattern still reads any id stored before.)"""


def _is_identifier(info: msgspec.inspect.Type) -> bool:
    if isinstance(info, msgspec.inspect.StrType):
        return info.pattern == p.IDENTIFIER_PATTERN
    if isinstance(info, msgspec.inspect.UnionType):
        return any(_is_identifier(inner) for inner in info.types)
    return isinstance(info, msgspec.inspect.ListType) and _is_identifier(info.item_type)


@functools.cache
def _identifier_fields(kind: type[p.Payload]) -> tuple[str, ...]:
    """The fields of payload type ``kind`` that hold ids (one, an optional one, or a list)."""
    info = msgspec.inspect.type_info(kind)
    assert isinstance(info, msgspec.inspect.StructType)
    return tuple(field.name for field in info.fields if _is_identifier(field.type))


def check_identifiers(data: p.Payload) -> None:
    """Refuse an id in ``data`` that starts with ``-`` or ``.`` (:data:`IDENTIFIER_LEADS`)."""
    for name in _identifier_fields(type(data)):
        value = getattr(data, name)
        for each in value if isinstance(value, list) else (value,):
            if each is not None and each.startswith(IDENTIFIER_LEADS):
                raise DomainError(name, f"{each!r}: an id cannot start with '-' or '.' (a command line would read it as an option, a spreadsheet as a formula)")


def place(view: LedgerView, data: p.Payload) -> Placement:
    """Check ``data`` against the ledger's state; say which aggregate it goes to and where it happened.

    Raises :class:`DomainError` naming the field and the rule when the event is invalid.
    """
    check_identifiers(data)
    return locate(view, data)


def locate(view: LedgerView, data: p.Payload) -> Placement:
    """:func:`place` without the identifier check, which only new entries must pass: the read
    side judges stored events with it (:mod:`caseledger.projections.engine.quarantine`), and a
    store may hold ids from before the check."""
    return _RULES.get(type(data), _case_event)(view, data)
